//! OCRASuite parsing (RFC 6287 §6): `OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1-S064-T1M`.

mod element;
mod error;
mod parse;

use core::fmt;
use core::str::FromStr;

use crate::Algorithm;

pub use element::{ChallengeFormat, Element, TimeStep, TimeUnit};
pub use error::{SuiteError, SuiteErrorKind};
use parse::{
    Parts, Writer, hash_name, parse_crypto_function, parse_decimal, parse_hash, parse_question,
    parse_time_step,
};

/// A parsed OCRASuite (RFC 6287 §6), such as `OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1`.
///
/// The suite string is the first part of every OCRA message, byte for byte, so the value
/// keeps the text it was parsed from (inline, no allocation): [`as_str`](Self::as_str) and
/// `Display` give it back unchanged, and [`canonical`](Self::canonical) gives the normalised
/// spelling. Keywords are matched without regard to ASCII case, as the RFC's reference
/// implementation does; both sides of an exchange must still use the identical string.
///
/// Accepted grammar (erratum 3729 applied):
/// ```text
/// OCRA-1:HOTP-{SHA1|SHA256|SHA512}-{0|4..10}:[C-]Q{A|N|H}{04..64}[-P{SHA1|SHA256|SHA512}][-S{001..512}][-T{1..59S|1..59M|1..48H}]
/// ```
/// The question length may be written with one digit (`QH8`, as in RFC 6287 §6.4) and the
/// time step with a leading zero (`T05M`); bare `Q`, `P`, `S` or `T` without their
/// parameters are rejected.
///
/// # Examples
/// ```
/// use otpkit::Algorithm;
/// use otpkit::ocra::{ChallengeFormat, OcraSuite};
///
/// let suite: OcraSuite = "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1".parse()?;
/// assert_eq!(suite.algorithm(), Algorithm::Sha256);
/// assert_eq!(suite.digits(), 8);
/// assert!(suite.uses_counter());
/// assert_eq!(suite.challenge_format(), ChallengeFormat::Numeric);
/// assert_eq!(suite.max_challenge_len(), 8);
/// assert_eq!(suite.password_hash(), Some(Algorithm::Sha1));
/// assert_eq!(suite.to_string(), "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1");
///
/// let short: OcraSuite = "ocra-1:hotp-sha1-4:qh8-s512".parse()?;
/// assert_eq!(short.as_str(), "ocra-1:hotp-sha1-4:qh8-s512");
/// assert_eq!(short.canonical().as_str(), "OCRA-1:HOTP-SHA1-4:QH08-S512");
/// # Ok::<(), otpkit::ocra::SuiteError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OcraSuite {
    text: [u8; OcraSuite::MAX_LEN],
    len: u8,
    algorithm: Algorithm,
    digits: u8,
    counter: bool,
    challenge_format: ChallengeFormat,
    challenge_len: u8,
    password: Option<Algorithm>,
    session_len: Option<u16>,
    time_step: Option<TimeStep>,
}

impl OcraSuite {
    /// The longest valid suite, in bytes:
    /// `OCRA-1:HOTP-SHA512-10:C-QN64-PSHA512-S512-T59M`.
    pub const MAX_LEN: usize = 46;

