//! HMAC (RFC 2104) keyed once, driven through the hash's block function.
//!
//! This is the only file that names `sha1`/`sha2`. A key is absorbed once into the two states
//! `H(K ^ ipad)` and `H(K ^ opad)`; every code after that costs exactly two compressions for an
//! 8-byte counter (one inner block, one outer block) with the padding prebuilt. The `hmac` crate
//! is the reference this module is tested against (unit tests below, for every algorithm and
//! key length); it is not used at run time because its buffering costs about half as much again
//! as the two compressions themselves.

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Algorithm;

#[cfg(feature = "sha1-compact")]
mod sha1_compact;

/// The longest HMAC output (SHA-512).
pub(crate) const MAX_OUTPUT: usize = 64;

/// How many counters [`Mac::counter_values`] computes together: a window of one step either
/// side in one batch. More buys nothing measurable and costs stack. On 32-bit targets
/// (microcontrollers, whose cores do not overlap independent compressions), one: the batch's
/// blocks cost flash and stack and buy nothing there.
pub(crate) const BATCH: usize = if cfg!(target_pointer_width = "64") {
    3
} else {
    1
};

/// A hash's block function and the constants HMAC needs around it.
pub(crate) trait BlockHash {
    /// The chaining state (`[u32; 5]`, `[u32; 8]`, `[u64; 8]`).
    type State: Copy + Zeroize;
    /// One block (`[u8; 64]` or `[u8; 128]`).
    type Block: Copy + Zeroize + AsRef<[u8]> + AsMut<[u8]>;
    /// The initial state (FIPS 180-4 §5.3).
    const IV: Self::State;
    /// An all-zero block.
    const ZERO: Self::Block;
    /// Output length in bytes.
    const OUT: usize;
    /// The inner block of an 8-byte message: 8 free bytes, then `0x80`, zeros and the length
    /// `(block + 8) * 8` in bits.
    const COUNTER_BLOCK: Self::Block;
    /// The outer block: `OUT` free bytes, then `0x80`, zeros and the length `(block + OUT) * 8`.
    const OUTER_BLOCK: Self::Block;
    /// The algorithm this is.
    const ALGORITHM: Algorithm;

    /// Runs the block function once.
    fn compress(state: &mut Self::State, block: &Self::Block);
    /// Writes the state big-endian into the first `OUT` bytes of `out`.
    fn write_state(state: &Self::State, out: &mut [u8]);
}

/// Builds a padded final block for a message of `msg_len` bytes that follows one key block.
// Evaluated at compile time only: an index out of range fails the build, not a caller.
#[allow(clippy::indexing_slicing)]
const fn padded_block<const B: usize>(msg_len: usize) -> [u8; B] {
    let mut block = [0u8; B];
    block[msg_len] = 0x80;
    // Message length in bits, including the key block before it. Fits in the last 8 bytes.
    let bits = ((B + msg_len) * 8) as u64;
    let be = bits.to_be_bytes();
    let mut i = 0;
    while i < 8 {
        block[B - 8 + i] = be[i];
        i += 1;
    }
    block
}

/// The last block of a message of `msg_len` bytes after one key block: `template`, prebuilt,
/// on 64-bit targets (see docs/performance.md on store forwarding); elsewhere built in place,
/// which costs less flash than the prebuilt block and a `memcpy` to copy it.
#[inline(always)]
fn final_block<H: BlockHash>(template: &H::Block, msg_len: usize) -> H::Block {
    if cfg!(target_pointer_width = "64") {
        *template
    } else {
        padded_at_run_time::<H>(msg_len)
    }
}

/// [`padded_block`] built at run time, for any hash.
#[inline(always)]
fn padded_at_run_time<H: BlockHash>(msg_len: usize) -> H::Block {
    let mut block = H::ZERO;
    set_padding(block.as_mut(), msg_len);
    block
}

/// Writes the padding of a message of `msg_len` bytes after one key block into `block`:
/// `0x80` after the message and the bit length in the last 8 bytes. The bytes between are left
/// as they are.
#[inline(always)]
fn set_padding(block: &mut [u8], msg_len: usize) {
    let len = block.len();
    if let Some(x) = block.get_mut(msg_len) {
        *x = 0x80;
    }
    let bits = ((len + msg_len) * 8) as u64;
    if let Some(tail) = block.get_mut(len - 8..) {
        tail.copy_from_slice(&bits.to_be_bytes());
    }
}

