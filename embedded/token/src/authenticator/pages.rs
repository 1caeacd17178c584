//! The applet's credential store in NOR flash pages, with atomic record writes.
//!
//! Each of the 16 credential slots, and the applet's own record, has a pair of pages; a page
//! holds [`ENTRIES`] entries of [`ENTRY`] bytes, each one version of the slot's record:
//!
//! ```text
//! word 0       sequence number (erased: 0xFFFF_FFFF)
//! words 1..56  the record (218 bytes for a credential, 80 for the applet's), little-endian
//! word 63      commit: sequence ^ COMMIT, programmed last
//! ```
//!
//! The slot holds the committed entry with the highest sequence number. A write programs the
//! next free entry of that entry's page, or, when the page is full, erases the other page of the
//! pair and starts it: the newest committed entry is never touched, so after a power cut the slot
//! holds the old record or the new one (the applet's `CredentialStore` contract), and an HOTP
//! counter never goes back. Erasing a slot programs every used entry to zero, the newest last,
//! which wipes the key: a cut part-way leaves the old record or none.
//!
//! Flash programming only clears bits, and an entry's words are each programmed at most twice
//! between erases (once written, once wiped), within the nRF51's limit.

use otpkit::ykoath::{CredentialStore, META_LEN, RECORD_LEN, StoreError};

use super::CREDENTIALS;

/// A flash page: 1 KiB, the nRF51's.
pub const PAGE: usize = 1024;
/// One entry, one version of a record.
const ENTRY: usize = 256;
const ENTRIES: usize = PAGE / ENTRY;
const WORDS: usize = ENTRY / 4;
/// The pages of the store: two per credential slot and two for the applet's record.
pub const PAGES: usize = 2 * (CREDENTIALS + 1);
const META_SLOT: usize = CREDENTIALS;
const ERASED: u32 = u32::MAX;
const COMMIT: u32 = 0x4f41_5448; // "OATH"
const _: () = assert!(4 + RECORD_LEN <= ENTRY - 4 && META_LEN <= RECORD_LEN);

/// NOR flash: erasing a page sets its bits, programming a word can only clear them. Offsets are
/// in bytes from the start of the store's [`PAGES`] pages, word-aligned.
pub trait Flash {
    /// The word at `offset`.
    fn read(&self, offset: usize) -> u32;
    /// Erases page `page` (every word reads `0xFFFF_FFFF` after).
    fn erase(&mut self, page: usize);
    /// Programs the word at `offset` (the new bits are ANDed into the old).
    fn program(&mut self, offset: usize, word: u32);
}

/// Where an entry is: its page and its index in the page.
#[derive(Clone, Copy)]
struct At {
    page: usize,
    entry: usize,
}

impl At {
    fn word(self, i: usize) -> usize {
        self.page * PAGE + self.entry * ENTRY + 4 * i
    }
}

/// The applet's [`CredentialStore`] over a [`Flash`].
pub struct PageStore<F> {
    flash: F,
}

impl<F: Flash> PageStore<F> {
    pub fn new(flash: F) -> PageStore<F> {
        PageStore { flash }
    }

    /// The two pages of `slot`'s pair, and every entry in them.
    fn entries(slot: usize) -> impl Iterator<Item = At> {
        (2 * slot..2 * slot + 2).flat_map(|page| (0..ENTRIES).map(move |entry| At { page, entry }))
    }

    /// The sequence number of a committed entry.
    fn committed(&self, at: At) -> Option<u32> {
        let seq = self.flash.read(at.word(0));
        (seq != ERASED && self.flash.read(at.word(WORDS - 1)) == seq ^ COMMIT).then_some(seq)
    }

    fn free(&self, at: At) -> bool {
        (0..WORDS).all(|i| self.flash.read(at.word(i)) == ERASED)
    }

    /// The newest committed entry of `slot`, and its sequence number.
    fn newest(&self, slot: usize) -> Option<(At, u32)> {
        Self::entries(slot)
            .filter_map(|at| self.committed(at).map(|seq| (at, seq)))
            .max_by_key(|(_, seq)| *seq)
    }

