//! TOTP (RFC 6238): time-based codes.

use core::num::NonZeroU64;

use crate::{
    Algorithm, Code, Error, Window,
    code::parse_number,
    hotp::{MIN_KEY_LEN, check_key, code_values},
    mac::Mac,
    verify,
};

/// `(n / d, n % d)`.
///
/// On 64-bit targets, RFC 6238's 30 s step is divided by a constant (a multiplication) rather
/// than by the field (a 64-bit `div`, which costs a fifth of a code's two compressions).
#[cfg(target_pointer_width = "64")]
#[inline]
fn div_rem(n: u64, d: NonZeroU64) -> (u64, u64) {
    if d.get() == 30 {
        (n / 30, n % 30)
    } else {
        (n / d, n % d)
    }
}

/// `(n / d, n % d)`.
///
/// Elsewhere a 64-bit division is a call into compiler_builtins (about 400 bytes of flash on a
/// Cortex-M4, 500 on a Cortex-M0), so it is done here one quotient bit per turn.
#[cfg(not(target_pointer_width = "64"))]
fn div_rem(n: u64, d: NonZeroU64) -> (u64, u64) {
    long_div_rem(n, d)
}

/// Shift-and-subtract division: the quotient bits are shifted into `n` as its own bits are
/// shifted out into the remainder.
#[cfg(any(test, not(target_pointer_width = "64")))]
fn long_div_rem(mut n: u64, d: NonZeroU64) -> (u64, u64) {
    let d = d.get();
    let mut r = 0u64;
    for _ in 0..64 {
        // r < d before the shift, so 2r + 1 < 2d: when the shift carries out, r ≥ d for sure,
        // and r - d (taken modulo 2^64) is the true difference.
        let carry = r >> 63;
        r = (r << 1) | (n >> 63);
        n <<= 1;
        if carry != 0 || r >= d {
            r = r.wrapping_sub(d);
            n |= 1;
        }
    }
    (n, r)
}

/// TOTP parameters agreed at provisioning (RFC 6238 §4.1).
///
/// # Examples
///
/// ```
/// use otpkit::{Algorithm, TotpParams};
///
/// let p = TotpParams { algorithm: Algorithm::Sha256, digits: 8, ..TotpParams::default() };
/// assert_eq!((p.period, p.t0), (30, 0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TotpParams {
    /// The hash under HMAC: SHA-1 (default), SHA-256 or SHA-512.
    pub algorithm: Algorithm,
    /// Code length, 6 to 10 (see [`HotpParams::digits`](crate::HotpParams::digits) for what 10
    /// digits really give).
    pub digits: u8,
    /// The time step X in seconds, at least 1 (RFC 6238 recommends 30).
    pub period: u64,
    /// The Unix time T0 at which step 0 begins (RFC 6238 default 0).
    pub t0: u64,
}

impl Default for TotpParams {
    /// The default algorithm, 6 digits, 30-second steps from the Unix epoch.
    fn default() -> Self {
        TotpParams {
            algorithm: Algorithm::default(),
            digits: 6,
            period: 30,
            t0: 0,
        }
    }
}

/// A successful TOTP verification: the step to store and the clock drift observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use = "store `step` as the last accepted step, or the same code is accepted again"]
pub struct TotpMatch {
    /// The time step whose code matched: store it as the last accepted step.
    pub step: u64,
    /// `step - center` in steps: negative when the code was older than expected (delay, or a
    /// token clock that runs slow), positive when newer. RFC 6238 §6 suggests recording it and
    /// centring later windows on it.
    pub drift: i64,
}

