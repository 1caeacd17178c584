//! Warnings a lenient parse reports, with stable ids.

use core::fmt;

/// Something a lenient parse accepted but a caller may want to know about.
///
/// Each warning has a stable id ([`Warning::id`]) for logs and JSON. The first group are
/// quirks of real-world URIs that the Key URI format does not describe: the strict parser
/// ([`crate::uri::ParseOptions::strict`]) rejects each of them with
/// [`UriErrorKind::Quirk`](crate::uri::UriErrorKind::Quirk), except two that it rejects with
/// their own error kind ([`Warning::MissingCounter`], [`Warning::NonzeroPaddingBits`]). The last
/// six are advice only and never rejected ([`Warning::is_quirk`] is `false`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Warning {
    /// Whitespace (such as a QR scanner's trailing newline) around the URI was removed.
    SurroundingWhitespace,
    /// The scheme was not written in lower case (`OTPAUTH://`).
    SchemeCase,
    /// The type was not written in lower case (`TOTP`).
    TypeCase,
    /// A Steam Guard entry (`encoder=steam` or the type `steam`): not part of the Key URI format.
    Steam,
    /// A character that RFC 3986 requires to be percent-encoded appeared raw (space, non-ASCII, `#`…).
    UnencodedCharacter,
    /// The account name contains a colon (the label had two or more separators).
    ColonInAccount,
    /// The `issuer` parameter contains a colon and the label starts with it (pyotp writes
    /// `ACME%3ACorp:alice?issuer=ACME%3ACorp`): the label was split after it.
    ColonInIssuer,
    /// The account name is empty.
    EmptyAccount,
    /// The issuer prefix or the `issuer` parameter was empty and is treated as absent.
    EmptyIssuer,
    /// A `+` in a query value was read as a space (form encoding).
    PlusAsSpace,
    /// A parameter this crate does not know was kept in [`OtpAuthUri::extra`](crate::uri::OtpAuthUri::extra).
    UnknownParameter,
    /// An unknown parameter was repeated; the first value was kept.
    DuplicateUnknownParameter,
    /// The secret was written in lower case.
    LowercaseSecret,
    /// The secret carried `=` padding.
    PaddedSecret,
    /// The secret contained spaces.
    SpacedSecret,
    /// The secret's last character carries non-zero bits past its last byte (`GG`), which
    /// RFC 4648 §3.5 lets decoders reject; they were ignored, as Google Authenticator and
    /// oathtool do. Strict mode rejects the secret with
    /// [`UriErrorKind::InvalidSecret`](crate::uri::UriErrorKind::InvalidSecret).
    NonzeroPaddingBits,
    /// The algorithm was spelled other than `SHA1`, `SHA256` or `SHA512` (case, hyphen).
    AlgorithmSpelling,
    /// Digits other than 6 or 8 (7, 9 or 10): valid here, unknown to many apps.
    NonstandardDigits,
    /// A `period` on an `hotp` URI was ignored.
    PeriodOnHotp,
    /// A `counter` on a `totp` URI was ignored.
    CounterOnTotp,
    /// An `hotp` URI without `counter` (required by the Key URI format) starts at counter 0,
    /// as Google Authenticator, FreeOTP and pyotp do. Strict mode rejects it with
    /// [`UriErrorKind::MissingCounter`](crate::uri::UriErrorKind::MissingCounter).
    MissingCounter,
    /// The label's issuer prefix differs from the `issuer` parameter; the parameter is used.
    IssuerMismatch,
    /// The label used `%3A` rather than `:` between issuer and account (the format allows both).
    EncodedSeparator,
    /// Spaces after the issuer separator were removed from the account name (the format allows them).
    SpaceAfterSeparator,
    /// The key is shorter than the 128 bits RFC 4226 §4 requires (16 bytes).
    ShortKey,
    /// No issuer at all: the Key URI format strongly recommends one.
    NoIssuer,
    /// `issuer:account` is longer than 64 bytes, the YubiKey OATH applet's limit.
    LongName,
    /// A TOTP period other than 15, 30 or 60 seconds: many apps ignore `period` and show
    /// 30-second codes. [`OtpAuthUri::generator`](crate::uri::OtpAuthUri::generator) refuses
    /// periods outside [`MIN_PERIOD`](crate::uri::MIN_PERIOD)`..=`[`MAX_PERIOD`](crate::uri::MAX_PERIOD).
    UnusualPeriod,
    /// A known parameter's name was not written in lower case (`Secret=`, `DIGITS=8`): it
    /// was read as that parameter all the same (the Key URI format spells them in lower case;
    /// Google Authenticator and pyotp would not see it, and use a default or find no secret).
    ParameterNameCase,
}

