//! Why a key could not be sealed or opened.

use core::fmt;

/// Why a key could not be sealed or opened, or a master key read.
///
/// # Examples
///
/// ```
/// use otpkit::sealed::{MasterKey, SealError};
///
/// assert_eq!(MasterKey::from_hex("abc").unwrap_err(), SealError::InvalidMasterKey);
/// let sealed = MasterKey::from_bytes([1; 32]).seal("alice", &[5; 20])?;
/// let other = MasterKey::from_bytes([2; 32]);
/// assert!(matches!(
///     other.open_totp("alice", &sealed, Default::default()),
///     Err(SealError::WrongMasterKey { .. }),
/// ));
/// # Ok::<(), SealError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// The sealed bytes are shorter than the format's header, nonce and tag.
    Truncated {
        /// The length given.
        len: usize,
    },
    /// The sealed bytes start with a format version this library does not know.
    UnsupportedVersion {
        /// The version byte found.
        version: u8,
    },
    /// The key was sealed under another master key.
    WrongMasterKey {
        /// The id recorded in the sealed key.
        sealed_with: u32,
        /// The id of the master key given.
        given: u32,
    },
    /// The sealed bytes do not authenticate: changed since sealing, or sealed for another
    /// token id.
    Authentication,
    /// A key to seal is empty or longer than the maximum.
    KeyLength {
        /// The length given.
        len: usize,
        /// The longest key accepted ([`Secret::MAX_LEN`](crate::Secret::MAX_LEN)).
        max: usize,
    },
    /// A master key is not 64 hexadecimal digits (or, in a file, 32 raw bytes).
    InvalidMasterKey,
    /// The environment variable that should hold the master key is not set.
    MasterKeyNotSet,
    /// The operating system's random number generator failed.
    RandomUnavailable,
    /// The opened key does not make a generator (the builder's error).
    Key(crate::Error),
    /// A key sealed for one enrolment of the token was to be re-sealed for another
    /// ([`MasterKey::reseal_for`](super::MasterKey::reseal_for)).
    EnrolmentMismatch {
        /// The enrolment the key was sealed for.
        sealed: crate::EnrolmentId,
        /// The enrolment given.
        expected: crate::EnrolmentId,
    },
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::Truncated { len } => write!(f, "sealed key too short ({len} bytes)"),
            SealError::UnsupportedVersion { version } => {
                write!(f, "unsupported sealed key format version {version}")
            }
            SealError::WrongMasterKey { sealed_with, given } => write!(
                f,
                "key sealed under master key {sealed_with:#010x}, not {given:#010x}"
            ),
            SealError::Authentication => {
                f.write_str("sealed key does not authenticate (altered, or another token's)")
            }
            SealError::KeyLength { len, max } => {
                write!(f, "key of {len} bytes cannot be sealed (1 to {max})")
            }
            SealError::InvalidMasterKey => f.write_str("master key is not 64 hexadecimal digits"),
            SealError::MasterKeyNotSet => f.write_str("master key variable not set"),
            SealError::RandomUnavailable => f.write_str("no randomness available for a nonce"),
            SealError::Key(e) => write!(f, "opened key unusable: {e}"),
            SealError::EnrolmentMismatch { sealed, expected } => {
                write!(f, "key sealed for enrolment {sealed}, not {expected}")
            }
        }
    }
}

impl core::error::Error for SealError {}
