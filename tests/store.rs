//! `store::Verifier` and `store::AsyncVerifier` over the in-memory store: the shared store
//! suite (one record per token, compare-and-swap, exactly once under threads, exact failure
//! counts, typed errors), plus what only a test store can show: lost races, store failures
//! and contention.

#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/store_suite.rs"]
mod store_suite;

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::sync::Mutex;

use otpkit::store::{AsyncVerifier, MemoryStore, RecordBytes, Store, Verifier, VerifyError};
use otpkit::{
    Enrolled, EnrolmentId, Error, Hotp, HotpParams, Policy, StateRecord, Totp, TotpParams,
};

#[test]
fn memory_store_crud() {
    store_suite::crud(&MemoryStore::new(), "alice");
}

#[test]
fn memory_store_exactly_once_under_threads() {
    store_suite::exactly_once(&MemoryStore::new(), "alice", 8, 300);
}

#[test]
fn memory_store_failures_counted_exactly() {
    store_suite::failures_counted_exactly(&MemoryStore::new(), "alice", 8);
}

#[test]
fn memory_store_corrupt_and_unknown() {
    store_suite::corrupt_and_unknown(&MemoryStore::new(), "alice");
}

#[test]
fn memory_store_sealed_keys() {
    store_suite::sealed_keys(&MemoryStore::new(), "alice");
}

#[test]
fn memory_store_sealed_key_swap() {
    store_suite::sealed_key_swap(&MemoryStore::new(), "alice");
}

#[test]
fn memory_store_ids_in_pages() {
    store_suite::ids_in_pages(&MemoryStore::new(), "user");
}

#[test]
fn memory_store_current_master_key() {
    store_suite::current_master_key(&MemoryStore::new(), "alice");
}

#[test]
fn memory_store_enrolment_under_a_retired_master_key() {
    store_suite::enrolment_under_a_retired_master_key(&MemoryStore::new(), "alice");
}

#[test]
fn memory_store_atomic_enrolment() {
    store_suite::atomic_enrolment(&MemoryStore::new(), "alice");
}

#[test]
fn memory_store_v1_record_is_written_back_as_v2() {
    store_suite::v1_record_is_written_back_as_v2(&MemoryStore::new(), "alice");
}

/// A store that runs a hook before each compare-and-swap (to let another writer in), and can
/// be told to fail.
struct Hooked<'a> {
    inner: MemoryStore,
    before_swap: Box<dyn Fn(&MemoryStore) + Sync + 'a>,
    fail: Mutex<Option<&'static str>>,
}

impl Store for Hooked<'_> {
    type Error = &'static str;

    fn enrol(&self, id: &str, record: &RecordBytes) -> Result<bool, Self::Error> {
        Ok(self.inner.enrol(id, record).unwrap_or(false))
    }

    fn delete(&self, id: &str) -> Result<bool, Self::Error> {
        Ok(Store::delete(&self.inner, id).unwrap_or(false))
    }

    fn load(&self, id: &str) -> Result<Option<RecordBytes>, Self::Error> {
        if let Some(e) = *self.fail.lock().unwrap() {
            return Err(e);
        }
        Ok(Store::load(&self.inner, id).unwrap_or(None))
    }

    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> Result<bool, Self::Error> {
        (self.before_swap)(&self.inner);
        Ok(Store::compare_and_swap(&self.inner, id, old, new).unwrap_or(false))
    }
}

/// The enrolment the verifier tests enrol their tokens under.
const E: EnrolmentId = EnrolmentId::from_bytes([0xe1; 16]);

fn hotp() -> Enrolled<Hotp> {
    Enrolled::new(
        Hotp::new(b"12345678901234567890", HotpParams::default()).unwrap(),
        E,
    )
}

fn totp() -> Enrolled<Totp> {
    Enrolled::new(
        Totp::new(b"12345678901234567890", TotpParams::default()).unwrap(),
        E,
    )
}

