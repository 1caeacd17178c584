//! Server-side verification through a stored `StateRecord`: throttling (RFC 4226 §7.3),
//! replay (RFC 6238 §5.2, RFC 4226 §7.2), drift (RFC 6238 §6), and damaged records.
//!
//! Every test that crosses a "request" boundary stores the record as bytes and reads it back,
//! as a server would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

#[cfg(any(feature = "sha256", feature = "sha512"))]
#[path = "support/in_memory.rs"]
mod in_memory;
use in_memory::CommitInMemory;

use otpkit::ocra::{DataInput, Ocra, OcraSuite};
use otpkit::{
    Error, Hotp, HotpParams, Lock, Policy, RecordBytes, RecordKind, StateError, StateRecord,
    ThrottlePolicy, ThrottleState, Totp, TotpParams, Window,
};

const KEY: &[u8] = b"12345678901234567890";
const NOW: u64 = 1_700_000_000;

fn totp() -> Totp {
    Totp::new(KEY, TotpParams::default()).unwrap()
}

fn hotp() -> Hotp {
    Hotp::new(KEY, HotpParams::default()).unwrap()
}

/// A 6-digit code that is not `right` (nor any of `others`).
fn wrong(right: &str, others: &[&str]) -> String {
    (0..10u32)
        .map(|d| format!("{d}{d}{d}{d}{d}{d}"))
        .find(|c| c != right && !others.contains(&c.as_str()))
        .unwrap()
}

/// Store and reload, as across requests or restarts.
fn reload(r: &StateRecord) -> StateRecord {
    StateRecord::from_bytes(&r.to_bytes()).unwrap()
}

fn throttled(until: u64) -> Result<otpkit::Accepted, Error> {
    Err(Error::State(StateError::Throttled { until }))
}

// ---------------------------------------------------------------------------------------------
// Throttling (RFC 4226 §7.3)
// ---------------------------------------------------------------------------------------------

#[test]
fn throttling_delay_after_n_failures_doubles_to_cap() {
    let totp = totp();
    let policy = Policy {
        throttle: ThrottlePolicy::delay(3, 30, 100),
        ..Policy::default()
    };
    let bad = wrong(totp.generate_at(NOW).unwrap().as_str(), &[]);
    let mut r = StateRecord::time_step();
    let mut t = NOW;
    // Failures 1 and 2: counted, no delay.
    for n in 1..=2 {
        let v = reload(&r).verify_totp(&totp, &policy, t, &bad);
        assert_eq!(v.result(), Err(Error::Mismatch));
        assert!(v.is_changed());
        r = *v.record();
        assert_eq!(r.throttle().failures(), n);
        assert_eq!(r.throttle().lock_at(t), None);
        t += 1;
    }
    // Failure 3 (T = 3) starts 30 s, then 60 s, then the cap of 100 s.
    for delay in [30, 60, 100, 100] {
        let v = reload(&r).verify_totp(&totp, &policy, t, &bad);
        assert_eq!(v.result(), Err(Error::Mismatch));
        r = *v.record();
        assert_eq!(r.throttle().lock_at(t), Some(Lock::Until(t + delay)));
        let v = reload(&r).verify_totp(&totp, &policy, t + delay - 1, &bad);
        assert_eq!(v.result(), throttled(t + delay));
        t += delay;
    }
    // Once the delay is over, a right code is accepted and resets the count.
    let good = totp.generate_at(t).unwrap();
    let v = reload(&r).verify_totp(&totp, &policy, t, good.as_str());
    assert!(v.is_accepted());
    assert_eq!(v.record().throttle(), ThrottleState::new());
}

#[test]
fn throttling_attempts_while_locked_do_not_extend_the_lock() {
    let hotp = hotp();
    let policy = Policy {
        throttle: ThrottlePolicy::delay(1, 60, 3600),
        ..Policy::default()
    };
    let bad = wrong(hotp.generate(0).as_str(), &[]);
    let v = StateRecord::counter(0).verify_hotp(&hotp, &policy, NOW, &bad);
    let locked = *v.record();
    assert_eq!(locked.throttle().lock_at(NOW), Some(Lock::Until(NOW + 60)));
    for t in NOW..NOW + 60 {
        let v = reload(&locked).verify_hotp(&hotp, &policy, t, &bad);
        assert_eq!(v.result(), throttled(NOW + 60));
        assert!(!v.is_changed());
        assert_eq!(*v.record(), locked);
    }
    // The standalone state ignores a failure reported during the lock.
    let s = locked.throttle();
    assert_eq!(s.after_failure(&policy.throttle, NOW + 10), s);
}

