//! OCRA, the OATH Challenge-Response Algorithm (RFC 6287): challenge-response
//! authentication, mutual authentication and transaction signing.
//!
//! An [`OcraSuite`] says what goes into the HMAC; an [`Ocra`] holds the suite and the key,
//! absorbed once; a [`DataInput`] carries the values of one computation. Responses are
//! computed and verified without allocating and without panicking, and verification
//! compares every candidate in constant time.
//!
//! # Modes (RFC 6287 §7)
//! - **One-way challenge-response** (§7.1) and **plain signature** (§7.3.1): one question,
//!   [`DataInput::question`].
//! - **Mutual challenge-response** (§7.2) and **signature with server authentication**
//!   (§7.3.2): two challenges, [`DataInput::mutual`] with the [`Role`] that computes. The
//!   server's response is over `client challenge ‖ server challenge`, the client's over
//!   `server ‖ client`; the pair is encoded as one question, and each challenge may be as
//!   long as the suite's question length.
//!
//! # Decisions where the RFC is open
//! - **t = 0** (`HOTP-SHA1-0`): the RFC says the response is the HMAC without truncation;
//!   [`Response::Hmac`] holds it and prints it in lower-case hex. (The RFC's Java reference
//!   answers `"0"` and PyPI `oath` a 31-bit decimal value; both are read as bugs.)
//! - **9 and 10 digits** are allowed by the suite grammar and computed as HOTP does: the
//!   31-bit truncated value modulo 10^t, so a 10-digit response starts with 0, 1 or 2.
//! - **Numeric challenges** are converted as the reference does: the decimal number written in
//!   hexadecimal, a `0` nibble appended to an odd length. Leading zeros therefore do not count
//!   (`00012345` and `12345` give the same response). Odd-length hexadecimal challenges end in
//!   a `0` nibble.
//! - **Alphanumeric challenges** (`A`) are ASCII letters and digits only, the RFC's
//!   "alphanumeric" (PyPI `oath` agrees; the Java reference would take any bytes).
//! - **Session information** must be exactly the suite's `S` length (the reference would
//!   left-pad shorter input with zero bytes); any length 001 to 512 is accepted.
//! - **Counter** (§5.1): it runs to `u64::MAX` and then starts over at 0. A response at
//!   `u64::MAX` is computed like any other; counter verification looks ahead across the wrap
//!   and returns `next_counter = 0` after a match at `u64::MAX`. A stored
//!   [`StateRecord`](crate::StateRecord) does not follow the wrap (its look-ahead stops at
//!   `u64::MAX`), so a spent counter can never become acceptable again.
//! - **Verification windows** are not in RFC 6287; the crate follows RFC 4226 and RFC 6238:
//!   counters forward only, timestamps an explicit window either side, replays rejected.
//!
//! # Examples
//! ```
//! use otpkit::ocra::{DataInput, Ocra, OcraSuite};
//!
//! // RFC 6287 Appendix C.1, the first vector.
//! let suite: OcraSuite = "OCRA-1:HOTP-SHA1-6:QN08".parse()?;
//! let ocra = Ocra::new(suite, b"12345678901234567890")?;
//! let input = DataInput::new().question("00000000");
//! assert_eq!(ocra.compute(&input)?.to_string(), "237653");
//! ocra.verify("237653", &input)?;
//! # Ok::<(), otpkit::Error>(())
//! ```

mod challenge;
mod data_input;
mod suite;

use core::fmt;

use subtle::{Choice, ConstantTimeEq};

use crate::mac::{self, MAX_OUTPUT, Mac};
use crate::{Code, CodeErrorKind, Error, HotpMatch, TotpMatch, Window, verify};

pub use challenge::{ChallengeError, ChallengeErrorKind};
use data_input::Message;
pub use data_input::{DataInput, Role};
pub use suite::{
    ChallengeFormat, Element, OcraSuite, SuiteError, SuiteErrorKind, TimeStep, TimeUnit,
};

