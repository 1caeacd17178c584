//! The transport key, the MAC key, and each `Data` value: plain or encrypted, MAC-checked
//! before decryption (RFC 6030 §6).

use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use zeroize::Zeroizing;

use super::crypto::{Cipher, HmacAlg};
use super::error::{LimitKind, PskcErrorKind, Warning};
use super::limits::Limits;
use super::xml::Node;

/// PBKDF2 parameters of `EncryptionKey/DerivedKey` (RFC 6030 §6.2).
pub(crate) struct Pbkdf2Params {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub key_length: Option<usize>,
    pub prf: HmacAlg,
}

/// The MAC algorithm, its key, and whether the transport key stood in for a missing `MACKey`.
type MacKey = (HmacAlg, Zeroizing<Vec<u8>>, bool);

/// What the container says about encryption and MAC, plus what the caller gave, plus the
/// keys derived from both (each derived once, on first need).
pub(crate) struct Crypto {
    pub strict: bool,
    pub limits: Limits,
    pub psk: Option<Zeroizing<Vec<u8>>>,
    pub password: Option<Zeroizing<Vec<u8>>>,
    /// `EncryptionKey/@Algorithm` of the drafts (the value's own method wins).
    pub doc_algorithm: Option<String>,
    pub derivation: Option<Result<Pbkdf2Params, PskcErrorKind>>,
    pub asymmetric: Option<String>,
    /// Drafts (lenient mode): one IV for every CBC value, given in `EncryptionKey/IV`, and
    /// not prepended to the values.
    pub legacy_iv: Option<Vec<u8>>,
    pub mac_algorithm: Option<String>,
    /// `MACKey`: its algorithm and cipher value.
    pub mac_key: Option<(Option<String>, Vec<u8>)>,
    key: Option<Result<Zeroizing<Vec<u8>>, PskcErrorKind>>,
    mac: Option<Result<MacKey, PskcErrorKind>>,
}

impl Crypto {
    pub fn new(
        strict: bool,
        limits: Limits,
        psk: Option<Zeroizing<Vec<u8>>>,
        password: Option<Zeroizing<Vec<u8>>>,
    ) -> Crypto {
        Crypto {
            strict,
            limits,
            psk,
            password,
            doc_algorithm: None,
            derivation: None,
            asymmetric: None,
            legacy_iv: None,
            mac_algorithm: None,
            mac_key: None,
            key: None,
            mac: None,
        }
    }

    fn transport_key(&mut self, cipher: Cipher) -> Result<Zeroizing<Vec<u8>>, PskcErrorKind> {
        if let Some(method) = &self.asymmetric {
            return Err(PskcErrorKind::AsymmetricTransport(method.clone()));
        }
        if self.key.is_none() {
            let key = match (&self.derivation, &self.password, &self.psk) {
                (Some(Err(e)), _, _) => Err(e.clone()),
                (Some(Ok(p)), Some(password), _) => {
                    if p.iterations > self.limits.max_pbkdf2_iterations {
                        Err(PskcErrorKind::Limit(LimitKind::Pbkdf2Iterations))
                    } else if p.iterations == 0 {
                        Err(PskcErrorKind::InvalidValue("IterationCount"))
                    } else {
                        let len = p.key_length.unwrap_or(cipher.key_len()).min(64);
                        let mut out = Zeroizing::new(alloc::vec![0u8; len]);
                        p.prf.pbkdf2(password, &p.salt, p.iterations, &mut out);
                        Ok(out)
                    }
                }
                (None, _, Some(psk)) => Ok(psk.clone()),
                _ => Err(PskcErrorKind::NoTransportKey),
            };
            self.key = Some(key);
        }
        match &self.key {
            Some(Ok(k)) => Ok(k.clone()),
            Some(Err(e)) => Err(e.clone()),
            None => Err(PskcErrorKind::NoTransportKey),
        }
    }

    /// The MAC algorithm and key; `bool` says the transport key stood in for a missing
    /// `MACKey`.
    fn mac(&mut self, value_cipher: Cipher) -> Result<MacKey, PskcErrorKind> {
        if self.mac.is_none() {
            let r = self.derive_mac(value_cipher);
            self.mac = Some(r);
        }
        match &self.mac {
            Some(Ok((a, k, w))) => Ok((*a, k.clone(), *w)),
            Some(Err(e)) => Err(e.clone()),
            None => Err(PskcErrorKind::MissingMac),
        }
    }