#[test]
fn throttling_correct_code_during_lockout_is_refused_without_evaluation() {
    let totp = totp();
    let policy = Policy {
        throttle: ThrottlePolicy::lockout(2),
        ..Policy::default()
    };
    let good = totp.generate_at(NOW).unwrap();
    let bad = wrong(good.as_str(), &[]);
    let mut r = StateRecord::time_step();
    for _ in 0..2 {
        r = *reload(&r).verify_totp(&totp, &policy, NOW, &bad).record();
    }
    let locked: Result<otpkit::Accepted, Error> = Err(Error::State(StateError::LockedOut));
    // The right code, a malformed code and a time before T0 all get the same answer: the
    // lock is decided from the stored state before the code (or the time) is looked at.
    for (t, code) in [
        (NOW, good.as_str()),
        (NOW, "not a code"),
        (NOW + 10 * 365 * 86_400, good.as_str()),
    ] {
        let v = reload(&r).verify_totp(&totp, &policy, t, code);
        assert_eq!(v.result(), locked);
        assert!(!v.is_changed());
    }
    let early = Totp::new(
        KEY,
        TotpParams {
            t0: NOW + 1,
            ..TotpParams::default()
        },
    )
    .unwrap();
    assert_eq!(
        reload(&r)
            .verify_totp(&early, &policy, NOW, "123456")
            .result(),
        locked
    );
    // An administrator's reset lets the right code in.
    let v = reload(&r)
        .unlock()
        .verify_totp(&totp, &policy, NOW, good.as_str());
    assert!(v.is_accepted());
}

#[test]
fn throttling_delay_survives_restart_through_bytes() {
    let policy = Policy {
        throttle: ThrottlePolicy::delay(2, 300, 3600),
        ..Policy::default()
    };
    let stored = {
        // "Process 1": two failures, then it exits.
        let hotp = hotp();
        let bad = wrong(hotp.generate(0).as_str(), &[hotp.generate(1).as_str()]);
        let mut r = StateRecord::counter(0);
        for _ in 0..2 {
            r = *r.verify_hotp(&hotp, &policy, NOW, &bad).record();
        }
        r.to_bytes().to_vec()
    };
    // "Process 2": a fresh verifier and the stored bytes only.
    let hotp = hotp();
    let r = StateRecord::from_bytes(&stored).unwrap();
    assert_eq!(r.throttle().failures(), 2);
    let v = r.verify_hotp(&hotp, &policy, NOW + 299, hotp.generate(0).as_str());
    assert_eq!(v.result(), throttled(NOW + 300));
    let v = r.verify_hotp(&hotp, &policy, NOW + 300, hotp.generate(0).as_str());
    assert_eq!(v.result().unwrap().matched, 0);
}

#[test]
fn throttling_replay_is_not_counted_as_a_failure() {
    let totp = totp();
    let policy = Policy {
        throttle: ThrottlePolicy::lockout(2),
        ..Policy::default()
    };
    let good = totp.generate_at(NOW).unwrap();
    let accepted = *StateRecord::time_step()
        .verify_totp(&totp, &policy, NOW, good.as_str())
        .record();
    let bad = wrong(
        good.as_str(),
        &[totp.generate_at(NOW - 30).unwrap().as_str()],
    );
    let one_failure = *reload(&accepted)
        .verify_totp(&totp, &policy, NOW, &bad)
        .record();
    assert_eq!(one_failure.throttle().failures(), 1);
    // Any number of replays leave the count (and the lock) alone...
    for _ in 0..10 {
        let v = reload(&one_failure).verify_totp(&totp, &policy, NOW + 5, good.as_str());
        assert_eq!(v.result(), Err(Error::Replay));
        assert!(!v.is_changed());
    }
    // ...and so does malformed input.
    let v = reload(&one_failure).verify_totp(&totp, &policy, NOW, "12345");
    assert!(matches!(v.result(), Err(Error::InvalidCode(_))));
    assert!(!v.is_changed());
    // The next fresh code is accepted and resets the count.
    let next = totp.generate_at(NOW + 30).unwrap();
    let v = reload(&one_failure).verify_totp(&totp, &policy, NOW + 30, next.as_str());
    assert!(v.is_accepted());
    assert_eq!(v.record().throttle().failures(), 0);
}

