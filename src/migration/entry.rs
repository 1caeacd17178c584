//! Encoding and decoding one exported entry (a protobuf `OtpParameters` message).

use alloc::string::String;
use alloc::vec::Vec;

use super::protobuf::{self, Reader, Value};
use super::{MigrationError, MigrationErrorKind};
use crate::uri::{Encoder, OtpAuthUri, OtpType};
use crate::{Algorithm, BoxedSecret};

/// proto3 int32: the low 32 bits of the varint.
pub(super) fn int32(value: u64) -> i32 {
    (value & 0xffff_ffff) as u32 as i32
}

pub(super) fn check_exportable(entry: &OtpAuthUri, index: usize) -> Result<(), MigrationError> {
    let fail = |kind| Err(MigrationError::new(kind, index));
    entry
        .validate()
        .map_err(|e| MigrationError::new(MigrationErrorKind::Uri(e.kind), index))?;
    if entry.encoder == Encoder::Steam {
        return fail(MigrationErrorKind::UnsupportedSteam);
    }
    if !matches!(entry.digits, 6 | 8) {
        return fail(MigrationErrorKind::UnsupportedDigits);
    }
    if matches!(entry.otp_type, OtpType::Totp { period } if period != 30) {
        return fail(MigrationErrorKind::UnsupportedPeriod);
    }
    Ok(())
}

pub(super) fn algorithm_number(algorithm: Algorithm) -> u64 {
    match algorithm.as_str() {
        "SHA256" => 2,
        "SHA512" => 3,
        _ => 1,
    }
}

pub(super) fn entry_fields(entry: &OtpAuthUri) -> [(u64, u64); 4] {
    let (kind, counter) = match entry.otp_type {
        OtpType::Hotp { counter } => (1, counter),
        OtpType::Totp { .. } => (2, 0),
    };
    let digits = if entry.digits == 8 { 2 } else { 1 };
    [
        (4, algorithm_number(entry.algorithm)),
        (5, digits),
        (6, kind),
        (7, counter),
    ]
}

pub(super) fn bytes_len(value: &[u8]) -> usize {
    if value.is_empty() {
        0
    } else {
        1 + protobuf::varint_len(value.len() as u64) + value.len()
    }
}

pub(super) fn entry_len(entry: &OtpAuthUri, name: &str) -> usize {
    let issuer = entry.issuer.as_deref().unwrap_or_default();
    let mut len = bytes_len(entry.secret.as_ref())
        + bytes_len(name.as_bytes())
        + bytes_len(issuer.as_bytes());
    for (_, value) in entry_fields(entry) {
        if value != 0 {
            len += 1 + protobuf::varint_len(value);
        }
    }
    len
}

pub(super) fn put_entry(out: &mut Vec<u8>, entry: &OtpAuthUri, name: &str) {
    protobuf::put_bytes(out, 1, entry.secret.as_ref());
    protobuf::put_bytes(out, 2, name.as_bytes());
    protobuf::put_bytes(
        out,
        3,
        entry.issuer.as_deref().unwrap_or_default().as_bytes(),
    );
    for (field, value) in entry_fields(entry) {
        protobuf::put_uint(out, field, value);
    }
}

pub(super) fn text(bytes: &[u8], at: usize) -> Result<&str, MigrationError> {
    core::str::from_utf8(bytes)
        .map_err(|_| MigrationError::new(MigrationErrorKind::InvalidUtf8, at))
}

pub(super) fn decode_entry(bytes: &[u8], base: usize) -> Result<OtpAuthUri, MigrationError> {
    let mut secret = None;
    let (mut name, mut issuer) = ("", "");
    let (mut algorithm, mut digits, mut kind, mut counter) =
        ((0, base), (0, base), (0, base), (0, base));
    let mut reader = Reader::new(bytes, base);
    while let Some((field, value, at)) = reader.next_field()? {
        match (field, value) {
            (1, Value::Bytes(b)) => {
                if b.is_empty() {
                    return Err(MigrationError::new(MigrationErrorKind::InvalidSecret, at));
                }
                // Written once, into its own heap block; a repeated field replaces it.
                secret = Some(
                    BoxedSecret::from_bytes(b)
                        .map_err(|_| MigrationError::new(MigrationErrorKind::InvalidSecret, at))?,
                );
            }
            (2, Value::Bytes(b)) => name = text(b, at)?,
            (3, Value::Bytes(b)) => issuer = text(b, at)?,
            (4, Value::Varint(v)) => algorithm = (v, at),
            (5, Value::Varint(v)) => digits = (v, at),
            (6, Value::Varint(v)) => kind = (v, at),
            (7, Value::Varint(v)) => counter = (v, at),
            _ => {}
        }
    }
    let fail = |kind, at| Err(MigrationError::new(kind, at));
    let Some(secret) = secret else {
        return fail(MigrationErrorKind::InvalidSecret, base);
    };
    let algorithm = match algorithm.0 {
        #[cfg(otpkit_sha1)]
        0 | 1 => Algorithm::Sha1,
        #[cfg(feature = "sha256")]
        2 => Algorithm::Sha256,
        #[cfg(feature = "sha512")]
        3 => Algorithm::Sha512,
        #[allow(unreachable_patterns)]
        0..=3 => return fail(MigrationErrorKind::DisabledAlgorithm, algorithm.1),
        4 => return fail(MigrationErrorKind::UnsupportedAlgorithm, algorithm.1),
        _ => return fail(MigrationErrorKind::UnknownEnum, algorithm.1),
    };
    let digits = match digits.0 {
        0 | 1 => 6,
        2 => 8,
        _ => return fail(MigrationErrorKind::UnknownEnum, digits.1),
    };
    let otp_type = match kind.0 {
        0 | 2 => OtpType::Totp { period: 30 },
        1 => OtpType::Hotp {
            counter: i64::try_from(counter.0)
                .ok()
                .and_then(|c| u64::try_from(c).ok())
                .ok_or(MigrationError::new(
                    MigrationErrorKind::InvalidCounter,
                    counter.1,
                ))?,
        },
        _ => return fail(MigrationErrorKind::UnknownEnum, kind.1),
    };
    // `name` is a label, often already `Issuer:account`: split it as the otpauth:// parser
    // does (after the issuer when the issuer holds a colon and `name` starts with it), and let
    // the `issuer` field win so the issuer is never doubled.
    let split = name
        .strip_prefix(issuer)
        .filter(|rest| issuer.contains(':') && rest.starts_with(':'))
        .map(|rest| (issuer, rest.get(1..).unwrap_or_default()));
    let (label_issuer, account) = match split.or_else(|| name.split_once(':')) {
        Some((prefix, account)) => (
            Some(prefix).filter(|p| !p.is_empty()),
            account.trim_start_matches(' '),
        ),
        None => (None, name),
    };
    let issuer = Some(issuer).filter(|i| !i.is_empty()).or(label_issuer);
    let mut entry = OtpAuthUri::totp(secret, account);
    entry.issuer = issuer.map(String::from);
    entry.otp_type = otp_type;
    entry.algorithm = algorithm;
    entry.digits = digits;
    Ok(entry)
}
