//! The compact, versioned byte encoding of [`StateRecord`], and [`RecordBytes`] that holds it.
//!
//! Version 2, 50 bytes, integers big-endian:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | format version, 2 |
//! | 1 | 1 | kind: 1 counter, 2 time step |
//! | 2 | 16 | enrolment id ([`EnrolmentId`]; all zeros for [`EnrolmentId::LEGACY`]) |
//! | 18 | 8 | lowest counter/step still acceptable (u64) |
//! | 26 | 8 | drift in steps (i64; 0 for counters) |
//! | 34 | 4 | consecutive failures (u32) |
//! | 38 | 8 | locked until, Unix seconds (u64; 0 none, `u64::MAX` until reset) |
//! | 46 | 4 | CRC-32 (IEEE) of bytes 0..46 |
//!
//! Version 1 (34 bytes) is the same without the enrolment id: the version byte 1, the kind,
//! then the fields from "lowest counter" on at offset 2, and the CRC-32 of bytes 0..30 at 30.
//! It still decodes, as a record of [`EnrolmentId::LEGACY`]; [`StateRecord::to_bytes`] writes
//! version 2 only, so a version-1 record is written back as version 2 at its next change.
//!
//! The checksum catches storage damage, not tampering: whoever can write the store can reset a
//! counter anyway.

use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Deref, DerefMut};

use crate::{EnrolmentId, Error, RecordKind, StateError, StateRecord, ThrottleState};

const VERSION: u8 = 2;
const LEN: usize = 50;
const LEN_V1: usize = 34;
const CRC_LEN: usize = 4;
#[allow(clippy::cast_possible_truncation)] // 50 fits
const LEN_U8: u8 = LEN as u8;
#[allow(clippy::cast_possible_truncation)] // 34 fits
const LEN_V1_U8: u8 = LEN_V1 as u8;
const _: () = assert!(LEN_U8 as usize == LEN && LEN_V1_U8 as usize == LEN_V1);

/// A stored record: the bytes of a [`StateRecord`] of format version 2
/// ([`StateRecord::ENCODED_LEN`] bytes, what [`StateRecord::to_bytes`] writes) or 1
/// ([`StateRecord::ENCODED_LEN_V1`] bytes, read from a store written before version 2).
///
/// The stores keep and compare these bytes whole ([`Store::compare_and_swap`]), so two
/// records are equal exactly when their bytes are. It dereferences to the byte slice.
///
/// [`Store::compare_and_swap`]: crate::store::Store::compare_and_swap
///
/// # Examples
///
/// ```
/// use otpkit::{RecordBytes, StateRecord};
///
/// let bytes = StateRecord::counter(7).to_bytes();
/// assert_eq!(bytes.len(), StateRecord::ENCODED_LEN);
/// let copy = RecordBytes::try_from(&bytes[..])?;
/// assert_eq!(copy, bytes);
/// assert!(RecordBytes::try_from(&bytes[..20]).is_err());
/// # Ok::<(), otpkit::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct RecordBytes {
    buf: [u8; LEN],
    /// [`LEN`] or [`LEN_V1`]: a byte keeps the value small for firmware stacks.
    len: u8,
}

impl RecordBytes {
    /// The record's bytes.
    #[must_use]
    pub fn as_slice(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl TryFrom<&[u8]> for RecordBytes {
    type Error = Error;

    /// The bytes of a stored record, read back: accepted when their length is a record's of
    /// format version 2 or 1; the content is checked by [`StateRecord::from_bytes`].
    ///
    /// # Errors
    ///
    /// [`StateError::Length`] for any other length.
    fn try_from(bytes: &[u8]) -> Result<RecordBytes, Error> {
        let mut buf = [0u8; LEN];
        match (u8::try_from(bytes.len()), buf.get_mut(..bytes.len())) {
            (Ok(len @ (LEN_U8 | LEN_V1_U8)), Some(dst)) => {
                dst.copy_from_slice(bytes);
                Ok(RecordBytes { buf, len })
            }
            _ => Err(Error::State(StateError::Length {
                len: bytes.len(),
                expected: LEN,
            })),
        }
    }
}

impl Deref for RecordBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl DerefMut for RecordBytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.buf
            .get_mut(..usize::from(self.len))
            .unwrap_or_default()
    }
}

