//! Proves that verification through a `StateRecord` follows a simple reference model of the
//! rules, for random policies and random sequences of (time, code) attempts, TOTP and HOTP:
//! the outcome of every attempt and every field of the stored record agree with the model.
//!
//! The model is written for clarity, not safety: it compares codes as strings, walks the
//! candidates in the core's order (nearest the centre first for TOTP, ascending for HOTP), and
//! keeps the throttling state as plain integers. Records are stored as bytes and read back
//! between attempts. The last properties check that nothing panics: arbitrary bytes in the
//! decoder, and every verifier on records, times and policies at the extremes of their types.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

#[path = "support/in_memory.rs"]
mod in_memory;
use in_memory::CommitInMemory;

use otpkit::{
    Error, Hotp, HotpParams, Lock, Policy, StateError, StateRecord, ThrottlePolicy, Totp,
    TotpParams, Window,
};
use proptest::prelude::*;

/// What the model says an attempt gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Accepted { matched: u64, drift: i64 },
    Mismatch,
    Replay,
    Throttled(u64),
    LockedOut,
    ResyncNeeded(i64),
    Malformed,
}

fn outcome(r: Result<otpkit::Accepted, Error>) -> Outcome {
    match r {
        Ok(a) => Outcome::Accepted {
            matched: a.matched,
            drift: a.drift,
        },
        Err(Error::Mismatch) => Outcome::Mismatch,
        Err(Error::Replay) => Outcome::Replay,
        Err(Error::State(StateError::Throttled { until })) => Outcome::Throttled(until),
        Err(Error::State(StateError::LockedOut)) => Outcome::LockedOut,
        Err(Error::State(StateError::ResyncNeeded { drift })) => Outcome::ResyncNeeded(drift),
        Err(Error::InvalidCode(_)) => Outcome::Malformed,
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

/// The rules, stated plainly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Model {
    next: u64,
    drift: i64,
    failures: u32,
    /// 0 none, u64::MAX until reset.
    locked_until: u64,
}

/// Throttling parameters of the model: (after, Some((first, cap))) or (after, None) = lockout.
#[derive(Clone, Copy, Debug)]
struct Throttle {
    after: u32,
    delay: Option<(u64, u64)>,
}

impl Throttle {
    fn policy(self) -> ThrottlePolicy {
        match self.delay {
            Some((first, cap)) => ThrottlePolicy::delay(self.after, first, cap),
            None => ThrottlePolicy::lockout(self.after),
        }
    }
}

impl Model {
    fn new(next: u64) -> Model {
        Model {
            next,
            drift: 0,
            failures: 0,
            locked_until: 0,
        }
    }

    fn locked(&self, now: u64) -> Option<Outcome> {
        if self.locked_until == u64::MAX {
            Some(Outcome::LockedOut)
        } else if now < self.locked_until {
            Some(Outcome::Throttled(self.locked_until))
        } else {
            None
        }
    }

    fn fail(&mut self, t: Throttle, now: u64) {
        self.failures += 1;
        if self.failures >= t.after {
            self.locked_until = match t.delay {
                None => u64::MAX,
                Some((first, cap)) => {
                    // `ThrottlePolicy::delay` clamps: first >= 1, cap >= first.
                    let first = first.max(1);
                    let cap = cap.max(first);
                    let n = self.failures - t.after;
                    let delay = if n >= 63 { cap } else { (first << n).min(cap) };
                    if delay == 0 { 0 } else { now + delay }
                }
            };
        }
    }

    fn succeed(&mut self, matched: u64) {
        self.next = matched + 1;
        self.failures = 0;
        self.locked_until = 0;
    }

    /// The first fresh match among `candidates` (in order), else whether any matched.
    fn pick(&self, candidates: &[u64], code_of: impl Fn(u64) -> String, code: &str) -> Pick {
        let matches: Vec<u64> = candidates
            .iter()
            .copied()
            .filter(|&c| code_of(c) == code)
            .collect();
        match matches.iter().find(|&&c| c >= self.next) {
            Some(&c) => Pick::Fresh(c),
            None if !matches.is_empty() => Pick::Used,
            None => Pick::None,
        }
    }

    fn totp(&mut self, totp: &Totp, p: &ModelPolicy, now: u64, code: &str) -> Outcome {
        if let Some(o) = self.locked(now) {
            return o;
        }
        let cap = i64::from(p.max_drift);
        if cap > 0 && self.drift.abs() > cap {
            return Outcome::ResyncNeeded(self.drift);
        }
        if !(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())) {
            return Outcome::Malformed;
        }
        let current = (now / 30) as i64;
        let center = if cap > 0 {
            current + self.drift
        } else {
            current
        };
        let mut candidates = vec![center];
        for d in 1..=p.behind.max(p.ahead) as i64 {
            if d <= p.behind as i64 {
                candidates.push(center - d);
            }
            if d <= p.ahead as i64 {
                candidates.push(center + d);
            }
        }
        candidates.retain(|&c| c >= 0 && (cap == 0 || (c - current).abs() <= cap));
        let candidates: Vec<u64> = candidates.into_iter().map(|c| c as u64).collect();
        match self.pick(&candidates, |s| totp.generate_step(s).to_string(), code) {
            Pick::Fresh(s) => {
                let drift = s as i64 - current;
                self.succeed(s);
                self.drift = if cap > 0 { drift } else { 0 };
                Outcome::Accepted { matched: s, drift }
            }
            Pick::Used => Outcome::Replay,
            Pick::None => {
                self.fail(p.throttle, now);
                Outcome::Mismatch
            }
        }
    }

    fn totp_resync(&mut self, totp: &Totp, p: &ModelPolicy, now: u64, codes: [&str; 2]) -> Outcome {
        if let Some(o) = self.locked(now) {
            return o;
        }
        let current = (now / 30) as i64;
        let cap = i64::from(p.max_drift);
        let range = i64::from(p.resync_max_drift.min(p.max_drift));
        let code_of = |s: i64| totp.generate_step(s as u64).to_string();
        // Runs of two steps ending in the window; the latest fresh one wins, a used one is a
        // replay.
        let runs: Vec<i64> = (current - range..=current + range)
            .filter(|&s| s >= 1 && code_of(s - 1) == codes[0] && code_of(s) == codes[1])
            .collect();
        let found = runs.iter().rev().copied().find(|&s| s > self.next as i64);
        if found.is_none() && !runs.is_empty() {
            return Outcome::Replay;
        }
        match found {
            Some(s) => {
                let drift = s - current;
                self.succeed(s as u64);
                self.drift = if cap > 0 { drift } else { 0 };
                Outcome::Accepted {
                    matched: s as u64,
                    drift,
                }
            }
            None => {
                self.fail(p.throttle, now);
                Outcome::Mismatch
            }
        }
    }

    fn hotp(&mut self, hotp: &Hotp, p: &ModelPolicy, now: u64, code: &str) -> Outcome {
        if let Some(o) = self.locked(now) {
            return o;
        }
        let first = self.next.saturating_sub(1);
        let candidates: Vec<u64> = (first..=self.next + u64::from(p.look_ahead)).collect();
        match self.pick(&candidates, |c| hotp.generate(c).to_string(), code) {
            Pick::Fresh(c) => {
                let drift = (c - self.next) as i64;
                self.succeed(c);
                Outcome::Accepted { matched: c, drift }
            }
            Pick::Used => Outcome::Replay,
            Pick::None => {
                self.fail(p.throttle, now);
                Outcome::Mismatch
            }
        }
    }

    /// The record must hold exactly the model's state.
    fn check(&self, r: &StateRecord) -> Result<(), TestCaseError> {
        prop_assert_eq!(r.next_counter(), self.next);
        prop_assert_eq!(r.drift(), self.drift);
        prop_assert_eq!(r.throttle().failures(), self.failures);
        let lock = match self.locked_until {
            0 => None,
            u64::MAX => Some(Lock::UntilReset),
            t => Some(Lock::Until(t)),
        };
        prop_assert_eq!(r.throttle().lock_at(0), lock);
        Ok(())
    }
}