#[test]
fn a_lost_race_is_retried_and_the_winner_decides() {
    let hotp = hotp();
    // Another verifier spends counter 0's code between our load and our swap, once.
    let store = Hooked {
        inner: MemoryStore::new(),
        before_swap: Box::new(|inner: &MemoryStore| {
            let stored = Store::load(inner, "t").unwrap().unwrap();
            let record = StateRecord::from_bytes(&stored).unwrap();
            if record.next_counter() == 0 {
                let spent = StateRecord::counter(1).with_enrolment(E).to_bytes();
                assert!(Store::compare_and_swap(inner, "t", &stored, &spent).unwrap());
            }
        }),
        fail: Mutex::new(None),
    };
    let verifier = Verifier::new(&store, Policy::default());
    assert!(
        verifier
            .enrol("t", &StateRecord::counter(0).with_enrolment(E))
            .unwrap()
    );
    // Our attempt with counter 0's code loses the race, reloads, and sees a replay.
    assert_eq!(
        verifier.verify_hotp("t", &hotp, 0, hotp.generate(0)),
        Err(VerifyError::Rejected(Error::Replay))
    );
    assert_eq!(
        StateRecord::from_bytes(&Store::load(&store.inner, "t").unwrap().unwrap())
            .unwrap()
            .next_counter(),
        1
    );
}

#[test]
fn contention_is_bounded_and_reported() {
    let hotp = hotp();
    // Every swap is preceded by another writer's change: no attempt can ever commit.
    let store = Hooked {
        inner: MemoryStore::new(),
        before_swap: Box::new(|inner: &MemoryStore| {
            let stored = Store::load(inner, "t").unwrap().unwrap();
            let mut record = StateRecord::from_bytes(&stored).unwrap();
            record = record.unlock();
            let bumped = StateRecord::counter(record.next_counter() + 1).with_enrolment(E);
            let bumped = bumped.to_bytes();
            assert!(Store::compare_and_swap(inner, "t", &stored, &bumped).unwrap());
        }),
        fail: Mutex::new(None),
    };
    let verifier = Verifier::new(&store, Policy::default()).with_max_attempts(3);
    assert!(
        verifier
            .enrol("t", &StateRecord::counter(0).with_enrolment(E))
            .unwrap()
    );
    assert_eq!(
        verifier.verify_hotp("t", &hotp, 0, "000000"),
        Err(VerifyError::Contention { attempts: 3 })
    );
    // The three lost rounds each saw another writer move the counter.
    let stored = StateRecord::from_bytes(&Store::load(&store.inner, "t").unwrap().unwrap());
    assert_eq!(stored.unwrap().next_counter(), 3);
    assert_eq!(
        Verifier::new(&store, Policy::default())
            .with_max_attempts(0)
            .max_attempts(),
        1
    );
}

#[test]
fn a_store_failure_is_no_acceptance() {
    let hotp = hotp();
    let store = Hooked {
        inner: MemoryStore::new(),
        before_swap: Box::new(|_: &MemoryStore| {}),
        fail: Mutex::new(None),
    };
    let verifier = Verifier::new(&store, Policy::default());
    assert!(
        verifier
            .enrol("t", &StateRecord::counter(0).with_enrolment(E))
            .unwrap()
    );
    *store.fail.lock().unwrap() = Some("connection lost");
    assert_eq!(
        verifier.verify_hotp("t", &hotp, 0, hotp.generate(0)),
        Err(VerifyError::Store("connection lost"))
    );
    *store.fail.lock().unwrap() = None;
    assert_eq!(
        verifier
            .verify_hotp("t", &hotp, 0, hotp.generate(0))
            .unwrap()
            .matched,
        0
    );
}

