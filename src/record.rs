//! The server-side state of one token, and verification through it: throttling, replay,
//! drift, and a versioned byte encoding.

mod encoding;
mod enrolment;
mod error;
mod ocra;
mod resync;
#[cfg(feature = "serde")]
mod serde;

use core::fmt;

pub use encoding::RecordBytes;
pub use error::StateError;

use crate::{EnrolmentId, Error, Hotp, ThrottlePolicy, ThrottleState, Totp, TotpMatch, Window};

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
    /// TOTP and OCRA time suites: the largest clock drift tolerated, in steps either way, at
    /// most [`Window::MAX`]. The window is clipped to the server's current step ± this, so no
    /// code further away is ever accepted and the stored drift never exceeds it. A record whose
    /// stored drift does exceed it (the policy was tightened since) answers
    /// [`StateError::ResyncNeeded`] until a multi-code
    /// [`resync_totp_uncommitted`](StateRecord::resync_totp_uncommitted). 0 turns drift
    /// tracking off: the window is centred on the current step and no drift is recorded.
    pub max_drift: u32,
    /// HOTP and OCRA counter suites: how many counters past the expected one a code may be
    /// (RFC 4226 §7.4 `s - 1`), at most [`Hotp::MAX_LOOK_AHEAD`].
    pub look_ahead: u32,
    /// HOTP: how many counters [`resync_hotp_uncommitted`](StateRecord::resync_hotp_uncommitted) searches, at most
    /// [`Hotp::MAX_RESYNC_WINDOW`].
    pub resync_window: u32,
    /// TOTP: how far from the server's current step, in steps either way, a
    /// [`resync_totp_uncommitted`](StateRecord::resync_totp_uncommitted) may find the token's
    /// clock (the step of its last code); never more than `max_drift`.
    ///
    /// A resynchronisation accepts any run of consecutive unused codes inside this range, so
    /// codes phished together stay usable for this many steps: keep it as small as the tokens
    /// allow.
    pub resync_max_drift: u32,
}

impl Default for Policy {
    /// Default throttling; TOTP: one step each side (RFC 6238 §5.2 allows one step back for
    /// transmission delay; one step ahead lets the record follow a fast clock), drift tolerated
    /// up to 10 steps, resynchronisation within 4 steps (2 minutes at 30 s) of the server's
    /// clock; HOTP: 5 counters of look-ahead, resynchronisation over 100.
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
            resync_max_drift: 4,
        }
    }
}

