//! The crate's error type.

use core::fmt;

use crate::ocra::OcraError;
use crate::{Base32ErrorKind, CodeErrorKind, StateError};

/// Everything that can go wrong in otpkit, as `Copy` data that says where and what.
///
/// Verification outcomes are errors too: [`Error::Mismatch`] (the code is wrong) and
/// [`Error::Replay`] (the code is right but was already used). Neither says anything about how
/// close a wrong code came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The key is shorter than the constructor allows (RFC 4226 R6: 128 bits). Legacy keys can be
    /// accepted with the `*_allowing_short_key` constructors.
    KeyTooShort {
        /// The length given, in bytes.
        len: usize,
        /// The least length accepted, in bytes.
        min: usize,
    },
    /// A key is longer than [`Secret::MAX_LEN`](crate::Secret::MAX_LEN).
    KeyTooLong {
        /// The length given (for base32, the decoded length it would have), in bytes.
        len: usize,
        /// The greatest length accepted, in bytes.
        max: usize,
    },
    /// The number of digits is outside the range accepted here (6..=10 for HOTP and TOTP).
    InvalidDigits(u8),
    /// A TOTP time step (period) of zero seconds.
    ZeroPeriod,
    /// A time before the TOTP epoch T0, where no time step exists.
    TimeBeforeT0 {
        /// The Unix time given.
        time: u64,
        /// The TOTP epoch T0.
        t0: u64,
    },
    /// A counter or time computation would pass `u64::MAX`.
    CounterOverflow,
    /// A verification window or resynchronisation range is larger than the cap.
    WindowTooLarge {
        /// The largest accepted value.
        max: u32,
    },
    /// Every candidate of the verification window lies outside `0..=u64::MAX` (or is the
    /// reserved HOTP counter `u64::MAX`), so nothing could be checked.
    WindowOutOfRange,
    /// A resynchronisation was given a number of codes outside the accepted range.
    ResyncCodeCount {
        /// The number of codes given.
        given: usize,
        /// The least number accepted.
        min: usize,
        /// The greatest number accepted.
        max: usize,
    },
    /// Base32 input that cannot be decoded.
    Base32 {
        /// The byte offset in the input where the problem was found.
        position: usize,
        /// What is wrong there.
        kind: Base32ErrorKind,
    },
    /// A user-typed code that is not a well-formed code.
    InvalidCode(CodeErrorKind),
    /// An algorithm name that is not `SHA1`, `SHA256` or `SHA512`, or whose Cargo feature is off.
    UnknownAlgorithm,
    /// The system clock is set before 1970-01-01.
    ClockBeforeUnixEpoch,
    /// An OCRA suite or data input that does not fit RFC 6287.
    Ocra(OcraError),
    /// The code does not match any candidate in the window.
    Mismatch,
    /// The code matches, but only a step or counter at or before the last one accepted: it was
    /// already used (RFC 6238 §5.2, RFC 4226 §7.2).
    Replay,
    /// The server-side state refused the attempt (throttled, locked, resynchronisation needed)
    /// or a stored state record is unreadable.
    State(StateError),
    /// The random number generator failed (features `rand` and `sealed-keys`).
    #[cfg(any(feature = "rand", feature = "sealed-keys"))]
    RandomUnavailable,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::KeyTooShort { len, min } => {
                write!(f, "key is {len} bytes, at least {min} are required")
            }
            Error::KeyTooLong { len, max } => {
                write!(f, "key is {len} bytes, at most {max} are supported")
            }
            Error::InvalidDigits(d) => write!(f, "{d} digits is not supported"),
            Error::ZeroPeriod => f.write_str("time step must be at least one second"),
            Error::TimeBeforeT0 { time, t0 } => {
                write!(f, "time {time} is before the epoch t0 = {t0}")
            }
            Error::CounterOverflow => f.write_str("counter would pass the largest 64-bit value"),
            Error::WindowTooLarge { max } => write!(f, "window is larger than {max}"),
            Error::WindowOutOfRange => f.write_str("no candidate of the window is in range"),
            Error::ResyncCodeCount { given, min, max } => {
                write!(
                    f,
                    "resynchronisation takes {min} to {max} codes, {given} given"
                )
            }
            Error::Base32 { position, kind } => {
                write!(f, "invalid base32 at position {position}: {kind}")
            }
            Error::InvalidCode(kind) => write!(f, "invalid code: {kind}"),
            Error::UnknownAlgorithm => f.write_str("unknown or disabled algorithm"),
            Error::ClockBeforeUnixEpoch => f.write_str("system clock is before 1970"),
            Error::Ocra(e) => write!(f, "ocra: {e}"),
            Error::Mismatch => f.write_str("code does not match"),
            Error::Replay => f.write_str("code was already used"),
            Error::State(e) => write!(f, "{e}"),
            #[cfg(any(feature = "rand", feature = "sealed-keys"))]
            Error::RandomUnavailable => f.write_str("random number generator failed"),
        }
    }
}

impl core::error::Error for Error {}

impl From<StateError> for Error {
    fn from(e: StateError) -> Self {
        Error::State(e)
    }
}
