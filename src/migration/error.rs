//! What is wrong with an export.

use core::fmt;

use crate::uri::UriErrorKind;

/// What is wrong with an export, or why values cannot be exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MigrationErrorKind {
    /// Not `otpauth-migration://offline?...`.
    UnsupportedScheme,
    /// No `data` parameter.
    MissingData,
    /// `data` given twice.
    DuplicateData,
    /// A `%` not followed by two hexadecimal digits.
    InvalidPercentEncoding,
    /// `data` is not Base64.
    InvalidBase64,
    /// The protobuf payload ends inside a field, or a length runs past its end.
    Truncated,
    /// A varint longer than 10 bytes or beyond 64 bits.
    InvalidVarint,
    /// A field number 0, a group or an undefined wire type.
    InvalidWireType,
    /// An enum value the schema does not define (algorithm, digits or type).
    UnknownEnum,
    /// The `MD5` algorithm: it has no otpauth:// spelling and no RFC basis.
    UnsupportedAlgorithm,
    /// The algorithm's Cargo feature is disabled.
    DisabledAlgorithm,
    /// An empty secret, or one longer than [`Secret::MAX_LEN`](crate::Secret::MAX_LEN).
    InvalidSecret,
    /// `name` or `issuer` is not UTF-8.
    InvalidUtf8,
    /// A negative HOTP counter.
    InvalidCounter,
    /// Export: digits other than 6 or 8.
    UnsupportedDigits,
    /// Export: a period other than 30 seconds (the format has no period field).
    UnsupportedPeriod,
    /// Export: Steam Guard entries have no representation.
    UnsupportedSteam,
    /// Export: the entry cannot be written as a label (see
    /// [`OtpAuthUri::validate`](crate::uri::OtpAuthUri::validate)).
    Uri(UriErrorKind),
    /// The URI is longer than [`MAX_URI_LEN`](super::MAX_URI_LEN) bytes; `position` is
    /// `MAX_URI_LEN`.
    TooLong,
    /// The payload is longer than [`MAX_PAYLOAD_LEN`](super::MAX_PAYLOAD_LEN) bytes; `position`
    /// is `MAX_PAYLOAD_LEN`.
    PayloadTooLarge,
    /// More than [`MAX_ENTRIES`](super::MAX_ENTRIES) entries; `position` is where the first one
    /// beyond the limit starts (the entry's index when exporting).
    TooManyEntries,
    /// The core refuses a value: the wrapped [`crate::Error`] says why.
    Core(crate::Error),
}

impl MigrationErrorKind {
    /// The stable snake_case id.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            MigrationErrorKind::UnsupportedScheme => "unsupported_scheme",
            MigrationErrorKind::MissingData => "missing_data",
            MigrationErrorKind::DuplicateData => "duplicate_data",
            MigrationErrorKind::InvalidPercentEncoding => "invalid_percent_encoding",
            MigrationErrorKind::InvalidBase64 => "invalid_base64",
            MigrationErrorKind::Truncated => "truncated",
            MigrationErrorKind::InvalidVarint => "invalid_varint",
            MigrationErrorKind::InvalidWireType => "invalid_wire_type",
            MigrationErrorKind::UnknownEnum => "unknown_enum",
            MigrationErrorKind::UnsupportedAlgorithm => "unsupported_algorithm",
            MigrationErrorKind::DisabledAlgorithm => "disabled_algorithm",
            MigrationErrorKind::InvalidSecret => "invalid_secret",
            MigrationErrorKind::InvalidUtf8 => "invalid_utf8",
            MigrationErrorKind::InvalidCounter => "invalid_counter",
            MigrationErrorKind::UnsupportedDigits => "unsupported_digits",
            MigrationErrorKind::UnsupportedPeriod => "unsupported_period",
            MigrationErrorKind::UnsupportedSteam => "unsupported_steam",
            MigrationErrorKind::Uri(_) => "uri",
            MigrationErrorKind::TooLong => "too_long",
            MigrationErrorKind::PayloadTooLarge => "payload_too_large",
            MigrationErrorKind::TooManyEntries => "too_many_entries",
            MigrationErrorKind::Core(_) => "core",
        }
    }
}

