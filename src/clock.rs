//! The system clock, for TOTP (`std` feature).
//!
//! The core takes time as an argument; these helpers read `SystemTime` for it.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Code, Error, Totp, TotpMatch, Window};

/// The current Unix time in whole seconds.
///
/// # Errors
///
/// [`Error::ClockBeforeUnixEpoch`] when the system clock is set before 1970.
pub fn unix_now() -> Result<u64, Error> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::ClockBeforeUnixEpoch)
}

impl Totp {
    /// The code for the current time.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Totp, TotpParams};
    ///
    /// let totp = Totp::new(b"12345678901234567890", TotpParams::default())?;
    /// println!("{} ({} s left)", totp.now()?, totp.seconds_left()?);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ClockBeforeUnixEpoch`] or [`Error::TimeBeforeT0`] when the clock is before the
    /// epoch or T0.
    pub fn now(&self) -> Result<Code, Error> {
        self.generate_at(unix_now()?)
    }

    /// Seconds until the current code changes.
    ///
    /// # Errors
    ///
    /// As [`Totp::now`].
    pub fn seconds_left(&self) -> Result<u64, Error> {
        self.seconds_left_at(unix_now()?)
    }

    /// [`Totp::verify_at_uncommitted`] at the current time: store the match's step before
    /// acting on it.
    ///
    /// # Errors
    ///
    /// As [`Totp::verify_at_uncommitted`], plus [`Error::ClockBeforeUnixEpoch`].
    pub fn verify_now_uncommitted(
        &self,
        code: impl AsRef<[u8]>,
        last_step: Option<u64>,
        window: Window,
    ) -> Result<TotpMatch, Error> {
        self.verify_at_uncommitted(code, unix_now()?, last_step, window)
    }
}
