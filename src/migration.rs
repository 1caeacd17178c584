//! Google Authenticator's export format, `otpauth-migration://offline?data=...`.
//!
//! `data` is the standard-alphabet Base64 (padded, percent-encoded) of a protobuf
//! `MigrationPayload` holding one or more entries; a large export spans several QR codes
//! (`batch_size`, `batch_index`, `batch_id`). This module converts it to and from the same
//! [`OtpAuthUri`] values the `otpauth://` parser produces. The protobuf codec is a small
//! hand-written one (varint and length-delimited fields, unknown fields of every wire type
//! skipped, every length bounded), so that decoded key bytes only ever live in zeroizing
//! buffers.
//!
//! # Limits
//! An import takes time linear in its input and memory within `a · input + b · entries`
//! (measured by `tests/provisioning_memory.rs`: a ≤ 3, b ≤ 512 bytes): a URI longer than
//! [`MAX_URI_LEN`], a payload longer than [`MAX_PAYLOAD_LEN`] or holding more than
//! [`MAX_ENTRIES`] entries is refused with a typed error naming the limit. Each key is copied
//! once, from the wiped payload buffer into its own heap block
//! ([`BoxedSecret`](crate::BoxedSecret)).
//!
//! Import is lenient where it costs nothing: missing Base64 padding, the URL-safe alphabet and
//! spaces standing for `+` (a form decoder's damage) are accepted. Unknown fields are ignored.
//! Export refuses what the format cannot hold: digits other than 6 or 8, a period other than
//! 30 s, and Steam entries; unknown `otpauth://` parameters ([`OtpAuthUri::extra`]) are dropped.
//!
//! # Examples
//! ```
//! use otpkit::migration::Migration;
//!
//! let export = Migration::parse(
//!     "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC",
//! )?;
//! let entry = &export.entries[0];
//! assert_eq!(entry.issuer.as_deref(), Some("Example"));
//! assert_eq!(entry.account_name, "alice@google.com");
//! assert_eq!(entry.secret.as_ref(), b"Hello!\xde\xad\xbe\xef");
//!
//! let again = Migration::parse(&export.to_uri()?)?;
//! assert_eq!(again.entries, export.entries);
//! # Ok::<(), otpkit::migration::MigrationError>(())
//! ```

mod entry;
mod error;
mod protobuf;

use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine;
use base64::engine::general_purpose::{
    STANDARD, STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT,
};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode};
use zeroize::Zeroizing;

use crate::uri::OtpAuthUri;
use entry::{check_exportable, decode_entry, entry_len, int32, put_entry};
pub use error::{MigrationError, MigrationErrorKind};
use protobuf::{Reader, Value};

/// The longest `otpauth-migration://` URI [`Migration::parse`] reads: 32 KiB. Google
/// Authenticator splits an export into QR codes of at most 2,953 bytes each (about ten entries).
pub const MAX_URI_LEN: usize = 32 * 1024;

/// The longest protobuf payload [`Migration::decode_payload`] reads (and
/// [`Migration::encode_payload`] writes): 24 KiB, what `MAX_URI_LEN` of Base64 holds.
pub const MAX_PAYLOAD_LEN: usize = 24 * 1024;

/// The most entries one payload may hold.
pub const MAX_ENTRIES: usize = 1024;

/// One `otpauth-migration://` payload: its entries and batch information.
#[derive(Debug, PartialEq, Eq)]
pub struct Migration {
    /// The exported entries (TOTP entries have the fixed 30 s period).
    pub entries: Vec<OtpAuthUri>,
    /// Format version (1 in known exports; 0 when absent).
    pub version: i32,
    /// Number of payloads (QR codes) in this export.
    pub batch_size: i32,
    /// 0-based index of this payload.
    pub batch_index: i32,
    /// Same value on every payload of one export.
    pub batch_id: i32,
}

impl Migration {
    /// A single-payload export (version 1, batch 1 of 1, batch id 0).
    #[must_use]
    pub fn new(entries: Vec<OtpAuthUri>) -> Migration {
        Migration {
            entries,
            version: 1,
            batch_size: 1,
            batch_index: 0,
            batch_id: 0,
        }
    }