#[test]
fn throttling_failed_resync_counts_once() {
    let hotp = hotp();
    let policy = Policy {
        throttle: ThrottlePolicy::lockout(2),
        ..Policy::default()
    };
    let v = StateRecord::counter(0).resync_hotp(&hotp, &policy, NOW, &["000000", "000000"]);
    assert_eq!(v.result(), Err(Error::Mismatch));
    assert_eq!(v.record().throttle().failures(), 1);
    let (c7, c8) = (hotp.generate(70), hotp.generate(71));
    let v = v
        .record()
        .resync_hotp(&hotp, &policy, NOW, &[c7.as_str(), c8.as_str()]);
    assert_eq!(v.result().unwrap().matched, 71);
    assert_eq!(v.record().throttle().failures(), 0);
    assert_eq!(v.record().next_counter(), 72);
}

// ---------------------------------------------------------------------------------------------
// Replay through the stored record
// ---------------------------------------------------------------------------------------------

#[test]
fn replay_totp_through_stored_record() {
    let totp = totp();
    let policy = Policy::default();
    let step = totp.step_at(NOW).unwrap();
    let code = totp.generate_step(step);
    let v = StateRecord::time_step().verify_totp(&totp, &policy, NOW, code.as_str());
    assert_eq!(v.result().unwrap().matched, step);
    let stored = v.record().to_bytes();
    assert_eq!(v.record().last_accepted(), Some(step));
    // Same code, same step and the next step (still in the window): replay, nothing changes.
    for t in [NOW, NOW + 29, NOW + 30] {
        let r = StateRecord::from_bytes(&stored).unwrap();
        let v = r.verify_totp(&totp, &policy, t, code.as_str());
        assert_eq!(v.result(), Err(Error::Replay), "t = {t}");
        assert_eq!(v.record().to_bytes(), stored);
    }
    // An older step's code, still in the window, is a replay too (RFC 6238 §5.2).
    let older = totp.generate_step(step - 1);
    let v =
        StateRecord::from_bytes(&stored)
            .unwrap()
            .verify_totp(&totp, &policy, NOW, older.as_str());
    assert_eq!(v.result(), Err(Error::Replay));
    // The next step's code is fresh.
    let next = totp.generate_step(step + 1);
    let v = StateRecord::from_bytes(&stored).unwrap().verify_totp(
        &totp,
        &policy,
        NOW + 30,
        next.as_str(),
    );
    assert_eq!(v.result().unwrap().matched, step + 1);
}

#[test]
fn replay_hotp_through_stored_record() {
    let hotp = hotp();
    let policy = Policy::default();
    let mut r = StateRecord::counter(0);
    for counter in [0u64, 3, 4] {
        let code = hotp.generate(counter);
        let v = reload(&r).verify_hotp(&hotp, &policy, NOW, code.as_str());
        assert_eq!(v.result().unwrap().matched, counter);
        r = *v.record();
        let again = reload(&r).verify_hotp(&hotp, &policy, NOW, code.as_str());
        assert_eq!(again.result(), Err(Error::Replay), "counter {counter}");
        assert!(!again.is_changed());
    }
    // Codes skipped by the look-ahead (1, 2) can never be used afterwards.
    let v = reload(&r).verify_hotp(&hotp, &policy, NOW, hotp.generate(1).as_str());
    assert!(!v.is_accepted());
    assert_eq!(r.next_counter(), 5);
}