/// The persisted server-side state of one token: the moving factor already used, the clock
/// drift, and the throttling state.
///
/// Verify through a [`store::Verifier`](crate::store::Verifier): it loads the record, verifies
/// through it, commits the new record with a compare-and-swap and only then returns the
/// outcome. The record's own verifiers ([`verify_totp_uncommitted`](Self::verify_totp_uncommitted),
/// [`verify_hotp_uncommitted`](Self::verify_hotp_uncommitted),
/// [`verify_ocra_counter_uncommitted`](Self::verify_ocra_counter_uncommitted),
/// [`verify_ocra_time_uncommitted`](Self::verify_ocra_time_uncommitted) and the resynchronisers)
/// are the pieces it is made of, for callers who run their own transactions: they consult the
/// throttle first (a locked token is refused before its code is looked at), centre time-step
/// windows on the recorded drift, refuse replays, count failures, and return an
/// [`Uncommitted`] that gives the outcome only after the record it holds is committed. The
/// record is a plain `Copy` value; store it as bytes ([`to_bytes`](Self::to_bytes),
/// [`from_bytes`](Self::from_bytes)) or, with the `serde` feature, through serde.
///
/// Every verifier takes `now`, the server's clock in Unix seconds: it sets the TOTP step and
/// the throttle alike. Never take it from the request.
///
/// # Exactly once
///
/// A code is one-time only if two requests carrying it cannot both pass. Keep the record in a
/// store with a conditional update (a compare-and-swap), and for every attempt:
///
/// 1. read the stored bytes and decode them;
/// 2. verify in memory: `record.verify_totp_uncommitted(..)` gives an [`Uncommitted`];
/// 3. if [`Uncommitted::record_to_commit`] is `Some`, write the new bytes **only if the stored
///    bytes are still the ones read** (`UPDATE … SET state = :new WHERE id = :id AND state =
///    :old`);
/// 4. if no row was updated, another request committed first: go back to 1 (a retry with the
///    same code then sees a [`Error::Replay`]); otherwise act on
///    [`Uncommitted::into_outcome_after_commit`].
///
/// Act on an acceptance only after the write succeeded. A crash before the write loses the
/// attempt (nobody was let in, and the stored state is untouched); a crash after it leaves the
/// code spent. Comparing the whole record, not only the last accepted step, also keeps the
/// failure count exact when wrong codes arrive in parallel.
/// [`store::Verifier`](crate::store::Verifier) is this loop, over any
/// [`store::Store`](crate::store::Store).
///
/// # Examples
///
/// ```
/// use otpkit::{Error, Policy, StateRecord, Totp, TotpParams};
///
/// let totp = Totp::new(b"12345678901234567890", TotpParams::default())?;
/// let policy = Policy::default();
/// let mut stored = StateRecord::time_step().to_bytes(); // at enrolment
///
/// // A login at unix time 1_000_000_000:
/// let now = 1_000_000_000;
/// let code = totp.generate_at(now)?;
/// let read = stored;
/// let attempt = StateRecord::from_bytes(&read)?.verify_totp_uncommitted(&totp, &policy, now, &code);
/// let outcome = attempt.commit_with(|new| {
///     // A conditional write: only if the stored bytes are still the ones read.
///     if stored != read {
///         return Err("lost a race: read again");
///     }
///     stored = new.to_bytes();
///     Ok(())
/// });
/// assert_eq!(outcome.map(|o| o.map(|a| a.drift)), Ok(Ok(0)));
///
/// // The same code again is a replay, and changes nothing.
/// let again = StateRecord::from_bytes(&stored)?.verify_totp_uncommitted(&totp, &policy, now, &code);
/// assert!(again.record_to_commit().is_none());
/// assert_eq!(again.into_outcome_after_commit(), Err(Error::Replay));
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
    /// The enrolment this record belongs to ([`EnrolmentId::LEGACY`] until one is given).
    enrolment: EnrolmentId,
}

/// A successful verification: which counter or step matched, and the drift.
///
/// Valid only once the [`Uncommitted::record_to_commit`] it came with is committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Accepted {
    /// The counter (HOTP) or time step (TOTP) whose code matched.
    pub matched: u64,
    /// TOTP: the token's clock drift, `matched` minus the server's current step, now stored in
    /// the record. HOTP: how many counters the token had run ahead of the expected one.
    pub drift: i64,
}

/// The outcome of one attempt, held back until the record it produced is committed.
///
/// The `*_uncommitted` verifiers of [`StateRecord`] return this. It is neither `Copy` nor
/// `Clone`, and its outcome is reachable only through
/// [`into_outcome_after_commit`](Self::into_outcome_after_commit) or
/// [`commit_with`](Self::commit_with), whose names say what must happen first: store
/// [`record_to_commit`](Self::record_to_commit) (when it is `Some`) with a conditional update,
/// then read the outcome. [`store::Verifier`](crate::store::Verifier) does all of this for you;
/// use `Uncommitted` only inside a transaction of your own.
///
/// The record changes on acceptance (the factor moves past the code) and on a wrong code (one
/// more failure, maybe a lock). Nothing needs committing when the attempt was refused before
/// evaluation (throttled, resynchronisation needed), for a replay, and for malformed input.
///
/// # Examples
///
/// ```
/// use otpkit::{Error, Hotp, HotpParams, Policy, StateRecord};
///
/// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
/// let mut stored = StateRecord::counter(0);
/// let attempt = stored.verify_hotp_uncommitted(&hotp, &Policy::default(), 0, "000000");
/// // One failure to store before the outcome can be read.
/// let outcome = attempt.commit_with(|new| {
///     stored = *new; // in a real server: UPDATE ... WHERE state = :old
///     Ok::<(), core::convert::Infallible>(())
/// });
/// assert_eq!(outcome, Ok(Err(Error::Mismatch)));
/// assert_eq!(stored.throttle().failures(), 1);
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Debug, PartialEq, Eq)]
#[must_use = "commit `record_to_commit()`, then read `into_outcome_after_commit()`; or use `store::Verifier`"]
pub struct Uncommitted {
    record: StateRecord,
    changed: bool,
    result: Result<Accepted, Error>,
}

