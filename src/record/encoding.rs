//! The compact, versioned byte encoding of [`StateRecord`].
//!
//! Version 1, 34 bytes, integers big-endian:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | format version, 1 |
//! | 1 | 1 | kind: 1 counter, 2 time step |
//! | 2 | 8 | lowest counter/step still acceptable (u64) |
//! | 10 | 8 | drift in steps (i64; 0 for counters) |
//! | 18 | 4 | consecutive failures (u32) |
//! | 22 | 8 | locked until, Unix seconds (u64; 0 none, `u64::MAX` until reset) |
//! | 30 | 4 | CRC-32 (IEEE) of bytes 0..30 |
//!
//! The checksum catches storage damage, not tampering: whoever can write the store can reset a
//! counter anyway.

use crate::{Error, RecordKind, StateError, StateRecord, ThrottleState};

const VERSION: u8 = 1;
const LEN: usize = 34;
const BODY: usize = 30;

impl StateRecord {
    /// The length of [`to_bytes`](Self::to_bytes)'s output.
    pub const ENCODED_LEN: usize = LEN;
    /// The format version [`to_bytes`](Self::to_bytes) writes and the newest
    /// [`from_bytes`](Self::from_bytes) reads.
    pub const FORMAT_VERSION: u8 = VERSION;

    /// The record as [`StateRecord::ENCODED_LEN`] bytes: a version byte, the fields, and a
    /// CRC-32 that [`from_bytes`](Self::from_bytes) checks. Equal records give equal bytes, so
    /// the bytes can be compared in a conditional update.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::StateRecord;
    ///
    /// let r = StateRecord::counter(41);
    /// let bytes = r.to_bytes();
    /// assert_eq!(bytes.len(), StateRecord::ENCODED_LEN);
    /// assert_eq!(StateRecord::from_bytes(&bytes)?, r);
    /// # Ok::<(), otpkit::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> [u8; LEN] {
        let mut out = [0u8; LEN];
        let kind = match self.kind {
            RecordKind::Counter => 1,
            RecordKind::TimeStep => 2,
        };
        let mut w = Writer {
            buf: &mut out,
            at: 0,
        };
        w.put(&[VERSION, kind]);
        w.put(&self.next.to_be_bytes());
        w.put(&self.drift.to_be_bytes());
        w.put(&self.throttle.failures().to_be_bytes());
        w.put(&self.throttle.locked_until_raw().to_be_bytes());
        let crc = crc32(w.buf.get(..BODY).unwrap_or_default());
        w.put(&crc.to_be_bytes());
        out
    }

    /// Reads a record written by [`to_bytes`](Self::to_bytes), refusing anything damaged.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{Error, StateError, StateRecord};
    ///
    /// let mut bytes = StateRecord::time_step().to_bytes();
    /// bytes[5] ^= 0x10;
    /// assert_eq!(StateRecord::from_bytes(&bytes), Err(Error::State(StateError::Checksum)));
    /// assert_eq!(
    ///     StateRecord::from_bytes(&bytes[..10]),
    ///     Err(Error::State(StateError::Length { len: 10, expected: 34 })),
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::State`] with:
    /// - [`StateError::UnsupportedVersion`] when the first byte is a version newer than
    ///   [`StateRecord::FORMAT_VERSION`];
    /// - [`StateError::Length`] for empty input or a length other than the version's;
    /// - [`StateError::Checksum`] when the CRC does not match;
    /// - [`StateError::InvalidField`] for version 0, an unknown kind, or a counter record with
    ///   a drift.
    pub fn from_bytes(bytes: &[u8]) -> Result<StateRecord, Error> {
        let invalid = |position| Error::State(StateError::InvalidField { position });
        let Some(&version) = bytes.first() else {
            return Err(Error::State(StateError::Length {
                len: 0,
                expected: LEN,
            }));
        };
        if version > VERSION {
            return Err(Error::State(StateError::UnsupportedVersion {
                version,
                max: VERSION,
            }));
        }
        if version == 0 {
            return Err(invalid(0));
        }
        let (Some(body), Some(crc), LEN) = (bytes.get(..BODY), bytes.get(BODY..), bytes.len())
        else {
            return Err(Error::State(StateError::Length {
                len: bytes.len(),
                expected: LEN,
            }));
        };
        if crc != crc32(body).to_be_bytes() {
            return Err(Error::State(StateError::Checksum));
        }
        let mut r = Reader { buf: body, at: 1 };
        let kind = match r.take::<1>() {
            [1] => RecordKind::Counter,
            [2] => RecordKind::TimeStep,
            _ => return Err(invalid(1)),
        };
        let next = u64::from_be_bytes(r.take());
        let drift = i64::from_be_bytes(r.take());
        if kind == RecordKind::Counter && drift != 0 {
            return Err(invalid(10));
        }
        let failures = u32::from_be_bytes(r.take());
        let locked_until = u64::from_be_bytes(r.take());
        Ok(StateRecord {
            kind,
            next,
            drift,
            throttle: ThrottleState::from_raw(failures, locked_until),
        })
    }
}

struct Writer<'a> {
    buf: &'a mut [u8; LEN],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.at + bytes.len();
        if let Some(dst) = self.buf.get_mut(self.at..end) {
            dst.copy_from_slice(bytes);
        }
        self.at = end;
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    /// The next `N` bytes; the caller checked the length, so the fallback of zeros is never
    /// taken.
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        if let Some(src) = self.buf.get(self.at..self.at + N) {
            out.copy_from_slice(src);
        }
        self.at += N;
        out
    }
}

/// CRC-32 (IEEE 802.3, reflected, as in zlib), bit by bit: 30 bytes do not need a table.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn every_single_bit_flip_is_refused() {
        let r = StateRecord::time_step();
        let bytes = r.to_bytes();
        for i in 0..LEN * 8 {
            let mut b = bytes;
            b[i / 8] ^= 1 << (i % 8);
            assert!(StateRecord::from_bytes(&b).is_err(), "bit {i}");
        }
    }
}
