//! `otpauth://` Key URIs: parse what real apps produce, build canonical ones.
//!
//! The format is Google Authenticator's de-facto "Key URI format":
//! `otpauth://TYPE/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&...`.
//!
//! - [`OtpAuthUri::parse`] is lenient where the world is messy (lower-case or spaced secrets,
//!   `+` for spaces in query values, issuer prefix differing from the `issuer` parameter,
//!   unknown parameters, `SHA-256`, …) and reports each tolerance as a [`Warning`].
//! - [`OtpAuthUri::parse_with`] with [`ParseOptions::strict`] accepts exactly the Key URI
//!   format and rejects every quirk with [`UriErrorKind::Quirk`].
//! - Both reject, with a typed [`UriError`], what cannot be meant: another scheme (including
//!   `otpauth-migration://`), an unknown type, a missing or undecodable secret, `hotp`
//!   without `counter`, invalid digits or period, an unknown algorithm, a known parameter
//!   given twice, bad percent-escapes or non-UTF-8 text.
//! - [`OtpAuthUri::write_to`] / [`OtpAuthUri::to_uri`] build the canonical form:
//!   lower-case type, percent-encoded `issuer:account` label, upper-case unpadded Base32,
//!   `issuer` parameter equal to the prefix, defaults omitted unless asked for.
//!   `parse(build(x)) == x` for every `x` that builds.
//!
//! Google Authenticator ignores `algorithm`, `digits` and `period` on some platforms: a URI
//! with SHA-256, 8 digits or a 60 s period may silently produce wrong codes there.
//!
//! # Examples
//! ```
//! use otpkit::uri::{OtpAuthUri, OtpType, Warning};
//!
//! let parsed = OtpAuthUri::parse(
//!     "otpauth://totp/ACME%20Co:john@example.com?secret=jbsw+y3dp+ehpk+3pxp&issuer=ACME+Co",
//! )?;
//! let uri = &parsed.uri;
//! assert_eq!(uri.issuer.as_deref(), Some("ACME Co"));
//! assert_eq!(uri.account_name, "john@example.com");
//! assert_eq!(uri.secret.as_ref(), b"Hello!\xde\xad\xbe\xef");
//! assert_eq!(uri.otp_type, OtpType::Totp { period: 30 });
//! assert!(parsed.warnings.contains(Warning::PlusAsSpace));
//! assert!(parsed.warnings.contains(Warning::LowercaseSecret));
//!
//! assert_eq!(
//!     uri.to_uri()?.as_str(),
//!     "otpauth://totp/ACME%20Co:john%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co"
//! );
//! # Ok::<(), otpkit::uri::UriError>(())
//! ```

mod build;
mod error;
mod parse;
mod warning;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use subtle::ConstantTimeEq;

pub use build::BuildOptions;
pub use error::{IdDisplay, Parameter, UriError, UriErrorKind};
pub use warning::{Warning, Warnings};

use crate::{Algorithm, Error, Hotp, HotpParams, Secret, Totp, TotpParams};

/// HOTP (with its initial counter) or TOTP (with its period).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OtpType {
    /// RFC 4226 counter-based: `otpauth://hotp/...&counter=N`.
    Hotp {
        /// The counter value of the next code.
        counter: u64,
    },
    /// RFC 6238 time-based: `otpauth://totp/...&period=S`.
    Totp {
        /// Time step in seconds (default 30).
        period: u64,
    },
}

/// How a code is written: decimal digits, or Steam Guard's 5-character alphabet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Encoder {
    /// Decimal digits (RFC 4226).
    #[default]
    Standard,
    /// Steam Guard: 5 characters of `23456789BCDFGHJKMNPQRTVWXY`, TOTP, SHA-1, 30 s.
    Steam,
}

