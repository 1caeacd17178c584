//! The data input of an OCRA computation and the message it becomes (RFC 6287 §5.1):
//! `suite ‖ 0x00 ‖ [C] ‖ Q ‖ [P] ‖ [S] ‖ [T]`.

use core::fmt;

use zeroize::Zeroizing;

use super::OcraError;
use super::challenge::{self, Q_LEN};
use super::suite::{Element, OcraSuite};
use crate::mac::{self, MAX_OUTPUT};

/// Which side of a mutual exchange computes (RFC 6287 §7.2, §7.3.2).
///
/// Each side puts the *other* party's challenge first (§5.1): the server's response is over
/// `client challenge ‖ server challenge`, the client's over `server ‖ client`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The server's response `RS` (`QC ‖ QS`).
    Server,
    /// The client's response `RC`, or its signature (`QS ‖ QC`).
    Client,
}

#[derive(Clone, Copy)]
enum Password<'a> {
    Pin(&'a [u8]),
    Hash(&'a [u8]),
}

#[derive(Clone, Copy, Debug)]
enum Timestamp {
    Steps(u64),
    Unix(u64),
}

/// The values an OCRA computation takes besides the key: counter, question(s), password,
/// session information and timestamp, borrowed, nothing copied or allocated.
///
/// Give exactly what the suite names: a missing element the suite requires, or one it does
/// not use, is an error when the response is computed. The challenge is text in the suite's
/// format (`N` digits, `H` hex digits, `A` letters and digits), encoded as RFC 6287's
/// reference implementation does.
///
/// # Examples
/// ```
/// use otpkit::ocra::{DataInput, Ocra, OcraSuite, Role};
///
/// // RFC 6287 Appendix C.1: C-QN08-PSHA1 with counter 1 and PIN 1234.
/// let suite: OcraSuite = "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1".parse()?;
/// let ocra = Ocra::new(suite, b"12345678901234567890123456789012")?;
/// let input = DataInput::new().counter(1).question("12345678").password(b"1234");
/// assert_eq!(ocra.compute(&input)?.to_string(), "86775851");
///
/// // Appendix C.2: the server's response in mutual mode.
/// let suite: OcraSuite = "OCRA-1:HOTP-SHA256-8:QA08".parse()?;
/// let ocra = Ocra::new(suite, b"12345678901234567890123456789012")?;
/// let input = DataInput::new().mutual(Role::Server, "CLI22220", "SRV11110");
/// assert_eq!(ocra.compute(&input)?.to_string(), "28247970");
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Copy, Default)]
pub struct DataInput<'a> {
    counter: Option<u64>,
    question: Option<(&'a str, Option<&'a str>)>,
    password: Option<Password<'a>>,
    session: Option<&'a [u8]>,
    timestamp: Option<Timestamp>,
}

impl<'a> DataInput<'a> {
    /// No inputs yet.
    #[must_use]
    pub const fn new() -> DataInput<'a> {
        DataInput {
            counter: None,
            question: None,
            password: None,
            session: None,
            timestamp: None,
        }
    }

    /// The counter `C` (8 bytes, big-endian). RFC 6287 §5.1: it runs from 0 to `u64::MAX`
    /// and then starts over at 0, so the client's next counter is
    /// `counter.wrapping_add(1)`.
    #[must_use]
    pub const fn counter(mut self, counter: u64) -> DataInput<'a> {
        self.counter = Some(counter);
        self
    }

    /// One challenge question (one-way challenge-response §7.1, plain signature §7.3.1).
    #[must_use]
    pub const fn question(mut self, question: &'a str) -> DataInput<'a> {
        self.question = Some((question, None));
        self
    }

    /// Two challenges in message order: the other party's first, then one's own (§5.1).
    /// Each may be as long as the suite's question length; together they fill one `Q`
    /// field, encoded as one question.
    #[must_use]
    pub const fn questions(mut self, first: &'a str, second: &'a str) -> DataInput<'a> {
        self.question = Some((first, Some(second)));
        self
    }

    /// The two challenges of a mutual exchange (§7.2) or a signature with server
    /// authentication (§7.3.2), ordered for `role`: `Server` → `QC ‖ QS`,
    /// `Client` → `QS ‖ QC`.
    #[must_use]
    pub const fn mutual(
        self,
        role: Role,
        client_challenge: &'a str,
        server_challenge: &'a str,
    ) -> DataInput<'a> {
        match role {
            Role::Server => self.questions(client_challenge, server_challenge),
            Role::Client => self.questions(server_challenge, client_challenge),
        }
    }

    /// The PIN or password, hashed with the suite's `P` algorithm when the response is
    /// computed.
    #[must_use]
    pub const fn password(mut self, pin: &'a [u8]) -> DataInput<'a> {
        self.password = Some(Password::Pin(pin));
        self
    }

    /// The already computed hash of the PIN or password (20, 32 or 64 bytes, as the suite's
    /// `P` algorithm gives), as a server that stores only the hash has it.
    #[must_use]
    pub const fn password_hash(mut self, hash: &'a [u8]) -> DataInput<'a> {
        self.password = Some(Password::Hash(hash));
        self
    }

    /// Session information: exactly the suite's `S` length in bytes.
    #[must_use]
    pub const fn session(mut self, info: &'a [u8]) -> DataInput<'a> {
        self.session = Some(info);
        self
    }

    /// The timestamp `T` as a count of the suite's time steps since the Unix epoch.
    #[must_use]
    pub const fn timestamp(mut self, steps: u64) -> DataInput<'a> {
        self.timestamp = Some(Timestamp::Steps(steps));
        self
    }

    /// The timestamp `T` from a Unix time in seconds: `floor(seconds / step)` with the
    /// suite's time step.
    #[must_use]
    pub const fn unix_time(mut self, seconds: u64) -> DataInput<'a> {
        self.timestamp = Some(Timestamp::Unix(seconds));
        self
    }

    /// Whether a value for `element` was given.
    #[must_use]
    pub fn has(&self, element: Element) -> bool {
        match element {
            Element::Counter => self.counter.is_some(),
            Element::Question => self.question.is_some(),
            Element::Password => self.password.is_some(),
            Element::Session => self.session.is_some(),
            Element::Timestamp => self.timestamp.is_some(),
        }
    }
}

