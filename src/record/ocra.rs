//! OCRA (RFC 6287) counter and time suites through the stored record.

use crate::ocra::{DataInput, Element, Ocra, OcraError};
use crate::{Error, Policy, RecordKind, StateRecord, Uncommitted};

impl StateRecord {
    /// Verifies an OCRA `response` of a counter suite (`C` in the suite) to the challenge in
    /// `input`, received at Unix time `now`, within `policy.look_ahead` counters of the next
    /// expected one. Same rules as [`verify_hotp_uncommitted`](Self::verify_hotp_uncommitted): throttle first, replay
    /// not counted, wrong responses counted.
    ///
    /// RFC 6287 §5.1 lets the counter wrap after `u64::MAX`, and [`Ocra::verify_counter_uncommitted`]
    /// follows it; the record does not (a wrapped counter would make every old response
    /// acceptable again). Its look-ahead stops at `u64::MAX`: responses for counters past the
    /// wrap are not looked for (they are wrong responses here, and count), and a match at
    /// `u64::MAX` itself is refused with [`Error::CounterOverflow`], the record unchanged. A
    /// token that reaches the end of its counter needs a new key.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::ocra::{DataInput, Ocra, OcraSuite};
    /// use otpkit::{Error, Policy, StateRecord};
    ///
    /// // RFC 6287 Appendix C.1: counter 3 gives 71565254.
    /// let suite: OcraSuite = "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1".parse()?;
    /// let ocra = Ocra::new(suite, b"12345678901234567890123456789012")?;
    /// let input = DataInput::new().question("12345678").password(b"1234");
    /// let policy = Policy::default();
    /// let v = StateRecord::counter(1)
    ///     .verify_ocra_counter_uncommitted(&ocra, &policy, 0, "71565254", &input);
    /// let next = *v.record_to_commit().expect("an acceptance to store");
    /// assert_eq!(v.into_outcome_after_commit()?.matched, 3); // once `next` is committed
    /// let again = next.verify_ocra_counter_uncommitted(&ocra, &policy, 0, "71565254", &input);
    /// assert_eq!(again.into_outcome_after_commit(), Err(Error::Replay));
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// In [`Uncommitted::into_outcome_after_commit`]: as [`verify_hotp_uncommitted`](Self::verify_hotp_uncommitted), and as
    /// [`Ocra::verify_counter_uncommitted`] (a suite without `C`, missing or unused input).
    pub fn verify_ocra_counter_uncommitted(
        &self,
        ocra: &Ocra,
        policy: &Policy,
        now: u64,
        response: impl AsRef<[u8]>,
        input: &DataInput<'_>,
    ) -> Uncommitted {
        if let Err(e) = self.precheck(RecordKind::Counter, now) {
            return Uncommitted::unchanged(*self, e);
        }
        // Stop the look-ahead at u64::MAX: the record never follows the wrap. (An oversized
        // look-ahead is left as it is, to be refused.)
        let room = u32::try_from(u64::MAX - self.next).unwrap_or(u32::MAX);
        let look_ahead = if policy.look_ahead > Ocra::MAX_LOOK_AHEAD {
            policy.look_ahead
        } else {
            policy.look_ahead.min(room)
        };
        let outcome = ocra
            .verify_counter_uncommitted(response, input, self.next, look_ahead)
            .map(|m| (m.counter, i64::try_from(m.drift).unwrap_or(i64::MAX), 0));
        self.settle(policy, now, outcome)
    }

    /// Verifies an OCRA `response` of a time suite (`T…` in the suite) to the challenge in
    /// `input`, received at Unix time `now`. Same rules as
    /// [`verify_totp_uncommitted`](Self::verify_totp_uncommitted): throttle first, the window centred on the stored
    /// drift and clipped to the cap, [`StateError::ResyncNeeded`](crate::StateError) at the
    /// cap, replay not counted, wrong responses counted. The time step is the suite's.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::ocra::{DataInput, Ocra, OcraSuite};
    /// use otpkit::{Error, Policy, StateRecord};
    ///
    /// // RFC 6287 Appendix C.1: 95209754 at T = 0x132d0b6 minutes.
    /// let suite: OcraSuite = "OCRA-1:HOTP-SHA512-8:QN08-T1M".parse()?;
    /// let key: Vec<u8> = b"1234567890".iter().copied().cycle().take(64).collect();
    /// let ocra = Ocra::new(suite, &key)?;
    /// let input = DataInput::new().question("00000000");
    /// let now = 0x132d0b6 * 60 + 20;
    /// let policy = Policy::default();
    /// let v = StateRecord::time_step()
    ///     .verify_ocra_time_uncommitted(&ocra, &policy, now, "95209754", &input);
    /// let next = *v.record_to_commit().expect("an acceptance to store");
    /// assert_eq!(v.into_outcome_after_commit()?.matched, 0x132d0b6); // once `next` is committed
    /// let again = next.verify_ocra_time_uncommitted(&ocra, &policy, now, "95209754", &input);
    /// assert_eq!(again.into_outcome_after_commit(), Err(Error::Replay));
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// In [`Uncommitted::into_outcome_after_commit`]: as [`verify_totp_uncommitted`](Self::verify_totp_uncommitted), and as
    /// [`Ocra::verify_step_uncommitted`] (a suite without `T`, missing or unused input).
    pub fn verify_ocra_time_uncommitted(
        &self,
        ocra: &Ocra,
        policy: &Policy,
        now: u64,
        response: impl AsRef<[u8]>,
        input: &DataInput<'_>,
    ) -> Uncommitted {
        self.verify_time(policy, now, |record| {
            let step = ocra
                .suite()
                .time_step()
                .ok_or(Error::Ocra(OcraError::UnusedInput(Element::Timestamp)))?;
            let current = now / step.seconds();
            let matched = record.scan_drift_window(current, policy, |center, last, window| {
                ocra.verify_step_uncommitted(response.as_ref(), input, center, last, window)
            })?;
            Ok((current, matched))
        })
    }
}