/// What is wrong with an OCRA suite or data input ([`Error::Ocra`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OcraError {
    /// The suite string does not parse.
    Suite(SuiteError),
    /// A challenge question does not fit the suite's question format or length.
    Challenge(ChallengeError),
    /// The suite uses this element but the data input has no value for it.
    MissingInput(Element),
    /// The data input has a value for an element the suite does not use (or a verifier was
    /// asked to search an element the suite does not have).
    UnusedInput(Element),
    /// A precomputed password hash whose length is not the suite's `P` hash length.
    PasswordHashLength {
        /// Bytes given.
        len: usize,
        /// Bytes the suite's hash gives: 20, 32 or 64.
        expected: usize,
    },
    /// Session information whose length is not the suite's `S` length.
    SessionLength {
        /// Bytes given.
        len: usize,
        /// The suite's `Snnn`.
        expected: usize,
    },
}

impl fmt::Display for OcraError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OcraError::Suite(e) => e.fmt(f),
            OcraError::Challenge(e) => e.fmt(f),
            OcraError::MissingInput(e) => write!(f, "the suite needs a {e} value"),
            OcraError::UnusedInput(e) => write!(f, "the suite has no {e} element"),
            OcraError::PasswordHashLength { len, expected } => {
                write!(f, "password hash is {len} bytes, the suite's is {expected}")
            }
            OcraError::SessionLength { len, expected } => write!(
                f,
                "session information is {len} bytes, the suite requires {expected}"
            ),
        }
    }
}

impl core::error::Error for OcraError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            OcraError::Suite(e) => Some(e),
            OcraError::Challenge(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SuiteError> for OcraError {
    fn from(e: SuiteError) -> OcraError {
        OcraError::Suite(e)
    }
}

impl From<OcraError> for Error {
    fn from(e: OcraError) -> Error {
        Error::Ocra(e)
    }
}

impl From<SuiteError> for Error {
    fn from(e: SuiteError) -> Error {
        Error::Ocra(OcraError::Suite(e))
    }
}

/// The full HMAC output, the response of a suite with 0 digits (no truncation).
///
/// Displayed in lower-case hexadecimal. Compared in constant time; no `PartialEq`.
#[derive(Clone, Copy)]
pub struct HmacResponse {
    bytes: [u8; MAX_OUTPUT],
    len: u8,
}

impl HmacResponse {
    fn from_digest(digest: &mac::Digest) -> HmacResponse {
        let mut bytes = [0u8; MAX_OUTPUT];
        bytes
            .iter_mut()
            .zip(digest.as_bytes())
            .for_each(|(d, s)| *d = *s);
        HmacResponse {
            bytes,
            len: u8::try_from(digest.as_bytes().len()).unwrap_or(0),
        }
    }

    /// The HMAC bytes: 20, 32 or 64 of them.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Parses `len` bytes of hex, either case, spaces ignored.
    fn parse(input: &[u8], len: usize) -> Result<HmacResponse, Error> {
        let mut bytes = [0u8; MAX_OUTPUT];
        let mut nibbles = 0usize;
        for (position, &c) in input.iter().enumerate() {
            let v = match c {
                b' ' => continue,
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => {
                    return Err(Error::InvalidCode(CodeErrorKind::InvalidCharacter {
                        position,
                    }));
                }
            };
            if let Some(b) = bytes.get_mut(nibbles / 2) {
                *b |= if nibbles.is_multiple_of(2) { v << 4 } else { v };
            }
            nibbles += 1;
        }
        if nibbles != len * 2 {
            return Err(Error::InvalidCode(CodeErrorKind::Length {
                expected: u8::try_from(len * 2).unwrap_or(u8::MAX),
                found: nibbles,
            }));
        }
        Ok(HmacResponse {
            bytes,
            len: u8::try_from(len).unwrap_or(0),
        })
    }
}

impl ConstantTimeEq for HmacResponse {
    fn ct_eq(&self, other: &HmacResponse) -> Choice {
        self.bytes.ct_eq(&other.bytes) & self.len.ct_eq(&other.len)
    }
}

impl fmt::Display for HmacResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for HmacResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HmacResponse({self})")
    }
}

