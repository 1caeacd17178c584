//! An in-memory store: tests, and services of a single process.

use std::collections::HashMap;
use std::string::String;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use super::{AsyncEnrolStore, AsyncStore, EnrolStore, KeyStore, RecordBytes, Store};

/// Records in a `HashMap` behind a mutex: one entry per token, a compare-and-swap under the
/// lock. For tests and single-process services; nothing survives the process.
///
/// It implements [`Store`], [`AsyncStore`] (whose futures are ready at once), [`KeyStore`],
/// [`EnrolStore`] and [`AsyncEnrolStore`].
///
/// # Examples
///
/// ```
/// use otpkit::StateRecord;
/// use otpkit::store::{MemoryStore, Store};
///
/// let store = MemoryStore::new();
/// let first = StateRecord::counter(0).to_bytes();
/// assert_eq!(store.enrol("t", &first), Ok(true));
/// assert_eq!(store.enrol("t", &first), Ok(false));
/// let next = StateRecord::counter(1).to_bytes();
/// assert_eq!(store.compare_and_swap("t", &first, &next), Ok(true));
/// assert_eq!(store.compare_and_swap("t", &first, &next), Ok(false)); // no longer `first`
/// assert_eq!(store.load("t"), Ok(Some(next)));
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<HashMap<String, RecordBytes>>,
    /// Sealed keys of enrolled tokens ([`KeyStore`]), apart from the records.
    keys: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// How many tokens are enrolled.
    #[must_use]
    pub fn len(&self) -> usize {
        self.records().len()
    }

    /// Whether no token is enrolled.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records().is_empty()
    }

    /// The map, also after a panic elsewhere while it was held: every write under the lock is
    /// a single assignment, so the map is never left half-written.
    fn records(&self) -> MutexGuard<'_, HashMap<String, RecordBytes>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The sealed keys, as [`records`](Self::records).
    fn keys(&self) -> MutexGuard<'_, HashMap<String, Vec<u8>>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl KeyStore for MemoryStore {
    type Error = core::convert::Infallible;

    fn put_sealed_key(&self, id: &str, sealed: &[u8]) -> Result<bool, Self::Error> {
        if !self.records().contains_key(id) {
            return Ok(false);
        }
        self.keys().insert(id.into(), sealed.to_vec());
        Ok(true)
    }

    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error> {
        Ok(self.keys().get(id).cloned())
    }

    fn ids_with_keys(&self) -> Result<Vec<String>, Self::Error> {
        Ok(self.keys().keys().cloned().collect())
    }
}

/// The in-memory store never fails.
impl Store for MemoryStore {
    type Error = core::convert::Infallible;

    fn enrol(&self, id: &str, record: &RecordBytes) -> Result<bool, Self::Error> {
        let mut records = self.records();
        if records.contains_key(id) {
            return Ok(false);
        }
        records.insert(id.into(), *record);
        Ok(true)
    }

    fn delete(&self, id: &str) -> Result<bool, Self::Error> {
        // Both maps at once, records first as in an enrolment: a re-enrolment running
        // alongside never leaves its key without its record.
        let mut records = self.records();
        self.keys().remove(id);
        Ok(records.remove(id).is_some())
    }

    fn load(&self, id: &str) -> Result<Option<RecordBytes>, Self::Error> {
        Ok(self.records().get(id).copied())
    }

    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> Result<bool, Self::Error> {
        Ok(match self.records().get_mut(id) {
            Some(stored) if stored == old => {
                *stored = *new;
                true
            }
            _ => false,
        })
    }
}

/// Both maps are locked, records first, while an enrolment writes them.
impl EnrolStore for MemoryStore {
    type Error = core::convert::Infallible;

    fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<bool, Self::Error> {
        let mut records = self.records();
        if records.contains_key(id) {
            return Ok(false);
        }
        let mut keys = self.keys();
        records.insert(id.into(), *record);
        match sealed_key {
            Some(sealed) => keys.insert(id.into(), sealed.to_vec()),
            None => keys.remove(id),
        };
        Ok(true)
    }

    fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<(), Self::Error> {
        let mut records = self.records();
        let mut keys = self.keys();
        records.insert(id.into(), *record);
        match sealed_key {
            Some(sealed) => keys.insert(id.into(), sealed.to_vec()),
            None => keys.remove(id),
        };
        Ok(())
    }
}

impl AsyncEnrolStore for MemoryStore {
    type Error = core::convert::Infallible;

    fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send {
        core::future::ready(EnrolStore::enrol_with_key(self, id, record, sealed_key))
    }

    fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        core::future::ready(EnrolStore::reenrol(self, id, record, sealed_key))
    }
}

impl AsyncStore for MemoryStore {
    type Error = core::convert::Infallible;

    fn enrol(
        &self,
        id: &str,
        record: &RecordBytes,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send {
        core::future::ready(Store::enrol(self, id, record))
    }

    fn delete(&self, id: &str) -> impl Future<Output = Result<bool, Self::Error>> + Send {
        core::future::ready(Store::delete(self, id))
    }

    fn load(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<RecordBytes>, Self::Error>> + Send {
        core::future::ready(Store::load(self, id))
    }

    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send {
        core::future::ready(Store::compare_and_swap(self, id, old, new))
    }
}