    /// The MAC key: `MACKey` decrypted under the transport key, or (older drafts, lenient
    /// mode) the transport key itself, as used for the value's cipher.
    fn derive_mac(&mut self, value_cipher: Cipher) -> Result<MacKey, PskcErrorKind> {
        let Some(uri) = self.mac_algorithm.clone() else {
            return Err(PskcErrorKind::MissingMac);
        };
        let alg = HmacAlg::from_uri(&uri, self.strict)?;
        match self.mac_key.take() {
            Some((method, ct)) => {
                let cipher = self.cipher(method.as_deref())?;
                let key = self.transport_key(cipher)?;
                // The MAC key is encrypted under the one transport key of the document: when
                // it does not decrypt, the key or password given is wrong for every value.
                let mac_key = self.decrypt(cipher, &key, &ct).map_err(|e| match e {
                    PskcErrorKind::Decryption => PskcErrorKind::WrongTransportKey,
                    other => other,
                })?;
                Ok((alg, mac_key, false))
            }
            None if self.strict => Err(PskcErrorKind::MissingElement("MACKey")),
            None => Ok((alg, self.transport_key(value_cipher)?, true)),
        }
    }

    /// Decrypts a cipher value; with a drafts' container-level IV, CBC values carry none of
    /// their own.
    fn decrypt(
        &self,
        cipher: Cipher,
        key: &[u8],
        data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, PskcErrorKind> {
        match &self.legacy_iv {
            Some(iv) if cipher.is_cbc() => {
                let mut full = Vec::with_capacity(iv.len() + data.len());
                full.extend_from_slice(iv);
                full.extend_from_slice(data);
                cipher.decrypt(key, &full)
            }
            _ => cipher.decrypt(key, data),
        }
    }

    fn cipher(&self, method: Option<&str>) -> Result<Cipher, PskcErrorKind> {
        match method.or(self.doc_algorithm.as_deref()) {
            Some(uri) => Cipher::from_uri(uri, self.strict),
            None => Err(PskcErrorKind::MissingAttribute(
                "EncryptionMethod/@Algorithm",
            )),
        }
    }

    /// The bytes of one `Data` child (`Secret`, `Counter`, ...): `PlainValue` base64-decoded
    /// (for secrets) or as text, or `EncryptedValue` MAC-checked and decrypted.
    pub fn value(
        &mut self,
        element: &Node,
        secret: bool,
        warnings: &mut Vec<Warning>,
    ) -> Result<Option<Plain>, PskcErrorKind> {
        let mac = match element.child("ValueMAC").or(element.child("ValueDigest")) {
            Some(m) => Some(b64(m.trimmed(), &self.limits, "ValueMAC")?),
            None => None,
        };
        if let Some(plain) = element.child("PlainValue") {
            return Ok(Some(if secret {
                Plain::Bytes(b64(plain.trimmed(), &self.limits, "PlainValue")?)
            } else {
                Plain::Text(Zeroizing::new(String::from(plain.trimmed())))
            }));
        }
        let (method, ct) = if let Some(ev) = element.child("EncryptedValue") {
            let method = ev
                .child("EncryptionMethod")
                .and_then(|m| {
                    m.child("EncryptionScheme")
                        .and_then(|s| s.attr("Algorithm"))
                        .or(m.attr("Algorithm"))
                })
                .map(String::from);
            let cv = ev
                .child("CipherData")
                .and_then(|c| c.child("CipherValue"))
                .ok_or(PskcErrorKind::MissingElement("CipherData/CipherValue"))?;
            (method, b64(cv.trimmed(), &self.limits, "CipherValue")?)
        } else if let Some(v) = element.child("Value").filter(|_| !self.strict) {
            // Draft formats: `Value`, encrypted when the document names an algorithm and a
            // digest is given.
            if self.doc_algorithm.is_some() && mac.is_some() {
                (None, b64(v.trimmed(), &self.limits, "Value")?)
            } else if secret {
                return Ok(Some(Plain::Bytes(b64(v.trimmed(), &self.limits, "Value")?)));
            } else {
                return Ok(Some(Plain::Text(Zeroizing::new(String::from(v.trimmed())))));
            }
        } else {
            return Ok(None);
        };
        let cipher = self.cipher(method.as_deref())?;
        let key = self.transport_key(cipher)?;
        let plain = match (&mac, cipher.is_cbc()) {
            (Some(tag), _) => {
                let (alg, mac_key, fallback) = self.mac(cipher)?;
                if fallback {
                    push(warnings, Warning::TransportKeyAsMacKey);
                }
                // Encrypt-then-MAC (RFC 6030 §6.1.1): checked before anything is decrypted.
                if alg.verify(&mac_key, &[&ct], tag) {
                    self.decrypt(cipher, &key, &ct)?
                } else if self.strict {
                    return Err(PskcErrorKind::MacMismatch);
                } else {
                    // Older drafts: the MAC over the plaintext.
                    let plain = self
                        .decrypt(cipher, &key, &ct)
                        .map_err(|_| PskcErrorKind::MacMismatch)?;
                    if !alg.verify(&mac_key, &[&plain], tag) {
                        return Err(PskcErrorKind::MacMismatch);
                    }
                    push(warnings, Warning::MacOverPlaintext);
                    plain
                }
            }
            (None, true) if self.strict => return Err(PskcErrorKind::MissingMac),
            (None, true) => {
                push(warnings, Warning::MissingValueMac);
                self.decrypt(cipher, &key, &ct)?
            }
            (None, false) => self.decrypt(cipher, &key, &ct)?,
        };
        Ok(Some(Plain::Decrypted(plain)))
    }
}

/// XML Schema base64 as python-pskc decodes it: padding optional, trailing bits ignored.
const STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A value as found: decoded plaintext bytes, plaintext text, or decrypted bytes.
pub(crate) enum Plain {
    Bytes(Zeroizing<Vec<u8>>),
    Text(Zeroizing<String>),
    Decrypted(Zeroizing<Vec<u8>>),
}

impl Plain {
    pub fn into_bytes(self) -> Zeroizing<Vec<u8>> {
        match self {
            Plain::Bytes(b) | Plain::Decrypted(b) => b,
            Plain::Text(t) => Zeroizing::new(t.as_bytes().to_vec()),
        }
    }

