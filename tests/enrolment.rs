//! Keys bound to their enrolment (issue 16, finding 2), proven by interleavings the test
//! chooses: a store wrapper runs the test's step (a re-enrolment, a restored backup) at the
//! point of a request it names, after the request's load of the record or before its
//! compare-and-swap.
//!
//! - A request holding the old key when a re-enrolment commits has its code refused, before,
//!   between, or after its record load, with no failure counted on the new enrolment.
//! - A sealed key of an earlier enrolment restored into the row opens, and is refused.
//! - A generator cached without sealed keys is refused once the token is re-enrolled.
//! - A key of sealed-key format 1 opens only while the record has no enrolment id.
//!
//! Before record format 2 all of these codes were accepted.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use core::future::Future;
use std::sync::Mutex;

use otpkit::sealed::MasterKey;
use otpkit::store::{
    AsyncVerifier, EnrolError, EnrolStore, KeyStore, KeyWrite, MemoryStore, RecordBytes, Store,
    Verifier, VerifyError,
};
use otpkit::{Enrolled, EnrolmentId, Policy, StateRecord, Totp, TotpParams};

const NOW: u64 = 1_700_000_000;
const OLD_KEY: &[u8] = b"12345678901234567890";
const NEW_KEY: &[u8] = b"abcdefghijabcdefghij";

type Step = Box<dyn FnOnce(&MemoryStore) + Send>;

/// A memory store that runs the test's `after_load` step once, right after the next load of
/// a record, and its `before_swap` step once, right before the next compare-and-swap.
#[derive(Default)]
struct Scripted {
    inner: MemoryStore,
    after_load: Mutex<Option<Step>>,
    before_swap: Mutex<Option<Step>>,
}

impl Scripted {
    fn after_load(&self, step: impl FnOnce(&MemoryStore) + Send + 'static) {
        *self.after_load.lock().unwrap() = Some(Box::new(step));
    }

    fn before_swap(&self, step: impl FnOnce(&MemoryStore) + Send + 'static) {
        *self.before_swap.lock().unwrap() = Some(Box::new(step));
    }
}

impl Store for Scripted {
    type Error = core::convert::Infallible;

    fn enrol(&self, id: &str, record: &RecordBytes) -> Result<bool, Self::Error> {
        Store::enrol(&self.inner, id, record)
    }

    fn delete(&self, id: &str) -> Result<bool, Self::Error> {
        Store::delete(&self.inner, id)
    }

    fn load(&self, id: &str) -> Result<Option<RecordBytes>, Self::Error> {
        let loaded = Store::load(&self.inner, id);
        if let Some(step) = self.after_load.lock().unwrap().take() {
            step(&self.inner);
        }
        loaded
    }

    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> Result<bool, Self::Error> {
        if let Some(step) = self.before_swap.lock().unwrap().take() {
            step(&self.inner);
        }
        Store::compare_and_swap(&self.inner, id, old, new)
    }
}

fn master() -> MasterKey {
    MasterKey::from_bytes([9; 32])
}

fn enrolment(n: u8) -> EnrolmentId {
    EnrolmentId::from_bytes([n; 16])
}

/// Enrols (`first`) or re-enrols `alice` with `key` under enrolment `n`, record and sealed key
/// in one write.
fn enrol_alice(store: &MemoryStore, n: u8, key: &[u8], first: bool) {
    let sealed = master().seal_enrolled("alice", enrolment(n), key).unwrap();
    let record = StateRecord::time_step()
        .with_enrolment(enrolment(n))
        .to_bytes();
    if first {
        assert_eq!(
            store
                .enrol_with_key("alice", &record, Some(&sealed))
                .unwrap(),
            KeyWrite::Stored
        );
    } else {
        store.reenrol("alice", &record, Some(&sealed)).unwrap();
    }
}

/// What a login does: the generator from the stored sealed key.
fn open_alice(store: &impl KeyStore<Error = core::convert::Infallible>) -> Enrolled<Totp> {
    let sealed = store.sealed_key("alice").unwrap().unwrap();
    master()
        .open_totp("alice", &sealed, TotpParams::default())
        .unwrap()
}

fn code(key: &[u8]) -> String {
    let totp = Totp::new(key, TotpParams::default()).unwrap();
    totp.generate_at(NOW).unwrap().to_string()
}