impl Warning {
    /// Every warning, in the order the strict parser checks them.
    pub const ALL: [Warning; 29] = [
        Warning::SurroundingWhitespace,
        Warning::SchemeCase,
        Warning::TypeCase,
        Warning::Steam,
        Warning::UnencodedCharacter,
        Warning::ColonInAccount,
        Warning::ColonInIssuer,
        Warning::EmptyAccount,
        Warning::EmptyIssuer,
        Warning::PlusAsSpace,
        Warning::ParameterNameCase,
        Warning::UnknownParameter,
        Warning::DuplicateUnknownParameter,
        Warning::LowercaseSecret,
        Warning::PaddedSecret,
        Warning::SpacedSecret,
        Warning::NonzeroPaddingBits,
        Warning::AlgorithmSpelling,
        Warning::NonstandardDigits,
        Warning::PeriodOnHotp,
        Warning::CounterOnTotp,
        Warning::MissingCounter,
        Warning::IssuerMismatch,
        Warning::EncodedSeparator,
        Warning::SpaceAfterSeparator,
        Warning::ShortKey,
        Warning::NoIssuer,
        Warning::LongName,
        Warning::UnusualPeriod,
    ];

    /// The stable snake_case id, such as `issuer_mismatch`.
    ///
    /// # Examples
    /// ```
    /// use otpkit::uri::Warning;
    /// assert_eq!(Warning::ShortKey.id(), "short_key");
    /// ```
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            Warning::SurroundingWhitespace => "surrounding_whitespace",
            Warning::SchemeCase => "scheme_case",
            Warning::TypeCase => "type_case",
            Warning::Steam => "steam",
            Warning::UnencodedCharacter => "unencoded_character",
            Warning::ColonInAccount => "colon_in_account",
            Warning::ColonInIssuer => "colon_in_issuer",
            Warning::EmptyAccount => "empty_account",
            Warning::EmptyIssuer => "empty_issuer",
            Warning::PlusAsSpace => "plus_as_space",
            Warning::UnknownParameter => "unknown_parameter",
            Warning::DuplicateUnknownParameter => "duplicate_unknown_parameter",
            Warning::LowercaseSecret => "lowercase_secret",
            Warning::PaddedSecret => "padded_secret",
            Warning::SpacedSecret => "spaced_secret",
            Warning::NonzeroPaddingBits => "nonzero_padding_bits",
            Warning::AlgorithmSpelling => "algorithm_spelling",
            Warning::NonstandardDigits => "nonstandard_digits",
            Warning::PeriodOnHotp => "period_on_hotp",
            Warning::CounterOnTotp => "counter_on_totp",
            Warning::MissingCounter => "missing_counter",
            Warning::IssuerMismatch => "issuer_mismatch",
            Warning::EncodedSeparator => "encoded_separator",
            Warning::SpaceAfterSeparator => "space_after_separator",
            Warning::ShortKey => "short_key",
            Warning::NoIssuer => "no_issuer",
            Warning::LongName => "long_name",
            Warning::UnusualPeriod => "unusual_period",
            Warning::ParameterNameCase => "parameter_name_case",
        }
    }

    /// Whether strict mode rejects this warning (a quirk outside the Key URI format).
    #[must_use]
    pub const fn is_quirk(self) -> bool {
        !matches!(
            self,
            Warning::EncodedSeparator
                | Warning::SpaceAfterSeparator
                | Warning::ShortKey
                | Warning::NoIssuer
                | Warning::LongName
                | Warning::UnusualPeriod
        )
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A set of [`Warning`]s, iterated in [`Warning::ALL`] order.
///
/// # Examples
/// ```
/// use otpkit::uri::{OtpAuthUri, Warning};
/// let parsed = OtpAuthUri::parse("otpauth://totp/alice?secret=jbswy3dpehpk3pxp")?;
/// assert!(parsed.warnings.contains(Warning::LowercaseSecret));
/// assert!(parsed.warnings.contains(Warning::ShortKey));
/// # Ok::<(), otpkit::uri::UriError>(())
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Warnings(u32);

impl Warnings {
    /// The empty set.
    #[must_use]
    pub const fn new() -> Warnings {
        Warnings(0)
    }

    /// Adds a warning.
    pub fn insert(&mut self, warning: Warning) {
        self.0 |= warning.bit();
    }

    /// Whether the set holds `warning`.
    #[must_use]
    pub const fn contains(self, warning: Warning) -> bool {
        self.0 & warning.bit() != 0
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Number of warnings in the set.
    #[must_use]
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The warnings, in [`Warning::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Warning> {
        Warning::ALL.into_iter().filter(move |w| self.contains(*w))
    }

    /// The first quirk (in [`Warning::ALL`] order), which strict mode reports.
    #[must_use]
    pub fn first_quirk(self) -> Option<Warning> {
        self.iter().find(|w| w.is_quirk())
    }
}

impl fmt::Debug for Warnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}
