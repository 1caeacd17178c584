//! Typed errors and warnings of the PSKC reader and writer.

use alloc::string::String;
use core::fmt;

/// A PSKC document, or one of its keys, that could not be read or used, with where it happened.
///
/// `line` is the 1-based line of the input where the reader was when it found the problem (the
/// end of the element at fault); `key_id` is the `Key/@Id` of the package concerned, when
/// there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskcError {
    /// The line of the input (1-based), 0 when the error is not tied to the input.
    pub line: u64,
    /// The `Id` of the key concerned, when the error belongs to one key.
    pub key_id: Option<String>,
    /// What went wrong.
    pub kind: PskcErrorKind,
}

impl PskcError {
    pub(crate) fn new(line: u64, kind: PskcErrorKind) -> PskcError {
        PskcError {
            line,
            key_id: None,
            kind,
        }
    }
}

impl fmt::Display for PskcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line != 0 {
            write!(f, "line {}: ", self.line)?;
        }
        if let Some(id) = &self.key_id {
            write!(f, "key {id:?}: ")?;
        }
        fmt::Display::fmt(&self.kind, f)
    }
}

impl core::error::Error for PskcError {}

/// Which limit of [`Limits`](super::Limits) a document exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// [`Limits::max_document_bytes`](super::Limits::max_document_bytes).
    DocumentBytes,
    /// [`Limits::max_keys`](super::Limits::max_keys).
    Keys,
    /// [`Limits::max_depth`](super::Limits::max_depth).
    Depth,
    /// [`Limits::max_attributes`](super::Limits::max_attributes).
    Attributes,
    /// [`Limits::max_text_bytes`](super::Limits::max_text_bytes).
    TextBytes,
    /// [`Limits::max_base64_bytes`](super::Limits::max_base64_bytes).
    Base64Bytes,
    /// [`Limits::max_pbkdf2_iterations`](super::Limits::max_pbkdf2_iterations).
    Pbkdf2Iterations,
    /// [`Limits::max_elements_per_package`](super::Limits::max_elements_per_package).
    PackageElements,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::DocumentBytes => "document size",
            LimitKind::Keys => "number of keys",
            LimitKind::Depth => "element nesting depth",
            LimitKind::Attributes => "attributes per element",
            LimitKind::TextBytes => "text length",
            LimitKind::Base64Bytes => "base64 length",
            LimitKind::Pbkdf2Iterations => "pbkdf2 iteration count",
            LimitKind::PackageElements => "elements per key package",
        })
    }
}

/// What is wrong with a PSKC document or key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PskcErrorKind {
    /// The input is not well-formed XML (or not UTF-8).
    Xml,
    /// The document has a document type declaration (`<!DOCTYPE`), refused: PSKC has none.
    Dtd,
    /// The document declares an external entity (`SYSTEM` or `PUBLIC`), refused.
    ExternalEntity,
    /// The document declares or references an entity other than XML's five predefined ones,
    /// refused (no entity is ever expanded).
    EntityExpansion,
    /// A configured limit was exceeded.
    Limit(LimitKind),
    /// The root element is not a PSKC `KeyContainer` (or a draft's `SecretContainer`) in a
    /// known namespace.
    NotPskc,
    /// `KeyContainer/@Version` is not 1.0.
    UnsupportedVersion(String),
    /// A required element is missing.
    MissingElement(&'static str),
    /// A required attribute is missing.
    MissingAttribute(&'static str),
    /// An element or attribute holds a value that is not of its type.
    InvalidValue(&'static str),
    /// The document uses an algorithm URI the reader does not know.
    UnsupportedAlgorithm(String),
    /// The transport key is an asymmetric one (RFC 6030 §6.3), not supported; the method is
    /// named.
    AsymmetricTransport(String),
    /// The document carries an XML signature (RFC 6030 §7), which this reader does not
    /// verify; the signature method is named. Refused unless
    /// [`ReadOptions::allow_unverified_signature`](super::ReadOptions::allow_unverified_signature).
    SignatureNotVerified(String),
    /// A MAC algorithm that is refused (HMAC-MD5, HMAC-RIPEMD-160).
    RefusedMac(String),
    /// A value is encrypted but no pre-shared key or password was given.
    NoTransportKey,
    /// The pre-shared key or derived key has the wrong length for the cipher.
    TransportKeyLength {
        /// The length given, in bytes.
        len: usize,
    },
    /// The `MACKey` does not decrypt under the transport key given: the pre-shared key or
    /// password is wrong for the whole document (a document-level error).
    WrongTransportKey,
    /// The value's MAC does not match: a wrong key or password, or a damaged document.
    MacMismatch,
    /// Decryption failed (bad padding, failed key-wrap integrity check, wrong length): a
    /// wrong key or password, or a damaged document.
    Decryption,
    /// A CBC-encrypted value without a MAC (strict mode), or a `ValueMAC` without a
    /// `MACMethod`.
    MissingMac,
}

impl fmt::Display for PskcErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PskcErrorKind::Xml => f.write_str("malformed xml"),
            PskcErrorKind::Dtd => f.write_str("document type declaration refused"),
            PskcErrorKind::ExternalEntity => f.write_str("external entity refused"),
            PskcErrorKind::EntityExpansion => {
                f.write_str("entity declaration or reference refused")
            }
            PskcErrorKind::Limit(l) => write!(f, "limit exceeded: {l}"),
            PskcErrorKind::NotPskc => f.write_str("not a pskc key container"),
            PskcErrorKind::UnsupportedVersion(v) => write!(f, "unsupported pskc version {v:?}"),
            PskcErrorKind::MissingElement(e) => write!(f, "missing element {e}"),
            PskcErrorKind::MissingAttribute(a) => write!(f, "missing attribute {a}"),
            PskcErrorKind::InvalidValue(e) => write!(f, "invalid value in {e}"),
            PskcErrorKind::UnsupportedAlgorithm(a) => write!(f, "unsupported algorithm {a}"),
            PskcErrorKind::AsymmetricTransport(m) => {
                write!(f, "asymmetric key transport not supported: {m}")
            }
            PskcErrorKind::SignatureNotVerified(m) => {
                write!(f, "xml signature not verified: {m}")
            }
            PskcErrorKind::RefusedMac(m) => write!(f, "mac algorithm refused: {m}"),
            PskcErrorKind::NoTransportKey => {
                f.write_str("encrypted value but no pre-shared key or password given")
            }
            PskcErrorKind::TransportKeyLength { len } => {
                write!(f, "transport key of {len} bytes does not fit the cipher")
            }
            PskcErrorKind::WrongTransportKey => {
                f.write_str("wrong pre-shared key or password (the mac key does not decrypt)")
            }
            PskcErrorKind::MacMismatch => f.write_str("mac mismatch (wrong key or damaged value)"),
            PskcErrorKind::Decryption => {
                f.write_str("decryption failed (wrong key or damaged value)")
            }
            PskcErrorKind::MissingMac => f.write_str("encrypted value without a mac"),
        }
    }
}