    /// Parses an OCRASuite; the same as `str::parse`.
    ///
    /// # Errors
    /// [`SuiteError`], whose [`kind`](SuiteError::kind) names the element and whose
    /// [`position`](SuiteError::position) is its byte offset:
    /// - [`TooLong`](SuiteErrorKind::TooLong): more than [`MAX_LEN`](Self::MAX_LEN) bytes;
    /// - [`Structure`](SuiteErrorKind::Structure): not three `:`-separated parts;
    /// - [`Version`](SuiteErrorKind::Version): not `OCRA-1`;
    /// - [`CryptoFunction`](SuiteErrorKind::CryptoFunction),
    ///   [`Hash`](SuiteErrorKind::Hash), [`Digits`](SuiteErrorKind::Digits): the crypto
    ///   function;
    /// - [`UnknownElement`](SuiteErrorKind::UnknownElement),
    ///   [`QuestionFormat`](SuiteErrorKind::QuestionFormat),
    ///   [`QuestionLength`](SuiteErrorKind::QuestionLength),
    ///   [`MissingQuestion`](SuiteErrorKind::MissingQuestion),
    ///   [`PasswordHash`](SuiteErrorKind::PasswordHash),
    ///   [`SessionLength`](SuiteErrorKind::SessionLength),
    ///   [`TimeStep`](SuiteErrorKind::TimeStep), [`Duplicate`](SuiteErrorKind::Duplicate),
    ///   [`Order`](SuiteErrorKind::Order): the data input;
    /// - [`HashNotEnabled`](SuiteErrorKind::HashNotEnabled): a hash whose feature is off.
    pub fn parse(suite: &str) -> Result<OcraSuite, SuiteError> {
        let bytes = suite.as_bytes();
        if bytes.len() > Self::MAX_LEN {
            return Err(SuiteError::new(Self::MAX_LEN, SuiteErrorKind::TooLong));
        }
        let mut text = [0u8; Self::MAX_LEN];
        for (dst, src) in text.iter_mut().zip(bytes) {
            *dst = *src;
        }

        let mut parts = Parts::new(bytes, b':');
        let (version_at, version) = parts.next().unwrap_or((0, &[]));
        let (crypto_at, crypto) = parts
            .next()
            .ok_or(SuiteError::new(bytes.len(), SuiteErrorKind::Structure))?;
        let (input_at, input) = parts
            .next()
            .ok_or(SuiteError::new(bytes.len(), SuiteErrorKind::Structure))?;
        if let Some((at, _)) = parts.next() {
            return Err(SuiteError::new(
                at.saturating_sub(1),
                SuiteErrorKind::Structure,
            ));
        }

        if !version.eq_ignore_ascii_case(b"OCRA-1") {
            return Err(SuiteError::new(version_at, SuiteErrorKind::Version));
        }

        let (algorithm, digits) = parse_crypto_function(crypto_at, crypto)?;

        let mut suite = OcraSuite {
            text,
            // At most MAX_LEN (46): checked above.
            len: u8::try_from(bytes.len()).unwrap_or(0),
            algorithm,
            digits,
            counter: false,
            challenge_format: ChallengeFormat::Numeric,
            challenge_len: 0,
            password: None,
            session_len: None,
            time_step: None,
        };
        suite.parse_data_input(input_at, input)?;
        Ok(suite)
    }

    fn parse_data_input(&mut self, base: usize, input: &[u8]) -> Result<(), SuiteError> {
        let mut last: Option<Element> = None;
        for (offset, element) in Parts::new(input, b'-') {
            let at = base + offset;
            let unknown = SuiteError::new(at, SuiteErrorKind::UnknownElement);
            let (&letter, rest) = element.split_first().ok_or(unknown)?;
            let kind = match letter.to_ascii_uppercase() {
                b'C' if rest.is_empty() => Element::Counter,
                b'Q' => Element::Question,
                b'P' => Element::Password,
                b'S' => Element::Session,
                b'T' => Element::Timestamp,
                _ => return Err(unknown),
            };
            if let Some(prev) = last {
                if prev == kind {
                    return Err(SuiteError::new(at, SuiteErrorKind::Duplicate(kind)));
                }
                if prev.rank() > kind.rank() {
                    return Err(SuiteError::new(at, SuiteErrorKind::Order(kind)));
                }
            }
            last = Some(kind);
            match kind {
                Element::Counter => self.counter = true,
                Element::Question => {
                    let (format, len) = parse_question(at, rest)?;
                    self.challenge_format = format;
                    self.challenge_len = len;
                }
                Element::Password => {
                    self.password = Some(
                        parse_hash(rest, SuiteErrorKind::PasswordHash)
                            .map_err(|k| SuiteError::new(at, k))?,
                    );
                }
                Element::Session => {
                    let len = parse_decimal(rest, 3, 3)
                        .filter(|n| (1..=512).contains(n))
                        .ok_or(SuiteError::new(at, SuiteErrorKind::SessionLength))?;
                    self.session_len = Some(len);
                }
                Element::Timestamp => {
                    self.time_step = Some(
                        parse_time_step(rest)
                            .ok_or(SuiteError::new(at, SuiteErrorKind::TimeStep))?,
                    );
                }
            }
        }
        if self.challenge_len == 0 {
            return Err(SuiteError::new(
                base + input.len(),
                SuiteErrorKind::MissingQuestion,
            ));
        }
        Ok(())
    }

