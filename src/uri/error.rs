//! Typed errors of the otpauth:// parser and builder.

use core::fmt;

use super::Warning;

/// A query parameter (or the label) that an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Parameter {
    /// The `secret` parameter.
    Secret,
    /// The `issuer` parameter.
    Issuer,
    /// The `algorithm` parameter.
    Algorithm,
    /// The `digits` parameter.
    Digits,
    /// The `period` parameter.
    Period,
    /// The `counter` parameter.
    Counter,
    /// The `encoder` parameter.
    Encoder,
    /// The label (`issuer:account` path).
    Label,
    /// The type (`totp`, `hotp`).
    Type,
    /// A parameter this crate does not know (see [`OtpAuthUri::extra`](super::OtpAuthUri::extra)).
    Extra,
}

impl Parameter {
    /// The parameter's name as written in a URI (`label`, `type` and `extra` for the others).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Parameter::Secret => "secret",
            Parameter::Issuer => "issuer",
            Parameter::Algorithm => "algorithm",
            Parameter::Digits => "digits",
            Parameter::Period => "period",
            Parameter::Counter => "counter",
            Parameter::Encoder => "encoder",
            Parameter::Label => "label",
            Parameter::Type => "type",
            Parameter::Extra => "extra",
        }
    }
}

/// What is wrong with a URI (or with values given to the builder).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UriErrorKind {
    /// The scheme is not `otpauth://`.
    UnsupportedScheme,
    /// The scheme is `otpauth-migration://` (Google Authenticator export): use the migration module.
    MigrationScheme,
    /// The type is neither `totp`, `hotp` nor `steam`.
    UnknownType,
    /// No `secret` parameter, or an empty one.
    MissingSecret,
    /// The secret is not Base32 (bad character, misplaced `=`, impossible length), or, in strict
    /// mode, its last character has non-zero trailing bits ([`Warning::NonzeroPaddingBits`]).
    InvalidSecret,
    /// The secret is longer than [`Secret::MAX_LEN`](crate::Secret::MAX_LEN) bytes.
    SecretTooLong,
    /// Strict mode: an `hotp` URI without `counter` (lenient mode starts at 0 and reports
    /// [`Warning::MissingCounter`]).
    MissingCounter,
    /// `counter` is not a decimal integer in `0..=u64::MAX`.
    InvalidCounter,
    /// `digits` is not a decimal in 6..=10 (exactly 5 for Steam).
    InvalidDigits,
    /// `period` is 0 or not a decimal integer in `1..=u64::MAX`.
    InvalidPeriod,
    /// `algorithm` is not SHA-1, SHA-256 or SHA-512 (`MD5`, `HmacSHA1`, …).
    UnknownAlgorithm,
    /// The algorithm is known but its Cargo feature (`sha1`, `sha256`, `sha512`) is disabled.
    DisabledAlgorithm,
    /// A known parameter was given twice (or an extra parameter collides with a known one).
    DuplicateParameter,
    /// A `%` not followed by two hexadecimal digits.
    InvalidPercentEncoding,
    /// Percent-decoded text is not UTF-8.
    InvalidUtf8,
    /// `encoder` is not `steam`.
    UnknownEncoder,
    /// Steam Guard needs TOTP with SHA-1 and 5 characters.
    InvalidSteam,
    /// An ASCII control character in the URI.
    InvalidCharacter,
    /// Building: the issuer or account name contains a colon or is empty, or the
    /// account name starts with a space after an issuer.
    InvalidLabel,
    /// Strict mode: a real-world quirk the Key URI format does not describe.
    Quirk(Warning),
    /// The input is longer than [`MAX_LEN`](super::MAX_LEN) bytes (or, building, the URI
    /// would be); `position` is `MAX_LEN`.
    TooLong,
    /// More than [`MAX_PARAMETERS`](super::MAX_PARAMETERS) query parameters (or, building,
    /// more extra parameters than fit beside the known ones); `position` is where the first one
    /// beyond the limit starts.
    TooManyParameters,
    /// The values parse, but the core refuses them (a key too short for
    /// [`OtpAuthUri::generator`](super::OtpAuthUri::generator), for example): the wrapped
    /// [`crate::Error`] says why.
    Core(crate::Error),
}

