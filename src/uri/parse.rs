//! The otpauth:// parser (lenient by default, strict on request).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use percent_encoding::percent_decode;
use zeroize::Zeroizing;

use super::{
    Encoder, OtpAuthUri, OtpType, Parameter, ParseOptions, ParsedUri, UriError, UriErrorKind,
    Warning, Warnings,
};
use super::{MAX_LEN, MAX_PARAMETERS};
use crate::{Algorithm, BoxedSecret, base32};

/// Warnings with the byte offset where each was first seen (for strict-mode errors).
struct Found {
    set: Warnings,
    at: [usize; Warning::ALL.len()],
}

impl Found {
    fn warn(&mut self, warning: Warning, position: usize) {
        if !self.set.contains(warning) {
            self.set.insert(warning);
            if let Some(slot) = self.at.get_mut(warning as usize) {
                *slot = position;
            }
        }
    }
}

const fn err(kind: UriErrorKind, parameter: Option<Parameter>, position: usize) -> UriError {
    UriError::new(kind, parameter, position)
}

/// Characters RFC 3986 allows raw in a path or query (besides `%`, checked separately).
fn allowed_raw(c: char) -> bool {
    matches!(c,
        'a'..='z' | 'A'..='Z' | '0'..='9'
        | '-' | '.' | '_' | '~' | '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ','
        | ';' | '=' | ':' | '@' | '/' | '?' | '%')
}

