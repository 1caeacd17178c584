//! What the applet needs from the board: a credential store, a random source, a touch check.

use core::fmt;

use zeroize::Zeroize;

/// The length of one credential record, as [`CredentialStore`] keeps it: 218 bytes.
pub const RECORD_LEN: usize = super::record::RECORD_LEN;

/// The length of the applet's own record (device salt and access key): 80 bytes.
pub const META_LEN: usize = super::record::META_LEN;

/// A fixed number of slots, each empty or holding one [`RECORD_LEN`]-byte credential record,
/// plus one [`META_LEN`]-byte record for the applet itself.
///
/// The applet encodes and checks the records (a version byte and a checksum); the store only
/// keeps bytes. Firmware backs it with flash pages, a host with a file.
///
/// Each write must be atomic: after a power cut a slot holds the old record or the new one. A
/// write that returns `Ok` must be durable, since the applet answers an HOTP code only after the
/// moved-on counter is written.
pub trait CredentialStore {
    /// How many credential slots there are (the applet's capacity).
    fn slots(&self) -> usize;

    /// Copies slot `slot` into `record` and returns `true`, or returns `false` when it is empty.
    ///
    /// # Errors
    ///
    /// A store failure; the applet answers `65 81`.
    fn read(&mut self, slot: usize, record: &mut [u8; RECORD_LEN]) -> Result<bool, StoreError>;

    /// Replaces slot `slot` with `record`.
    ///
    /// # Errors
    ///
    /// A store failure; the applet answers `65 81` and no code.
    fn write(&mut self, slot: usize, record: &[u8; RECORD_LEN]) -> Result<(), StoreError>;

    /// Empties slot `slot`, wiping the record's bytes (they hold a key).
    ///
    /// # Errors
    ///
    /// A store failure; the applet answers `65 81`.
    fn erase(&mut self, slot: usize) -> Result<(), StoreError>;

    /// Copies the applet's record into `meta` and returns `true`, or `false` when there is none
    /// yet (a new token).
    ///
    /// # Errors
    ///
    /// A store failure; the applet answers `65 81`.
    fn read_meta(&mut self, meta: &mut [u8; META_LEN]) -> Result<bool, StoreError>;

    /// Replaces the applet's record.
    ///
    /// # Errors
    ///
    /// A store failure; the applet answers `65 81`.
    fn write_meta(&mut self, meta: &[u8; META_LEN]) -> Result<(), StoreError>;
}

/// Random bytes for SELECT's challenge and the device salt, from the board's true random
/// number generator (or a CSPRNG seeded from it).
pub trait Random {
    /// Fills `out` with random bytes.
    fn fill(&mut self, out: &mut [u8]);
}

/// The user-presence check of credentials that require touch.
///
/// A real board waits for its button here, up to a timeout (about 15 s is usual); over CCID it
/// sends time extension requests (WTX) to the host while it waits.
pub trait Touch {
    /// Waits for a touch; `false` when none came in time (the applet answers `69 82`).
    fn confirm(&mut self) -> bool;
}

/// Why a stored record could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The storage failed to read or write (a flash error, an I/O error).
    Io,
    /// A record does not decode: its checksum or a field is wrong.
    Damaged,
    /// A record was written in a format version this build does not read.
    Version(u8),
    /// A record names a hash algorithm this build does not compile in.
    Unsupported,
    /// A slot number at or beyond [`CredentialStore::slots`].
    NoSuchSlot,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io => f.write_str("credential store failed"),
            StoreError::Damaged => f.write_str("stored credential record is damaged"),
            StoreError::Version(v) => write!(f, "stored record has unknown format version {v}"),
            StoreError::Unsupported => {
                f.write_str("stored credential uses a hash algorithm not compiled in")
            }
            StoreError::NoSuchSlot => f.write_str("no such credential slot"),
        }
    }
}

impl core::error::Error for StoreError {}

/// A [`CredentialStore`] of `N` slots in RAM: for tests, and for a board that keeps its
/// credentials only while powered. Wiped on drop.
///
/// # Examples
///
/// ```
/// use otpkit::ykoath::{ArrayStore, CredentialStore, RECORD_LEN};
///
/// let mut store = ArrayStore::<4>::new();
/// assert_eq!(store.slots(), 4);
/// let mut record = [0u8; RECORD_LEN];
/// assert_eq!(store.read(0, &mut record), Ok(false));
/// ```
pub struct ArrayStore<const N: usize> {
    records: [[u8; RECORD_LEN]; N],
    used: [bool; N],
    meta: Option<[u8; META_LEN]>,
}

impl<const N: usize> ArrayStore<N> {
    /// An empty store.
    #[must_use]
    pub const fn new() -> Self {
        ArrayStore {
            records: [[0; RECORD_LEN]; N],
            used: [false; N],
            meta: None,
        }
    }
}

impl<const N: usize> Default for ArrayStore<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Drop for ArrayStore<N> {
    fn drop(&mut self) {
        self.records.iter_mut().for_each(Zeroize::zeroize);
        if let Some(m) = self.meta.as_mut() {
            m.zeroize();
        }
    }
}

impl<const N: usize> fmt::Debug for ArrayStore<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArrayStore")
            .field("slots", &N)
            .field("used", &self.used.iter().filter(|u| **u).count())
            .finish_non_exhaustive()
    }
}

impl<const N: usize> CredentialStore for ArrayStore<N> {
    fn slots(&self) -> usize {
        N
    }

    fn read(&mut self, slot: usize, record: &mut [u8; RECORD_LEN]) -> Result<bool, StoreError> {
        match (self.records.get(slot), self.used.get(slot)) {
            (Some(r), Some(true)) => {
                *record = *r;
                Ok(true)
            }
            (Some(_), Some(false)) => Ok(false),
            _ => Err(StoreError::NoSuchSlot),
        }
    }

    fn write(&mut self, slot: usize, record: &[u8; RECORD_LEN]) -> Result<(), StoreError> {
        match (self.records.get_mut(slot), self.used.get_mut(slot)) {
            (Some(r), Some(u)) => {
                *r = *record;
                *u = true;
                Ok(())
            }
            _ => Err(StoreError::NoSuchSlot),
        }
    }

    fn erase(&mut self, slot: usize) -> Result<(), StoreError> {
        match (self.records.get_mut(slot), self.used.get_mut(slot)) {
            (Some(r), Some(u)) => {
                r.zeroize();
                *u = false;
                Ok(())
            }
            _ => Err(StoreError::NoSuchSlot),
        }
    }

    fn read_meta(&mut self, meta: &mut [u8; META_LEN]) -> Result<bool, StoreError> {
        match &self.meta {
            Some(m) => {
                *meta = *m;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn write_meta(&mut self, meta: &[u8; META_LEN]) -> Result<(), StoreError> {
        self.meta = Some(*meta);
        Ok(())
    }
}