impl UriErrorKind {
    /// The stable snake_case id (`quirk:<warning id>` for [`UriErrorKind::Quirk`] is built by
    /// [`UriError`]'s `Display`; this returns `quirk` for it).
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            UriErrorKind::UnsupportedScheme => "unsupported_scheme",
            UriErrorKind::MigrationScheme => "migration_scheme",
            UriErrorKind::UnknownType => "unknown_type",
            UriErrorKind::MissingSecret => "missing_secret",
            UriErrorKind::InvalidSecret => "invalid_secret",
            UriErrorKind::SecretTooLong => "secret_too_long",
            UriErrorKind::MissingCounter => "missing_counter",
            UriErrorKind::InvalidCounter => "invalid_counter",
            UriErrorKind::InvalidDigits => "invalid_digits",
            UriErrorKind::InvalidPeriod => "invalid_period",
            UriErrorKind::UnknownAlgorithm => "unknown_algorithm",
            UriErrorKind::DisabledAlgorithm => "disabled_algorithm",
            UriErrorKind::DuplicateParameter => "duplicate_parameter",
            UriErrorKind::InvalidPercentEncoding => "invalid_percent_encoding",
            UriErrorKind::InvalidUtf8 => "invalid_utf8",
            UriErrorKind::UnknownEncoder => "unknown_encoder",
            UriErrorKind::InvalidSteam => "invalid_steam",
            UriErrorKind::InvalidCharacter => "invalid_character",
            UriErrorKind::InvalidLabel => "invalid_label",
            UriErrorKind::Quirk(_) => "quirk",
            UriErrorKind::TooLong => "too_long",
            UriErrorKind::TooManyParameters => "too_many_parameters",
            UriErrorKind::Core(_) => "core",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            UriErrorKind::UnsupportedScheme => "not an otpauth:// uri",
            UriErrorKind::MigrationScheme => {
                "an otpauth-migration:// export, not an otpauth:// uri"
            }
            UriErrorKind::UnknownType => "unknown otp type",
            UriErrorKind::MissingSecret => "missing secret",
            UriErrorKind::InvalidSecret => "secret is not valid base32",
            UriErrorKind::SecretTooLong => "secret is too long",
            UriErrorKind::MissingCounter => "hotp uri without counter",
            UriErrorKind::InvalidCounter => "counter is not a decimal integer within u64",
            UriErrorKind::InvalidDigits => "digits must be 6 to 10 (5 for steam)",
            UriErrorKind::InvalidPeriod => "period must be a positive decimal integer",
            UriErrorKind::UnknownAlgorithm => "unknown algorithm",
            UriErrorKind::DisabledAlgorithm => "algorithm disabled at compile time",
            UriErrorKind::DuplicateParameter => "parameter given twice",
            UriErrorKind::InvalidPercentEncoding => "invalid percent-encoding",
            UriErrorKind::InvalidUtf8 => "text is not utf-8",
            UriErrorKind::UnknownEncoder => "unknown encoder",
            UriErrorKind::InvalidSteam => "steam guard needs totp, sha1 and 5 characters",
            UriErrorKind::InvalidCharacter => "control character",
            UriErrorKind::InvalidLabel => "issuer or account name cannot be written in a label",
            UriErrorKind::Quirk(_) => "strict mode rejects",
            UriErrorKind::TooLong => "uri longer than the 16384-byte limit (uri::MAX_LEN)",
            UriErrorKind::TooManyParameters => {
                "more than the 64 query parameters allowed (uri::MAX_PARAMETERS)"
            }
            UriErrorKind::Core(_) => "refused",
        }
    }
}

