//! Triple-DES key wrap, RFC 3217 §3 (no maintained crate implements it), on `des` + `cbc` +
//! `sha1`.
//!
//! As python-pskc does, any key length that is a multiple of 8 bytes is wrapped, and the key's
//! parity bits are taken as they are.

use alloc::vec::Vec;

use cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::mac::digests::{Digest, Sha1};

/// RFC 3217 §3.1's fixed IV of the second encryption pass.
const IV2: [u8; 8] = [0x4a, 0xdd, 0xa2, 0x2c, 0x79, 0xe8, 0x21, 0x05];

/// The CMS key checksum (RFC 3217 §2): the first 8 bytes of SHA-1.
fn checksum(key: &[u8]) -> [u8; 8] {
    let digest = Sha1::digest(key);
    let mut out = [0u8; 8];
    out.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
    out
}

fn cbc_in_place(kek: &[u8], iv: &[u8], buf: &mut [u8], encrypt: bool) -> Result<(), ()> {
    macro_rules! run {
        ($c:ty) => {
            if encrypt {
                let mut enc = cbc::Encryptor::<$c>::new_from_slices(kek, iv).map_err(|_| ())?;
                let (blocks, rest) = cipher::array::Array::slice_as_chunks_mut(buf);
                if !rest.is_empty() {
                    return Err(());
                }
                enc.encrypt_blocks(blocks);
            } else {
                let mut dec = cbc::Decryptor::<$c>::new_from_slices(kek, iv).map_err(|_| ())?;
                let (blocks, rest) = cipher::array::Array::slice_as_chunks_mut(buf);
                if !rest.is_empty() {
                    return Err(());
                }
                dec.decrypt_blocks(blocks);
            }
        };
    }
    match kek.len() {
        16 => run!(des::TdesEde2),
        24 => run!(des::TdesEde3),
        _ => return Err(()),
    }
    Ok(())
}

/// Wraps `key` (a multiple of 8 bytes) under `kek` (16 or 24 bytes) with the given IV.
///
/// # Errors
///
/// `Err(())` for a key that is not a non-empty multiple of 8 bytes, or a KEK of another length.
#[cfg(test)]
pub(crate) fn wrap(kek: &[u8], iv: &[u8; 8], key: &[u8]) -> Result<Vec<u8>, ()> {
    if key.is_empty() || !key.len().is_multiple_of(8) {
        return Err(());
    }
    // TEMP1 = CBC(KEK, IV, CEK ‖ ICV); TEMP2 = IV ‖ TEMP1; TEMP3 = reversed TEMP2.
    let mut temp = Zeroizing::new(Vec::with_capacity(key.len() + 16));
    temp.extend_from_slice(iv);
    temp.extend_from_slice(key);
    temp.extend_from_slice(&checksum(key));
    cbc_in_place(kek, iv, temp.get_mut(8..).ok_or(())?, true)?;
    temp.reverse();
    cbc_in_place(kek, &IV2, &mut temp, true)?;
    Ok(temp.to_vec())
}

/// Unwraps an RFC 3217 wrapped key, checking its CMS key checksum in constant time.
///
/// # Errors
///
/// `Err(())` for a wrong length, KEK or checksum.
pub(crate) fn unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, ()> {
    if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) {
        return Err(());
    }
    let mut temp = Zeroizing::new(wrapped.to_vec());
    cbc_in_place(kek, &IV2, &mut temp, false)?;
    temp.reverse();
    let (iv, rest) = temp.split_at_mut(8);
    let iv: [u8; 8] = (&*iv).try_into().map_err(|_| ())?;
    cbc_in_place(kek, &iv, rest, false)?;
    let (key, icv) = rest.split_at(rest.len() - 8);
    if !bool::from(checksum(key).ct_eq(icv)) {
        return Err(());
    }
    Ok(Zeroizing::new(key.to_vec()))
}

#[cfg(test)]
mod tests {
    use hex_literal::hex;

    /// RFC 3217 §3.3 (the example also used by Bouncy Castle's DESede wrap tests).
    const KEK: [u8; 24] = hex!("255e0d1c07b646dfb3134cc843ba8aa71f025b7c0838251f");
    const IV: [u8; 8] = hex!("5dd4cbfc96f5453b");
    const CEK: [u8; 24] = hex!("2923bf85e06dd6ae529149f1f1bae9eab3a7da3d860d3e98");
    const WRAPPED: [u8; 40] =
        hex!("690107618ef092b3b48ca1796b234ae9fa33ebb4159604037db5d6a84eb3aac2768c632775a467d4");

    #[test]
    fn rfc3217_wrap() {
        assert_eq!(super::wrap(&KEK, &IV, &CEK).unwrap(), WRAPPED);
    }

    #[test]
    fn rfc3217_unwrap() {
        assert_eq!(&*super::unwrap(&KEK, &WRAPPED).unwrap(), &CEK);
    }

    #[test]
    fn damaged_or_wrong_key_refused() {
        for i in 0..WRAPPED.len() {
            let mut w = WRAPPED;
            w[i] ^= 1;
            assert!(super::unwrap(&KEK, &w).is_err(), "byte {i}");
        }
        let mut kek = KEK;
        kek[3] ^= 0x80;
        assert!(super::unwrap(&kek, &WRAPPED).is_err());
        assert!(super::unwrap(&KEK, &WRAPPED[..32]).is_err());
        assert!(super::unwrap(&KEK[..8], &WRAPPED).is_err());
    }
}
