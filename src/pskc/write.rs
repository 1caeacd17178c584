//! Writing a `KeyContainer` (RFC 6030): plaintext, under a pre-shared AES key with an
//! HMAC-SHA-256 MAC, or under a password through PBKDF2. Fresh random IVs, MAC key and salt.
//! [`PskcWriter`] streams the document to a sink one key package at a time; [`write()`]
//! builds it in one wiped string on top of it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::{Zeroize as _, Zeroizing};

use super::crypto::{HmacAlg, cbc_encrypt};
use crate::Algorithm;

/// The cipher for values written under a transport key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WriteCipher {
    /// AES-128-CBC (RFC 6030's recommendation).
    #[default]
    Aes128Cbc,
    /// AES-256-CBC.
    Aes256Cbc,
}

impl WriteCipher {
    fn key_len(self) -> usize {
        match self {
            WriteCipher::Aes128Cbc => 16,
            WriteCipher::Aes256Cbc => 32,
        }
    }

    fn uri(self) -> &'static str {
        match self {
            WriteCipher::Aes128Cbc => "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
            WriteCipher::Aes256Cbc => "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
        }
    }

    fn encrypt(self, key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, WriteError> {
        let mut iv = [0u8; 16];
        getrandom::fill(&mut iv).map_err(|_| WriteError::Random)?;
        Ok(match self {
            WriteCipher::Aes128Cbc => cbc_encrypt::<aes::Aes128>(key, &iv, plaintext),
            WriteCipher::Aes256Cbc => cbc_encrypt::<aes::Aes256>(key, &iv, plaintext),
        })
    }
}

/// How the written document protects its secrets.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Protection<'a> {
    /// Secrets in the clear (`PlainValue`): for tests and closed channels only.
    Plaintext,
    /// Under a pre-shared key (RFC 6030 §6.1), named by `key_name` in `ds:KeyName`.
    PreSharedKey {
        /// The key: 16 bytes for AES-128, 32 for AES-256.
        key: &'a [u8],
        /// Its name, so the receiver knows which key to use.
        key_name: &'a str,
        /// The cipher.
        cipher: WriteCipher,
    },
    /// Under a key derived from a password with PBKDF2-HMAC-SHA-256 (RFC 6030 §6.2) and a
    /// fresh 16-byte salt; AES-128-CBC.
    Password {
        /// The password (UTF-8 bytes).
        password: &'a [u8],
        /// The PBKDF2 iteration count ([`DEFAULT_ITERATIONS`] is a safe default).
        iterations: u32,
    },
}

impl fmt::Debug for Protection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protection::Plaintext => "Protection::Plaintext",
            Protection::PreSharedKey { .. } => "Protection::PreSharedKey { .. }",
            Protection::Password { .. } => "Protection::Password { .. }",
        })
    }
}

/// The default PBKDF2 iteration count written (python-pskc writes the same).
pub const DEFAULT_ITERATIONS: u32 = 100_000;

/// Which OTP algorithm a written key is for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NewKeyKind {
    /// HOTP, starting at this counter.
    Hotp {
        /// `Data/Counter`.
        counter: u64,
    },
    /// TOTP with this period in seconds.
    Totp {
        /// `Data/TimeInterval`.
        period: u64,
    },
    /// OCRA with this suite (`AlgorithmParameters/Suite`); digits come from the suite.
    Ocra {
        /// The OCRA suite, e.g. `OCRA-1:HOTP-SHA1-6:QN08`.
        suite: String,
        /// `Data/Counter`, for counter suites.
        counter: Option<u64>,
    },
}

/// One key to write. `Debug` does not show the secret.
#[derive(Clone)]
#[non_exhaustive]
pub struct NewKey {
    /// `Key/@Id`.
    pub id: String,
    /// The algorithm and its moving factor.
    pub kind: NewKeyKind,
    /// The secret, wiped on drop.
    pub secret: Zeroizing<Vec<u8>>,
    /// HOTP/TOTP hash (`AlgorithmParameters/Suite`: `HMAC-SHA1`, `HMAC-SHA256`, `HMAC-SHA512`).
    pub algorithm: Algorithm,
    /// `ResponseFormat/@Length`.
    pub digits: u8,
    /// `Issuer`.
    pub issuer: Option<String>,
    /// `DeviceInfo/Manufacturer`.
    pub manufacturer: Option<String>,
    /// `DeviceInfo/SerialNo`.
    pub serial_no: Option<String>,
    /// `Key/UserId`.
    pub user_id: Option<String>,
}

