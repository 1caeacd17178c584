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

/// Why [`Verifier::enrol`](super::Verifier::enrol) or
/// [`AsyncVerifier::enrol`](super::AsyncVerifier::enrol) enrolled nothing.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "store-memory")] {
/// use otpkit::store::{EnrolError, MemoryStore, Verifier};
/// use otpkit::{EnrolmentId, Policy, StateRecord};
///
/// let verifier = Verifier::new(MemoryStore::new(), Policy::default());
/// let plain = StateRecord::time_step();
/// assert_eq!(verifier.enrol("alice", &plain), Err(EnrolError::Unbound));
/// let bound = plain.with_enrolment(EnrolmentId::from_bytes([7; 16]));
/// assert_eq!(verifier.enrol("alice", &bound), Ok(true));
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnrolError<E> {
    /// The record carries no enrolment id ([`EnrolmentId::LEGACY`], as
    /// [`StateRecord::counter`](crate::StateRecord::counter) and
    /// [`StateRecord::time_step`](crate::StateRecord::time_step) give): a token enrolled so
    /// would not be bound, and a generator of an earlier enrolment of the same id would still
    /// be accepted. Give the record a fresh id,
    /// `record.with_enrolment(EnrolmentId::random()?)`
    /// ([`StateRecord::with_enrolment`](crate::StateRecord::with_enrolment),
    /// [`EnrolmentId::random`]), and verify with a generator bound to it
    /// ([`Enrolled`](crate::Enrolled)). Nothing was written. Tokens enrolled before
    /// enrolment ids are imported with the store's own
    /// [`Store::enrol`](super::Store::enrol).
    Unbound,
    /// The store failed; nothing is known to be written.
    Store(E),
}

impl<E: fmt::Display> fmt::Display for EnrolError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnrolError::Unbound => f.write_str("record carries no enrolment id"),
            EnrolError::Store(e) => write!(f, "store failed: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for EnrolError<E> {}
