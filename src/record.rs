//! The server-side state of one token, and verification through it: throttling, replay,
//! drift, and a versioned byte encoding.

mod encoding;
mod error;
mod ocra;
mod resync;
#[cfg(feature = "serde")]
mod serde;

use core::fmt;

pub use error::StateError;

use crate::{Error, Hotp, ThrottlePolicy, ThrottleState, Totp, TotpMatch, Window};

/// Which moving factor a [`StateRecord`] keeps.
///
/// HOTP and OCRA counter suites (`C` in the suite) use [`Counter`](Self::Counter); TOTP and
/// OCRA time suites (`T…`) use [`TimeStep`](Self::TimeStep).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordKind {
    /// An event counter (RFC 4226): the record keeps the next counter expected.
    Counter,
    /// A time step (RFC 6238): the record keeps the last step accepted and the clock drift.
    TimeStep,
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordKind::Counter => "counter",
            RecordKind::TimeStep => "time step",
        })
    }
}

/// The server's verification policy for one kind of token.
///
/// # Examples
///
/// ```
/// use otpkit::{Policy, ThrottlePolicy, Window};
///
/// let strict = Policy {
///     throttle: ThrottlePolicy::lockout(3),
///     window: Window::symmetric(1)?,
///     max_drift: 4,
///     ..Policy::default()
/// };
/// assert_eq!(strict.look_ahead, Policy::default().look_ahead);
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    /// Throttling of failed attempts (RFC 4226 §7.3).
    pub throttle: ThrottlePolicy,
    /// TOTP and OCRA time suites: the steps checked around the expected step (current step +
    /// stored drift).
    ///
    /// With drift tracking on, keep at least one step on each side: the window follows the
    /// recorded drift, and a side of 0 could leave the token's current step outside it.
    pub window: Window,
    /// TOTP and OCRA time suites: the cap on clock drift in steps, at most [`Window::MAX`]. No
    /// step further than this from the server's current step is ever accepted, and once the
    /// stored drift reaches it, verification answers [`StateError::ResyncNeeded`] until a
    /// multi-code [`resync_totp`](StateRecord::resync_totp). 0 turns drift tracking off: the
    /// window is centred on the current step and no drift is recorded.
    pub max_drift: u32,
    /// HOTP and OCRA counter suites: how many counters past the expected one a code may be
    /// (RFC 4226 §7.4 `s - 1`), at most [`Hotp::MAX_LOOK_AHEAD`].
    pub look_ahead: u32,
    /// HOTP: how many counters [`resync_hotp`](StateRecord::resync_hotp) searches, at most
    /// [`Hotp::MAX_RESYNC_WINDOW`].
    pub resync_window: u32,
}

impl Default for Policy {
    /// Default throttling; TOTP: one step each side (RFC 6238 §5.2 allows one step back for
    /// transmission delay; one step ahead lets the record follow a fast clock), drift capped at
    /// 10 steps; HOTP: 5 counters of look-ahead, resynchronisation over 100.
    fn default() -> Self {
        Policy {
            throttle: ThrottlePolicy::default(),
            window: match Window::symmetric(1) {
                Ok(w) => w,
                Err(_) => Window::EXACT,
            },
            max_drift: 10,
            look_ahead: 5,
            resync_window: 100,
        }
    }
}

