//! What a write of a sealed key did, and the master-key id a sealed key names.

/// What a write of a sealed key did:
/// [`KeyStore::put_sealed_key`](super::KeyStore::put_sealed_key),
/// [`EnrolStore::enrol_with_key`](super::EnrolStore::enrol_with_key) and
/// [`EnrolStore::reenrol`](super::EnrolStore::reenrol).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "store-memory")] {
/// use otpkit::StateRecord;
/// use otpkit::store::{KeyStore, KeyWrite, MemoryStore, Store};
///
/// let store = MemoryStore::new();
/// assert_eq!(store.put_sealed_key("t", b"sealed", 7), Ok(KeyWrite::UnknownToken));
/// store.enrol("t", &StateRecord::counter(0).to_bytes())?;
/// assert_eq!(store.put_sealed_key("t", b"sealed", 7), Ok(KeyWrite::Stored));
/// assert!(store.replace_current_master_key(None, 8)?);
/// assert_eq!(
///     store.put_sealed_key("t", b"sealed", 7),
///     Ok(KeyWrite::RetiredMasterKey { current: 8 }),
/// );
/// # }
/// # Ok::<(), core::convert::Infallible>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyWrite {
    /// The key is stored (with the record, for an enrolment).
    Stored,
    /// The id is already enrolled; nothing is changed
    /// ([`EnrolStore::enrol_with_key`](super::EnrolStore::enrol_with_key)).
    AlreadyEnrolled,
    /// No token has this id; nothing is stored.
    UnknownToken,
    /// The key was sealed under a master key that is no longer the store's current one
    /// ([`KeyStore::current_master_key`](super::KeyStore::current_master_key)): a server still
    /// on a retired master key. Nothing is stored (no record either, for an enrolment); the
    /// server must move to the current master key.
    RetiredMasterKey {
        /// The store's current master-key id.
        current: u32,
    },
    /// The record carries no enrolment id ([`EnrolmentId::LEGACY`](crate::EnrolmentId::LEGACY),
    /// or it does not decode): nothing is stored
    /// ([`EnrolStore::enrol_with_key`](super::EnrolStore::enrol_with_key),
    /// [`EnrolStore::reenrol`](super::EnrolStore::reenrol)). Give the record a fresh id,
    /// `record.with_enrolment(EnrolmentId::random()?)`
    /// ([`StateRecord::with_enrolment`](crate::StateRecord::with_enrolment),
    /// [`EnrolmentId::random`](crate::EnrolmentId::random)); otherwise a re-enrolment would
    /// write a record equal to the old one, and the old enrolment's generators would still be
    /// accepted.
    Unbound,
}

/// The id of the master key that sealed `sealed`, when it is in this crate's sealed format
/// (version 1 or 2: a version byte, then the id, big-endian), for the stores' check against
/// the current master key. `None` for anything else, which is stored unchecked.
#[cfg(any(
    feature = "store-memory",
    feature = "store-sqlite",
    feature = "store-postgres",
    feature = "store-postgres-async"
))]
pub(crate) fn sealed_master_key(sealed: &[u8]) -> Option<u32> {
    match sealed {
        [1 | 2, a, b, c, d, ..] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

/// Whether `record` carries no enrolment id (or does not decode), which
/// [`EnrolStore`](super::EnrolStore) refuses with [`KeyWrite::Unbound`].
#[cfg(any(
    feature = "store-memory",
    feature = "store-sqlite",
    feature = "store-postgres",
    feature = "store-postgres-async"
))]
pub(crate) fn unbound(record: &super::RecordBytes) -> bool {
    !crate::StateRecord::from_bytes(record.as_slice()).is_ok_and(|r| !r.enrolment().is_legacy())
}