/// An export that cannot be read, or entries that cannot be exported.
///
/// `position` is a byte offset: in the URI for scheme, parameter and percent-escape errors, in
/// the decoded protobuf payload for codec errors, and the entry's index for export errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MigrationError {
    /// What is wrong.
    pub kind: MigrationErrorKind,
    /// Where (see the type's docs).
    pub position: usize,
}

impl MigrationError {
    pub(crate) const fn new(kind: MigrationErrorKind, position: usize) -> Self {
        MigrationError { kind, position }
    }
}

impl fmt::Display for MigrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            MigrationErrorKind::UnsupportedScheme => "not an otpauth-migration://offline uri",
            MigrationErrorKind::MissingData => "missing data parameter",
            MigrationErrorKind::DuplicateData => "data parameter given twice",
            MigrationErrorKind::InvalidPercentEncoding => "invalid percent-encoding",
            MigrationErrorKind::InvalidBase64 => "data is not base64",
            MigrationErrorKind::Truncated => "truncated protobuf payload",
            MigrationErrorKind::InvalidVarint => "invalid protobuf varint",
            MigrationErrorKind::InvalidWireType => "invalid protobuf field key",
            MigrationErrorKind::UnknownEnum => "unknown enum value",
            MigrationErrorKind::UnsupportedAlgorithm => "md5 is not supported",
            MigrationErrorKind::DisabledAlgorithm => "algorithm disabled at compile time",
            MigrationErrorKind::InvalidSecret => "empty or too long secret",
            MigrationErrorKind::InvalidUtf8 => "text is not utf-8",
            MigrationErrorKind::InvalidCounter => "negative counter",
            MigrationErrorKind::UnsupportedDigits => "the export format holds only 6 or 8 digits",
            MigrationErrorKind::UnsupportedPeriod => "the export format holds only 30 s periods",
            MigrationErrorKind::UnsupportedSteam => "the export format cannot hold steam entries",
            MigrationErrorKind::TooLong => {
                "uri longer than the 32768-byte limit (migration::MAX_URI_LEN)"
            }
            MigrationErrorKind::PayloadTooLarge => {
                "payload longer than the 24576-byte limit (migration::MAX_PAYLOAD_LEN)"
            }
            MigrationErrorKind::TooManyEntries => {
                "more than the 1024 entries allowed (migration::MAX_ENTRIES)"
            }
            MigrationErrorKind::Core(e) => return write!(f, "{e} at byte {}", self.position),
            MigrationErrorKind::Uri(kind) => {
                return write!(
                    f,
                    "entry {} cannot be exported: {}",
                    self.position,
                    kind.id()
                );
            }
        };
        write!(f, "{what} at byte {}", self.position)
    }
}

impl core::error::Error for MigrationError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match &self.kind {
            MigrationErrorKind::Core(e) => Some(e),
            _ => None,
        }
    }
}

/// A core error, as [`MigrationErrorKind::Core`] at position 0.
impl From<crate::Error> for MigrationError {
    fn from(e: crate::Error) -> Self {
        MigrationError::new(MigrationErrorKind::Core(e), 0)
    }
}

/// The core error a [`MigrationError`] wraps ([`MigrationErrorKind::Core`], or
/// [`MigrationErrorKind::Uri`] holding [`UriErrorKind::Core`]); any other `MigrationError` is
/// given back unchanged as the error.
impl TryFrom<MigrationError> for crate::Error {
    type Error = MigrationError;

    fn try_from(e: MigrationError) -> Result<Self, MigrationError> {
        match e.kind {
            MigrationErrorKind::Core(core) | MigrationErrorKind::Uri(UriErrorKind::Core(core)) => {
                Ok(core)
            }
            _ => Err(e),
        }
    }
}
