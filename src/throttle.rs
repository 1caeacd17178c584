//! Throttling of verification attempts (RFC 4226 §7.3): a policy and a small persistable state.

use crate::{Error, StateError};

/// What happens once a token has failed [`ThrottlePolicy::after_failures`] times in a row.
///
/// # Examples
///
/// ```
/// use otpkit::{Backoff, ThrottlePolicy};
///
/// let p = ThrottlePolicy::delay(3, 30, 3600);
/// assert_eq!(p.backoff(), Backoff::Delay { first: 30, cap: 3600 });
/// assert_eq!(ThrottlePolicy::lockout(5).backoff(), Backoff::Lockout);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backoff {
    /// A delay of `first` seconds after the first failure over the allowance, doubling with each
    /// further failure, never more than `cap` seconds.
    Delay {
        /// The first delay, in seconds.
        first: u64,
        /// The longest delay, in seconds.
        cap: u64,
    },
    /// A lock that only [`ThrottleState::reset`] (an administrator) lifts.
    Lockout,
    /// No throttling at all: failures are counted, nothing is ever locked
    /// ([`ThrottlePolicy::none`]).
    None,
}

/// How a server slows down guessing: after `after_failures` consecutive failures, that failure
/// and every further one either starts a delay that doubles up to a cap, or locks the token
/// until an administrator resets it (RFC 4226 §7.3 names both schemes).
///
/// The policy is configuration, not state: only the [`ThrottleState`] is stored, and a lock
/// already recorded keeps its end time when the policy changes.
///
/// RFC 4226 §6 bounds an attacker's success by `s · v / 10^digits` for a look-ahead of `s`
/// codes and `v` attempts; the policy is what bounds `v`. With the [default](Self::default)
/// (after 5 failures, 30 s doubling up to one hour) an attacker gets about 24 guesses an hour at
/// first and 24 a day once the cap is reached.
///
/// # Examples
///
/// ```
/// use otpkit::ThrottlePolicy;
///
/// let p = ThrottlePolicy::delay(3, 10, 60);
/// assert_eq!(p.delay_after(3), Some(10)); // third failure in a row
/// assert_eq!(p.delay_after(4), Some(20));
/// assert_eq!(p.delay_after(9), Some(60)); // capped
/// assert_eq!(p.delay_after(2), Some(0));  // below the threshold
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ThrottlePolicy {
    after_failures: u32,
    backoff: Backoff,
}

impl ThrottlePolicy {
    /// A delay scheme: the `after_failures`-th failure in a row locks the token for `first`
    /// seconds, and every further one for twice as long as the one before, at most `cap`
    /// seconds.
    ///
    /// `after_failures` is RFC 4226's parameter T. No argument can turn throttling off (that
    /// is [`ThrottlePolicy::none`], by name): degenerate values are clamped, so that
    /// `after_failures` is at least 1, `first` at least 1 second and `cap` at least `first`.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Backoff, ThrottlePolicy};
    ///
    /// // A zero delay or a zero cap still throttles: both are clamped.
    /// assert_eq!(ThrottlePolicy::delay(0, 0, 0).backoff(), Backoff::Delay { first: 1, cap: 1 });
    /// assert_eq!(ThrottlePolicy::delay(3, 30, 0).delay_after(3), Some(30));
    /// assert_eq!(ThrottlePolicy::delay(0, 5, 60).after_failures(), 1);
    /// ```
    #[must_use]
    pub const fn delay(after_failures: u32, first: u64, cap: u64) -> ThrottlePolicy {
        let first = if first == 0 { 1 } else { first };
        ThrottlePolicy {
            after_failures: at_least_one(after_failures),
            backoff: Backoff::Delay {
                first,
                cap: if cap < first { first } else { cap },
            },
        }
    }