    /// Reads an `otpauth-migration://offline?data=...` URI.
    ///
    /// # Errors
    /// [`MigrationErrorKind::UnsupportedScheme`], [`MissingData`](MigrationErrorKind::MissingData),
    /// [`DuplicateData`](MigrationErrorKind::DuplicateData),
    /// [`InvalidPercentEncoding`](MigrationErrorKind::InvalidPercentEncoding),
    /// [`InvalidBase64`](MigrationErrorKind::InvalidBase64),
    /// [`TooLong`](MigrationErrorKind::TooLong) beyond [`MAX_URI_LEN`], and every error of
    /// [`Migration::decode_payload`].
    pub fn parse(uri: &str) -> Result<Migration, MigrationError> {
        if uri.len() > MAX_URI_LEN {
            return Err(MigrationError::new(
                MigrationErrorKind::TooLong,
                MAX_URI_LEN,
            ));
        }
        let uri_at = uri.len() - uri.trim_start().len();
        let uri = uri.trim();
        const PREFIX: &str = "otpauth-migration://offline?";
        if !uri
            .get(..PREFIX.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
        {
            return Err(MigrationError::new(
                MigrationErrorKind::UnsupportedScheme,
                uri_at,
            ));
        }
        let mut at = uri_at + PREFIX.len();
        let mut data = None;
        for segment in uri.get(PREFIX.len()..).unwrap_or_default().split('&') {
            if let Some(value) = segment.strip_prefix("data=") {
                if data.is_some() {
                    return Err(MigrationError::new(MigrationErrorKind::DuplicateData, at));
                }
                data = Some((at + 5, value));
            }
            at += segment.len() + 1;
        }
        let (at, value) =
            data.ok_or(MigrationError::new(MigrationErrorKind::MissingData, uri_at))?;

        let bytes = value.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'%'
                && !matches!(bytes.get(i + 1..i + 3), Some([h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit())
            {
                return Err(MigrationError::new(
                    MigrationErrorKind::InvalidPercentEncoding,
                    at + i,
                ));
            }
        }
        let mut text = Zeroizing::new(Vec::with_capacity(bytes.len()));
        // `+` stays a plus (the data is not form-encoded); a space is a plus a form decoder
        // turned into a space.
        text.extend(percent_decode(bytes).map(|b| if b == b' ' { b'+' } else { b }));

        let mut payload = Zeroizing::new(Vec::with_capacity(text.len() / 4 * 3 + 3));
        if STANDARD_PAD_INDIFFERENT
            .decode_vec(&*text, &mut payload)
            .is_err()
        {
            payload.clear();
            URL_SAFE_PAD_INDIFFERENT
                .decode_vec(&*text, &mut payload)
                .map_err(|_| MigrationError::new(MigrationErrorKind::InvalidBase64, at))?;
        }
        Migration::decode_payload(&payload)
    }

    /// Decodes a protobuf `MigrationPayload`; unknown fields are skipped.
    ///
    /// # Errors
    /// [`Truncated`](MigrationErrorKind::Truncated), [`InvalidVarint`](MigrationErrorKind::InvalidVarint),
    /// [`InvalidWireType`](MigrationErrorKind::InvalidWireType) for a malformed payload;
    /// [`UnknownEnum`](MigrationErrorKind::UnknownEnum),
    /// [`UnsupportedAlgorithm`](MigrationErrorKind::UnsupportedAlgorithm) (MD5),
    /// [`DisabledAlgorithm`](MigrationErrorKind::DisabledAlgorithm),
    /// [`InvalidSecret`](MigrationErrorKind::InvalidSecret),
    /// [`InvalidUtf8`](MigrationErrorKind::InvalidUtf8) and
    /// [`InvalidCounter`](MigrationErrorKind::InvalidCounter) for an entry that cannot be meant;
    /// [`PayloadTooLarge`](MigrationErrorKind::PayloadTooLarge) beyond [`MAX_PAYLOAD_LEN`] and
    /// [`TooManyEntries`](MigrationErrorKind::TooManyEntries) beyond [`MAX_ENTRIES`].
    pub fn decode_payload(payload: &[u8]) -> Result<Migration, MigrationError> {
        if payload.len() > MAX_PAYLOAD_LEN {
            return Err(MigrationError::new(
                MigrationErrorKind::PayloadTooLarge,
                MAX_PAYLOAD_LEN,
            ));
        }
        // A first pass counts the entries (and finds malformed fields), so that the vector is
        // sized once.
        let mut count = 0usize;
        let mut reader = Reader::new(payload, 0);
        while let Some((field, value, at)) = reader.next_field()? {
            if let (1, Value::Bytes(_)) = (field, value) {
                count += 1;
                if count > MAX_ENTRIES {
                    return Err(MigrationError::new(MigrationErrorKind::TooManyEntries, at));
                }
            }
        }
        let mut migration = Migration {
            entries: Vec::with_capacity(count),
            version: 0,
            batch_size: 0,
            batch_index: 0,
            batch_id: 0,
        };
        let mut reader = Reader::new(payload, 0);
        while let Some((field, value, _)) = reader.next_field()? {
            match (field, value) {
                (1, Value::Bytes(bytes)) => {
                    // Positions inside an entry count from the start of the payload.
                    let start = reader.offset().saturating_sub(bytes.len());
                    migration.entries.push(decode_entry(bytes, start)?);
                }
                (2, Value::Varint(v)) => migration.version = int32(v),
                (3, Value::Varint(v)) => migration.batch_size = int32(v),
                (4, Value::Varint(v)) => migration.batch_index = int32(v),
                (5, Value::Varint(v)) => migration.batch_id = int32(v),
                _ => {}
            }
        }
        Ok(migration)
    }

    /// Encodes the protobuf `MigrationPayload` into a buffer wiped on drop.
    ///
    /// Each entry's `name` is written `issuer:account` (as Google Authenticator does) and its
    /// `issuer` field is set; [`OtpAuthUri::extra`] is dropped.
    ///
    /// # Errors
    /// [`UnsupportedDigits`](MigrationErrorKind::UnsupportedDigits),
    /// [`UnsupportedPeriod`](MigrationErrorKind::UnsupportedPeriod),
    /// [`UnsupportedSteam`](MigrationErrorKind::UnsupportedSteam), or
    /// [`Uri`](MigrationErrorKind::Uri) when [`OtpAuthUri::validate`] refuses an entry,
    /// [`TooManyEntries`](MigrationErrorKind::TooManyEntries) beyond [`MAX_ENTRIES`];
    /// `position` is the entry's index. [`PayloadTooLarge`](MigrationErrorKind::PayloadTooLarge)
    /// beyond [`MAX_PAYLOAD_LEN`] (position `MAX_PAYLOAD_LEN`).
    pub fn encode_payload(&self) -> Result<Zeroizing<Vec<u8>>, MigrationError> {
        if self.entries.len() > MAX_ENTRIES {
            return Err(MigrationError::new(
                MigrationErrorKind::TooManyEntries,
                MAX_ENTRIES,
            ));
        }
        let mut names = Vec::with_capacity(self.entries.len());
        let mut total = 0usize;
        for (i, entry) in self.entries.iter().enumerate() {
            check_exportable(entry, i)?;
            let name = match &entry.issuer {
                Some(issuer) => alloc::format!("{issuer}:{}", entry.account_name),
                None => entry.account_name.clone(),
            };
            let len = entry_len(entry, &name);
            total += 1 + protobuf::varint_len(len as u64) + len;
            names.push(name);
        }
        total += 4 * 11;
        if total > MAX_PAYLOAD_LEN {
            return Err(MigrationError::new(
                MigrationErrorKind::PayloadTooLarge,
                MAX_PAYLOAD_LEN,
            ));
        }
        // Exact capacity: the buffer never reallocates, so no unwiped copy of a key is left.
        let mut out = Zeroizing::new(Vec::with_capacity(total));
        for (entry, name) in self.entries.iter().zip(&names) {
            protobuf::put_varint(&mut out, (1 << 3) | 2);
            protobuf::put_varint(&mut out, entry_len(entry, name) as u64);
            put_entry(&mut out, entry, name);
        }
        for (field, value) in [
            (2, self.version),
            (3, self.batch_size),
            (4, self.batch_index),
            (5, self.batch_id),
        ] {
            // int32: negative values are sign-extended to 64 bits on the wire.
            protobuf::put_uint(&mut out, field, i64::from(value) as u64);
        }
        Ok(out)
    }

    /// The `otpauth-migration://offline?data=...` URI, in a string wiped on drop.
    ///
    /// # Errors
    /// As [`Migration::encode_payload`].
    pub fn to_uri(&self) -> Result<Zeroizing<String>, MigrationError> {
        let payload = self.encode_payload()?;
        // Encoded straight into a wiped heap buffer of the exact size: base64's `encode_string`
        // would go through a 1 KiB stack buffer and leave the payload's tail in it.
        let mut b64 = Zeroizing::new(alloc::vec![0u8; payload.len().div_ceil(3) * 4]);
        let written = STANDARD
            .encode_slice(&*payload, b64.as_mut_slice())
            .unwrap_or_default();
        let b64 = b64.get(..written).unwrap_or_default();
        // Every byte outside A-Z a-z 0-9 (`+`, `/`, `=`) becomes three.
        let escaped = b64.iter().filter(|b| !b.is_ascii_alphanumeric()).count();
        const PREFIX: &str = "otpauth-migration://offline?data=";
        let mut out = Zeroizing::new(String::with_capacity(
            PREFIX.len() + b64.len() + 2 * escaped,
        ));
        out.push_str(PREFIX);
        for piece in percent_encoding::percent_encode(b64, NON_ALPHANUMERIC) {
            out.push_str(piece);
        }
        Ok(out)
    }
}
