//! Tolerant, allocation-free base32 (RFC 4648 §6) for secrets.
//!
//! The bytes are decoded by `base32ct`, whose decoder has no data-dependent branches or table
//! look-ups, so a key's characters do not steer the timing. This file only removes what people
//! and apps put around a secret (spaces, hyphens, lower case, `=` padding) and finds the
//! position of a bad character once decoding has already failed.

use core::fmt;

use base32ct::{Base32UpperUnpadded, Encoding};
use zeroize::{Zeroize, Zeroizing};

use crate::Error;

/// What is wrong with base32 input ([`Error::Base32`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Base32ErrorKind {
    /// A character outside `A-Z`, `a-z`, `2-7`, space, `-` and trailing `=`.
    InvalidCharacter,
    /// A base32 character after `=` padding, or padding that does not end on a multiple of 8.
    InvalidPadding,
    /// A number of characters that no byte string encodes to (1, 3 or 6 beyond a multiple of 8).
    InvalidLength,
    /// No base32 characters at all.
    Empty,
}

impl fmt::Display for Base32ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Base32ErrorKind::InvalidCharacter => "invalid character",
            Base32ErrorKind::InvalidPadding => "misplaced padding",
            Base32ErrorKind::InvalidLength => "impossible length",
            Base32ErrorKind::Empty => "no data",
        })
    }
}

/// The most bytes decoded at once (the capacity of [`Secret`](crate::Secret)).
pub(crate) const MAX_BYTES: usize = 256;
/// Base32 characters for `MAX_BYTES` bytes.
const MAX_CHARS: usize = (MAX_BYTES * 8).div_ceil(5);

/// Decodes tolerant base32 into `out` (at most [`MAX_BYTES`] are used), returning the number of
/// bytes written.
///
/// Accepts lower case, spaces and hyphens anywhere, and `=` padding at the end (or none).
pub(crate) fn decode(input: &str, out: &mut [u8]) -> Result<usize, Error> {
    decode_bytes(input.as_bytes(), out)
}

/// [`decode`] over bytes (percent-decoded URI parameters are bytes).
pub(crate) fn decode_bytes(input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    let mut chars = [0u8; MAX_CHARS];
    let mut n = 0usize;
    let result = compact_and_decode(input, out, &mut chars, &mut n);
    // Wipe the characters written (the rest of the buffer was never touched).
    if let Some(used) = chars.get_mut(..n) {
        used.zeroize();
    }
    result
}

/// Copies the characters of `input` into `chars` (counting them in `n`), then decodes them.
fn compact_and_decode(
    input: &[u8],
    out: &mut [u8],
    chars: &mut [u8; MAX_CHARS],
    n: &mut usize,
) -> Result<usize, Error> {
    let mut padding: Option<usize> = None;
    let mut pads = 0usize;
    for (position, &b) in input.iter().enumerate() {
        // Only separators and padding branch here; a secret character is never one of them.
        if b == b' ' || b == b'-' {
            continue;
        }
        if b == b'=' {
            padding.get_or_insert(position);
            pads += 1;
            continue;
        }
        if padding.is_some() {
            return Err(Error::Base32 {
                position,
                kind: Base32ErrorKind::InvalidPadding,
            });
        }
        match chars.get_mut(*n) {
            // Upper-case ASCII letters without a branch on the character; anything invalid is
            // caught by the decoder below.
            Some(slot) => *slot = b ^ (is_lower(b) & 0x20),
            None => {
                // Report the length the whole input would decode to, not where we stopped.
                let rest = input.get(position..).unwrap_or_default();
                let chars = *n
                    + rest
                        .iter()
                        .filter(|&&c| !matches!(c, b' ' | b'-' | b'='))
                        .count();
                return Err(Error::KeyTooLong {
                    len: chars * 5 / 8,
                    max: MAX_BYTES.min(out.len()),
                });
            }
        }
        *n += 1;
    }
    if *n == 0 {
        return Err(Error::Base32 {
            position: input.len(),
            kind: Base32ErrorKind::Empty,
        });
    }
    if let Some(position) = padding
        && (!(*n + pads).is_multiple_of(8) || pads >= 8)
    {
        return Err(Error::Base32 {
            position,
            kind: Base32ErrorKind::InvalidPadding,
        });
    }
    if matches!(*n % 8, 1 | 3 | 6) {
        return Err(Error::Base32 {
            position: input.len(),
            kind: Base32ErrorKind::InvalidLength,
        });
    }
    let decoded_len = *n * 5 / 8;
    if decoded_len > out.len().min(MAX_BYTES) {
        return Err(Error::KeyTooLong {
            len: decoded_len,
            max: out.len().min(MAX_BYTES),
        });
    }
    let src = chars.get(..*n).unwrap_or_default();
    match Base32UpperUnpadded::decode(src, out) {
        Ok(bytes) => Ok(bytes.len()),
        Err(_) => Err(Error::Base32 {
            position: first_invalid(input).unwrap_or(input.len()),
            kind: Base32ErrorKind::InvalidCharacter,
        }),
    }
}