/// The contents of an `otpauth://` URI.
///
/// Holds the key as a zeroizing [`Secret`]; `Debug` never shows it. Equality compares the
/// secret in constant time.
pub struct OtpAuthUri {
    /// The key.
    pub secret: Secret,
    /// Account name (the label after the issuer prefix), percent-decoded.
    pub account_name: String,
    /// Issuer (provider), percent-decoded; `None` when the URI has none.
    pub issuer: Option<String>,
    /// HOTP with counter, or TOTP with period.
    pub otp_type: OtpType,
    /// HMAC hash function (default SHA-1).
    pub algorithm: Algorithm,
    /// Code length: 6..=10 digits, or 5 characters for Steam.
    pub digits: u8,
    /// Decimal or Steam Guard characters.
    pub encoder: Encoder,
    /// Unknown parameters (`image`, `lock`, `color`, `tags`, …), decoded, in order.
    pub extra: Vec<(String, String)>,
}

impl OtpAuthUri {
    /// A TOTP entry with the defaults (SHA-1, 6 digits, 30 s) and no issuer.
    ///
    /// # Examples
    /// ```
    /// use otpkit::{Secret, uri::OtpAuthUri};
    /// let mut uri = OtpAuthUri::totp(Secret::from_bytes(b"12345678901234567890")?, "alice");
    /// uri.issuer = Some("Example".into());
    /// assert_eq!(
    ///     uri.to_uri()?.as_str(),
    ///     "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn totp(secret: Secret, account_name: impl Into<String>) -> OtpAuthUri {
        OtpAuthUri {
            secret,
            account_name: account_name.into(),
            issuer: None,
            otp_type: OtpType::Totp { period: 30 },
            algorithm: Algorithm::default(),
            digits: 6,
            encoder: Encoder::Standard,
            extra: Vec::new(),
        }
    }

    /// An HOTP entry with the defaults (SHA-1, 6 digits) and no issuer.
    #[must_use]
    pub fn hotp(secret: Secret, account_name: impl Into<String>, counter: u64) -> OtpAuthUri {
        let mut uri = OtpAuthUri::totp(secret, account_name);
        uri.otp_type = OtpType::Hotp { counter };
        uri
    }

    /// A Steam Guard entry (TOTP, SHA-1, 30 s, 5 characters, `encoder=steam`), issuer `Steam`.
    #[must_use]
    pub fn steam(secret: Secret, account_name: impl Into<String>) -> OtpAuthUri {
        let mut uri = OtpAuthUri::totp(secret, account_name);
        uri.issuer = Some(String::from("Steam"));
        uri.digits = 5;
        uri.encoder = Encoder::Steam;
        uri
    }

    /// Parses leniently (see the [module docs](self)); [`ParsedUri::warnings`] lists each tolerance.
    ///
    /// # Errors
    /// A [`UriError`] whose kind says what is wrong:
    /// [`UnsupportedScheme`](UriErrorKind::UnsupportedScheme) /
    /// [`MigrationScheme`](UriErrorKind::MigrationScheme) for another scheme,
    /// [`UnknownType`](UriErrorKind::UnknownType),
    /// [`MissingSecret`](UriErrorKind::MissingSecret), [`InvalidSecret`](UriErrorKind::InvalidSecret),
    /// [`SecretTooLong`](UriErrorKind::SecretTooLong),
    /// [`MissingCounter`](UriErrorKind::MissingCounter) (`hotp`),
    /// [`InvalidCounter`](UriErrorKind::InvalidCounter), [`InvalidDigits`](UriErrorKind::InvalidDigits),
    /// [`InvalidPeriod`](UriErrorKind::InvalidPeriod),
    /// [`UnknownAlgorithm`](UriErrorKind::UnknownAlgorithm) /
    /// [`DisabledAlgorithm`](UriErrorKind::DisabledAlgorithm),
    /// [`DuplicateParameter`](UriErrorKind::DuplicateParameter) for a known parameter given twice,
    /// [`InvalidPercentEncoding`](UriErrorKind::InvalidPercentEncoding),
    /// [`InvalidUtf8`](UriErrorKind::InvalidUtf8), [`UnknownEncoder`](UriErrorKind::UnknownEncoder),
    /// [`InvalidSteam`](UriErrorKind::InvalidSteam) and
    /// [`InvalidCharacter`](UriErrorKind::InvalidCharacter) (ASCII control characters).
    ///
    /// # Examples
    /// ```
    /// use otpkit::uri::{OtpAuthUri, UriErrorKind};
    /// let err = OtpAuthUri::parse("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=6&digits=8")
    ///     .unwrap_err();
    /// assert_eq!(err.kind, UriErrorKind::DuplicateParameter);
    /// ```
    pub fn parse(input: &str) -> Result<ParsedUri, UriError> {
        parse::parse(input, ParseOptions::default())
    }

    /// Parses with options; strict mode rejects every [quirk](Warning::is_quirk).
    ///
    /// # Errors
    /// As [`OtpAuthUri::parse`], plus [`UriErrorKind::Quirk`] in strict mode.
    ///
    /// # Examples
    /// ```
    /// use otpkit::uri::{OtpAuthUri, ParseOptions, UriErrorKind, Warning};
    /// let strict = ParseOptions { strict: true };
    /// let ok = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";
    /// assert!(OtpAuthUri::parse_with(ok, strict).is_ok());
    /// let err = OtpAuthUri::parse_with("otpauth://totp/Old:alice?secret=JBSWY3DPEHPK3PXP&issuer=New", strict)
    ///     .unwrap_err();
    /// assert_eq!(err.kind, UriErrorKind::Quirk(Warning::IssuerMismatch));
    /// ```
    pub fn parse_with(input: &str, options: ParseOptions) -> Result<ParsedUri, UriError> {
        parse::parse(input, options)
    }

    /// The period for TOTP, `None` for HOTP.
    #[must_use]
    pub fn period(&self) -> Option<u64> {
        match self.otp_type {
            OtpType::Totp { period } => Some(period),
            OtpType::Hotp { .. } => None,
        }
    }

    /// The initial counter for HOTP, `None` for TOTP.
    #[must_use]
    pub fn counter(&self) -> Option<u64> {
        match self.otp_type {
            OtpType::Hotp { counter } => Some(counter),
            OtpType::Totp { .. } => None,
        }
    }

    /// The advisory warnings these values deserve wherever they came from (a URI, an export,
    /// a builder): [`Warning::ShortKey`], [`Warning::NoIssuer`], [`Warning::LongName`],
    /// [`Warning::NonstandardDigits`], [`Warning::EmptyAccount`] and [`Warning::Steam`].
    #[must_use]
    pub fn advisories(&self) -> Warnings {
        let mut w = Warnings::new();
        if self.secret.len() < 16 {
            w.insert(Warning::ShortKey);
        }
        if self.issuer.is_none() {
            w.insert(Warning::NoIssuer);
        }
        if self.name_len() > 64 {
            w.insert(Warning::LongName);
        }
        if matches!(self.digits, 7 | 9 | 10) && self.encoder == Encoder::Standard {
            w.insert(Warning::NonstandardDigits);
        }
        if self.account_name.is_empty() {
            w.insert(Warning::EmptyAccount);
        }
        if self.encoder == Encoder::Steam {
            w.insert(Warning::Steam);
        }
        w
    }

    /// Byte length of the credential name `issuer:account` (or `account`): the YubiKey OATH
    /// applet stores at most 64 bytes (ykman prefixes `period/` when the period is not 30).
    #[must_use]
    pub fn name_len(&self) -> usize {
        self.issuer.as_ref().map_or(0, |i| i.len() + 1) + self.account_name.len()
    }
}

