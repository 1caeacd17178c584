//! One-time codes: a small stack value, compared in constant time.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};

use crate::Error;

/// The longest code this crate produces or parses (10 characters).
const MAX_LEN: usize = MAX_DIGITS as usize;
const MAX_DIGITS: u8 = 10;

/// `value mod 10^digits` for `digits` in `1..=9`, and `value` itself for 10 or more (a 31-bit
/// value has at most 10 digits). Each arm divides by a constant, which compiles to a
/// multiplication: no `div` instruction, whose latency can depend on its operands.
#[inline]
pub(crate) fn reduce(value: u32, digits: u8) -> u32 {
    match digits {
        0 => 0,
        1 => value % 10,
        2 => value % 100,
        3 => value % 1_000,
        4 => value % 10_000,
        5 => value % 100_000,
        6 => value % 1_000_000,
        7 => value % 10_000_000,
        8 => value % 100_000_000,
        9 => value % 1_000_000_000,
        _ => value,
    }
}

/// A one-time code: up to 10 ASCII characters held on the stack, leading zeros kept.
///
/// `Code` has no `PartialEq`: compare codes with [`subtle::ConstantTimeEq`], or better, let
/// [`Hotp::verify_uncommitted`](crate::Hotp::verify_uncommitted) and [`Totp::verify_at_uncommitted`](crate::Totp::verify_at_uncommitted) do it.
///
/// # Examples
///
/// ```
/// use otpkit::{Hotp, HotpParams};
///
/// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
/// let code = hotp.generate(7);
/// assert_eq!(code.as_str(), "162583");
/// assert_eq!(code.to_string(), "162583");
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Code {
    /// The characters, zero bytes after `len`.
    buf: [u8; MAX_LEN],
    len: u8,
}

