//! Master-key rotation: every sealed key re-sealed by compare-and-swap, page by page, pass
//! after pass, no record touched.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::{MasterKey, SealError, sealed_with};
use crate::store::{AsyncKeyStore, KeyStore};

/// How a rotation runs: ids read [`page_size`](Self::page_size) at a time, at most
/// [`max_passes`](Self::max_passes) passes over them.
///
/// # Examples
///
/// ```
/// use otpkit::sealed::RotateOptions;
///
/// let options = RotateOptions { page_size: 100, ..RotateOptions::default() };
/// assert_eq!(options.max_passes, 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RotateOptions {
    /// Ids read per page ([`KeyStore::ids_with_keys`]); at least 1. Default 500.
    pub page_size: usize,
    /// Passes at most; at least 1. A pass that finds no key under the old master key ends
    /// the rotation, so an undisturbed rotation takes 2 (one that re-seals, one that finds
    /// nothing left), and a key re-written meanwhile (a lost race) takes one more. Default 3.
    pub max_passes: usize,
}

impl Default for RotateOptions {
    fn default() -> RotateOptions {
        RotateOptions {
            page_size: 500,
            max_passes: 3,
        }
    }
}

/// What a rotation did ([`rotate_master_key`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    /// Keys re-sealed under the new master key.
    pub resealed: usize,
    /// Keys found already sealed under the new master key in the first pass (an earlier,
    /// interrupted rotation, or tokens enrolled under the new master key), left as they were.
    pub already_current: usize,
    /// Keys found under the old master key but changed before they could be re-sealed (a
    /// re-enrolment, a deletion): a lost compare-and-swap, never overwritten, and examined
    /// again in the next pass.
    pub skipped: usize,
    /// Tokens deleted between the listing of their id and the reading of their key.
    pub vanished: usize,
    /// Passes run.
    pub passes: usize,
    /// Whether the last pass still found a key under the old master key (re-sealed or
    /// skipped): `false` means a whole pass, run after the new master key was made current,
    /// found none, and the old master key can be retired; `true` means run the rotation
    /// again (or with more [`max_passes`](RotateOptions::max_passes)).
    pub old_key_remains: bool,
}

/// Where a rotation is, reported after each page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The pass, from 1.
    pub pass: usize,
    /// Keys examined in this pass so far.
    pub examined: usize,
    /// What the rotation did so far ([`Rotation::passes`] counts finished passes).
    pub done: Rotation,
}

/// Why a rotation stopped. Keys re-sealed before it stopped stay re-sealed; run it again once
/// the cause is fixed.
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
    /// The store's current master key is neither the old nor the new one (another rotation
    /// moved it on), or kept changing while the rotation tried to make the new one current.
    /// Nothing was re-sealed.
    CurrentMasterKey {
        /// The id of the store's current master key, as last read.
        current: Option<u32>,
    },
    /// The old and the new master key are the same key.
    SameMasterKey,
}

impl<E: fmt::Display> fmt::Display for RotateError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RotateError::Store(e) => write!(f, "store failed: {e}"),
            RotateError::Seal { id, error } => write!(f, "key of token {id:?}: {error}"),
            RotateError::CurrentMasterKey { current: Some(id) } => write!(
                f,
                "the store's current master key is {id:#010x}, neither the old nor the new one"
            ),
            RotateError::CurrentMasterKey { current: None } => {
                f.write_str("the new master key could not be made the store's current one")
            }
            RotateError::SameMasterKey => f.write_str("old and new master key are the same"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for RotateError<E> {}

/// Re-seals every key in `store` that `old` sealed under `new`
/// ([`rotate_master_key_with`] with [`RotateOptions::default`] and no progress report).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "store-memory")] {
/// use otpkit::sealed::{MasterKey, rotate_master_key};
/// use otpkit::store::{KeyStore, KeyWrite, MemoryStore, Store};
/// use otpkit::StateRecord;
///
/// let store = MemoryStore::new();
/// let (old, new) = (MasterKey::from_bytes([1; 32]), MasterKey::from_bytes([2; 32]));
/// store.enrol("alice", &StateRecord::time_step().to_bytes())?;
/// let sealed = old.seal("alice", &[7; 20])?;
/// assert_eq!(store.put_sealed_key("alice", &sealed, old.id())?, KeyWrite::Stored);
///
/// let done = rotate_master_key(&store, &old, &new)?;
/// assert_eq!((done.resealed, done.old_key_remains), (1, false));
/// let sealed = store.sealed_key("alice")?.expect("a key");
/// assert!(*new.open("alice", &sealed, |key| Ok(key == [7; 20])).unwrap());
/// // A server still on the old master key can no longer store keys.
/// let late = old.seal("alice", &[8; 20])?;
/// assert_eq!(
///     store.put_sealed_key("alice", &late, old.id())?,
///     KeyWrite::RetiredMasterKey { current: new.id() },
/// );
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`rotate_master_key_with`].
pub fn rotate_master_key<S: KeyStore>(
    store: &S,
    old: &MasterKey,
    new: &MasterKey,
) -> Result<Rotation, RotateError<S::Error>> {
    rotate_master_key_with(store, old, new, RotateOptions::default(), |_| {})
}

