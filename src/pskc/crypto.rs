//! The algorithms of RFC 6030 §6: CBC and key-wrap ciphers, HMAC, PBKDF2, each named by the
//! URI the document uses.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use cipher::block_padding::Pkcs7;
use cipher::{BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt};
use cipher::{KeyInit, KeyIvInit};
use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::error::PskcErrorKind;
use super::tdes_kw;
use crate::mac::digests::{Sha1, Sha224, Sha256, Sha384, Sha512};

const XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
const XMLDSIG_MORE: &str = "http://www.w3.org/2001/04/xmldsig-more#";
const XMLDSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

/// A symmetric encryption algorithm of RFC 6030 §6.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cipher {
    AesCbc(usize),
    TdesCbc,
    CamelliaCbc(usize),
    AesKw(usize),
    TdesKw,
    CamelliaKw(usize),
}

impl Cipher {
    /// The cipher an `EncryptionMethod/@Algorithm` names. Lenient mode matches the part after
    /// `#` case-insensitively, with python-pskc's aliases (`3des-cbc`, `kw-3des`, ...).
    pub fn from_uri(uri: &str, strict: bool) -> Result<Cipher, PskcErrorKind> {
        let unsupported = || PskcErrorKind::UnsupportedAlgorithm(String::from(uri));
        let (base, frag) = match uri.rfind('#') {
            Some(i) => uri.split_at(i + 1),
            None => ("", uri),
        };
        if matches!(frag, "rsa-1_5" | "rsa_1_5" | "rsa-oaep-mgf1p" | "rsa-oaep") {
            return Err(PskcErrorKind::AsymmetricTransport(String::from(uri)));
        }
        if strict && base != XENC && base != XMLDSIG_MORE {
            return Err(unsupported());
        }
        let lower;
        let frag = if strict {
            frag
        } else {
            lower = frag.to_ascii_lowercase();
            lower.as_str()
        };
        Ok(match frag {
            "aes128-cbc" => Cipher::AesCbc(16),
            "aes192-cbc" => Cipher::AesCbc(24),
            "aes256-cbc" => Cipher::AesCbc(32),
            "tripledes-cbc" => Cipher::TdesCbc,
            "3des-cbc" | "des3-cbc" if !strict => Cipher::TdesCbc,
            "kw-aes128" => Cipher::AesKw(16),
            "kw-aes192" => Cipher::AesKw(24),
            "kw-aes256" => Cipher::AesKw(32),
            "kw-tripledes" => Cipher::TdesKw,
            "kw-3des" | "kw-des3" if !strict => Cipher::TdesKw,
            "camellia128" | "camellia128-cbc" => Cipher::CamelliaCbc(16),
            "camellia192" | "camellia192-cbc" => Cipher::CamelliaCbc(24),
            "camellia256" | "camellia256-cbc" => Cipher::CamelliaCbc(32),
            "kw-camellia128" => Cipher::CamelliaKw(16),
            "kw-camellia192" => Cipher::CamelliaKw(24),
            "kw-camellia256" => Cipher::CamelliaKw(32),
            _ => return Err(unsupported()),
        })
    }

    /// Whether the cipher has no integrity of its own (so values need a MAC).
    pub fn is_cbc(self) -> bool {
        matches!(
            self,
            Cipher::AesCbc(_) | Cipher::TdesCbc | Cipher::CamelliaCbc(_)
        )
    }

    /// The key length the cipher needs (for Triple DES, 24; 16 also works).
    pub fn key_len(self) -> usize {
        match self {
            Cipher::AesCbc(n)
            | Cipher::CamelliaCbc(n)
            | Cipher::AesKw(n)
            | Cipher::CamelliaKw(n) => n,
            Cipher::TdesCbc | Cipher::TdesKw => 24,
        }
    }

    fn check_key(self, key: &[u8]) -> Result<(), PskcErrorKind> {
        let ok = match self {
            Cipher::TdesCbc | Cipher::TdesKw => key.len() == 16 || key.len() == 24,
            _ => key.len() == self.key_len(),
        };
        if ok {
            Ok(())
        } else {
            Err(PskcErrorKind::TransportKeyLength { len: key.len() })
        }
    }