/// A code generator and verifier built from an [`OtpAuthUri`] ([`OtpAuthUri::generator`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Generator {
    /// HOTP, with the counter of the next code from the URI.
    Hotp {
        /// The generator and verifier.
        hotp: Hotp,
        /// The URI's counter: the next code's counter.
        counter: u64,
    },
    /// TOTP.
    Totp(Totp),
    /// Steam Guard (feature `steam`).
    #[cfg(feature = "steam")]
    Steam(crate::steam::Steam),
}

impl OtpAuthUri {
    /// Builds the generator and verifier this URI describes.
    ///
    /// Keys shorter than 16 bytes are accepted here (the parser reports them as
    /// [`Warning::ShortKey`]): the URI is an import of an existing token.
    ///
    /// # Examples
    /// ```
    /// use otpkit::uri::{Generator, OtpAuthUri};
    /// let parsed = OtpAuthUri::parse("otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8")?;
    /// let Generator::Totp(totp) = parsed.uri.generator()? else { unreachable!() };
    /// assert_eq!(totp.generate_at(59)?.as_str(), "94287082"); // RFC 6238 appendix B
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidDigits`], [`Error::ZeroPeriod`] or [`Error::KeyTooShort`] (empty key)
    /// from the core constructors for values the parser would not produce, and
    /// [`Error::Uri`] with [`UriErrorKind::InvalidSteam`] for a Steam entry when the `steam`
    /// feature is disabled.
    pub fn generator(&self) -> Result<Generator, Error> {
        let key = self.secret.as_ref();
        match (self.encoder, self.otp_type) {
            #[cfg(feature = "steam")]
            (Encoder::Steam, _) => Ok(Generator::Steam(
                crate::steam::Steam::new_allowing_short_key(key)?,
            )),
            #[cfg(not(feature = "steam"))]
            (Encoder::Steam, _) => Err(Error::Uri(UriError::new(
                UriErrorKind::InvalidSteam,
                Some(Parameter::Encoder),
                0,
            ))),
            (Encoder::Standard, OtpType::Hotp { counter }) => {
                let params = HotpParams {
                    algorithm: self.algorithm,
                    digits: self.digits,
                };
                Ok(Generator::Hotp {
                    hotp: Hotp::new_allowing_short_key(key, params)?,
                    counter,
                })
            }
            (Encoder::Standard, OtpType::Totp { period }) => {
                let params = TotpParams {
                    algorithm: self.algorithm,
                    digits: self.digits,
                    period,
                    t0: 0,
                };
                Ok(Generator::Totp(Totp::new_allowing_short_key(key, params)?))
            }
        }
    }
}

impl PartialEq for OtpAuthUri {
    fn eq(&self, other: &Self) -> bool {
        let same_secret: bool = self.secret.as_ref().ct_eq(other.secret.as_ref()).into();
        same_secret
            && self.account_name == other.account_name
            && self.issuer == other.issuer
            && self.otp_type == other.otp_type
            && self.algorithm == other.algorithm
            && self.digits == other.digits
            && self.encoder == other.encoder
            && self.extra == other.extra
    }
}

impl Eq for OtpAuthUri {}

impl fmt::Debug for OtpAuthUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtpAuthUri")
            .field("secret", &self.secret)
            .field("account_name", &self.account_name)
            .field("issuer", &self.issuer)
            .field("otp_type", &self.otp_type)
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("encoder", &self.encoder)
            .field("extra", &self.extra)
            .finish()
    }
}

/// Options of [`OtpAuthUri::parse_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ParseOptions {
    /// Accept exactly the Key URI format: every [quirk](Warning::is_quirk) is an error.
    pub strict: bool,
}

/// The result of a parse: the URI's contents plus what the parser had to tolerate.
#[derive(Debug, PartialEq, Eq)]
pub struct ParsedUri {
    /// The contents (issuer = the `issuer` parameter when present, else the label prefix).
    pub uri: OtpAuthUri,
    /// The label's issuer prefix when it differs from the `issuer` parameter
    /// ([`Warning::IssuerMismatch`]); `None` otherwise.
    pub label_issuer: Option<String>,
    /// Everything the parser tolerated or advises about.
    pub warnings: Warnings,
}