/// Re-seals every key in `store` that `old` sealed under `new`, and reports `progress` after
/// each page; records are never read or written, so verifications go on during a rotation.
///
/// 1. `new` becomes the store's current master key
///    ([`KeyStore::replace_current_master_key`]), unless it already is: from then on the
///    store refuses keys sealed under `old`
///    ([`KeyWrite::RetiredMasterKey`](crate::store::KeyWrite::RetiredMasterKey)), so a server
///    still on `old` fails to enrol instead of leaving a key behind.
/// 2. Each pass reads the ids page by page ([`KeyStore::ids_with_keys`], no list of every
///    id in memory) and re-seals each key under `old` with
///    [`KeyStore::compare_and_swap_sealed_key`]: a key changed meanwhile (a re-enrolment) is
///    never overwritten, only counted as [`skipped`](Rotation::skipped) and examined again in
///    the next pass.
/// 3. The passes end with the first that finds no key under `old`, or after
///    [`max_passes`](RotateOptions::max_passes): [`Rotation::old_key_remains`] says which.
///
/// Each key is re-sealed for the enrolment it was sealed for ([`MasterKey::reseal`]): a key of
/// sealed format 1 becomes format 2 of [`EnrolmentId::LEGACY`](crate::EnrolmentId::LEGACY),
/// the enrolment of the record it was written beside (format 1, or written back from it), so
/// it goes on verifying; a key restored beside a record of another enrolment stays bound to
/// its own, and the verifiers go on refusing it.
///
/// A rotation stopped at any point (an error, a crash, a killed process) is finished by
/// running it again: keys already under `new` are left as they are. While it runs, servers
/// open each key with whichever of the two master keys sealed it ([`sealed_with`]), and
/// enrol under `new`. Retire `old` only once a rotation returns `old_key_remains: false`.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "store-memory")] {
/// use otpkit::sealed::{MasterKey, RotateOptions, rotate_master_key_with};
/// use otpkit::store::{KeyStore, MemoryStore, Store};
/// use otpkit::StateRecord;
///
/// let store = MemoryStore::new();
/// let (old, new) = (MasterKey::from_bytes([1; 32]), MasterKey::from_bytes([2; 32]));
/// for id in ["a", "b", "c"] {
///     store.enrol(id, &StateRecord::time_step().to_bytes())?;
///     store.put_sealed_key(id, &old.seal(id, &[7; 20])?, old.id())?;
/// }
/// let mut pages = 0;
/// let options = RotateOptions { page_size: 2, ..RotateOptions::default() };
/// let done = rotate_master_key_with(&store, &old, &new, options, |_progress| pages += 1)?;
/// assert_eq!((done.resealed, done.passes, done.old_key_remains), (3, 2, false));
/// assert_eq!(pages, 4); // two pages in each pass
/// assert_eq!(store.current_master_key()?, Some(new.id()));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// - [`RotateError::Store`] when the store fails;
/// - [`RotateError::Seal`] when a key opens with neither master key
///   ([`SealError::WrongMasterKey`]) or is damaged;
/// - [`RotateError::CurrentMasterKey`] when the store's current master key is neither `old`
///   nor `new`;
/// - [`RotateError::SameMasterKey`] when `old` and `new` are one key.
pub fn rotate_master_key_with<S: KeyStore>(
    store: &S,
    old: &MasterKey,
    new: &MasterKey,
    options: RotateOptions,
    mut progress: impl FnMut(&Progress),
) -> Result<Rotation, RotateError<S::Error>> {
    if old.id() == new.id() {
        return Err(RotateError::SameMasterKey);
    }
    let mut current = store.current_master_key().map_err(RotateError::Store)?;
    for _ in 0..CURRENT_ATTEMPTS {
        let Some(from) = next_current(current, old, new)? else {
            break;
        };
        current = if store
            .replace_current_master_key(from, new.id())
            .map_err(RotateError::Store)?
        {
            Some(new.id())
        } else {
            store.current_master_key().map_err(RotateError::Store)?
        };
    }
    if current != Some(new.id()) {
        return Err(RotateError::CurrentMasterKey { current });
    }
    let mut run = Run::new(options);
    while let Some(pass) = run.next_pass() {
        let mut after: Option<String> = None;
        loop {
            let page = store
                .ids_with_keys(after.as_deref(), run.page_size)
                .map_err(RotateError::Store)?;
            for id in &page {
                let sealed = store.sealed_key(id).map_err(RotateError::Store)?;
                if let Some(swap) = run.examine(id, sealed, old, new)? {
                    let swapped = store
                        .compare_and_swap_sealed_key(id, &swap.sealed, &swap.resealed)
                        .map_err(RotateError::Store)?;
                    run.swapped(swapped);
                }
            }
            progress(&run.progress(pass));
            match page.last() {
                Some(last) if page.len() >= run.page_size => after = Some(last.clone()),
                _ => break,
            }
        }
        run.end_pass(pass);
    }
    Ok(run.done)
}

