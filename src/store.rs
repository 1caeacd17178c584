//! Verification that cannot skip its commit: a record store and the verifier that runs the
//! whole exactly-once loop over it.
//!
//! A one-time password is accepted once only if the record that says it was used is stored
//! before anyone acts on the acceptance, and only if two requests carrying the same code
//! cannot both store theirs. [`Verifier`] (and [`AsyncVerifier`]) do it for every attempt:
//!
//! 1. **load** the token's record bytes ([`Store::load`]);
//! 2. **check the enrolment**: a generator of another enrolment than the record's (a key from
//!    before a re-enrolment, [`Enrolled`](crate::Enrolled)) is refused with
//!    [`VerifyError::EnrolmentMismatch`], its code not evaluated;
//! 3. **verify** through the record in memory (throttle, replay, drift: see [`StateRecord`]);
//! 4. **commit** the new record, if the attempt changed it, with a compare-and-swap on the whole
//!    record ([`Store::compare_and_swap`]): it is written only if the stored bytes are still
//!    the ones loaded (the enrolment id among them, so a re-enrolment in between makes it
//!    fail);
//! 5. on a lost race, **retry** from 1, at most [`Verifier::max_attempts`] times in all: the
//!    winner's record then decides (the same code again is a [`Error::Replay`](crate::Error::Replay)).
//!
//! Only then is the outcome returned. A throttled attempt, a replay or a malformed code changes
//! nothing, so nothing is written for them.
//!
//! The traits and verifiers are `no_std` and need no allocator and no runtime. Stores live
//! behind features of their own: [`MemoryStore`] (`store-memory`, std), `SqliteStore`
//! (`store-sqlite`, `store-sqlite-bundled`), `PostgresStore` (`store-postgres`) and
//! `AsyncPostgresStore` (`store-postgres-async`). Each keeps one row per token and makes its
//! compare-and-swap one conditional `UPDATE`; `docs/scaling.md` says why that scales out.
//! [`EnrolStore`] enrols and re-enrols a token with its first record and sealed key in one
//! statement.
//!
//! # Examples
//!
//! ```
//! # #[cfg(feature = "store-memory")] {
//! use otpkit::store::{MemoryStore, Verifier, VerifyError};
//! use otpkit::{Enrolled, EnrolmentId, Error, Policy, StateRecord, Totp, TotpParams};
//!
//! let verifier = Verifier::new(MemoryStore::new(), Policy::default());
//! let enrolment = EnrolmentId::random()?;
//! verifier.enrol("alice", &StateRecord::time_step().with_enrolment(enrolment))?;
//! let totp = Totp::new(b"12345678901234567890", TotpParams::default())?;
//! let totp = Enrolled::new(totp, enrolment);
//!
//! let now = 1_700_000_000;
//! let code = totp.generate_at(now)?;
//! // The outcome comes back only after the record that spends the code is stored.
//! let accepted = verifier.verify_totp("alice", &totp, now, &code)?;
//! assert_eq!(accepted.drift, 0);
//! // The same code again is refused.
//! assert_eq!(
//!     verifier.verify_totp("alice", &totp, now, &code),
//!     Err(VerifyError::Rejected(Error::Replay)),
//! );
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[macro_use]
mod methods;

mod asynch;
mod enrol;
mod error;
mod key_write;
#[cfg(feature = "alloc")]
mod keys;
#[cfg(feature = "store-memory")]
mod memory;
#[cfg(any(feature = "store-postgres", feature = "store-postgres-async"))]
mod pg_conn;
#[cfg(any(feature = "store-postgres", feature = "store-postgres-async"))]
mod pg_error;
#[cfg(feature = "store-postgres")]
mod postgres;
#[cfg(feature = "store-postgres-async")]
mod postgres_async;
#[cfg(feature = "store-sqlite")]
mod sqlite;
mod verifier;

pub use asynch::{AsyncStore, AsyncVerifier};
pub use enrol::{AsyncEnrolStore, EnrolStore};
pub use error::{EnrolError, VerifyError};
pub use key_write::KeyWrite;
#[cfg(any(
    feature = "store-memory",
    feature = "store-sqlite",
    feature = "store-postgres",
    feature = "store-postgres-async"
))]
use key_write::{sealed_master_key, unbound};
#[cfg(feature = "alloc")]
pub use keys::{AsyncKeyStore, KeyStore};
#[cfg(feature = "store-memory")]
pub use memory::MemoryStore;
#[cfg(any(feature = "store-postgres", feature = "store-postgres-async"))]
pub use pg_error::PostgresError;
#[cfg(feature = "store-postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "store-postgres-async")]
pub use postgres_async::AsyncPostgresStore;
#[cfg(feature = "store-sqlite")]
pub use sqlite::SqliteStore;
pub use verifier::Verifier;

