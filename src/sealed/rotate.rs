//! Master-key rotation: every sealed key re-sealed, no record touched.

use alloc::string::String;
use core::fmt;

use super::{MasterKey, SealError, sealed_with};
use crate::store::KeyStore;

/// What a [`rotate_master_key`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    /// Keys re-sealed under the new master key.
    pub resealed: usize,
    /// Keys already sealed under the new master key (an earlier, interrupted rotation), left
    /// as they were.
    pub already_current: usize,
    /// Tokens deleted while the rotation ran.
    pub vanished: usize,
}

/// Why a [`rotate_master_key`] stopped. Keys re-sealed before it stopped stay re-sealed; run
/// it again once the cause is fixed.
#[derive(Debug)]
#[non_exhaustive]
pub enum RotateError<E> {
    /// The store failed.
    Store(E),
    /// The key of token `id` could not be opened with the old master key or sealed with the
    /// new one.
    Seal {
        /// The token whose key failed.
        id: String,
        /// Why.
        error: SealError,
    },
}

impl<E: fmt::Display> fmt::Display for RotateError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RotateError::Store(e) => write!(f, "store failed: {e}"),
            RotateError::Seal { id, error } => write!(f, "key of token {id:?}: {error}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for RotateError<E> {}

/// Re-seals every key in `store` that `old` sealed under `new`, through
/// [`KeyStore::ids_with_keys`] and [`KeyStore::put_sealed_key`]; records are never read or
/// written, so verifications go on during a rotation.
///
/// Keys already sealed under `new` are skipped, so an interrupted rotation is finished by
/// running it again. While it runs, servers open each key with whichever of the two master
/// keys sealed it ([`sealed_with`]); once it returns, `old` can be retired.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "store-memory")] {
/// use otpkit::sealed::{MasterKey, rotate_master_key};
/// use otpkit::store::{KeyStore, MemoryStore, Store};
/// use otpkit::StateRecord;
///
/// let store = MemoryStore::new();
/// let (old, new) = (MasterKey::from_bytes([1; 32]), MasterKey::from_bytes([2; 32]));
/// store.enrol("alice", &StateRecord::time_step().to_bytes())?;
/// store.put_sealed_key("alice", &old.seal("alice", &[7; 20])?)?;
///
/// let done = rotate_master_key(&store, &old, &new)?;
/// assert_eq!(done.resealed, 1);
/// let sealed = store.sealed_key("alice")?.expect("a key");
/// assert!(*new.open("alice", &sealed, |key| Ok(key == [7; 20])).unwrap());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`RotateError::Store`] when the store fails; [`RotateError::Seal`] when a key opens with
/// neither master key ([`SealError::WrongMasterKey`]) or is damaged.
pub fn rotate_master_key<S: KeyStore>(
    store: &S,
    old: &MasterKey,
    new: &MasterKey,
) -> Result<Rotation, RotateError<S::Error>> {
    let mut done = Rotation::default();
    for id in store.ids_with_keys().map_err(RotateError::Store)? {
        let Some(sealed) = store.sealed_key(&id).map_err(RotateError::Store)? else {
            done.vanished += 1;
            continue;
        };
        let seal_error = |error| RotateError::Seal {
            id: id.clone(),
            error,
        };
        if sealed_with(&sealed).map_err(seal_error)? == new.id() && new.id() != old.id() {
            done.already_current += 1;
            continue;
        }
        let resealed = old.reseal(&id, &sealed, new).map_err(seal_error)?;
        if store
            .put_sealed_key(&id, &resealed)
            .map_err(RotateError::Store)?
        {
            done.resealed += 1;
        } else {
            done.vanished += 1;
        }
    }
    Ok(done)
}
