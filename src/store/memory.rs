//! An in-memory store: tests, and services of a single process.

use std::collections::{BTreeMap, HashMap};
use std::string::String;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use super::{
    AsyncEnrolStore, AsyncKeyStore, AsyncStore, EnrolStore, KeyStore, KeyWrite, RecordBytes, Store,
};

/// Records in a `HashMap` behind a mutex: one entry per token, a compare-and-swap under the
/// lock. For tests and single-process services; nothing survives the process.
///
/// It implements [`Store`], [`KeyStore`], [`EnrolStore`], and [`AsyncStore`],
/// [`AsyncKeyStore`] and [`AsyncEnrolStore`] (whose futures are ready at once).
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
    /// Sealed keys of enrolled tokens ([`KeyStore`]), apart from the records, in id order
    /// (for [`KeyStore::ids_with_keys`]).
    keys: Mutex<BTreeMap<String, Vec<u8>>>,
    /// The current master-key id ([`KeyStore::current_master_key`]).
    master_key: Mutex<Option<u32>>,
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

    /// The sealed keys, as [`records`](Self::records). Locked after the records when both
    /// are held.
    fn keys(&self) -> MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current master-key id, as [`records`](Self::records). Locked before the records
    /// when both are held.
    fn master_key(&self) -> MutexGuard<'_, Option<u32>> {
        self.master_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl KeyStore for MemoryStore {
    type Error = core::convert::Infallible;

    fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> Result<KeyWrite, Self::Error> {
        // Checked and written under the master-key lock: a replacement waits for the write.
        let current = self.master_key();
        if let Some(current) = *current
            && current != master_key
        {
            return Ok(KeyWrite::RetiredMasterKey { current });
        }
        let records = self.records();
        if !records.contains_key(id) {
            return Ok(KeyWrite::UnknownToken);
        }
        self.keys().insert(id.into(), sealed.to_vec());
        Ok(KeyWrite::Stored)
    }

    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error> {
        Ok(self.keys().get(id).cloned())
    }

    fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, Self::Error> {
        Ok(match self.keys().get_mut(id) {
            Some(stored) if stored.as_slice() == old => {
                *stored = new.to_vec();
                true
            }
            _ => false,
        })
    }

    fn ids_with_keys(&self, after: Option<&str>, limit: usize) -> Result<Vec<String>, Self::Error> {
        use core::ops::Bound;
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        Ok(self
            .keys()
            .range::<str, _>((start, Bound::Unbounded))
            .take(limit)
            .map(|(id, _)| id.clone())
            .collect())
    }

    fn current_master_key(&self) -> Result<Option<u32>, Self::Error> {
        Ok(*self.master_key())
    }

    fn replace_current_master_key(&self, old: Option<u32>, new: u32) -> Result<bool, Self::Error> {
        let mut current = self.master_key();
        if *current != old {
            return Ok(false);
        }
        *current = Some(new);
        Ok(true)
    }
}

impl AsyncKeyStore for MemoryStore {
    type Error = core::convert::Infallible;

    fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> impl Future<Output = Result<KeyWrite, Self::Error>> + Send {
        core::future::ready(KeyStore::put_sealed_key(self, id, sealed, master_key))
    }

    fn sealed_key(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, Self::Error>> + Send {
        core::future::ready(KeyStore::sealed_key(self, id))
    }

    fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send {
        core::future::ready(KeyStore::compare_and_swap_sealed_key(self, id, old, new))
    }

    fn ids_with_keys(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<String>, Self::Error>> + Send {
        core::future::ready(KeyStore::ids_with_keys(self, after, limit))
    }

    fn current_master_key(&self) -> impl Future<Output = Result<Option<u32>, Self::Error>> + Send {
        core::future::ready(KeyStore::current_master_key(self))
    }

    fn replace_current_master_key(
        &self,
        old: Option<u32>,
        new: u32,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send {
        core::future::ready(KeyStore::replace_current_master_key(self, old, new))
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

/// The current master-key id, then both maps (records first) are locked while an enrolment
/// checks and writes them.
impl EnrolStore for MemoryStore {
    type Error = core::convert::Infallible;

    fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error> {
        if super::unbound(record) {
            return Ok(KeyWrite::Unbound);
        }
        let master_key = self.master_key();
        if let Some(retired) = retired(*master_key, sealed_key) {
            return Ok(retired);
        }
        let mut records = self.records();
        if records.contains_key(id) {
            return Ok(KeyWrite::AlreadyEnrolled);
        }
        let mut keys = self.keys();
        records.insert(id.into(), *record);
        match sealed_key {
            Some(sealed) => keys.insert(id.into(), sealed.to_vec()),
            None => keys.remove(id),
        };
        Ok(KeyWrite::Stored)
    }

    fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error> {
        if super::unbound(record) {
            return Ok(KeyWrite::Unbound);
        }
        let master_key = self.master_key();
        if let Some(retired) = retired(*master_key, sealed_key) {
            return Ok(retired);
        }
        let mut records = self.records();
        let mut keys = self.keys();
        records.insert(id.into(), *record);
        match sealed_key {
            Some(sealed) => keys.insert(id.into(), sealed.to_vec()),
            None => keys.remove(id),
        };
        Ok(KeyWrite::Stored)
    }
}

/// [`KeyWrite::RetiredMasterKey`] when `sealed` names a master key other than `current`.
fn retired(current: Option<u32>, sealed: Option<&[u8]>) -> Option<KeyWrite> {
    let current = current?;
    let sealed_with = super::sealed_master_key(sealed?)?;
    (sealed_with != current).then_some(KeyWrite::RetiredMasterKey { current })
}

impl AsyncEnrolStore for MemoryStore {
    type Error = core::convert::Infallible;

    fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> impl Future<Output = Result<KeyWrite, Self::Error>> + Send {
        core::future::ready(EnrolStore::enrol_with_key(self, id, record, sealed_key))
    }

    fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> impl Future<Output = Result<KeyWrite, Self::Error>> + Send {
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
