//! The canonical otpauth:// writer.

use alloc::string::String;
use core::fmt::{self, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use zeroize::Zeroizing;

use super::{
    Encoder, MAX_LEN, MAX_PARAMETERS, OtpAuthUri, OtpType, Parameter, UriError, UriErrorKind,
};

/// Everything but RFC 3986 unreserved characters is escaped, in the label and in values
/// alike: a space is `%20`, never `+` (Key URI format; otpauth-uri spec §4).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Options of [`OtpAuthUri::write_to`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct BuildOptions {
    /// Also write `algorithm`, `digits` and `period` when they have their default values.
    pub include_defaults: bool,
}

const KNOWN: [&str; 7] = [
    "secret",
    "issuer",
    "algorithm",
    "digits",
    "period",
    "counter",
    "encoder",
];

/// A writer that only counts bytes.
struct Counter(usize);

impl Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

fn invalid(kind: UriErrorKind, parameter: Parameter) -> UriError {
    UriError::new(kind, Some(parameter), 0)
}

impl OtpAuthUri {
    /// Checks that these values can be written so that parsing gives them back.
    ///
    /// # Errors
    /// [`UriErrorKind::MissingSecret`] for an empty secret;
    /// [`UriErrorKind::InvalidLabel`] when the issuer or account name contains a colon, either
    /// is empty or the account name starts with a space after an issuer;
    /// [`UriErrorKind::InvalidDigits`] outside 6..=10 (5 for Steam);
    /// [`UriErrorKind::InvalidPeriod`] for period 0; [`UriErrorKind::InvalidSteam`] for Steam
    /// other than TOTP with SHA-1 and 5 characters; [`UriErrorKind::TooManyParameters`] for
    /// more extra parameters than fit beside the seven known ones in
    /// [`MAX_PARAMETERS`]; [`UriErrorKind::DuplicateParameter`] when
    /// an extra parameter repeats or shadows a known one.
    pub fn validate(&self) -> Result<(), UriError> {
        if self.secret.is_empty() {
            return Err(invalid(UriErrorKind::MissingSecret, Parameter::Secret));
        }
        if let Some(issuer) = &self.issuer
            && (issuer.is_empty() || issuer.contains(':') || self.account_name.starts_with(' '))
        {
            return Err(invalid(UriErrorKind::InvalidLabel, Parameter::Issuer));
        }
        if self.account_name.is_empty() || self.account_name.contains(':') {
            return Err(invalid(UriErrorKind::InvalidLabel, Parameter::Label));
        }
        match self.encoder {
            Encoder::Steam => {
                if self.digits != 5
                    || self.algorithm.as_str() != "SHA1"
                    || matches!(self.otp_type, OtpType::Hotp { .. })
                {
                    return Err(invalid(UriErrorKind::InvalidSteam, Parameter::Encoder));
                }
            }
            Encoder::Standard => {
                if !(6..=10).contains(&self.digits) {
                    return Err(invalid(UriErrorKind::InvalidDigits, Parameter::Digits));
                }
            }
        }
        if self.otp_type == (OtpType::Totp { period: 0 }) {
            return Err(invalid(UriErrorKind::InvalidPeriod, Parameter::Period));
        }
        if self.extra.len() > MAX_PARAMETERS - KNOWN.len() {
            return Err(invalid(UriErrorKind::TooManyParameters, Parameter::Extra));
        }
        // Quadratic only in the number of extra parameters, capped just above.
        for (i, (key, _)) in self.extra.iter().enumerate() {
            let repeated = self
                .extra
                .get(..i)
                .is_some_and(|before| before.iter().any(|(k, _)| k == key));
            if repeated || KNOWN.contains(&key.as_str()) {
                return Err(invalid(UriErrorKind::DuplicateParameter, Parameter::Extra));
            }
        }
        Ok(())
    }