/// Writes big-endian words into `out`, as many as fit.
macro_rules! write_words {
    ($state:expr, $out:expr, $w:literal) => {
        // Fixed-size chunks and array assignment: no division by a chunk size and no length
        // check, so no panic path survives even where size-optimised builds do not inline.
        let (chunks, _) = $out.as_chunks_mut::<$w>();
        for (chunk, word) in chunks.iter_mut().zip($state.iter()) {
            *chunk = word.to_be_bytes();
        }
    };
}

#[cfg(otpkit_sha1)]
pub(crate) struct Sha1;

#[cfg(otpkit_sha1)]
impl BlockHash for Sha1 {
    type State = [u32; 5];
    type Block = [u8; 64];
    const IV: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    const ZERO: [u8; 64] = [0; 64];
    const OUT: usize = 20;
    const COUNTER_BLOCK: [u8; 64] = padded_block::<64>(8);
    const OUTER_BLOCK: [u8; 64] = padded_block::<64>(20);
    const ALGORITHM: Algorithm = Algorithm::Sha1;

    #[inline(always)]
    fn compress(state: &mut [u32; 5], block: &[u8; 64]) {
        #[cfg(not(feature = "sha1-compact"))]
        sha1::block_api::compress(state, core::slice::from_ref(block));
        #[cfg(feature = "sha1-compact")]
        sha1_compact::compress(state, block);
    }

    #[inline(always)]
    fn write_state(state: &[u32; 5], out: &mut [u8]) {
        write_words!(state, out, 4);
    }
}

#[cfg(feature = "sha256")]
pub(crate) struct Sha256;

#[cfg(feature = "sha256")]
impl BlockHash for Sha256 {
    type State = [u32; 8];
    type Block = [u8; 64];
    const IV: [u32; 8] = [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];
    const ZERO: [u8; 64] = [0; 64];
    const OUT: usize = 32;
    const COUNTER_BLOCK: [u8; 64] = padded_block::<64>(8);
    const OUTER_BLOCK: [u8; 64] = padded_block::<64>(32);
    const ALGORITHM: Algorithm = Algorithm::Sha256;

    #[inline(always)]
    fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
        sha2::block_api::compress256(state, core::slice::from_ref(block));
    }

    #[inline(always)]
    fn write_state(state: &[u32; 8], out: &mut [u8]) {
        write_words!(state, out, 4);
    }
}

#[cfg(feature = "sha512")]
pub(crate) struct Sha512;

#[cfg(feature = "sha512")]
impl BlockHash for Sha512 {
    type State = [u64; 8];
    type Block = [u8; 128];
    const IV: [u64; 8] = [
        0x6a09_e667_f3bc_c908,
        0xbb67_ae85_84ca_a73b,
        0x3c6e_f372_fe94_f82b,
        0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1,
        0x9b05_688c_2b3e_6c1f,
        0x1f83_d9ab_fb41_bd6b,
        0x5be0_cd19_137e_2179,
    ];
    const ZERO: [u8; 128] = [0; 128];
    const OUT: usize = 64;
    const COUNTER_BLOCK: [u8; 128] = padded_block::<128>(8);
    const OUTER_BLOCK: [u8; 128] = padded_block::<128>(64);
    const ALGORITHM: Algorithm = Algorithm::Sha512;

    #[inline(always)]
    fn compress(state: &mut [u64; 8], block: &[u8; 128]) {
        sha2::block_api::compress512(state, core::slice::from_ref(block));
    }

