//! The streaming reader: the container's header, then one package at a time.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use std::io::BufRead;

use zeroize::Zeroizing;

use super::error::{LimitKind, PskcError, PskcErrorKind, Warning};
use super::key::PskcKey;
use super::limits::Limits;
use super::package::read_package;
use super::value::{Crypto, b64};
use super::xml::{Node, Top, XmlReader};

mod header;

/// The namespaces of RFC 6030 and of the drafts python-pskc 1.4 reads.
const NAMESPACES: [&str; 4] = [
    "urn:ietf:params:xml:ns:keyprov:pskc",
    "urn:ietf:params:xml:ns:keyprov:pskc:1.0",
    "urn:ietf:params:xml:ns:keyprov:container:1.0",
    "http://www.openauthentication.org/OATH/2006/08/PSKC",
];
const DRAFT_CONTAINER_NS: &str = "urn:ietf:params:xml:ns:keyprov:container";

/// How to read: strict or lenient, and the limits.
///
/// Lenient (the default) reads what python-pskc 1.4 reads, with a [`Warning`] for each
/// tolerance: draft namespaces and element names, algorithm aliases, a CBC value without a
/// MAC, a `MACMethod` without `MACKey`, a MAC over the plaintext. Strict mode refuses each of
/// these.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Refuse everything RFC 6030 does not define.
    pub strict: bool,
    /// Read a signed document although its signature is not verified (a warning then says
    /// so); otherwise it is refused with [`PskcErrorKind::SignatureNotVerified`].
    pub allow_unverified_signature: bool,
    /// The bounds on the input.
    pub limits: Limits,
}

impl ReadOptions {
    /// Strict options: RFC 6030 only.
    #[must_use]
    pub fn strict() -> ReadOptions {
        ReadOptions {
            strict: true,
            ..ReadOptions::default()
        }
    }
}

/// The transport key the document's values are encrypted under.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Decryption<'a> {
    /// None given: a document with encrypted values gives [`PskcErrorKind::NoTransportKey`]
    /// for each key.
    None,
    /// A pre-shared key (RFC 6030 §6.1), raw bytes.
    PreSharedKey(&'a [u8]),
    /// A password, for PBKDF2 (RFC 6030 §6.2), as bytes (UTF-8).
    Password(&'a [u8]),
}

impl fmt::Debug for Decryption<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Decryption::None => "Decryption::None",
            Decryption::PreSharedKey(_) => "Decryption::PreSharedKey(..)",
            Decryption::Password(_) => "Decryption::Password(..)",
        })
    }
}

/// A whole document, read: the keys that were read and an error for each that was not.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Container {
    /// `KeyContainer/@Version`.
    pub version: Option<String>,
    /// `KeyContainer/@Id`.
    pub id: Option<String>,
    /// `EncryptionKey/KeyName` (or `DerivedKey/MasterKeyName`): which key the sender used.
    pub key_names: Vec<String>,
    /// The XML signature method, when the document is signed. The signature was **not**
    /// verified.
    pub signature_not_verified: Option<String>,
    /// The keys read, in document order.
    pub keys: Vec<PskcKey>,
    /// One error per key (or package) that could not be read.
    pub errors: Vec<PskcError>,
}

/// Reads a whole document from `input`.
///
/// # Examples
///
/// ```
/// use otpkit::pskc::{read, Decryption, ReadOptions};
///
/// let doc = br#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
///   <KeyPackage><Key Id="1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
///     <Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret></Data>
///   </Key></KeyPackage></KeyContainer>"#;
/// let container = read(&doc[..], Decryption::None, &ReadOptions::default())?;
/// assert_eq!(container.keys[0].id, "1");
/// # Ok::<(), otpkit::pskc::PskcError>(())
/// ```
///
/// # Errors
///
/// A [`PskcError`] for what spoils the whole document: malformed XML, a DTD or entity, a
/// limit, not a PSKC container, an unverified signature, a wrong pre-shared key or password
/// ([`PskcErrorKind::WrongTransportKey`]: the `MACKey` does not decrypt). Errors of single keys are in
/// [`Container::errors`].
pub fn read(
    input: impl BufRead,
    decryption: Decryption<'_>,
    options: &ReadOptions,
) -> Result<Container, PskcError> {
    let mut reader = PskcReader::new(input, decryption, options);
    let mut keys = Vec::new();
    let mut errors = Vec::new();
    while let Some(item) = reader.next_item() {
        match item {
            Item::Key(k) => keys.push(*k),
            Item::KeyError(e) => errors.push(e),
            Item::Fatal(e) => return Err(e),
        }
    }
    Ok(Container {
        version: reader.version,
        id: reader.id,
        key_names: reader.key_names,
        signature_not_verified: reader.signature,
        keys,
        errors,
    })
}