    /// Decrypts a `CipherValue` (IV‖ciphertext for CBC, the wrapped key for key wrap).
    pub fn decrypt(self, key: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, PskcErrorKind> {
        self.check_key(key)?;
        let d = PskcErrorKind::Decryption;
        match self {
            Cipher::AesCbc(16) => cbc_decrypt::<aes::Aes128>(key, data),
            Cipher::AesCbc(24) => cbc_decrypt::<aes::Aes192>(key, data),
            Cipher::AesCbc(_) => cbc_decrypt::<aes::Aes256>(key, data),
            Cipher::CamelliaCbc(16) => cbc_decrypt::<camellia::Camellia128>(key, data),
            Cipher::CamelliaCbc(24) => cbc_decrypt::<camellia::Camellia192>(key, data),
            Cipher::CamelliaCbc(_) => cbc_decrypt::<camellia::Camellia256>(key, data),
            Cipher::TdesCbc if key.len() == 16 => cbc_decrypt::<des::TdesEde2>(key, data),
            Cipher::TdesCbc => cbc_decrypt::<des::TdesEde3>(key, data),
            Cipher::AesKw(16) => kw_unwrap::<aes::Aes128>(key, data),
            Cipher::AesKw(24) => kw_unwrap::<aes::Aes192>(key, data),
            Cipher::AesKw(_) => kw_unwrap::<aes::Aes256>(key, data),
            Cipher::CamelliaKw(16) => kw_unwrap::<camellia::Camellia128>(key, data),
            Cipher::CamelliaKw(24) => kw_unwrap::<camellia::Camellia192>(key, data),
            Cipher::CamelliaKw(_) => kw_unwrap::<camellia::Camellia256>(key, data),
            Cipher::TdesKw => tdes_kw::unwrap(key, data).map_err(|()| d),
        }
    }
}

/// IV‖ciphertext, PKCS#7 padding (RFC 6030 §6.1.1: one cipher block of IV first).
fn cbc_decrypt<C>(key: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, PskcErrorKind>
where
    C: BlockCipherDecrypt + KeyInit,
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let bs = <C as cipher::BlockSizeUser>::block_size();
    let d = PskcErrorKind::Decryption;
    if data.len() < 2 * bs || !data.len().is_multiple_of(bs) {
        return Err(d);
    }
    let (iv, ct) = data.split_at(bs);
    let dec = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| d.clone())?;
    let mut buf = Zeroizing::new(ct.to_vec());
    let len = dec.decrypt_padded::<Pkcs7>(&mut buf).map_err(|_| d)?.len();
    buf.truncate(len);
    Ok(buf)
}

