//! Challenge questions: checking them and building the 128-byte `Q` field
//! (RFC 6287 §5.1, §6.3), the way the RFC's reference implementation does.

use core::fmt;

use super::suite::{ChallengeFormat, OcraSuite};

/// Length of the `Q` field in the OCRA message.
pub(crate) const Q_LEN: usize = 128;

/// What is wrong with a challenge question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChallengeErrorKind {
    /// The challenge is empty.
    Empty,
    /// The challenge has more characters than the suite's `Q` length allows.
    TooLong {
        /// Characters given.
        len: usize,
        /// The suite's maximum (`QN08` → 8).
        max: usize,
    },
    /// A character that the suite's question format does not allow: `N` takes the digits
    /// `0-9`, `H` the hexadecimal digits (either case), `A` the ASCII letters and digits.
    InvalidCharacter,
}

impl fmt::Display for ChallengeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChallengeErrorKind::Empty => f.write_str("empty challenge"),
            ChallengeErrorKind::TooLong { len, max } => {
                write!(f, "challenge of {len} characters, the suite allows {max}")
            }
            ChallengeErrorKind::InvalidCharacter => {
                f.write_str("character not allowed by the question format")
            }
        }
    }
}

/// A challenge question the suite does not accept: where and what.
///
/// For two challenges (mutual and server-authenticated modes), `position` counts through
/// both in the order they enter the message: the other party's first, then one's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChallengeError {
    position: usize,
    kind: ChallengeErrorKind,
}

impl ChallengeError {
    /// Byte offset of the fault (for `Empty` and `TooLong`, of the challenge's start).
    #[must_use]
    pub fn position(&self) -> usize {
        self.position
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> ChallengeErrorKind {
        self.kind
    }
}

impl fmt::Display for ChallengeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid challenge at byte {}: {}",
            self.position, self.kind
        )
    }
}

impl core::error::Error for ChallengeError {}

fn allowed(format: ChallengeFormat, byte: u8) -> bool {
    match format {
        ChallengeFormat::Numeric => byte.is_ascii_digit(),
        ChallengeFormat::Hexadecimal => byte.is_ascii_hexdigit(),
        ChallengeFormat::Alphanumeric => byte.is_ascii_alphanumeric(),
    }
}

fn check(suite: &OcraSuite, challenge: &[u8], base: usize) -> Result<(), ChallengeError> {
    if challenge.is_empty() {
        return Err(ChallengeError {
            position: base,
            kind: ChallengeErrorKind::Empty,
        });
    }
    let max = suite.max_challenge_len();
    if challenge.len() > max {
        return Err(ChallengeError {
            position: base,
            kind: ChallengeErrorKind::TooLong {
                len: challenge.len(),
                max,
            },
        });
    }
    match challenge
        .iter()
        .position(|&b| !allowed(suite.challenge_format(), b))
    {
        Some(i) => Err(ChallengeError {
            position: base + i,
            kind: ChallengeErrorKind::InvalidCharacter,
        }),
        None => Ok(()),
    }
}