/// An OCRA response: a decimal code, or for a 0-digit suite the whole HMAC.
///
/// `Display` prints the code, or the HMAC in lower-case hex. Compare responses with
/// [`subtle::ConstantTimeEq`], or let [`Ocra::verify`] and its siblings do it.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Response {
    /// `t` = 4 to 10: HOTP dynamic truncation modulo 10^t, zero-padded.
    Code(Code),
    /// `t` = 0: the HMAC without truncation (RFC 6287 §5.2).
    Hmac(HmacResponse),
}

impl Response {
    /// Parses a response as the suite gives them: `digits` decimal digits, or for 0 digits
    /// the HMAC in hex (either case). Spaces are ignored.
    ///
    /// # Errors
    /// [`Error::InvalidCode`] for a character that does not belong or a wrong length.
    pub fn parse(input: impl AsRef<[u8]>, suite: &OcraSuite) -> Result<Response, Error> {
        Response::parse_bytes(input.as_ref(), suite)
    }

    fn parse_bytes(input: &[u8], suite: &OcraSuite) -> Result<Response, Error> {
        match suite.digits() {
            0 => HmacResponse::parse(input, suite.algorithm().output_len()).map(Response::Hmac),
            d => Code::parse_bytes(input, d).map(Response::Code),
        }
    }

    /// The decimal code, unless this is a full-HMAC response.
    #[must_use]
    pub fn as_code(&self) -> Option<&Code> {
        match self {
            Response::Code(c) => Some(c),
            Response::Hmac(_) => None,
        }
    }
}

impl ConstantTimeEq for Response {
    fn ct_eq(&self, other: &Response) -> Choice {
        match (self, other) {
            (Response::Code(a), Response::Code(b)) => a.ct_eq(b),
            (Response::Hmac(a), Response::Hmac(b)) => a.ct_eq(b),
            _ => Choice::from(0),
        }
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Response::Code(c) => c.fmt(f),
            Response::Hmac(h) => h.fmt(f),
        }
    }
}

/// An OCRA computer and verifier: a suite and its key, absorbed into HMAC once.
///
/// The keyed state is wiped on drop and `Debug` does not show it.
///
/// # Examples
/// ```
/// use otpkit::{Error, Window};
/// use otpkit::ocra::{DataInput, Ocra, OcraSuite};
///
/// let suite: OcraSuite = "OCRA-1:HOTP-SHA512-8:QN08-T1M".parse()?;
/// let key: Vec<u8> = b"1234567890".iter().copied().cycle().take(64).collect();
/// let ocra = Ocra::new(suite, &key)?;
///
/// // RFC 6287 Appendix C.1: T = 0x132d0b6 minutes, Mar 25 2008 12:06:30 GMT.
/// let token = DataInput::new().question("00000000").unix_time(1_206_446_790);
/// let response = ocra.compute(&token)?;
/// assert_eq!(response.to_string(), "95209754");
///
/// // The server, a minute later, accepts one step of clock skew; a second use is a replay.
/// let server = DataInput::new().question("00000000");
/// let m = ocra.verify_at_uncommitted("95209754", &server, 1_206_446_850, None, Window::symmetric(1)?)?;
/// assert_eq!((m.step, m.drift), (0x132d0b6, -1));
/// assert_eq!(
///     ocra.verify_at_uncommitted("95209754", &server, 1_206_446_850, Some(m.step), Window::symmetric(1)?),
///     Err(Error::Replay),
/// );
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Ocra {
    suite: OcraSuite,
    mac: Mac,
}

impl Ocra {
    /// The largest counter look-ahead [`verify_counter_uncommitted`](Self::verify_counter_uncommitted) accepts.
    pub const MAX_LOOK_AHEAD: u32 = Window::MAX;

