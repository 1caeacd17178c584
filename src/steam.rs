//! Steam Guard codes: TOTP (HMAC-SHA-1, 30 s, T0 = 0) written as 5 characters of Steam's
//! 26-letter alphabet instead of decimal digits.
//!
//! The 31-bit value of RFC 4226 §5.3 dynamic truncation is written least significant
//! character first, `v mod 26` then `v div 26`, five times (there is no `mod 10^d`).
//! Verification follows the TOTP rules: a window of steps, every candidate compared in
//! constant time, and a code at or before the last accepted step refused as a replay.
//!
//! # Examples
//! ```
//! use otpkit::{Secret, Window, steam::Steam};
//!
//! // KeePassXC's test vector, taken from the Steam mobile app.
//! let mut key = Secret::EMPTY;
//! key.decode_base32("63BEDWCQZKTQWPESARIERL5DTTQFCJTK")?;
//! let steam = Steam::new(key.as_ref())?;
//! assert_eq!(steam.generate_at(1_511_200_518).as_str(), "FR8RV");
//! let m = steam.verify_at_uncommitted("fr8rv", 1_511_200_518, None, Window::default())?;
//! assert_eq!(m.drift, 0);
//! # Ok::<(), otpkit::Error>(())
//! ```

use subtle::{ConditionallySelectable, ConstantTimeEq};

use crate::code::Code;
use crate::hotp::MIN_KEY_LEN;
use crate::mac::Mac;
use crate::verify::{self, Window};
use crate::{Algorithm, CodeErrorKind, Error, TotpMatch};

/// Steam Guard's code alphabet: no `0 1 A E I L O S U Z`.
pub const ALPHABET: &[u8; 26] = b"23456789BCDFGHJKMNPQRTVWXY";

/// Characters in a Steam Guard code.
pub const CODE_LEN: usize = 5;

/// Seconds per step.
pub const PERIOD: u64 = 30;

/// A Steam Guard generator and verifier; the keyed HMAC state is wiped on drop.
#[derive(Clone, Debug)]
pub struct Steam {
    mac: Mac,
}

impl Steam {
    /// Absorbs `key` (the raw `shared_secret` bytes, 20 for real accounts; at least 16).
    ///
    /// # Errors
    /// [`Error::KeyTooShort`] for a key under 16 bytes, [`Error::KeyTooLong`] beyond
    /// [`Secret::MAX_LEN`](crate::Secret::MAX_LEN).
    pub fn new(key: &[u8]) -> Result<Steam, Error> {
        Steam::with_min_key(key, MIN_KEY_LEN)
    }

    /// Like [`Steam::new`], but accepts keys down to 1 byte (importing legacy entries only).
    ///
    /// # Errors
    /// [`Error::KeyTooShort`] for an empty key, [`Error::KeyTooLong`] beyond
    /// [`Secret::MAX_LEN`](crate::Secret::MAX_LEN).
    pub fn new_allowing_short_key(key: &[u8]) -> Result<Steam, Error> {
        Steam::with_min_key(key, 1)
    }

    fn with_min_key(key: &[u8], min: usize) -> Result<Steam, Error> {
        if key.len() < min {
            return Err(Error::KeyTooShort {
                len: key.len(),
                min,
            });
        }
        if key.len() > crate::Secret::MAX_LEN {
            return Err(Error::KeyTooLong {
                len: key.len(),
                max: crate::Secret::MAX_LEN,
            });
        }
        Ok(Steam {
            mac: Mac::new(Algorithm::Sha1, key),
        })
    }

    /// The time step at Unix time `time`: `floor(time / 30)`.
    #[must_use]
    pub const fn step_at(time: u64) -> u64 {
        time / PERIOD
    }

    /// The code at Unix time `time`.
    #[must_use]
    pub fn generate_at(&self, time: u64) -> Code {
        self.generate_step(Steam::step_at(time))
    }

    /// The code for time step `step`.
    #[must_use]
    pub fn generate_step(&self, step: u64) -> Code {
        let mut value = self.mac.counter_value(step);
        let mut chars = [0u8; CODE_LEN];
        for slot in &mut chars {
            // Division by a constant compiles to a multiplication: no secret-dependent timing.
            *slot = alphabet_char(value % 26);
            value /= 26;
        }
        // Five ASCII characters always make a code; the fallback is never taken.
        Code::from_ascii(&chars).unwrap_or_else(|| Code::from_number(0, 1))
    }

    /// Verifies a user-typed code received at Unix time `time`, in constant time.
    ///
    /// Lower case is accepted and spaces are ignored. `last_step` is the step of the last
    /// accepted code (`None` at first); store [`TotpMatch::step`] after success.
    ///
    /// # Errors
    /// - [`Error::InvalidCode`] for a character outside the alphabet (after upper-casing) or a
    ///   length other than 5.
    /// - [`Error::Replay`] when the code matches only steps at or before `last_step`.
    /// - [`Error::Mismatch`] when it matches no step of `window`.
    pub fn verify_at_uncommitted(
        &self,
        code: impl AsRef<[u8]>,
        time: u64,
        last_step: Option<u64>,
        window: Window,
    ) -> Result<TotpMatch, Error> {
        self.verify_step_uncommitted(code, Steam::step_at(time), last_step, window)
    }

