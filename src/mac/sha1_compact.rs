//! A size-first SHA-1 block function (FIPS 180-4 §6.1.2), for firmware: one rolled loop of 80
//! rounds over a 16-word circular message schedule, a few hundred bytes of code where the `sha1`
//! crate's unrolled portable function takes about 3 KiB. It is several times slower on a desktop
//! processor (docs/performance.md gives the ratio); the feature `sha1-compact` selects it.

use zeroize::Zeroize;

/// Runs the SHA-1 block function once over `block`.
// Every index is masked to 0..16 of a 16-word array, so no bounds check (and no panic path)
// survives; `.ci/size` checks the compiled objects for panics.
#[allow(clippy::indexing_slicing)]
pub(crate) fn compress(state: &mut [u32; 5], block: &[u8; 64]) {
    let mut w = [0u32; 16];
    let (words, _) = block.as_chunks::<4>();
    for (w, bytes) in w.iter_mut().zip(words) {
        *w = u32::from_be_bytes(*bytes);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *state;
    for i in 0..80 {
        let s = i & 15;
        if i >= 16 {
            // W[i] = ROTL1(W[i-3] ^ W[i-8] ^ W[i-14] ^ W[i-16]), in place of W[i-16].
            w[s] = (w[(i + 13) & 15] ^ w[(i + 8) & 15] ^ w[(i + 2) & 15] ^ w[s]).rotate_left(1);
        }
        let (f, k) = if i < 20 {
            ((b & c) | (!b & d), 0x5A82_7999)
        } else if i < 40 {
            (b ^ c ^ d, 0x6ED9_EBA1)
        } else if i < 60 {
            ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
        } else {
            (b ^ c ^ d, 0xCA62_C1D6)
        };
        let t = a
            .rotate_left(5)
            .wrapping_add(f)
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(w[s]);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = t;
    }
    for (h, v) in state.iter_mut().zip([a, b, c, d, e]) {
        *h = h.wrapping_add(v);
    }
    // The schedule holds key-derived words while keying; the working variables live in
    // registers and are overwritten by the next call.
    w.zeroize();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sha1::Digest as _;

    /// SHA-1 of `data` over [`compress`], with FIPS 180-4 §5.1.1 padding.
    fn sha1_compact(data: &[u8]) -> [u8; 20] {
        let mut state = [
            0x6745_2301,
            0xEFCD_AB89,
            0x98BA_DCFE,
            0x1032_5476,
            0xC3D2_E1F0,
        ];
        let mut padded = data.to_vec();
        padded.push(0x80);
        while padded.len() % 64 != 56 {
            padded.push(0);
        }
        padded.extend_from_slice(&(data.len() as u64 * 8).to_be_bytes());
        for block in padded.chunks_exact(64) {
            compress(&mut state, block.try_into().unwrap());
        }
        let mut out = [0u8; 20];
        for (o, w) in out.chunks_exact_mut(4).zip(state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }

    #[test]
    fn fips_180_examples() {
        assert_eq!(
            sha1_compact(b"abc"),
            hex_literal::hex!("a9993e364706816aba3e25717850c26c9cd0d89d")
        );
        assert_eq!(
            sha1_compact(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            hex_literal::hex!("84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        );
    }

    #[test]
    fn every_length_up_to_three_blocks_matches_the_sha1_crate() {
        for len in 0..=3 * 64 {
            let data: std::vec::Vec<u8> = (0..len).map(|i| (i * 151 + 7) as u8).collect();
            assert_eq!(
                sha1_compact(&data)[..],
                sha1::Sha1::digest(&data)[..],
                "{len}"
            );
        }
    }

    proptest! {
        #[test]
        fn matches_the_sha1_crate(data in prop::collection::vec(any::<u8>(), 0..=3 * 64)) {
            prop_assert_eq!(&sha1_compact(&data)[..], &sha1::Sha1::digest(&data)[..]);
        }

        #[test]
        fn one_block_matches_the_sha1_crates_block_function(
            state in any::<[u32; 5]>(), block in prop::collection::vec(any::<u8>(), 64)
        ) {
            let block: [u8; 64] = block.try_into().unwrap();
            let (mut ours, mut theirs) = (state, state);
            compress(&mut ours, &block);
            sha1::block_api::compress(&mut theirs, core::slice::from_ref(&block));
            prop_assert_eq!(ours, theirs);
        }
    }
}
