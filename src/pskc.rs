//! PSKC (RFC 6030, Portable Symmetric Key Container): hardware-token seeds as token makers
//! ship them, read into generators and records, and written for a batch of new tokens.
//!
//! # Reading
//!
//! [`read`] reads a whole document into a [`Container`]; [`PskcReader`] yields one key at a
//! time, so a batch of 100,000 tokens reads in memory that follows one key package. Both
//! take the transport key as a [`Decryption`]: a pre-shared key, or a password for PBKDF2.
//!
//! - **Elements.** Every element of RFC 6030 §4–§6, and the draft formats python-pskc 1.4
//!   reads (draft-hoyer-keyprov-portable-symmetric-key-container-00/01,
//!   draft-ietf-keyprov-pskc-02: `SecretContainer`, `Device`, `Usage`, `Data Name=`, ...)
//!   in lenient mode, each marked with [`Warning::DraftFormat`].
//! - **Decryption.** AES-128/192/256-CBC, Triple-DES-CBC, AES key wrap (RFC 3394, and RFC
//!   5649 with padding), Triple-DES key wrap (RFC 3217), Camellia-CBC and Camellia key wrap
//!   (both `xmlenc#` and `xmldsig-more#` names); PBKDF2 with HMAC-SHA-1/224/256/384/512.
//! - **MAC.** `ValueMAC` = HMAC-SHA-1/224/256/384/512 over IV‖ciphertext under the
//!   decrypted `MACKey`, checked in constant time before the value is decrypted. Lenient
//!   mode follows python-pskc where a MAC is missing (a [`Warning`] each); strict mode
//!   refuses. HMAC-MD5 and HMAC-RIPEMD-160 are refused.
//! - **Refused** with a typed [`PskcErrorKind`]: DTDs, external entities, entity
//!   declarations and references, asymmetric key transport (§6.3), and signed documents
//!   (the signature is not verified; [`ReadOptions::allow_unverified_signature`] reads them
//!   with a warning).
//! - **Errors** name the line and the key's `Id`. One bad key does not drop the others:
//!   [`Container::errors`] holds one error per key that failed. A wrong pre-shared key or
//!   password is one error for the document ([`PskcErrorKind::WrongTransportKey`]) when the
//!   document has a `MACKey` (key-wrap documents without one report each key).
//! - **Limits** ([`Limits`]) on size, keys, depth, attributes, text, base64, PBKDF2
//!   iterations.
//!
//! # Using
//!
//! [`PskcKey::enrolment_at`] gives the generator ([`Generator`]) and the initial
//! [`StateRecord`](crate::StateRecord), or why the key is [`Unusable`] (its policy, RFC 6030
//! §5).
//!
//! # Writing
//!
//! [`write()`] writes plaintext, pre-shared-key (AES-128/256-CBC + HMAC-SHA-256) or password
//! (PBKDF2-HMAC-SHA-256) documents with fresh random IVs, MAC key and salt. [`PskcWriter`]
//! writes the same document to any [`std::io::Write`] one key package at a time, so a
//! token maker's batch of 100,000 keys is written in memory that follows one package.
//!
//! # Secrets
//!
//! Decrypted keys live only in buffers wiped on drop; the event buffer of the XML reader is
//! wiped after each event, and element text (which may be a plaintext secret) is kept in
//! wiped buffers. To keep a plaintext document's own copy of the keys wiped, hold it in a
//! [`zeroize::Zeroizing`] buffer and read from it.
//!
//! # Examples
//!
//! RFC 6030 Figure 6, pre-shared key, AES-128-CBC and HMAC-SHA-1:
//!
//! ```
//! use otpkit::pskc::{read, Decryption, Generator, ReadOptions};
//!
//! let doc = include_bytes!("../tests/data/pskc_rfc6030_figure6.xml");
//! let psk = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12];
//! let c = read(&doc[..], Decryption::PreSharedKey(&psk), &ReadOptions::strict())?;
//! let e = c.keys[0].enrolment_at(0).expect("usable");
//! let Generator::Hotp(hotp) = e.generator else { unreachable!() };
//! assert_eq!(hotp.generate(e.record.next_counter()).as_str(), "84755224");
//! # Ok::<(), otpkit::pskc::PskcError>(())
//! ```

mod crypto;
mod error;
mod key;
mod limits;
mod package;
mod read;
mod tdes_kw;
mod usage;
mod value;
mod write;
mod xml;

pub use error::{LimitKind, PskcError, PskcErrorKind, Unusable, Warning};
pub use key::{ChallengeFormat, DeviceInfo, KeyPolicy, PinPolicy, PskcKey, ResponseFormat};
pub use limits::Limits;
pub use read::{Container, Decryption, PskcReader, ReadOptions, read};
pub use usage::{Enrolment, Generator};
pub use write::{
    DEFAULT_ITERATIONS, NewKey, NewKeyKind, Protection, PskcWriter, WriteCipher, WriteError, write,
};