impl NewKey {
    /// A key with the given id, kind and secret; SHA-1, 6 digits, no metadata.
    #[must_use]
    pub fn new(id: impl Into<String>, kind: NewKeyKind, secret: &[u8]) -> NewKey {
        NewKey {
            id: id.into(),
            kind,
            secret: Zeroizing::new(secret.to_vec()),
            algorithm: Algorithm::Sha1,
            digits: 6,
            issuer: None,
            manufacturer: None,
            serial_no: None,
            user_id: None,
        }
    }
}

impl fmt::Debug for NewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewKey")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Why a document could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteError {
    /// The pre-shared key's length does not fit the cipher.
    KeyLength {
        /// The length given.
        len: usize,
    },
    /// An iteration count of 0.
    Iterations,
    /// The operating system's random generator failed.
    Random,
    /// The sink of a [`PskcWriter`] failed.
    Io {
        /// What kind of failure it reported.
        kind: std::io::ErrorKind,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::KeyLength { len } => {
                write!(f, "pre-shared key of {len} bytes does not fit the cipher")
            }
            WriteError::Iterations => f.write_str("pbkdf2 iteration count of 0"),
            WriteError::Random => f.write_str("random generator failed"),
            WriteError::Io { kind } => write!(f, "output failed: {kind}"),
        }
    }
}

impl core::error::Error for WriteError {}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> WriteError {
        WriteError::Io { kind: e.kind() }
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Bytes of text reserved for the container's head: fixed markup, and the escaped key name
/// (at most 6 bytes per byte).
fn head_capacity(protection: &Protection<'_>) -> usize {
    4096 + match protection {
        Protection::PreSharedKey { key_name, .. } => 6 * key_name.len(),
        _ => 0,
    }
}

/// Bytes of text reserved for one `KeyPackage`: fixed markup, escaped metadata (at most 6
/// bytes per byte), base64 of IV + padded secret.
fn package_capacity(k: &NewKey) -> usize {
    let text = [&k.issuer, &k.manufacturer, &k.serial_no, &k.user_id]
        .iter()
        .map(|t| t.as_ref().map_or(0, String::len))
        .sum::<usize>()
        + k.id.len()
        + match &k.kind {
            NewKeyKind::Ocra { suite, .. } => suite.len(),
            _ => 0,
        };
    2048 + 6 * text + 2 * k.secret.len()
}

/// Writes a `KeyContainer` holding `keys`, protected as asked.
///
/// The whole document is built in memory; [`PskcWriter`] streams one key at a time instead.
///
/// # Examples
///
/// ```
/// use otpkit::pskc::{read, write, Decryption, NewKey, NewKeyKind, Protection, ReadOptions, WriteCipher};
///
/// let key = NewKey::new("token-1", NewKeyKind::Hotp { counter: 0 }, b"12345678901234567890");
/// let psk = [7u8; 16];
/// let doc = write(&[key], Protection::PreSharedKey { key: &psk, key_name: "batch-1", cipher: WriteCipher::Aes128Cbc })?;
/// let back = read(doc.as_bytes(), Decryption::PreSharedKey(&psk), &ReadOptions::strict()).unwrap();
/// assert_eq!(back.keys[0].secret(), Some(&b"12345678901234567890"[..]));
/// # Ok::<(), otpkit::pskc::WriteError>(())
/// ```
///
/// # Errors
///
/// [`WriteError::KeyLength`] for a pre-shared key of the wrong length,
/// [`WriteError::Iterations`] for 0 iterations, [`WriteError::Random`] when no randomness is
/// available.
pub fn write(keys: &[NewKey], protection: Protection<'_>) -> Result<Zeroizing<String>, WriteError> {
    // Reserved up front so the text (which may hold plaintext secrets) never reallocates,
    // which would free an unwiped copy.
    let capacity = head_capacity(&protection) + keys.iter().map(package_capacity).sum::<usize>();
    let mut text = Zeroizing::new(Vec::with_capacity(capacity));
    let mut w = PskcWriter::new(&mut *text, protection)?;
    for k in keys {
        w.key(k)?;
    }
    w.finish()?;
    // Every piece written is a `str`, so this is UTF-8 and takes the buffer as it is.
    match String::from_utf8(core::mem::take(&mut *text)) {
        Ok(s) => Ok(Zeroizing::new(s)),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Err(WriteError::Io {
                kind: std::io::ErrorKind::InvalidData,
            })
        }
    }
}