    fn load(&self, slot: usize, out: &mut [u8]) -> bool {
        let Some((at, _)) = self.newest(slot) else {
            return false;
        };
        for (i, chunk) in out.chunks_mut(4).enumerate() {
            let word = self.flash.read(at.word(1 + i)).to_le_bytes();
            chunk.iter_mut().zip(word).for_each(|(b, w)| *b = w);
        }
        true
    }

    fn save(&mut self, slot: usize, record: &[u8]) -> Result<(), StoreError> {
        let newest = self.newest(slot);
        let seq = match newest {
            Some((_, seq)) => seq.checked_add(1).filter(|s| *s != ERASED),
            None => Some(1),
        }
        .ok_or(StoreError::Io)?;
        let at = match newest {
            Some((last, _)) => (0..ENTRIES)
                .map(|entry| At { page: last.page, entry })
                .find(|at| self.free(*at)),
            None => Self::entries(slot).find(|at| self.free(*at)),
        };
        let at = match at {
            Some(at) => at,
            None => {
                // The newest entry's page is full: start the other page of the pair.
                let page = match newest {
                    Some((last, _)) => last.page ^ 1,
                    None => 2 * slot,
                };
                self.flash.erase(page);
                At { page, entry: 0 }
            }
        };
        self.flash.program(at.word(0), seq);
        for (i, chunk) in record.chunks(4).enumerate() {
            let mut word = [0xff; 4];
            word.iter_mut().zip(chunk).for_each(|(w, b)| *w = *b);
            self.flash.program(at.word(1 + i), u32::from_le_bytes(word));
        }
        self.flash.program(at.word(WORDS - 1), seq ^ COMMIT);
        // Read back, as a flash driver verifies a write.
        let mut back = [0u8; RECORD_LEN];
        let back = back.get_mut(..record.len()).ok_or(StoreError::Io)?;
        let same = self.newest(slot).is_some_and(|(_, s)| s == seq)
            && self.load(slot, back)
            && back == record;
        zeroize::Zeroize::zeroize(back);
        if same { Ok(()) } else { Err(StoreError::Io) }
    }

    /// Programs every used entry of `slot` to zero: torn ones first, then the committed ones
    /// from the oldest to the newest.
    fn wipe(&mut self, slot: usize) {
        for at in Self::entries(slot) {
            if !self.free(at) && self.committed(at).is_none() {
                self.zero(at);
            }
        }
        while let Some(at) = Self::entries(slot)
            .filter_map(|at| self.committed(at).map(|seq| (at, seq)))
            .min_by_key(|(_, seq)| *seq)
            .map(|(at, _)| at)
        {
            self.zero(at);
        }
    }

    fn zero(&mut self, at: At) {
        (0..WORDS).for_each(|i| self.flash.program(at.word(i), 0));
    }
}

impl<F: Flash> CredentialStore for PageStore<F> {
    fn slots(&self) -> usize {
        CREDENTIALS
    }

    fn read(&mut self, slot: usize, record: &mut [u8; RECORD_LEN]) -> Result<bool, StoreError> {
        if slot >= CREDENTIALS {
            return Err(StoreError::NoSuchSlot);
        }
        Ok(self.load(slot, record))
    }

    fn write(&mut self, slot: usize, record: &[u8; RECORD_LEN]) -> Result<(), StoreError> {
        if slot >= CREDENTIALS {
            return Err(StoreError::NoSuchSlot);
        }
        self.save(slot, record)
    }

    fn erase(&mut self, slot: usize) -> Result<(), StoreError> {
        if slot >= CREDENTIALS {
            return Err(StoreError::NoSuchSlot);
        }
        self.wipe(slot);
        if self.newest(slot).is_some() { Err(StoreError::Io) } else { Ok(()) }
    }

    fn read_meta(&mut self, meta: &mut [u8; META_LEN]) -> Result<bool, StoreError> {
        Ok(self.load(META_SLOT, meta))
    }

    fn write_meta(&mut self, meta: &[u8; META_LEN]) -> Result<(), StoreError> {
        self.save(META_SLOT, meta)
    }
}
