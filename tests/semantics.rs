//! Semantics that an earlier review found wrong or surprising, each pinned down:
//!
//! - no `ThrottlePolicy` constructor argument turns throttling off (`ThrottlePolicy::none()`
//!   does, by name);
//! - `Policy::max_drift` is the largest drift tolerated, not the drift that triggers a
//!   resynchronisation;
//! - a counter record does not follow OCRA's counter wrap;
//! - a TOTP resynchronisation searches only `Policy::resync_max_drift` steps either way;
//! - `now` is the server's clock for the throttle (the example server's `--at` is tested in
//!   `tests/verify_server.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otpkit::ocra::{DataInput, Ocra, OcraSuite};
use otpkit::store::{MemoryStore, Verifier, VerifyError};
use otpkit::{
    Backoff, Enrolled, EnrolmentId, Error, Hotp, HotpParams, Lock, Policy, StateError, StateRecord,
    ThrottlePolicy, ThrottleState, Totp, TotpParams, Window,
};

const KEY: &[u8] = b"12345678901234567890";
const NOW: u64 = 1_700_000_000;
/// The enrolment the verifier tests enrol their tokens under.
const E: EnrolmentId = EnrolmentId::from_bytes([0xe1; 16]);

fn totp() -> Totp {
    Totp::new(KEY, TotpParams::default()).unwrap()
}

/// A 6-digit code that is not `right`.
fn wrong(right: &str) -> String {
    if right == "000000" {
        "111111"
    } else {
        "000000"
    }
    .into()
}

// ---------------------------------------------------------------------------------------------
// Throttling: nothing but `none()` means "no throttling"
// ---------------------------------------------------------------------------------------------

/// The state after `n` failures one second apart from `NOW` (each at a time the previous lock
/// allows: the failures are fed to the state directly).
fn after_failures(policy: &ThrottlePolicy, n: u32) -> ThrottleState {
    (0..n).fold(ThrottleState::new(), |s, _| s.after_failure(policy, NOW))
}

#[test]
fn a_zero_cap_still_throttles() {
    let p = ThrottlePolicy::delay(3, 30, 0);
    assert_eq!(p.backoff(), Backoff::Delay { first: 30, cap: 30 });
    assert_eq!(p.delay_after(3), Some(30));
    assert_eq!(p.delay_after(40), Some(30));
    assert_eq!(
        after_failures(&p, 3).lock_at(NOW),
        Some(Lock::Until(NOW + 30))
    );
}

#[test]
fn a_zero_first_delay_still_throttles() {
    let p = ThrottlePolicy::delay(2, 0, 3600);
    assert_eq!(
        p.backoff(),
        Backoff::Delay {
            first: 1,
            cap: 3600
        }
    );
    assert_eq!(p.delay_after(2), Some(1));
    assert_eq!(p.delay_after(3), Some(2));
    assert_eq!(
        after_failures(&p, 2).lock_at(NOW),
        Some(Lock::Until(NOW + 1))
    );
}

#[test]
fn all_zero_arguments_still_throttle() {
    let p = ThrottlePolicy::delay(0, 0, 0);
    assert_eq!(p.after_failures(), 1);
    assert_eq!(p.backoff(), Backoff::Delay { first: 1, cap: 1 });
    assert_eq!(
        after_failures(&p, 1).lock_at(NOW),
        Some(Lock::Until(NOW + 1))
    );
    let p = ThrottlePolicy::lockout(0);
    assert_eq!(p.after_failures(), 1);
    assert_eq!(after_failures(&p, 1).lock_at(NOW), Some(Lock::UntilReset));
}

#[test]
fn a_cap_below_the_first_delay_is_raised_to_it() {
    let p = ThrottlePolicy::delay(1, 60, 10);
    assert_eq!(p.backoff(), Backoff::Delay { first: 60, cap: 60 });
    assert_eq!(p.delay_after(1), Some(60));
}

#[test]
fn none_never_locks_but_counts() {
    let p = ThrottlePolicy::none();
    assert_eq!(p.backoff(), Backoff::None);
    for n in [0, 1, 5, 1000, u32::MAX] {
        assert_eq!(p.delay_after(n), Some(0));
    }
    let s = after_failures(&p, 1000);
    assert_eq!((s.failures(), s.lock_at(NOW)), (1000, None));
}

