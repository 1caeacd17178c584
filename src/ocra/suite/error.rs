//! Why an OCRASuite did not parse.

use core::fmt;

use super::{Element, OcraSuite};

/// Why an OCRASuite did not parse; [`SuiteError::kind`] names the element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SuiteErrorKind {
    /// Longer than [`OcraSuite::MAX_LEN`] bytes (no valid suite is).
    TooLong,
    /// Not three parts `Algorithm:CryptoFunction:DataInput` separated by `:`.
    Structure,
    /// The version is not `OCRA-1`, the only one RFC 6287 defines.
    Version,
    /// The CryptoFunction is not `HOTP-<hash>-<digits>`.
    CryptoFunction,
    /// The CryptoFunction's hash is not `SHA1`, `SHA256` or `SHA512`.
    Hash,
    /// The response length is not `0` or `4` to `10` (written without leading zeros).
    Digits,
    /// A data input element is empty or unknown (not `C`, `Q…`, `P…`, `S…`, `T…`).
    UnknownElement,
    /// The question format is not `A`, `N` or `H`.
    QuestionFormat,
    /// The question length is not one or two digits between 4 and 64.
    QuestionLength,
    /// The data input has no `Q` element; it is mandatory.
    MissingQuestion,
    /// The `P` element's hash is not `SHA1`, `SHA256` or `SHA512`.
    PasswordHash,
    /// The `S` element's length is not three digits between `001` and `512`.
    SessionLength,
    /// The `T` element is not one or two digits and a unit within range:
    /// 1–59 `S`, 1–59 `M` or 1–48 `H`.
    TimeStep,
    /// A hash the suite names is known but its crate feature is not enabled.
    HashNotEnabled,
    /// The element appears twice.
    Duplicate(Element),
    /// The element comes after one that must follow it (order is `C`, `Q`, `P`, `S`, `T`).
    Order(Element),
}

impl fmt::Display for SuiteErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SuiteErrorKind::TooLong => {
                write!(f, "longer than {} bytes", OcraSuite::MAX_LEN)
            }
            SuiteErrorKind::Structure => f.write_str("expected three parts separated by ':'"),
            SuiteErrorKind::Version => f.write_str("unknown version (expected OCRA-1)"),
            SuiteErrorKind::CryptoFunction => {
                f.write_str("crypto function is not HOTP-<hash>-<digits>")
            }
            SuiteErrorKind::Hash => {
                f.write_str("unknown crypto function hash (expected SHA1, SHA256 or SHA512)")
            }
            SuiteErrorKind::Digits => f.write_str("response digits must be 0 or 4 to 10"),
            SuiteErrorKind::UnknownElement => f.write_str("unknown data input element"),
            SuiteErrorKind::QuestionFormat => {
                f.write_str("unknown question format (expected A, N or H)")
            }
            SuiteErrorKind::QuestionLength => f.write_str("question length must be 04 to 64"),
            SuiteErrorKind::MissingQuestion => f.write_str("missing question (Q) element"),
            SuiteErrorKind::PasswordHash => {
                f.write_str("unknown password hash (expected SHA1, SHA256 or SHA512)")
            }
            SuiteErrorKind::SessionLength => {
                f.write_str("session information length must be 001 to 512")
            }
            SuiteErrorKind::TimeStep => f.write_str("time step must be 1-59S, 1-59M or 1-48H"),
            SuiteErrorKind::HashNotEnabled => f.write_str("hash not enabled in this build"),
            SuiteErrorKind::Duplicate(e) => write!(f, "duplicate {e} element"),
            SuiteErrorKind::Order(e) => {
                write!(f, "{e} element out of order (expected C, Q, P, S, T)")
            }
        }
    }
}

/// An OCRASuite that does not follow RFC 6287 §6: where and what.
///
/// # Examples
/// ```
/// use otpkit::ocra::{Element, OcraSuite, SuiteErrorKind};
///
/// let err = "OCRA-1:HOTP-SHA1-6:QN08-QA10".parse::<OcraSuite>().unwrap_err();
/// assert_eq!(err.kind(), SuiteErrorKind::Duplicate(Element::Question));
/// assert_eq!(err.position(), 24);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SuiteError {
    position: usize,
    kind: SuiteErrorKind,
}

impl SuiteError {
    pub(super) fn new(position: usize, kind: SuiteErrorKind) -> SuiteError {
        SuiteError { position, kind }
    }

    /// Byte offset in the suite string of the part or element at fault.
    #[must_use]
    pub fn position(&self) -> usize {
        self.position
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> SuiteErrorKind {
        self.kind
    }
}

impl fmt::Display for SuiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid ocra suite at byte {}: {}",
            self.position, self.kind
        )
    }
}

impl core::error::Error for SuiteError {}
