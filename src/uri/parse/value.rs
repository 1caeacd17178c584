//! Decoding the parts of an otpauth URI: percent escapes, text, numbers, the algorithm, the
//! secret, and the unknown parameters.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use percent_encoding::percent_decode;

use crate::uri::{Parameter, UriError, UriErrorKind, Warning, Warnings};
use crate::{Algorithm, BoxedSecret, base32};

/// Warnings with the byte offset where each was first seen (for strict-mode errors).
pub(super) struct Found {
    pub(super) set: Warnings,
    pub(super) at: [usize; Warning::ALL.len()],
}

impl Found {
    pub(super) fn warn(&mut self, warning: Warning, position: usize) {
        if !self.set.contains(warning) {
            self.set.insert(warning);
            if let Some(slot) = self.at.get_mut(warning as usize) {
                *slot = position;
            }
        }
    }
}

pub(super) const fn err(
    kind: UriErrorKind,
    parameter: Option<Parameter>,
    position: usize,
) -> UriError {
    UriError::new(kind, parameter, position)
}

/// Characters RFC 3986 allows raw in a path or query (besides `%`, checked separately).
pub(super) fn allowed_raw(c: char) -> bool {
    matches!(c,
        'a'..='z' | 'A'..='Z' | '0'..='9'
        | '-' | '.' | '_' | '~' | '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ','
        | ';' | '=' | ':' | '@' | '/' | '?' | '%')
}

/// Checks that every `%` starts a two-hex-digit escape.
pub(super) fn check_escapes(
    raw: &str,
    offset: usize,
    parameter: Option<Parameter>,
) -> Result<(), UriError> {
    let bytes = raw.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'%' {
            let ok = matches!(bytes.get(i + 1..i + 3), Some([h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit());
            if !ok {
                return Err(err(
                    UriErrorKind::InvalidPercentEncoding,
                    parameter,
                    offset + i,
                ));
            }
        }
    }
    Ok(())
}

/// Percent-decodes `raw` into `out`; with `plus_as_space`, a raw `+` becomes a space
/// (form encoding) while `%2B` stays a plus. Returns whether a raw `+` was seen.
pub(super) fn decode_into(
    raw: &str,
    offset: usize,
    plus_as_space: bool,
    parameter: Option<Parameter>,
    out: &mut Vec<u8>,
) -> Result<bool, UriError> {
    check_escapes(raw, offset, parameter)?;
    if !plus_as_space {
        out.extend(percent_decode(raw.as_bytes()));
        return Ok(false);
    }
    let mut pieces = raw.as_bytes().split(|&b| b == b'+');
    if let Some(first) = pieces.next() {
        out.extend(percent_decode(first));
    }
    let mut plus = false;
    for piece in pieces {
        plus = true;
        out.push(b' ');
        out.extend(percent_decode(piece));
    }
    Ok(plus)
}

pub(super) fn decode_text<'a>(
    raw: &'a str,
    offset: usize,
    plus_as_space: bool,
    parameter: Option<Parameter>,
) -> Result<(Cow<'a, str>, bool), UriError> {
    // Nothing to decode: borrow (the common case for parameter values).
    if !raw
        .bytes()
        .any(|b| b == b'%' || (plus_as_space && b == b'+'))
    {
        return Ok((Cow::Borrowed(raw), false));
    }
    let mut out = Vec::with_capacity(raw.len());
    let plus = decode_into(raw, offset, plus_as_space, parameter, &mut out)?;
    String::from_utf8(out)
        .map(|s| (Cow::Owned(s), plus))
        .map_err(|_| err(UriErrorKind::InvalidUtf8, parameter, offset))
}

/// The offset in `raw` (whose escapes are valid) of the byte that decodes to offset `decoded`.
pub(super) fn raw_offset(raw: &str, decoded: usize) -> usize {
    let bytes = raw.as_bytes();
    let mut i = 0;
    for _ in 0..decoded {
        i += if bytes.get(i) == Some(&b'%') { 3 } else { 1 };
    }
    i
}

/// Strict decimal: ASCII digits only, no sign, no overflow.
pub(super) fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u64, |acc, b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// Returns the algorithm and whether it was spelled canonically.
pub(super) fn parse_algorithm(value: &str, position: usize) -> Result<(Algorithm, bool), UriError> {
    // `SHA-256` is read as `SHA256`, in any case, without allocating.
    let name = match value.get(..4) {
        Some(head) if head.eq_ignore_ascii_case("SHA-") => value.get(4..).map(|tail| ("SHA", tail)),
        _ => value
            .get(3..)
            .map(|tail| (value.get(..3).unwrap_or_default(), tail)),
    };
    let spelled = |canonical: &str| {
        name.is_some_and(|(head, tail)| {
            head.eq_ignore_ascii_case("SHA") && canonical.get(3..) == Some(tail)
        })
    };
    let upper = ["SHA1", "SHA256", "SHA512"]
        .into_iter()
        .find(|c| spelled(c))
        .unwrap_or_default();
    let canonical = !upper.is_empty() && upper == value;
    let e = |kind| err(kind, Some(Parameter::Algorithm), position);
    let algorithm = match upper {
        #[cfg(otpkit_sha1)]
        "SHA1" => Algorithm::Sha1,
        #[cfg(feature = "sha256")]
        "SHA256" => Algorithm::Sha256,
        #[cfg(feature = "sha512")]
        "SHA512" => Algorithm::Sha512,
        // Reachable only when an algorithm feature is disabled.
        #[allow(unreachable_patterns)]
        "SHA1" | "SHA256" | "SHA512" => return Err(e(UriErrorKind::DisabledAlgorithm)),
        _ => return Err(e(UriErrorKind::UnknownAlgorithm)),
    };
    Ok((algorithm, canonical))
}

