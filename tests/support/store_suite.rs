//! The behaviour every `otpkit::store::Store` must have, as functions generic over the store,
//! so that each store's test file runs the same suite (`tests/store.rs` for the in-memory
//! store; the database stores run it against a real server).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::sync::Barrier;
use std::thread;

use otpkit::store::{KeyStore, KeyWrite, RecordBytes, Store, Verifier, VerifyError};
use otpkit::{
    Enrolled, EnrolmentId, Error, Hotp, HotpParams, Policy, StateError, StateRecord, ThrottlePolicy,
};

/// Enrol, load, compare-and-swap and delete keep one record per id.
pub fn crud<S: Store>(store: &S, id: &str)
where
    S::Error: core::fmt::Debug,
{
    let a = StateRecord::counter(0).to_bytes();
    let b = StateRecord::counter(1).to_bytes();
    let c = StateRecord::counter(2).to_bytes();
    assert_eq!(store.load(id).unwrap(), None, "unknown id loads as None");
    assert!(
        !store.compare_and_swap(id, &a, &b).unwrap(),
        "no row: no swap"
    );
    assert!(store.enrol(id, &a).unwrap());
    assert!(
        !store.enrol(id, &b).unwrap(),
        "a second enrolment is refused"
    );
    assert_eq!(store.load(id).unwrap(), Some(a), "and changes nothing");
    assert!(store.compare_and_swap(id, &a, &b).unwrap());
    assert!(
        !store.compare_and_swap(id, &a, &c).unwrap(),
        "stale old: no swap"
    );
    assert_eq!(store.load(id).unwrap(), Some(b));
    assert!(
        store.compare_and_swap(id, &b, &b).unwrap(),
        "same bytes: a swap"
    );
    let other = format!("{id}-other");
    assert!(store.enrol(&other, &c).unwrap());
    assert!(store.delete(id).unwrap());
    assert!(!store.delete(id).unwrap());
    assert_eq!(store.load(id).unwrap(), None);
    assert_eq!(store.load(&other).unwrap(), Some(c), "other rows untouched");
    assert!(store.delete(&other).unwrap());
}

/// The enrolment the verifier tests enrol their token under.
const ENROLMENT: EnrolmentId = EnrolmentId::from_bytes([0x5e; 16]);

fn hotp() -> Hotp {
    Hotp::new(b"12345678901234567890", HotpParams::default()).unwrap()
}

/// `threads` verifiers submit the same valid code at once, `rounds` times: exactly one
/// acceptance per round, the others see a replay.
pub fn exactly_once<S: Store + Sync>(store: &S, id: &str, threads: usize, rounds: u64)
where
    S::Error: core::fmt::Debug + Send,
{
    let hotp = Enrolled::new(hotp(), ENROLMENT);
    let verifier = Verifier::new(store, Policy::default());
    let first = StateRecord::counter(0).with_enrolment(ENROLMENT);
    assert!(verifier.enrol(id, &first).unwrap());
    let barrier = Barrier::new(threads);
    let accepted: Vec<u64> = thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = 0;
                    for round in 0..rounds {
                        let code = hotp.generate(round);
                        barrier.wait();
                        match verifier.verify_hotp(id, &hotp, 0, code) {
                            Ok(a) => {
                                assert_eq!(a.matched, round);
                                mine += 1;
                            }
                            Err(VerifyError::Rejected(Error::Replay)) => {}
                            Err(e) => panic!("round {round}: {e:?}"),
                        }
                        barrier.wait();
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        accepted.iter().sum::<u64>(),
        rounds,
        "one acceptance per round"
    );
    let stored = StateRecord::from_bytes(&store.load(id).unwrap().unwrap()).unwrap();
    assert_eq!(stored.next_counter(), rounds);
    assert!(verifier.delete(id).unwrap());
}