enum Pick {
    Fresh(u64),
    Used,
    None,
}

#[derive(Clone, Copy, Debug)]
struct ModelPolicy {
    throttle: Throttle,
    behind: u32,
    ahead: u32,
    max_drift: u32,
    resync_max_drift: u32,
    look_ahead: u32,
}

impl ModelPolicy {
    fn policy(&self) -> Policy {
        Policy {
            throttle: self.throttle.policy(),
            window: Window::new(self.behind, self.ahead).unwrap(),
            max_drift: self.max_drift,
            look_ahead: self.look_ahead,
            resync_window: 100,
            resync_max_drift: self.resync_max_drift,
        }
    }
}

prop_compose! {
    fn model_policy()(
        after in 1u32..5,
        delay in prop::option::weighted(0.8, (0u64..100, 0u64..1000)),
        behind in 0u32..3,
        ahead in 0u32..3,
        max_drift in 0u32..5,
        resync_max_drift in 0u32..6,
        look_ahead in 0u32..4,
    ) -> ModelPolicy {
        ModelPolicy { throttle: Throttle { after, delay }, behind, ahead, max_drift, resync_max_drift, look_ahead }
    }
}

/// One attempt: seconds since the previous one, and which code is sent.
#[derive(Clone, Copy, Debug)]
enum Send {
    /// The code of the token's own step/counter plus this offset (TOTP: the token's clock
    /// offset; HOTP: presses ahead of the server's next counter).
    Offset(i8),
    /// A random code (usually wrong).
    Random(u32),
    /// The last code the server accepted.
    Last,
    Malformed,
    /// Two consecutive codes ending at this offset (resynchronisation).
    Resync(i8),
    /// An administrator's reset of the throttle.
    Unlock,
}