/// Writes a `KeyContainer` to a [`std::io::Write`] sink one `KeyPackage` at a time, so a
/// batch of any size is written in memory that follows one key.
///
/// [`new`](PskcWriter::new) writes the container's head (the `EncryptionKey`, and the
/// `MACMethod` with a fresh random MAC key encrypted under the transport key);
/// [`key`](PskcWriter::key) writes one `KeyPackage`, each secret under a fresh random IV;
/// [`finish`](PskcWriter::finish) writes the closing tag, flushes the sink and returns it.
/// The document is the one [`write()`] gives for the same keys, byte for byte apart from its
/// random salt, IVs and MAC key.
///
/// A writer dropped without `finish`, or after an error, leaves an incomplete document in
/// its sink: discard it.
///
/// # Secrets
///
/// Each package's text is built in one scratch buffer, reserved up front for that key so it
/// never reallocates, and wiped as soon as the sink has taken it. With
/// [`Protection::Plaintext`] the sink receives the secrets in the clear, and its own buffers
/// are the caller's to wipe: write to a [`Zeroizing`]`<Vec<u8>>` with enough capacity
/// reserved, say, or to a file only its owner may read. The transport and MAC keys are wiped
/// on drop, and `Debug` does not show them.
///
/// # Examples
///
/// ```
/// use otpkit::pskc::{read, Decryption, NewKey, NewKeyKind, Protection, PskcWriter, ReadOptions, WriteCipher};
///
/// let psk = [7u8; 16];
/// let protection = Protection::PreSharedKey { key: &psk, key_name: "batch-1", cipher: WriteCipher::Aes128Cbc };
/// let mut w = PskcWriter::new(Vec::new(), protection)?;
/// for n in 1..=3 {
///     let secret = [n; 20]; // from a random generator in a real batch
///     w.key(&NewKey::new(format!("T{n:06}"), NewKeyKind::Hotp { counter: 0 }, &secret))?;
/// }
/// let doc = w.finish()?;
///
/// let back = read(&doc[..], Decryption::PreSharedKey(&psk), &ReadOptions::strict()).unwrap();
/// assert_eq!(back.keys.len(), 3);
/// assert_eq!(back.keys[2].secret(), Some(&[3u8; 20][..]));
/// # Ok::<(), otpkit::pskc::WriteError>(())
/// ```
#[must_use = "a writer dropped without `finish` leaves an incomplete document"]
pub struct PskcWriter<W: std::io::Write> {
    out: W,
    cipher: WriteCipher,
    /// The transport key, `None` for plaintext.
    key: Option<Zeroizing<Vec<u8>>>,
    mac_key: Zeroizing<[u8; 32]>,
    scratch: Zeroizing<String>,
}

