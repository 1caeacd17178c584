//! HMAC (RFC 2104) keyed once, driven through the hash's block function.
//!
//! `mac` and its submodules are the only files that name `sha1`/`sha2`. A key is absorbed once
//! into the two states `H(K ^ ipad)` and `H(K ^ opad)`; every code after that costs exactly two
//! compressions for an 8-byte counter (one inner block, one outer block) with the padding
//! prebuilt. The `hmac` crate is the reference this module is tested against (unit tests below,
//! for every algorithm and key length); it is not used at run time because its buffering costs
//! about half as much again as the two compressions themselves.

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::Algorithm;

mod block;
mod keyed;
#[cfg(feature = "sha1-compact")]
mod sha1_compact;

pub(crate) use block::BlockHash;
#[cfg(otpkit_sha1)]
pub(crate) use block::Sha1;
#[cfg(feature = "sha256")]
pub(crate) use block::Sha256;
#[cfg(feature = "sha512")]
pub(crate) use block::Sha512;
pub(crate) use keyed::Keyed;
use keyed::plain_hash;

/// The hash crates' own types, for the PSKC module, which drives them through other
/// RustCrypto crates (`hmac`, `pbkdf2`, RFC 3217's SHA-1 checksum); named here so that this
/// module stays the only one naming `sha1`/`sha2`.
#[cfg(feature = "pskc")]
pub(crate) mod digests {
    pub(crate) use sha1::{Digest, Sha1};
    pub(crate) use sha2::{Sha224, Sha256, Sha384, Sha512};
}

/// SHA-256 of `parts`, in order: the sealed-key format's associated data and master-key
/// fingerprint. The hasher is updated in place (no move leaves its buffer, which may hold key
/// bytes, on the stack) and wiped when dropped.
#[cfg(feature = "sealed-keys")]
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let mut digest = sha2::digest::Output::<sha2::Sha256>::default();
    hasher.finalize_into_reset(&mut digest);
    digest.into()
}

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
    use super::block::{padded_at_run_time, set_padding};
    use super::keyed::absorb_as;
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
