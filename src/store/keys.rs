//! Where sealed (encrypted) token keys live: beside the record, outside its compare-and-swap,
//! with the id of the current master key beside them.

use alloc::string::String;
use alloc::vec::Vec;
use core::future::Future;

use super::KeyWrite;

/// A store that also keeps each token's key, sealed (encrypted) by the caller, in the token's
/// row, and the id of the master key that seals new keys.
///
/// The sealed key is kept apart from the record bytes:
/// [`Store::compare_and_swap`](super::Store::compare_and_swap) never reads or writes it, and
/// replacing it (at a master-key rotation) never touches the record. The store sees only
/// ciphertext and master-key ids.
///
/// A master-key rotation ([`rotate_master_key`](crate::sealed::rotate_master_key), with the
/// `sealed-keys` feature) first makes the new master key current, then re-seals each key with
/// [`compare_and_swap_sealed_key`](Self::compare_and_swap_sealed_key), page by page
/// ([`ids_with_keys`](Self::ids_with_keys)). It relies on two guarantees of every
/// implementation:
///
/// - [`put_sealed_key`](Self::put_sealed_key) checks the current master-key id and writes the
///   key in one atomic step, so that no key sealed under a retired master key is written once
///   [`replace_current_master_key`](Self::replace_current_master_key) has returned;
/// - [`compare_and_swap_sealed_key`](Self::compare_and_swap_sealed_key) is atomic, so that a
///   key written meanwhile (a re-enrolment) is never overwritten by a re-sealed older one.
pub trait KeyStore {
    /// The store's own failure.
    type Error;

    /// Stores `sealed`, sealed under the master key whose id is `master_key`, as the key of
    /// the enrolled token `id`, replacing any earlier one, but only if `master_key` is the
    /// store's current master key (or no current master key is stored yet): checked and
    /// written atomically.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> Result<KeyWrite, Self::Error>;

    /// The sealed key of token `id`; `None` when there is no such token or it has no key.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error>;

    /// Replaces the sealed key of token `id` with `new` only if it is still `old`,
    /// atomically. `Ok(false)` when it was not (the token was re-enrolled, re-keyed or
    /// deleted meanwhile).
    ///
    /// # Errors
    ///
    /// The store's own failure. As for [`Store::compare_and_swap`](super::Store::compare_and_swap),
    /// an error means "not known to be written".
    fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, Self::Error>;

    /// One page of the ids of tokens that have a sealed key: at most `limit` of them, in
    /// ascending order, each greater than `after` (from the first id when `None`). The next
    /// page starts after the last id of this one; an empty page is the end.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn ids_with_keys(&self, after: Option<&str>, limit: usize) -> Result<Vec<String>, Self::Error>;

    /// The id of the current master key: the only one under which
    /// [`put_sealed_key`](Self::put_sealed_key) stores new keys. `None` until one is set.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn current_master_key(&self) -> Result<Option<u32>, Self::Error>;

    /// Makes `new` the current master-key id, only if the current one is still `old`
    /// (`None`: none set yet), atomically. `Ok(false)` when it was not.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn replace_current_master_key(&self, old: Option<u32>, new: u32) -> Result<bool, Self::Error>;
}

impl<S: KeyStore + ?Sized> KeyStore for &S {
    type Error = S::Error;

    fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> Result<KeyWrite, Self::Error> {
        (**self).put_sealed_key(id, sealed, master_key)
    }

    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error> {
        (**self).sealed_key(id)
    }

    fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, Self::Error> {
        (**self).compare_and_swap_sealed_key(id, old, new)
    }

    fn ids_with_keys(&self, after: Option<&str>, limit: usize) -> Result<Vec<String>, Self::Error> {
        (**self).ids_with_keys(after, limit)
    }

    fn current_master_key(&self) -> Result<Option<u32>, Self::Error> {
        (**self).current_master_key()
    }

    fn replace_current_master_key(&self, old: Option<u32>, new: u32) -> Result<bool, Self::Error> {
        (**self).replace_current_master_key(old, new)
    }
}

/// [`KeyStore`] for asynchronous clients: the same operations and guarantees, each returning
/// a `Send` future (as [`AsyncStore`](super::AsyncStore)), for
/// [`rotate_master_key_async`](crate::sealed::rotate_master_key_async) and async servers.
pub trait AsyncKeyStore {
    /// The store's own failure.
    type Error;

    /// As [`KeyStore::put_sealed_key`].
    fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> impl Future<Output = Result<KeyWrite, Self::Error>> + Send;

    /// As [`KeyStore::sealed_key`].
    fn sealed_key(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, Self::Error>> + Send;

    /// As [`KeyStore::compare_and_swap_sealed_key`].
    fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;

    /// As [`KeyStore::ids_with_keys`].
    fn ids_with_keys(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<String>, Self::Error>> + Send;

    /// As [`KeyStore::current_master_key`].
    fn current_master_key(&self) -> impl Future<Output = Result<Option<u32>, Self::Error>> + Send;

    /// As [`KeyStore::replace_current_master_key`].
    fn replace_current_master_key(
        &self,
        old: Option<u32>,
        new: u32,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;
}
