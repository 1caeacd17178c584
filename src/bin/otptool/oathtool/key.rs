//! The key: hex and base32 as liboath decodes them, and as `-v` prints them.

use core::fmt::Write as _;

use otpkit::Secret;
use zeroize::Zeroizing;

fn hex_digit(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Hex as liboath's `oath_hex2bin` reads it: pairs of digits of either case, nothing else.
pub fn decode_hex(text: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let mut key = Zeroizing::new(Vec::with_capacity(text.len() / 2));
    for pair in text.chunks_exact(2) {
        let (hi, lo) = (hex_digit(*pair.first()?)?, hex_digit(*pair.get(1)?)?);
        key.push(hi << 4 | lo);
    }
    Some(key)
}

/// Base32 as liboath reads it (spaces dropped, any case, padding completed), or otpkit's more
/// tolerant reading (hyphens, extra padding) where liboath refuses.
pub fn decode_base32(text: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let text = core::str::from_utf8(text).ok()?;
    // Nothing but spaces: an empty key, which liboath takes and otptool refuses as such.
    if text.bytes().all(|b| b == b' ') {
        return Some(Zeroizing::new(Vec::new()));
    }
    let mut secret = Secret::EMPTY;
    secret.decode_base32(text).ok()?;
    Some(Zeroizing::new(secret.as_ref().to_vec()))
}

pub fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// RFC 4648 base32 with padding, as `oath_base32_encode` writes it.
pub fn base32_padded(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut s = String::new();
    for chunk in bytes.chunks(5) {
        let mut block = [0u8; 5];
        for (dst, src) in block.iter_mut().zip(chunk) {
            *dst = *src;
        }
        let bits = block.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                let index = usize::try_from(bits >> (35 - 5 * i) & 31).unwrap_or(0);
                s.push(char::from(*ALPHABET.get(index).unwrap_or(&b'A')));
            } else {
                s.push('=');
            }
        }
    }
    s
}