/// A streaming reader: yields each key as its package is read, so memory follows one
/// package, not the document.
///
/// After a document-level error (see [`read`]) it yields that error and then ends. Some come
/// only at the end (a `Signature` follows the packages, malformed XML may be anywhere):
/// commit an import only once the reader has ended without one.
///
/// # Examples
///
/// ```
/// use otpkit::pskc::{Decryption, PskcReader, ReadOptions};
///
/// let doc = br#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
///   <KeyPackage><Key Id="a"/></KeyPackage><KeyPackage><Key Id="b"/></KeyPackage>
/// </KeyContainer>"#;
/// let ids: Vec<String> = PskcReader::new(&doc[..], Decryption::None, &ReadOptions::default())
///     .map(|k| k.map(|k| k.id))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(ids, ["a", "b"]);
/// # Ok::<(), otpkit::pskc::PskcError>(())
/// ```
pub struct PskcReader<R: BufRead> {
    xml: XmlReader<R>,
    crypto: Crypto,
    options: ReadOptions,
    pending: VecDeque<Result<PskcKey, PskcError>>,
    version: Option<String>,
    id: Option<String>,
    key_names: Vec<String>,
    signature: Option<String>,
    draft: bool,
    keys: usize,
    done: bool,
}

impl<R: BufRead> fmt::Debug for PskcReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PskcReader")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

enum Item {
    Key(alloc::boxed::Box<PskcKey>),
    KeyError(PskcError),
    Fatal(PskcError),
}

impl<R: BufRead> PskcReader<R> {
    /// A reader of `input`, decrypting with `decryption`.
    pub fn new(input: R, decryption: Decryption<'_>, options: &ReadOptions) -> PskcReader<R> {
        let (psk, password) = match decryption {
            Decryption::None => (None, None),
            Decryption::PreSharedKey(k) => (Some(Zeroizing::new(k.to_vec())), None),
            Decryption::Password(p) => (None, Some(Zeroizing::new(p.to_vec()))),
        };
        PskcReader {
            xml: XmlReader::new(input, options.limits),
            crypto: Crypto::new(options.strict, options.limits, psk, password),
            options: *options,
            pending: VecDeque::new(),
            version: None,
            id: None,
            key_names: Vec::new(),
            signature: None,
            draft: false,
            keys: 0,
            done: false,
        }
    }

    /// The XML signature method of a signed document (known once the reader has passed the
    /// `Signature` element, usually at the end). The signature is **not** verified.
    #[must_use]
    pub fn signature_not_verified(&self) -> Option<&str> {
        self.signature.as_deref()
    }