fn stored(store: &MemoryStore) -> StateRecord {
    StateRecord::from_bytes(&Store::load(store, "alice").unwrap().unwrap()).unwrap()
}

/// The new enrolment is untouched by the refused request, and its own code is accepted.
fn new_enrolment_intact(store: &Scripted) {
    let record = stored(&store.inner);
    assert_eq!(record.enrolment(), enrolment(2));
    assert_eq!(record.throttle().failures(), 0, "no failure counted");
    assert_eq!(record.last_accepted(), None);
    let verifier = Verifier::new(store, Policy::default());
    let fresh = open_alice(&store.inner);
    assert_eq!(fresh.enrolment(), enrolment(2));
    verifier
        .verify_totp("alice", &fresh, NOW, code(NEW_KEY))
        .unwrap();
}

fn refused(result: Result<otpkit::Accepted, VerifyError<core::convert::Infallible>>) {
    assert_eq!(
        result,
        Err(VerifyError::EnrolmentMismatch {
            stored: enrolment(2),
            generator: enrolment(1),
        })
    );
}

#[test]
fn old_key_is_refused_when_the_re_enrolment_commits_before_the_request_loads() {
    let store = Scripted::default();
    enrol_alice(&store.inner, 1, OLD_KEY, true);
    let held = open_alice(&store.inner);
    enrol_alice(&store.inner, 2, NEW_KEY, false);
    let verifier = Verifier::new(&store, Policy::default());
    refused(verifier.verify_totp("alice", &held, NOW, code(OLD_KEY)));
    new_enrolment_intact(&store);
}

#[test]
fn old_key_is_refused_when_the_re_enrolment_commits_between_load_and_swap() {
    let store = Scripted::default();
    enrol_alice(&store.inner, 1, OLD_KEY, true);
    let held = open_alice(&store.inner);
    store.before_swap(|inner| enrol_alice(inner, 2, NEW_KEY, false));
    let verifier = Verifier::new(&store, Policy::default());
    // The swap from the old enrolment's record loses; the reload finds the new enrolment.
    refused(verifier.verify_totp("alice", &held, NOW, code(OLD_KEY)));
    new_enrolment_intact(&store);
}

#[test]
fn old_key_is_refused_when_the_re_enrolment_commits_right_after_the_load() {
    let store = Scripted::default();
    enrol_alice(&store.inner, 1, OLD_KEY, true);
    let held = open_alice(&store.inner);
    store.after_load(|inner| enrol_alice(inner, 2, NEW_KEY, false));
    let verifier = Verifier::new(&store, Policy::default());
    refused(verifier.verify_totp("alice", &held, NOW, code(OLD_KEY)));
    new_enrolment_intact(&store);
}

#[test]
fn a_restored_old_sealed_key_is_refused() {
    let store = Scripted::default();
    enrol_alice(&store.inner, 1, OLD_KEY, true);
    let backup = store.inner.sealed_key("alice").unwrap().unwrap();
    enrol_alice(&store.inner, 2, NEW_KEY, false);
    // A backup, a replica or a stale write-back puts the old sealed key back.
    assert_eq!(
        store
            .inner
            .put_sealed_key("alice", &backup, master().id())
            .unwrap(),
        KeyWrite::Stored
    );
    let restored = open_alice(&store.inner);
    assert_eq!(
        restored.enrolment(),
        enrolment(1),
        "it opens, as the old enrolment's"
    );
    let verifier = Verifier::new(&store, Policy::default());
    refused(verifier.verify_totp("alice", &restored, NOW, code(OLD_KEY)));
    let record = stored(&store.inner);
    assert_eq!(
        (record.enrolment(), record.throttle().failures()),
        (enrolment(2), 0)
    );
}