/// The persisted server-side state of one token: the moving factor already used, the clock
/// drift, and the throttling state.
///
/// Verify through the record, never around it: [`verify_totp`](Self::verify_totp),
/// [`verify_hotp`](Self::verify_hotp), [`verify_ocra_counter`](Self::verify_ocra_counter) and
/// [`verify_ocra_time`](Self::verify_ocra_time) consult the throttle first (a locked token is
/// refused before its code is looked at), centre time-step windows on the recorded drift,
/// refuse replays, count failures, and return a [`Verification`] holding the record to store
/// next. The record is a plain `Copy` value; store it as bytes ([`to_bytes`](Self::to_bytes),
/// [`from_bytes`](Self::from_bytes)) or, with the `serde` feature, through serde.
///
/// # Exactly once
///
/// A code is one-time only if two requests carrying it cannot both pass. Keep the record in a
/// store with a conditional update (a compare-and-swap), and for every attempt:
///
/// 1. read the stored bytes and decode them;
/// 2. verify in memory: `record.verify_totp(..)` gives the new record and the outcome;
/// 3. if [`Verification::is_changed`], write the new bytes **only if the stored bytes are still
///    the ones read** (`UPDATE … SET state = :new WHERE id = :id AND state = :old`);
/// 4. if no row was updated, another request committed first: go back to 1 (a retry with the
///    same code then sees a [`Error::Replay`]); otherwise act on the outcome.
///
/// Act on an acceptance only after the write succeeded. A crash before the write loses the
/// attempt (nobody was let in, and the stored state is untouched); a crash after it leaves the
/// code spent. Comparing the whole record, not only the last accepted step, also keeps the
/// failure count exact when wrong codes arrive in parallel. `examples/verify_server.rs` does
/// this with SQLite.
///
/// # Examples
///
/// ```
/// use otpkit::{Error, Policy, StateRecord, Totp, TotpParams};
///
/// let totp = Totp::new(b"12345678901234567890", TotpParams::default())?;
/// let policy = Policy::default();
/// let stored = StateRecord::time_step().to_bytes(); // at enrolment
///
/// // A login at unix time 1_000_000_000:
/// let now = 1_000_000_000;
/// let code = totp.generate_at(now)?;
/// let record = StateRecord::from_bytes(&stored)?;
/// let v = record.verify_totp(&totp, &policy, now, code.as_str());
/// // ... conditional write of v.record().to_bytes() here, then:
/// let accepted = v.result()?;
/// assert_eq!(accepted.drift, 0);
///
/// // The same code again is a replay, and changes nothing.
/// let again = v.record().verify_totp(&totp, &policy, now, code.as_str());
/// assert_eq!(again.result(), Err(Error::Replay));
/// assert!(!again.is_changed());
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StateRecord {
    kind: RecordKind,
    /// The lowest counter or step still acceptable: HOTP's next counter; for TOTP the last
    /// accepted step + 1, 0 when none was accepted.
    next: u64,
    /// TOTP: accepted step - server step at the last acceptance; 0 for counters.
    drift: i64,
    throttle: ThrottleState,
}

/// A successful verification: which counter or step matched, and the drift.
///
/// Valid only once the [`Verification::record`] it came with is committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Accepted {
    /// The counter (HOTP) or time step (TOTP) whose code matched.
    pub matched: u64,
    /// TOTP: the token's clock drift, `matched` minus the server's current step, now stored in
    /// the record. HOTP: how many counters the token had run ahead of the expected one.
    pub drift: i64,
}

/// The outcome of one attempt and the record to store afterwards.
///
/// The record changes on acceptance (the factor moves past the code) and on a wrong code (one
/// more failure, maybe a lock). It stays as it was when the attempt was refused before
/// evaluation (throttled, resynchronisation needed), for a replay, and for malformed input.
///
/// # Examples
///
/// ```
/// use otpkit::{Error, Hotp, HotpParams, Policy, StateRecord};
///
/// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
/// let record = StateRecord::counter(0);
/// let v = record.verify_hotp(&hotp, &Policy::default(), 0, "000000");
/// assert_eq!(v.result(), Err(Error::Mismatch));
/// assert!(v.is_changed()); // one failure to store
/// let (next, result) = v.into_parts();
/// assert_eq!((next.throttle().failures(), result), (1, Err(Error::Mismatch)));
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "store `record()` with a conditional update before acting on `result()`, or a code can be accepted twice"]
pub struct Verification {
    record: StateRecord,
    changed: bool,
    result: Result<Accepted, Error>,
}

impl Verification {
    pub(crate) fn unchanged(record: StateRecord, error: Error) -> Verification {
        Verification {
            record,
            changed: false,
            result: Err(error),
        }
    }

    /// The record to store: commit it (if [`is_changed`](Self::is_changed)) before acting on
    /// [`result`](Self::result).
    #[must_use]
    pub const fn record(&self) -> &StateRecord {
        &self.record
    }

    /// Whether the record differs from the one verified against, so must be written.
    #[must_use]
    pub const fn is_changed(&self) -> bool {
        self.changed
    }

