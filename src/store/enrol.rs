//! Enrolment and re-enrolment that write a token's first record and its sealed key together.

use core::future::Future;

use super::{KeyWrite, RecordBytes};

/// A store that enrols and re-enrols a token in one atomic write of its first record and its
/// sealed key: a crash never leaves an id enrolled without its key, nor a new record beside an
/// old key.
///
/// Give each enrolment a fresh [`EnrolmentId`](crate::EnrolmentId) inside the record
/// ([`StateRecord::with_enrolment`](crate::StateRecord::with_enrolment)) and inside the sealed
/// key ([`MasterKey::seal_enrolled`](crate::sealed::MasterKey::seal_enrolled)): the verifiers
/// then refuse any generator of an earlier enrolment. `sealed_key` is `None` for a caller who
/// keeps the key elsewhere; the store's key column is then left empty (a re-enrolment clears
/// it), so no earlier key is ever paired with the new record.
///
/// A sealed key in this crate's format names the master key that sealed it: it is written
/// only if that is the store's current master key
/// ([`KeyStore::current_master_key`](super::KeyStore::current_master_key)), checked in the
/// same atomic step, so a server still on a retired master key gets
/// [`KeyWrite::RetiredMasterKey`] and enrols nothing.
///
/// In SQL each method is one statement (`INSERT … ON CONFLICT`), in autocommit.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "store-memory")] {
/// use otpkit::store::{EnrolStore, KeyWrite, MemoryStore, Store};
/// use otpkit::{EnrolmentId, StateRecord};
///
/// let store = MemoryStore::new();
/// let first = StateRecord::time_step().with_enrolment(EnrolmentId::from_bytes([1; 16]));
/// let stored = store.enrol_with_key("alice", &first.to_bytes(), Some(b"sealed key 1"));
/// assert_eq!(stored, Ok(KeyWrite::Stored));
/// let taken = store.enrol_with_key("alice", &first.to_bytes(), None);
/// assert_eq!(taken, Ok(KeyWrite::AlreadyEnrolled));
/// // A record without an enrolment id would leave the token unbound: refused.
/// let plain = StateRecord::time_step().to_bytes();
/// assert_eq!(store.reenrol("alice", &plain, None), Ok(KeyWrite::Unbound));
///
/// // Alice lost her phone: a new enrolment replaces record and key at once.
/// let second = StateRecord::time_step().with_enrolment(EnrolmentId::from_bytes([2; 16]));
/// store.reenrol("alice", &second.to_bytes(), Some(b"sealed key 2"))?;
/// assert_eq!(store.load("alice")?, Some(second.to_bytes()));
/// # }
/// # Ok::<(), core::convert::Infallible>(())
/// ```
pub trait EnrolStore {
    /// The store's own failure.
    type Error;

    /// Enrols token `id` with its first `record` and `sealed_key`, both or neither.
    /// [`KeyWrite::AlreadyEnrolled`] when the id is already enrolled,
    /// [`KeyWrite::RetiredMasterKey`] when the key is sealed under a master key that is not
    /// current, and [`KeyWrite::Unbound`] when the record carries no enrolment id (nothing is
    /// changed then).
    ///
    /// # Errors
    ///
    /// The store's own failure; an error means "not known to be written".
    fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error>;

    /// Re-enrols token `id`: replaces its record and its sealed key (`None` removes it) at
    /// once, or enrols it when it is not enrolled. Unconditional, as an administrator's
    /// re-enrolment must be, but for the master-key check ([`KeyWrite::RetiredMasterKey`],
    /// changing nothing, for a key sealed under a master key that is not current) and the
    /// enrolment id ([`KeyWrite::Unbound`], changing nothing, for a record without one): a
    /// verification in flight against the old record then loses its compare-and-swap, since
    /// the new record's enrolment id differs.
    ///
    /// # Errors
    ///
    /// The store's own failure; an error means "not known to be written".
    fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error>;
}

impl<S: EnrolStore + ?Sized> EnrolStore for &S {
    type Error = S::Error;

    fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error> {
        (**self).enrol_with_key(id, record, sealed_key)
    }

    fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error> {
        (**self).reenrol(id, record, sealed_key)
    }
}

/// [`EnrolStore`] for asynchronous clients: the same two operations, each returning a `Send`
/// future.
pub trait AsyncEnrolStore {
    /// The store's own failure.
    type Error;

    /// As [`EnrolStore::enrol_with_key`].
    fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> impl Future<Output = Result<KeyWrite, Self::Error>> + Send;

    /// As [`EnrolStore::reenrol`].
    fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> impl Future<Output = Result<KeyWrite, Self::Error>> + Send;
}