/// An otpauth:// URI that cannot be parsed, or values that cannot be written as one.
///
/// Says what is wrong ([`UriError::kind`]), about which parameter, and where: `position` is
/// the byte offset in the input at which the offending part starts (the escape, the
/// character, or the parameter's value); `0` for builder errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UriError {
    /// What is wrong.
    pub kind: UriErrorKind,
    /// The parameter concerned, if any.
    pub parameter: Option<Parameter>,
    /// Byte offset in the parsed input.
    pub position: usize,
}

impl UriError {
    pub(crate) const fn new(
        kind: UriErrorKind,
        parameter: Option<Parameter>,
        position: usize,
    ) -> Self {
        UriError {
            kind,
            parameter,
            position,
        }
    }

    /// The stable id of the kind: `invalid_digits`, or `quirk:<warning id>` in strict mode.
    ///
    /// # Examples
    /// ```
    /// use otpkit::uri::{OtpAuthUri, ParseOptions};
    /// let strict = ParseOptions { strict: true };
    /// let err = OtpAuthUri::parse_with("otpauth://hotp/alice?secret=JBSWY3DPEHPK3PXP", strict)
    ///     .unwrap_err();
    /// assert_eq!(err.id(), "missing_counter");
    /// let err = OtpAuthUri::parse_with("otpauth://totp/a?secret=jbswy3dpehpk3pxp", strict).unwrap_err();
    /// assert_eq!(err.id(), "quirk:lowercase_secret");
    /// ```
    #[must_use]
    pub fn id(&self) -> IdDisplay {
        IdDisplay(self.kind)
    }
}

/// Displays a [`UriError`]'s stable id (from [`UriError::id`]).
#[derive(Clone, Copy, Debug)]
pub struct IdDisplay(UriErrorKind);

impl fmt::Display for IdDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            UriErrorKind::Quirk(w) => write!(f, "quirk:{}", w.id()),
            k => f.write_str(k.id()),
        }
    }
}

impl PartialEq<&str> for IdDisplay {
    fn eq(&self, other: &&str) -> bool {
        match self.0 {
            UriErrorKind::Quirk(w) => other
                .strip_prefix("quirk:")
                .is_some_and(|rest| rest == w.id()),
            k => k.id() == *other,
        }
    }
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())?;
        match self.kind {
            UriErrorKind::Quirk(w) => write!(f, " {}", w.id())?,
            UriErrorKind::Core(e) => write!(f, ": {e}")?,
            _ => {}
        }
        if let Some(p) = self.parameter {
            write!(f, " ({})", p.name())?;
        }
        write!(f, " at byte {}", self.position)
    }
}

impl core::error::Error for UriError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match &self.kind {
            UriErrorKind::Core(e) => Some(e),
            _ => None,
        }
    }
}

/// A core error met while turning a URI into a generator, as [`UriErrorKind::Core`] (no
/// parameter, position 0).
impl From<crate::Error> for UriError {
    fn from(e: crate::Error) -> Self {
        UriError::new(UriErrorKind::Core(e), None, 0)
    }
}

/// The core error a [`UriError`] wraps ([`UriErrorKind::Core`]); any other `UriError` is
/// given back unchanged as the error.
///
/// # Examples
/// ```
/// use otpkit::Error;
/// use otpkit::uri::OtpAuthUri;
///
/// let short = OtpAuthUri::parse("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP")?;
/// let refused = short.uri.generator().unwrap_err();
/// assert_eq!(Error::try_from(refused), Ok(Error::KeyTooShort { len: 10, min: 16 }));
/// # Ok::<(), otpkit::uri::UriError>(())
/// ```
impl TryFrom<UriError> for crate::Error {
    type Error = UriError;

    fn try_from(e: UriError) -> Result<Self, UriError> {
        match e.kind {
            UriErrorKind::Core(core) => Ok(core),
            _ => Err(e),
        }
    }
}