/// [`rotate_master_key_with`] over an [`AsyncKeyStore`]: the same steps and guarantees,
/// awaiting the store.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "store-memory")] {
/// use otpkit::sealed::{MasterKey, RotateOptions, rotate_master_key_async};
/// use otpkit::store::{AsyncKeyStore, AsyncStore, MemoryStore};
/// use otpkit::StateRecord;
///
/// # let fut = async {
/// let store = MemoryStore::new();
/// let (old, new) = (MasterKey::from_bytes([1; 32]), MasterKey::from_bytes([2; 32]));
/// AsyncStore::enrol(&store, "alice", &StateRecord::time_step().to_bytes()).await?;
/// let sealed = old.seal("alice", &[7; 20])?;
/// AsyncKeyStore::put_sealed_key(&store, "alice", &sealed, old.id()).await?;
/// let done = rotate_master_key_async(&store, &old, &new, RotateOptions::default(), |_| {}).await?;
/// assert_eq!((done.resealed, done.old_key_remains), (1, false));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # };
/// # let mut fut = std::pin::pin!(fut);
/// # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// # match fut.as_mut().poll(&mut cx) { std::task::Poll::Ready(r) => r?, _ => unreachable!() }
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`rotate_master_key_with`].
pub async fn rotate_master_key_async<S: AsyncKeyStore + Sync>(
    store: &S,
    old: &MasterKey,
    new: &MasterKey,
    options: RotateOptions,
    mut progress: impl FnMut(&Progress),
) -> Result<Rotation, RotateError<S::Error>> {
    if old.id() == new.id() {
        return Err(RotateError::SameMasterKey);
    }
    let mut current = store
        .current_master_key()
        .await
        .map_err(RotateError::Store)?;
    for _ in 0..CURRENT_ATTEMPTS {
        let Some(from) = next_current(current, old, new)? else {
            break;
        };
        current = if store
            .replace_current_master_key(from, new.id())
            .await
            .map_err(RotateError::Store)?
        {
            Some(new.id())
        } else {
            store
                .current_master_key()
                .await
                .map_err(RotateError::Store)?
        };
    }
    if current != Some(new.id()) {
        return Err(RotateError::CurrentMasterKey { current });
    }
    let mut run = Run::new(options);
    while let Some(pass) = run.next_pass() {
        let mut after: Option<String> = None;
        loop {
            let page = store
                .ids_with_keys(after.as_deref(), run.page_size)
                .await
                .map_err(RotateError::Store)?;
            for id in &page {
                let sealed = store.sealed_key(id).await.map_err(RotateError::Store)?;
                if let Some(swap) = run.examine(id, sealed, old, new)? {
                    let swapped = store
                        .compare_and_swap_sealed_key(id, &swap.sealed, &swap.resealed)
                        .await
                        .map_err(RotateError::Store)?;
                    run.swapped(swapped);
                }
            }
            progress(&run.progress(pass));
            match page.last() {
                Some(last) if page.len() >= run.page_size => after = Some(last.clone()),
                _ => break,
            }
        }
        run.end_pass(pass);
    }
    Ok(run.done)
}