#[test]
fn every_delay_policy_throttles_through_the_verifier() {
    let hotp = Enrolled::new(Hotp::new(KEY, HotpParams::default()).unwrap(), E);
    let right = hotp.generate(0);
    for (first, cap) in [(0, 0), (0, 100), (30, 0), (1, 1)] {
        let policy = Policy {
            throttle: ThrottlePolicy::delay(1, first, cap),
            ..Policy::default()
        };
        let verifier = Verifier::new(MemoryStore::new(), policy);
        verifier
            .enrol("t", &StateRecord::counter(0).with_enrolment(E))
            .unwrap();
        let e = verifier
            .verify_hotp("t", &hotp, NOW, wrong(right.as_str()))
            .unwrap_err();
        assert_eq!(e, VerifyError::Rejected(Error::Mismatch));
        // The right code in the same second is refused: the token is throttled.
        let e = verifier.verify_hotp("t", &hotp, NOW, right).unwrap_err();
        assert!(
            matches!(
                e,
                VerifyError::Rejected(Error::State(StateError::Throttled { .. }))
            ),
            "delay({first}, {cap}): {e:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// max_drift is the largest drift tolerated
// ---------------------------------------------------------------------------------------------

#[test]
fn max_drift_one_accepts_a_late_code_and_then_the_right_ones() {
    let totp = Enrolled::new(totp(), E);
    let policy = Policy {
        max_drift: 1,
        ..Policy::default()
    };
    let verifier = Verifier::new(MemoryStore::new(), policy);
    let first = StateRecord::time_step().with_enrolment(E);
    verifier.enrol("alice", &first).unwrap();
    let step = totp.step_at(NOW).unwrap();
    // A code one step late is accepted, and records drift -1.
    let a = verifier
        .verify_totp("alice", &totp, NOW, totp.generate_step(step - 1))
        .unwrap();
    assert_eq!(a.drift, -1);
    // Every later correct code is accepted, whether the token keeps lagging or not.
    for (k, lag) in [(1u64, 1u64), (2, 0), (3, 1), (4, 0)] {
        let t = NOW + 60 * k;
        let s = totp.step_at(t).unwrap();
        let a = verifier
            .verify_totp("alice", &totp, t, totp.generate_step(s - lag))
            .unwrap();
        assert_eq!(a.matched, s - lag);
    }
    // Two steps late is beyond the tolerated drift: a wrong code.
    let t = NOW + 30 * 10;
    let s = totp.step_at(t).unwrap();
    assert_eq!(
        verifier.verify_totp("alice", &totp, t, totp.generate_step(s - 2)),
        Err(VerifyError::Rejected(Error::Mismatch))
    );
}

#[test]
fn resync_needed_only_beyond_the_tolerated_drift() {
    let totp = totp();
    let step = totp.step_at(NOW).unwrap();
    let wide = Policy {
        max_drift: 3,
        window: Window::symmetric(3).unwrap(),
        ..Policy::default()
    };
    let v = StateRecord::time_step().verify_totp_uncommitted(
        &totp,
        &wide,
        NOW,
        totp.generate_step(step + 3),
    );
    let r = *v.record_to_commit().unwrap();
    assert_eq!(r.drift(), 3);
    // At the cap: still verified.
    let t = NOW + 600;
    let s = totp.step_at(t).unwrap();
    let v = r.verify_totp_uncommitted(&totp, &wide, t, totp.generate_step(s + 3));
    assert_eq!(v.into_outcome_after_commit().unwrap().drift, 3);
    // Tightened below the stored drift: the code is not evaluated.
    for max_drift in [1, 2] {
        let tight = Policy { max_drift, ..wide };
        let v = r.verify_totp_uncommitted(&totp, &tight, t, totp.generate_step(s + 3));
        assert!(v.record_to_commit().is_none());
        assert_eq!(
            v.into_outcome_after_commit(),
            Err(Error::State(StateError::ResyncNeeded { drift: 3 }))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// OCRA counters: the stateless verifier follows the wrap, the record does not
// ---------------------------------------------------------------------------------------------

fn ocra_counter() -> (Ocra, DataInput<'static>) {
    let suite: OcraSuite = "OCRA-1:HOTP-SHA1-6:C-QN08".parse().unwrap();
    let ocra = Ocra::new(suite, KEY).unwrap();
    (ocra, DataInput::new().question("12345678"))
}

fn ocra_response(ocra: &Ocra, input: &DataInput<'_>, counter: u64) -> String {
    ocra.compute(&input.counter(counter)).unwrap().to_string()
}

#[test]
fn stateless_ocra_follows_the_counter_wrap() {
    let (ocra, input) = ocra_counter();
    let wrapped = ocra_response(&ocra, &input, 1);
    let m = ocra
        .verify_counter_uncommitted(&wrapped, &input, u64::MAX - 1, 5)
        .unwrap();
    assert_eq!((m.counter, m.next_counter), (1, 2));
}

#[test]
fn ocra_record_does_not_follow_the_counter_wrap() {
    let (ocra, input) = ocra_counter();
    let policy = Policy::default();
    let start = StateRecord::counter(u64::MAX - 1);
    for counter in [0, 1, 2] {
        let response = ocra_response(&ocra, &input, counter);
        let v = start.verify_ocra_counter_uncommitted(&ocra, &policy, NOW, &response, &input);
        // A wrong response: counted, and the counter stays where it was.
        let r = *v.record_to_commit().expect("a counted failure");
        assert_eq!(r.next_counter(), u64::MAX - 1, "counter {counter}");
        assert_eq!(r.throttle().failures(), 1);
        assert_eq!(v.into_outcome_after_commit(), Err(Error::Mismatch));
    }
    // The last counter itself can never be recorded as used.
    let response = ocra_response(&ocra, &input, u64::MAX);
    let v = start.verify_ocra_counter_uncommitted(&ocra, &policy, NOW, &response, &input);
    assert!(v.record_to_commit().is_none());
    assert_eq!(v.into_outcome_after_commit(), Err(Error::CounterOverflow));
    // Below the end, the record moves as usual.
    let response = ocra_response(&ocra, &input, u64::MAX - 1);
    let v = start.verify_ocra_counter_uncommitted(&ocra, &policy, NOW, &response, &input);
    assert_eq!(v.record_to_commit().unwrap().next_counter(), u64::MAX);
}

#[test]
fn ocra_verifier_never_moves_a_counter_backwards() {
    let (ocra, input) = ocra_counter();
    let ocra = Enrolled::new(ocra, E);
    let verifier = Verifier::new(MemoryStore::new(), Policy::default());
    let first = StateRecord::counter(u64::MAX - 2).with_enrolment(E);
    verifier.enrol("card", &first).unwrap();
    let wrapped = ocra_response(&ocra, &input, 0);
    assert_eq!(
        verifier.verify_ocra_counter("card", &ocra, NOW, &wrapped, &input),
        Err(VerifyError::Rejected(Error::Mismatch))
    );
    let a = verifier
        .verify_ocra_counter(
            "card",
            &ocra,
            NOW,
            ocra_response(&ocra, &input, u64::MAX - 1),
            &input,
        )
        .unwrap();
    assert_eq!(a.matched, u64::MAX - 1);
}

// ---------------------------------------------------------------------------------------------
// TOTP resynchronisation range
// ---------------------------------------------------------------------------------------------

fn pair(totp: &Totp, last: u64) -> [String; 2] {
    [
        totp.generate_step(last - 1).to_string(),
        totp.generate_step(last).to_string(),
    ]
}

#[test]
fn resync_searches_only_the_chosen_range() {
    let totp = totp();
    let step = totp.step_at(NOW).unwrap();
    for resync_max_drift in [0u32, 1, 2, 4] {
        let policy = Policy {
            resync_max_drift,
            ..Policy::default()
        };
        for offset in -6i64..=6 {
            let last = step.checked_add_signed(offset).unwrap();
            let v = StateRecord::time_step().resync_totp_uncommitted(
                &totp,
                &policy,
                NOW,
                &pair(&totp, last),
            );
            let inside = offset.unsigned_abs() <= u64::from(resync_max_drift);
            match v.into_outcome_after_commit() {
                Ok(a) => assert!(inside && a.drift == offset, "{resync_max_drift} {offset}"),
                Err(e) => assert!(
                    !inside && e == Error::Mismatch,
                    "{resync_max_drift} {offset}"
                ),
            }
        }
    }
}

#[test]
fn resync_range_never_exceeds_max_drift() {
    let totp = totp();
    let step = totp.step_at(NOW).unwrap();
    let policy = Policy {
        max_drift: 2,
        resync_max_drift: 10,
        ..Policy::default()
    };
    let ok = StateRecord::time_step().resync_totp_uncommitted(
        &totp,
        &policy,
        NOW,
        &pair(&totp, step - 2),
    );
    assert_eq!(ok.into_outcome_after_commit().unwrap().drift, -2);
    let far = StateRecord::time_step().resync_totp_uncommitted(
        &totp,
        &policy,
        NOW,
        &pair(&totp, step - 3),
    );
    assert_eq!(far.into_outcome_after_commit(), Err(Error::Mismatch));
}

#[test]
fn phished_codes_expire_for_resync_after_the_range() {
    let totp = Enrolled::new(totp(), E);
    let verifier = Verifier::new(MemoryStore::new(), Policy::default());
    let first = StateRecord::time_step().with_enrolment(E);
    verifier.enrol("bob", &first).unwrap();
    // Two codes captured at NOW, replayed by an attacker 5 steps (2.5 minutes) later: the
    // default range is 4 steps, so they are refused.
    let step = totp.step_at(NOW).unwrap();
    let phished = pair(&totp, step);
    assert_eq!(
        verifier.resync_totp("bob", &totp, NOW + 5 * 30, &phished),
        Err(VerifyError::Rejected(Error::Mismatch))
    );
    // Within the range they would still work: that is the documented trade-off.
    assert!(
        verifier
            .resync_totp("bob", &totp, NOW + 4 * 30, &phished)
            .is_ok()
    );
}

// ---------------------------------------------------------------------------------------------
// The throttle runs on `now`, the server's clock
// ---------------------------------------------------------------------------------------------

#[test]
fn the_throttle_lock_ends_on_the_servers_clock() {
    let hotp = Enrolled::new(Hotp::new(KEY, HotpParams::default()).unwrap(), E);
    let policy = Policy {
        throttle: ThrottlePolicy::delay(1, 60, 60),
        ..Policy::default()
    };
    let verifier = Verifier::new(MemoryStore::new(), policy);
    verifier
        .enrol("t", &StateRecord::counter(0).with_enrolment(E))
        .unwrap();
    let right = hotp.generate(0);
    let _ = verifier.verify_hotp("t", &hotp, NOW, wrong(right.as_str()));
    assert_eq!(
        verifier.verify_hotp("t", &hotp, NOW + 59, right),
        Err(VerifyError::Rejected(Error::State(StateError::Throttled {
            until: NOW + 60
        })))
    );
    assert!(verifier.verify_hotp("t", &hotp, NOW + 60, right).is_ok());
}

proptest::proptest! {
    /// Whatever the arguments, a delay or lockout policy locks the token at its threshold,
    /// for at least a second, and never for less than the policy's first delay.
    #[test]
    fn every_constructed_policy_throttles(
        after in 0u32..20,
        first in proptest::prop_oneof![proptest::strategy::Just(0u64), 0u64..100_000, proptest::strategy::Just(u64::MAX)],
        cap in proptest::prop_oneof![proptest::strategy::Just(0u64), 0u64..100_000, proptest::strategy::Just(u64::MAX)],
        lockout: bool,
        now in 0u64..=u64::MAX / 2,
    ) {
        let p = if lockout { ThrottlePolicy::lockout(after) } else { ThrottlePolicy::delay(after, first, cap) };
        let threshold = p.after_failures();
        proptest::prop_assert!(threshold >= 1 && threshold <= after.max(1));
        let s = (0..threshold).fold(ThrottleState::new(), |s, _| s.after_failure(&p, now));
        match s.lock_at(now) {
            Some(Lock::UntilReset) => proptest::prop_assert!(lockout),
            Some(Lock::Until(until)) => {
                proptest::prop_assert!(!lockout);
                proptest::prop_assert!(until > now);
                proptest::prop_assert!(until - now >= first.max(1).min(u64::MAX - now - 1));
            }
            None => proptest::prop_assert!(false, "not throttled: {p:?}"),
        }
        // One failure fewer never locks.
        let below = (1..threshold).fold(ThrottleState::new(), |s, _| s.after_failure(&p, now));
        proptest::prop_assert_eq!(below.lock_at(now), None);
    }
}

proptest::proptest! {
    /// Under an unchanged policy the stored drift never exceeds `max_drift`, so a token is
    /// never told to resynchronise: `ResyncNeeded` is only for a tightened policy.
    #[test]
    fn an_unchanged_policy_never_asks_for_resync(
        max_drift in 1u32..6,
        window in 0u32..4,
        attempts in proptest::collection::vec((1u64..200, -8i64..=8), 1..40),
    ) {
        let totp = totp();
        let policy = Policy { max_drift, window: Window::symmetric(window).unwrap(), ..Policy::default() };
        let mut record = StateRecord::time_step();
        let mut now = NOW;
        for (advance, offset) in attempts {
            now += advance * 30;
            let step = totp.step_at(now).unwrap().checked_add_signed(offset).unwrap();
            let v = record.verify_totp_uncommitted(&totp, &policy, now, totp.generate_step(step));
            if let Some(r) = v.record_to_commit() {
                record = *r;
            }
            let outcome = v.into_outcome_after_commit();
            proptest::prop_assert!(
                !matches!(outcome, Err(Error::State(StateError::ResyncNeeded { .. }))),
                "{outcome:?}"
            );
            proptest::prop_assert!(record.drift().unsigned_abs() <= u64::from(max_drift));
            if let Ok(a) = outcome {
                proptest::prop_assert!(a.drift.unsigned_abs() <= u64::from(max_drift));
            }
        }
    }
}
