//! PUT, DELETE, RENAME and LIST.

use super::MAX_NAME_LEN;
use super::apdu::Sw;
use super::applet::Card;
use super::record::{self, Credential, PROP_INCREASING, PROP_TOUCH, TYPE_HOTP, TYPE_TOTP};
use super::store::{CredentialStore, Random, Touch};
use super::tlv::{Reader, Writer};

const TAG_NAME: u8 = 0x71;
const TAG_NAME_LIST: u8 = 0x72;
const TAG_KEY: u8 = 0x73;
const TAG_PROPERTY: u8 = 0x78;
const TAG_IMF: u8 = 0x7a;

/// A name TLV's value: 1 to 64 bytes, else `6A 80`.
pub(super) fn name<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], Sw> {
    let n = r.expect(TAG_NAME)?;
    if n.is_empty() || n.len() > MAX_NAME_LEN {
        return Err(Sw::WRONG_DATA);
    }
    Ok(n)
}

/// PUT's fields, parsed and checked.
fn parse_put(data: &[u8]) -> Result<Credential, Sw> {
    let mut r = Reader::new(data);
    let name = name(&mut r)?;
    let key_tlv = r.expect(TAG_KEY)?;
    let &[type_byte, digits, ref key @ ..] = key_tlv else {
        return Err(Sw::WRONG_DATA);
    };
    let alg = record::algorithm(type_byte).ok_or(Sw::WRONG_DATA)?;
    if !matches!(type_byte & 0xf0, TYPE_HOTP | TYPE_TOTP)
        || !(6..=8).contains(&digits)
        || key.len() > alg.block_len()
    {
        return Err(Sw::WRONG_DATA);
    }
    let mut c = Credential::new(type_byte, digits, name, key).ok_or(Sw::WRONG_DATA)?;
    let (mut seen_property, mut seen_imf) = (false, false);
    while let Some(tag) = r.peek_tag() {
        match tag {
            // The property TLV has no length byte: `78 pp`.
            TAG_PROPERTY if !seen_property => {
                r.byte()?;
                let p = r.byte()?;
                if p & !(PROP_INCREASING | PROP_TOUCH) != 0 {
                    return Err(Sw::WRONG_DATA);
                }
                c.properties = p;
                seen_property = true;
            }
            TAG_IMF if !seen_imf => {
                let &[a, b, cc, d] = r.expect(TAG_IMF)? else {
                    return Err(Sw::WRONG_DATA);
                };
                // The HOTP start counter; meaningless for TOTP, where it is ignored.
                if c.is_hotp() {
                    c.counter = u64::from(u32::from_be_bytes([a, b, cc, d]));
                }
                seen_imf = true;
            }
            _ => return Err(Sw::WRONG_DATA),
        }
    }
    Ok(c)
}

impl<S: CredentialStore, R: Random, T: Touch> Card<S, R, T> {
    /// PUT: adds a credential, or overwrites the one of the same name (counter back to the IMF).
    // Inlined into `run`, its one caller: see `.ci/nopanic/src/main.rs` for why.
    #[inline(always)]
    pub(super) fn put(&mut self, data: &[u8]) -> Result<(), Sw> {
        self.require_unlocked()?;
        let c = parse_put(data)?;
        let mut free = None;
        for slot in 0..self.store.slots() {
            match self.read(slot)? {
                Some(old) if super::same(old.name(), c.name()) => return self.write(slot, &c),
                None if free.is_none() => free = Some(slot),
                _ => {}
            }
        }
        let slot = free.ok_or(Sw::NO_SPACE)?;
        self.write(slot, &c)
    }

    /// DELETE: erases the credential (and its key) from the store.
    // Inlined into `run`, its one caller: see `.ci/nopanic/src/main.rs` for why.
    #[inline(always)]
    pub(super) fn delete(&mut self, data: &[u8]) -> Result<(), Sw> {
        self.require_unlocked()?;
        let mut r = Reader::new(data);
        let name = name(&mut r)?;
        if !r.is_empty() {
            return Err(Sw::WRONG_DATA);
        }
        let (slot, _) = self.find(name)?.ok_or(Sw::NO_SUCH_OBJECT)?;
        self.store.erase(slot).map_err(|_| Sw::MEMORY)
    }