    /// The suite text exactly as parsed; this is what goes into the HMAC.
    #[must_use]
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The suite text as bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.text.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The same suite in its normalised spelling: upper case, two-digit question length,
    /// three-digit session length, time step without a leading zero
    /// (`ocra-1:hotp-sha1-4:qh8-t05m` → `OCRA-1:HOTP-SHA1-4:QH08-T5M`).
    ///
    /// The canonical text is a different HMAC input whenever it differs from the original:
    /// use it to store or compare suites, not in place of the string a token was issued with.
    #[must_use]
    pub fn canonical(&self) -> OcraSuite {
        let mut out = Writer {
            buf: [0; Self::MAX_LEN],
            len: 0,
        };
        out.push(b"OCRA-1:HOTP-");
        out.push(hash_name(self.algorithm));
        out.push(b"-");
        out.number(u16::from(self.digits), 1);
        out.push(b":");
        if self.counter {
            out.push(b"C-");
        }
        out.push(b"Q");
        out.push(&[self.challenge_format.letter() as u8]);
        out.number(u16::from(self.challenge_len), 2);
        if let Some(p) = self.password {
            out.push(b"-P");
            out.push(hash_name(p));
        }
        if let Some(s) = self.session_len {
            out.push(b"-S");
            out.number(s, 3);
        }
        if let Some(t) = self.time_step {
            out.push(b"-T");
            out.number(u16::from(t.count), 1);
            out.push(&[t.unit.letter() as u8]);
        }
        OcraSuite {
            text: out.buf,
            len: out.len,
            ..*self
        }
    }

    /// The HMAC hash of the crypto function (`HOTP-SHA1-…`).
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The response length in decimal digits: 4 to 10, or 0 for the full HMAC (no
    /// truncation, RFC 6287 §5.2).
    #[must_use]
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// Whether the data input has a counter `C`.
    #[must_use]
    pub fn uses_counter(&self) -> bool {
        self.counter
    }

    /// The question format (`QA…`, `QN…`, `QH…`).
    #[must_use]
    pub fn challenge_format(&self) -> ChallengeFormat {
        self.challenge_format
    }

    /// The largest number of characters (digits, nibbles) in one challenge: 4 to 64.
    #[must_use]
    pub fn max_challenge_len(&self) -> usize {
        usize::from(self.challenge_len)
    }

    /// The hash applied to the PIN or password (`P…`), if the suite has one.
    #[must_use]
    pub fn password_hash(&self) -> Option<Algorithm> {
        self.password
    }

    /// The exact length in bytes of the session information (`S…`), if the suite has one.
    #[must_use]
    pub fn session_len(&self) -> Option<usize> {
        self.session_len.map(usize::from)
    }

    /// The time step (`T…`), if the suite has a timestamp.
    #[must_use]
    pub fn time_step(&self) -> Option<TimeStep> {
        self.time_step
    }

    /// Whether the suite uses the data input element `element`.
    #[must_use]
    pub fn uses(&self, element: Element) -> bool {
        match element {
            Element::Counter => self.counter,
            Element::Question => true,
            Element::Password => self.password.is_some(),
            Element::Session => self.session_len.is_some(),
            Element::Timestamp => self.time_step.is_some(),
        }
    }
}

impl FromStr for OcraSuite {
    type Err = SuiteError;

    fn from_str(s: &str) -> Result<OcraSuite, SuiteError> {
        OcraSuite::parse(s)
    }
}

impl TryFrom<&str> for OcraSuite {
    type Error = SuiteError;

    fn try_from(s: &str) -> Result<OcraSuite, SuiteError> {
        OcraSuite::parse(s)
    }
}

impl fmt::Display for OcraSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for OcraSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OcraSuite").field(&self.as_str()).finish()
    }
}

impl AsRef<str> for OcraSuite {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(all(test, otpkit_sha1, feature = "sha256", feature = "sha512"))]
mod tests {
    use super::*;

    fn err(s: &str) -> (usize, SuiteErrorKind) {
        let e = OcraSuite::parse(s).unwrap_err();
        (e.position(), e.kind())
    }

