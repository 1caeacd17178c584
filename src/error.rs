//! Stand-in for the core `Error` (replaced when the core lands).
use core::fmt;
/// Errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Too long.
    KeyTooLong {
        /// len
        len: usize,
        /// max
        max: usize,
    },
    /// Empty.
    EmptyKey,
    /// Wrong code.
    Mismatch,
    /// Replayed code.
    Replay,
}
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}
impl core::error::Error for Error {}