/// Checks that every `%` starts a two-hex-digit escape.
fn check_escapes(raw: &str, offset: usize, parameter: Option<Parameter>) -> Result<(), UriError> {
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
fn decode_into(
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

fn decode_text<'a>(
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
fn raw_offset(raw: &str, decoded: usize) -> usize {
    let bytes = raw.as_bytes();
    let mut i = 0;
    for _ in 0..decoded {
        i += if bytes.get(i) == Some(&b'%') { 3 } else { 1 };
    }
    i
}

/// Strict decimal: ASCII digits only, no sign, no overflow.
fn parse_decimal(s: &str) -> Option<u64> {
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
fn parse_algorithm(value: &str, position: usize) -> Result<(Algorithm, bool), UriError> {
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
fn decode_secret(
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
fn first_of_each(
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

#[derive(Default)]
struct Raw<'a> {
    secret: Option<(usize, &'a str)>,
    issuer: Option<(usize, &'a str)>,
    algorithm: Option<(usize, &'a str)>,
    digits: Option<(usize, &'a str)>,
    period: Option<(usize, &'a str)>,
    counter: Option<(usize, &'a str)>,
    encoder: Option<(usize, &'a str)>,
}

pub(super) fn parse(input: &str, options: ParseOptions) -> Result<ParsedUri, UriError> {
    let mut found = Found {
        set: Warnings::new(),
        at: [0; Warning::ALL.len()],
    };

    // Bounded work and memory whatever the input: see `MAX_LEN`.
    if input.len() > MAX_LEN {
        return Err(err(UriErrorKind::TooLong, None, MAX_LEN));
    }

    // §5.10: strip surrounding whitespace (QR scanners add a newline).
    let trimmed = input.trim_matches(|c: char| c.is_ascii_whitespace());
    let base = input.len()
        - input
            .trim_start_matches(|c: char| c.is_ascii_whitespace())
            .len();
    if trimmed.len() != input.len() {
        found.warn(Warning::SurroundingWhitespace, 0);
    }

    // Scheme, case-insensitive (RFC 3986 §3.1).
    const SCHEME: &str = "otpauth://";
    let head = trimmed.get(..SCHEME.len());
    if !head.is_some_and(|h| h.eq_ignore_ascii_case(SCHEME)) {
        let migration = trimmed
            .get(..18)
            .is_some_and(|h| h.eq_ignore_ascii_case("otpauth-migration:"));
        let kind = if migration {
            UriErrorKind::MigrationScheme
        } else {
            UriErrorKind::UnsupportedScheme
        };
        return Err(err(kind, None, base));
    }
    if head != Some(SCHEME) {
        found.warn(Warning::SchemeCase, base);
    }

    if trimmed.is_ascii() {
        // The common case, byte by byte (every ASCII byte is a char).
        for (i, &b) in trimmed.as_bytes().iter().enumerate() {
            if b.is_ascii_control() {
                return Err(err(UriErrorKind::InvalidCharacter, None, base + i));
            }
            if !allowed_raw(char::from(b)) {
                found.warn(Warning::UnencodedCharacter, base + i);
            }
        }
    } else {
        for (i, c) in trimmed.char_indices() {
            if c.is_control() {
                return Err(err(UriErrorKind::InvalidCharacter, None, base + i));
            }
            if !allowed_raw(c) {
                found.warn(Warning::UnencodedCharacter, base + i);
            }
        }
    }

    let rest_at = base + SCHEME.len();
    let rest = trimmed.get(SCHEME.len()..).unwrap_or_default();
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let query_at = rest_at + before_query.len() + 1;

    // Type.
    let (type_raw, label_raw) = match before_query.split_once('/') {
        Some((t, l)) => (t, l),
        None => (before_query, ""),
    };
    let label_at = rest_at + type_raw.len() + 1;
    let mut encoder = Encoder::Standard;
    let is_hotp = if type_raw.eq_ignore_ascii_case("totp") {
        false
    } else if type_raw.eq_ignore_ascii_case("hotp") {
        true
    } else if type_raw.eq_ignore_ascii_case("steam") {
        // Aegis writes Steam entries as `otpauth://steam/...`.
        encoder = Encoder::Steam;
        found.warn(Warning::Steam, rest_at);
        false
    } else {
        return Err(err(
            UriErrorKind::UnknownType,
            Some(Parameter::Type),
            rest_at,
        ));
    };
    if type_raw.bytes().any(|b| b.is_ascii_uppercase()) {
        found.warn(Warning::TypeCase, rest_at);
    }

    // Label: decoded whole (`+` stays literal, §5.2); split once the `issuer` parameter is
    // known (below).
    let (label, _) = decode_text(label_raw, label_at, false, Some(Parameter::Label))?;

    // Query parameters.
    let mut raw = Raw::default();
    let mut unknown: Vec<(Cow<'_, str>, Cow<'_, str>, usize)> = Vec::new();
    let mut at = query_at;
    let mut count = 0usize;
    for segment in query.unwrap_or_default().split('&') {
        let segment_at = at;
        at += segment.len() + 1;
        if segment.is_empty() {
            continue;
        }
        count += 1;
        if count > MAX_PARAMETERS {
            return Err(err(UriErrorKind::TooManyParameters, None, segment_at));
        }
        let (key_raw, value_raw, value_at) = match segment.split_once('=') {
            Some((k, v)) => (k, v, segment_at + k.len() + 1),
            None => (segment, "", segment_at + segment.len()),
        };
        let (key, key_plus) = decode_text(key_raw, segment_at, true, Some(Parameter::Extra))?;
        let (slot, parameter) = match &*key {
            "secret" => (&mut raw.secret, Parameter::Secret),
            "issuer" => (&mut raw.issuer, Parameter::Issuer),
            "algorithm" => (&mut raw.algorithm, Parameter::Algorithm),
            "digits" => (&mut raw.digits, Parameter::Digits),
            "period" => (&mut raw.period, Parameter::Period),
            "counter" => (&mut raw.counter, Parameter::Counter),
            "encoder" => (&mut raw.encoder, Parameter::Encoder),
            _ => {
                if key_plus {
                    found.warn(Warning::PlusAsSpace, segment_at);
                }
                let (value, plus) = decode_text(value_raw, value_at, true, Some(Parameter::Extra))?;
                if plus {
                    found.warn(Warning::PlusAsSpace, value_at);
                }
                found.warn(Warning::UnknownParameter, segment_at);
                unknown.push((key, value, segment_at));
                continue;
            }
        };
        if slot.is_some() {
            return Err(err(
                UriErrorKind::DuplicateParameter,
                Some(parameter),
                segment_at,
            ));
        }
        *slot = Some((value_at, value_raw));
    }

    let extra = first_of_each(unknown, &mut found);

    // Parameters whose value is text (algorithm, digits... are ASCII but may be escaped).
    fn text<'a>(
        field: Option<(usize, &'a str)>,
        parameter: Parameter,
        found: &mut Found,
    ) -> Result<Option<(usize, Cow<'a, str>)>, UriError> {
        match field {
            None => Ok(None),
            Some((pos, value)) => {
                let (text, plus) = decode_text(value, pos, true, Some(parameter))?;
                if plus {
                    found.warn(Warning::PlusAsSpace, pos);
                }
                Ok(Some((pos, text)))
            }
        }
    }

    // Secret (decoded into zeroizing memory).
    let secret = match raw.secret {
        None => {
            return Err(err(
                UriErrorKind::MissingSecret,
                Some(Parameter::Secret),
                query_at,
            ));
        }
        // Nothing to percent-decode (the common case): straight from the caller's text.
        Some((pos, value)) if !value.bytes().any(|b| b == b'%' || b == b'+') => {
            decode_secret(value.as_bytes(), pos, options.strict, &mut found)?
        }
        Some((pos, value)) => {
            let mut bytes = Zeroizing::new(Vec::with_capacity(value.len()));
            if decode_into(value, pos, true, Some(Parameter::Secret), &mut bytes)? {
                found.warn(Warning::PlusAsSpace, pos);
            }
            decode_secret(&bytes, pos, options.strict, &mut found)?
        }
    };

    // Encoder.
    if let Some((pos, value)) = text(raw.encoder, Parameter::Encoder, &mut found)? {
        if value == "steam" {
            encoder = Encoder::Steam;
            found.warn(Warning::Steam, pos);
        } else {
            return Err(err(
                UriErrorKind::UnknownEncoder,
                Some(Parameter::Encoder),
                pos,
            ));
        }
    }
    let steam = encoder == Encoder::Steam;
    let steam_error = |pos| err(UriErrorKind::InvalidSteam, Some(Parameter::Encoder), pos);
    if steam && is_hotp {
        return Err(steam_error(rest_at));
    }

    // Algorithm.
    let algorithm = match text(raw.algorithm, Parameter::Algorithm, &mut found)? {
        // The Key URI format's default is SHA-1, whatever this build's default is.
        None => parse_algorithm("SHA1", query_at)?.0,
        Some((pos, value)) => {
            let (algorithm, canonical) = parse_algorithm(&value, pos)?;
            if !canonical {
                found.warn(Warning::AlgorithmSpelling, pos);
            }
            if steam && algorithm.as_str() != "SHA1" {
                return Err(steam_error(pos));
            }
            algorithm
        }
    };

    // Digits: 6..=10, exactly 5 for Steam.
    let digits = match text(raw.digits, Parameter::Digits, &mut found)? {
        None if steam => 5,
        None => 6,
        Some((pos, value)) => {
            let invalid = err(UriErrorKind::InvalidDigits, Some(Parameter::Digits), pos);
            let n = parse_decimal(&value)
                .and_then(|n| u8::try_from(n).ok())
                .ok_or(invalid)?;
            match (steam, n) {
                (true, 5) | (false, 6 | 8) => n,
                (false, 7 | 9 | 10) => {
                    found.warn(Warning::NonstandardDigits, pos);
                    n
                }
                _ => return Err(invalid),
            }
        }
    };

    // Period (TOTP) or counter (HOTP); the other one is ignored with a warning.
    let period = text(raw.period, Parameter::Period, &mut found)?;
    let counter = text(raw.counter, Parameter::Counter, &mut found)?;
    let otp_type = if is_hotp {
        if let Some((pos, _)) = period {
            found.warn(Warning::PeriodOnHotp, pos);
        }
        let counter = match counter {
            Some((pos, value)) => parse_decimal(&value).ok_or(err(
                UriErrorKind::InvalidCounter,
                Some(Parameter::Counter),
                pos,
            ))?,
            // Required by the Key URI format; Google Authenticator, FreeOTP and pyotp start
            // at 0.
            None if options.strict => {
                return Err(err(
                    UriErrorKind::MissingCounter,
                    Some(Parameter::Counter),
                    query_at,
                ));
            }
            None => {
                found.warn(Warning::MissingCounter, query_at);
                0
            }
        };
        OtpType::Hotp { counter }
    } else {
        if let Some((pos, _)) = counter {
            found.warn(Warning::CounterOnTotp, pos);
        }
        let period = match period {
            None => 30,
            Some((pos, value)) => {
                let period = parse_decimal(&value).filter(|p| *p > 0).ok_or(err(
                    UriErrorKind::InvalidPeriod,
                    Some(Parameter::Period),
                    pos,
                ))?;
                if !matches!(period, 15 | 30 | 60) {
                    found.warn(Warning::UnusualPeriod, pos);
                }
                period
            }
        };
        OtpType::Totp { period }
    };

    // Issuer: prefer the parameter, report a differing label prefix (§5.3).
    let issuer_param = match text(raw.issuer, Parameter::Issuer, &mut found)? {
        Some((pos, value)) if value.is_empty() => {
            found.warn(Warning::EmptyIssuer, pos);
            None
        }
        Some((pos, value)) => Some((pos, value)),
        None => None,
    };

    // Split the label at the first `:` (§5.4: a raw `:` or `%3A`), unless the issuer parameter
    // itself holds a colon and the label starts with it and a `:` (pyotp percent-encodes such
    // an issuer: `ACME%3ACorp:alice?issuer=ACME%3ACorp`).
    let issuer_split = issuer_param.as_ref().and_then(|(_, param)| {
        let rest = label.strip_prefix(&**param)?;
        (param.contains(':') && rest.starts_with(':')).then_some(param.len())
    });
    if issuer_split.is_some() {
        found.warn(Warning::ColonInIssuer, label_at);
    }
    let (label_issuer, account_name) = match issuer_split.or_else(|| label.find(':')) {
        Some(i) => {
            let raw_i = raw_offset(label_raw, i);
            let sep_len = if label_raw.as_bytes().get(raw_i) == Some(&b':') {
                1
            } else {
                found.warn(Warning::EncodedSeparator, label_at + raw_i);
                3
            };
            let issuer = label.get(..i).unwrap_or_default();
            let account = label.get(i + 1..).unwrap_or_default();
            let trimmed_account = account.trim_start_matches(' ');
            if trimmed_account.len() != account.len() {
                found.warn(Warning::SpaceAfterSeparator, label_at + raw_i + sep_len);
            }
            let issuer = if issuer.is_empty() {
                found.warn(Warning::EmptyIssuer, label_at);
                None
            } else {
                Some(issuer)
            };
            (issuer, trimmed_account)
        }
        None => (None, &*label),
    };
    if account_name.contains(':') {
        found.warn(Warning::ColonInAccount, label_at);
    }
    if account_name.is_empty() {
        found.warn(Warning::EmptyAccount, label_at);
    }

    let (issuer, label_issuer) = match (issuer_param, label_issuer) {
        (Some((pos, param)), Some(label)) if *param != *label => {
            found.warn(Warning::IssuerMismatch, pos);
            (Some(param.into_owned()), Some(String::from(label)))
        }
        (Some((_, param)), _) => (Some(param.into_owned()), None),
        (None, label) => (label.map(String::from), None),
    };

    let uri = OtpAuthUri {
        secret,
        account_name: String::from(account_name),
        issuer,
        otp_type,
        algorithm,
        digits,
        encoder,
        extra,
    };

    // Advice.
    if uri.secret.len() < 16 {
        found.warn(Warning::ShortKey, query_at);
    }
    if uri.issuer.is_none() {
        found.warn(Warning::NoIssuer, label_at);
    }
    if uri.name_len() > 64 {
        found.warn(Warning::LongName, label_at);
    }

    if options.strict
        && let Some(quirk) = found.set.first_quirk()
    {
        {
            let position = found.at.get(quirk as usize).copied().unwrap_or_default();
            return Err(err(
                UriErrorKind::Quirk(quirk),
                quirk_parameter(quirk),
                position,
            ));
        }
    }

    Ok(ParsedUri {
        uri,
        label_issuer,
        warnings: found.set,
    })
}

fn quirk_parameter(quirk: Warning) -> Option<Parameter> {
    Some(match quirk {
        Warning::TypeCase => Parameter::Type,
        Warning::Steam => Parameter::Encoder,
        Warning::ColonInAccount
        | Warning::ColonInIssuer
        | Warning::EmptyAccount
        | Warning::EncodedSeparator
        | Warning::SpaceAfterSeparator => Parameter::Label,
        Warning::EmptyIssuer | Warning::IssuerMismatch | Warning::NoIssuer => Parameter::Issuer,
        Warning::UnknownParameter | Warning::DuplicateUnknownParameter => Parameter::Extra,
        Warning::LowercaseSecret
        | Warning::PaddedSecret
        | Warning::SpacedSecret
        | Warning::NonzeroPaddingBits
        | Warning::ShortKey => Parameter::Secret,
        Warning::AlgorithmSpelling => Parameter::Algorithm,
        Warning::NonstandardDigits => Parameter::Digits,
        Warning::PeriodOnHotp | Warning::UnusualPeriod => Parameter::Period,
        Warning::CounterOnTotp | Warning::MissingCounter => Parameter::Counter,
        _ => return None,
    })
}