impl<W: std::io::Write> fmt::Debug for PskcWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PskcWriter")
            .field("encrypted", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

impl<W: std::io::Write> PskcWriter<W> {
    /// Checks the protection, draws the salt and MAC key, and writes the container's head to
    /// `out`.
    ///
    /// # Errors
    ///
    /// [`WriteError::KeyLength`] for a pre-shared key of the wrong length,
    /// [`WriteError::Iterations`] for 0 iterations (both before anything is written),
    /// [`WriteError::Random`] when no randomness is available, [`WriteError::Io`] when `out`
    /// fails.
    pub fn new(out: W, protection: Protection<'_>) -> Result<PskcWriter<W>, WriteError> {
        let mut scratch = Zeroizing::new(String::with_capacity(head_capacity(&protection)));
        let o = &mut *scratch;
        o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        o.push_str("<pskc:KeyContainer xmlns:pskc=\"urn:ietf:params:xml:ns:keyprov:pskc\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\"");
        if matches!(protection, Protection::Password { .. }) {
            o.push_str(" xmlns:xenc11=\"http://www.w3.org/2009/xmlenc11#\" xmlns:pkcs5=\"http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#\"");
        }
        o.push_str(" Version=\"1.0\">\n");
        let (cipher, key): (WriteCipher, Option<Zeroizing<Vec<u8>>>) = match protection {
            Protection::Plaintext => (WriteCipher::Aes128Cbc, None),
            Protection::PreSharedKey {
                key,
                key_name,
                cipher,
            } => {
                if key.len() != cipher.key_len() {
                    return Err(WriteError::KeyLength { len: key.len() });
                }
                let _ = writeln!(
                    o,
                    "  <pskc:EncryptionKey>\n    <ds:KeyName>{}</ds:KeyName>\n  </pskc:EncryptionKey>",
                    esc(key_name)
                );
                (cipher, Some(Zeroizing::new(key.to_vec())))
            }
            Protection::Password {
                password,
                iterations,
            } => {
                if iterations == 0 {
                    return Err(WriteError::Iterations);
                }
                let mut salt = [0u8; 16];
                getrandom::fill(&mut salt).map_err(|_| WriteError::Random)?;
                let mut derived = Zeroizing::new(alloc::vec![0u8; 16]);
                HmacAlg::Sha256.pbkdf2(password, &salt, iterations, &mut derived);
                let _ = writeln!(
                    o,
                    "  <pskc:EncryptionKey>\n    <xenc11:DerivedKey>\n      <xenc11:KeyDerivationMethod Algorithm=\"http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2\">\n        <pkcs5:PBKDF2-params>\n          <Salt><Specified>{}</Specified></Salt>\n          <IterationCount>{iterations}</IterationCount>\n          <KeyLength>16</KeyLength>\n          <PRF Algorithm=\"{}\"/>\n        </pkcs5:PBKDF2-params>\n      </xenc11:KeyDerivationMethod>\n    </xenc11:DerivedKey>\n  </pskc:EncryptionKey>",
                    STANDARD.encode(salt),
                    HmacAlg::Sha256.uri()
                );
                (WriteCipher::Aes128Cbc, Some(derived))
            }
        };
        let mut mac_key = Zeroizing::new([0u8; 32]);
        if let Some(key) = &key {
            getrandom::fill(&mut *mac_key).map_err(|_| WriteError::Random)?;
            let ct = cipher.encrypt(key, &*mac_key)?;
            let _ = writeln!(
                o,
                "  <pskc:MACMethod Algorithm=\"{}\">\n    <pskc:MACKey>\n      <xenc:EncryptionMethod Algorithm=\"{}\"/>\n      <xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData>\n    </pskc:MACKey>\n  </pskc:MACMethod>",
                MAC.uri(),
                cipher.uri(),
                STANDARD.encode(ct)
            );
        }
        let mut w = PskcWriter {
            out,
            cipher,
            key,
            mac_key,
            scratch,
        };
        w.emit()?;
        Ok(w)
    }

    /// Writes one `KeyPackage` for `k`: its secret encrypted under a fresh random IV and
    /// MAC'd, or in the clear for [`Protection::Plaintext`].
    ///
    /// # Errors
    ///
    /// [`WriteError::Random`] when no randomness is available, [`WriteError::Io`] when the
    /// sink fails; the document is then incomplete.
    pub fn key(&mut self, k: &NewKey) -> Result<(), WriteError> {
        let need = package_capacity(k);
        if self.scratch.capacity() < need {
            // The old buffer is wiped as it is dropped.
            self.scratch = Zeroizing::new(String::with_capacity(need));
        }
        let built = self.package(k);
        let sent = built.and_then(|()| self.emit());
        self.scratch.zeroize();
        sent
    }

    /// Writes the closing tag, flushes the sink and returns it.
    ///
    /// # Errors
    ///
    /// [`WriteError::Io`] when the sink fails.
    pub fn finish(mut self) -> Result<W, WriteError> {
        self.scratch.push_str("</pskc:KeyContainer>\n");
        self.emit()?;
        self.out.flush()?;
        let PskcWriter { out, .. } = self;
        Ok(out)
    }

    /// Hands the scratch text to the sink, then wipes it.
    fn emit(&mut self) -> Result<(), WriteError> {
        let r = self.out.write_all(self.scratch.as_bytes());
        self.scratch.zeroize();
        Ok(r?)
    }

    /// Builds `k`'s `KeyPackage` in the scratch buffer.
    fn package(&mut self, k: &NewKey) -> Result<(), WriteError> {
        let o = &mut *self.scratch;
        o.push_str("  <pskc:KeyPackage>\n");
        if k.manufacturer.is_some() || k.serial_no.is_some() {
            o.push_str("    <pskc:DeviceInfo>\n");
            if let Some(m) = &k.manufacturer {
                let _ = writeln!(o, "      <pskc:Manufacturer>{}</pskc:Manufacturer>", esc(m));
            }
            if let Some(s) = &k.serial_no {
                let _ = writeln!(o, "      <pskc:SerialNo>{}</pskc:SerialNo>", esc(s));
            }
            o.push_str("    </pskc:DeviceInfo>\n");
        }
        let (urn, suite, digits) = match &k.kind {
            NewKeyKind::Hotp { .. } => ("hotp", hash_suite(k.algorithm), k.digits),
            NewKeyKind::Totp { .. } => ("totp", hash_suite(k.algorithm), k.digits),
            NewKeyKind::Ocra { suite, .. } => ("ocra", esc(suite), ocra_digits(suite)),
        };
        let _ = writeln!(
            o,
            "    <pskc:Key Id=\"{}\" Algorithm=\"urn:ietf:params:xml:ns:keyprov:pskc:{urn}\">",
            esc(&k.id)
        );
        if let Some(i) = &k.issuer {
            let _ = writeln!(o, "      <pskc:Issuer>{}</pskc:Issuer>", esc(i));
        }
        let _ = writeln!(
            o,
            "      <pskc:AlgorithmParameters>\n        <pskc:Suite>{suite}</pskc:Suite>\n        <pskc:ResponseFormat Length=\"{digits}\" Encoding=\"DECIMAL\"/>\n      </pskc:AlgorithmParameters>\n      <pskc:Data>\n        <pskc:Secret>"
        );
        match &self.key {
            None => {
                let b64 = Zeroizing::new(STANDARD.encode(&*k.secret));
                o.push_str("          <pskc:PlainValue>");
                o.push_str(&b64);
                o.push_str("</pskc:PlainValue>\n");
            }
            Some(key) => {
                let ct = self.cipher.encrypt(key, &k.secret)?;
                let tag = MAC.mac(&*self.mac_key, &[&ct]);
                let _ = writeln!(
                    o,
                    "          <pskc:EncryptedValue>\n            <xenc:EncryptionMethod Algorithm=\"{}\"/>\n            <xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData>\n          </pskc:EncryptedValue>\n          <pskc:ValueMAC>{}</pskc:ValueMAC>",
                    self.cipher.uri(),
                    STANDARD.encode(&ct),
                    STANDARD.encode(&*tag)
                );
            }
        }
        o.push_str("        </pskc:Secret>\n");
        match &k.kind {
            NewKeyKind::Hotp { counter }
            | NewKeyKind::Ocra {
                counter: Some(counter),
                ..
            } => {
                let _ = writeln!(
                    o,
                    "        <pskc:Counter><pskc:PlainValue>{counter}</pskc:PlainValue></pskc:Counter>"
                );
            }
            NewKeyKind::Totp { period } => {
                let _ = writeln!(
                    o,
                    "        <pskc:TimeInterval><pskc:PlainValue>{period}</pskc:PlainValue></pskc:TimeInterval>"
                );
            }
            NewKeyKind::Ocra { counter: None, .. } => {}
        }
        o.push_str("      </pskc:Data>\n");
        if let Some(u) = &k.user_id {
            let _ = writeln!(o, "      <pskc:UserId>{}</pskc:UserId>", esc(u));
        }
        o.push_str("    </pskc:Key>\n  </pskc:KeyPackage>\n");
        Ok(())
    }
}

/// The MAC written: HMAC-SHA-256 over IV‖ciphertext.
const MAC: HmacAlg = HmacAlg::Sha256;

fn hash_suite(a: Algorithm) -> String {
    String::from(match a.as_str() {
        "SHA256" => "HMAC-SHA256",
        "SHA512" => "HMAC-SHA512",
        _ => "HMAC-SHA1",
    })
}

fn ocra_digits(suite: &str) -> u8 {
    crate::ocra::OcraSuite::parse(suite)
        .map(|s| s.digits())
        .unwrap_or(0)
}