/// Decodes a tolerant Base32 secret (RFC 4648 alphabet, any case, spaces, trailing `=`).
///
/// Only spaces and padding are looked at here, so the branches taken depend on the secret's
/// formatting, never on its characters; the characters go to the core's constant-time decoder
/// (`base32ct`), and case and trailing bits are folded in with masks.
///
/// The key is decoded straight into its heap block ([`BoxedSecret`]), never onto the stack.
pub(super) fn decode_secret(
    text: &[u8],
    position: usize,
    strict: bool,
    found: &mut Found,
) -> Result<BoxedSecret, UriError> {
    let invalid = err(
        UriErrorKind::InvalidSecret,
        Some(Parameter::Secret),
        position,
    );
    // The characters end at the first `=`; only padding and spaces may follow it.
    let end = text.iter().position(|&b| b == b'=').unwrap_or(text.len());
    let (body, padding) = text.split_at(end);
    let padded = !padding.is_empty();
    if padding.iter().any(|&b| b != b'=' && b != b' ') {
        return Err(invalid);
    }
    let mut n = 0usize;
    let mut lower = 0u8;
    let mut last = 0u8;
    for &b in body {
        if b == b' ' {
            found.warn(Warning::SpacedSecret, position);
            continue;
        }
        // A hyphen is the core's separator, not a URI's.
        if b == b'-' {
            return Err(invalid);
        }
        lower |= base32::is_lower(b);
        last = b;
        n += 1;
    }
    if padding.contains(&b' ') {
        found.warn(Warning::SpacedSecret, position);
    }
    if padded {
        found.warn(Warning::PaddedSecret, position);
    }
    if n == 0 {
        return Err(if padded {
            invalid
        } else {
            err(
                UriErrorKind::MissingSecret,
                Some(Parameter::Secret),
                position,
            )
        });
    }
    if lower != 0 {
        found.warn(Warning::LowercaseSecret, position);
    }
    // RFC 4648 §6: the last quantum has 2, 4, 5 or 7 characters; the bits of its last
    // character that fall past the final byte should be zero (§3.5 lets decoders reject them;
    // Google Authenticator and oathtool ignore them, so only strict mode does).
    let unused_bits = match n % 8 {
        0 => 0,
        2 => 2,
        4 => 4,
        5 => 1,
        7 => 3,
        _ => return Err(invalid),
    };
    // The core decoder skips the spaces itself.
    let secret = match BoxedSecret::from_base32_bytes(body) {
        Ok(secret) => secret,
        Err(crate::Error::KeyTooLong { .. }) => {
            return Err(err(
                UriErrorKind::SecretTooLong,
                Some(Parameter::Secret),
                position,
            ));
        }
        Err(_) => return Err(invalid),
    };
    if base32::value_of(last) & ((1u8 << unused_bits) - 1) != 0 {
        if strict {
            return Err(invalid);
        }
        found.warn(Warning::NonzeroPaddingBits, position);
    }
    Ok(secret)
}

/// The unknown parameters, each name once (the first value wins, later ones are reported as
/// [`Warning::DuplicateUnknownParameter`]), in their order. O(k log k): the names are sorted
/// with their indices, so equal names sit together, the first one first.
#[inline(never)]
pub(super) fn first_of_each(
    unknown: Vec<(Cow<'_, str>, Cow<'_, str>, usize)>,
    found: &mut Found,
) -> Vec<(String, String)> {
    if unknown.len() < 2 {
        return unknown
            .into_iter()
            .map(|(key, value, _)| (key.into_owned(), value.into_owned()))
            .collect();
    }
    let mut sorted: Vec<(&str, usize)> = unknown
        .iter()
        .enumerate()
        .map(|(i, (key, _, _))| (&**key, i))
        .collect();
    sorted.sort_unstable();
    let mut repeated = alloc::vec![false; unknown.len()];
    for pair in sorted.windows(2) {
        if let [(a, _), (b, later)] = pair
            && a == b
            && let Some(flag) = repeated.get_mut(*later)
        {
            *flag = true;
        }
    }
    let mut extra = Vec::with_capacity(unknown.len());
    let mut first_repeat = None;
    for ((key, value, at), repeat) in unknown.into_iter().zip(repeated) {
        if repeat {
            first_repeat = first_repeat.or(Some(at));
        } else {
            extra.push((key.into_owned(), value.into_owned()));
        }
    }
    if let Some(at) = first_repeat {
        found.warn(Warning::DuplicateUnknownParameter, at);
    }
    extra
}