#[test]
fn a_generator_cached_without_sealed_keys_is_refused_after_re_enrolment() {
    let store = Scripted::default();
    let first = StateRecord::time_step().with_enrolment(enrolment(1));
    assert_eq!(
        store
            .inner
            .enrol_with_key("alice", &first.to_bytes(), None)
            .unwrap(),
        KeyWrite::Stored
    );
    // The integrator keeps the key and the enrolment id it enrolled with, and caches this.
    let cached = Enrolled::new(
        Totp::new(OLD_KEY, TotpParams::default()).unwrap(),
        enrolment(1),
    );
    let verifier = Verifier::new(&store, Policy::default());
    let second = StateRecord::time_step().with_enrolment(enrolment(2));
    store
        .inner
        .reenrol("alice", &second.to_bytes(), None)
        .unwrap();
    refused(verifier.verify_totp("alice", &cached, NOW, code(OLD_KEY)));
    // An unbound generator is the legacy enrolment's, and refused by a bound record too.
    let bare = Totp::new(OLD_KEY, TotpParams::default()).unwrap();
    assert_eq!(
        verifier.verify_totp("alice", &bare, NOW, code(OLD_KEY)),
        Err(VerifyError::EnrolmentMismatch {
            stored: enrolment(2),
            generator: EnrolmentId::LEGACY,
        })
    );
    let fresh = Enrolled::new(
        Totp::new(NEW_KEY, TotpParams::default()).unwrap(),
        enrolment(2),
    );
    verifier
        .verify_totp("alice", &fresh, NOW, code(NEW_KEY))
        .unwrap();
}

/// A key sealed by the previous release (format 1, under `[1; 32]`, for "alice"): the RFC 6238
/// key `12345678901234567890`.
const V1_SEALED: &str = include_str!("data/sealed_key_format1.hex");

/// A record written by the previous release: `StateRecord::time_step()`, format 1.
const V1_TIME_STEP: [u8; 34] = [
    1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfa,
    0x6b, 0x6f, 0xf5,
];

