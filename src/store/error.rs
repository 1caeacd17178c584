//! Why a verification through a store gave no acceptance.

use core::fmt;

use crate::{EnrolmentId, Error};

/// Why [`Verifier`](super::Verifier) or [`AsyncVerifier`](super::AsyncVerifier) gave no
/// acceptance. Every variant means "do not let the user in".
///
/// # Examples
///
/// ```
/// use otpkit::store::VerifyError;
/// use otpkit::Error;
///
/// let e: VerifyError<std::io::Error> = VerifyError::Rejected(Error::Mismatch);
/// assert_eq!(e.rejection(), Some(Error::Mismatch));
/// assert_eq!(e.to_string(), "code rejected: code does not match");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError<E> {
    /// The attempt was evaluated and refused, and whatever it changed (a failure counted, a
    /// lock started) is stored: a wrong code, a replay, throttling, a resynchronisation
    /// needed, a malformed code.
    Rejected(Error),
    /// No token has this id.
    UnknownToken,
    /// The stored record does not decode ([`StateRecord::from_bytes`](crate::StateRecord)'s
    /// error): damaged, or written by a newer version.
    Corrupt(Error),
    /// Every attempt lost its compare-and-swap to another writer: the code was not evaluated
    /// to an outcome that is stored. Rare outside an attack; the attempt may be repeated.
    Contention {
        /// How many load-verify-commit rounds were tried.
        attempts: u32,
    },
    /// The store failed; nothing is known to be written.
    Store(E),
    /// The generator belongs to another enrolment of the token than the stored record: a key
    /// of an earlier enrolment (a request or cache from before a re-enrolment, a restored
    /// copy of an old sealed key), or a bare generator ([`EnrolmentId::LEGACY`]) against a
    /// record of a real enrolment. The code was not evaluated and nothing was stored.
    EnrolmentMismatch {
        /// The enrolment of the stored record.
        stored: EnrolmentId,
        /// The enrolment of the generator given.
        generator: EnrolmentId,
    },
}

impl<E> VerifyError<E> {
    /// The verification's own refusal, if that is what this is.
    #[must_use]
    pub fn rejection(&self) -> Option<Error> {
        match self {
            VerifyError::Rejected(e) => Some(*e),
            _ => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for VerifyError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Rejected(e) => write!(f, "code rejected: {e}"),
            VerifyError::UnknownToken => f.write_str("no token has this id"),
            VerifyError::Corrupt(e) => write!(f, "stored record unreadable: {e}"),
            VerifyError::Contention { attempts } => write!(
                f,
                "lost the record's compare-and-swap {attempts} times to other writers"
            ),
            VerifyError::Store(e) => write!(f, "store failed: {e}"),
            VerifyError::EnrolmentMismatch { stored, generator } => write!(
                f,
                "generator of enrolment {generator}, not of the stored enrolment {stored}"
            ),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for VerifyError<E> {}
