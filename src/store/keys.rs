//! Where sealed (encrypted) token keys live: beside the record, outside its compare-and-swap.

use alloc::string::String;
use alloc::vec::Vec;

/// A store that also keeps each token's key, sealed (encrypted) by the caller, in the token's
/// row.
///
/// The sealed key is kept apart from the record bytes:
/// [`Store::compare_and_swap`](super::Store::compare_and_swap) never reads or writes it, and replacing it (at a
/// master-key rotation) never touches the record. The store sees only ciphertext.
pub trait KeyStore {
    /// The store's own failure.
    type Error;

    /// Stores `sealed` as the key of the enrolled token `id`, replacing any earlier one.
    /// `Ok(false)` when no token has this id.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn put_sealed_key(&self, id: &str, sealed: &[u8]) -> Result<bool, Self::Error>;

    /// The sealed key of token `id`; `None` when there is no such token or it has no key.
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error>;

    /// The ids of the tokens that have a sealed key (for re-sealing under a new master key).
    ///
    /// # Errors
    ///
    /// The store's own failure.
    fn ids_with_keys(&self) -> Result<Vec<String>, Self::Error>;
}