/// Wrong codes from many threads at once: every failure is counted, and the lock engages
/// after exactly the policy's number of failures.
pub fn failures_counted_exactly<S: Store + Sync>(store: &S, id: &str, threads: usize)
where
    S::Error: core::fmt::Debug + Send,
{
    const LOCK_AFTER: u32 = 40;
    let hotp = Enrolled::new(hotp(), ENROLMENT);
    let policy = Policy {
        throttle: ThrottlePolicy::lockout(LOCK_AFTER),
        ..Policy::default()
    };
    let verifier = Verifier::new(store, policy).with_max_attempts(1000);
    let first = StateRecord::counter(0).with_enrolment(ENROLMENT);
    assert!(verifier.enrol(id, &first).unwrap());
    // Not the code of counters 0..=5 (the look-ahead).
    let wrong = (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|w| (0..=6).all(|c| hotp.generate(c).as_str() != w.as_str()))
        .unwrap();
    let per_thread = 2 * LOCK_AFTER as usize / threads + 1;
    let (mismatches, locked) = thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let (mut mismatch, mut locked) = (0u32, 0u32);
                    for _ in 0..per_thread {
                        match verifier.verify_hotp(id, &hotp, 100, &wrong) {
                            Err(VerifyError::Rejected(Error::Mismatch)) => mismatch += 1,
                            Err(VerifyError::Rejected(Error::State(StateError::LockedOut))) => {
                                locked += 1
                            }
                            other => panic!("{other:?}"),
                        }
                    }
                    (mismatch, locked)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold((0, 0), |(m, l), (a, b)| (m + a, l + b))
    });
    let stored = StateRecord::from_bytes(&store.load(id).unwrap().unwrap()).unwrap();
    assert_eq!(
        mismatches, LOCK_AFTER,
        "exactly the policy's failures were evaluated"
    );
    assert_eq!(
        stored.throttle().failures(),
        LOCK_AFTER,
        "and all of them are stored"
    );
    assert_eq!(
        mismatches + locked,
        (threads * per_thread) as u32,
        "every other attempt was refused as locked"
    );
    // Locked now even for the right code.
    assert!(matches!(
        verifier.verify_hotp(id, &hotp, 100, hotp.generate(0)),
        Err(VerifyError::Rejected(Error::State(StateError::LockedOut)))
    ));
    verifier.unlock(id).unwrap();
    assert_eq!(
        verifier
            .verify_hotp(id, &hotp, 100, hotp.generate(0))
            .unwrap()
            .matched,
        0
    );
    assert!(verifier.delete(id).unwrap());
}

/// A damaged record and an unknown id are typed errors, and nothing is written for them.
pub fn corrupt_and_unknown<S: Store>(store: &S, id: &str)
where
    S::Error: core::fmt::Debug,
{
    let hotp = hotp();
    let verifier = Verifier::new(store, Policy::default());
    assert!(matches!(
        verifier.verify_hotp(id, &hotp, 0, "755224"),
        Err(VerifyError::UnknownToken)
    ));
    let mut bytes: RecordBytes = StateRecord::counter(0).to_bytes();
    bytes[5] ^= 1;
    assert!(store.enrol(id, &bytes).unwrap());
    assert!(matches!(
        verifier.verify_hotp(id, &hotp, 0, "755224"),
        Err(VerifyError::Corrupt(Error::State(StateError::Checksum)))
    ));
    assert_eq!(store.load(id).unwrap(), Some(bytes));
    assert!(store.delete(id).unwrap());
}