/// Something the reader accepted although a strict reader would not, or that the importer
/// should know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Warning {
    /// A CBC-encrypted value had no `ValueMAC`: decrypted without an integrity check.
    MissingValueMac,
    /// `MACMethod` had no `MACKey`: the transport key served as the MAC key (older drafts).
    TransportKeyAsMacKey,
    /// The MAC was computed over the plaintext (older drafts), not over IV‖ciphertext.
    MacOverPlaintext,
    /// The key is shorter than RFC 4226's 16 bytes; imported through the short-key
    /// constructors.
    ShortKey,
    /// An HOTP key without `Counter`: counter 0.
    MissingCounter,
    /// The document is signed; the signature was not verified.
    SignatureNotVerified,
    /// A draft format (pre-RFC namespace or element names).
    DraftFormat,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Warning::MissingValueMac => "encrypted value without a mac, not integrity-checked",
            Warning::TransportKeyAsMacKey => "no mac key: the transport key was used as mac key",
            Warning::MacOverPlaintext => "mac computed over the plaintext (draft format)",
            Warning::ShortKey => "key shorter than 16 bytes (rfc 4226 r6)",
            Warning::MissingCounter => "hotp key without a counter: counter 0",
            Warning::SignatureNotVerified => "xml signature not verified",
            Warning::DraftFormat => "draft pskc format",
        })
    }
}

/// Why a key that was read cannot be imported (RFC 6030 §5 and the OTP profiles).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unusable {
    /// The PIN is prepended to the OTP (`PINUsageMode="Prepend"`), which the verifier does not
    /// do.
    PinPrepend,
    /// The PIN enters the algorithm (`PINUsageMode="Algorithmic"`).
    PinAlgorithmic,
    /// A PIN usage mode the reader does not know.
    PinUsageMode(String),
    /// `KeyUsage` is given and does not include `OTP` (nor `CR` for OCRA).
    KeyUsageExcludesOtp,
    /// The key's `Policy/ExpiryDate` (or the device's `ExpiryDate`) has passed.
    Expired,
    /// The key's `Policy/StartDate` (or the device's `StartDate`) is still to come.
    NotYetValid,
    /// The policy holds elements or attributes the reader does not understand (RFC 6030 §5).
    UnknownPolicy,
    /// The key has no secret.
    NoSecret,
    /// The key's algorithm is not HOTP, TOTP or OCRA (or its `Suite` names an unknown hash).
    Algorithm(String),
    /// `ResponseFormat/@Encoding` is not `DECIMAL`.
    ResponseEncoding(String),
    /// The parameters do not make a valid generator (digits, period, suite, key length).
    Parameters(crate::Error),
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unusable::PinPrepend => f.write_str("pin usage mode prepend not supported"),
            Unusable::PinAlgorithmic => f.write_str("pin usage mode algorithmic not supported"),
            Unusable::PinUsageMode(m) => write!(f, "unknown pin usage mode {m:?}"),
            Unusable::KeyUsageExcludesOtp => f.write_str("key usage excludes otp"),
            Unusable::Expired => f.write_str("key expired"),
            Unusable::NotYetValid => f.write_str("key not yet valid"),
            Unusable::UnknownPolicy => f.write_str("policy not understood"),
            Unusable::NoSecret => f.write_str("no secret"),
            Unusable::Algorithm(a) => write!(f, "unsupported key algorithm {a:?}"),
            Unusable::ResponseEncoding(e) => write!(f, "response encoding {e} not supported"),
            Unusable::Parameters(e) => write!(f, "invalid parameters: {e}"),
        }
    }
}

impl core::error::Error for Unusable {}
