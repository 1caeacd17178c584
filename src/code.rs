//! One-time codes: a small stack value, compared in constant time.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};

use crate::Error;

/// The longest code this crate produces or parses (10 characters).
const MAX_LEN: usize = MAX_DIGITS as usize;
const MAX_DIGITS: u8 = 10;

// Codes are reduced and formatted by multiplications and shifts, never a division: a `div`
// instruction's latency can depend on its operands (a Cortex-M4's `udiv` takes 2 to 12
// cycles), and a size-optimised build turns a division by a constant into one. On 64-bit
// targets by reciprocals (one multiplication); on 32-bit ones by shifts and adds, which need no
// 64-bit product (a library call on a Cortex-M0) and no table.

/// For `digits` in `6..=9`: `p = 10^digits`, and a multiplier `m` and shift `s - 32` such that
/// `(n * m) >> s == n / p` for every `n < 2^31`: `s = 31 + ceil(log2 p)` and
/// `m = ceil(2^s / p)`, below 2^32. With `m·p = 2^s + e`, `e < p`, the error term is
/// `n·e / (p·2^s) < 2^(31 - s) <= 1/p`, too small to reach the next multiple of `1/p`. The
/// shift is stored less 32 so that it applies to the product's high word.
#[cfg(any(test, target_pointer_width = "64"))]
const DIVIDERS: [(u32, u32, u32); 4] = [divider(6), divider(7), divider(8), divider(9)];

// Evaluated at compile time; the assertion makes the cast below exact.
#[cfg(any(test, target_pointer_width = "64"))]
#[allow(clippy::cast_possible_truncation)]
const fn divider(digits: u32) -> (u32, u32, u32) {
    let p = 10u32.pow(digits);
    let s = 31 + (32 - (p - 1).leading_zeros());
    let m = (1u64 << s).div_ceil(p as u64);
    assert!(m < 1 << 32);
    (p, m as u32, s - 32)
}

/// `value mod 10^digits` for a 31-bit `value` (a truncated HMAC) and `digits` in `6..=10`
/// (for 10, `value` itself: a 31-bit value has at most 10 digits).
#[cfg(target_pointer_width = "64")]
#[inline]
pub(crate) fn reduce(value: u32, digits: u8) -> u32 {
    reduce_wide(value, digits)
}

/// `value mod 10^digits` for a 31-bit `value` (a truncated HMAC) and `digits` in `6..=10`
/// (for 10, `value` itself: a 31-bit value has at most 10 digits).
#[cfg(not(target_pointer_width = "64"))]
#[inline]
pub(crate) fn reduce(value: u32, digits: u8) -> u32 {
    reduce_narrow(value, digits)
}

/// [`reduce`] by a reciprocal: `value` itself for digit counts outside `6..=9`.
#[cfg(any(test, target_pointer_width = "64"))]
#[inline]
// The high word of a 64-bit product fits in 32 bits.
#[allow(clippy::cast_possible_truncation)]
fn reduce_wide(value: u32, digits: u8) -> u32 {
    match DIVIDERS.get(usize::from(digits).wrapping_sub(6)) {
        Some(&(p, m, shift)) => {
            let q = ((u64::from(value) * u64::from(m)) >> 32) as u32 >> shift;
            value.wrapping_sub(q.wrapping_mul(p))
        }
        None => value,
    }
}

/// [`reduce`] by `digits` divisions by ten ([`div10_narrow`]), for any `u32` and up to 10
/// digits: `10^10` wraps in 32 bits, but the quotient is then 0.
#[cfg(any(test, not(target_pointer_width = "64")))]
fn reduce_narrow(value: u32, digits: u8) -> u32 {
    let (mut q, mut p) = (value, 1u32);
    for _ in 0..digits.min(MAX_DIGITS) {
        q = div10_narrow(q).0;
        p = p.wrapping_mul(10);
    }
    value.wrapping_sub(q.wrapping_mul(p))
}

/// `(v / 10, v % 10)` for any `u32`.
#[cfg(target_pointer_width = "64")]
#[inline]
fn div10(v: u32) -> (u32, u8) {
    div10_wide(v)
}