    /// Writes the canonical URI into `out` (no allocation).
    ///
    /// Order: `secret`, `issuer`, `counter`, `algorithm`, `digits`, `period`, `encoder`, then
    /// the extra parameters. Nothing is written when validation fails.
    ///
    /// # Errors
    /// The [`OtpAuthUri::validate`] errors, and [`UriErrorKind::TooLong`] when the URI would
    /// be longer than [`MAX_LEN`] (the parser would refuse it); a formatter
    /// error is reported as [`fmt::Error`] wrapped in `Ok(Err(_))`.
    ///
    /// # Examples
    /// ```
    /// use otpkit::{BoxedSecret, uri::{BuildOptions, OtpAuthUri}};
    /// let uri = OtpAuthUri::hotp(BoxedSecret::from_base32("JBSWY3DPEHPK3PXP")?, "bob smith", 7);
    /// let mut out = String::new();
    /// uri.write_to(&mut out, BuildOptions { include_defaults: true })??;
    /// assert_eq!(
    ///     out,
    ///     "otpauth://hotp/bob%20smith?secret=JBSWY3DPEHPK3PXP&counter=7&algorithm=SHA1&digits=6"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_to(
        &self,
        out: &mut impl Write,
        options: BuildOptions,
    ) -> Result<fmt::Result, UriError> {
        self.checked_len(options)?;
        Ok(self.write_unchecked(out, options))
    }

    /// Validates, and returns the length of the URI `options` give.
    fn checked_len(&self, options: BuildOptions) -> Result<usize, UriError> {
        self.validate()?;
        let mut counter = Counter(0);
        // Counting cannot fail.
        let _ = self.write_unchecked(&mut counter, options);
        if counter.0 > MAX_LEN {
            return Err(UriError::new(UriErrorKind::TooLong, None, MAX_LEN));
        }
        Ok(counter.0)
    }

    fn write_unchecked(&self, out: &mut impl Write, options: BuildOptions) -> fmt::Result {
        let kind = match self.otp_type {
            OtpType::Hotp { .. } => "hotp",
            OtpType::Totp { .. } => "totp",
        };
        write!(out, "otpauth://{kind}/")?;
        if let Some(issuer) = &self.issuer {
            write!(out, "{}:", utf8_percent_encode(issuer, COMPONENT))?;
        }
        write!(
            out,
            "{}",
            utf8_percent_encode(&self.account_name, COMPONENT)
        )?;
        out.write_str("?secret=")?;
        self.secret.write_base32(out)?;
        if let Some(issuer) = &self.issuer {
            write!(out, "&issuer={}", utf8_percent_encode(issuer, COMPONENT))?;
        }
        if let OtpType::Hotp { counter } = self.otp_type {
            write!(out, "&counter={counter}")?;
        }
        if options.include_defaults || self.algorithm.as_str() != "SHA1" {
            write!(out, "&algorithm={}", self.algorithm)?;
        }
        let default_digits = match self.encoder {
            Encoder::Standard => 6,
            // Written anyway: apps that ignore `encoder` would otherwise show 6 digits.
            Encoder::Steam => 0,
        };
        if options.include_defaults || self.digits != default_digits {
            write!(out, "&digits={}", self.digits)?;
        }
        if let OtpType::Totp { period } = self.otp_type
            && (options.include_defaults || period != 30)
        {
            write!(out, "&period={period}")?;
        }
        if self.encoder == Encoder::Steam {
            out.write_str("&encoder=steam")?;
        }
        for (key, value) in &self.extra {
            write!(
                out,
                "&{}={}",
                utf8_percent_encode(key, COMPONENT),
                utf8_percent_encode(value, COMPONENT)
            )?;
        }
        Ok(())
    }

    /// The canonical URI, defaults omitted, in a string wiped on drop (it holds the key).
    ///
    /// # Errors
    /// As [`OtpAuthUri::write_to`].
    ///
    /// # Examples
    /// ```
    /// use otpkit::{BoxedSecret, uri::OtpAuthUri};
    /// let uri = OtpAuthUri::totp(BoxedSecret::from_base32("JBSWY3DPEHPK3PXP")?, "alice");
    /// let text = uri.to_uri()?;
    /// assert_eq!(OtpAuthUri::parse(&text)?.uri, uri);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_uri(&self) -> Result<Zeroizing<String>, UriError> {
        self.to_uri_with(BuildOptions::default())
    }

    /// The canonical URI with options, in a string wiped on drop.
    ///
    /// # Errors
    /// As [`OtpAuthUri::write_to`].
    pub fn to_uri_with(&self, options: BuildOptions) -> Result<Zeroizing<String>, UriError> {
        // The exact length, so that the buffer never reallocates (a reallocation would leave
        // an unwiped copy of the key behind).
        let len = self.checked_len(options)?;
        let mut out = Zeroizing::new(String::with_capacity(len));
        // Writing into a String cannot fail.
        let _ = self.write_unchecked(&mut *out, options);
        Ok(out)
    }
}