    #[inline(always)]
    fn write_state(state: &[u64; 8], out: &mut [u8]) {
        write_words!(state, out, 8);
    }
}

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
    fn new(key: &[u8]) -> Self {
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
    fn counter_value(&self, counter: u64) -> u32 {
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
    fn counter_values(&self, counters: &[u64], out: &mut [u32]) {
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
    fn digest(&self, parts: &[&[u8]]) -> Digest {
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
fn absorb<H: BlockHash>(state: &mut H::State, prefix: u64, parts: &[&[u8]]) {
    // Byte by byte on microcontrollers: slice copies become calls to `memcpy`, a few hundred
    // bytes of flash that nothing else on the way needs.
    absorb_as::<H, { cfg!(not(target_pointer_width = "64")) }>(state, prefix, parts);
}

/// [`absorb`], copying the message into blocks byte by byte or a slice at a time.
#[inline(always)]
fn absorb_as<H: BlockHash, const BYTEWISE: bool>(
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
fn plain_hash<H: BlockHash>(data: &[u8], out: &mut [u8]) {
    let mut state = H::IV;
    absorb::<H>(&mut state, 0, &[data]);
    H::write_state(&state, out);
    // A long HMAC key's hash, or an OCRA PIN's: as secret as what was hashed.
    state.zeroize();
}

/// RFC 4226 §5.3 dynamic truncation: 31 bits from the offset named by the last byte's low nibble.
#[inline(always)]
pub(crate) fn dynamic_truncate(digest: &[u8]) -> u32 {
    let offset = usize::from(digest.last().copied().unwrap_or(0) & 0x0f);
    let mut p = [0u8; 4];
    if let Some(s) = digest.get(offset..offset + 4) {
        p.copy_from_slice(s);
    }
    u32::from_be_bytes(p) & 0x7fff_ffff
}

/// The plain hash of `data` (20, 32 or 64 bytes): OCRA's `P` field is the hash of the PIN
/// (RFC 6287 §5.1).
pub(crate) fn hash(algorithm: Algorithm, data: &[u8]) -> Digest {
    let mut out = Digest {
        bytes: [0; MAX_OUTPUT],
        len: algorithm.output_len(),
    };
    match algorithm {
        #[cfg(otpkit_sha1)]
        Algorithm::Sha1 => plain_hash::<Sha1>(data, &mut out.bytes),
        #[cfg(feature = "sha256")]
        Algorithm::Sha256 => plain_hash::<Sha256>(data, &mut out.bytes),
        #[cfg(feature = "sha512")]
        Algorithm::Sha512 => plain_hash::<Sha512>(data, &mut out.bytes),
    }
    out
}

/// A full HMAC or hash output (20, 32 or 64 bytes).
///
/// Wiped on drop: besides HMAC outputs it carries the hash of an OCRA PIN, which is as good as
/// the PIN to anyone who can try PINs offline.
#[derive(Clone)]
pub(crate) struct Digest {
    bytes: [u8; MAX_OUTPUT],
    len: usize,
}

impl Drop for Digest {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl Digest {
    /// The HMAC output.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&self.bytes)
    }
}

/// A key absorbed into HMAC for one algorithm.
#[derive(Clone)]
pub(crate) enum Mac {
    #[cfg(otpkit_sha1)]
    Sha1(Keyed<Sha1>),
    #[cfg(feature = "sha256")]
    Sha256(Keyed<Sha256>),
    #[cfg(feature = "sha512")]
    Sha512(Keyed<Sha512>),
}

/// Compiles only for types that wipe themselves on drop.
const fn wiped_on_drop<T: ZeroizeOnDrop + ?Sized>() {}
// The keyed states must be wiped on drop.
#[cfg(otpkit_sha1)]
const _: () = wiped_on_drop::<Keyed<Sha1>>();
#[cfg(feature = "sha256")]
const _: () = wiped_on_drop::<Keyed<Sha256>>();
#[cfg(feature = "sha512")]
const _: () = wiped_on_drop::<Keyed<Sha512>>();

impl core::fmt::Debug for Mac {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Mac")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl Mac {
    /// Absorbs `key` (any length) for `algorithm`.
    pub(crate) fn new(algorithm: Algorithm, key: &[u8]) -> Mac {
        match algorithm {
            #[cfg(otpkit_sha1)]
            Algorithm::Sha1 => Mac::Sha1(Keyed::new(key)),
            #[cfg(feature = "sha256")]
            Algorithm::Sha256 => Mac::Sha256(Keyed::new(key)),
            #[cfg(feature = "sha512")]
            Algorithm::Sha512 => Mac::Sha512(Keyed::new(key)),
        }
    }

    /// The algorithm the key was absorbed for.
    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            #[cfg(otpkit_sha1)]
            Mac::Sha1(_) => Sha1::ALGORITHM,
            #[cfg(feature = "sha256")]
            Mac::Sha256(_) => Sha256::ALGORITHM,
            #[cfg(feature = "sha512")]
            Mac::Sha512(_) => Sha512::ALGORITHM,
        }
    }

    /// HMAC of the 8-byte big-endian counter, truncated to 31 bits (RFC 4226 §5.3).
    #[inline]
    pub(crate) fn counter_value(&self, counter: u64) -> u32 {
        match self {
            #[cfg(otpkit_sha1)]
            Mac::Sha1(k) => k.counter_value(counter),
            #[cfg(feature = "sha256")]
            Mac::Sha256(k) => k.counter_value(counter),
            #[cfg(feature = "sha512")]
            Mac::Sha512(k) => k.counter_value(counter),
        }
    }

    /// [`Mac::counter_value`] for each of up to [`BATCH`] `counters` (the rest is ignored),
    /// written to the front of `out`, with the candidates' compressions overlapping.
    #[inline]
    pub(crate) fn counter_values(&self, counters: &[u64], out: &mut [u32]) {
        match self {
            #[cfg(otpkit_sha1)]
            Mac::Sha1(k) => k.counter_values(counters, out),
            #[cfg(feature = "sha256")]
            Mac::Sha256(k) => k.counter_values(counters, out),
            #[cfg(feature = "sha512")]
            Mac::Sha512(k) => k.counter_values(counters, out),
        }
    }

    /// HMAC over the concatenation of `parts`.
    pub(crate) fn digest(&self, parts: &[&[u8]]) -> Digest {
        match self {
            #[cfg(otpkit_sha1)]
            Mac::Sha1(k) => k.digest(parts),
            #[cfg(feature = "sha256")]
            Mac::Sha256(k) => k.digest(parts),
            #[cfg(feature = "sha512")]
            Mac::Sha512(k) => k.digest(parts),
        }
    }
}

#[cfg(all(test, otpkit_sha1, feature = "sha256", feature = "sha512"))]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac as _};
    use proptest::prelude::*;

    fn reference(alg: Algorithm, key: &[u8], msg: &[u8]) -> std::vec::Vec<u8> {
        match alg {
            Algorithm::Sha1 => {
                let mut m = hmac::Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
                m.update(msg);
                m.finalize().into_bytes().to_vec()
            }
            Algorithm::Sha256 => {
                let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
                m.update(msg);
                m.finalize().into_bytes().to_vec()
            }
            Algorithm::Sha512 => {
                let mut m = hmac::Hmac::<sha2::Sha512>::new_from_slice(key).unwrap();
                m.update(msg);
                m.finalize().into_bytes().to_vec()
            }
        }
    }

    fn alg() -> impl Strategy<Value = Algorithm> {
        prop::sample::select(Algorithm::ALL)
    }

    #[test]
    fn every_key_and_message_length_at_block_edges() {
        // Key lengths around both block sizes; message lengths around every padding boundary.
        for &alg in Algorithm::ALL {
            for key_len in [0, 1, 19, 20, 63, 64, 65, 127, 128, 129, 300] {
                let key: std::vec::Vec<u8> = (0..key_len).map(|i| (i * 7 + 3) as u8).collect();
                let mac = Mac::new(alg, &key);
                for msg_len in [
                    0, 1, 8, 55, 56, 63, 64, 65, 111, 112, 119, 128, 129, 256, 1000,
                ] {
                    let msg: std::vec::Vec<u8> = (0..msg_len).map(|i| (i * 13) as u8).collect();
                    let want = reference(alg, &key, &msg);
                    assert_eq!(
                        mac.digest(&[&msg]).as_bytes(),
                        &want[..],
                        "{alg} k{key_len} m{msg_len}"
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn digest_matches_hmac_crate(alg in alg(), key in prop::collection::vec(any::<u8>(), 0..300),
                                     msg in prop::collection::vec(any::<u8>(), 0..700), split in any::<prop::sample::Index>()) {
            let mac = Mac::new(alg, &key);
            let want = reference(alg, &key, &msg);
            let at = split.index(msg.len() + 1);
            let (a, b) = msg.split_at(at);
            let got = mac.digest(&[a, b]);
            prop_assert_eq!(got.as_bytes(), &want[..]);
        }

        #[test]
        fn counter_path_matches_hmac_crate(alg in alg(), key in prop::collection::vec(any::<u8>(), 0..300), counter in any::<u64>()) {
            let mac = Mac::new(alg, &key);
            let want = reference(alg, &key, &counter.to_be_bytes());
            prop_assert_eq!(mac.counter_value(counter), dynamic_truncate(&want));
            let got = mac.digest(&[&counter.to_be_bytes()]);
            prop_assert_eq!(got.as_bytes(), &want[..]);
        }
    }

    proptest! {
        #[test]
        fn batched_counters_match_one_by_one(alg in alg(), key in prop::collection::vec(any::<u8>(), 0..200),
                                            counters in prop::collection::vec(any::<u64>(), 0..=BATCH + 1)) {
            let mac = Mac::new(alg, &key);
            let mut out = [u32::MAX; BATCH + 1];
            mac.counter_values(&counters, &mut out);
            for (i, &c) in counters.iter().enumerate().take(BATCH) {
                prop_assert_eq!(out[i], mac.counter_value(c));
            }
            // Slots past the batch or past the counters are left alone.
            for &v in out.iter().skip(counters.len().min(BATCH)) {
                prop_assert_eq!(v, u32::MAX);
            }
        }
    }

    #[test]
    fn blocks_built_at_run_time_match_the_prebuilt_ones() {
        fn check<H: BlockHash>() {
            assert_eq!(
                padded_at_run_time::<H>(8).as_ref(),
                H::COUNTER_BLOCK.as_ref()
            );
            assert_eq!(
                padded_at_run_time::<H>(H::OUT).as_ref(),
                H::OUTER_BLOCK.as_ref()
            );
        }
        check::<Sha1>();
        check::<Sha256>();
        check::<Sha512>();
    }

    proptest! {
        #[test]
        fn counter_block_patched_into_the_outer_block(counter: u64, state: [u32; 5]) {
            // What counter_value does on 32-bit targets, for each hash's block layout.
            fn check<H: BlockHash>(counter: u64, state: &H::State) -> bool {
                let mut patched = padded_at_run_time::<H>(8);
                patched.as_mut()[..8].copy_from_slice(&counter.to_be_bytes());
                H::write_state(state, patched.as_mut());
                set_padding(patched.as_mut(), H::OUT);
                let mut want = H::OUTER_BLOCK;
                H::write_state(state, want.as_mut());
                patched.as_ref() == want.as_ref()
            }
            let wide: [u64; 8] = core::array::from_fn(|i| u64::from(state[i % 5]) << (i % 3));
            let words: [u32; 8] = core::array::from_fn(|i| state[i % 5].rotate_left(i as u32));
            prop_assert!(check::<Sha1>(counter, &state));
            prop_assert!(check::<Sha256>(counter, &words));
            prop_assert!(check::<Sha512>(counter, &wide));
        }

        #[test]
        fn bytewise_absorbing_matches_slice_copies(
            data in prop::collection::vec(any::<u8>(), 0..400), split in any::<prop::sample::Index>()
        ) {
            let (a, b) = data.split_at(split.index(data.len() + 1));
            fn both<H: BlockHash>(parts: &[&[u8]]) -> bool
            where
                H::State: PartialEq,
            {
                let (mut x, mut y) = (H::IV, H::IV);
                absorb_as::<H, true>(&mut x, 64, parts);
                absorb_as::<H, false>(&mut y, 64, parts);
                x == y
            }
            prop_assert!(both::<Sha1>(&[a, b]));
            prop_assert!(both::<Sha256>(&[a, b]));
            prop_assert!(both::<Sha512>(&[a, b]));
        }
    }

    #[test]
    fn plain_hash_matches_the_hash_crates() {
        use sha2::Digest as _;
        for len in [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 300] {
            let data: std::vec::Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            assert_eq!(
                hash(Algorithm::Sha1, &data).as_bytes(),
                &sha1::Sha1::digest(&data)[..]
            );
            assert_eq!(
                hash(Algorithm::Sha256, &data).as_bytes(),
                &sha2::Sha256::digest(&data)[..]
            );
            assert_eq!(
                hash(Algorithm::Sha512, &data).as_bytes(),
                &sha2::Sha512::digest(&data)[..]
            );
        }
    }

    #[test]
    fn rfc4226_section_5_4_truncation() {
        let digest = hex_literal::hex!("1f8698690e02ca16618550ef7f19da8e945b555a");
        assert_eq!(dynamic_truncate(&digest), 0x50ef_7f19);
        assert_eq!(dynamic_truncate(&digest) % 1_000_000, 872_921);
    }
}
