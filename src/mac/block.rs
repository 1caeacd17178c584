//! The block functions of SHA-1, SHA-256 and SHA-512 and the padding HMAC needs around them.
//!
//! With the unit tests of `mac`, this is the only code that names `sha1`/`sha2`.

use zeroize::Zeroize;

use crate::Algorithm;

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
pub(super) const fn padded_block<const B: usize>(msg_len: usize) -> [u8; B] {
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
pub(super) fn final_block<H: BlockHash>(template: &H::Block, msg_len: usize) -> H::Block {
    if cfg!(target_pointer_width = "64") {
        *template
    } else {
        padded_at_run_time::<H>(msg_len)
    }
}

/// [`padded_block`] built at run time, for any hash.
#[inline(always)]
pub(super) fn padded_at_run_time<H: BlockHash>(msg_len: usize) -> H::Block {
    let mut block = H::ZERO;
    set_padding(block.as_mut(), msg_len);
    block
}

/// Writes the padding of a message of `msg_len` bytes after one key block into `block`:
/// `0x80` after the message and the bit length in the last 8 bytes. The bytes between are left
/// as they are.
#[inline(always)]
pub(super) fn set_padding(block: &mut [u8], msg_len: usize) {
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
        super::sha1_compact::compress(state, block);
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