    #[test]
    fn parses_rfc_suites() {
        for s in [
            "OCRA-1:HOTP-SHA1-6:QN08",
            "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1",
            "OCRA-1:HOTP-SHA256-8:QN08-PSHA1",
            "OCRA-1:HOTP-SHA512-8:C-QN08",
            "OCRA-1:HOTP-SHA512-8:QN08-T1M",
            "OCRA-1:HOTP-SHA256-8:QA08",
            "OCRA-1:HOTP-SHA512-8:QA08",
            "OCRA-1:HOTP-SHA512-8:QA08-PSHA1",
            "OCRA-1:HOTP-SHA512-8:QA10-T1M",
            "OCRA-1:HOTP-SHA256-6:QA10-T1M",
            "OCRA-1:HOTP-SHA1-4:QH8-S512",
            "OCRA-1:HOTP-SHA512-10:C-QN64-PSHA512-S512-T59M",
            "OCRA-1:HOTP-SHA1-0:QH64-T48H",
        ] {
            let suite = OcraSuite::parse(s).unwrap();
            assert_eq!(suite.as_str(), s);
        }
        let s = OcraSuite::parse("OCRA-1:HOTP-SHA512-10:C-QN64-PSHA512-S512-T59M").unwrap();
        assert_eq!(s.as_str().len(), OcraSuite::MAX_LEN);
        assert_eq!(s.session_len(), Some(512));
        assert_eq!(s.time_step().unwrap().seconds(), 59 * 60);
    }

    #[test]
    fn canonical() {
        let s = OcraSuite::parse("ocra-1:hotp-sha512-0:c-qa4-psha256-s001-t05h").unwrap();
        assert_eq!(
            s.canonical().as_str(),
            "OCRA-1:HOTP-SHA512-0:C-QA04-PSHA256-S001-T5H"
        );
        assert_eq!(s.canonical().canonical(), s.canonical());
        assert_eq!(
            OcraSuite::parse(s.canonical().as_str()).unwrap(),
            s.canonical()
        );
    }

    #[test]
    fn errors_name_the_element() {
        use Element::*;
        use SuiteErrorKind as K;
        assert_eq!(err("OCRA-2:HOTP-SHA1-6:QN08"), (0, K::Version));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6"), (18, K::Structure));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08:"), (23, K::Structure));
        assert_eq!(err("OCRA-1:TOTP-SHA1-6:QN08"), (7, K::CryptoFunction));
        assert_eq!(err("OCRA-1:HOTP-MD5-6:QN08"), (12, K::Hash));
        assert_eq!(err("OCRA-1:HOTP-SHA1-3:QN08"), (17, K::Digits));
        assert_eq!(err("OCRA-1:HOTP-SHA1-11:QN08"), (17, K::Digits));
        assert_eq!(err("OCRA-1:HOTP-SHA1-06:QN08"), (17, K::Digits));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QX08"), (19, K::QuestionFormat));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN03"), (19, K::QuestionLength));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN65"), (19, K::QuestionLength));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN"), (19, K::QuestionLength));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:C"), (20, K::MissingQuestion));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-PMD5"), (24, K::PasswordHash));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-S000"), (24, K::SessionLength));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-S513"), (24, K::SessionLength));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-S64"), (24, K::SessionLength));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-T0H"), (24, K::TimeStep));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-T49H"), (24, K::TimeStep));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-T60M"), (24, K::TimeStep));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-T1D"), (24, K::TimeStep));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-T"), (24, K::TimeStep));
        assert_eq!(
            err("OCRA-1:HOTP-SHA1-6:C-C-QN08"),
            (21, K::Duplicate(Counter))
        );
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-C"), (24, K::Order(Counter)));
        assert_eq!(
            err("OCRA-1:HOTP-SHA1-6:QN08-T1M-S064"),
            (28, K::Order(Session))
        );
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08--T1M"), (24, K::UnknownElement));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:QN08-X"), (24, K::UnknownElement));
        assert_eq!(err("OCRA-1:HOTP-SHA1-6:CX-QN08"), (19, K::UnknownElement));
        assert_eq!(
            err("OCRA-1:HOTP-SHA512-10:C-QN64-PSHA512-S512-T59MX"),
            (OcraSuite::MAX_LEN, K::TooLong)
        );
        assert_eq!(err(""), (0, K::Structure));
    }
}
