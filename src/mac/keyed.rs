//! HMAC keyed once: the inner and outer states after absorbing the key, and the absorption of
//! messages through the block function.

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::block::{final_block, set_padding};
use super::{BATCH, BlockHash, Digest, MAX_OUTPUT, dynamic_truncate};

/// HMAC keyed once: the states after absorbing `K ^ ipad` and `K ^ opad`.
///
/// These states are as good as the key (anyone holding them can compute every code), so they are
/// wiped on drop and never printed.
pub(crate) struct Keyed<H: BlockHash> {
    inner: H::State,
    outer: H::State,
}

impl<H: BlockHash> Clone for Keyed<H> {
    fn clone(&self) -> Self {
        Keyed {
            inner: self.inner,
            outer: self.outer,
        }
    }
}

impl<H: BlockHash> Drop for Keyed<H> {
    #[inline(never)]
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl<H: BlockHash> ZeroizeOnDrop for Keyed<H> {}

impl<H: BlockHash> Keyed<H> {
    /// Absorbs a key of any length (RFC 2104 §2: keys longer than a block are hashed first).
    ///
    /// Never inlined: its result is then written straight into the caller's, not taken apart
    /// and moved in pieces by size-optimised builds (about 200 bytes of flash).
    #[inline(never)]
    pub(super) fn new(key: &[u8]) -> Self {
        let mut pad = Zeroizing::new(H::ZERO);
        let k = pad.as_mut();
        if key.len() > k.len() {
            plain_hash::<H>(key, k);
            k.iter_mut().for_each(|b| *b ^= 0x36);
        } else {
            // Every byte written, key or zero: not a copy the compiler turns into a `memcpy`
            // call (a few hundred bytes of flash on a microcontroller).
            for (i, p) in k.iter_mut().enumerate() {
                *p = key.get(i).copied().unwrap_or(0) ^ 0x36;
            }
        }
        let mut inner = H::IV;
        H::compress(&mut inner, &pad);
        // 0x36 ^ 0x5c turns the inner pad into the outer one.
        pad.as_mut().iter_mut().for_each(|b| *b ^= 0x36 ^ 0x5c);
        let mut outer = H::IV;
        H::compress(&mut outer, &pad);
        Keyed { inner, outer }
    }

    /// Finishes HMAC from the inner hash's final state: one outer compression.
    #[inline(always)]
    fn outer(&self, inner: &H::State) -> H::State {
        let mut block = final_block::<H>(&H::OUTER_BLOCK, H::OUT);
        H::write_state(inner, block.as_mut());
        let mut state = self.outer;
        H::compress(&mut state, &block);
        state
    }

    /// The hot path: HMAC of an 8-byte big-endian counter, dynamically truncated (RFC 4226
    /// §5.3) to a 31-bit value. Two compressions, no copies beyond the two blocks. Inlined on
    /// 64-bit targets; elsewhere generating and verifying share one copy.
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    pub(super) fn counter_value(&self, counter: u64) -> u32 {
        let mut block = final_block::<H>(&H::COUNTER_BLOCK, 8);
        if let Some(msg) = block.as_mut().get_mut(..8) {
            msg.copy_from_slice(&counter.to_be_bytes());
        }
        let mut inner = self.inner;
        H::compress(&mut inner, &block);
        let state = if cfg!(target_pointer_width = "64") {
            self.outer(&inner)
        } else {
            // The inner block becomes the outer one (a block less to clear on a
            // microcontroller): the digest covers the counter and its 0x80, then the new
            // padding; the zeros between were zeros already.
            H::write_state(&inner, block.as_mut());
            set_padding(block.as_mut(), H::OUT);
            let mut state = self.outer;
            H::compress(&mut state, &block);
            state
        };
        // The inner block is spent: serialise the digest into it.
        let digest = block.as_mut();
        H::write_state(&state, digest);
        dynamic_truncate(digest.get(..H::OUT).unwrap_or(digest))
    }