#[test]
fn nothing_is_written_for_refusals_that_change_nothing() {
    let totp = totp();
    let writes = Mutex::new(0u32);
    let store = Hooked {
        inner: MemoryStore::new(),
        before_swap: Box::new(|_: &MemoryStore| *writes.lock().unwrap() += 1),
        fail: Mutex::new(None),
    };
    let verifier = Verifier::new(&store, Policy::default());
    assert!(
        verifier
            .enrol("t", &StateRecord::time_step().with_enrolment(E))
            .unwrap()
    );
    let now = 1_700_000_000;
    let code = totp.generate_at(now).unwrap();
    verifier.verify_totp("t", &totp, now, code).unwrap();
    assert_eq!(*writes.lock().unwrap(), 1);
    // Replay and malformed input: refused without a write.
    assert!(verifier.verify_totp("t", &totp, now, code).is_err());
    assert!(matches!(
        verifier.verify_totp("t", &totp, now, "12x"),
        Err(VerifyError::Rejected(Error::InvalidCode(_)))
    ));
    assert_eq!(*writes.lock().unwrap(), 1);
}

/// Polls a future that never waits (the in-memory store's futures are ready at once).
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the in-memory store never waits"),
    }
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[test]
fn async_verifier_is_the_same_loop() {
    let hotp = hotp();
    let totp = totp();
    let verifier = AsyncVerifier::new(MemoryStore::new(), Policy::default());
    assert!(ready(verifier.enrol("h", &StateRecord::counter(0).with_enrolment(E))).unwrap());
    assert!(ready(verifier.enrol("t", &StateRecord::time_step().with_enrolment(E))).unwrap());
    // The futures are Send: a multi-threaded executor can run them.
    let code = hotp.generate(2);
    let fut = assert_send(verifier.verify_hotp("h", &hotp, 0, &code));
    assert_eq!(ready(fut).unwrap().matched, 2);
    assert_eq!(
        ready(verifier.verify_hotp("h", &hotp, 0, &code)),
        Err(VerifyError::Rejected(Error::Replay))
    );
    let now = 1_700_000_000;
    let code = totp.generate_at(now).unwrap();
    assert!(ready(verifier.verify_totp("t", &totp, now, code.as_str())).is_ok());
    assert!(ready(verifier.verify_totp("t", &totp, now, code.as_str())).is_err());
    let codes = [hotp.generate(10), hotp.generate(11)];
    assert_eq!(
        ready(verifier.resync_hotp("h", &hotp, 0, &codes))
            .unwrap()
            .matched,
        11
    );
    ready(verifier.unlock("h")).unwrap();
    assert!(ready(verifier.delete("h")).unwrap());
    assert_eq!(
        ready(verifier.verify_hotp("h", &hotp, 0, &code)),
        Err(VerifyError::UnknownToken)
    );
    // Sync and async share the store's data.
    let sync = Verifier::new(verifier.store(), Policy::default());
    assert_eq!(
        sync.verify_totp("t", &totp, now, code),
        Err(VerifyError::Rejected(Error::Replay))
    );
}

#[test]
fn sealed_keys_live_beside_the_record_and_outside_its_swap() {
    use otpkit::store::{KeyStore, KeyWrite};
    let store = MemoryStore::new();
    assert_eq!(
        store.put_sealed_key("t", b"ciphertext", 1),
        Ok(KeyWrite::UnknownToken),
        "no token yet"
    );
    let first = StateRecord::counter(0).to_bytes();
    assert!(Store::enrol(&store, "t", &first).unwrap());
    assert_eq!(
        store.put_sealed_key("t", b"ciphertext", 1),
        Ok(KeyWrite::Stored)
    );
    let next = StateRecord::counter(1).to_bytes();
    assert!(Store::compare_and_swap(&store, "t", &first, &next).unwrap());
    assert_eq!(store.sealed_key("t"), Ok(Some(b"ciphertext".to_vec())));
    assert_eq!(
        store.compare_and_swap_sealed_key("t", b"ciphertext", b"resealed"),
        Ok(true)
    );
    assert_eq!(
        Store::load(&store, "t"),
        Ok(Some(next)),
        "re-sealing leaves the record"
    );
    assert_eq!(store.ids_with_keys(None, 10), Ok(vec!["t".to_owned()]));
    assert!(Store::delete(&store, "t").unwrap());
    assert_eq!(store.sealed_key("t"), Ok(None), "deleted with its token");
}