/// Sealed keys live in the token's row beside the record: the compare-and-swap neither
/// compares nor writes them, re-sealing leaves the record alone, and deleting the token
/// deletes its key.
pub fn sealed_keys<S: Store + KeyStore>(store: &S, id: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    let other = format!("{id}-keyless");
    assert_eq!(
        store.put_sealed_key(id, b"ciphertext", 1).unwrap(),
        KeyWrite::UnknownToken,
        "no token yet: no key stored"
    );
    assert_eq!(store.sealed_key(id).unwrap(), None);
    let first = StateRecord::counter(0).to_bytes();
    assert!(store.enrol(id, &first).unwrap());
    assert!(store.enrol(&other, &first).unwrap());
    assert_eq!(
        store.sealed_key(id).unwrap(),
        None,
        "enrolled without a key"
    );
    assert_eq!(
        store.put_sealed_key(id, b"ciphertext", 1).unwrap(),
        KeyWrite::Stored
    );
    let next = StateRecord::counter(1).to_bytes();
    assert!(
        store.compare_and_swap(id, &first, &next).unwrap(),
        "the key is not part of what the swap compares"
    );
    assert_eq!(
        store.sealed_key(id).unwrap().as_deref(),
        Some(&b"ciphertext"[..]),
        "and the swap leaves it"
    );
    assert!(
        store
            .compare_and_swap_sealed_key(id, b"ciphertext", b"resealed")
            .unwrap()
    );
    assert_eq!(
        store.load(id).unwrap(),
        Some(next),
        "re-sealing leaves the record"
    );
    assert_eq!(
        store.sealed_key(id).unwrap().as_deref(),
        Some(&b"resealed"[..])
    );
    let ids = store.ids_with_keys(None, usize::MAX).unwrap();
    assert!(ids.iter().any(|k| k == id), "{ids:?}");
    assert!(!ids.contains(&other), "{ids:?}");
    assert!(store.delete(id).unwrap());
    assert_eq!(
        store.sealed_key(id).unwrap(),
        None,
        "deleted with its token"
    );
    assert!(
        !store
            .ids_with_keys(None, usize::MAX)
            .unwrap()
            .iter()
            .any(|k| k == id)
    );
    assert!(store.delete(&other).unwrap());
}

/// The sealed key's compare-and-swap replaces only the key it was given, never a key written
/// since, nor a deleted token's.
pub fn sealed_key_swap<S: Store + KeyStore>(store: &S, id: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    assert!(
        !store.compare_and_swap_sealed_key(id, b"a", b"b").unwrap(),
        "no token: no swap"
    );
    assert!(
        store
            .enrol(id, &StateRecord::counter(0).to_bytes())
            .unwrap()
    );
    assert!(
        !store.compare_and_swap_sealed_key(id, b"a", b"b").unwrap(),
        "no key: no swap"
    );
    assert_eq!(store.sealed_key(id).unwrap(), None);
    assert_eq!(store.put_sealed_key(id, b"a", 7).unwrap(), KeyWrite::Stored);
    assert!(store.compare_and_swap_sealed_key(id, b"a", b"b").unwrap());
    assert!(
        !store.compare_and_swap_sealed_key(id, b"a", b"c").unwrap(),
        "stale old: no swap"
    );
    assert!(
        !store.compare_and_swap_sealed_key(id, b"ab", b"c").unwrap(),
        "a longer old: no swap"
    );
    assert_eq!(store.sealed_key(id).unwrap().as_deref(), Some(&b"b"[..]));
    assert!(store.delete(id).unwrap());
    assert!(
        !store.compare_and_swap_sealed_key(id, b"b", b"c").unwrap(),
        "deleted: no swap"
    );
    assert_eq!(store.sealed_key(id).unwrap(), None);
}

/// Pages of ids: every id with a key exactly once, in ascending order, whatever the page
/// size; tokens without a key left out. `prefix` names this test's ids.
pub fn ids_in_pages<S: Store + KeyStore>(store: &S, prefix: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    let mut ids: Vec<String> = (0..11).map(|i| format!("{prefix}-{i:02}")).collect();
    let record = StateRecord::counter(0).to_bytes();
    for (i, id) in ids.iter().enumerate() {
        assert!(store.enrol(id, &record).unwrap());
        if i % 5 != 4 {
            assert_eq!(store.put_sealed_key(id, b"k", 1).unwrap(), KeyWrite::Stored);
        }
    }
    ids.retain(|id| !id.ends_with('4') && !id.ends_with('9'));
    for page_size in [1, 2, 3, 4, 100] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = store.ids_with_keys(after.as_deref(), page_size).unwrap();
            assert!(page.len() <= page_size, "{page:?}");
            let Some(last) = page.last() else {
                break;
            };
            after = Some(last.clone());
            seen.extend(page.iter().filter(|id| id.starts_with(prefix)).cloned());
            pages += 1;
            assert!(pages <= 1000, "paging does not end");
        }
        assert_eq!(seen, ids, "page size {page_size}");
    }
    assert_eq!(
        store
            .ids_with_keys(Some(&ids[ids.len() - 1]), 10)
            .unwrap()
            .iter()
            .filter(|id| id.starts_with(prefix))
            .count(),
        0,
        "nothing after the last"
    );
    assert_eq!(store.ids_with_keys(None, 0).unwrap(), Vec::<String>::new());
    for i in 0..11 {
        assert!(store.delete(&format!("{prefix}-{i:02}")).unwrap());
    }
}

