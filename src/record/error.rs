//! The error type of the server-side state: throttling, drift, and stored records.

use core::fmt;

use crate::RecordKind;

/// Why the server-side state refused an attempt or a stored record; found inside
/// [`Error::State`](crate::Error::State).
///
/// # Examples
///
/// ```
/// use otpkit::{Error, StateError, StateRecord};
///
/// let err = StateRecord::from_bytes(&[9; 34]).unwrap_err();
/// assert_eq!(err, Error::State(StateError::UnsupportedVersion { version: 9, max: 2 }));
/// assert_eq!(err.to_string(), "state record version 9 is newer than the supported 2");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StateError {
    /// Too many failures in a row: attempts are refused, without being evaluated, before this
    /// Unix time (seconds).
    Throttled {
        /// The Unix time from which attempts are evaluated again.
        until: u64,
    },
    /// Too many failures in a row under a lockout policy: attempts are refused, without being
    /// evaluated, until an administrator resets the throttling state.
    LockedOut,
    /// The stored drift has reached the policy's cap: the token must be resynchronised with
    /// several consecutive codes before single codes are accepted again. Derived from the
    /// stored state alone; no code was evaluated.
    ResyncNeeded {
        /// The stored drift, in time steps.
        drift: i64,
    },
    /// The record keeps another kind of moving factor (a counter record given to a TOTP
    /// verifier, or the reverse).
    WrongKind {
        /// The kind of the record.
        record: RecordKind,
        /// The kind the verifier needs.
        expected: RecordKind,
    },
    /// A stored record of the wrong length.
    Length {
        /// The length given, in bytes.
        len: usize,
        /// The length of a record of this version, in bytes.
        expected: usize,
    },
    /// A stored record written by a newer version of the format.
    UnsupportedVersion {
        /// The version found.
        version: u8,
        /// The newest version this library reads.
        max: u8,
    },
    /// A stored record whose checksum does not match: it was damaged in storage.
    Checksum,
    /// A stored record with a field no encoder writes.
    InvalidField {
        /// The byte offset of the field.
        position: usize,
    },
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            StateError::Throttled { until } => {
                write!(f, "too many failed attempts, retry at unix time {until}")
            }
            StateError::LockedOut => {
                f.write_str("too many failed attempts, locked until an administrator reset")
            }
            StateError::ResyncNeeded { drift } => write!(
                f,
                "clock drift of {drift} steps reached the cap, resynchronisation needed"
            ),
            StateError::WrongKind { record, expected } => {
                write!(
                    f,
                    "record keeps a {record}, the verifier needs a {expected}"
                )
            }
            StateError::Length { len, expected } => {
                write!(f, "state record is {len} bytes, expected {expected}")
            }
            StateError::UnsupportedVersion { version, max } => write!(
                f,
                "state record version {version} is newer than the supported {max}"
            ),
            StateError::Checksum => f.write_str("state record checksum mismatch"),
            StateError::InvalidField { position } => {
                write!(f, "invalid state record field at byte {position}")
            }
        }
    }
}

impl core::error::Error for StateError {}
