//! The server-side state of one token, and verification through it: throttling, replay,
//! drift, and a versioned byte encoding.

mod encoding;
mod enrolment;
mod error;
mod ocra;
mod resync;
#[cfg(feature = "serde")]
mod serde;
mod verify;

use core::fmt;

pub use encoding::RecordBytes;
pub use error::StateError;

use crate::{EnrolmentId, Error, ThrottlePolicy, ThrottleState, Window};

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
    /// (RFC 4226 §7.4 `s - 1`), at most [`Hotp::MAX_LOOK_AHEAD`](crate::Hotp::MAX_LOOK_AHEAD).
    pub look_ahead: u32,
    /// HOTP: how many counters [`resync_hotp_uncommitted`](StateRecord::resync_hotp_uncommitted) searches, at most
    /// [`Hotp::MAX_RESYNC_WINDOW`](crate::Hotp::MAX_RESYNC_WINDOW).
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

    /// A record for a time-based token whose clock is known to be `drift` steps off when it is
    /// enrolled (a token maker's `TimeDrift`, say: negative when the token is slow). The first
    /// window is centred on the current step plus `drift`; a drift beyond
    /// [`Policy::max_drift`] answers [`StateError::ResyncNeeded`] until
    /// a resynchronisation.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{RecordKind, StateRecord};
    ///
    /// let r = StateRecord::time_step_with_drift(-2);
    /// assert_eq!((r.kind(), r.last_accepted(), r.drift()), (RecordKind::TimeStep, None, -2));
    /// assert_eq!(StateRecord::from_bytes(&r.to_bytes())?, r);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    #[must_use]
    pub const fn time_step_with_drift(drift: i64) -> StateRecord {
        StateRecord {
            drift,
            ..StateRecord::time_step()
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
}