    /// [`Keyed::counter_value`] for up to [`BATCH`] counters (the rest of `counters` is
    /// ignored), written to the front of `out`.
    ///
    /// Each phase runs over every counter before the next begins: write the inner blocks,
    /// compress them, write the outer blocks, compress them. The candidates are independent, so
    /// the compressions need not wait for each other, and a block is read by the block function
    /// well after it was written, not while the bytes just stored into it are still on their
    /// way to the cache. The states start from the public IV and take the keyed state only for
    /// the slots in use, so no spare copy of it is left behind.
    #[inline(always)]
    pub(super) fn counter_values(&self, counters: &[u64], out: &mut [u32]) {
        if BATCH == 1 {
            for (value, &counter) in out.iter_mut().zip(counters).take(BATCH) {
                *value = self.counter_value(counter);
            }
            return;
        }
        let n = counters.len().min(BATCH);
        let mut blocks = [H::COUNTER_BLOCK; BATCH];
        let mut states = [H::IV; BATCH];
        for ((block, state), counter) in blocks.iter_mut().zip(&mut states).zip(counters) {
            if let Some(msg) = block.as_mut().get_mut(..8) {
                msg.copy_from_slice(&counter.to_be_bytes());
            }
            *state = self.inner;
        }
        for (block, state) in blocks.iter().zip(&mut states).take(n) {
            H::compress(state, block);
        }
        for (block, state) in blocks.iter_mut().zip(&mut states).take(n) {
            *block = H::OUTER_BLOCK;
            H::write_state(state, block.as_mut());
            *state = self.outer;
        }
        for (block, state) in blocks.iter().zip(&mut states).take(n) {
            H::compress(state, block);
        }
        // The blocks are spent: serialise each digest into its own, rather than into more stack.
        for ((block, state), value) in blocks.iter_mut().zip(&states).zip(out).take(n) {
            let digest = block.as_mut();
            H::write_state(state, digest);
            *value = dynamic_truncate(digest.get(..H::OUT).unwrap_or(digest));
        }
    }

    /// HMAC over the concatenation of `parts`, without allocating.
    pub(super) fn digest(&self, parts: &[&[u8]]) -> Digest {
        let mut state = self.inner;
        // The inner hash has absorbed one block, the key's.
        absorb::<H>(&mut state, H::ZERO.as_ref().len() as u64, parts);
        let state = self.outer(&state);
        let mut out = Digest {
            bytes: [0; MAX_OUTPUT],
            len: H::OUT,
        };
        H::write_state(&state, &mut out.bytes);
        out
    }
}

/// Hashes the concatenation of `parts` into `state`, which has absorbed `prefix` bytes before
/// them (whole blocks), and pads the message (FIPS 180-4 §5.1): `state` is then the hash's
/// final state. The block used is wiped.
pub(super) fn absorb<H: BlockHash>(state: &mut H::State, prefix: u64, parts: &[&[u8]]) {
    // Byte by byte on microcontrollers: slice copies become calls to `memcpy`, a few hundred
    // bytes of flash that nothing else on the way needs.
    absorb_as::<H, { cfg!(not(target_pointer_width = "64")) }>(state, prefix, parts);
}

/// [`absorb`], copying the message into blocks byte by byte or a slice at a time.
#[inline(always)]
pub(super) fn absorb_as<H: BlockHash, const BYTEWISE: bool>(
    state: &mut H::State,
    prefix: u64,
    parts: &[&[u8]],
) {
    let mut block = H::ZERO;
    let block_len = block.as_ref().len();
    let mut fill = 0usize;
    let mut total = prefix;
    for part in parts {
        let mut rest = *part;
        total = total.wrapping_add(rest.len() as u64);
        if BYTEWISE {
            for &byte in rest {
                if let Some(slot) = block.as_mut().get_mut(fill) {
                    *slot = byte;
                }
                fill += 1;
                if fill == block_len {
                    H::compress(state, &block);
                    fill = 0;
                }
            }
            continue;
        }
        while !rest.is_empty() {
            let free = block.as_mut().get_mut(fill..).unwrap_or_default();
            let n = free.len().min(rest.len());
            let (now, later) = rest.split_at(n);
            free.iter_mut().zip(now).for_each(|(d, s)| *d = *s);
            fill += n;
            rest = later;
            if fill == block_len {
                H::compress(state, &block);
                fill = 0;
            }
        }
    }
    // Padding: 0x80, zeros, then the bit length of everything absorbed. The length field is 8
    // bytes for SHA-1/SHA-256 and 16 for SHA-512; messages here are far below 2^61 bytes, so
    // the upper 8 bytes of SHA-512's field stay zero.
    let b = block.as_mut();
    b.iter_mut().skip(fill).for_each(|x| *x = 0);
    if let Some(x) = b.get_mut(fill) {
        *x = 0x80;
    }
    let len_field = if block_len == 128 { 16 } else { 8 };
    if fill + 1 > block_len - len_field {
        H::compress(state, &block);
        block = H::ZERO;
    }
    let bits = total.wrapping_mul(8);
    if let Some(tail) = block.as_mut().get_mut(block_len - 8..) {
        tail.copy_from_slice(&bits.to_be_bytes());
    }
    H::compress(state, &block);
    block.zeroize();
}

/// The plain hash of `data` into the first `OUT` bytes of `out`, over the same block function
/// as HMAC (so a firmware build with `sha1-compact` links no other).
pub(super) fn plain_hash<H: BlockHash>(data: &[u8], out: &mut [u8]) {
    let mut state = H::IV;
    absorb::<H>(&mut state, 0, &[data]);
    H::write_state(&state, out);
    // A long HMAC key's hash, or an OCRA PIN's: as secret as what was hashed.
    state.zeroize();
}
