//! The hash functions that key the HMAC.

use core::{fmt, str::FromStr};

use crate::Error;

/// The hash function under HMAC (RFC 4226 uses SHA-1; RFC 6238 and RFC 6287 add SHA-256 and
/// SHA-512).
///
/// Each variant exists only when its Cargo feature (`sha1`, `sha256`, `sha512`) is enabled, so
/// firmware links only the hashes it uses. SHA-1 is also compiled when none of the three is
/// enabled, so that the bare core (`--no-default-features`) is RFC 4226's HMAC-SHA-1.
///
/// # Examples
///
/// ```
/// use otpkit::Algorithm;
///
/// let alg: Algorithm = "sha-256".parse()?;
/// assert_eq!(alg, Algorithm::Sha256);
/// assert_eq!(alg.to_string(), "SHA256");
/// assert_eq!(alg.output_len(), 32);
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA-1: 20-byte digest, 64-byte block. The default of RFC 4226 and RFC 6238.
    #[cfg(otpkit_sha1)]
    Sha1,
    /// HMAC-SHA-256: 32-byte digest, 64-byte block.
    #[cfg(feature = "sha256")]
    Sha256,
    /// HMAC-SHA-512: 64-byte digest, 128-byte block.
    #[cfg(feature = "sha512")]
    Sha512,
}

impl Algorithm {
    /// Every algorithm compiled into this build, in the order SHA-1, SHA-256, SHA-512.
    pub const ALL: &'static [Algorithm] = &[
        #[cfg(otpkit_sha1)]
        Algorithm::Sha1,
        #[cfg(feature = "sha256")]
        Algorithm::Sha256,
        #[cfg(feature = "sha512")]
        Algorithm::Sha512,
    ];

    /// The length of the HMAC output in bytes: 20, 32 or 64.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            #[cfg(otpkit_sha1)]
            Algorithm::Sha1 => 20,
            #[cfg(feature = "sha256")]
            Algorithm::Sha256 => 32,
            #[cfg(feature = "sha512")]
            Algorithm::Sha512 => 64,
        }
    }

    /// The block length of the hash in bytes: 64, 64 or 128. Keys longer than this are hashed
    /// first (RFC 2104 §2).
    #[must_use]
    pub const fn block_len(self) -> usize {
        match self {
            #[cfg(otpkit_sha1)]
            Algorithm::Sha1 => 64,
            #[cfg(feature = "sha256")]
            Algorithm::Sha256 => 64,
            #[cfg(feature = "sha512")]
            Algorithm::Sha512 => 128,
        }
    }

    /// The canonical name, as written in `otpauth://` URIs: `SHA1`, `SHA256` or `SHA512`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            #[cfg(otpkit_sha1)]
            Algorithm::Sha1 => "SHA1",
            #[cfg(feature = "sha256")]
            Algorithm::Sha256 => "SHA256",
            #[cfg(feature = "sha512")]
            Algorithm::Sha512 => "SHA512",
        }
    }
}

impl Default for Algorithm {
    /// SHA-1 when it is compiled in (the RFC default), otherwise the first one that is.
    fn default() -> Self {
        #[cfg(otpkit_sha1)]
        return Algorithm::Sha1;
        #[cfg(all(not(otpkit_sha1), feature = "sha256"))]
        return Algorithm::Sha256;
        #[cfg(all(not(otpkit_sha1), not(feature = "sha256")))]
        return Algorithm::Sha512;
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    /// Parses `SHA1`, `SHA256` or `SHA512` in any case, with or without a hyphen after `SHA`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownAlgorithm`] for any other name, and for a name whose Cargo feature is
    /// disabled in this build.
    fn from_str(s: &str) -> Result<Self, Error> {
        let b = s.as_bytes();
        let rest = match b {
            [s0, h, a, rest @ ..]
                if s0.eq_ignore_ascii_case(&b'S')
                    && h.eq_ignore_ascii_case(&b'H')
                    && a.eq_ignore_ascii_case(&b'A') =>
            {
                match rest {
                    [b'-', rest @ ..] => rest,
                    _ => rest,
                }
            }
            _ => return Err(Error::UnknownAlgorithm),
        };
        match rest {
            #[cfg(otpkit_sha1)]
            b"1" => Ok(Algorithm::Sha1),
            #[cfg(feature = "sha256")]
            b"256" => Ok(Algorithm::Sha256),
            #[cfg(feature = "sha512")]
            b"512" => Ok(Algorithm::Sha512),
            _ => Err(Error::UnknownAlgorithm),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
            assert_eq!(
                alg.as_str().to_ascii_lowercase().parse::<Algorithm>(),
                Ok(alg)
            );
        }
        for bad in [
            "", "SHA", "SHA-", "SHA--1", "SHA2", "MD5", "sha1 ", " sha1", "SHA384",
        ] {
            assert_eq!(
                bad.parse::<Algorithm>(),
                Err(Error::UnknownAlgorithm),
                "{bad:?}"
            );
        }
    }
}