/// `(v / 10, v % 10)` for any `u32`.
#[cfg(not(target_pointer_width = "64"))]
#[inline]
fn div10(v: u32) -> (u32, u8) {
    div10_narrow(v)
}

/// [`div10`] by the reciprocal `ceil(2^35 / 10)`.
#[cfg(any(test, target_pointer_width = "64"))]
#[inline]
// The quotient of a u32 and a remainder below 10 fit in their types.
#[allow(clippy::cast_possible_truncation)]
fn div10_wide(v: u32) -> (u32, u8) {
    let q = ((u64::from(v) * 0xCCCC_CCCD) >> 35) as u32;
    (q, v.wrapping_sub(q.wrapping_mul(10)) as u8)
}

/// [`div10`] by shifts and adds (Hacker's Delight, `divu10`): `q` approximates `v · 0.8 / 8`
/// from below, at most one short, and the remainder `r = v - 10q` (below 20) corrects it.
#[cfg(any(test, not(target_pointer_width = "64")))]
#[inline]
// A remainder below 10 fits in a byte.
#[allow(clippy::cast_possible_truncation)]
fn div10_narrow(v: u32) -> (u32, u8) {
    let mut q = (v >> 1) + (v >> 2);
    q += q >> 4;
    q += q >> 8;
    q += q >> 16;
    q >>= 3;
    let r = v - q * 10;
    // 1 when r >= 10, without a branch.
    let carry = (r + 6) >> 4;
    (q + carry, (r - carry * 10) as u8)
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
// Word-aligned on 32-bit targets, so that moving a `Code` (out of a `Result`, say) copies
// words, not the bytes and half-words that size-optimised builds split an unaligned one into.
// Not on 64-bit ones, where it measured a few per cent slower.
#[cfg_attr(not(target_pointer_width = "64"), repr(align(4)))]
pub struct Code {
    /// The characters, zero bytes after `len`.
    buf: [u8; MAX_LEN],
    len: u8,
}

impl Code {
    /// `value mod 10^digits`, zero-padded to `digits` decimal digits (RFC 4226 §5.3 step 3).
    /// `digits` is clamped to `1..=10`; callers validate it first.
    ///
    /// The last `digits` decimal digits of `value` are its value mod 10^digits, so no reduction
    /// comes first. Each digit is taken by a multiplication ([`div10`]): no `div` instruction,
    /// whose latency can depend on its operands, and no division-by-zero path. The loop runs
    /// `digits` times, which is public.
    #[inline]
    pub(crate) fn from_number(value: u32, digits: u8) -> Code {
        let digits = digits.clamp(1, MAX_DIGITS);
        let mut v = value;
        let mut buf = [0u8; MAX_LEN];
        let code = buf.get_mut(..usize::from(digits)).unwrap_or_default();
        for slot in code.iter_mut().rev() {
            let (q, digit) = div10(v);
            *slot = b'0' + digit;
            v = q;
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
        let mut buf = [0u8; MAX_LEN];
        scan_digits(input, digits, |i, b| {
            if let Some(slot) = buf.get_mut(i) {
                *slot = b;
            }
        })?;
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
    /// compare numbers instead of text on the verification path; `u32::MAX` for a value of
    /// 2^31 or more (ten digits), which no truncated HMAC reaches, so such a code matches
    /// nothing and never wraps onto a smaller code.
    #[cfg(test)]
    pub(crate) fn number(&self) -> u32 {
        let digits = self.buf.get(..usize::from(self.len)).unwrap_or(&self.buf);
        let mut n = Number::default();
        digits.iter().for_each(|&b| n.push(b));
        n.value()
    }
}

/// Checks that `input` is exactly `digits` ASCII digits, spaces aside, and hands each digit to
/// `each` with its index among the digits.
///
/// # Errors
///
/// As [`Code::parse`].
fn scan_digits(input: &[u8], digits: u8, mut each: impl FnMut(usize, u8)) -> Result<(), Error> {
    // A pattern, not `RangeInclusive::contains`, which size-optimised builds call.
    if !matches!(digits, 1..=MAX_DIGITS) {
        return Err(Error::InvalidDigits(digits));
    }
    let mut found = 0usize;
    for (position, &b) in input.iter().enumerate() {
        match b {
            b' ' => {}
            b'0'..=b'9' => {
                each(found, b);
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
    Ok(())
}

/// A decimal number read digit by digit, saturating at `u32::MAX`.
#[derive(Default)]
struct Number(u32);

impl Number {
    fn push(&mut self, digit: u8) {
        // From 2^28 on, ten times more is past 2^31 and can match nothing: saturate. Below it
        // nothing overflows, and no multiplication needs its high word (a library call on a
        // Cortex-M0).
        self.0 = if self.0 >= 1 << 28 {
            u32::MAX
        } else {
            self.0 * 10 + u32::from(digit.wrapping_sub(b'0'))
        };
    }

    /// The value, or `u32::MAX` for 2^31 or more (ten digits), which no truncated HMAC
    /// reaches: such a code matches nothing and never wraps onto a smaller one.
    fn value(&self) -> u32 {
        if self.0 < 1 << 31 { self.0 } else { u32::MAX }
    }
}

/// The decimal value of a code a user typed (what it was before zero-padding), checked as
/// [`Code::parse`] checks it, without keeping its characters: the verifiers compare numbers,
/// not text. `u32::MAX` for a value of 2^31 or more, which matches nothing.
///
/// # Errors
///
/// As [`Code::parse`].
pub(crate) fn parse_number(input: &[u8], digits: u8) -> Result<u32, Error> {
    let mut n = Number::default();
    scan_digits(input, digits, |_, b| n.push(b))?;
    Ok(n.value())
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
            999_999_999,
            1_000_000_000,
            0x7fff_ffff,
        ];
        for digits in 1..=10u8 {
            for &v in &values {
                let reduced = if digits < 10 {
                    v % 10u32.pow(u32::from(digits))
                } else {
                    v
                };
                if digits >= 6 {
                    assert_eq!(reduce(v, digits), reduced, "{v} {digits}");
                }
                let want = std::format!("{reduced:0width$}", width = usize::from(digits));
                let code = Code::from_number(v, digits);
                assert_eq!(code.as_str(), want, "{v} {digits}");
                assert_eq!(code.number(), reduced);
            }
        }
        // Both ways of dividing by ten, at the edges.
        for v in [
            0,
            9,
            10,
            19,
            20,
            99,
            100,
            4_294_967_289,
            u32::MAX - 1,
            u32::MAX,
        ] {
            assert_eq!(div10_wide(v), (v / 10, (v % 10) as u8), "{v}");
            assert_eq!(div10_narrow(v), (v / 10, (v % 10) as u8), "{v}");
        }
    }

    #[test]
    fn ten_digit_numbers_beyond_31_bits_match_nothing() {
        assert_eq!(Code::parse("2147483647", 10).unwrap().number(), 0x7fff_ffff);
        for big in [
            "2147483648",
            "2684354559",
            "2684354560",
            "4294967295",
            "4294967296",
            "9999999999",
        ] {
            assert_eq!(Code::parse(big, 10).unwrap().number(), u32::MAX, "{big}");
        }
    }

    proptest::proptest! {
        #[test]
        fn typed_numbers_are_exact_below_2_pow_31(n in 0..10_000_000_000u64, digits in 1..=10u8) {
            let n = n % 10u64.pow(u32::from(digits));
            let typed = std::format!("{n:0width$}", width = usize::from(digits));
            let want = u32::try_from(n).ok().filter(|&v| v < 1 << 31).unwrap_or(u32::MAX);
            proptest::prop_assert_eq!(parse_number(typed.as_bytes(), digits), Ok(want));
            proptest::prop_assert_eq!(Code::parse(&typed, digits).unwrap().number(), want);
        }

        #[test]
        fn reductions_divide_exactly(v in 0..=0x7fff_ffffu32, digits in 6..=10u8, w: u32) {
            let want = if digits < 10 { v % 10u32.pow(u32::from(digits)) } else { v };
            proptest::prop_assert_eq!(reduce_wide(v, digits), want);
            proptest::prop_assert_eq!(reduce_narrow(v, digits), want);
            proptest::prop_assert_eq!(div10_wide(w), (w / 10, (w % 10) as u8));
            proptest::prop_assert_eq!(div10_narrow(w), (w / 10, (w % 10) as u8));
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