    /// Absorbs `key` for `suite`'s hash. Any key length from 1 byte is accepted (RFC 6287
    /// IC2 recommends the hash output length: 20, 32 or 64 bytes).
    ///
    /// # Errors
    /// [`Error::KeyTooShort`] for an empty key.
    pub fn new(suite: OcraSuite, key: &[u8]) -> Result<Ocra, Error> {
        if key.is_empty() {
            return Err(Error::KeyTooShort { len: 0, min: 1 });
        }
        Ok(Ocra {
            suite,
            mac: Mac::new(suite.algorithm(), key),
        })
    }

    /// The suite.
    #[must_use]
    pub fn suite(&self) -> &OcraSuite {
        &self.suite
    }

    fn respond(&self, message: &Message<'_>) -> Response {
        let digest = self.mac.digest(&message.parts());
        match self.suite.digits() {
            0 => Response::Hmac(HmacResponse::from_digest(&digest)),
            d => Response::Code(Code::from_number(
                mac::dynamic_truncate(digest.as_bytes()),
                d,
            )),
        }
    }

    /// Computes the response to `input` (RFC 6287 §5.1): the client's response or
    /// signature, or the server's response in mutual mode.
    ///
    /// # Errors
    /// [`Error::Ocra`] with
    /// - [`OcraError::MissingInput`] / [`OcraError::UnusedInput`] when `input` lacks an
    ///   element the suite uses or has one it does not;
    /// - [`OcraError::Challenge`] for a challenge that is empty, too long or has a character
    ///   the question format does not allow;
    /// - [`OcraError::PasswordHashLength`], [`OcraError::SessionLength`] for a precomputed
    ///   hash or session information of the wrong length.
    pub fn compute(&self, input: &DataInput<'_>) -> Result<Response, Error> {
        let message = Message::new(&self.suite, input, None)?;
        Ok(self.respond(&message))
    }

    /// Verifies a response to exactly `input` in constant time (suites without `C` or `T`,
    /// or when the caller fixes them).
    ///
    /// A suite without `C` or `T` can be replayed (RFC 6287 §8, IC9): the challenge itself
    /// must be used once only.
    ///
    /// # Errors
    /// As [`compute`](Self::compute); [`Error::InvalidCode`] for a malformed response;
    /// [`Error::Mismatch`] when it does not match.
    pub fn verify(&self, response: impl AsRef<[u8]>, input: &DataInput<'_>) -> Result<(), Error> {
        let given = Response::parse_bytes(response.as_ref(), &self.suite)?;
        let message = Message::new(&self.suite, input, None)?;
        if bool::from(self.respond(&message).ct_eq(&given)) {
            Ok(())
        } else {
            Err(Error::Mismatch)
        }
    }

