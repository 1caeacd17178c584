//! The parts an OCRASuite names: data input elements, challenge formats and time steps.

use core::fmt;

/// A data input element of an OCRASuite (RFC 6287 §5.1, §6.3), in the fixed order
/// `C`, `Q`, `P`, `S`, `T`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Element {
    /// `C`: the 8-byte moving counter.
    Counter,
    /// `Q`: the challenge question(s).
    Question,
    /// `P`: the hash of a PIN or password.
    Password,
    /// `S`: session information.
    Session,
    /// `T`: the timestamp, counted in time steps.
    Timestamp,
}

impl Element {
    pub(super) fn rank(self) -> u8 {
        match self {
            Element::Counter => 0,
            Element::Question => 1,
            Element::Password => 2,
            Element::Session => 3,
            Element::Timestamp => 4,
        }
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Element::Counter => "counter (C)",
            Element::Question => "question (Q)",
            Element::Password => "password (P)",
            Element::Session => "session information (S)",
            Element::Timestamp => "timestamp (T)",
        })
    }
}

/// The format of a challenge question (RFC 6287 §6.3: `A`, `N` or `H`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChallengeFormat {
    /// `A`: alphanumeric characters, used as their ASCII bytes.
    Alphanumeric,
    /// `N`: a decimal number, used as its binary value.
    Numeric,
    /// `H`: hexadecimal digits, used as the bytes they spell.
    Hexadecimal,
}

impl ChallengeFormat {
    /// The suite letter: `A`, `N` or `H`.
    #[must_use]
    pub fn letter(self) -> char {
        match self {
            ChallengeFormat::Alphanumeric => 'A',
            ChallengeFormat::Numeric => 'N',
            ChallengeFormat::Hexadecimal => 'H',
        }
    }
}

/// The unit of an OCRA time step (RFC 6287 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// `S`: seconds, 1 to 59 of them.
    Seconds,
    /// `M`: minutes, 1 to 59 of them.
    Minutes,
    /// `H`: hours, 1 to 48 of them (erratum 3729).
    Hours,
}

impl TimeUnit {
    /// Seconds in one unit.
    #[must_use]
    pub fn seconds(self) -> u64 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Minutes => 60,
            TimeUnit::Hours => 3600,
        }
    }

    /// The largest count the suite grammar allows for this unit: 59, 59 or 48.
    #[must_use]
    pub fn max_count(self) -> u8 {
        match self {
            TimeUnit::Seconds | TimeUnit::Minutes => 59,
            TimeUnit::Hours => 48,
        }
    }

    /// The suite letter: `S`, `M` or `H`.
    #[must_use]
    pub fn letter(self) -> char {
        match self {
            TimeUnit::Seconds => 'S',
            TimeUnit::Minutes => 'M',
            TimeUnit::Hours => 'H',
        }
    }
}

/// The time step `G` of a suite's `T` element, such as `T1M` or `T30S`.
///
/// # Examples
/// ```
/// use otpkit::ocra::{OcraSuite, TimeUnit};
///
/// let suite: OcraSuite = "OCRA-1:HOTP-SHA1-6:QN08-T30S".parse()?;
/// let step = suite.time_step().unwrap();
/// assert_eq!((step.count(), step.unit()), (30, TimeUnit::Seconds));
/// assert_eq!(step.seconds(), 30);
/// # Ok::<(), otpkit::ocra::SuiteError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeStep {
    pub(super) count: u8,
    pub(super) unit: TimeUnit,
}

impl TimeStep {
    /// A time step of `count` units, or `None` when `count` is outside `1..=unit.max_count()`.
    #[must_use]
    pub fn new(count: u8, unit: TimeUnit) -> Option<TimeStep> {
        (1..=unit.max_count())
            .contains(&count)
            .then_some(TimeStep { count, unit })
    }

    /// The number of units.
    #[must_use]
    pub fn count(self) -> u8 {
        self.count
    }

    /// The unit.
    #[must_use]
    pub fn unit(self) -> TimeUnit {
        self.unit
    }

    /// The step length in seconds (at most 48 hours, never 0).
    #[must_use]
    pub fn seconds(self) -> u64 {
        u64::from(self.count) * self.unit.seconds()
    }
}
