//! The otpauth:// parser (lenient by default, strict on request).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

mod value;

use zeroize::Zeroizing;

use super::{
    Encoder, OtpAuthUri, OtpType, Parameter, ParseOptions, ParsedUri, UriError, UriErrorKind,
    Warning, Warnings,
};
use super::{MAX_LEN, MAX_PARAMETERS};
use value::{
    Found, allowed_raw, decode_into, decode_secret, decode_text, err, first_of_each,
    parse_algorithm, parse_decimal, raw_offset,
};

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