    /// Verifies a response of a counter suite, looking ahead `next_counter ..=
    /// next_counter + look_ahead` (forward only, wrapping after `u64::MAX` as RFC 6287 §5.1
    /// says), in constant time: every candidate is computed and compared.
    ///
    /// `input` carries everything but the counter (one there is ignored). Store the
    /// returned `next_counter` before accepting. The counter just before `next_counter` is
    /// checked too, only to report [`Error::Replay`] instead of [`Error::Mismatch`]; it is
    /// never accepted.
    ///
    /// # Examples
    /// ```
    /// use otpkit::ocra::{DataInput, Ocra, OcraSuite};
    ///
    /// let suite: OcraSuite = "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1".parse()?;
    /// let ocra = Ocra::new(suite, b"12345678901234567890123456789012")?;
    /// let input = DataInput::new().question("12345678").password(b"1234");
    /// // RFC 6287 C.1: counter 3 gives 71565254; the server expected 1.
    /// let m = ocra.verify_counter_uncommitted("71565254", &input, 1, 5)?;
    /// assert_eq!((m.counter, m.next_counter, m.drift), (3, 4, 2));
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`verify`](Self::verify), plus [`Error::WindowTooLarge`] when `look_ahead` exceeds
    /// [`Ocra::MAX_LOOK_AHEAD`], [`OcraError::UnusedInput`] for a suite without `C`, and
    /// [`Error::Replay`] for the response to `next_counter - 1`.
    pub fn verify_counter_uncommitted(
        &self,
        response: impl AsRef<[u8]>,
        input: &DataInput<'_>,
        next_counter: u64,
        look_ahead: u32,
    ) -> Result<HotpMatch, Error> {
        if look_ahead > Ocra::MAX_LOOK_AHEAD {
            return Err(Error::WindowTooLarge {
                max: Ocra::MAX_LOOK_AHEAD,
            });
        }
        if !self.suite.uses_counter() {
            return Err(OcraError::UnusedInput(Element::Counter).into());
        }
        let given = Response::parse_bytes(response.as_ref(), &self.suite)?;
        let mut message = Message::new(&self.suite, input, Some(Element::Counter))?;
        // Index 0 is the last accepted counter (if any), 1.. the look-ahead: indices keep
        // the order the scan needs even where the counters wrap.
        let counter_at = |i: u64| next_counter.wrapping_add(i).wrapping_sub(1);
        let first = if next_counter == 0 { 1 } else { 0 };
        let index = verify::scan(
            first..=u64::from(look_ahead) + 1,
            Some(0),
            |i| {
                message.set_counter(counter_at(i));
                self.respond(&message)
            },
            &given,
        )?;
        let counter = counter_at(index);
        Ok(HotpMatch {
            counter,
            next_counter: counter.wrapping_add(1),
            drift: index - 1,
        })
    }

    /// Verifies a response of a time suite against the steps of `window` around
    /// `center_step`, in constant time, refusing a step at or before `last_step` (the last
    /// accepted one) as a replay.
    ///
    /// `input` carries everything but the timestamp (one there is ignored).
    ///
    /// # Errors
    /// As [`verify`](Self::verify), plus [`OcraError::UnusedInput`] for a suite without `T`,
    /// [`Error::Replay`] and [`Error::WindowOutOfRange`].
    pub fn verify_step_uncommitted(
        &self,
        response: impl AsRef<[u8]>,
        input: &DataInput<'_>,
        center_step: u64,
        last_step: Option<u64>,
        window: Window,
    ) -> Result<TotpMatch, Error> {
        if self.suite.time_step().is_none() {
            return Err(OcraError::UnusedInput(Element::Timestamp).into());
        }
        let given = Response::parse_bytes(response.as_ref(), &self.suite)?;
        let mut message = Message::new(&self.suite, input, Some(Element::Timestamp))?;
        let step = verify::scan(
            window.around(center_step),
            last_step,
            |t| {
                message.set_timestamp(t);
                self.respond(&message)
            },
            &given,
        )?;
        Ok(TotpMatch {
            step,
            drift: drift(step, center_step),
        })
    }

    /// [`verify_step_uncommitted`](Self::verify_step_uncommitted) centred on the step of Unix time `unix`
    /// (`floor(unix / step)`).
    ///
    /// # Errors
    /// As [`verify_step_uncommitted`](Self::verify_step_uncommitted).
    pub fn verify_at_uncommitted(
        &self,
        response: impl AsRef<[u8]>,
        input: &DataInput<'_>,
        unix: u64,
        last_step: Option<u64>,
        window: Window,
    ) -> Result<TotpMatch, Error> {
        let step = self
            .suite
            .time_step()
            .ok_or(Error::Ocra(OcraError::UnusedInput(Element::Timestamp)))?;
        // A time step is at least one second; `checked_div` only keeps a division-by-zero
        // panic path out of the binary.
        self.verify_step_uncommitted(
            response,
            input,
            unix.checked_div(step.seconds()).unwrap_or(0),
            last_step,
            window,
        )
    }
}

/// `step - center` as a signed number of steps (windows are at most ±1000).
fn drift(step: u64, center: u64) -> i64 {
    if step >= center {
        i64::try_from(step - center).unwrap_or(i64::MAX)
    } else {
        i64::try_from(center - step).map_or(i64::MIN, |d| -d)
    }
}
