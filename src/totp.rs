//! TOTP (RFC 6238): time-based codes.

use core::num::NonZeroU64;

use crate::{
    Algorithm, Code, Error, Window,
    hotp::{MIN_KEY_LEN, code_values, keyed},
    mac::Mac,
    verify,
};

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
        Ok(Totp {
            mac: keyed(params.algorithm, key, params.digits, min)?,
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
            // RFC 6238's 30 s step, divided by a constant (a multiplication) rather than by the
            // field (a 64-bit `div`, which costs a fifth of a code's two compressions).
            Some(elapsed) if self.period.get() == 30 => Ok(elapsed / 30),
            Some(elapsed) => Ok(elapsed / self.period),
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
            Some(elapsed) => Ok(self.period.get() - elapsed % self.period),
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
        let given = Code::parse_bytes(code, self.digits)?.number();
        let step = verify::scan_batched(
            window.around(center),
            last_step,
            |steps, values| code_values(&self.mac, self.digits, steps, values),
            &given,
        )?;
        let drift = i128::from(step) - i128::from(center);
        Ok(TotpMatch {
            step,
            // The window caps |drift| at Window::MAX.
            drift: i64::try_from(drift).unwrap_or(0),
        })
    }
}
