//! TOTP resynchronisation with several consecutive codes (RFC 6238 §6, after RFC 4226 §7.4).

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::{Code, Error, Hotp, Totp, TotpMatch, Window};

impl Totp {
    /// The most codes [`Totp::resync_step_uncommitted`] takes.
    pub const MAX_RESYNC_CODES: usize = Hotp::MAX_RESYNC_CODES;

    /// Finds where a token's clock is from `codes`, 2 to [`Totp::MAX_RESYNC_CODES`] codes it
    /// showed in consecutive time steps (oldest first): the step of the last code must lie in
    /// `window` around `center`, and every code's step after `last_step` (a run that matches
    /// but starts at or before it is a replay).
    ///
    /// Forging several consecutive codes is much harder than one, so the window may be far
    /// wider than a login's. Every step is computed once and compared in constant time; if
    /// several runs match, the latest is taken. The result's `step` is the last code's step:
    /// store it as the last accepted step, and `drift` as the token's offset from `center`.
    /// [`StateRecord::resync_totp_uncommitted`](crate::StateRecord::resync_totp_uncommitted) wraps this with the
    /// throttle and the stored state.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Totp, TotpParams, Window};
    ///
    /// let totp = Totp::new(&[5; 20], TotpParams::default())?;
    /// let (a, b) = (totp.generate_step(990), totp.generate_step(991));
    /// let m = totp.resync_step_uncommitted(&[a.as_str(), b.as_str()], 1000, None, Window::symmetric(20)?)?;
    /// assert_eq!((m.step, m.drift), (991, -9));
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::ResyncCodeCount`] for fewer than 2 or more than [`Totp::MAX_RESYNC_CODES`]
    ///   codes.
    /// - [`Error::InvalidCode`] when a code is malformed.
    /// - [`Error::WindowOutOfRange`] when the window holds no step late enough for a run of
    ///   `codes.len()` steps.
    /// - [`Error::Replay`] when the only matching runs start at or before `last_step`.
    /// - [`Error::Mismatch`] when no run of consecutive steps in range matches all the codes.
    pub fn resync_step_uncommitted<C: AsRef<[u8]>>(
        &self,
        codes: &[C],
        center: u64,
        last_step: Option<u64>,
        window: Window,
    ) -> Result<TotpMatch, Error> {
        const MAX: usize = Totp::MAX_RESYNC_CODES;
        let n = codes.len();
        if !(2..=MAX).contains(&n) {
            return Err(Error::ResyncCodeCount {
                given: n,
                min: 2,
                max: MAX,
            });
        }
        let digits = self.params().digits;
        let mut given = [None; MAX];
        for (slot, code) in given.iter_mut().zip(codes) {
            *slot = Some(Code::parse_bytes(code.as_ref(), digits)?);
        }
        // `n - 1` is below MAX, so the cast cannot truncate.
        let steps = (n - 1) as u64;
        // The last code's step lies in the window, late enough that the first code's step is
        // a real step.
        let low = center.saturating_sub(u64::from(window.behind())).max(steps);
        let high = center.saturating_add(u64::from(window.ahead()));
        if low > high {
            return Err(Error::WindowOutOfRange);
        }
        // pending[k]: do the steps seen so far match the run that started k steps back?
        let mut pending = [Choice::from(0); MAX];
        let mut found = Choice::from(0);
        let mut replay = Choice::from(0);
        let mut matched = 0u64;
        for step in low - steps..=high {
            let value = self.generate_step(step);
            pending.copy_within(0..MAX - 1, 1);
            if let Some(first) = pending.first_mut() {
                *first = Choice::from(1);
            }
            for (slot, code) in pending.iter_mut().zip(&given).take(n) {
                if let Some(code) = code {
                    *slot &= value.ct_eq(code);
                }
            }
            if let Some(&complete) = pending.get(n - 1) {
                // A run whose first step is at or before `last_step` was (partly) used. Before
                // the first run completes `complete` is false, and `start` may wrap unseen.
                let start = step.wrapping_sub(steps);
                let fresh = Choice::from(u8::from(last_step.is_none_or(|used| start > used)));
                matched.conditional_assign(&step, complete & fresh);
                found |= complete & fresh;
                replay |= complete & !fresh;
            }
        }
        if !bool::from(found) {
            return Err(if bool::from(replay) {
                Error::Replay
            } else {
                Error::Mismatch
            });
        }
        let drift = i128::from(matched) - i128::from(center);
        Ok(TotpMatch {
            step: matched,
            // The window caps |drift| at Window::MAX.
            drift: i64::try_from(drift).unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Totp, TotpParams, Window};

    #[test]
    fn resync_finds_runs_inside_the_window_only() {
        let totp = Totp::new(&[9; 20], TotpParams::default()).unwrap();
        let code = |s: u64| totp.generate_step(s);
        let (a, b, c) = (code(95), code(96), code(97));
        let w = Window::symmetric(3).unwrap();
        let m = totp
            .resync_step_uncommitted(&[a.as_str(), b.as_str(), c.as_str()], 100, None, w)
            .unwrap();
        assert_eq!((m.step, m.drift), (97, -3));
        // The last code at 96 is outside 97..=103.
        assert_eq!(
            totp.resync_step_uncommitted(&[a.as_str(), b.as_str()], 100, None, w),
            Err(Error::Mismatch)
        );
        // Already used up to 95: the run 95, 96, 97 is a replay.
        assert_eq!(
            totp.resync_step_uncommitted(&[a.as_str(), b.as_str(), c.as_str()], 100, Some(95), w),
            Err(Error::Replay)
        );
        let m = totp
            .resync_step_uncommitted(&[b.as_str(), c.as_str()], 100, Some(95), w)
            .unwrap();
        assert_eq!(m.step, 97);
        // Out of order is not a run.
        assert_eq!(
            totp.resync_step_uncommitted(&[c.as_str(), b.as_str()], 98, None, w),
            Err(Error::Mismatch)
        );
        // Near zero and near the top.
        let (z0, z1) = (code(0), code(1));
        assert_eq!(
            totp.resync_step_uncommitted(&[z0.as_str(), z1.as_str()], 0, None, w)
                .unwrap()
                .step,
            1
        );
        let (t0, t1) = (code(u64::MAX - 1), code(u64::MAX));
        assert_eq!(
            totp.resync_step_uncommitted(&[t0.as_str(), t1.as_str()], u64::MAX, None, w)
                .unwrap()
                .step,
            u64::MAX
        );
        assert_eq!(
            totp.resync_step_uncommitted(&[a.as_str()], 100, None, w),
            Err(Error::ResyncCodeCount {
                given: 1,
                min: 2,
                max: 8
            })
        );
    }
}
