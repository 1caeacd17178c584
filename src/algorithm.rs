//! Stand-in for the core `Algorithm` (replaced when the core lands).
use core::fmt;
/// Hash function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// SHA-1
    #[default]
    Sha1,
    /// SHA-256
    #[cfg(feature = "sha256")]
    Sha256,
    /// SHA-512
    #[cfg(feature = "sha512")]
    Sha512,
}
impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::Sha1 => "SHA1",
            #[cfg(feature = "sha256")]
            Algorithm::Sha256 => "SHA256",
            #[cfg(feature = "sha512")]
            Algorithm::Sha512 => "SHA512",
        })
    }
}