impl AsRef<[u8]> for RecordBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for RecordBytes {
    fn eq(&self, other: &RecordBytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for RecordBytes {}

impl Hash for RecordBytes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Debug for RecordBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecordBytes(")?;
        for b in self.as_slice() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl StateRecord {
    /// The length of [`to_bytes`](Self::to_bytes)'s output (format version 2).
    pub const ENCODED_LEN: usize = LEN;
    /// The length of a record of format version 1, which [`from_bytes`](Self::from_bytes)
    /// still reads.
    pub const ENCODED_LEN_V1: usize = LEN_V1;
    /// The format version [`to_bytes`](Self::to_bytes) writes and the newest
    /// [`from_bytes`](Self::from_bytes) reads.
    pub const FORMAT_VERSION: u8 = VERSION;

    /// The record as [`StateRecord::ENCODED_LEN`] bytes of format version 2: a version byte,
    /// the fields (the [`enrolment`](Self::enrolment) id among them), and a CRC-32 that
    /// [`from_bytes`](Self::from_bytes) checks. Equal records give equal bytes, so the bytes
    /// can be compared in a conditional update.
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
    pub fn to_bytes(&self) -> RecordBytes {
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
        w.put(&self.enrolment.to_bytes());
        w.put(&self.next.to_be_bytes());
        w.put(&self.drift.to_be_bytes());
        w.put(&self.throttle.failures().to_be_bytes());
        w.put(&self.throttle.locked_until_raw().to_be_bytes());
        let crc = crc32(w.buf.get(..LEN - CRC_LEN).unwrap_or_default());
        w.put(&crc.to_be_bytes());
        RecordBytes {
            buf: out,
            len: LEN_U8,
        }
    }

    /// Reads a record written by [`to_bytes`](Self::to_bytes) (format version 2) or by an
    /// earlier release (version 1, read as a record of [`EnrolmentId::LEGACY`]), refusing
    /// anything damaged.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::{EnrolmentId, Error, StateError, StateRecord};
    ///
    /// let mut bytes = StateRecord::time_step().to_bytes();
    /// bytes[5] ^= 0x10;
    /// assert_eq!(StateRecord::from_bytes(&bytes), Err(Error::State(StateError::Checksum)));
    /// assert_eq!(
    ///     StateRecord::from_bytes(&bytes[..10]),
    ///     Err(Error::State(StateError::Length { len: 10, expected: 50 })),
    /// );
    /// // A record of format version 1: a counter record at 0, written by an earlier release.
    /// let v1 = [
    ///     1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ///     0, 0, 0x5f, 0x63, 0x04, 0x99,
    /// ];
    /// let r = StateRecord::from_bytes(&v1)?;
    /// assert_eq!((r, r.enrolment()), (StateRecord::counter(0), EnrolmentId::LEGACY));
    /// assert_eq!(r.to_bytes()[0], 2); // written back as version 2
    /// # Ok::<(), otpkit::Error>(())
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
        let expected = if version == 1 { LEN_V1 } else { LEN };
        let body_len = expected - CRC_LEN;
        let (Some(body), Some(crc), true) = (
            bytes.get(..body_len),
            bytes.get(body_len..),
            bytes.len() == expected,
        ) else {
            return Err(Error::State(StateError::Length {
                len: bytes.len(),
                expected,
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
        let enrolment = if version == 1 {
            EnrolmentId::LEGACY
        } else {
            EnrolmentId::from_bytes(r.take())
        };
        let drift_at = r.at + 8;
        let next = u64::from_be_bytes(r.take());
        let drift = i64::from_be_bytes(r.take());
        if kind == RecordKind::Counter && drift != 0 {
            return Err(invalid(drift_at));
        }
        let failures = u32::from_be_bytes(r.take());
        let locked_until = u64::from_be_bytes(r.take());
        Ok(StateRecord {
            kind,
            next,
            drift,
            throttle: ThrottleState::from_raw(failures, locked_until),
            enrolment,
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

/// CRC-32 (IEEE 802.3, reflected, as in zlib), four bits at a time: a 64-byte table, for
/// 46 bytes per record.
fn crc32(bytes: &[u8]) -> u32 {
    let step = |crc: u32| (crc >> 4) ^ CRC_NIBBLES.get((crc & 0xf) as usize).unwrap_or(&0);
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        crc = step(step(crc));
    }
    !crc
}

/// The reflected polynomial 0xEDB88320 applied to each 4-bit value, four shifts each.
const CRC_NIBBLES: [u32; 16] = [
    0x0000_0000,
    0x1DB7_1064,
    0x3B6E_20C8,
    0x26D9_30AC,
    0x76DC_4190,
    0x6B6B_51F4,
    0x4DB2_6158,
    0x5005_713C,
    0xEDB8_8320,
    0xF00F_9344,
    0xD6D6_A3E8,
    0xCB61_B38C,
    0x9B64_C2B0,
    0x86D3_D2D4,
    0xA00A_E278,
    0xBDBD_F21C,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_nibble_table_is_the_polynomial() {
        for (i, &entry) in CRC_NIBBLES.iter().enumerate() {
            let mut crc = i as u32;
            for _ in 0..4 {
                crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
            }
            assert_eq!(entry, crc, "{i}");
        }
    }

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn every_single_bit_flip_is_refused() {
        let id = EnrolmentId::from_bytes([0x5a; 16]);
        for bytes in [
            StateRecord::time_step().to_bytes(),
            StateRecord::counter(9).with_enrolment(id).to_bytes(),
            RecordBytes::try_from(&V1_TIME_STEP[..]).unwrap(),
        ] {
            for i in 0..bytes.len() * 8 {
                let mut b = bytes;
                b[i / 8] ^= 1 << (i % 8);
                assert!(StateRecord::from_bytes(&b).is_err(), "bit {i} of {bytes:?}");
            }
        }
    }

    /// `StateRecord::time_step()` as the previous release wrote it (format version 1).
    const V1_TIME_STEP: [u8; LEN_V1] = [
        1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0xfa, 0x6b, 0x6f, 0xf5,
    ];

    #[test]
    fn version_1_decodes_as_legacy_and_is_written_as_version_2() {
        let r = StateRecord::from_bytes(&V1_TIME_STEP).unwrap();
        assert_eq!(r, StateRecord::time_step());
        assert_eq!(r.enrolment(), EnrolmentId::LEGACY);
        let again = r.to_bytes();
        assert_eq!((again.len(), again[0]), (LEN, 2));
        assert_eq!(StateRecord::from_bytes(&again).unwrap(), r);
    }

    #[test]
    fn the_enrolment_id_is_inside_the_bytes() {
        let a = StateRecord::counter(0).with_enrolment(EnrolmentId::from_bytes([1; 16]));
        let b = StateRecord::counter(0).with_enrolment(EnrolmentId::from_bytes([2; 16]));
        assert_ne!(a.to_bytes(), b.to_bytes());
        assert_eq!(
            StateRecord::from_bytes(&b.to_bytes()).unwrap().enrolment(),
            b.enrolment()
        );
    }

    #[test]
    fn lengths_other_than_a_version_s_are_refused() {
        for len in 0..=LEN + 1 {
            let bytes = [2u8; LEN + 1];
            let ok = RecordBytes::try_from(&bytes[..len]).is_ok();
            assert_eq!(ok, len == LEN || len == LEN_V1, "{len}");
        }
        let mut v2_as_v1 = StateRecord::counter(0).to_bytes();
        v2_as_v1[0] = 1;
        assert_eq!(
            StateRecord::from_bytes(&v2_as_v1),
            Err(Error::State(StateError::Length {
                len: LEN,
                expected: LEN_V1
            }))
        );
    }
}