fn send() -> impl Strategy<Value = Send> {
    prop_oneof![
        6 => (-4i8..=4).prop_map(Send::Offset),
        4 => (0u32..1_000_000).prop_map(Send::Random),
        2 => Just(Send::Last),
        1 => Just(Send::Malformed),
        1 => (-6i8..=6).prop_map(Send::Resync),
        1 => Just(Send::Unlock),
    ]
}

fn attempts() -> impl Strategy<Value = Vec<(u64, Send)>> {
    prop::collection::vec((0u64..200, send()), 1..40)
}

const KEY: &[u8] = b"12345678901234567890";

/// A version-1 record with these fields and a right checksum.
fn forge(kind: u8, next: u64, drift: i64, failures: u32, until: u64) -> [u8; 34] {
    let mut b = [0u8; 34];
    b[0] = 1;
    b[1] = kind;
    b[2..10].copy_from_slice(&next.to_be_bytes());
    b[10..18].copy_from_slice(&drift.to_be_bytes());
    b[18..22].copy_from_slice(&failures.to_be_bytes());
    b[22..30].copy_from_slice(&until.to_be_bytes());
    let mut crc = !0u32;
    for &x in &b[..30] {
        crc ^= u32::from(x);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    b[30..].copy_from_slice(&(!crc).to_be_bytes());
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn totp_record_agrees_with_model(p in model_policy(), start in 1_000_000_000u64..2_000_000_000, ops in attempts()) {
        let totp = Totp::new(KEY, TotpParams::default()).unwrap();
        let policy = p.policy();
        let mut model = Model::new(0);
        let mut stored = StateRecord::time_step().to_bytes();
        let mut now = start;
        let mut last_code = totp.generate_at(now).unwrap().to_string();
        for (i, &(dt, send)) in ops.iter().enumerate() {
            now += dt;
            let step = now / 30;
            let r = StateRecord::from_bytes(&stored).unwrap();
            let (expected, v) = match send {
                Send::Offset(k) | Send::Resync(k) if step.checked_add_signed(i64::from(k)).is_none() => continue,
                Send::Offset(k) => {
                    let code = totp.generate_step(step.checked_add_signed(i64::from(k)).unwrap()).to_string();
                    (model.totp(&totp, &p, now, &code), r.verify_totp(&totp, &policy, now, &code))
                }
                Send::Random(n) => {
                    let code = format!("{n:06}");
                    (model.totp(&totp, &p, now, &code), r.verify_totp(&totp, &policy, now, &code))
                }
                Send::Last => (model.totp(&totp, &p, now, &last_code), r.verify_totp(&totp, &policy, now, &last_code)),
                Send::Malformed => (model.totp(&totp, &p, now, "12x456"), r.verify_totp(&totp, &policy, now, "12x456")),
                Send::Resync(k) => {
                    let end = step.checked_add_signed(i64::from(k)).unwrap();
                    let (a, b) = (totp.generate_step(end - 1).to_string(), totp.generate_step(end).to_string());
                    (model.totp_resync(&totp, &p, now, [&a, &b]), r.resync_totp(&totp, &policy, now, &[&a, &b]))
                }
                Send::Unlock => {
                    model.failures = 0;
                    model.locked_until = 0;
                    stored = r.unlock().to_bytes();
                    continue;
                }
            };
            prop_assert_eq!(outcome(v.result()), expected, "attempt #{} {:?} at {}", i, send, now);
            if let Outcome::Accepted { matched, .. } = expected {
                last_code = totp.generate_step(matched).to_string();
            }
            prop_assert_eq!(v.is_changed(), *v.record() != r);
            stored = v.record().to_bytes();
            model.check(v.record())?;
        }
    }

    #[test]
    fn hotp_record_agrees_with_model(p in model_policy(), start in 0u64..1000, ops in attempts()) {
        let hotp = Hotp::new(KEY, HotpParams::default()).unwrap();
        let policy = p.policy();
        let mut model = Model::new(start);
        let mut stored = StateRecord::counter(start).to_bytes();
        let mut now = 1_000_000u64;
        let mut last_code = hotp.generate(start).to_string();
        for (i, &(dt, send)) in ops.iter().enumerate() {
            now += dt;
            let r = StateRecord::from_bytes(&stored).unwrap();
            let next = r.next_counter();
            let (expected, v) = match send {
                Send::Offset(k) | Send::Resync(k) if next.checked_add_signed(i64::from(k) - 1).is_none() => continue,
                Send::Offset(k) => {
                    let code = hotp.generate(next.checked_add_signed(i64::from(k)).unwrap()).to_string();
                    (model.hotp(&hotp, &p, now, &code), r.verify_hotp(&hotp, &policy, now, &code))
                }
                Send::Random(n) => {
                    let code = format!("{n:06}");
                    (model.hotp(&hotp, &p, now, &code), r.verify_hotp(&hotp, &policy, now, &code))
                }
                Send::Last => (model.hotp(&hotp, &p, now, &last_code), r.verify_hotp(&hotp, &policy, now, &last_code)),
                Send::Malformed => {
                    let v = r.verify_hotp(&hotp, &policy, now, "12x456");
                    let expected = model.locked(now).unwrap_or(Outcome::Malformed);
                    (expected, v)
                }
                Send::Resync(_) => continue,
                Send::Unlock => {
                    model.failures = 0;
                    model.locked_until = 0;
                    stored = r.unlock().to_bytes();
                    continue;
                }
            };
            prop_assert_eq!(outcome(v.result()), expected, "attempt #{} {:?} at {}", i, send, now);
            if let Outcome::Accepted { matched, .. } = expected {
                last_code = hotp.generate(matched).to_string();
            }
            prop_assert_eq!(v.is_changed(), *v.record() != r);
            stored = v.record().to_bytes();
            model.check(v.record())?;
        }
    }

    #[test]
    fn record_from_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(r) = StateRecord::from_bytes(&bytes) {
            // Whatever decodes re-encodes to the same bytes.
            prop_assert_eq!(&r.to_bytes()[..], &bytes[..]);
        }
    }

    #[test]
    fn verification_never_panics_on_extreme_state(
        kind in 1u8..3,
        next in prop_oneof![Just(0u64), Just(1), Just(u64::MAX), Just(u64::MAX - 1), any::<u64>()],
        drift in prop_oneof![Just(0i64), Just(i64::MIN), Just(i64::MAX), -2000i64..2000],
        failures in prop_oneof![Just(0u32), Just(u32::MAX), any::<u32>()],
        until in prop_oneof![Just(0u64), Just(u64::MAX), Just(u64::MAX - 1), any::<u64>()],
        now in prop_oneof![Just(0u64), Just(u64::MAX), Just(u64::MAX - 1), any::<u64>()],
        p in model_policy(),
        max_drift in prop_oneof![Just(0u32), Just(1000), Just(1001), 0u32..8],
        code in 0u32..1_000_000,
    ) {
        let drift = if kind == 1 { 0 } else { drift };
        let r = StateRecord::from_bytes(&forge(kind, next, drift, failures, until)).unwrap();
        let policy = Policy { max_drift, window: Window::new(p.behind, p.ahead).unwrap(), ..p.policy() };
        let totp = Totp::new(KEY, TotpParams { period: 1, ..TotpParams::default() }).unwrap();
        let hotp = Hotp::new(KEY, HotpParams::default()).unwrap();
        let code = format!("{code:06}");
        for v in [
            r.verify_totp(&totp, &policy, now, &code),
            r.resync_totp(&totp, &policy, now, &[&code, &code]),
            r.verify_hotp(&hotp, &policy, now, &code),
            r.resync_hotp(&hotp, &policy, now, &[&code, &code, &code]),
        ] {
            let back = StateRecord::from_bytes(&v.record().to_bytes()).unwrap();
            prop_assert_eq!(&back, v.record());
            let _ = v.record().throttle().check(now);
        }
    }

    #[test]
    fn totp_resync_never_panics(
        center in prop_oneof![Just(0u64), Just(1), Just(u64::MAX), any::<u64>()],
        last in prop::option::of(prop_oneof![Just(0u64), Just(u64::MAX), any::<u64>()]),
        behind in 0u32..5,
        ahead in 0u32..5,
        n in 2usize..9,
    ) {
        let totp = Totp::new(KEY, TotpParams::default()).unwrap();
        let codes: Vec<String> = (0..n as u64).map(|k| totp.generate_step(center.wrapping_add(k)).to_string()).collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        let _ = totp.resync_step_uncommitted(&codes, center, last, Window::new(behind, ahead).unwrap());
    }

    #[test]
    fn record_decodes_only_valid_fields(kind in 0u8..4, next: u64, drift: i64, failures: u32, until: u64) {
        let b = forge(kind, next, drift, failures, until);
        let valid = kind == 2 || (kind == 1 && drift == 0);
        match StateRecord::from_bytes(&b) {
            Ok(r) => {
                prop_assert!(valid);
                // Written back as version 2: the same fields after a legacy (zero) enrolment id.
                let v2 = r.to_bytes();
                prop_assert_eq!((v2.len(), v2[0], v2[1]), (50, 2, b[1]));
                prop_assert_eq!(&v2[2..18], &[0u8; 16][..]);
                prop_assert_eq!(&v2[18..46], &b[2..30]);
                prop_assert_eq!(StateRecord::from_bytes(&v2), Ok(r));
                prop_assert_eq!((r.next_counter(), r.drift(), r.throttle().failures()), (next, drift, failures));
            }
            Err(e) => prop_assert!(!valid, "{e}"),
        }
    }
}
