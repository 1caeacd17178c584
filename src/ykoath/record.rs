//! The versioned encodings of a credential record and of the applet's own record.
//!
//! Credential record, version 1, 218 bytes, integers big-endian:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | format version, 1 |
//! | 1 | 1 | type and algorithm, as YKOATH writes it (`0x21` TOTP/SHA-1) |
//! | 2 | 1 | digits, 6 to 8 |
//! | 3 | 1 | properties: `0x01` only increasing, `0x02` touch required |
//! | 4 | 1 | name length, 1 to 64 |
//! | 5 | 1 | key length, 0 to 128 |
//! | 6 | 8 | HOTP: the next counter; TOTP: 0 |
//! | 14 | 8 | TOTP with only increasing: the last challenge used; otherwise 0 |
//! | 22 | 64 | name, zero-padded |
//! | 86 | 128 | key, zero-padded |
//! | 214 | 4 | the first 4 bytes of SHA-1 over bytes 0..214 |
//!
//! Applet record, version 1, 80 bytes: version (1), flags (`0x01` access key set), the access
//! key's algorithm byte, its length (0 to 64), the 8-byte device salt, the key zero-padded to 64
//! bytes, and the 4-byte SHA-1 check over bytes 0..76.
//!
//! The check catches storage damage (a damaged record is an error, never a wrong code), not
//! tampering: whoever can write the flash can replace a key anyway.

use core::fmt;

use zeroize::Zeroize;

use super::store::StoreError;
use super::{MAX_KEY_LEN, MAX_NAME_LEN};
use crate::Algorithm;
use crate::mac;

const VERSION: u8 = 1;
pub(super) const RECORD_LEN: usize = 218;
const RECORD_BODY: usize = RECORD_LEN - 4;
pub(super) const META_LEN: usize = 80;
const META_BODY: usize = META_LEN - 4;
/// The longest access key: HMAC-SHA-1's block.
pub(super) const MAX_ACCESS_KEY_LEN: usize = 64;

pub(super) const TYPE_HOTP: u8 = 0x10;
pub(super) const TYPE_TOTP: u8 = 0x20;
pub(super) const PROP_INCREASING: u8 = 0x01;
pub(super) const PROP_TOUCH: u8 = 0x02;

fn check(body: &[u8]) -> [u8; 4] {
    let d = mac::hash(Algorithm::Sha1, body);
    let mut out = [0u8; 4];
    if let Some(c) = d.as_bytes().get(..4) {
        super::copy(&mut out, c);
    }
    out
}

/// The algorithm of a YKOATH type/algorithm byte's low nibble, if compiled in.
pub(super) fn algorithm(type_byte: u8) -> Option<Algorithm> {
    match type_byte & 0x0f {
        1 => Some(Algorithm::Sha1),
        #[cfg(feature = "sha256")]
        2 => Some(Algorithm::Sha256),
        #[cfg(feature = "sha512")]
        3 => Some(Algorithm::Sha512),
        _ => None,
    }
}

/// One credential, as decoded from its record. The key is wiped on drop.
pub(super) struct Credential {
    pub(super) type_byte: u8,
    pub(super) digits: u8,
    pub(super) properties: u8,
    pub(super) counter: u64,
    pub(super) last_challenge: u64,
    name: [u8; MAX_NAME_LEN],
    name_len: usize,
    key: [u8; MAX_KEY_LEN],
    key_len: usize,
}

impl Drop for Credential {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("type", &self.type_byte)
            .field("name", &self.name())
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// A credential from PUT's fields; `None` when a length is out of range.
    pub(super) fn new(type_byte: u8, digits: u8, name: &[u8], key: &[u8]) -> Option<Self> {
        let mut c = Credential {
            type_byte,
            digits,
            properties: 0,
            counter: 0,
            last_challenge: 0,
            name: [0; MAX_NAME_LEN],
            name_len: name.len(),
            key: [0; MAX_KEY_LEN],
            key_len: key.len(),
        };
        super::copy(c.name.get_mut(..name.len())?, name);
        super::copy(c.key.get_mut(..key.len())?, key);
        (!name.is_empty()).then_some(c)
    }

    pub(super) fn name(&self) -> &[u8] {
        self.name.get(..self.name_len).unwrap_or_default()
    }

