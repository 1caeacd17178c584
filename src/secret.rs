//! An owned key, wiped on drop.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{Error, base32};

#[cfg(feature = "alloc")]
mod boxed;
#[cfg(feature = "alloc")]
pub use boxed::BoxedSecret;

/// An owned shared secret of up to [`Secret::MAX_LEN`] bytes, held in a fixed buffer (no heap),
/// wiped when dropped and never shown by `Debug`.
///
/// Generators keep only keyed HMAC state, not the key, so `Secret` is what a caller holds between
/// decoding a provisioned key and building a [`Hotp`](crate::Hotp) or [`Totp`](crate::Totp).
///
/// # Examples
///
/// ```
/// use otpkit::{Secret, Totp, TotpParams};
///
/// let mut secret = Secret::EMPTY;
/// secret.decode_base32("jbsw y3dp ehpk 3pxp")?;
/// assert_eq!(secret.len(), 10);
/// assert_eq!(format!("{secret:?}"), "Secret { len: 10, .. }");
/// // 80-bit keys are common in the wild but below RFC 4226's 128-bit minimum:
/// let totp = Totp::new_allowing_short_key(secret.as_ref(), TotpParams::default())?;
/// # let _ = totp;
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone)]
pub struct Secret {
    bytes: [u8; Secret::MAX_LEN],
    len: usize,
}

impl Secret {
    /// The capacity in bytes: longer keys would be hashed by HMAC anyway, and 256 bytes covers
    /// every key seen in practice (SHA-512 keys are 64 bytes).
    pub const MAX_LEN: usize = base32::MAX_BYTES;

    /// The empty secret: where [`decode_base32`](Self::decode_base32) writes a key in place.
    pub const EMPTY: Secret = Secret {
        bytes: [0; Secret::MAX_LEN],
        len: 0,
    };

    /// Copies `bytes` into a new secret.
    ///
    /// # Errors
    ///
    /// [`Error::KeyTooLong`] when `bytes` is longer than [`Secret::MAX_LEN`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Secret, Error> {
        let mut s = Secret {
            bytes: [0; Secret::MAX_LEN],
            len: bytes.len(),
        };
        match s.bytes.get_mut(..bytes.len()) {
            Some(dst) => dst.copy_from_slice(bytes),
            None => {
                return Err(Error::KeyTooLong {
                    len: bytes.len(),
                    max: Secret::MAX_LEN,
                });
            }
        }
        Ok(s)
    }

    /// Decodes base32 (RFC 4648 §6) tolerantly into this secret, in place: lower case, spaces
    /// and hyphens between characters, and `=` padding or none are all accepted. Decoding is
    /// constant-time in the key's characters (`base32ct`). What the secret held before is
    /// overwritten; after an error it is empty.
    ///
    /// The key is written once, straight into `self`: a `Secret` returned by value would
    /// leave copies of the key in the stack frames it passed through, which nothing wipes.
    /// Start from [`Secret::EMPTY`] where the secret is to live (or use
    /// [`BoxedSecret::from_base32`](crate::BoxedSecret::from_base32), which decodes into a
    /// heap block), and lend it out by reference.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Base32ErrorKind, Error, Secret};
    ///
    /// let mut a = Secret::EMPTY;
    /// a.decode_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
    /// assert_eq!(a.as_ref(), b"12345678901234567890");
    /// assert_eq!(
    ///     a.decode_base32("GEZD8NBV").unwrap_err(),
    ///     Error::Base32 { position: 4, kind: Base32ErrorKind::InvalidCharacter },
    /// );
    /// assert!(a.is_empty());
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`Error::Base32`] with the byte offset and [`Base32ErrorKind`](crate::Base32ErrorKind):
    ///   a character outside the alphabet (`InvalidCharacter`), a character after `=` or padding
    ///   that does not end on a multiple of eight characters (`InvalidPadding`), a number of
    ///   characters that no byte string encodes to (`InvalidLength`), or nothing at all (`Empty`).
    /// - [`Error::KeyTooLong`] when the key would exceed [`Secret::MAX_LEN`] bytes.
    pub fn decode_base32(&mut self, input: &str) -> Result<(), Error> {
        self.decode_base32_bytes(input.as_bytes())
    }

    /// [`decode_base32`](Self::decode_base32) over bytes.
    pub(crate) fn decode_base32_bytes(&mut self, input: &[u8]) -> Result<(), Error> {
        self.bytes.zeroize();
        self.len = 0;
        match base32::decode_bytes(input, &mut self.bytes) {
            Ok(len) => {
                self.len = len;
                Ok(())
            }
            Err(e) => {
                self.bytes.zeroize();
                Err(e)
            }
        }
    }

    /// A secret of `len` zero bytes, to be filled in place (by a decryption) through
    /// [`as_mut_bytes`](Self::as_mut_bytes).
    #[cfg(feature = "sealed-keys")]
    pub(crate) fn zeroed(len: usize) -> Result<Secret, Error> {
        if len > Secret::MAX_LEN {
            return Err(Error::KeyTooLong {
                len,
                max: Secret::MAX_LEN,
            });
        }
        Ok(Secret {
            bytes: [0; Secret::MAX_LEN],
            len,
        })
    }

    /// The key bytes, writable.
    #[cfg(feature = "sealed-keys")]
    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8] {
        self.bytes.get_mut(..self.len).unwrap_or(&mut [])
    }

    /// The key length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the key is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The length of [`write_base32`](Secret::write_base32)'s output.
    #[must_use]
    pub fn base32_len(&self) -> usize {
        base32::encoded_len(self.len)
    }

    /// Writes the canonical base32 form (upper case, no padding), as `otpauth://` URIs carry it,
    /// without allocating.
    ///
    /// The text written is the key: write it only where it is meant to go, and wipe that buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::Secret;
    ///
    /// let s = Secret::from_bytes(b"Hello!\xde\xad\xbe\xef")?;
    /// let mut out = String::new();
    /// s.write_base32(&mut out)?;
    /// assert_eq!(out, "JBSWY3DPEHPK3PXP");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Only what `out` returns.
    pub fn write_base32(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        base32::write(self.as_ref(), out)
    }
}

impl AsRef<[u8]> for Secret {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&self.bytes)
    }
}

impl ConstantTimeEq for Secret {
    /// Constant-time in the contents; the lengths are compared first (they are not secret).
    fn ct_eq(&self, other: &Secret) -> Choice {
        self.as_ref().ct_eq(other.as_ref())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Drop for Secret {
    #[inline(never)]
    fn drop(&mut self) {
        self.bytes.zeroize();
        self.len.zeroize();
    }
}

impl ZeroizeOnDrop for Secret {}

impl TryFrom<&[u8]> for Secret {
    type Error = Error;

    fn try_from(bytes: &[u8]) -> Result<Secret, Error> {
        Secret::from_bytes(bytes)
    }
}
