//! A [`Secret`] on the heap that never moves (feature `alloc`).

use alloc::boxed::Box;
use core::fmt;
use core::ops::Deref;

use subtle::{Choice, ConstantTimeEq};
use zeroize::ZeroizeOnDrop;

use super::Secret;
use crate::Error;

/// A [`Secret`] held in its own heap block, which is allocated empty and written in place.
///
/// A `Secret` is a 264-byte value: every move copies the key, and the copies left behind on the
/// stack are not wiped. Moving a `BoxedSecret` moves a pointer; the key bytes are written once,
/// straight into the heap block, and wiped there when it is dropped. The `otpauth://` parser, the
/// migration import and [`OtpAuthUri`](crate::uri::OtpAuthUri) hold their keys this way.
/// Derefs to [`Secret`]; `Debug` shows only the length.
///
/// # Examples
/// ```
/// use otpkit::BoxedSecret;
///
/// let key = BoxedSecret::from_base32("JBSW Y3DP EHPK 3PXP")?;
/// assert_eq!(key.as_ref(), b"Hello!\xde\xad\xbe\xef");
/// assert_eq!(key.len(), 10);
/// assert_eq!(format!("{key:?}"), "Secret { len: 10, .. }");
/// # Ok::<(), otpkit::Error>(())
/// ```
pub struct BoxedSecret(Box<Secret>);

impl BoxedSecret {
    /// An empty secret in a fresh heap block (no key bytes anywhere yet).
    fn empty() -> BoxedSecret {
        BoxedSecret(Box::new(Secret::EMPTY))
    }

    /// Copies `bytes` into a new heap block.
    ///
    /// # Errors
    /// [`Error::KeyTooLong`] when `bytes` is longer than [`Secret::MAX_LEN`].
    pub fn from_bytes(bytes: &[u8]) -> Result<BoxedSecret, Error> {
        if bytes.len() > Secret::MAX_LEN {
            return Err(Error::KeyTooLong {
                len: bytes.len(),
                max: Secret::MAX_LEN,
            });
        }
        let mut s = BoxedSecret::empty();
        if let Some(dst) = s.0.bytes.get_mut(..bytes.len()) {
            dst.copy_from_slice(bytes);
            s.0.len = bytes.len();
        }
        Ok(s)
    }

    /// Decodes base32 as [`Secret::decode_base32`] does, straight into the heap block.
    ///
    /// # Errors
    /// As [`Secret::decode_base32`].
    pub fn from_base32(input: &str) -> Result<BoxedSecret, Error> {
        BoxedSecret::from_base32_bytes(input.as_bytes())
    }

    /// [`BoxedSecret::from_base32`] over bytes (percent-decoded URI parameters are bytes).
    pub(crate) fn from_base32_bytes(input: &[u8]) -> Result<BoxedSecret, Error> {
        let mut s = BoxedSecret::empty();
        s.0.decode_base32_bytes(input)?;
        Ok(s)
    }

    /// The secret.
    #[must_use]
    pub fn as_secret(&self) -> &Secret {
        &self.0
    }
}

impl Deref for BoxedSecret {
    type Target = Secret;

    fn deref(&self) -> &Secret {
        &self.0
    }
}

impl AsRef<[u8]> for BoxedSecret {
    fn as_ref(&self) -> &[u8] {
        (*self.0).as_ref()
    }
}

impl Clone for BoxedSecret {
    /// Copies the key into a new heap block (never through the stack).
    fn clone(&self) -> BoxedSecret {
        let mut s = BoxedSecret::empty();
        if let Some(dst) = s.0.bytes.get_mut(..self.0.len) {
            dst.copy_from_slice((*self.0).as_ref());
            s.0.len = self.0.len;
        }
        s
    }
}

impl From<Secret> for BoxedSecret {
    /// Copies the key into a new heap block; `secret` is then dropped, which wipes it where it
    /// lies (copies the caller made by moving it are the caller's).
    fn from(secret: Secret) -> BoxedSecret {
        let mut s = BoxedSecret::empty();
        if let Some(dst) = s.0.bytes.get_mut(..secret.len) {
            dst.copy_from_slice(secret.as_ref());
            s.0.len = secret.len;
        }
        s
    }
}

impl ConstantTimeEq for BoxedSecret {
    /// Constant-time in the contents; the lengths are compared first (they are not secret).
    fn ct_eq(&self, other: &BoxedSecret) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl fmt::Debug for BoxedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

// The box drops its `Secret`, whose `Drop` wipes the heap block before it is freed.
impl ZeroizeOnDrop for BoxedSecret {}