    /// A lockout scheme: the `after_failures`-th failure in a row locks the token until
    /// [`ThrottleState::reset`]. An `after_failures` of 0 is clamped to 1.
    ///
    /// # Note
    ///
    /// Anyone who knows a user's token id can lock the user out with `after_failures` wrong
    /// codes (RFC 4226 §7.3 accepts this trade-off). Limit attempts per client as well (see
    /// [`ThrottleState`]), so that one client cannot exhaust a token's allowance.
    #[must_use]
    pub const fn lockout(after_failures: u32) -> ThrottlePolicy {
        ThrottlePolicy {
            after_failures: at_least_one(after_failures),
            backoff: Backoff::Lockout,
        }
    }

    /// No throttling: failures are still counted, but no number of them ever delays or locks
    /// the token. RFC 4226 §7.3 requires throttling of a real server; this is for tests, and
    /// for factors throttled elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{ThrottlePolicy, ThrottleState};
    ///
    /// let p = ThrottlePolicy::none();
    /// assert_eq!(p.delay_after(u32::MAX), Some(0));
    /// let s = (0..100).fold(ThrottleState::new(), |s, t| s.after_failure(&p, t));
    /// assert_eq!((s.failures(), s.lock_at(100)), (100, None));
    /// ```
    #[must_use]
    pub const fn none() -> ThrottlePolicy {
        ThrottlePolicy {
            after_failures: u32::MAX,
            backoff: Backoff::None,
        }
    }

    /// The number of consecutive failures that triggers the backoff (RFC 4226's T), at least
    /// 1; `u32::MAX` for [`ThrottlePolicy::none`].
    #[must_use]
    pub const fn after_failures(&self) -> u32 {
        self.after_failures
    }

    /// What happens from the [`after_failures`](Self::after_failures)-th failure on.
    #[must_use]
    pub const fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// The delay in seconds that the `failures`-th consecutive failure starts: `Some(0)` below
    /// the threshold and for [`ThrottlePolicy::none`], `None` for a lockout.
    #[must_use]
    pub const fn delay_after(&self, failures: u32) -> Option<u64> {
        if failures < self.after_failures {
            return Some(0);
        }
        match self.backoff {
            Backoff::None => Some(0),
            Backoff::Lockout => None,
            Backoff::Delay { first, cap } => {
                let doublings = failures - self.after_failures;
                let delay = if doublings >= 64 {
                    u64::MAX
                } else {
                    match first.checked_mul(1u64 << doublings) {
                        Some(d) => d,
                        None => u64::MAX,
                    }
                };
                Some(if delay < cap { delay } else { cap })
            }
        }
    }
}

/// `n`, or 1 for 0.
const fn at_least_one(n: u32) -> u32 {
    if n == 0 { 1 } else { n }
}

impl Default for ThrottlePolicy {
    /// After 5 failures in a row, 30 seconds doubling up to one hour.
    fn default() -> Self {
        ThrottlePolicy::delay(5, 30, 3600)
    }
}

/// A lock recorded in a [`ThrottleState`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lock {
    /// Attempts are refused before this Unix time (seconds).
    Until(u64),
    /// Attempts are refused until [`ThrottleState::reset`].
    UntilReset,
}