use crate::{Accepted, EnrolmentId, StateRecord, Uncommitted};

pub use crate::RecordBytes;

/// Where records live: one record per token, and a compare-and-swap on it.
///
/// Implementations keep one row (or key) per token id, holding the record's bytes, and make
/// [`compare_and_swap`](Self::compare_and_swap) a single atomic conditional write (in SQL:
/// `UPDATE tokens SET record = $new WHERE id = $id AND record = $old`). Nothing else is needed
/// for exactly-once verification across any number of verifier processes, and no transaction
/// ever spans two tokens, so tokens can be sharded by id.
///
/// Methods take `&self`: a store is shared by the threads of a server (wrap a connection in a
/// mutex, or hold a pool).
pub trait Store {
    /// The store's own failure (connection lost, I/O error).
    type Error;

    /// Inserts a token's first record. `Ok(false)` when the id is already enrolled (nothing is
    /// changed then).
    ///
    /// The raw write: the record is stored as given, with or without an enrolment id. It is
    /// the explicit path for importing tokens enrolled before enrolment ids
    /// ([`EnrolmentId::LEGACY`](crate::EnrolmentId::LEGACY)). New enrolments go through
    /// [`Verifier::enrol`] or [`EnrolStore`], which refuse a record without an enrolment id,
    /// so that no token is left unbound.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn enrol(&self, id: &str, record: &RecordBytes) -> Result<bool, Self::Error>;

    /// Removes a token. `Ok(false)` when there was no such id.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn delete(&self, id: &str) -> Result<bool, Self::Error>;

    /// The token's record bytes, `None` for an unknown id.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn load(&self, id: &str) -> Result<Option<RecordBytes>, Self::Error>;

    /// Replaces the token's record with `new` only if it is still `old`, atomically.
    /// `Ok(false)` when it was not (another writer came first, or the id is gone).
    ///
    /// # Errors
    ///
    /// The store's own failure. An error must mean "not known to be written": a store that
    /// cannot tell (a lost connection during the write) reports it as an error, and the
    /// verifier then reports no acceptance.
    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> Result<bool, Self::Error>;
}

impl<S: Store + ?Sized> Store for &S {
    type Error = S::Error;

    fn enrol(&self, id: &str, record: &RecordBytes) -> Result<bool, Self::Error> {
        (**self).enrol(id, record)
    }

    fn delete(&self, id: &str) -> Result<bool, Self::Error> {
        (**self).delete(id)
    }

    fn load(&self, id: &str) -> Result<Option<RecordBytes>, Self::Error> {
        (**self).load(id)
    }

    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> Result<bool, Self::Error> {
        (**self).compare_and_swap(id, old, new)
    }
}

/// A loaded record: its bytes (the compare-and-swap's `old`) and the decoded record.
fn decode<E>(
    loaded: Result<Option<RecordBytes>, E>,
) -> Result<(RecordBytes, StateRecord), VerifyError<E>> {
    let bytes = loaded
        .map_err(VerifyError::Store)?
        .ok_or(VerifyError::UnknownToken)?;
    let record = StateRecord::from_bytes(&bytes).map_err(VerifyError::Corrupt)?;
    Ok((bytes, record))
}

/// Refuses a generator of another enrolment than the stored record's, before its code is
/// looked at: nothing is evaluated, so nothing is committed.
fn same_enrolment<E>(record: &StateRecord, generator: EnrolmentId) -> Result<(), VerifyError<E>> {
    if record.enrolment() == generator {
        Ok(())
    } else {
        Err(VerifyError::EnrolmentMismatch {
            stored: record.enrolment(),
            generator,
        })
    }
}

/// The outcome of an attempt whose record is committed (or needed no commit).
fn finish<E>(attempt: Uncommitted) -> Result<Accepted, VerifyError<E>> {
    attempt
        .into_outcome_after_commit()
        .map_err(VerifyError::Rejected)
}
