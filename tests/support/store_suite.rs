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
use otpkit::{Error, Hotp, HotpParams, Policy, StateError, StateRecord, ThrottlePolicy};

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

fn hotp() -> Hotp {
    Hotp::new(b"12345678901234567890", HotpParams::default()).unwrap()
}

/// `threads` verifiers submit the same valid code at once, `rounds` times: exactly one
/// acceptance per round, the others see a replay.
pub fn exactly_once<S: Store + Sync>(store: &S, id: &str, threads: usize, rounds: u64)
where
    S::Error: core::fmt::Debug + Send,
{
    let hotp = hotp();
    let verifier = Verifier::new(store, Policy::default());
    assert!(verifier.enrol(id, &StateRecord::counter(0)).unwrap());
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
    let hotp = hotp();
    let policy = Policy {
        throttle: ThrottlePolicy::lockout(LOCK_AFTER),
        ..Policy::default()
    };
    let verifier = Verifier::new(store, policy).with_max_attempts(1000);
    assert!(verifier.enrol(id, &StateRecord::counter(0)).unwrap());
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