impl Code {
    /// `value mod 10^digits`, zero-padded to `digits` decimal digits (RFC 4226 §5.3 step 3).
    /// `digits` is clamped to `1..=10`; callers validate it first.
    ///
    /// Every division is by a constant (a multiplication): no `div` instruction, whose latency
    /// can depend on its operands, and no division-by-zero path. The loop runs `digits` times,
    /// which is public.
    #[inline]
    pub(crate) fn from_number(value: u32, digits: u8) -> Code {
        let digits = digits.clamp(1, MAX_DIGITS);
        let mut v = reduce(value, digits);
        let mut buf = [0u8; MAX_LEN];
        for slot in buf.iter_mut().take(usize::from(digits)).rev() {
            // `v % 10` is below 10, so the cast cannot truncate.
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
        Code { buf, len: digits }
    }

    /// A code from ASCII characters of another alphabet (Steam Guard). `None` when `chars` is
    /// empty, longer than 10 or not ASCII.
    #[allow(dead_code)]
    pub(crate) fn from_ascii(chars: &[u8]) -> Option<Code> {
        let len = u8::try_from(chars.len()).ok()?;
        if len == 0 || len > MAX_DIGITS || !chars.is_ascii() {
            return None;
        }
        let mut buf = [0u8; MAX_LEN];
        buf.iter_mut().zip(chars).for_each(|(d, s)| *d = *s);
        Some(Code { buf, len })
    }

    /// Parses a code a user typed: exactly `digits` ASCII digits. Spaces are ignored (people
    /// type `123 456`); anything else is an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Code, CodeErrorKind, Error};
    ///
    /// assert_eq!(Code::parse("012 345", 6)?.as_str(), "012345");
    /// assert_eq!(
    ///     Code::parse("12345", 6).unwrap_err(),
    ///     Error::InvalidCode(CodeErrorKind::Length { expected: 6, found: 5 }),
    /// );
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidDigits`] when `digits` is outside `1..=10`.
    /// - [`Error::InvalidCode`] with [`CodeErrorKind::InvalidCharacter`] naming the byte offset of
    ///   the first character that is neither a digit nor a space, or
    ///   [`CodeErrorKind::Length`] when the number of digits differs from `digits`.
    pub fn parse(input: impl AsRef<[u8]>, digits: u8) -> Result<Code, Error> {
        Code::parse_bytes(input.as_ref(), digits)
    }

    /// [`Code::parse`] without the generic front (one copy in the binary).
    pub(crate) fn parse_bytes(input: &[u8], digits: u8) -> Result<Code, Error> {
        if !(1..=MAX_DIGITS).contains(&digits) {
            return Err(Error::InvalidDigits(digits));
        }
        let mut buf = [0u8; MAX_LEN];
        let mut found = 0usize;
        for (position, &b) in input.iter().enumerate() {
            match b {
                b' ' => {}
                b'0'..=b'9' => {
                    if let Some(slot) = buf.get_mut(found) {
                        *slot = b;
                    }
                    found += 1;
                }
                _ => {
                    return Err(Error::InvalidCode(CodeErrorKind::InvalidCharacter {
                        position,
                    }));
                }
            }
        }
        if found != usize::from(digits) {
            return Err(Error::InvalidCode(CodeErrorKind::Length {
                expected: digits,
                found,
            }));
        }
        Ok(Code { buf, len: digits })
    }

    /// The code as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        let bytes = self.buf.get(..usize::from(self.len)).unwrap_or(&self.buf);
        // Only ASCII is ever stored, so this cannot fail; an empty string would be the fallback.
        core::str::from_utf8(bytes).unwrap_or_default()
    }

    /// The number of characters.
    #[must_use]
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always `false`: a code has at least one character.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The decimal value of a code made of digits (what it was before zero-padding), used to
    /// compare numbers instead of text on the verification path. Ten digits always fit in a
    /// `u64`, so distinct codes never share a value (a `u32` would wrap above 4294967295).
    pub(crate) fn number(&self) -> u64 {
        let digits = self.buf.get(..usize::from(self.len)).unwrap_or(&self.buf);
        digits.iter().fold(0u64, |acc, &b| {
            acc.wrapping_mul(10)
                .wrapping_add(u64::from(b.wrapping_sub(b'0')))
        })
    }
}

impl ConstantTimeEq for Code {
    /// Compares all ten positions and the length, without early exit.
    fn ct_eq(&self, other: &Code) -> Choice {
        self.buf.ct_eq(&other.buf) & self.len.ct_eq(&other.len)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    /// A code is shown: it is what the user types, and it is only valid once.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Code").field(&self.as_str()).finish()
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// The code's ASCII characters: lets a [`Code`] (or `&Code`) be passed wherever a code to verify
/// is taken, without going through `&str`.
impl AsRef<[u8]> for Code {
    fn as_ref(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or(&self.buf)
    }
}

/// What is wrong with a user-typed code ([`Error::InvalidCode`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodeErrorKind {
    /// A character that is neither an ASCII digit nor a space, at this byte offset.
    InvalidCharacter {
        /// Byte offset in the input.
        position: usize,
    },
    /// The code has the wrong number of digits.
    Length {
        /// The number of digits expected.
        expected: u8,
        /// The number of digits found.
        found: usize,
    },
}

impl fmt::Display for CodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CodeErrorKind::InvalidCharacter { position } => {
                write!(f, "unexpected character at position {position}")
            }
            CodeErrorKind::Length { expected, found } => {
                write!(f, "expected {expected} digits, found {found}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_with_zeros_and_reduces() {
        assert_eq!(Code::from_number(0x50ef_7f19, 6).as_str(), "872921");
        assert_eq!(Code::from_number(82_162_583, 6).as_str(), "162583");
        assert_eq!(Code::from_number(7, 8).as_str(), "00000007");
        assert_eq!(Code::from_number(0x7fff_ffff, 10).as_str(), "2147483647");
        assert_eq!(Code::from_number(12, 10).as_str(), "0000000012");
    }

    #[test]
    fn branch_free_formatting_agrees_with_format() {
        let values = [
            0,
            1,
            9,
            10,
            99_999,
            1_000_000,
            872_921,
            0x7fff_ffff,
            u32::MAX,
        ];
        for digits in 1..=10u8 {
            for &v in &values {
                let reduced = if digits < 10 {
                    v % 10u32.pow(u32::from(digits))
                } else {
                    v
                };
                assert_eq!(reduce(v, digits), reduced, "{v} {digits}");
                let want = std::format!("{reduced:0width$}", width = usize::from(digits));
                let code = Code::from_number(v, digits);
                assert_eq!(code.as_str(), want, "{v} {digits}");
                assert_eq!(code.number(), u64::from(reduced));
            }
        }
    }

    #[test]
    fn parse_rejects_what_is_not_a_code() {
        assert!(Code::parse("12345a", 6).is_err());
        assert!(Code::parse("1234567", 6).is_err());
        assert!(Code::parse("", 6).is_err());
        assert!(Code::parse("１２３４５６", 6).is_err());
        assert_eq!(
            Code::parse("123456", 0).unwrap_err(),
            Error::InvalidDigits(0)
        );
        assert_eq!(
            Code::parse("123456", 11).unwrap_err(),
            Error::InvalidDigits(11)
        );
        assert_eq!(Code::parse(" 12 34 56 ", 6).unwrap().number(), 123_456);
    }
}