/// A TOTP generator and verifier (RFC 6238) holding only keyed HMAC state.
///
/// Time is an argument: the core takes Unix seconds as `u64` (no 2038 limit), and the `std`
/// feature adds clock helpers ([`Totp::now`]). The key is absorbed once; generating and
/// verifying never re-key, never allocate and never panic.
///
/// # Examples
///
/// ```
/// use otpkit::{Algorithm, Error, Totp, TotpParams, Window};
///
/// let totp = Totp::new(
///     b"12345678901234567890",
///     TotpParams { digits: 8, ..TotpParams::default() },
/// )?;
/// assert_eq!(totp.generate_at(59)?.as_str(), "94287082");
///
/// // Nothing accepted yet; the code arrives one step late.
/// let m = totp.verify_at_uncommitted("94287082", 61, None, Window::default())?;
/// assert_eq!((m.step, m.drift), (1, -1));
/// // Store m.step: the same code is refused from then on.
/// assert_eq!(totp.verify_at_uncommitted("94287082", 61, Some(m.step), Window::default()), Err(Error::Replay));
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Totp {
    mac: Mac,
    digits: u8,
    // Non-zero by type, so dividing by it has no division-by-zero panic path to link.
    period: NonZeroU64,
    t0: u64,
}

impl Totp {
    /// Absorbs `key` (at least 16 bytes, RFC 4226 R6; RFC 6238 recommends the hash's output
    /// length: 20, 32 or 64 bytes).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidDigits`] for digits outside `6..=10`, [`Error::ZeroPeriod`] for a period of
    /// 0, [`Error::KeyTooShort`] for a key under 16 bytes.
    pub fn new(key: &[u8], params: TotpParams) -> Result<Totp, Error> {
        Totp::with_min_key(key, params, MIN_KEY_LEN)
    }

    /// Like [`Totp::new`], but accepts keys down to 1 byte, below RFC 4226's 128-bit minimum.
    ///
    /// For importing legacy tokens only (80-bit secrets such as `JBSWY3DPEHPK3PXP` are common):
    /// a short key is easier to brute-force from observed codes.
    ///
    /// # Errors
    ///
    /// As [`Totp::new`], with [`Error::KeyTooShort`] only for an empty key.
    pub fn new_allowing_short_key(key: &[u8], params: TotpParams) -> Result<Totp, Error> {
        Totp::with_min_key(key, params, 1)
    }

    fn with_min_key(key: &[u8], params: TotpParams, min: usize) -> Result<Totp, Error> {
        let Some(period) = NonZeroU64::new(params.period) else {
            return Err(Error::ZeroPeriod);
        };
        check_key(key, params.digits, min)?;
        Ok(Totp {
            mac: Mac::new(params.algorithm, key),
            digits: params.digits,
            period,
            t0: params.t0,
        })
    }

    /// The parameters this generator was built with.
    #[must_use]
    pub fn params(&self) -> TotpParams {
        TotpParams {
            algorithm: self.mac.algorithm(),
            digits: self.digits,
            period: self.period.get(),
            t0: self.t0,
        }
    }

    /// The time step at Unix time `time`: `floor((time - T0) / X)` (RFC 6238 §4.2).
    ///
    /// # Errors
    ///
    /// [`Error::TimeBeforeT0`] when `time < T0`.
    pub fn step_at(&self, time: u64) -> Result<u64, Error> {
        match time.checked_sub(self.t0) {
            Some(elapsed) => Ok(div_rem(elapsed, self.period).0),
            None => Err(Error::TimeBeforeT0 { time, t0: self.t0 }),
        }
    }