impl fmt::Debug for DataInput<'_> {
    /// The password and session information are not shown, only whether they are set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataInput")
            .field("counter", &self.counter)
            .field("question", &self.question)
            .field(
                "password",
                &match self.password {
                    None => "none",
                    Some(Password::Pin(_)) => "pin (redacted)",
                    Some(Password::Hash(_)) => "hash (redacted)",
                },
            )
            .field("session_len", &self.session.map(<[u8]>::len))
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// The OCRA message for one suite and data input, with `C` and `T` replaceable so that a
/// verifier can try candidates without rebuilding the rest.
pub(crate) struct Message<'a> {
    suite: &'a [u8],
    counter: Option<[u8; 8]>,
    question: [u8; Q_LEN],
    password: Zeroizing<[u8; MAX_OUTPUT]>,
    password_len: usize,
    session: &'a [u8],
    timestamp: Option<[u8; 8]>,
}

fn presence(suite: &OcraSuite, element: Element, given: bool) -> Result<(), OcraError> {
    match (suite.uses(element), given) {
        (true, false) => Err(OcraError::MissingInput(element)),
        (false, true) => Err(OcraError::UnusedInput(element)),
        _ => Ok(()),
    }
}

impl<'a> Message<'a> {
    /// Checks `input` against `suite` and lays out the message. `varied` is the element a
    /// verifier fills in itself (counter or timestamp): it need not be in `input`, and a
    /// value there is replaced.
    pub(crate) fn new(
        suite: &'a OcraSuite,
        input: &DataInput<'a>,
        varied: Option<Element>,
    ) -> Result<Message<'a>, OcraError> {
        for element in [
            Element::Counter,
            Element::Question,
            Element::Password,
            Element::Session,
            Element::Timestamp,
        ] {
            if varied != Some(element) {
                presence(suite, element, input.has(element))?;
            }
        }
        let (first, second) = input
            .question
            .ok_or(OcraError::MissingInput(Element::Question))?;
        let question = challenge::encode(suite, first, second).map_err(OcraError::Challenge)?;

        let mut password = Zeroizing::new([0u8; MAX_OUTPUT]);
        let mut password_len = 0;
        if let (Some(algorithm), Some(given)) = (suite.password_hash(), input.password) {
            password_len = algorithm.output_len();
            match given {
                Password::Pin(pin) => {
                    let digest = mac::hash(algorithm, pin);
                    password
                        .iter_mut()
                        .zip(digest.as_bytes())
                        .for_each(|(d, s)| *d = *s);
                }
                Password::Hash(hash) => {
                    if hash.len() != password_len {
                        return Err(OcraError::PasswordHashLength {
                            len: hash.len(),
                            expected: password_len,
                        });
                    }
                    password.iter_mut().zip(hash).for_each(|(d, s)| *d = *s);
                }
            }
        }

        let session = match (suite.session_len(), input.session) {
            (Some(expected), Some(info)) if info.len() != expected => {
                return Err(OcraError::SessionLength {
                    len: info.len(),
                    expected,
                });
            }
            (Some(_), Some(info)) => info,
            _ => &[],
        };

        let timestamp = match (suite.time_step(), input.timestamp) {
            (Some(_), Some(Timestamp::Steps(t))) => Some(t.to_be_bytes()),
            (Some(step), Some(Timestamp::Unix(s))) => {
                // A step is at least one second: `checked_div` only keeps a panic path out.
                Some(s.checked_div(step.seconds()).unwrap_or(0).to_be_bytes())
            }
            (Some(_), None) => Some([0; 8]),
            (None, _) => None,
        };
        let counter = match (suite.uses_counter(), input.counter) {
            (true, c) => Some(c.unwrap_or(0).to_be_bytes()),
            (false, _) => None,
        };

        Ok(Message {
            suite: suite.as_bytes(),
            counter,
            question,
            password,
            password_len,
            session,
            timestamp,
        })
    }

    /// Replaces `C` (only when the suite has one).
    pub(crate) fn set_counter(&mut self, counter: u64) {
        if let Some(c) = self.counter.as_mut() {
            *c = counter.to_be_bytes();
        }
    }

    /// Replaces `T` (only when the suite has one).
    pub(crate) fn set_timestamp(&mut self, steps: u64) {
        if let Some(t) = self.timestamp.as_mut() {
            *t = steps.to_be_bytes();
        }
    }

    /// The message as the parts the HMAC absorbs, in order.
    pub(crate) fn parts(&self) -> [&[u8]; 7] {
        [
            self.suite,
            &[0],
            self.counter.as_ref().map_or(&[], |c| c.as_slice()),
            &self.question,
            self.password.get(..self.password_len).unwrap_or(&[]),
            self.session,
            self.timestamp.as_ref().map_or(&[], |t| t.as_slice()),
        ]
    }
}