/// Checks the challenge(s) against the suite and encodes their concatenation
/// (`first ‖ second`) into the `Q` field, zero-padded to 128 bytes:
/// - `N`: the decimal number in binary; as the reference writes it in hexadecimal without
///   leading zeros and appends a `0` nibble to an odd-length string, a value whose
///   significant bytes start with a zero nibble is shifted left by 4 bits;
/// - `A`: the ASCII bytes;
/// - `H`: the hex digits decoded, an odd count ending in a `0` nibble.
///
/// Each challenge may have up to `max_challenge_len` characters, so the pair fits:
/// 128 ASCII bytes, 64 bytes of hex, 54 bytes for a 128-digit number.
pub(crate) fn encode(
    suite: &OcraSuite,
    first: &str,
    second: Option<&str>,
) -> Result<[u8; Q_LEN], ChallengeError> {
    let first = first.as_bytes();
    let second = second.map(str::as_bytes);
    check(suite, first, 0)?;
    if let Some(second) = second {
        check(suite, second, first.len())?;
    }
    let text = first.iter().chain(second.unwrap_or(&[])).copied();
    let mut q = [0u8; Q_LEN];
    match suite.challenge_format() {
        ChallengeFormat::Alphanumeric => {
            for (dst, src) in q.iter_mut().zip(text) {
                *dst = src;
            }
        }
        ChallengeFormat::Hexadecimal => {
            for (i, c) in text.enumerate() {
                let nibble = hex_value(c);
                if let Some(dst) = q.get_mut(i / 2) {
                    *dst |= if i.is_multiple_of(2) {
                        nibble << 4
                    } else {
                        nibble
                    };
                }
            }
        }
        ChallengeFormat::Numeric => numeric(text, &mut q),
    }
    Ok(q)
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Big-endian binary of a decimal string of at most 128 digits (< 2^426, 54 bytes).
const NUM_LEN: usize = 64;

fn numeric(digits: impl Iterator<Item = u8>, q: &mut [u8; Q_LEN]) {
    // Nine decimal digits at a time into 32-bit limbs (least significant first): 16 limbs of
    // multiply-add per nine digits, instead of 64 bytes per digit.
    let mut limbs = [0u32; NUM_LEN / 4];
    let mut absorb = |chunk: u32, scale: u32| {
        let mut carry = u64::from(chunk);
        for limb in limbs.iter_mut() {
            let t = u64::from(*limb) * u64::from(scale) + carry;
            // The low half; the high half carries on.
            *limb = (t & 0xffff_ffff) as u32;
            carry = t >> 32;
        }
    };
    let (mut chunk, mut scale) = (0u32, 1u32);
    for d in digits {
        chunk = chunk * 10 + u32::from(d.wrapping_sub(b'0') % 10);
        scale *= 10;
        if scale == 1_000_000_000 {
            absorb(chunk, scale);
            (chunk, scale) = (0, 1);
        }
    }
    if scale > 1 {
        absorb(chunk, scale);
    }
    let mut num = [0u8; NUM_LEN];
    let (bytes, _) = num.as_chunks_mut::<4>();
    for (dst, limb) in bytes.iter_mut().rev().zip(limbs) {
        *dst = limb.to_be_bytes();
    }
    let Some(start) = num.iter().position(|&b| b != 0) else {
        // The value 0: the reference's hex string is "0", padded to "00".
        return;
    };
    let significant = num.get(start..).unwrap_or(&[]);
    let odd_nibbles = significant.first().is_some_and(|&b| b < 0x10);
    let next = significant.iter().skip(1).chain(core::iter::once(&0));
    for ((dst, &b), &after) in q.iter_mut().zip(significant).zip(next) {
        *dst = if odd_nibbles {
            (b << 4) | (after >> 4)
        } else {
            b
        };
    }
}

#[cfg(all(test, otpkit_sha1))]
mod tests {
    use super::*;

    fn suite(s: &str) -> OcraSuite {
        OcraSuite::parse(s).unwrap()
    }

    fn q(s: &str, first: &str, second: Option<&str>) -> [u8; Q_LEN] {
        encode(&suite(s), first, second).unwrap()
    }

    fn hex(bytes: &[u8]) -> [u8; Q_LEN] {
        let mut out = [0u8; Q_LEN];
        out[..bytes.len()].copy_from_slice(bytes);
        out
    }

    #[test]
    fn numeric_matches_spec_table() {
        let s = "OCRA-1:HOTP-SHA1-6:QN08";
        assert_eq!(q(s, "00000000", None), [0; Q_LEN]);
        assert_eq!(q(s, "11111111", None), hex(&[0xA9, 0x8A, 0xC7]));
        assert_eq!(q(s, "22222222", None), hex(&[0x15, 0x31, 0x58, 0xE0]));
        assert_eq!(q(s, "77777777", None), hex(&[0x4A, 0x2C, 0xB7, 0x10]));
        assert_eq!(q(s, "99999999", None), hex(&[0x5F, 0x5E, 0x0F, 0xF0]));
        assert_eq!(q(s, "12345678", None), hex(&[0xBC, 0x61, 0x4E]));
        assert_eq!(q(s, "00012345", None), q(s, "12345", None));
        assert_eq!(q(s, "15", None), hex(&[0xF0]));
        assert_eq!(q(s, "16", None), hex(&[0x10]));
        assert_eq!(q(s, "256", None), hex(&[0x10, 0x00]));
    }

    #[test]
    fn numeric_128_digits() {
        let s = suite("OCRA-1:HOTP-SHA1-6:QN64");
        let nines = "9".repeat(64);
        let q = encode(&s, &nines, Some(&nines)).unwrap();
        // 10^128 - 1 has 426 bits: 107 nibbles, padded to 54 bytes.
        assert!(q[..54].iter().any(|&b| b != 0));
        assert!(q[54..].iter().all(|&b| b == 0));
        assert_eq!(q[53] & 0x0F, 0);
    }

    #[test]
    fn alphanumeric_and_hex() {
        assert_eq!(
            q("OCRA-1:HOTP-SHA1-6:QA08", "SIG10000", None),
            hex(b"SIG10000")
        );
        assert_eq!(
            q("OCRA-1:HOTP-SHA1-6:QA08", "CLI22220", Some("SRV11110")),
            hex(b"CLI22220SRV11110")
        );
        assert_eq!(
            q("OCRA-1:HOTP-SHA1-6:QH08", "aBc", None),
            hex(&[0xAB, 0xC0])
        );
        let s = suite("OCRA-1:HOTP-SHA1-6:QA64");
        let a = "Z".repeat(64);
        assert_eq!(encode(&s, &a, Some(&a)).unwrap(), [b'Z'; Q_LEN]);
    }

    #[test]
    fn errors() {
        let s = suite("OCRA-1:HOTP-SHA1-6:QN08");
        let e = encode(&s, "", None).unwrap_err();
        assert_eq!((e.position(), e.kind()), (0, ChallengeErrorKind::Empty));
        let e = encode(&s, "123456789", None).unwrap_err();
        assert_eq!(e.kind(), ChallengeErrorKind::TooLong { len: 9, max: 8 });
        let e = encode(&s, "1234", Some("12a")).unwrap_err();
        assert_eq!(
            (e.position(), e.kind()),
            (6, ChallengeErrorKind::InvalidCharacter)
        );
        let e = encode(&suite("OCRA-1:HOTP-SHA1-6:QA08"), "AB-", None).unwrap_err();
        assert_eq!(e.position(), 2);
        let e = encode(&suite("OCRA-1:HOTP-SHA1-6:QH08"), "abg", None).unwrap_err();
        assert_eq!(e.position(), 2);
    }
}