    /// Seconds from `time` until the step changes (1 ..= period).
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Totp, TotpParams};
    ///
    /// let totp = Totp::new(&[7; 20], TotpParams::default())?;
    /// assert_eq!(totp.seconds_left_at(59)?, 1);
    /// assert_eq!(totp.seconds_left_at(60)?, 30);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::TimeBeforeT0`] when `time < T0`.
    pub fn seconds_left_at(&self, time: u64) -> Result<u64, Error> {
        match time.checked_sub(self.t0) {
            Some(elapsed) => Ok(self.period.get() - div_rem(elapsed, self.period).1),
            None => Err(Error::TimeBeforeT0 { time, t0: self.t0 }),
        }
    }

    /// The code at Unix time `time`.
    ///
    /// # Errors
    ///
    /// [`Error::TimeBeforeT0`] when `time < T0`.
    pub fn generate_at(&self, time: u64) -> Result<Code, Error> {
        Ok(self.generate_step(self.step_at(time)?))
    }

    /// The code for time step `step`.
    #[must_use]
    pub fn generate_step(&self, step: u64) -> Code {
        Code::from_number(self.mac.counter_value(step), self.digits)
    }

    /// Verifies a user-typed `code` received at Unix time `time`, in constant time.
    ///
    /// `last_step` is the stored state: the step of the last accepted code for this credential,
    /// `None` when nothing was accepted yet. Every step of `window` around the current step is
    /// computed and compared without early exit; a match at or before `last_step` is a
    /// replay (RFC 6238 §5.2: a code is accepted once). On success store
    /// [`TotpMatch::step`] as the new `last_step`.
    ///
    /// # Errors
    ///
    /// - [`Error::TimeBeforeT0`] when `time < T0`.
    /// - [`Error::InvalidCode`] when `code` is not the configured number of digits (spaces are
    ///   ignored).
    /// - [`Error::Replay`] when the code matches only steps at or before `last_step`.
    /// - [`Error::Mismatch`] when it matches no step of the window.
    pub fn verify_at_uncommitted(
        &self,
        code: impl AsRef<[u8]>,
        time: u64,
        last_step: Option<u64>,
        window: Window,
    ) -> Result<TotpMatch, Error> {
        self.verify_digits(code.as_ref(), self.step_at(time)?, last_step, window)
    }

    /// Verifies `code` against the steps of `window` around `center`, in constant time.
    ///
    /// [`Totp::verify_at_uncommitted`] with the current step as `center`. Use this to centre the window on a
    /// recorded drift (RFC 6238 §6): `center = current step + drift`.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Totp, TotpParams, Window};
    ///
    /// let totp = Totp::new(&[1; 20], TotpParams::default())?;
    /// let now = 1_700_000_000;
    /// let step = totp.step_at(now)?;
    /// // The token's clock is known to run 3 steps ahead.
    /// let code = totp.generate_step(step + 3);
    /// let m = totp.verify_step_uncommitted(code.as_str(), step + 3, None, Window::default())?;
    /// assert_eq!((m.step, m.drift), (step + 3, 0));
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Totp::verify_at_uncommitted`], plus [`Error::WindowOutOfRange`] when no step of the window lies
    /// in `0..=u64::MAX`.
    pub fn verify_step_uncommitted(
        &self,
        code: impl AsRef<[u8]>,
        center: u64,
        last_step: Option<u64>,
        window: Window,
    ) -> Result<TotpMatch, Error> {
        self.verify_digits(code.as_ref(), center, last_step, window)
    }

    /// [`Totp::verify_step_uncommitted`] without the generic front (one copy in the binary).
    pub(crate) fn verify_digits(
        &self,
        code: &[u8],
        center: u64,
        last_step: Option<u64>,
        window: Window,
    ) -> Result<TotpMatch, Error> {
        let given = parse_number(code, self.digits)?;
        let step = verify::scan_batched(
            window.around(center),
            last_step,
            |steps, values| code_values(&self.mac, self.digits, steps, values),
            &given,
        )?;
        // The window caps |step - center| at Window::MAX, so the wrapping difference read as
        // signed is exact.
        let drift = step.wrapping_sub(center).cast_signed();
        Ok(TotpMatch { step, drift })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn long_division_at_the_edges() {
        let edges = [
            1,
            2,
            3,
            29,
            30,
            31,
            1 << 32,
            (1 << 63) - 1,
            1 << 63,
            u64::MAX - 1,
            u64::MAX,
        ];
        for &d in &edges {
            for &n in edges.iter().chain(&[0]) {
                let nz = NonZeroU64::new(d).unwrap();
                assert_eq!(long_div_rem(n, nz), (n / d, n % d), "{n} / {d}");
                assert_eq!(div_rem(n, nz), (n / d, n % d), "{n} / {d}");
            }
        }
    }

    proptest! {
        #[test]
        fn long_division_matches_the_operators(n in any::<u64>(), d in any::<NonZeroU64>(),
                                               shift in 0..64u32) {
            // Divisors of every magnitude, not only large ones.
            let d = NonZeroU64::new((d.get() >> shift).max(1)).unwrap();
            prop_assert_eq!(long_div_rem(n, d), (n / d.get(), n % d.get()));
        }
    }
}