    fn next_item(&mut self) -> Option<Item> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Some(match r {
                    Ok(k) => Item::Key(alloc::boxed::Box::new(k)),
                    Err(e) => Item::KeyError(e),
                });
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.step() {
                self.done = true;
                self.pending.clear();
                return Some(Item::Fatal(e));
            }
        }
    }

    fn step(&mut self) -> Result<(), PskcError> {
        let line = self.xml.line();
        let fatal = |kind| PskcError::new(line, kind);
        match self.xml.next_top()? {
            Top::Root(root, ns) => self.root(&root, ns.as_deref()),
            Top::End => {
                self.done = true;
                Ok(())
            }
            Top::Child(node) => match node.name.as_str() {
                "EncryptionKey" | "EncryptionMethod" => self
                    .encryption_key(&node)
                    .map_err(|k| PskcError::new(node.line, k)),
                "MACMethod" | "DigestMethod" => {
                    self.crypto.mac_algorithm = node
                        .attr("Algorithm")
                        .or(node.attr("algorithm"))
                        .map(String::from);
                    if let Some(mk) = node.child("MACKey") {
                        let method = mk
                            .child("EncryptionMethod")
                            .and_then(|m| m.attr("Algorithm"))
                            .map(String::from);
                        let cv = mk
                            .child("CipherData")
                            .and_then(|c| c.child("CipherValue"))
                            .ok_or_else(|| {
                                fatal(PskcErrorKind::MissingElement("MACKey/CipherData"))
                            })?;
                        let ct = b64(cv.trimmed(), &self.options.limits, "MACKey")
                            .map_err(|k| PskcError::new(node.line, k))?;
                        self.crypto.mac_key = Some((method, ct.to_vec()));
                    }
                    Ok(())
                }
                "MACAlgorithm" if !self.options.strict => {
                    self.crypto.mac_algorithm = Some(String::from(node.trimmed()));
                    Ok(())
                }
                "KeyPackage" | "Device" => {
                    let results = read_package(&node, &mut self.crypto);
                    if let Some(Err(e)) = results
                        .iter()
                        .find(|r| matches!(r, Err(e) if e.kind == PskcErrorKind::WrongTransportKey))
                    {
                        return Err(PskcError::new(e.line, PskcErrorKind::WrongTransportKey));
                    }
                    self.keys += results.len();
                    if self.keys > self.options.limits.max_keys {
                        return Err(fatal(PskcErrorKind::Limit(LimitKind::Keys)));
                    }
                    for mut r in results {
                        if let Ok(k) = &mut r
                            && self.draft
                            && !k.warnings.contains(&Warning::DraftFormat)
                        {
                            k.warnings.push(Warning::DraftFormat);
                        }
                        self.pending.push_back(r);
                    }
                    Ok(())
                }
                "Signature" => {
                    let method = node
                        .child("SignedInfo")
                        .and_then(|s| s.child("SignatureMethod"))
                        .and_then(|m| m.attr("Algorithm"))
                        .unwrap_or("")
                        .into();
                    if !self.options.allow_unverified_signature {
                        return Err(PskcError::new(
                            node.line,
                            PskcErrorKind::SignatureNotVerified(method),
                        ));
                    }
                    self.signature = Some(method);
                    Ok(())
                }
                _ => Ok(()),
            },
        }
    }

    fn root(&mut self, root: &Node, ns: Option<&str>) -> Result<(), PskcError> {
        let err = |kind| PskcError::new(root.line, kind);
        let rfc = ns == Some(NAMESPACES[0]) && root.name == "KeyContainer";
        let known = match ns {
            None => true,
            Some(n) => NAMESPACES.contains(&n) || n == DRAFT_CONTAINER_NS,
        };
        if !(root.name == "KeyContainer" || root.name == "SecretContainer") || !known {
            return Err(err(PskcErrorKind::NotPskc));
        }
        if self.options.strict && !rfc {
            return Err(err(PskcErrorKind::NotPskc));
        }
        self.draft = !rfc;
        self.version = root
            .attr("Version")
            .or(root.attr("version"))
            .map(String::from);
        self.id = root
            .attr("Id")
            .or(root.attr("ID"))
            .or(root.attr("id"))
            .map(String::from);
        let version_ok = match self.version.as_deref() {
            Some("1.0") => true,
            None | Some("1") => !self.options.strict,
            Some(_) => root.name == "SecretContainer" && !self.options.strict,
        };
        if !version_ok {
            return Err(err(PskcErrorKind::UnsupportedVersion(
                self.version.clone().unwrap_or_default(),
            )));
        }
        Ok(())
    }
}

impl<R: BufRead> Iterator for PskcReader<R> {
    type Item = Result<PskcKey, PskcError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item().map(|i| match i {
            Item::Key(k) => Ok(*k),
            Item::KeyError(e) | Item::Fatal(e) => Err(e),
        })
    }
}