    /// Whether the code was accepted (valid only once the record is committed).
    #[must_use]
    pub const fn is_accepted(&self) -> bool {
        self.result.is_ok()
    }

    /// The outcome: valid only once the record is committed.
    ///
    /// # Errors
    ///
    /// Whatever the verifier returned: see [`StateRecord::verify_totp`] and
    /// [`StateRecord::verify_hotp`].
    pub const fn result(&self) -> Result<Accepted, Error> {
        self.result
    }

    /// The record to store and the outcome.
    #[must_use = "store the record before acting on the outcome"]
    pub const fn into_parts(self) -> (StateRecord, Result<Accepted, Error>) {
        (self.record, self.result)
    }
}

impl StateRecord {
    /// A record for an event counter (HOTP, OCRA counter suites) whose next expected counter
    /// is `next_counter` (0 for a new token, or the counter given at provisioning).
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{RecordKind, StateRecord};
    ///
    /// let r = StateRecord::counter(0);
    /// assert_eq!((r.kind(), r.next_counter(), r.last_accepted()), (RecordKind::Counter, 0, None));
    /// ```
    #[must_use]
    pub const fn counter(next_counter: u64) -> StateRecord {
        StateRecord {
            kind: RecordKind::Counter,
            next: next_counter,
            drift: 0,
            throttle: ThrottleState::new(),
        }
    }

    /// A record for a time-based token (TOTP, OCRA time suites): nothing accepted yet, no drift.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{RecordKind, StateRecord};
    ///
    /// let r = StateRecord::time_step();
    /// assert_eq!((r.kind(), r.last_accepted(), r.drift()), (RecordKind::TimeStep, None, 0));
    /// ```
    #[must_use]
    pub const fn time_step() -> StateRecord {
        StateRecord {
            kind: RecordKind::TimeStep,
            next: 0,
            drift: 0,
            throttle: ThrottleState::new(),
        }
    }

    /// Which moving factor the record keeps.
    #[must_use]
    pub const fn kind(&self) -> RecordKind {
        self.kind
    }

    /// The lowest counter or time step whose code is still acceptable; codes for anything
    /// lower are replays. For a counter record, the next counter expected.
    #[must_use]
    pub const fn next_counter(&self) -> u64 {
        self.next
    }

    /// The last counter or step accepted (for a counter record created at counter `n > 0`,
    /// `n - 1`), `None` when there is none.
    #[must_use]
    pub const fn last_accepted(&self) -> Option<u64> {
        self.next.checked_sub(1)
    }

    /// The recorded clock drift in time steps (0 for counter records): the next TOTP window is
    /// centred on the current step plus this.
    #[must_use]
    pub const fn drift(&self) -> i64 {
        self.drift
    }

    /// The throttling state.
    #[must_use]
    pub const fn throttle(&self) -> ThrottleState {
        self.throttle
    }

    /// An administrator's reset of the throttling state: failures forgotten, lock lifted.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Error, Hotp, HotpParams, Policy, StateError, StateRecord, ThrottlePolicy};
    ///
    /// let hotp = Hotp::new(&[3; 20], HotpParams::default())?;
    /// let policy = Policy { throttle: ThrottlePolicy::lockout(1), ..Policy::default() };
    /// let wrong = if hotp.generate(0).as_str() == "000000" { "111111" } else { "000000" };
    /// let (r, _) = StateRecord::counter(0).verify_hotp(&hotp, &policy, 10, wrong).into_parts();
    /// let v = r.verify_hotp(&hotp, &policy, 20, hotp.generate(0).as_str());
    /// assert_eq!(v.result(), Err(Error::State(StateError::LockedOut)));
    /// let v = r.unlock().verify_hotp(&hotp, &policy, 20, hotp.generate(0).as_str());
    /// assert!(v.is_accepted());
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    #[must_use = "store the new record"]
    pub const fn unlock(self) -> StateRecord {
        StateRecord {
            throttle: self.throttle.reset(),
            ..self
        }
    }

    /// An administrator's reset of the recorded drift to 0 (for a token whose clock was set
    /// right again), leaving replay and throttling state as they are.
    #[must_use = "store the new record"]
    pub const fn reset_drift(self) -> StateRecord {
        StateRecord { drift: 0, ..self }
    }