    pub(super) fn set_name(&mut self, name: &[u8]) -> Option<()> {
        if name.is_empty() {
            return None;
        }
        let slot = self.name.get_mut(..name.len())?;
        super::copy(slot, name);
        self.name.get_mut(name.len()..)?.fill(0);
        self.name_len = name.len();
        Some(())
    }

    pub(super) fn key(&self) -> &[u8] {
        self.key.get(..self.key_len).unwrap_or_default()
    }

    pub(super) fn is_hotp(&self) -> bool {
        self.type_byte & 0xf0 == TYPE_HOTP
    }

    pub(super) fn encode(&self, out: &mut [u8; RECORD_LEN]) {
        out.fill(0);
        let head = [
            VERSION,
            self.type_byte,
            self.digits,
            self.properties,
            u8::try_from(self.name_len).unwrap_or(0),
            u8::try_from(self.key_len).unwrap_or(0),
        ];
        let fields: [(usize, &[u8]); 5] = [
            (0, &head),
            (6, &self.counter.to_be_bytes()),
            (14, &self.last_challenge.to_be_bytes()),
            (22, &self.name),
            (86, &self.key),
        ];
        for (at, bytes) in fields {
            if let Some(dst) = out.get_mut(at..at + bytes.len()) {
                super::copy(dst, bytes);
            }
        }
        let sum = check(out.get(..RECORD_BODY).unwrap_or_default());
        if let Some(dst) = out.get_mut(RECORD_BODY..) {
            super::copy(dst, &sum);
        }
    }

    pub(super) fn decode(rec: &[u8; RECORD_LEN]) -> Result<Self, StoreError> {
        let (body, sum) = rec.split_at(RECORD_BODY);
        if !super::same(&check(body), sum) {
            return Err(StoreError::Damaged);
        }
        let &[
            version,
            type_byte,
            digits,
            properties,
            name_len,
            key_len,
            ..,
        ] = body
        else {
            return Err(StoreError::Damaged);
        };
        if version != VERSION {
            return Err(StoreError::Version(version));
        }
        let alg = algorithm(type_byte).ok_or(StoreError::Unsupported)?;
        let kind_ok = matches!(type_byte & 0xf0, TYPE_HOTP | TYPE_TOTP);
        let (name_len, key_len) = (usize::from(name_len), usize::from(key_len));
        if !kind_ok
            || !(6..=8).contains(&digits)
            || properties & !(PROP_INCREASING | PROP_TOUCH) != 0
            || key_len > alg.block_len()
        {
            return Err(StoreError::Damaged);
        }
        let u64_at = |at: usize| {
            let mut b = [0u8; 8];
            super::copy(&mut b, body.get(at..at + 8).unwrap_or(&[0; 8]));
            u64::from_be_bytes(b)
        };
        let name = body.get(22..22 + name_len).ok_or(StoreError::Damaged)?;
        let key = body.get(86..86 + key_len).ok_or(StoreError::Damaged)?;
        let mut c = Credential::new(type_byte, digits, name, key).ok_or(StoreError::Damaged)?;
        c.properties = properties;
        c.counter = u64_at(6);
        c.last_challenge = u64_at(14);
        Ok(c)
    }
}

/// The applet's own record: the device salt and the access key. The key is wiped on drop.
pub(super) struct Meta {
    pub(super) salt: [u8; 8],
    pub(super) access_alg: u8,
    access_key: [u8; MAX_ACCESS_KEY_LEN],
    access_len: usize,
    has_key: bool,
}

impl Drop for Meta {
    fn drop(&mut self) {
        self.access_key.zeroize();
    }
}

impl fmt::Debug for Meta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Meta")
            .field("has_key", &self.has_key)
            .finish_non_exhaustive()
    }
}

impl Meta {
    pub(super) fn new(salt: [u8; 8]) -> Self {
        Meta {
            salt,
            access_alg: 0,
            access_key: [0; MAX_ACCESS_KEY_LEN],
            access_len: 0,
            has_key: false,
        }
    }

    /// The access key, if one is set.
    pub(super) fn access_key(&self) -> Option<&[u8]> {
        if self.has_key {
            self.access_key.get(..self.access_len)
        } else {
            None
        }
    }