/// IV‖ciphertext under a fresh IV, PKCS#7 padding.
pub(crate) fn cbc_encrypt<C>(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Vec<u8>
where
    C: BlockCipherEncrypt + KeyInit,
    cbc::Encryptor<C>: KeyIvInit + BlockModeEncrypt,
{
    let bs = <C as cipher::BlockSizeUser>::block_size();
    let padded_len = (plaintext.len() / bs + 1) * bs;
    let mut out = vec![0u8; bs + padded_len];
    let (head, body) = out.split_at_mut(bs);
    head.copy_from_slice(iv);
    if let Some(dst) = body.get_mut(..plaintext.len()) {
        dst.copy_from_slice(plaintext);
    }
    match cbc::Encryptor::<C>::new_from_slices(key, iv) {
        Ok(enc) => {
            let _ = enc.encrypt_padded::<Pkcs7>(body, plaintext.len());
        }
        // Unreachable with the lengths the writer checks; never leave the plaintext behind.
        Err(_) => zeroize::Zeroize::zeroize(body),
    }
    out
}

/// RFC 3394 key wrap, or RFC 5649 with padding: the integrity value says which.
fn kw_unwrap<C>(key: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, PskcErrorKind>
where
    C: BlockCipherDecrypt<BlockSize = cipher::consts::U16> + KeyInit,
{
    let d = PskcErrorKind::Decryption;
    if data.len() < 16 || !data.len().is_multiple_of(8) {
        return Err(d);
    }
    let mut buf = Zeroizing::new(vec![0u8; data.len() - 8]);
    let kw = aes_kw::AesKw::<C>::new_from_slice(key).map_err(|_| d.clone())?;
    if data.len() >= 24
        && let Ok(out) = kw.unwrap_key(data, &mut buf)
    {
        let len = out.len();
        buf.truncate(len);
        return Ok(buf);
    }
    let kwp = aes_kw::AesKwp::<C>::new_from_slice(key).map_err(|_| d.clone())?;
    let len = kwp.unwrap_key(data, &mut buf).map_err(|_| d)?.len();
    buf.truncate(len);
    Ok(buf)
}

/// An HMAC algorithm (MAC and PBKDF2 PRF).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HmacAlg {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl HmacAlg {
    /// The HMAC a `MACMethod/@Algorithm` or `PRF/@Algorithm` names.
    pub fn from_uri(uri: &str, strict: bool) -> Result<HmacAlg, PskcErrorKind> {
        let (base, frag) = match uri.rfind('#') {
            Some(i) => uri.split_at(i + 1),
            None => ("", uri),
        };
        let lower = frag.to_ascii_lowercase();
        if lower.contains("md5") || lower.contains("ripemd") {
            return Err(PskcErrorKind::RefusedMac(String::from(uri)));
        }
        let unsupported = || PskcErrorKind::UnsupportedAlgorithm(String::from(uri));
        if strict {
            return match (base, frag) {
                (XMLDSIG, "hmac-sha1") => Ok(HmacAlg::Sha1),
                (XMLDSIG_MORE, "hmac-sha224") => Ok(HmacAlg::Sha224),
                (XMLDSIG_MORE, "hmac-sha256") => Ok(HmacAlg::Sha256),
                (XMLDSIG_MORE, "hmac-sha384") => Ok(HmacAlg::Sha384),
                (XMLDSIG_MORE, "hmac-sha512") => Ok(HmacAlg::Sha512),
                _ => Err(unsupported()),
            };
        }
        match lower.replace("sha-", "sha").as_str() {
            "hmac-sha1" => Ok(HmacAlg::Sha1),
            "hmac-sha224" => Ok(HmacAlg::Sha224),
            "hmac-sha256" => Ok(HmacAlg::Sha256),
            "hmac-sha384" => Ok(HmacAlg::Sha384),
            "hmac-sha512" => Ok(HmacAlg::Sha512),
            _ => Err(unsupported()),
        }
    }

    /// HMAC of `data` under `key`, into a zeroizing buffer.
    pub fn mac(self, key: &[u8], parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
        fn run<M: Mac + hmac::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
            // HMAC takes keys of any length.
            let Ok(mut m) = <M as hmac::KeyInit>::new_from_slice(key) else {
                return Zeroizing::new(Vec::new());
            };
            for p in parts {
                m.update(p);
            }
            Zeroizing::new(m.finalize().into_bytes().to_vec())
        }
        match self {
            HmacAlg::Sha1 => run::<Hmac<Sha1>>(key, parts),
            HmacAlg::Sha224 => run::<Hmac<Sha224>>(key, parts),
            HmacAlg::Sha256 => run::<Hmac<Sha256>>(key, parts),
            HmacAlg::Sha384 => run::<Hmac<Sha384>>(key, parts),
            HmacAlg::Sha512 => run::<Hmac<Sha512>>(key, parts),
        }
    }

    /// Checks `tag` against the HMAC of `parts`, in constant time.
    pub fn verify(self, key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
        let expected = self.mac(key, parts);
        !expected.is_empty() && bool::from(expected.as_slice().ct_eq(tag))
    }

    /// PBKDF2 (RFC 8018 §5.2) with this HMAC as PRF.
    pub fn pbkdf2(self, password: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
        match self {
            HmacAlg::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, rounds, out),
            HmacAlg::Sha224 => pbkdf2::pbkdf2_hmac::<Sha224>(password, salt, rounds, out),
            HmacAlg::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, rounds, out),
            HmacAlg::Sha384 => pbkdf2::pbkdf2_hmac::<Sha384>(password, salt, rounds, out),
            HmacAlg::Sha512 => pbkdf2::pbkdf2_hmac::<Sha512>(password, salt, rounds, out),
        }
    }

    /// The URI RFC 6030 writes for this HMAC.
    pub fn uri(self) -> &'static str {
        match self {
            HmacAlg::Sha1 => "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
            HmacAlg::Sha224 => "http://www.w3.org/2001/04/xmldsig-more#hmac-sha224",
            HmacAlg::Sha256 => "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
            HmacAlg::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#hmac-sha384",
            HmacAlg::Sha512 => "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512",
        }
    }
}