    /// RENAME: `71 L old 71 L new`; a new name already in use is `6A 89`.
    // Inlined into `run`, its one caller: see `.ci/nopanic/src/main.rs` for why.
    #[inline(always)]
    pub(super) fn rename(&mut self, data: &[u8]) -> Result<(), Sw> {
        self.require_unlocked()?;
        let mut r = Reader::new(data);
        let old = name(&mut r)?;
        let new = name(&mut r)?;
        if !r.is_empty() {
            return Err(Sw::WRONG_DATA);
        }
        let (slot, mut c) = self.find(old)?.ok_or(Sw::NO_SUCH_OBJECT)?;
        if super::same(old, new) {
            return Ok(());
        }
        if self.find(new)?.is_some() {
            return Err(Sw::EXISTS);
        }
        c.set_name(new).ok_or(Sw::WRONG_DATA)?;
        self.write(slot, &c)
    }

    /// LIST: `72 L type/alg name` per credential, in slot order.
    // Inlined into `run`, its one caller: see `.ci/nopanic/src/main.rs` for why.
    #[inline(always)]
    pub(super) fn list(&mut self, out: &mut Writer<'_>) -> Result<(), Sw> {
        self.require_unlocked()?;
        for slot in 0..self.store.slots() {
            if let Some(c) = self.read(slot)? {
                out.tlv(TAG_NAME_LIST, &[&[c.type_byte], c.name()])?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    #[test]
    fn put_parsing() {
        // The spec's HOTP example: key 01 02 padded to 14, touch, IMF 1.
        let mut d = vec![0x71, 1, b'h', 0x73, 0x10, 0x11, 6, 1, 2];
        d.extend_from_slice(&[0; 12]);
        d.extend_from_slice(&[0x78, 2, 0x7a, 4, 0, 0, 0, 1]);
        let c = parse_put(&d).unwrap();
        assert_eq!(
            (c.name(), c.key().len(), c.properties, c.counter),
            (&b"h"[..], 14, 2, 1)
        );
        // Either order of the optional fields.
        let mut e = d[..21].to_vec();
        e.extend_from_slice(&[0x7a, 4, 0, 0, 0, 9, 0x78, 1]);
        assert_eq!(parse_put(&e).unwrap().counter, 9);
        for bad in [
            &d[..20],                                             // key TLV cut short
            &[0x71, 0, 0x73, 2, 0x21, 6][..],                     // empty name
            &[0x71, 1, b'a', 0x73, 2, 0x31, 6],                   // unknown type
            &[0x71, 1, b'a', 0x73, 2, 0x25, 6],                   // unknown hash
            &[0x71, 1, b'a', 0x73, 2, 0x21, 5],                   // 5 digits
            &[0x71, 1, b'a', 0x73, 2, 0x21, 9],                   // 9 digits
            &[0x71, 1, b'a', 0x73, 1, 0x21],                      // no digits
            &[0x71, 1, b'a', 0x73, 2, 0x21, 6, 0x78],             // property cut short
            &[0x71, 1, b'a', 0x73, 2, 0x21, 6, 0x78, 4],          // unknown property
            &[0x71, 1, b'a', 0x73, 2, 0x21, 6, 0x7a, 3, 0, 0, 1], // IMF of 3 bytes
            &[0x71, 1, b'a', 0x73, 2, 0x21, 6, 0x78, 2, 0x78, 2], // property twice
            &[0x71, 1, b'a', 0x73, 2, 0x21, 6, 0x79, 0],          // unknown tag
            &[0x73, 2, 0x21, 6, 0x71, 1, b'a'],                   // wrong order
        ] {
            assert_eq!(parse_put(bad).map(|_| ()), Err(Sw::WRONG_DATA), "{bad:?}");
        }
        let mut long = vec![0x71, 65];
        long.extend_from_slice(&[b'a'; 65]);
        long.extend_from_slice(&[0x73, 2, 0x21, 6]);
        assert_eq!(parse_put(&long).map(|_| ()), Err(Sw::WRONG_DATA));
        let mut big_key = vec![0x71, 1, b'a', 0x73, 67, 0x21, 6];
        big_key.extend_from_slice(&[1; 65]);
        assert_eq!(parse_put(&big_key).map(|_| ()), Err(Sw::WRONG_DATA));
    }
}