/// The current master-key id: none at first (any key is stored), then replaced only from the
/// id given, and keys sealed under any other id refused, as a typed outcome that stores
/// nothing. Needs a store of its own (the id is one per store).
pub fn current_master_key<S: Store + KeyStore>(store: &S, id: &str)
where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
{
    assert_eq!(store.current_master_key().unwrap(), None);
    assert!(
        store
            .enrol(id, &StateRecord::counter(0).to_bytes())
            .unwrap()
    );
    assert_eq!(
        store.put_sealed_key(id, b"one", 1).unwrap(),
        KeyWrite::Stored
    );
    assert!(
        !store.replace_current_master_key(Some(1), 2).unwrap(),
        "none is set yet"
    );
    assert!(store.replace_current_master_key(None, 1).unwrap());
    assert_eq!(store.current_master_key().unwrap(), Some(1));
    assert!(
        !store.replace_current_master_key(None, 2).unwrap(),
        "one is set"
    );
    assert!(
        !store.replace_current_master_key(Some(3), 2).unwrap(),
        "not the current one"
    );
    assert_eq!(store.current_master_key().unwrap(), Some(1));
    assert_eq!(
        store.put_sealed_key(id, b"one again", 1).unwrap(),
        KeyWrite::Stored
    );
    assert_eq!(
        store.put_sealed_key(id, b"two", 2).unwrap(),
        KeyWrite::RetiredMasterKey { current: 1 },
        "not yet current"
    );
    assert!(store.replace_current_master_key(Some(1), u32::MAX).unwrap());
    assert_eq!(store.current_master_key().unwrap(), Some(u32::MAX));
    assert_eq!(
        store.put_sealed_key(id, b"retired", 1).unwrap(),
        KeyWrite::RetiredMasterKey { current: u32::MAX }
    );
    assert_eq!(
        store.sealed_key(id).unwrap().as_deref(),
        Some(&b"one again"[..]),
        "a refused key is not stored"
    );
    assert_eq!(
        store
            .put_sealed_key("no-such-token", b"x", u32::MAX)
            .unwrap(),
        KeyWrite::UnknownToken
    );
    assert_eq!(
        store.put_sealed_key(id, b"current", u32::MAX).unwrap(),
        KeyWrite::Stored
    );
    assert!(store.replace_current_master_key(Some(u32::MAX), 0).unwrap());
    assert_eq!(store.current_master_key().unwrap(), Some(0));
    assert!(store.delete(id).unwrap());
}

/// A store holding `id` with a record other than 34 bytes (written around the store) reports
/// it as the store's error, not as a record or an unknown token. `write_bad` writes it.
pub fn bad_length_is_an_error<S: Store>(store: &S, id: &str, write_bad: impl FnOnce())
where
    S::Error: core::fmt::Debug,
{
    write_bad();
    let verifier = Verifier::new(store, Policy::default());
    assert!(matches!(
        verifier.verify_hotp(id, &hotp(), 0, "755224"),
        Err(VerifyError::Store(_))
    ));
    assert!(store.delete(id).unwrap());
}

/// `StateRecord::counter(0)` as releases before format version 2 wrote it (34 bytes).
pub const V1_COUNTER_0: [u8; 34] = [
    1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x5f,
    0x63, 0x04, 0x99,
];