/// The persistable throttling state of one token: consecutive failures and the lock they caused.
///
/// Consult it before verifying ([`check`](Self::check)), update it afterwards
/// ([`after_failure`](Self::after_failure), [`after_success`](Self::after_success)), and store
/// it with the token's other state so that it holds across sessions and restarts (RFC 4226
/// §7.3). Time is an argument, in Unix seconds. [`StateRecord`](crate::StateRecord) does all of
/// this for you; use this type directly only for a factor the record does not cover.
///
/// Rules:
/// - a locked token is refused before its code is looked at, with an error saying until when;
/// - attempts while locked change nothing, so they neither extend the lock nor count;
/// - a success resets the count and lifts any delay;
/// - a replayed code (right, but already used) is not a guessing failure and must not be fed to
///   [`after_failure`](Self::after_failure): it proves knowledge of a real code, a random guess
///   hits a spent code no more often than a fresh one, and counting it would let anyone who saw
///   one used code (over a shoulder, in a log) lock the owner out.
///
/// # Per-client limiting
///
/// A per-token throttle is also a way to lock a user out: anyone who knows the token id can
/// spend its allowance with wrong codes (RFC 4226 §7.3 accepts this trade-off, and a lockout
/// policy makes it a denial of service until an administrator steps in). Keep a second
/// `ThrottleState` per client (its address, its session), checked before the token's and fed
/// the same failures: one client then runs out of attempts long before the token does, and a
/// guesser spread over many clients still meets the token's own limit. README.md's
/// "Per-client limiting" shows the pattern.
///
/// # Examples
///
/// ```
/// use otpkit::{Error, StateError, ThrottlePolicy, ThrottleState};
///
/// let policy = ThrottlePolicy::delay(2, 30, 300);
/// let mut state = ThrottleState::new();
/// state.check(1000)?;
/// state = state.after_failure(&policy, 1000);
/// state.check(1001)?; // below the threshold
/// state = state.after_failure(&policy, 1001);
/// assert_eq!(state.check(1002), Err(Error::State(StateError::Throttled { until: 1031 })));
/// state.check(1031)?;
/// state = state.after_success();
/// assert_eq!(state.failures(), 0);
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ThrottleState {
    failures: u32,
    /// Unix time before which attempts are refused; 0 for none, `u64::MAX` until reset.
    locked_until: u64,
}

/// The stored `locked_until` value meaning "until an administrator resets it".
pub(crate) const UNTIL_RESET: u64 = u64::MAX;

impl ThrottleState {
    /// No failures and no lock.
    #[must_use]
    pub const fn new() -> ThrottleState {
        ThrottleState {
            failures: 0,
            locked_until: 0,
        }
    }

    /// Rebuilds a state from its stored parts; `locked_until` is 0 for none and `u64::MAX` for
    /// a lock until reset. Used by decoders.
    pub(crate) const fn from_raw(failures: u32, locked_until: u64) -> ThrottleState {
        ThrottleState {
            failures,
            locked_until,
        }
    }

    /// A state rebuilt from what [`failures`](Self::failures) and [`lock`](Self::lock) gave:
    /// for keeping a throttle the record does not cover (per client, say) in a table of one's
    /// own. A `Lock::Until(0)` is no lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Lock, ThrottlePolicy, ThrottleState};
    ///
    /// let s = ThrottleState::new().after_failure(&ThrottlePolicy::delay(1, 30, 60), 1000);
    /// let (failures, lock) = (s.failures(), s.lock()); // stored as two columns
    /// assert_eq!(lock, Some(Lock::Until(1030)));
    /// assert_eq!(ThrottleState::from_parts(failures, lock), s);
    /// ```
    #[must_use]
    pub const fn from_parts(failures: u32, lock: Option<Lock>) -> ThrottleState {
        let locked_until = match lock {
            None => 0,
            Some(Lock::UntilReset) => UNTIL_RESET,
            // A delay never becomes a lock until reset.
            Some(Lock::Until(UNTIL_RESET)) => UNTIL_RESET - 1,
            Some(Lock::Until(t)) => t,
        };
        ThrottleState {
            failures,
            locked_until,
        }
    }

    /// The lock recorded, whether or not it is still in force ([`lock_at`](Self::lock_at)
    /// says that).
    #[must_use]
    pub const fn lock(&self) -> Option<Lock> {
        match self.locked_until {
            0 => None,
            UNTIL_RESET => Some(Lock::UntilReset),
            t => Some(Lock::Until(t)),
        }
    }

    /// The stored lock end: 0 for none, `u64::MAX` until reset.
    pub(crate) const fn locked_until_raw(&self) -> u64 {
        self.locked_until
    }

    /// Consecutive failures since the last success or reset.
    #[must_use]
    pub const fn failures(&self) -> u32 {
        self.failures
    }