/// The 5-bit value of a base32 character (`A-Z`, `a-z`, `2-7`), computed without branching; any
/// other byte gives an unspecified value (callers decode with `base32ct` first).
#[cfg(any(test, feature = "uri"))]
pub(crate) fn value_of(b: u8) -> u8 {
    let letter = (b | 0x20).wrapping_sub(b'a');
    let digit = b.wrapping_sub(b'2').wrapping_add(26);
    // 0xff for `2-7`: both differences negative exactly when '2' <= b <= '7'.
    let bi = i16::from(b);
    let is_digit = ((((i16::from(b'2') - 1 - bi) & (bi - i16::from(b'7') - 1)) >> 8) & 0xff) as u8;
    (letter & !is_digit) | (digit & is_digit)
}

/// `0xff` when `b` is an ASCII lower-case letter, else `0`, computed without branching.
#[inline(always)]
pub(crate) fn is_lower(b: u8) -> u8 {
    let b = i16::from(b);
    // Both differences are negative exactly when 'a' <= b <= 'z'.
    let mask = ((i16::from(b'a') - 1 - b) & (b - i16::from(b'z') - 1)) >> 8;
    (mask & 0xff) as u8
}

/// Where the first character outside the tolerated alphabet is (only called once decoding
/// failed, so this may branch).
fn first_invalid(input: &[u8]) -> Option<usize> {
    input.iter().position(|&b| {
        !(b.is_ascii_alphabetic()
            || (b'2'..=b'7').contains(&b)
            || b == b' '
            || b == b'-'
            || b == b'=')
    })
}

/// The length of the canonical (upper-case, unpadded) encoding of `len` bytes.
pub(crate) const fn encoded_len(len: usize) -> usize {
    (len * 8).div_ceil(5)
}

/// Writes the canonical encoding of `bytes` (upper case, no padding) to `out`, five bytes at a
/// time through a small stack buffer that is wiped afterwards.
pub(crate) fn write(bytes: &[u8], out: &mut dyn fmt::Write) -> fmt::Result {
    let mut buf = Zeroizing::new([0u8; 8]);
    for chunk in bytes.chunks(5) {
        let text = Base32UpperUnpadded::encode(chunk, buf.as_mut()).map_err(|_| fmt::Error)?;
        out.write_str(text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Result<std::vec::Vec<u8>, Error> {
        let mut out = [0u8; MAX_BYTES];
        let n = decode(s, &mut out)?;
        Ok(out[..n].to_vec())
    }

    #[test]
    fn tolerant_forms_agree() {
        let want = b"Hello!\xde\xad\xbe\xef".to_vec();
        for s in [
            "JBSWY3DPEHPK3PXP",
            "jbswy3dpehpk3pxp",
            "JBSW Y3DP EHPK 3PXP",
            "jbsw-y3dp-ehpk-3pxp",
            "JBSWY3DPEHPK3PXP",
        ] {
            assert_eq!(dec(s).unwrap(), want, "{s}");
        }
        assert_eq!(
            dec("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====").unwrap(),
            b"12345678901234567890123456789012"
        );
        assert_eq!(
            dec("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA").unwrap(),
            b"12345678901234567890123456789012"
        );
        assert_eq!(dec("ME======").unwrap(), b"a");
    }

    #[test]
    fn errors_name_the_position() {
        assert_eq!(
            dec("JBSW1Y3D"),
            Err(Error::Base32 {
                position: 4,
                kind: Base32ErrorKind::InvalidCharacter
            })
        );
        assert_eq!(
            dec("JBSWY3DP=A"),
            Err(Error::Base32 {
                position: 9,
                kind: Base32ErrorKind::InvalidPadding
            })
        );
        assert_eq!(
            dec("ME==="),
            Err(Error::Base32 {
                position: 2,
                kind: Base32ErrorKind::InvalidPadding
            })
        );
        assert_eq!(
            dec("A"),
            Err(Error::Base32 {
                position: 1,
                kind: Base32ErrorKind::InvalidLength
            })
        );
        assert_eq!(
            dec(" - "),
            Err(Error::Base32 {
                position: 3,
                kind: Base32ErrorKind::Empty
            })
        );
        assert_eq!(
            dec("é"),
            Err(Error::Base32 {
                position: 0,
                kind: Base32ErrorKind::InvalidCharacter
            })
        );
    }

    #[test]
    fn too_long_reports_the_whole_length() {
        let long = "A".repeat(480); // 300 bytes
        assert_eq!(
            dec(&long),
            Err(Error::KeyTooLong {
                len: 300,
                max: MAX_BYTES
            })
        );
    }

    #[test]
    fn value_of_matches_the_alphabet() {
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".bytes().enumerate() {
            assert_eq!(usize::from(value_of(c)), i);
            assert_eq!(usize::from(value_of(c.to_ascii_lowercase())), i);
        }
    }

    #[test]
    fn lower_mask_is_exact() {
        for b in 0..=255u8 {
            assert_eq!(is_lower(b) == 0xff, b.is_ascii_lowercase(), "{b}");
        }
    }
}