#[test]
fn replay_totp_resync_codes() {
    let totp = totp();
    let policy = Policy::default();
    let step = totp.step_at(NOW).unwrap();
    let (a, b) = (totp.generate_step(step - 4), totp.generate_step(step - 3));
    let v = StateRecord::time_step().resync_totp(&totp, &policy, NOW, &[a.as_str(), b.as_str()]);
    assert_eq!(v.result().unwrap().matched, step - 3);
    let r = reload(v.record());
    let again = r.resync_totp(&totp, &policy, NOW, &[a.as_str(), b.as_str()]);
    assert_eq!(again.result(), Err(Error::Replay));
    assert!(
        !again.is_changed(),
        "a replayed resynchronisation is not a failure"
    );
    assert_eq!(
        r.verify_totp(&totp, &policy, NOW, b.as_str()).result(),
        Err(Error::Replay)
    );
}

#[cfg(feature = "sha256")]
/// RFC 6287 Appendix C.1, `OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1`, Q = "12345678", PIN "1234":
/// responses for counters 0..=9.
const OCRA_COUNTER: [&str; 10] = [
    "65347737", "86775851", "78192410", "71565254", "10104329", "65983500", "70069104", "91771096",
    "75011558", "08522129",
];

#[cfg(feature = "sha256")]
fn ocra_counter() -> Ocra {
    let suite: OcraSuite = "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1".parse().unwrap();
    Ocra::new(suite, b"12345678901234567890123456789012").unwrap()
}

#[cfg(feature = "sha512")]
fn ocra_time() -> Ocra {
    let suite: OcraSuite = "OCRA-1:HOTP-SHA512-8:QN08-T1M".parse().unwrap();
    let key: Vec<u8> = b"1234567890".iter().copied().cycle().take(64).collect();
    Ocra::new(suite, &key).unwrap()
}

#[cfg(feature = "sha256")]
#[test]
fn replay_ocra_counter_suite_through_stored_record() {
    let ocra = ocra_counter();
    let input = DataInput::new().question("12345678").password(b"1234");
    let policy = Policy::default();
    let mut r = StateRecord::counter(0);
    for (counter, response) in OCRA_COUNTER.iter().enumerate() {
        let v = reload(&r).verify_ocra_counter(&ocra, &policy, NOW, response, &input);
        assert_eq!(v.result().unwrap().matched, counter as u64);
        r = *v.record();
        let again = reload(&r).verify_ocra_counter(&ocra, &policy, NOW, response, &input);
        assert_eq!(again.result(), Err(Error::Replay), "counter {counter}");
        assert!(!again.is_changed());
        assert_eq!(again.record().throttle().failures(), 0);
    }
    assert_eq!(r.next_counter(), 10);
    // A time record is refused for a counter suite.
    let v =
        StateRecord::time_step().verify_ocra_counter(&ocra, &policy, NOW, OCRA_COUNTER[0], &input);
    assert!(matches!(
        v.result(),
        Err(Error::State(StateError::WrongKind { .. }))
    ));
}

#[cfg(feature = "sha512")]
#[test]
fn replay_ocra_time_suite_through_stored_record() {
    let ocra = ocra_time();
    let input = DataInput::new().question("00000000");
    let policy = Policy::default();
    // RFC 6287 C.1: 95209754 at T = 0x132d0b6 minutes; the server is 40 s later, one step on.
    let now = 0x132d0b6 * 60 + 40 + 60;
    let v = StateRecord::time_step().verify_ocra_time(&ocra, &policy, now, "95209754", &input);
    let accepted = v.result().unwrap();
    assert_eq!((accepted.matched, accepted.drift), (0x132d0b6, -1));
    let r = reload(v.record());
    assert_eq!(r.drift(), -1);
    for t in [now, now + 30] {
        let again = r.verify_ocra_time(&ocra, &policy, t, "95209754", &input);
        assert_eq!(again.result(), Err(Error::Replay));
        assert!(!again.is_changed());
    }
}

#[cfg(feature = "sha256")]
#[test]
fn throttling_ocra_counter_suite() {
    let ocra = ocra_counter();
    let input = DataInput::new().question("12345678").password(b"1234");
    let policy = Policy {
        throttle: ThrottlePolicy::delay(2, 10, 100),
        ..Policy::default()
    };
    let mut r = StateRecord::counter(0);
    for _ in 0..2 {
        r = *reload(&r)
            .verify_ocra_counter(&ocra, &policy, NOW, "00000000", &input)
            .record();
    }
    let v = reload(&r).verify_ocra_counter(&ocra, &policy, NOW + 9, OCRA_COUNTER[0], &input);
    assert_eq!(v.result(), throttled(NOW + 10));
    let v = reload(&r).verify_ocra_counter(&ocra, &policy, NOW + 10, OCRA_COUNTER[0], &input);
    assert!(v.is_accepted());
}