    /// An integer as python-pskc reads it: decimal text; else (legacy plain values) base64;
    /// decrypted or decoded bytes that are all ASCII digits are decimal, others big-endian.
    pub fn into_int(self, what: &'static str, strict: bool) -> Result<i128, PskcErrorKind> {
        let bad = PskcErrorKind::InvalidValue(what);
        let bytes = match self {
            Plain::Text(t) => {
                if let Ok(v) = t.parse::<i128>() {
                    return Ok(v);
                }
                if strict {
                    return Err(bad);
                }
                let cleaned: String = t.chars().filter(|c| !c.is_ascii_whitespace()).collect();
                Zeroizing::new(STANDARD.decode(cleaned).map_err(|_| bad.clone())?)
            }
            Plain::Bytes(b) | Plain::Decrypted(b) => b,
        };
        if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) {
            return core::str::from_utf8(&bytes)
                .ok()
                .and_then(|s| s.parse::<i128>().ok())
                .ok_or(bad);
        }
        if bytes.len() > 8 {
            return Err(bad);
        }
        Ok(bytes
            .iter()
            .fold(0i128, |acc, &b| (acc << 8) | i128::from(b)))
    }
}

fn push(warnings: &mut Vec<Warning>, w: Warning) {
    if !warnings.contains(&w) {
        warnings.push(w);
    }
}

/// Base64 (XML Schema `base64Binary`: white space allowed) into a zeroizing buffer, within
/// [`Limits::max_base64_bytes`].
pub(crate) fn b64(
    text: &str,
    limits: &Limits,
    what: &'static str,
) -> Result<Zeroizing<Vec<u8>>, PskcErrorKind> {
    if text.len() / 4 * 3 > limits.max_base64_bytes + 3 {
        return Err(PskcErrorKind::Limit(LimitKind::Base64Bytes));
    }
    let mut cleaned = Zeroizing::new(String::with_capacity(text.len()));
    cleaned.extend(
        text.chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n')),
    );
    let mut out = Zeroizing::new(alloc::vec![0u8; cleaned.len() / 4 * 3 + 3]);
    let len = STANDARD
        .decode_slice(cleaned.as_bytes(), &mut out)
        .map_err(|_| PskcErrorKind::InvalidValue(what))?;
    if len > limits.max_base64_bytes {
        return Err(PskcErrorKind::Limit(LimitKind::Base64Bytes));
    }
    out.truncate(len);
    Ok(out)
}