/// A record of format version 1 (an earlier release's row) still verifies, and the commit
/// writes it back as version 2, of the legacy enrolment.
pub fn v1_record_is_written_back_as_v2<S: Store>(store: &S, id: &str)
where
    S::Error: core::fmt::Debug,
{
    let v1 = RecordBytes::try_from(&V1_COUNTER_0[..]).unwrap();
    assert!(store.enrol(id, &v1).unwrap());
    assert_eq!(store.load(id).unwrap(), Some(v1), "kept as written");
    let verifier = Verifier::new(store, Policy::default());
    assert_eq!(
        verifier
            .verify_hotp(id, &hotp(), 0, "755224")
            .unwrap()
            .matched,
        0
    );
    let stored = store.load(id).unwrap().unwrap();
    assert_eq!((stored.len(), stored[0]), (StateRecord::ENCODED_LEN, 2));
    let record = StateRecord::from_bytes(&stored).unwrap();
    assert_eq!(record.next_counter(), 1);
    assert_eq!(record.enrolment(), otpkit::EnrolmentId::LEGACY);
    assert!(store.delete(id).unwrap());
}

/// Enrolment writes the first record and the sealed key at once, or nothing when the id is
/// taken; re-enrolment replaces both at once (and a record without a key clears the old key),
/// after which a compare-and-swap from the old enrolment's record fails.
pub fn atomic_enrolment<S>(store: &S, id: &str)
where
    S: Store + otpkit::store::EnrolStore + otpkit::store::KeyStore,
    <S as Store>::Error: core::fmt::Debug,
    <S as otpkit::store::EnrolStore>::Error: core::fmt::Debug,
    <S as otpkit::store::KeyStore>::Error: core::fmt::Debug,
{
    let record = |n: u8| {
        StateRecord::time_step()
            .with_enrolment(EnrolmentId::from_bytes([n; 16]))
            .to_bytes()
    };
    let keyless = format!("{id}-keyless");
    let (r1, r2, r3) = (record(1), record(2), record(3));
    // A record without an enrolment id would leave the token unbound: refused, nothing written.
    for plain in [StateRecord::time_step(), StateRecord::counter(0)] {
        let plain = plain.to_bytes();
        let unbound = store.enrol_with_key(id, &plain, Some(b"key 0")).unwrap();
        assert_eq!(unbound, KeyWrite::Unbound);
        assert_eq!(store.reenrol(id, &plain, None).unwrap(), KeyWrite::Unbound);
        assert_eq!(store.load(id).unwrap(), None);
        assert_eq!(store.sealed_key(id).unwrap(), None);
    }
    assert_eq!(
        store.enrol_with_key(id, &r1, Some(b"key 1")).unwrap(),
        KeyWrite::Stored
    );
    assert_eq!(store.load(id).unwrap(), Some(r1));
    assert_eq!(
        store.sealed_key(id).unwrap().as_deref(),
        Some(&b"key 1"[..])
    );
    assert_eq!(
        store.enrol_with_key(id, &r2, Some(b"key 2")).unwrap(),
        KeyWrite::AlreadyEnrolled,
        "taken: nothing written"
    );
    assert_eq!(store.load(id).unwrap(), Some(r1));
    assert_eq!(
        store.sealed_key(id).unwrap().as_deref(),
        Some(&b"key 1"[..])
    );
    assert!(!store.enrol(id, &r2).unwrap());

    // A verification that loaded the first enrolment's record, committing after the
    // re-enrolment, loses its compare-and-swap.
    let spent = StateRecord::from_bytes(&r1).unwrap().unlock().to_bytes();
    store.reenrol(id, &r2, Some(b"key 2")).unwrap();
    assert!(!store.compare_and_swap(id, &r1, &spent).unwrap());
    assert_eq!(store.load(id).unwrap(), Some(r2));
    assert_eq!(
        store.sealed_key(id).unwrap().as_deref(),
        Some(&b"key 2"[..])
    );

    let plain = StateRecord::time_step().to_bytes();
    let unbound = store.reenrol(id, &plain, None).unwrap();
    assert_eq!(unbound, KeyWrite::Unbound, "an enrolled id too");
    assert_eq!(store.load(id).unwrap(), Some(r2));
    store.reenrol(id, &r3, None).unwrap();
    assert_eq!(store.load(id).unwrap(), Some(r3));
    assert_eq!(
        store.sealed_key(id).unwrap(),
        None,
        "no old key beside the new record"
    );

    store.reenrol(&keyless, &r1, None).unwrap();
    assert_eq!(
        store.load(&keyless).unwrap(),
        Some(r1),
        "re-enrolment of a new id enrols it"
    );
    assert_eq!(store.sealed_key(&keyless).unwrap(), None);
    assert!(store.delete(id).unwrap());
    assert!(store.delete(&keyless).unwrap());
    assert_eq!(store.sealed_key(id).unwrap(), None);
}