// ---------------------------------------------------------------------------------------------
// Drift (RFC 6238 §6)
// ---------------------------------------------------------------------------------------------

#[test]
fn drift_window_follows_a_runaway_clock_up_to_the_cap() {
    let totp = totp();
    let policy = Policy {
        window: Window::symmetric(1).unwrap(),
        max_drift: 5,
        ..Policy::default()
    };
    let mut r = StateRecord::time_step();
    let mut t = NOW;
    // The token gains one step between logins: +1, +2, ... +5 are all accepted, because each
    // window is centred on the drift recorded at the previous login.
    for drift in 1..=5i64 {
        t += 3600;
        let step = totp.step_at(t).unwrap();
        let code = totp.generate_step(step.checked_add_signed(drift).unwrap());
        let v = reload(&r).verify_totp(&totp, &policy, t, code.as_str());
        assert_eq!(v.result().unwrap().drift, drift);
        r = *v.record();
        assert_eq!(r.drift(), drift);
    }
    // The stored drift is at the cap, which is tolerated: a code 5 steps ahead is still
    // accepted, one 6 steps ahead is beyond the cap (a wrong code).
    t += 3600;
    let step = totp.step_at(t).unwrap();
    let v = reload(&r).verify_totp(&totp, &policy, t, totp.generate_step(step + 5).as_str());
    assert_eq!(v.result().unwrap().drift, 5);
    r = *v.record();
    t += 3600;
    let step = totp.step_at(t).unwrap();
    let v = reload(&r).verify_totp(&totp, &policy, t, totp.generate_step(step + 6).as_str());
    assert_eq!(v.result(), Err(Error::Mismatch));
    // A tightened policy no longer tolerates the stored drift: resynchronisation needed,
    // decided from state alone (a garbage code gets the same answer, nothing is counted).
    let tight = Policy {
        max_drift: 4,
        ..policy
    };
    for code in [totp.generate_step(step + 5).to_string(), "garbage".into()] {
        let v = reload(&r).verify_totp(&totp, &tight, t, &code);
        assert_eq!(
            v.result(),
            Err(Error::State(StateError::ResyncNeeded { drift: 5 }))
        );
        assert!(!v.is_changed());
    }
    // The owner sets the token's clock right and resynchronises with two codes.
    let (a, b) = (totp.generate_step(step - 1), totp.generate_step(step));
    let v = reload(&r).resync_totp(&totp, &policy, t, &[a.as_str(), b.as_str()]);
    assert_eq!(v.result().unwrap().drift, 0);
    r = *v.record();
    t += 30;
    let code = totp.generate_at(t).unwrap();
    assert!(
        reload(&r)
            .verify_totp(&totp, &policy, t, code.as_str())
            .is_accepted()
    );
}

#[test]
fn drift_never_accepts_a_step_beyond_the_cap() {
    let totp = totp();
    let policy = Policy {
        window: Window::symmetric(3).unwrap(),
        max_drift: 5,
        ..Policy::default()
    };
    let step = totp.step_at(NOW).unwrap();
    let r = *StateRecord::time_step()
        .verify_totp(&totp, &policy, NOW, totp.generate_step(step + 3).as_str())
        .record();
    assert_eq!(r.drift(), 3);
    let t = NOW + 600;
    let now_step = totp.step_at(t).unwrap();
    // Centre now_step + 3, window +-3: now_step + 6 is in the window but beyond the cap.
    let v = r.verify_totp(&totp, &policy, t, totp.generate_step(now_step + 6).as_str());
    assert_eq!(v.result(), Err(Error::Mismatch));
    let v = r.verify_totp(&totp, &policy, t, totp.generate_step(now_step + 5).as_str());
    assert_eq!(v.result().unwrap().drift, 5);
    // Resynchronisation is bounded by the cap too.
    let (a, b) = (
        totp.generate_step(now_step - 7),
        totp.generate_step(now_step - 6),
    );
    let v = r.resync_totp(&totp, &policy, t, &[a.as_str(), b.as_str()]);
    assert_eq!(v.result(), Err(Error::Mismatch));
}