    /// Sets the access key (`None` removes it); `None` back when the key is too long.
    pub(super) fn set_access_key(&mut self, alg: u8, key: Option<&[u8]>) -> Option<()> {
        self.access_key.zeroize();
        self.access_len = 0;
        self.has_key = false;
        self.access_alg = 0;
        if let Some(key) = key {
            super::copy(self.access_key.get_mut(..key.len())?, key);
            self.access_len = key.len();
            self.has_key = true;
            self.access_alg = alg;
        }
        Some(())
    }

    pub(super) fn encode(&self, out: &mut [u8; META_LEN]) {
        out.fill(0);
        let head = [
            VERSION,
            u8::from(self.has_key),
            self.access_alg,
            u8::try_from(self.access_len).unwrap_or(0),
        ];
        for (at, bytes) in [(0, &head[..]), (4, &self.salt), (12, &self.access_key)] {
            if let Some(dst) = out.get_mut(at..at + bytes.len()) {
                super::copy(dst, bytes);
            }
        }
        let sum = check(out.get(..META_BODY).unwrap_or_default());
        if let Some(dst) = out.get_mut(META_BODY..) {
            super::copy(dst, &sum);
        }
    }

    // Inlined into `Card::load_meta`, its one caller (see `.ci/nopanic/src/main.rs`).
    #[inline(always)]
    pub(super) fn decode(rec: &[u8; META_LEN]) -> Result<Self, StoreError> {
        let (body, sum) = rec.split_at(META_BODY);
        if !super::same(&check(body), sum) {
            return Err(StoreError::Damaged);
        }
        let &[version, flags, alg, len, ..] = body else {
            return Err(StoreError::Damaged);
        };
        if version != VERSION {
            return Err(StoreError::Version(version));
        }
        if flags > 1 || (flags == 0 && len != 0) {
            return Err(StoreError::Damaged);
        }
        let mut salt = [0u8; 8];
        super::copy(&mut salt, body.get(4..12).ok_or(StoreError::Damaged)?);
        let mut m = Meta::new(salt);
        if flags == 1 {
            let key = body
                .get(12..12 + usize::from(len))
                .ok_or(StoreError::Damaged)?;
            m.set_access_key(alg, Some(key))
                .ok_or(StoreError::Damaged)?;
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn credential_round_trip_and_damage() {
        let mut c = Credential::new(0x11, 6, b"h", &[1, 2, 0, 0]).unwrap();
        c.properties = PROP_TOUCH;
        c.counter = 7;
        let mut rec = [0u8; RECORD_LEN];
        c.encode(&mut rec);
        let d = Credential::decode(&rec).unwrap();
        assert_eq!(
            (d.name(), d.key(), d.counter, d.properties),
            (&b"h"[..], &[1, 2, 0, 0][..], 7, PROP_TOUCH)
        );
        assert!(!format!("{d:?}").contains("[1, 2"));
        for i in 0..RECORD_LEN {
            let mut bad = rec;
            bad[i] ^= 0x04;
            assert!(Credential::decode(&bad).is_err(), "byte {i}");
        }
        let mut v2 = rec;
        v2[0] = 2;
        let sum = check(&v2[..RECORD_BODY]);
        v2[RECORD_BODY..].copy_from_slice(&sum);
        assert_eq!(
            Credential::decode(&v2).map(|_| ()),
            Err(StoreError::Version(2))
        );
        assert_eq!(
            Credential::decode(&[0; RECORD_LEN]).map(|_| ()),
            Err(StoreError::Damaged)
        );
    }

    #[test]
    fn meta_round_trip_and_damage() {
        let mut m = Meta::new([1, 2, 3, 4, 5, 6, 7, 8]);
        m.set_access_key(0x21, Some(&[9; 16])).unwrap();
        let mut rec = [0u8; META_LEN];
        m.encode(&mut rec);
        let d = Meta::decode(&rec).unwrap();
        assert_eq!(
            (d.salt, d.access_key()),
            ([1, 2, 3, 4, 5, 6, 7, 8], Some(&[9u8; 16][..]))
        );
        rec[20] ^= 1;
        assert_eq!(Meta::decode(&rec).map(|_| ()), Err(StoreError::Damaged));
    }
}
