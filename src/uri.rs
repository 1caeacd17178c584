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
//!   `otpauth-migration://`), an unknown type, a missing or undecodable secret, invalid digits
//!   or period, an unknown algorithm, a known parameter given twice, bad percent-escapes or
//!   non-UTF-8 text. What the ecosystem writes although the format forbids it is accepted with
//!   a warning and refused in strict mode: `hotp` without `counter` (counter 0), a secret whose
//!   last character has non-zero trailing bits, an issuer holding a colon (pyotp).
//!
//! # Limits
//! Parsing takes time linear in the input and memory within a small multiple of it, whatever
//! the input: a URI longer than [`MAX_LEN`] bytes is refused with [`UriErrorKind::TooLong`],
//! one with more than [`MAX_PARAMETERS`] query parameters with
//! [`UriErrorKind::TooManyParameters`]. The heap a parse uses at its peak is at most
//! `3 × input length + 1 KiB` (measured by `tests/provisioning_memory.rs`). The decoded key
//! is written once, into its own heap block ([`BoxedSecret`]), and wiped there on drop.
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

use crate::{Algorithm, BoxedSecret, Error, Hotp, HotpParams, Totp, TotpParams};

/// The longest URI the parser reads, in bytes: 16 KiB, several times what the largest QR code
/// holds (2,953 bytes in byte mode), for pasted text with long `image` parameters.
pub const MAX_LEN: usize = 16 * 1024;

/// The most query parameters (non-empty `&`-separated parts) the parser reads.
pub const MAX_PARAMETERS: usize = 64;

/// The shortest TOTP period, in seconds, that [`OtpAuthUri::generator`] accepts (FreeOTP
/// refuses shorter ones).
pub const MIN_PERIOD: u64 = 5;

/// The longest TOTP period, in seconds, that [`OtpAuthUri::generator`] accepts: ten minutes.
/// Authenticators use 30 s (some 15 or 60 s); a period of days makes a code a static password.
pub const MAX_PERIOD: u64 = 600;

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
/// Holds the key as a zeroizing [`BoxedSecret`]; `Debug` never shows it. Equality compares the
/// secret in constant time.
pub struct OtpAuthUri {
    /// The key, in its own heap block (moving the struct never copies it).
    pub secret: BoxedSecret,
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
    pub fn totp(secret: impl Into<BoxedSecret>, account_name: impl Into<String>) -> OtpAuthUri {
        OtpAuthUri {
            secret: secret.into(),
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
    pub fn hotp(
        secret: impl Into<BoxedSecret>,
        account_name: impl Into<String>,
        counter: u64,
    ) -> OtpAuthUri {
        let mut uri = OtpAuthUri::totp(secret, account_name);
        uri.otp_type = OtpType::Hotp { counter };
        uri
    }

    /// A Steam Guard entry (TOTP, SHA-1, 30 s, 5 characters, `encoder=steam`), issuer `Steam`.
    #[must_use]
    pub fn steam(secret: impl Into<BoxedSecret>, account_name: impl Into<String>) -> OtpAuthUri {
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
    /// [`Warning::NonstandardDigits`], [`Warning::EmptyAccount`], [`Warning::Steam`] and
    /// [`Warning::UnusualPeriod`].
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
        if self.period().is_some_and(|p| !matches!(p, 15 | 30 | 60)) {
            w.insert(Warning::UnusualPeriod);
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
    /// Builds the generator and verifier this URI describes, refusing what a careful server
    /// should not accept: a key shorter than the 128 bits RFC 4226 §4 requires, and a TOTP
    /// period outside [`MIN_PERIOD`]`..=`[`MAX_PERIOD`] (no authenticator uses one; a huge
    /// period makes one code valid forever).
    ///
    /// To import an existing token that has a short key or an odd period anyway, use
    /// [`OtpAuthUri::generator_unchecked`].
    ///
    /// # Examples
    /// ```
    /// use otpkit::{Error, uri::{Generator, OtpAuthUri, UriErrorKind}};
    /// let parsed = OtpAuthUri::parse("otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8")?;
    /// let Generator::Totp(totp) = parsed.uri.generator()? else { unreachable!() };
    /// assert_eq!(totp.generate_at(59)?.as_str(), "94287082"); // RFC 6238 appendix B
    ///
    /// // The Key URI format's own example has an 80-bit key.
    /// let short = OtpAuthUri::parse("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example")?;
    /// assert_eq!(
    ///     short.uri.generator().unwrap_err().kind,
    ///     UriErrorKind::Core(Error::KeyTooShort { len: 10, min: 16 }),
    /// );
    /// assert!(short.uri.generator_unchecked().is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`UriErrorKind::Core`] with [`Error::KeyTooShort`] for a key under 16 bytes;
    /// [`UriErrorKind::InvalidPeriod`] for a period outside `MIN_PERIOD..=MAX_PERIOD`; and
    /// those of [`OtpAuthUri::generator_unchecked`].
    pub fn generator(&self) -> Result<Generator, UriError> {
        if let Some(period) = self.period()
            && !(MIN_PERIOD..=MAX_PERIOD).contains(&period)
        {
            return Err(UriError::new(
                UriErrorKind::InvalidPeriod,
                Some(Parameter::Period),
                0,
            ));
        }
        self.build_generator(crate::hotp::MIN_KEY_LEN)
    }

    /// Builds the generator and verifier this URI describes without the checks of
    /// [`OtpAuthUri::generator`]: keys down to 1 byte and any period of at least 1 s.
    ///
    /// For importing existing tokens only; the parser reports what is odd about them
    /// ([`Warning::ShortKey`], [`Warning::UnusualPeriod`]).
    ///
    /// # Errors
    /// [`UriErrorKind::Core`] with [`Error::InvalidDigits`], [`Error::ZeroPeriod`] or
    /// [`Error::KeyTooShort`] (empty key) from the core constructors for values the parser
    /// would not produce, and [`UriErrorKind::InvalidSteam`] for a Steam entry when the
    /// `steam` feature is disabled.
    pub fn generator_unchecked(&self) -> Result<Generator, UriError> {
        self.build_generator(1)
    }

    fn build_generator(&self, min_key: usize) -> Result<Generator, UriError> {
        let key = self.secret.as_ref();
        if key.len() < min_key {
            return Err(UriError::from(Error::KeyTooShort {
                len: key.len(),
                min: min_key,
            }));
        }
        match (self.encoder, self.otp_type) {
            #[cfg(feature = "steam")]
            (Encoder::Steam, _) => Ok(Generator::Steam(
                crate::steam::Steam::new_allowing_short_key(key)?,
            )),
            #[cfg(not(feature = "steam"))]
            (Encoder::Steam, _) => Err(UriError::new(
                UriErrorKind::InvalidSteam,
                Some(Parameter::Encoder),
                0,
            )),
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
