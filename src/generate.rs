//! Random secrets (feature `rand`): from the operating system's generator through
//! [`getrandom`], or from a caller's cryptographic RNG through [`rand_core`].
//!
//! The bytes are drawn into a zeroizing buffer and moved into a [`Secret`], which wipes them
//! on drop. Default lengths follow RFC 6238 §5.1 / RFC 4226 §4: the hash's output length,
//! 20, 32 or 64 bytes for SHA-1, SHA-256 and SHA-512.

use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

use crate::{Algorithm, Error, Secret};

impl Secret {
    /// A secret of `len` random bytes from the operating system's generator.
    ///
    /// # Examples
    /// ```
    /// use otpkit::Secret;
    /// let key = Secret::generate(20)?;
    /// assert_eq!(key.len(), 20);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::KeyTooShort`] for `len` 0, [`Error::KeyTooLong`] beyond [`Secret::MAX_LEN`],
    /// [`Error::RandomUnavailable`] when the operating system's generator fails.
    pub fn generate(len: usize) -> Result<Secret, Error> {
        fill_secret(len, |buf| {
            getrandom::fill(buf).map_err(|_| Error::RandomUnavailable)
        })
    }

    /// A secret of the recommended length for `algorithm` (its output length: 20, 32 or 64
    /// bytes) from the operating system's generator.
    ///
    /// # Examples
    /// ```
    /// use otpkit::{Algorithm, Secret};
    /// assert_eq!(Secret::generate_for(Algorithm::Sha256)?.len(), 32);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::RandomUnavailable`] when the operating system's generator fails.
    pub fn generate_for(algorithm: Algorithm) -> Result<Secret, Error> {
        Secret::generate(algorithm.output_len())
    }

    /// A secret of `len` bytes from `rng`, a cryptographically secure generator.
    ///
    /// # Errors
    /// [`Error::KeyTooShort`] for `len` 0, [`Error::KeyTooLong`] beyond [`Secret::MAX_LEN`],
    /// [`Error::RandomUnavailable`] when `rng` fails.
    pub fn generate_with<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        len: usize,
    ) -> Result<Secret, Error> {
        fill_secret(len, |buf| {
            rng.try_fill_bytes(buf)
                .map_err(|_| Error::RandomUnavailable)
        })
    }
}

fn fill_secret(
    len: usize,
    fill: impl FnOnce(&mut [u8]) -> Result<(), Error>,
) -> Result<Secret, Error> {
    if len == 0 {
        return Err(Error::KeyTooShort { len, min: 1 });
    }
    let mut buf = Zeroizing::new([0u8; Secret::MAX_LEN]);
    let bytes = buf.get_mut(..len).ok_or(Error::KeyTooLong {
        len,
        max: Secret::MAX_LEN,
    })?;
    fill(bytes)?;
    Secret::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::convert::Infallible;

    /// A counting "generator", to check the plumbing (not random).
    struct Counter(u8);

    impl rand_core::TryRng for Counter {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            for b in dst {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }

    impl TryCryptoRng for Counter {}

    #[test]
    fn lengths_and_defaults() {
        assert_eq!(Secret::generate(1).unwrap().len(), 1);
        assert_eq!(Secret::generate(256).unwrap().len(), 256);
        assert!(matches!(
            Secret::generate(0),
            Err(Error::KeyTooShort { len: 0, min: 1 })
        ));
        assert!(matches!(
            Secret::generate(257),
            Err(Error::KeyTooLong { len: 257, max: 256 })
        ));
        for (alg, len) in [
            (Algorithm::Sha1, 20),
            (Algorithm::Sha256, 32),
            (Algorithm::Sha512, 64),
        ] {
            assert_eq!(Secret::generate_for(alg).unwrap().len(), len);
        }
    }

    #[test]
    fn os_secrets_differ() {
        let a = Secret::generate(20).unwrap();
        let b = Secret::generate(20).unwrap();
        assert_ne!(a.as_ref(), b.as_ref());
    }

    #[test]
    fn caller_rng_is_used() {
        let key = Secret::generate_with(&mut Counter(0), 4).unwrap();
        assert_eq!(key.as_ref(), &[1, 2, 3, 4]);
    }
}
