//! OCRASuite parsing (RFC 6287 §6): `OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1-S064-T1M`.

use core::fmt;
use core::str::FromStr;

use crate::Algorithm;

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
    fn rank(self) -> u8 {
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
    count: u8,
    unit: TimeUnit,
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
    fn new(position: usize, kind: SuiteErrorKind) -> SuiteError {
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

/// Splits `bytes` on `sep`, yielding each part with its offset.
struct Parts<'a> {
    bytes: &'a [u8],
    pos: usize,
    sep: u8,
    done: bool,
}

impl<'a> Parts<'a> {
    fn new(bytes: &'a [u8], sep: u8) -> Parts<'a> {
        Parts {
            bytes,
            pos: 0,
            sep,
            done: false,
        }
    }
}

impl<'a> Iterator for Parts<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        if self.done {
            return None;
        }
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        let start = self.pos;
        match rest.iter().position(|&b| b == self.sep) {
            Some(i) => {
                self.pos += i + 1;
                Some((start, rest.get(..i).unwrap_or(&[])))
            }
            None => {
                self.done = true;
                Some((start, rest))
            }
        }
    }
}

fn parse_crypto_function(at: usize, crypto: &[u8]) -> Result<(Algorithm, u8), SuiteError> {
    let mut parts = Parts::new(crypto, b'-');
    let bad = SuiteError::new(at, SuiteErrorKind::CryptoFunction);
    let (_, hotp) = parts.next().ok_or(bad)?;
    let (hash_at, hash) = parts.next().ok_or(bad)?;
    let (digits_at, digits) = parts.next().ok_or(bad)?;
    if parts.next().is_some() || !hotp.eq_ignore_ascii_case(b"HOTP") {
        return Err(bad);
    }
    let algorithm =
        parse_hash(hash, SuiteErrorKind::Hash).map_err(|k| SuiteError::new(at + hash_at, k))?;
    let digits = match digits {
        b"0" => 0,
        [d @ b'4'..=b'9'] => d - b'0',
        b"10" => 10,
        _ => return Err(SuiteError::new(at + digits_at, SuiteErrorKind::Digits)),
    };
    Ok((algorithm, digits))
}

fn parse_hash(name: &[u8], unknown: SuiteErrorKind) -> Result<Algorithm, SuiteErrorKind> {
    if name.eq_ignore_ascii_case(b"SHA1") {
        #[cfg(otpkit_sha1)]
        return Ok(Algorithm::Sha1);
        #[cfg(not(otpkit_sha1))]
        return Err(SuiteErrorKind::HashNotEnabled);
    }
    if name.eq_ignore_ascii_case(b"SHA256") {
        #[cfg(feature = "sha256")]
        return Ok(Algorithm::Sha256);
        #[cfg(not(feature = "sha256"))]
        return Err(SuiteErrorKind::HashNotEnabled);
    }
    if name.eq_ignore_ascii_case(b"SHA512") {
        #[cfg(feature = "sha512")]
        return Ok(Algorithm::Sha512);
        #[cfg(not(feature = "sha512"))]
        return Err(SuiteErrorKind::HashNotEnabled);
    }
    Err(unknown)
}

fn hash_name(algorithm: Algorithm) -> &'static [u8] {
    match algorithm {
        #[cfg(otpkit_sha1)]
        Algorithm::Sha1 => b"SHA1",
        #[cfg(feature = "sha256")]
        Algorithm::Sha256 => b"SHA256",
        #[cfg(feature = "sha512")]
        Algorithm::Sha512 => b"SHA512",
    }
}

fn parse_question(at: usize, rest: &[u8]) -> Result<(ChallengeFormat, u8), SuiteError> {
    let (&format, len) = rest
        .split_first()
        .ok_or(SuiteError::new(at, SuiteErrorKind::QuestionFormat))?;
    let format = match format.to_ascii_uppercase() {
        b'A' => ChallengeFormat::Alphanumeric,
        b'N' => ChallengeFormat::Numeric,
        b'H' => ChallengeFormat::Hexadecimal,
        _ => return Err(SuiteError::new(at, SuiteErrorKind::QuestionFormat)),
    };
    let len = parse_decimal(len, 1, 2)
        .filter(|n| (4..=64).contains(n))
        .and_then(|n| u8::try_from(n).ok())
        .ok_or(SuiteError::new(at, SuiteErrorKind::QuestionLength))?;
    Ok((format, len))
}

fn parse_time_step(rest: &[u8]) -> Option<TimeStep> {
    let (&unit, count) = rest.split_last()?;
    let unit = match unit.to_ascii_uppercase() {
        b'S' => TimeUnit::Seconds,
        b'M' => TimeUnit::Minutes,
        b'H' => TimeUnit::Hours,
        _ => return None,
    };
    let count = u8::try_from(parse_decimal(count, 1, 2)?).ok()?;
    TimeStep::new(count, unit)
}

/// `min..=max` ASCII digits as a number.
fn parse_decimal(digits: &[u8], min: usize, max: usize) -> Option<u16> {
    if digits.len() < min || digits.len() > max {
        return None;
    }
    digits.iter().try_fold(0u16, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0'))
    })
}

/// Fills the canonical text; every canonical suite fits in `MAX_LEN`.
struct Writer {
    buf: [u8; OcraSuite::MAX_LEN],
    len: u8,
}

impl Writer {
    fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some(slot) = self.buf.get_mut(usize::from(self.len)) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    /// `n` in decimal, zero-padded to `width` digits (n < 1000).
    fn number(&mut self, n: u16, width: usize) {
        let digit = |d: u16| u8::try_from(d % 10).unwrap_or(0);
        let digits = [digit(n / 100), digit(n / 10), digit(n)];
        let significant = if n >= 100 {
            3
        } else if n >= 10 {
            2
        } else {
            1
        };
        let shown = significant.max(width).min(3);
        for &d in digits.iter().skip(3 - shown) {
            self.push(&[b'0' + d]);
        }
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