    /// Refusals that come from the stored state alone, before any code is looked at.
    pub(crate) fn precheck(&self, expected: RecordKind, now: u64) -> Result<(), Error> {
        if self.kind != expected {
            return Err(Error::State(StateError::WrongKind {
                record: self.kind,
                expected,
            }));
        }
        self.throttle.check(now)
    }

    /// The record after a verifier's answer: success moves the factor and resets the
    /// throttle, a wrong code counts as a failure, anything else leaves the record alone.
    pub(crate) fn settle(
        self,
        policy: &Policy,
        now: u64,
        outcome: Result<(u64, i64, i64), Error>,
    ) -> Verification {
        match outcome {
            Ok((matched, drift, stored_drift)) => match matched.checked_add(1) {
                Some(next) => Verification {
                    record: StateRecord {
                        next,
                        drift: stored_drift,
                        throttle: self.throttle.after_success(),
                        ..self
                    },
                    changed: true,
                    result: Ok(Accepted { matched, drift }),
                },
                // The last value could never be recorded as used.
                None => Verification::unchanged(self, Error::CounterOverflow),
            },
            Err(Error::Mismatch) => {
                let record = StateRecord {
                    throttle: self.throttle.after_failure(&policy.throttle, now),
                    ..self
                };
                Verification {
                    changed: record != self,
                    record,
                    result: Err(Error::Mismatch),
                }
            }
            // A replay proves knowledge of a real code: not a guessing failure (see
            // `ThrottleState`). Malformed input and configuration errors evaluated nothing.
            Err(e) => Verification::unchanged(self, e),
        }
    }