impl Uncommitted {
    pub(crate) fn unchanged(record: StateRecord, error: Error) -> Uncommitted {
        Uncommitted {
            record,
            changed: false,
            result: Err(error),
        }
    }

    /// The record to store before the outcome may be acted on, or `None` when the attempt
    /// changed nothing (so nothing needs committing).
    #[must_use]
    pub const fn record_to_commit(&self) -> Option<&StateRecord> {
        if self.changed {
            Some(&self.record)
        } else {
            None
        }
    }

    /// The outcome, for a caller who has committed [`record_to_commit`](Self::record_to_commit)
    /// (or found it `None`).
    ///
    /// Reading it before the commit is what makes a code acceptable twice: two requests with
    /// the same code both read the old record, both see an acceptance, and only one write
    /// wins.
    ///
    /// # Errors
    ///
    /// Whatever the verifier returned: see [`StateRecord::verify_totp_uncommitted`] and its
    /// siblings.
    pub const fn into_outcome_after_commit(self) -> Result<Accepted, Error> {
        self.result
    }

    /// Commits through `write` (called only when something needs committing), then gives the
    /// outcome; a failed write gives its error and no outcome.
    ///
    /// `write` must store the record only if the stored one is still the record verified
    /// against (a compare-and-swap), and fail otherwise.
    ///
    /// # Errors
    ///
    /// The outer `Err` is `write`'s error; the inner result is the outcome, as
    /// [`into_outcome_after_commit`](Self::into_outcome_after_commit).
    pub fn commit_with<E>(
        self,
        write: impl FnOnce(&StateRecord) -> Result<(), E>,
    ) -> Result<Result<Accepted, Error>, E> {
        if self.changed {
            write(&self.record)?;
        }
        Ok(self.result)
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
            enrolment: EnrolmentId::LEGACY,
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
            enrolment: EnrolmentId::LEGACY,
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
    /// let attempt = StateRecord::counter(0).verify_hotp_uncommitted(&hotp, &policy, 10, wrong);
    /// let locked = *attempt.record_to_commit().expect("a failure to store");
    /// let right = hotp.generate(0);
    /// let v = locked.verify_hotp_uncommitted(&hotp, &policy, 20, &right);
    /// assert_eq!(v.into_outcome_after_commit(), Err(Error::State(StateError::LockedOut)));
    /// let v = locked.unlock().verify_hotp_uncommitted(&hotp, &policy, 20, &right);
    /// assert!(v.record_to_commit().is_some());
    /// assert!(v.into_outcome_after_commit().is_ok()); // once the record above is committed
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
    ) -> Uncommitted {
        match outcome {
            Ok((matched, drift, stored_drift)) => match matched.checked_add(1) {
                Some(next) => Uncommitted {
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
                None => Uncommitted::unchanged(self, Error::CounterOverflow),
            },
            Err(Error::Mismatch) => {
                let record = StateRecord {
                    throttle: self.throttle.after_failure(&policy.throttle, now),
                    ..self
                };
                Uncommitted {
                    changed: record != self,
                    record,
                    result: Err(Error::Mismatch),
                }
            }
            // A replay proves knowledge of a real code: not a guessing failure (see
            // `ThrottleState`). Malformed input and configuration errors evaluated nothing.
            Err(e) => Uncommitted::unchanged(self, e),
        }
    }

    /// Verifies an HOTP `code` received at Unix time `now` against this counter record, within
    /// `policy.look_ahead` counters of the next expected one (RFC 4226 §7.4).
    ///
    /// The throttle is consulted first; on acceptance the record expects the counter after the
    /// matched one and the failures are reset; a wrong code counts as a failure; a replay (the
    /// last accepted counter's code) changes nothing. Store [`Uncommitted::record_to_commit`] before
    /// acting on the outcome (see [Exactly once](Self#exactly-once)).
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Error, Hotp, HotpParams, Policy, StateRecord};
    ///
    /// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
    /// let v = StateRecord::counter(0).verify_hotp_uncommitted(&hotp, &Policy::default(), 0, "359152");
    /// let next = *v.record_to_commit().expect("an acceptance to store");
    /// assert_eq!(next.next_counter(), 3);
    /// // ... committed `next` with a conditional update, then:
    /// assert_eq!(v.into_outcome_after_commit()?.matched, 2);
    /// let again = next.verify_hotp_uncommitted(&hotp, &Policy::default(), 0, "359152");
    /// assert_eq!(again.into_outcome_after_commit(), Err(Error::Replay));
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// In [`Uncommitted::into_outcome_after_commit`]:
    /// - [`StateError::WrongKind`] for a time-step record;
    /// - [`StateError::Throttled`] or [`StateError::LockedOut`] while locked (code not
    ///   evaluated);
    /// - [`Error::Mismatch`] for a wrong code (counted), [`Error::Replay`] for the last
    ///   accepted counter's code (not counted). Codes of older counters are not recomputed
    ///   ([`Hotp::verify_uncommitted`]), so they are wrong codes here and count as failures;
    /// - as [`Hotp::verify_uncommitted`] for malformed codes, an oversized look-ahead or an exhausted
    ///   counter.
    pub fn verify_hotp_uncommitted(
        &self,
        hotp: &Hotp,
        policy: &Policy,
        now: u64,
        code: impl AsRef<[u8]>,
    ) -> Uncommitted {
        if let Err(e) = self.precheck(RecordKind::Counter, now) {
            return Uncommitted::unchanged(*self, e);
        }
        let outcome = hotp
            .verify_uncommitted(code, self.next, policy.look_ahead)
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
    /// let v = StateRecord::counter(0).resync_hotp_uncommitted(&hotp, &Policy::default(), 0, &codes);
    /// assert_eq!(v.record_to_commit().map(|r| r.next_counter()), Some(9));
    /// assert_eq!(v.into_outcome_after_commit()?.matched, 8);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// In [`Uncommitted::into_outcome_after_commit`]: as [`verify_hotp_uncommitted`](Self::verify_hotp_uncommitted), and as
    /// [`Hotp::resync_uncommitted`].
    pub fn resync_hotp_uncommitted<C: AsRef<[u8]>>(
        &self,
        hotp: &Hotp,
        policy: &Policy,
        now: u64,
        codes: &[C],
    ) -> Uncommitted {
        if let Err(e) = self.precheck(RecordKind::Counter, now) {
            return Uncommitted::unchanged(*self, e);
        }
        let outcome = hotp
            .resync_uncommitted(codes, self.next, policy.resync_window)
            .map(|m| (m.counter, i64::try_from(m.drift).unwrap_or(i64::MAX), 0));
        self.settle(policy, now, outcome)
    }

    /// Verifies a TOTP `code` received at Unix time `now` against this time-step record.
    ///
    /// In order: the throttle is consulted (a locked token is refused without evaluating the
    /// code); a stored drift beyond `policy.max_drift` (possible only when the policy was
    /// tightened after it was stored) answers [`StateError::ResyncNeeded`]; then the
    /// steps of `policy.window` around `current step + stored drift` are checked in constant
    /// time ([`Totp::verify_step_uncommitted`]), leaving out any step more than `policy.max_drift` from the
    /// current step, so a code `policy.max_drift` steps away is still accepted. On acceptance
    /// the record stores the step (so it and every earlier step
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
    /// let v = StateRecord::time_step().verify_totp_uncommitted(&totp, &policy, now, &code);
    /// let stored = *v.record_to_commit().expect("an acceptance to store");
    /// assert_eq!(stored.drift(), 1);
    /// // Later it runs two steps fast: still inside the window centred on the stored drift.
    /// let later = now + 3000;
    /// let step = totp.step_at(later)?;
    /// let code = totp.generate_step(step + 2);
    /// let v = stored.verify_totp_uncommitted(&totp, &policy, later, &code);
    /// assert_eq!(v.into_outcome_after_commit()?.drift, 2);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// In [`Uncommitted::into_outcome_after_commit`]:
    /// - [`StateError::WrongKind`] for a counter record;
    /// - [`StateError::Throttled`] or [`StateError::LockedOut`] while locked (code not
    ///   evaluated);
    /// - [`StateError::ResyncNeeded`] when the stored drift exceeds `policy.max_drift` (code
    ///   not evaluated; use [`resync_totp_uncommitted`](Self::resync_totp_uncommitted));
    /// - [`Error::WindowTooLarge`] when `policy.max_drift` exceeds [`Window::MAX`];
    /// - [`Error::Mismatch`] for a wrong code (counted), [`Error::Replay`] for a used one (not
    ///   counted);
    /// - as [`Totp::verify_step_uncommitted`] for malformed codes and times before T0.
    pub fn verify_totp_uncommitted(
        &self,
        totp: &Totp,
        policy: &Policy,
        now: u64,
        code: impl AsRef<[u8]>,
    ) -> Uncommitted {
        let code = code.as_ref();
        self.verify_time(policy, now, |record| {
            let current = totp.step_at(now)?;
            Ok((
                current,
                record.scan_drift_window(current, policy, |center, last, window| {
                    totp.verify_digits(code, center, last, window)
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
    ) -> Uncommitted {
        if let Err(e) = self.precheck(RecordKind::TimeStep, now) {
            return Uncommitted::unchanged(*self, e);
        }
        if policy.max_drift > Window::MAX {
            return Uncommitted::unchanged(*self, Error::WindowTooLarge { max: Window::MAX });
        }
        let cap = i64::from(policy.max_drift);
        // The window never reaches past the cap, so only a tightened policy gets here.
        if cap > 0 && self.drift.unsigned_abs() > cap.unsigned_abs() {
            return Uncommitted::unchanged(
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
    /// `policy.resync_max_drift` steps of the server's current step (and never more than
    /// `policy.max_drift`, the drift later logins tolerate). On success the drift is recorded
    /// afresh; the stored drift is ignored, so this is the way out of
    /// [`StateError::ResyncNeeded`].
    ///
    /// Throttled like a login: a failed resynchronisation counts as one failure, a replayed one
    /// (a run that starts at or before the last accepted step) does not.
    ///
    /// # Note
    ///
    /// Any run of consecutive codes not used yet is accepted, whoever sends it: codes phished
    /// together stay usable for a resynchronisation until the server's clock is
    /// `resync_max_drift` steps past them (2 minutes with the default policy), longer than for a
    /// login. Keep the range small, and resynchronise only in a flow that has authenticated
    /// the user otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Policy, StateRecord, Totp, TotpParams};
    ///
    /// let totp = Totp::new(&[7; 20], TotpParams::default())?;
    /// let now = 1_700_000_000;
    /// let step = totp.step_at(now)?;
    /// // The token's clock runs 3 steps (90 seconds) slow.
    /// let (a, b) = (totp.generate_step(step - 4), totp.generate_step(step - 3));
    /// let codes = [a.as_str(), b.as_str()];
    /// let policy = Policy::default(); // resynchronisation within 4 steps
    /// let v = StateRecord::time_step().resync_totp_uncommitted(&totp, &policy, now, &codes);
    /// assert_eq!(v.record_to_commit().map(|r| r.drift()), Some(-3));
    /// assert_eq!(v.into_outcome_after_commit()?.drift, -3);
    /// // Six steps slow is beyond the resynchronisation range.
    /// let (a, b) = (totp.generate_step(step - 7), totp.generate_step(step - 6));
    /// let v = StateRecord::time_step().resync_totp_uncommitted(&totp, &policy, now, &[a, b]);
    /// assert_eq!(v.into_outcome_after_commit(), Err(otpkit::Error::Mismatch));
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// In [`Uncommitted::into_outcome_after_commit`]: as [`verify_totp_uncommitted`](Self::verify_totp_uncommitted) except
    /// [`StateError::ResyncNeeded`], and as [`Totp::resync_step_uncommitted`].
    pub fn resync_totp_uncommitted<C: AsRef<[u8]>>(
        &self,
        totp: &Totp,
        policy: &Policy,
        now: u64,
        codes: &[C],
    ) -> Uncommitted {
        if let Err(e) = self.precheck(RecordKind::TimeStep, now) {
            return Uncommitted::unchanged(*self, e);
        }
        let outcome = totp.step_at(now).and_then(|current| {
            let range = if policy.max_drift == 0 {
                0
            } else {
                policy.resync_max_drift.min(policy.max_drift)
            };
            let window = Window::symmetric(range)?;
            let m = totp.resync_step_uncommitted(codes, current, self.last_accepted(), window)?;
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