    /// Verifies `code` against the steps of `window` around `center`, in constant time.
    ///
    /// # Errors
    /// As [`Steam::verify_at_uncommitted`], plus [`Error::WindowOutOfRange`] when no step of the window
    /// lies in `0..=u64::MAX`.
    pub fn verify_step_uncommitted(
        &self,
        code: impl AsRef<[u8]>,
        center: u64,
        last_step: Option<u64>,
        window: Window,
    ) -> Result<TotpMatch, Error> {
        let given = parse_code(code.as_ref())?;
        let step = verify::scan(
            window.around(center),
            last_step,
            |s| self.generate_step(s),
            &given,
        )?;
        let drift = i128::from(step) - i128::from(center);
        Ok(TotpMatch {
            step,
            drift: i64::try_from(drift).unwrap_or(0),
        })
    }
}

/// `ALPHABET[index]` without a secret-indexed memory access: every entry is read and the one
/// wanted is selected in constant time (the index comes from the HMAC).
fn alphabet_char(index: u32) -> u8 {
    let mut c = b'2';
    for (i, &a) in (0u32..).zip(ALPHABET.iter()) {
        c.conditional_assign(&a, i.ct_eq(&index));
    }
    c
}

/// Parses a typed Steam code: 5 alphabet characters, any case, spaces ignored.
fn parse_code(input: &[u8]) -> Result<Code, Error> {
    let mut chars = [0u8; CODE_LEN];
    let mut found = 0usize;
    for (position, &b) in input.iter().enumerate() {
        if b == b' ' {
            continue;
        }
        let upper = b.to_ascii_uppercase();
        if !ALPHABET.contains(&upper) {
            return Err(Error::InvalidCode(CodeErrorKind::InvalidCharacter {
                position,
            }));
        }
        if let Some(slot) = chars.get_mut(found) {
            *slot = upper;
        }
        found += 1;
    }
    if found != CODE_LEN {
        return Err(Error::InvalidCode(CodeErrorKind::Length {
            expected: 5,
            found,
        }));
    }
    Code::from_ascii(&chars).ok_or(Error::InvalidCode(CodeErrorKind::Length {
        expected: 5,
        found,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    #[test]
    fn vectors() {
        let mut key = Secret::EMPTY;
        key.decode_base32("63BEDWCQZKTQWPESARIERL5DTTQFCJTK")
            .unwrap();
        let steam = Steam::new(key.as_ref()).unwrap();
        assert_eq!(steam.generate_at(1_511_200_518).as_str(), "FR8RV");
        assert_eq!(steam.generate_at(1_511_200_714).as_str(), "9P3VP");
        let rfc = Steam::new(b"12345678901234567890").unwrap();
        assert_eq!(rfc.generate_at(59).as_str(), "PV9M4");
    }

    #[test]
    fn verify_rules() {
        let steam = Steam::new(b"12345678901234567890").unwrap();
        let w = Window::default();
        let m = steam.verify_at_uncommitted("pv9 m4", 59, None, w).unwrap();
        assert_eq!((m.step, m.drift), (1, 0));
        // One step late is inside the default window, then a replay.
        assert_eq!(
            steam
                .verify_at_uncommitted("PV9M4", 60, None, w)
                .unwrap()
                .drift,
            -1
        );
        assert_eq!(
            steam.verify_at_uncommitted("PV9M4", 59, Some(1), w),
            Err(Error::Replay)
        );
        assert_eq!(
            steam.verify_at_uncommitted("PV9M5", 59, None, w),
            Err(Error::Mismatch)
        );
        assert_eq!(
            steam.verify_at_uncommitted("PV9M0", 59, None, w),
            Err(Error::InvalidCode(CodeErrorKind::InvalidCharacter {
                position: 4
            }))
        );
        assert_eq!(
            steam.verify_at_uncommitted("PV9M", 59, None, w),
            Err(Error::InvalidCode(CodeErrorKind::Length {
                expected: 5,
                found: 4
            }))
        );
        assert!(matches!(
            Steam::new(&[1; 15]),
            Err(Error::KeyTooShort { .. })
        ));
        assert!(Steam::new_allowing_short_key(&[1; 15]).is_ok());
    }

    #[test]
    fn constant_time_selection_is_the_table() {
        for (i, &c) in (0u32..).zip(ALPHABET.iter()) {
            assert_eq!(alphabet_char(i), c);
        }
    }

    #[test]
    fn every_character_is_in_the_alphabet() {
        let steam = Steam::new(&[9; 20]).unwrap();
        for step in 0..2000 {
            let code = steam.generate_step(step);
            assert_eq!(code.len(), 5);
            assert!(code.as_str().bytes().all(|c| ALPHABET.contains(&c)));
        }
    }
}