    /// The lock in force at Unix time `now`, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Lock, ThrottlePolicy, ThrottleState};
    ///
    /// let s = ThrottleState::new().after_failure(&ThrottlePolicy::lockout(1), 50);
    /// assert_eq!(s.lock_at(10_000), Some(Lock::UntilReset));
    /// assert_eq!(s.reset().lock_at(10_000), None);
    /// ```
    #[must_use]
    pub const fn lock_at(&self, now: u64) -> Option<Lock> {
        if self.locked_until == UNTIL_RESET {
            Some(Lock::UntilReset)
        } else if now < self.locked_until {
            Some(Lock::Until(self.locked_until))
        } else {
            None
        }
    }

    /// Whether an attempt may be evaluated at Unix time `now`. Call it before looking at the
    /// code; a refusal changes nothing.
    ///
    /// # Errors
    ///
    /// - [`StateError::Throttled`] (inside [`Error::State`]) with the Unix time from which
    ///   attempts are evaluated again.
    /// - [`StateError::LockedOut`] when only [`reset`](Self::reset) lifts the lock.
    pub const fn check(&self, now: u64) -> Result<(), Error> {
        match self.lock_at(now) {
            None => Ok(()),
            Some(Lock::Until(until)) => Err(Error::State(StateError::Throttled { until })),
            Some(Lock::UntilReset) => Err(Error::State(StateError::LockedOut)),
        }
    }

    /// The state after a wrong code evaluated at Unix time `now`: one more failure and, from
    /// the policy's threshold on, a lock.
    ///
    /// Called while a lock is in force (which [`check`](Self::check) prevents), it returns the
    /// state unchanged: attempts while locked never extend the lock.
    #[must_use = "store the new state, or the failure is forgotten"]
    pub const fn after_failure(self, policy: &ThrottlePolicy, now: u64) -> ThrottleState {
        if self.lock_at(now).is_some() {
            return self;
        }
        let failures = self.failures.saturating_add(1);
        let locked_until = match policy.delay_after(failures) {
            None => UNTIL_RESET,
            Some(0) => 0,
            // A delay never becomes a lock until reset by saturating.
            Some(delay) => {
                let until = now.saturating_add(delay);
                if until == UNTIL_RESET {
                    UNTIL_RESET - 1
                } else {
                    until
                }
            }
        };
        ThrottleState {
            failures,
            locked_until,
        }
    }

    /// The state after an accepted code: no failures, no lock.
    #[must_use = "store the new state"]
    pub const fn after_success(self) -> ThrottleState {
        ThrottleState::new()
    }

    /// An administrator's reset: no failures, no lock (lifts a [`Lock::UntilReset`]).
    #[must_use = "store the new state"]
    pub const fn reset(self) -> ThrottleState {
        ThrottleState::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_and_saturates() {
        let p = ThrottlePolicy::delay(1, 1, u64::MAX);
        assert_eq!(p.delay_after(0), Some(0));
        assert_eq!(p.delay_after(1), Some(1));
        assert_eq!(p.delay_after(64), Some(1 << 63));
        assert_eq!(p.delay_after(65), Some(u64::MAX));
        assert_eq!(p.delay_after(u32::MAX), Some(u64::MAX));
        let s = ThrottleState::new().after_failure(&p, u64::MAX - 5);
        assert_eq!(s.lock_at(0), Some(Lock::Until(u64::MAX - 4)));
        let s = ThrottleState::from_raw(100, 0).after_failure(&p, 7);
        assert_eq!(s.lock_at(7), Some(Lock::Until(UNTIL_RESET - 1)));
    }

    #[test]
    fn zero_after_failures_means_one() {
        assert_eq!(ThrottlePolicy::delay(0, 5, 5).after_failures(), 1);
        assert_eq!(ThrottlePolicy::lockout(0).after_failures(), 1);
    }
}