/// Attempts at making `new` current before a rotation gives up (each failed replacement
/// means another rotation moved the current master key meanwhile).
const CURRENT_ATTEMPTS: usize = 4;

/// The current master-key id to replace with `new`'s (`Some(current)`), or `None` when `new`
/// is current already.
fn next_current<E>(
    current: Option<u32>,
    old: &MasterKey,
    new: &MasterKey,
) -> Result<Option<Option<u32>>, RotateError<E>> {
    match current {
        Some(id) if id == new.id() => Ok(None),
        None => Ok(Some(None)),
        Some(id) if id == old.id() => Ok(Some(Some(id))),
        Some(id) => Err(RotateError::CurrentMasterKey { current: Some(id) }),
    }
}

/// A key found under the old master key: the stored bytes and their replacement.
struct Swap {
    sealed: Vec<u8>,
    resealed: Vec<u8>,
}

/// The counts of a rotation, shared by the blocking and the asynchronous one.
struct Run {
    page_size: usize,
    max_passes: usize,
    done: Rotation,
    /// Keys under the old master key found in the current pass.
    old_in_pass: usize,
    examined: usize,
}

impl Run {
    fn new(options: RotateOptions) -> Run {
        Run {
            page_size: options.page_size.max(1),
            max_passes: options.max_passes.max(1),
            done: Rotation::default(),
            old_in_pass: 0,
            examined: 0,
        }
    }

    /// The next pass's number, or `None` when the rotation is over.
    fn next_pass(&mut self) -> Option<usize> {
        let finished = self.done.passes;
        if finished >= self.max_passes || (finished > 0 && !self.done.old_key_remains) {
            return None;
        }
        self.old_in_pass = 0;
        self.examined = 0;
        Some(finished + 1)
    }

    /// Looks at the key of `id`: `Some` when it is to be swapped.
    fn examine<E>(
        &mut self,
        id: &str,
        sealed: Option<Vec<u8>>,
        old: &MasterKey,
        new: &MasterKey,
    ) -> Result<Option<Swap>, RotateError<E>> {
        self.examined += 1;
        let Some(sealed) = sealed else {
            self.done.vanished += 1;
            return Ok(None);
        };
        let seal_error = |error| RotateError::Seal {
            id: id.into(),
            error,
        };
        if sealed_with(&sealed).map_err(seal_error)? == new.id() {
            if self.done.passes == 0 {
                self.done.already_current += 1;
            }
            return Ok(None);
        }
        self.old_in_pass += 1;
        let resealed = old.reseal(id, &sealed, new).map_err(seal_error)?;
        Ok(Some(Swap { sealed, resealed }))
    }

    fn swapped(&mut self, swapped: bool) {
        if swapped {
            self.done.resealed += 1;
        } else {
            self.done.skipped += 1;
        }
    }

    fn progress(&self, pass: usize) -> Progress {
        Progress {
            pass,
            examined: self.examined,
            done: self.done,
        }
    }

    fn end_pass(&mut self, pass: usize) {
        self.done.passes = pass;
        self.done.old_key_remains = self.old_in_pass > 0;
    }
}