#[test]
fn drift_off_keeps_the_window_on_the_current_step() {
    let totp = totp();
    let policy = Policy {
        window: Window::symmetric(2).unwrap(),
        max_drift: 0,
        ..Policy::default()
    };
    let step = totp.step_at(NOW).unwrap();
    let v = StateRecord::time_step().verify_totp(
        &totp,
        &policy,
        NOW,
        totp.generate_step(step + 2).as_str(),
    );
    assert_eq!(v.result().unwrap().drift, 2);
    assert_eq!(v.record().drift(), 0);
    let big = Policy {
        max_drift: Window::MAX + 1,
        ..policy
    };
    let v = StateRecord::time_step().verify_totp(&totp, &big, NOW, "123456");
    assert_eq!(v.result(), Err(Error::WindowTooLarge { max: Window::MAX }));
}

// ---------------------------------------------------------------------------------------------
// Stored records
// ---------------------------------------------------------------------------------------------

/// CRC-32 (IEEE), to forge records whose checksum is right but whose fields are not.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

fn with_crc(mut bytes: RecordBytes) -> RecordBytes {
    let body = bytes.len() - 4;
    let crc = crc32(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_be_bytes());
    bytes
}

#[test]
fn corrupted_record_is_refused_with_a_typed_error() {
    let good = {
        let hotp = hotp();
        let bad = wrong(hotp.generate(0).as_str(), &[]);
        *StateRecord::counter(7)
            .verify_hotp(&hotp, &Policy::default(), NOW, &bad)
            .record()
    };
    let bytes = good.to_bytes();
    assert_eq!(StateRecord::from_bytes(&bytes), Ok(good));
    let err = |e| Err(Error::State(e));
    // Every truncation and an extension.
    for len in 0..bytes.len() {
        let got = StateRecord::from_bytes(&bytes[..len]);
        let expected = StateError::Length { len, expected: 50 };
        assert_eq!(got, err(expected), "len {len}");
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert_eq!(
        StateRecord::from_bytes(&longer),
        err(StateError::Length {
            len: 51,
            expected: 50
        })
    );
    // Damage anywhere after the version byte.
    for i in 1..bytes.len() {
        let mut b = bytes;
        b[i] = b[i].wrapping_add(1);
        assert_eq!(
            StateRecord::from_bytes(&b),
            err(StateError::Checksum),
            "byte {i}"
        );
    }
    // A record from a newer format, whatever its length.
    for v in [3u8, 255] {
        let mut b = bytes;
        b[0] = v;
        assert_eq!(
            StateRecord::from_bytes(&b[..3]),
            err(StateError::UnsupportedVersion { version: v, max: 2 })
        );
    }
    // Fields no encoder writes, with a right checksum.
    let mut b = bytes;
    b[0] = 0;
    assert_eq!(
        StateRecord::from_bytes(&with_crc(b)),
        err(StateError::InvalidField { position: 0 })
    );
    let mut b = bytes;
    b[1] = 3;
    assert_eq!(
        StateRecord::from_bytes(&with_crc(b)),
        err(StateError::InvalidField { position: 1 })
    );
    let mut b = bytes;
    b[33] = 1; // a drift on a counter record
    assert_eq!(
        StateRecord::from_bytes(&with_crc(b)),
        err(StateError::InvalidField { position: 26 })
    );
    // Display says what is wrong.
    assert_eq!(
        Error::State(StateError::Checksum).to_string(),
        "state record checksum mismatch"
    );
}

#[test]
fn record_of_the_wrong_kind_is_refused() {
    let (hotp, totp) = (hotp(), totp());
    let policy = Policy::default();
    let v = StateRecord::counter(0).verify_totp(&totp, &policy, NOW, "123456");
    assert_eq!(
        v.result(),
        Err(Error::State(StateError::WrongKind {
            record: RecordKind::Counter,
            expected: RecordKind::TimeStep
        }))
    );
    assert!(!v.is_changed());
    let v = StateRecord::time_step().verify_hotp(&hotp, &policy, NOW, "123456");
    assert!(matches!(
        v.result(),
        Err(Error::State(StateError::WrongKind { .. }))
    ));
}

#[test]
fn record_bytes_are_stable() {
    // Version 2 layout, pinned: a change here is a format change and needs a new version.
    let enrolment = otpkit::EnrolmentId::from_bytes([0xe0; 16]);
    let r = StateRecord::counter(0x0102_0304_0506_0708).with_enrolment(enrolment);
    let b = r.to_bytes();
    assert_eq!(b.len(), 50);
    assert_eq!(&b[..2], &[2, 1]);
    assert_eq!(&b[2..18], &[0xe0; 16]);
    assert_eq!(&b[18..26], &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(&b[26..46], &[0; 20]);
    assert_eq!(&b[46..], &crc32(&b[..46]).to_be_bytes());
    // Version 1 layout, pinned: still read, as the legacy enrolment.
    let mut v1 = [0u8; 34];
    v1[..10].copy_from_slice(&[1, 1, 1, 2, 3, 4, 5, 6, 7, 8]);
    let crc = crc32(&v1[..30]);
    v1[30..].copy_from_slice(&crc.to_be_bytes());
    assert_eq!(
        StateRecord::from_bytes(&v1),
        Ok(StateRecord::counter(0x0102_0304_0506_0708))
    );
}

#[cfg(feature = "serde")]
#[test]
fn record_serde_round_trip_and_refusals() {
    let hotp = hotp();
    let policy = Policy {
        throttle: ThrottlePolicy::lockout(1),
        ..Policy::default()
    };
    let bad = wrong(hotp.generate(0).as_str(), &[]);
    let r = *StateRecord::counter(3)
        .verify_hotp(&hotp, &policy, NOW, &bad)
        .record();
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(
        json,
        r#"{"version":2,"kind":"counter","next":3,"drift":0,"throttle":{"failures":1,"locked_until":18446744073709551615},"enrolment":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}"#
    );
    assert_eq!(serde_json::from_str::<StateRecord>(&json).unwrap(), r);
    // Version 1 (no enrolment) still reads, as the legacy enrolment.
    let v1 = r#"{"version":1,"kind":"counter","next":3,"drift":0,"throttle":{"failures":1,"locked_until":18446744073709551615}}"#;
    assert_eq!(serde_json::from_str::<StateRecord>(v1).unwrap(), r);
    let bound = StateRecord::time_step().with_enrolment(otpkit::EnrolmentId::from_bytes([7; 16]));
    let json = serde_json::to_string(&bound).unwrap();
    assert_eq!(serde_json::from_str::<StateRecord>(&json).unwrap(), bound);
    let t = StateRecord::time_step();
    let json = serde_json::to_string(&t).unwrap();
    assert_eq!(serde_json::from_str::<StateRecord>(&json).unwrap(), t);
    for bad in [
        r#"{"version":2,"kind":"counter","next":3,"drift":0,"throttle":{"failures":0,"locked_until":0}}"#,
        r#"{"version":1,"kind":"counter","next":3,"drift":0,"throttle":{"failures":0,"locked_until":0},"enrolment":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}"#,
        r#"{"version":3,"kind":"counter","next":3,"drift":0,"throttle":{"failures":0,"locked_until":0},"enrolment":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}"#,
        r#"{"version":0,"kind":"counter","next":3,"drift":0,"throttle":{"failures":0,"locked_until":0}}"#,
        r#"{"version":1,"kind":"counter","next":3,"drift":2,"throttle":{"failures":0,"locked_until":0}}"#,
        r#"{"version":1,"kind":"hours","next":3,"drift":0,"throttle":{"failures":0,"locked_until":0}}"#,
        r#"{"version":1,"kind":"counter","next":3,"drift":0,"extra":1,"throttle":{"failures":0,"locked_until":0}}"#,
        r#"{"version":1,"kind":"counter","next":3,"drift":0}"#,
    ] {
        assert!(serde_json::from_str::<StateRecord>(bad).is_err(), "{bad}");
    }
    let err = serde_json::from_str::<StateRecord>(
        r#"{"version":9,"kind":"counter","next":3,"drift":0,"throttle":{"failures":0,"locked_until":0}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("version 9 is newer"), "{err}");
}
