//! Verification through a record: the state checks before a code is looked at, HOTP and TOTP
//! verification and resynchronisation, and the drift window.

use super::{Accepted, Policy, RecordKind, StateError, StateRecord, Uncommitted};
use crate::{Error, Hotp, Totp, TotpMatch, Window};

impl StateRecord {
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