fn unhex(text: &str) -> Vec<u8> {
    let text = text.trim();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_format_1_sealed_key_opens_only_while_its_record_has_no_enrolment_id() {
    let master = MasterKey::from_bytes([1; 32]);
    let sealed = unhex(V1_SEALED);
    assert_eq!(sealed[0], 1, "format 1");
    let totp = master
        .open_totp("alice", &sealed, TotpParams::default())
        .unwrap();
    assert_eq!(totp.enrolment(), EnrolmentId::LEGACY);
    assert_eq!(totp.generate_at(59).unwrap().as_str(), "287082");

    // Beside the previous release's record: accepted, and written back as format 2.
    let store = MemoryStore::new();
    let v1 = RecordBytes::try_from(&V1_TIME_STEP[..]).unwrap();
    assert!(Store::enrol(&store, "alice", &v1).unwrap());
    assert_eq!(
        store.put_sealed_key("alice", &sealed, master.id()).unwrap(),
        KeyWrite::Stored
    );
    let verifier = Verifier::new(&store, Policy::default());
    let code = totp.generate_at(NOW).unwrap();
    verifier.verify_totp("alice", &totp, NOW, code).unwrap();
    let record = StateRecord::from_bytes(&Store::load(&store, "alice").unwrap().unwrap()).unwrap();
    assert_eq!(Store::load(&store, "alice").unwrap().unwrap()[0], 2);
    assert_eq!(record.enrolment(), EnrolmentId::LEGACY);

    // Re-sealed under a new master key, it becomes format 2 of the legacy enrolment.
    let new = MasterKey::from_bytes([2; 32]);
    let resealed = master.reseal("alice", &sealed, &new).unwrap();
    assert_eq!(resealed[0], 2);
    assert_eq!(
        new.open_totp("alice", &resealed, TotpParams::default())
            .unwrap()
            .enrolment(),
        EnrolmentId::LEGACY
    );
    assert_eq!(
        master.reseal_for("alice", enrolment(3), &sealed, &new),
        Err(otpkit::sealed::SealError::EnrolmentMismatch {
            sealed: EnrolmentId::LEGACY,
            expected: enrolment(3),
        })
    );

    // Against a record of a real enrolment (format 2): refused, nothing counted.
    store
        .reenrol(
            "alice",
            &StateRecord::time_step()
                .with_enrolment(enrolment(3))
                .to_bytes(),
            None,
        )
        .unwrap();
    assert_eq!(
        store.put_sealed_key("alice", &sealed, master.id()).unwrap(),
        KeyWrite::Stored
    );
    let later = NOW + 300;
    assert_eq!(
        verifier.verify_totp("alice", &totp, later, totp.generate_at(later).unwrap()),
        Err(VerifyError::EnrolmentMismatch {
            stored: enrolment(3),
            generator: EnrolmentId::LEGACY,
        })
    );
    let record = StateRecord::from_bytes(&Store::load(&store, "alice").unwrap().unwrap()).unwrap();
    assert_eq!(
        (record.throttle().failures(), record.last_accepted()),
        (0, None)
    );
}

/// The asynchronous verifier refuses the old enrolment's generator in the same way.
#[test]
fn the_async_verifier_refuses_the_old_key_after_re_enrolment() {
    use core::task::{Context, Poll, Waker};
    let verifier = AsyncVerifier::new(MemoryStore::new(), Policy::default());
    let store = verifier.store();
    enrol_alice(store, 1, OLD_KEY, true);
    let held = open_alice(store);
    enrol_alice(store, 2, NEW_KEY, false);
    let mut future = core::pin::pin!(verifier.verify_totp("alice", &held, NOW, code(OLD_KEY)));
    let Poll::Ready(outcome) = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    else {
        panic!("the memory store's futures are ready at once");
    };
    refused(outcome);
    let fresh = open_alice(store);
    let mut future = core::pin::pin!(verifier.verify_totp("alice", &fresh, NOW, code(NEW_KEY)));
    let Poll::Ready(outcome) = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    else {
        panic!("the memory store's futures are ready at once");
    };
    assert!(outcome.is_ok(), "{outcome:?}");
}

/// Polls a memory store's future, which is ready at once.
fn ready<T>(future: impl Future<Output = T>) -> T {
    use core::task::{Context, Poll, Waker};
    let mut future = core::pin::pin!(future);
    let Poll::Ready(outcome) = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    else {
        panic!("the memory store's futures are ready at once");
    };
    outcome
}

#[test]
fn the_verifiers_and_enrol_store_refuse_a_record_without_an_enrolment_id() {
    let verifier = Verifier::new(MemoryStore::new(), Policy::default());
    let store = verifier.store();
    for plain in [StateRecord::time_step(), StateRecord::counter(0)] {
        assert_eq!(verifier.enrol("alice", &plain), Err(EnrolError::Unbound));
        let bytes = plain.to_bytes();
        assert_eq!(
            store.enrol_with_key("alice", &bytes, None),
            Ok(KeyWrite::Unbound)
        );
        assert_eq!(store.reenrol("alice", &bytes, None), Ok(KeyWrite::Unbound));
        let asynch = AsyncVerifier::new(MemoryStore::new(), Policy::default());
        assert_eq!(
            ready(asynch.enrol("alice", &plain)),
            Err(EnrolError::Unbound)
        );
        assert_eq!(Store::load(asynch.store(), "alice"), Ok(None));
    }
    assert_eq!(Store::load(store, "alice"), Ok(None));
    // A re-enrolment without an id leaves the bound enrolment in place.
    let bound = StateRecord::time_step().with_enrolment(enrolment(1));
    assert_eq!(verifier.enrol("alice", &bound), Ok(true));
    assert_eq!(
        store.reenrol("alice", &StateRecord::time_step().to_bytes(), None),
        Ok(KeyWrite::Unbound)
    );
    assert_eq!(stored(store), bound);
    // Importing a token enrolled before enrolment ids is the store's raw write.
    assert_eq!(
        Store::enrol(store, "legacy", &StateRecord::time_step().to_bytes()),
        Ok(true)
    );
    let bare = Totp::new(OLD_KEY, TotpParams::default()).unwrap();
    assert!(
        verifier
            .verify_totp("legacy", &bare, NOW, code(OLD_KEY))
            .is_ok()
    );
}

#[test]
fn a_generator_cached_before_a_re_enrolment_through_the_verifier_is_refused() {
    let verifier = Verifier::new(MemoryStore::new(), Policy::default());
    let first = EnrolmentId::random().unwrap();
    let record = StateRecord::time_step().with_enrolment(first);
    assert_eq!(verifier.enrol("alice", &record), Ok(true));
    let cached = Enrolled::new(Totp::new(OLD_KEY, TotpParams::default()).unwrap(), first);
    // The user re-enrols the same way, with the same key even: a new enrolment id all the same.
    assert_eq!(verifier.delete("alice"), Ok(true));
    let second = EnrolmentId::random().unwrap();
    assert_ne!(first, second);
    let record = StateRecord::time_step().with_enrolment(second);
    assert_eq!(verifier.enrol("alice", &record), Ok(true));
    let before = StateRecord::time_step().with_enrolment(first);
    assert_ne!(stored(verifier.store()).to_bytes(), before.to_bytes());
    assert_eq!(
        verifier.verify_totp("alice", &cached, NOW, code(OLD_KEY)),
        Err(VerifyError::EnrolmentMismatch {
            stored: second,
            generator: first,
        })
    );
    let fresh = Enrolled::new(Totp::new(OLD_KEY, TotpParams::default()).unwrap(), second);
    assert!(
        verifier
            .verify_totp("alice", &fresh, NOW, code(OLD_KEY))
            .is_ok()
    );
}

proptest::proptest! {
    /// A generator is accepted exactly when its enrolment is the stored record's; any other
    /// enrolment (the legacy one included) is refused with both ids named, and the stored
    /// record is left as it was.
    #[test]
    fn a_generator_is_accepted_only_for_the_stored_enrolment(
        stored in proptest::prelude::any::<[u8; 16]>(),
        other in proptest::prelude::any::<[u8; 16]>(),
        same: bool,
    ) {
        let stored = EnrolmentId::from_bytes(stored);
        let given = if same { stored } else { EnrolmentId::from_bytes(other) };
        let store = MemoryStore::new();
        let record = StateRecord::time_step().with_enrolment(stored).to_bytes();
        proptest::prop_assert!(Store::enrol(&store, "t", &record).unwrap());
        let verifier = Verifier::new(&store, Policy::default());
        let totp = Enrolled::new(Totp::new(OLD_KEY, TotpParams::default()).unwrap(), given);
        let outcome = verifier.verify_totp("t", &totp, NOW, code(OLD_KEY));
        if given == stored {
            proptest::prop_assert!(outcome.is_ok(), "{:?}", outcome);
        } else {
            proptest::prop_assert_eq!(
                outcome,
                Err(VerifyError::EnrolmentMismatch { stored, generator: given })
            );
            proptest::prop_assert_eq!(Store::load(&store, "t").unwrap(), Some(record));
        }
    }

    /// Enrolment through the verifier or `EnrolStore` succeeds exactly when the record carries
    /// an enrolment id, for any record kind and counter; a refused one writes nothing.
    #[test]
    fn only_records_with_an_enrolment_id_are_enrolled(
        id in proptest::prelude::any::<[u8; 16]>(),
        next: u64,
        counter: bool,
        legacy: bool,
    ) {
        let enrolment = if legacy { EnrolmentId::LEGACY } else { EnrolmentId::from_bytes(id) };
        let plain = if counter { StateRecord::counter(next) } else { StateRecord::time_step() };
        let record = plain.with_enrolment(enrolment);
        let bound = !enrolment.is_legacy();
        let verifier = Verifier::new(MemoryStore::new(), Policy::default());
        let enrolled = verifier.enrol("t", &record);
        proptest::prop_assert_eq!(enrolled, if bound { Ok(true) } else { Err(EnrolError::Unbound) });
        let store = MemoryStore::new();
        let (first, again) = (
            store.enrol_with_key("t", &record.to_bytes(), None),
            store.reenrol("t", &record.to_bytes(), None),
        );
        let (want_first, want_again) = if bound {
            (KeyWrite::Stored, KeyWrite::Stored)
        } else {
            (KeyWrite::Unbound, KeyWrite::Unbound)
        };
        proptest::prop_assert_eq!((first, again), (Ok(want_first), Ok(want_again)));
        let written = bound.then(|| record.to_bytes());
        proptest::prop_assert_eq!(Store::load(verifier.store(), "t"), Ok(written));
        proptest::prop_assert_eq!(Store::load(&store, "t"), Ok(written));
    }

    /// A record's bytes carry its enrolment: they round-trip with it, and records that differ
    /// only in their enrolment never have equal bytes (so a compare-and-swap from one never
    /// succeeds on the other).
    #[test]
    fn the_enrolment_is_part_of_the_record_bytes(
        a in proptest::prelude::any::<[u8; 16]>(),
        b in proptest::prelude::any::<[u8; 16]>(),
        next: u64,
    ) {
        let (a, b) = (EnrolmentId::from_bytes(a), EnrolmentId::from_bytes(b));
        let ra = StateRecord::counter(next).with_enrolment(a);
        let rb = StateRecord::counter(next).with_enrolment(b);
        proptest::prop_assert_eq!(StateRecord::from_bytes(&ra.to_bytes()), Ok(ra));
        proptest::prop_assert_eq!(ra.to_bytes() == rb.to_bytes(), a == b);
    }
}