/// A sealed key in this crate's format, as far as a store can tell: the version byte, then
/// the id of the master key that sealed it.
fn sealed_under(master_key: u32, body: &[u8]) -> Vec<u8> {
    let mut sealed = vec![2];
    sealed.extend_from_slice(&master_key.to_be_bytes());
    sealed.extend_from_slice(body);
    sealed
}

/// Enrolment and re-enrolment check the key's master key against the current one in the
/// same atomic write: a server on a retired master key enrols nothing, record included, and
/// is told so. Needs a store of its own (the current master key is one per store).
pub fn enrolment_under_a_retired_master_key<S: Store + KeyStore + otpkit::store::EnrolStore>(
    store: &S,
    id: &str,
) where
    <S as Store>::Error: core::fmt::Debug,
    <S as KeyStore>::Error: core::fmt::Debug,
    <S as otpkit::store::EnrolStore>::Error: core::fmt::Debug,
{
    let (retired, current) = (0x0102_0304, 0xa0b0_c0d0);
    let now = store.current_master_key().unwrap();
    assert!(store.replace_current_master_key(now, current).unwrap());
    let bound = |n: u8| EnrolmentId::from_bytes([n; 16]);
    let record = StateRecord::counter(0).with_enrolment(bound(1)).to_bytes();
    assert_eq!(
        store
            .enrol_with_key(id, &record, Some(&sealed_under(retired, b"old")))
            .unwrap(),
        KeyWrite::RetiredMasterKey { current },
    );
    assert_eq!(store.load(id).unwrap(), None, "no record without its key");
    assert_eq!(
        store
            .reenrol(id, &record, Some(&sealed_under(retired, b"old")))
            .unwrap(),
        KeyWrite::RetiredMasterKey { current },
    );
    assert_eq!(store.load(id).unwrap(), None);
    let key = sealed_under(current, b"new");
    assert_eq!(
        store.enrol_with_key(id, &record, Some(&key)).unwrap(),
        KeyWrite::Stored
    );
    assert_eq!(
        store
            .enrol_with_key(id, &record, Some(&sealed_under(retired, b"old")))
            .unwrap(),
        KeyWrite::RetiredMasterKey { current },
        "retired, whether or not the id is taken"
    );
    assert_eq!(
        store.enrol_with_key(id, &record, Some(&key)).unwrap(),
        KeyWrite::AlreadyEnrolled
    );
    let next = StateRecord::counter(7).with_enrolment(bound(2)).to_bytes();
    assert_eq!(
        store
            .reenrol(id, &next, Some(&sealed_under(retired, b"old")))
            .unwrap(),
        KeyWrite::RetiredMasterKey { current },
    );
    assert_eq!(
        store.load(id).unwrap(),
        Some(record),
        "the record is left as it was"
    );
    assert_eq!(store.sealed_key(id).unwrap(), Some(key), "and its key");
    assert_eq!(
        store
            .reenrol(id, &next, Some(&sealed_under(current, b"newer")))
            .unwrap(),
        KeyWrite::Stored
    );
    assert_eq!(store.load(id).unwrap(), Some(next));
    // Without a key, or with one in another format, nothing to check.
    assert_eq!(store.reenrol(id, &record, None).unwrap(), KeyWrite::Stored);
    assert_eq!(
        store
            .reenrol(id, &record, Some(b"caller's own format"))
            .unwrap(),
        KeyWrite::Stored
    );
    assert!(store.delete(id).unwrap());
}