    /// Verifies an HOTP `code` received at Unix time `now` against this counter record, within
    /// `policy.look_ahead` counters of the next expected one (RFC 4226 §7.4).
    ///
    /// The throttle is consulted first; on acceptance the record expects the counter after the
    /// matched one and the failures are reset; a wrong code counts as a failure; a replay (the
    /// last accepted counter's code) changes nothing. Store [`Verification::record`] before
    /// acting on the outcome (see [Exactly once](Self#exactly-once)).
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Error, Hotp, HotpParams, Policy, StateRecord};
    ///
    /// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
    /// let v = StateRecord::counter(0).verify_hotp(&hotp, &Policy::default(), 0, "359152");
    /// assert_eq!(v.result()?.matched, 2);
    /// assert_eq!(v.record().next_counter(), 3);
    /// let again = v.record().verify_hotp(&hotp, &Policy::default(), 0, "359152");
    /// assert_eq!(again.result(), Err(Error::Replay));
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// In [`Verification::result`]:
    /// - [`StateError::WrongKind`] for a time-step record;
    /// - [`StateError::Throttled`] or [`StateError::LockedOut`] while locked (code not
    ///   evaluated);
    /// - [`Error::Mismatch`] for a wrong code (counted), [`Error::Replay`] for the last
    ///   accepted counter's code (not counted). Codes of older counters are not recomputed
    ///   ([`Hotp::verify`]), so they are wrong codes here and count as failures;
    /// - as [`Hotp::verify`] for malformed codes, an oversized look-ahead or an exhausted
    ///   counter.
    pub fn verify_hotp(&self, hotp: &Hotp, policy: &Policy, now: u64, code: &str) -> Verification {
        if let Err(e) = self.precheck(RecordKind::Counter, now) {
            return Verification::unchanged(*self, e);
        }
        let outcome = hotp
            .verify(code, self.next, policy.look_ahead)
            .map(|m| (m.counter, i64::try_from(m.drift).unwrap_or(i64::MAX), 0));
        self.settle(policy, now, outcome)
    }

    /// Resynchronises an HOTP token that ran past the look-ahead (RFC 4226 §7.4): 2 to
    /// [`Hotp::MAX_RESYNC_CODES`] codes the token produced in a row, searched over
    /// `policy.resync_window` counters from the next expected one.
    ///
    /// Throttled like a login: a failed resynchronisation counts as one failure.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Hotp, HotpParams, Policy, StateRecord};
    ///
    /// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
    /// let codes = ["162583", "399871"];
    /// let v = StateRecord::counter(0).resync_hotp(&hotp, &Policy::default(), 0, &codes);
    /// assert_eq!(v.result()?.matched, 8);
    /// assert_eq!(v.record().next_counter(), 9);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// In [`Verification::result`]: as [`verify_hotp`](Self::verify_hotp), and as
    /// [`Hotp::resync`].
    pub fn resync_hotp(
        &self,
        hotp: &Hotp,
        policy: &Policy,
        now: u64,
        codes: &[&str],
    ) -> Verification {
        if let Err(e) = self.precheck(RecordKind::Counter, now) {
            return Verification::unchanged(*self, e);
        }
        let outcome = hotp
            .resync(codes, self.next, policy.resync_window)
            .map(|m| (m.counter, i64::try_from(m.drift).unwrap_or(i64::MAX), 0));
        self.settle(policy, now, outcome)
    }

    /// Verifies a TOTP `code` received at Unix time `now` against this time-step record.
    ///
    /// In order: the throttle is consulted (a locked token is refused without evaluating the
    /// code); a stored drift at the policy's cap answers [`StateError::ResyncNeeded`]; then the
    /// steps of `policy.window` around `current step + stored drift` are checked in constant
    /// time ([`Totp::verify_step`]), leaving out any step more than `policy.max_drift` from the
    /// current step. On acceptance the record stores the step (so it and every earlier step
    /// are refused from then on, RFC 6238 §5.2) and the new drift (RFC 6238 §6), and resets
    /// the failures; a wrong code counts as a failure; a replay changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Policy, StateRecord, Totp, TotpParams};
    ///
    /// let totp = Totp::new(&[7; 20], TotpParams::default())?;
    /// let policy = Policy::default(); // one step each side, drift capped at 10 steps
    /// let now = 1_700_000_000;
    /// let step = totp.step_at(now)?;
    /// // The token's clock runs one step fast.
    /// let code = totp.generate_step(step + 1);
    /// let v = StateRecord::time_step().verify_totp(&totp, &policy, now, code.as_str());
    /// assert_eq!(v.record().drift(), 1);
    /// // Later it runs two steps fast: still inside the window centred on the stored drift.
    /// let later = now + 3000;
    /// let step = totp.step_at(later)?;
    /// let code = totp.generate_step(step + 2);
    /// let v = v.record().verify_totp(&totp, &policy, later, code.as_str());
    /// assert_eq!(v.result()?.drift, 2);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// In [`Verification::result`]:
    /// - [`StateError::WrongKind`] for a counter record;
    /// - [`StateError::Throttled`] or [`StateError::LockedOut`] while locked (code not
    ///   evaluated);
    /// - [`StateError::ResyncNeeded`] when the stored drift has reached `policy.max_drift` (code
    ///   not evaluated; use [`resync_totp`](Self::resync_totp));
    /// - [`Error::WindowTooLarge`] when `policy.max_drift` exceeds [`Window::MAX`];
    /// - [`Error::Mismatch`] for a wrong code (counted), [`Error::Replay`] for a used one (not
    ///   counted);
    /// - as [`Totp::verify_step`] for malformed codes and times before T0.
    pub fn verify_totp(&self, totp: &Totp, policy: &Policy, now: u64, code: &str) -> Verification {
        self.verify_time(policy, now, |record| {
            let current = totp.step_at(now)?;
            Ok((
                current,
                record.scan_drift_window(current, policy, |center, last, window| {
                    totp.verify_step(code, center, last, window)
                })?,
            ))
        })
    }

    /// The time-step rules shared by TOTP and OCRA time suites: `verify` finds the current
    /// step and the matched step, through [`scan_drift_window`](Self::scan_drift_window).
    pub(crate) fn verify_time(
        &self,
        policy: &Policy,
        now: u64,
        verify: impl FnOnce(&StateRecord) -> Result<(u64, u64), Error>,
    ) -> Verification {
        if let Err(e) = self.precheck(RecordKind::TimeStep, now) {
            return Verification::unchanged(*self, e);
        }
        if policy.max_drift > Window::MAX {
            return Verification::unchanged(*self, Error::WindowTooLarge { max: Window::MAX });
        }
        let cap = i64::from(policy.max_drift);
        if cap > 0 && self.drift.unsigned_abs() >= cap.unsigned_abs() {
            return Verification::unchanged(
                *self,
                Error::State(StateError::ResyncNeeded { drift: self.drift }),
            );
        }
        let outcome = verify(self).map(|(current, step)| {
            let drift = step_drift(step, current);
            (step, drift, if cap > 0 { drift } else { 0 })
        });
        self.settle(policy, now, outcome)
    }

    /// Runs a step verifier over the window centred on `current + stored drift` and clipped
    /// to the drift cap; returns the matched step.
    pub(crate) fn scan_drift_window(
        &self,
        current: u64,
        policy: &Policy,
        verify: impl FnOnce(u64, Option<u64>, Window) -> Result<TotpMatch, Error>,
    ) -> Result<u64, Error> {
        let (center, window) = drift_window(current, self.drift, policy)?;
        Ok(verify(center, self.last_accepted(), window)?.step)
    }

    /// Resynchronises a TOTP token (RFC 6238 §6): 2 to [`Totp::MAX_RESYNC_CODES`] codes the
    /// token showed in consecutive steps, oldest first, the last of them within
    /// `policy.max_drift` steps of the server's current step. On success the drift is recorded
    /// afresh; the stored drift is ignored, so this is the way out of
    /// [`StateError::ResyncNeeded`].
    ///
    /// Throttled like a login: a failed resynchronisation counts as one failure, a replayed one
    /// (a run that starts at or before the last accepted step) does not. If the drift
    /// found is again at the cap, the token is accepted this once, and the next login asks for
    /// resynchronisation again: its clock needs setting.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Policy, StateRecord, Totp, TotpParams};
    ///
    /// let totp = Totp::new(&[7; 20], TotpParams::default())?;
    /// let now = 1_700_000_000;
    /// let step = totp.step_at(now)?;
    /// // The token's clock runs 6 steps (3 minutes) slow.
    /// let (a, b) = (totp.generate_step(step - 7), totp.generate_step(step - 6));
    /// let codes = [a.as_str(), b.as_str()];
    /// let v = StateRecord::time_step().resync_totp(&totp, &Policy::default(), now, &codes);
    /// assert_eq!(v.result()?.drift, -6);
    /// assert_eq!(v.record().drift(), -6);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// In [`Verification::result`]: as [`verify_totp`](Self::verify_totp) except
    /// [`StateError::ResyncNeeded`], and as [`Totp::resync_step`].
    pub fn resync_totp(
        &self,
        totp: &Totp,
        policy: &Policy,
        now: u64,
        codes: &[&str],
    ) -> Verification {
        if let Err(e) = self.precheck(RecordKind::TimeStep, now) {
            return Verification::unchanged(*self, e);
        }
        let outcome = totp.step_at(now).and_then(|current| {
            let window = Window::symmetric(policy.max_drift)?;
            let m = totp.resync_step(codes, current, self.last_accepted(), window)?;
            let drift = step_drift(m.step, current);
            Ok((m.step, drift, if policy.max_drift > 0 { drift } else { 0 }))
        });
        self.settle(policy, now, outcome)
    }
}

/// `step - current` in steps; both come from a window of at most `Window::MAX` steps.
fn step_drift(step: u64, current: u64) -> i64 {
    i64::try_from(i128::from(step) - i128::from(current)).unwrap_or(0)
}

/// The centre (current step + drift) and the policy window clipped to
/// `current ± policy.max_drift` (unclipped when drift tracking is off).
fn drift_window(current: u64, drift: i64, policy: &Policy) -> Result<(u64, Window), Error> {
    if policy.max_drift == 0 {
        return Ok((current, policy.window));
    }
    let center = current
        .checked_add_signed(drift)
        .ok_or(Error::WindowOutOfRange)?;
    let cap = u64::from(policy.max_drift);
    let low = current.saturating_sub(cap);
    let high = current.saturating_add(cap);
    let clip = |room: u64, side: u32| u32::try_from(room).map_or(side, |r| r.min(side));
    let window = Window::new(
        clip(center.saturating_sub(low), policy.window.behind()),
        clip(high.saturating_sub(center), policy.window.ahead()),
    )?;
    Ok((center, window))
}
