//! Token keys sealed at rest (RFC 4226 §7.5): encrypted under a master key, decrypted only
//! while a generator is built.
//!
//! A server that keeps its tokens' keys must keep them encrypted (RFC 4226 §7.5): a copy of
//! the database then gives away nothing without the master key, which lives elsewhere (a file
//! only the server reads, an environment variable set by the service manager, a secrets
//! manager). [`MasterKey::seal`] encrypts a key for one token; [`MasterKey::open`] decrypts it
//! into a zeroizing buffer on the stack, hands it to the closure that builds the generator,
//! and wipes it: the generator keeps only keyed HMAC state. [`rotate_master_key`] re-seals
//! every key in a [`KeyStore`](crate::store::KeyStore) under a new master key without touching any record.
//!
//! # The cipher
//!
//! XChaCha20-Poly1305 (RustCrypto `chacha20poly1305`): its 192-bit nonce can be drawn at
//! random for every seal with no practical risk of repeating one (AES-GCM's 96-bit nonce
//! allows only about 2^32 random nonces per key), and it runs in constant time in software on
//! every platform, where AES needs hardware support to avoid table lookups.
//!
//! # The sealed format (version 2)
//!
//! | bytes | content |
//! |---|---|
//! | 1 | format version, `2` |
//! | 4 | id of the master key, big-endian ([`MasterKey::id`]) |
//! | 16 | the token's enrolment id ([`EnrolmentId`]) |
//! | 24 | nonce, random (`getrandom`) |
//! | key length + 16 | ciphertext and Poly1305 tag |
//!
//! The associated data is a SHA-256 of the 21-byte header and the token id, so a sealed key
//! moved to another token's row, relabelled with another master key's id, or with another
//! enrolment's id, does not open. A key opens into a generator bound to its enrolment
//! ([`Enrolled`]), and the verifiers refuse it unless that is the stored record's enrolment:
//! a key of an earlier enrolment of the same token (a backup, a replica, a stale write-back)
//! opens, and is refused.
//!
//! Version 1, written by earlier releases, is the same without the enrolment id (a 5-byte
//! header). It still opens, as a key of [`EnrolmentId::LEGACY`], so it is accepted only
//! against a record that has no enrolment id (one of format version 1, or written back from
//! one): a record of a real enrolment refuses it. [`MasterKey::reseal`] writes it as version 2.
//!
//! # Examples
//!
//! ```
//! use otpkit::sealed::MasterKey;
//! use otpkit::{EnrolmentId, Totp, TotpParams};
//!
//! let master = MasterKey::from_hex(
//!     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
//! )?;
//! let enrolment = EnrolmentId::random()?;
//! let sealed = master.seal_enrolled("alice", enrolment, b"12345678901234567890")?;
//! // ... stored in alice's row with her first record (`EnrolStore::enrol_with_key`); later,
//! // for a login:
//! let totp = master.open_totp("alice", &sealed, TotpParams::default())?;
//! assert_eq!(totp.enrolment(), enrolment);
//! assert_eq!(totp.generate_at(59)?.as_str(), "287082");
//! // Sealed for alice, it does not open as bob's.
//! assert!(master.open_totp("bob", &sealed, TotpParams::default()).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
#[cfg(feature = "std")]
mod key_file;
mod rotate;

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use zeroize::{Zeroize, Zeroizing};

pub use error::SealError;
#[cfg(feature = "std")]
pub use key_file::{KeyFileOptions, MAX_KEY_FILE_LEN};
pub use rotate::{
    Progress, RotateError, RotateOptions, Rotation, rotate_master_key, rotate_master_key_async,
    rotate_master_key_with,
};

use crate::{Enrolled, EnrolmentId, Hotp, HotpParams, Secret, Totp, TotpParams};

/// The version byte of the sealed format this module writes.
const VERSION: u8 = 2;
/// Version byte, master-key id and enrolment id.
const HEADER_LEN: usize = 5 + EnrolmentId::LEN;
/// Version byte and master-key id: format version 1.
const HEADER_LEN_V1: usize = 5;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// The bytes a sealed key has besides the ciphertext of the key.
pub const OVERHEAD: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;

/// A 256-bit master key that seals token keys, wiped on drop and never shown by `Debug`.
///
/// It is identified by [`id`](Self::id), a fingerprint stored in every key it seals, so that a
/// server holding an old and a new key during a rotation knows which one opens a given key
/// ([`sealed_with`]).
///
/// # Examples
///
/// ```
/// use otpkit::sealed::MasterKey;
///
/// let master = MasterKey::from_bytes([7; 32]);
/// assert_eq!(format!("{master:?}"), format!("MasterKey {{ id: {:#010x}, .. }}", master.id()));
/// ```
pub struct MasterKey {
    /// The key in a heap block of its own, written in place: moving a `MasterKey` moves a
    /// pointer, never the key, so no copy is left on the stack.
    key: Box<Zeroizing<[u8; 32]>>,
    id: u32,
}

impl MasterKey {
    /// The length of a master key in bytes.
    pub const LEN: usize = 32;

    /// A master key from its 32 bytes (the copy passed in is wiped; wipe the caller's own).
    #[must_use]
    pub fn from_bytes(mut bytes: [u8; 32]) -> MasterKey {
        let mut slot = empty_slot();
        slot.copy_from_slice(&bytes);
        bytes.zeroize();
        MasterKey::from_slot(slot)
    }

    /// A master key from 64 hexadecimal digits (either case; whitespace around them, such as
    /// a file's final newline, is ignored).
    ///
    /// # Errors
    ///
    /// [`SealError::InvalidMasterKey`] for anything but 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Result<MasterKey, SealError> {
        MasterKey::from_hex_bytes(text.as_bytes())
    }

    /// [`from_hex`](Self::from_hex) over bytes, decoded straight into the key's heap block.
    fn from_hex_bytes(text: &[u8]) -> Result<MasterKey, SealError> {
        let text = text.trim_ascii();
        if text.len() != 2 * Self::LEN {
            return Err(SealError::InvalidMasterKey);
        }
        let mut slot = empty_slot();
        for (byte, pair) in slot.iter_mut().zip(text.chunks_exact(2)) {
            let (Some(hi), Some(lo)) = (
                pair.first().and_then(|&c| hex_value(c)),
                pair.get(1).and_then(|&c| hex_value(c)),
            ) else {
                return Err(SealError::InvalidMasterKey);
            };
            *byte = (hi << 4) | lo;
        }
        Ok(MasterKey::from_slot(slot))
    }

    /// A new random master key (`getrandom`).
    ///
    /// # Errors
    ///
    /// [`SealError::RandomUnavailable`] when the operating system has no randomness to give.
    pub fn generate() -> Result<MasterKey, SealError> {
        let mut slot = empty_slot();
        getrandom::fill(slot.as_mut_slice()).map_err(|_| SealError::RandomUnavailable)?;
        Ok(MasterKey::from_slot(slot))
    }

    /// The master key named by the environment variable `var`, in 64 hexadecimal digits.
    ///
    /// # Note
    ///
    /// The variable stays in the process's environment, where every child process inherits
    /// it and `/proc/PID/environ` shows the bytes the process started with, whatever it
    /// changes later (and `std::env::remove_var` is `unsafe` in a program with threads).
    /// Prefer [`from_credential`](Self::from_credential), [`from_file`](Self::from_file) or
    /// [`from_fd`](Self::from_fd). Where the key only exists in an environment variable, read
    /// it in the shell that starts the server and hand it over on a file descriptor, with the
    /// variable removed from the server's environment:
    ///
    /// ```text
    /// env -u OTPKIT_MASTER_KEY server --master-key-fd 3 3<<<"$OTPKIT_MASTER_KEY"
    /// ```
    ///
    /// # Errors
    ///
    /// [`SealError::MasterKeyNotSet`] when the variable is not set (or not Unicode),
    /// [`SealError::InvalidMasterKey`] when it is not 64 hexadecimal digits.
    #[cfg(feature = "std")]
    pub fn from_env(var: &str) -> Result<MasterKey, SealError> {
        let text = Zeroizing::new(std::env::var(var).map_err(|_| SealError::MasterKeyNotSet)?);
        MasterKey::from_hex(&text)
    }

    /// The master key in the file at `path`: 64 hexadecimal digits (and optional whitespace,
    /// [`MAX_KEY_FILE_LEN`] bytes in all), or exactly 32 raw bytes.
    ///
    /// Only a regular file or a pipe is read (a device such as `/dev/zero` is refused before
    /// it is opened), and a regular file only when its group and others have no access to
    /// it (mode `0600` or `0400`); [`from_file_with`](Self::from_file_with) and
    /// [`KeyFileOptions`] turn that check off.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use std::os::unix::fs::PermissionsExt as _;
    /// use otpkit::sealed::MasterKey;
    ///
    /// let path = std::env::temp_dir().join(format!("otpkit-doc-master-{}", std::process::id()));
    /// std::fs::write(&path, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n")?;
    /// // Readable by others: refused.
    /// std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;
    /// assert!(MasterKey::from_file(&path).is_err());
    /// std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    /// let master = MasterKey::from_file(&path)?;
    /// # std::fs::remove_file(&path)?;
    /// # let _ = master;
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The file's I/O error, or an error carrying a [`SealError`]:
    /// [`KeyFileType`](SealError::KeyFileType) ([`InvalidInput`](std::io::ErrorKind::InvalidInput))
    /// for anything but a regular file or a pipe,
    /// [`KeyFilePermissions`](SealError::KeyFilePermissions)
    /// ([`PermissionDenied`](std::io::ErrorKind::PermissionDenied)) for a file its group or
    /// others may access, [`KeyFileTooLong`](SealError::KeyFileTooLong) and
    /// [`InvalidMasterKey`](SealError::InvalidMasterKey)
    /// ([`InvalidData`](std::io::ErrorKind::InvalidData)) for contents that are not a key.
    #[cfg(feature = "std")]
    pub fn from_file(path: impl AsRef<std::path::Path>) -> std::io::Result<MasterKey> {
        MasterKey::from_file_with(path, KeyFileOptions::default())
    }

    /// [`from_file`](Self::from_file), with its permission check set by `options`.
    ///
    /// # Errors
    ///
    /// As [`from_file`](Self::from_file).
    #[cfg(feature = "std")]
    pub fn from_file_with(
        path: impl AsRef<std::path::Path>,
        options: KeyFileOptions,
    ) -> std::io::Result<MasterKey> {
        let path = path.as_ref();
        // Examined before opening: opening some devices acts on them.
        let meta = std::fs::metadata(path)?;
        if !key_file::readable_type(&meta) {
            return Err(key_file::error(SealError::KeyFileType));
        }
        key_file::read(std::fs::File::open(path)?, options)
    }

    /// The master key read from the file descriptor `fd` (a file or pipe the parent process
    /// opened, such as `3< master.key` or `3<<<"$KEY"` in a shell), with the checks and forms
    /// of [`from_file_with`](Self::from_file_with). The descriptor is closed when read.
    ///
    /// # Errors
    ///
    /// As [`from_file`](Self::from_file).
    #[cfg(all(feature = "std", unix))]
    pub fn from_fd(
        fd: std::os::fd::OwnedFd,
        options: KeyFileOptions,
    ) -> std::io::Result<MasterKey> {
        key_file::read(std::fs::File::from(fd), options)
    }

    /// The master key systemd passes as the credential `name` (`LoadCredential=name:PATH`,
    /// `SetCredentialEncrypted=`, ...): the file `name` in `$CREDENTIALS_DIRECTORY`, read as
    /// [`from_file`](Self::from_file) reads it. The key never enters the environment, and
    /// systemd makes the file readable by the service alone.
    ///
    /// # Errors
    ///
    /// A [`NotFound`](std::io::ErrorKind::NotFound) error carrying
    /// [`SealError::MasterKeyNotSet`] when `$CREDENTIALS_DIRECTORY` is not set;
    /// [`InvalidInput`](std::io::ErrorKind::InvalidInput) with
    /// [`SealError::InvalidCredentialName`] for a `name` that is empty, `.`, `..` or holds a
    /// `/`; otherwise as [`from_file`](Self::from_file).
    #[cfg(feature = "std")]
    pub fn from_credential(name: &str) -> std::io::Result<MasterKey> {
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\', '\0']) {
            return Err(key_file::error(SealError::InvalidCredentialName));
        }
        let dir = std::env::var_os("CREDENTIALS_DIRECTORY")
            .ok_or_else(|| key_file::error(SealError::MasterKeyNotSet))?;
        MasterKey::from_file(std::path::Path::new(&dir).join(name))
    }

    /// A master key from its filled heap block.
    fn from_slot(key: Box<Zeroizing<[u8; 32]>>) -> MasterKey {
        let id = fingerprint(&key);
        MasterKey { key, id }
    }

    /// The key's id: the first 4 bytes of a SHA-256 of the key (a fingerprint, which tells
    /// keys apart and gives nothing of them away).
    #[must_use]
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Writes the key in 64 lower-case hexadecimal digits, for a key file or a secrets
    /// manager: the text written is the master key.
    ///
    /// # Errors
    ///
    /// Only what `out` returns.
    pub fn write_secret_hex(&self, out: &mut dyn fmt::Write) -> fmt::Result {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for &b in self.key.iter() {
            for nibble in [b >> 4, b & 0xf] {
                out.write_char(char::from(
                    *DIGITS.get(usize::from(nibble)).unwrap_or(&b'0'),
                ))?;
            }
        }
        Ok(())
    }

    /// Seals `key`, the secret of token `token_id`, for a token enrolled without an enrolment
    /// id ([`EnrolmentId::LEGACY`]): [`seal_enrolled`](Self::seal_enrolled) with it.
    ///
    /// The verifiers accept the key only against a record of the legacy enrolment. Seal the
    /// key of a new enrolment with [`seal_enrolled`](Self::seal_enrolled).
    ///
    /// # Errors
    ///
    /// As [`seal_enrolled`](Self::seal_enrolled).
    pub fn seal(&self, token_id: &str, key: &[u8]) -> Result<Vec<u8>, SealError> {
        self.seal_enrolled(token_id, EnrolmentId::LEGACY, key)
    }

    /// Seals `key`, the secret of enrolment `enrolment` of token `token_id`: the bytes to
    /// store in the token's row, with the enrolment's first record
    /// ([`EnrolStore::enrol_with_key`](crate::store::EnrolStore::enrol_with_key)).
    ///
    /// A fresh random nonce is drawn every time, so sealing the same key twice gives different
    /// bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::sealed::MasterKey;
    /// use otpkit::{EnrolmentId, HotpParams};
    ///
    /// let master = MasterKey::from_bytes([4; 32]);
    /// let enrolment = EnrolmentId::random()?;
    /// let sealed = master.seal_enrolled("t", enrolment, &[9; 20])?;
    /// assert_eq!(master.open_hotp("t", &sealed, HotpParams::default())?.enrolment(), enrolment);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`SealError::KeyLength`] for an empty key or one longer than [`Secret::MAX_LEN`];
    /// [`SealError::RandomUnavailable`] when no nonce can be drawn.
    pub fn seal_enrolled(
        &self,
        token_id: &str,
        enrolment: EnrolmentId,
        key: &[u8],
    ) -> Result<Vec<u8>, SealError> {
        if key.is_empty() || key.len() > Secret::MAX_LEN {
            return Err(SealError::KeyLength {
                len: key.len(),
                max: Secret::MAX_LEN,
            });
        }
        let mut out = Vec::with_capacity(OVERHEAD + key.len());
        out.push(VERSION);
        out.extend_from_slice(&self.id.to_be_bytes());
        out.extend_from_slice(&enrolment.to_bytes());
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| SealError::RandomUnavailable)?;
        out.extend_from_slice(&nonce);
        let start = out.len();
        out.extend_from_slice(key);
        let aad = aad(out.get(..HEADER_LEN).unwrap_or(&[]), token_id);
        let body = out.get_mut(start..).unwrap_or(&mut []);
        let tag = self
            .cipher()
            .encrypt_inout_detached(&XNonce::from(nonce), &aad, body.into());
        match tag {
            Ok(tag) => {
                out.extend_from_slice(&tag);
                Ok(out)
            }
            Err(_) => {
                // Unreachable for keys of at most 256 bytes; never leave the key behind.
                out.zeroize();
                Err(SealError::KeyLength {
                    len: key.len(),
                    max: Secret::MAX_LEN,
                })
            }
        }
    }

    /// Opens the key sealed for token `token_id` and passes it to `build`, which makes the
    /// generator; the decrypted key is wiped as soon as `build` returns. The generator comes
    /// back bound to the enrolment the key was sealed for ([`EnrolmentId::LEGACY`] for a key
    /// of format version 1), which the verifiers check against the stored record.
    ///
    /// The key is decrypted in place into a [`Secret`] on the stack (never onto the heap), and
    /// `build` only borrows it, so it cannot keep it:
    ///
    /// ```compile_fail
    /// # use otpkit::sealed::MasterKey;
    /// # let master = MasterKey::from_bytes([1; 32]);
    /// # let sealed = master.seal("t", &[2; 20]).unwrap();
    /// let mut kept: &[u8] = &[];
    /// master.open("t", &sealed, |key| { kept = key; Ok(()) }).unwrap();
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::ocra::{Ocra, OcraSuite};
    /// use otpkit::sealed::MasterKey;
    ///
    /// let master = MasterKey::from_bytes([1; 32]);
    /// let sealed = master.seal("card-9", b"12345678901234567890")?;
    /// let suite: OcraSuite = "OCRA-1:HOTP-SHA1-6:QN08".parse()?;
    /// let ocra = master.open("card-9", &sealed, |key| Ocra::new(suite, key))?;
    /// assert!(ocra.enrolment().is_legacy()); // sealed with `seal`, not `seal_enrolled`
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - [`SealError::Truncated`] or [`SealError::UnsupportedVersion`] for bytes that are not
    ///   a sealed key of this format;
    /// - [`SealError::WrongMasterKey`] when another master key sealed it;
    /// - [`SealError::Authentication`] when the bytes were changed, or sealed for another
    ///   token;
    /// - [`SealError::Key`] with `build`'s error.
    pub fn open<T>(
        &self,
        token_id: &str,
        sealed: &[u8],
        build: impl FnOnce(&[u8]) -> Result<T, crate::Error>,
    ) -> Result<Enrolled<T>, SealError> {
        let enrolment = Parts::parse(sealed)?.enrolment;
        self.open_with(token_id, sealed, |key| build(key).map_err(SealError::Key))
            .map(|generator| Enrolled::new(generator, enrolment))
    }

    /// Decrypts into a wiped stack buffer and runs `use_key` on the key.
    fn open_with<T>(
        &self,
        token_id: &str,
        sealed: &[u8],
        use_key: impl FnOnce(&[u8]) -> Result<T, SealError>,
    ) -> Result<T, SealError> {
        let parts = Parts::parse(sealed)?;
        if parts.master_id != self.id {
            return Err(SealError::WrongMasterKey {
                sealed_with: parts.master_id,
                given: self.id,
            });
        }
        let mut key = Secret::zeroed(parts.ciphertext.len()).map_err(|_| SealError::KeyLength {
            len: parts.ciphertext.len(),
            max: Secret::MAX_LEN,
        })?;
        let buf = key.as_mut_bytes();
        buf.copy_from_slice(parts.ciphertext);
        self.cipher()
            .decrypt_inout_detached(
                &XNonce::from(parts.nonce),
                &aad(parts.header, token_id),
                buf.into(),
                &Tag::from(parts.tag),
            )
            .map_err(|_| SealError::Authentication)?;
        use_key(key.as_ref())
        // `key` is wiped here, on drop.
    }

    /// Opens a sealed key into a TOTP generator ([`open`](Self::open) with [`Totp::new`]).
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open); [`SealError::Key`] with [`Totp::new`]'s error.
    pub fn open_totp(
        &self,
        token_id: &str,
        sealed: &[u8],
        params: TotpParams,
    ) -> Result<Enrolled<Totp>, SealError> {
        self.open(token_id, sealed, |key| Totp::new(key, params))
    }

    /// Opens a sealed key into an HOTP generator ([`open`](Self::open) with [`Hotp::new`]).
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open); [`SealError::Key`] with [`Hotp::new`]'s error.
    pub fn open_hotp(
        &self,
        token_id: &str,
        sealed: &[u8],
        params: HotpParams,
    ) -> Result<Enrolled<Hotp>, SealError> {
        self.open(token_id, sealed, |key| Hotp::new(key, params))
    }

    /// Re-seals a key sealed by `self` under `new`, for token `token_id` and the enrolment it
    /// was sealed for, in the current format (a key of format version 1 becomes version 2, of
    /// [`EnrolmentId::LEGACY`]); the key passes through a wiped stack buffer only.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open) and [`seal`](Self::seal).
    pub fn reseal(
        &self,
        token_id: &str,
        sealed: &[u8],
        new: &MasterKey,
    ) -> Result<Vec<u8>, SealError> {
        let enrolment = Parts::parse(sealed)?.enrolment;
        self.reseal_for(token_id, enrolment, sealed, new)
    }

    /// Re-seals a key sealed by `self` under `new`, for enrolment `enrolment` of token
    /// `token_id` (read it from the token's stored record,
    /// [`StateRecord::enrolment`](crate::StateRecord::enrolment)), in the current format.
    ///
    /// The key must already belong to `enrolment`: a key of format version 1 belongs to
    /// [`EnrolmentId::LEGACY`] only. A key of another enrolment (one restored over a
    /// re-enrolment) is refused, never bound to the new one.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::sealed::{MasterKey, SealError};
    /// use otpkit::EnrolmentId;
    ///
    /// let (old, new) = (MasterKey::from_bytes([1; 32]), MasterKey::from_bytes([2; 32]));
    /// let (first, second) = (EnrolmentId::from_bytes([1; 16]), EnrolmentId::from_bytes([2; 16]));
    /// let sealed = old.seal_enrolled("t", first, &[9; 20])?;
    /// let resealed = old.reseal_for("t", first, &sealed, &new)?;
    /// assert_eq!(new.open("t", &resealed, |key| Ok(key.len()))?.enrolment(), first);
    /// assert_eq!(
    ///     old.reseal_for("t", second, &sealed, &new),
    ///     Err(SealError::EnrolmentMismatch { sealed: first, expected: second }),
    /// );
    /// # Ok::<(), SealError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`SealError::EnrolmentMismatch`] when the key was sealed for another enrolment; as
    /// [`open`](Self::open) and [`seal_enrolled`](Self::seal_enrolled).
    pub fn reseal_for(
        &self,
        token_id: &str,
        enrolment: EnrolmentId,
        sealed: &[u8],
        new: &MasterKey,
    ) -> Result<Vec<u8>, SealError> {
        let found = Parts::parse(sealed)?.enrolment;
        if found != enrolment {
            return Err(SealError::EnrolmentMismatch {
                sealed: found,
                expected: enrolment,
            });
        }
        self.open_with(token_id, sealed, |key| {
            new.seal_enrolled(token_id, enrolment, key)
        })
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        // By reference: no copy of the key in a temporary.
        XChaCha20Poly1305::new((&**self.key).into())
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey {{ id: {:#010x}, .. }}", self.id)
    }
}

/// The id of the master key that sealed `sealed` (to pick the key that opens it, during a
/// rotation).
///
/// # Examples
///
/// ```
/// use otpkit::sealed::{MasterKey, sealed_with};
///
/// let master = MasterKey::from_bytes([3; 32]);
/// let sealed = master.seal("t", &[9; 20])?;
/// assert_eq!(sealed_with(&sealed)?, master.id());
/// # Ok::<(), otpkit::sealed::SealError>(())
/// ```
///
/// # Errors
///
/// [`SealError::Truncated`] or [`SealError::UnsupportedVersion`] for bytes that are not a
/// sealed key of this format.
pub fn sealed_with(sealed: &[u8]) -> Result<u32, SealError> {
    Parts::parse(sealed).map(|p| p.master_id)
}

/// The enrolment `sealed` says it was sealed for ([`EnrolmentId::LEGACY`] for format version
/// 1), read without opening it: authenticated only once [`MasterKey::open`] succeeds.
///
/// # Examples
///
/// ```
/// use otpkit::sealed::{MasterKey, sealed_enrolment};
/// use otpkit::EnrolmentId;
///
/// let enrolment = EnrolmentId::from_bytes([8; 16]);
/// let sealed = MasterKey::from_bytes([3; 32]).seal_enrolled("t", enrolment, &[9; 20])?;
/// assert_eq!(sealed_enrolment(&sealed)?, enrolment);
/// # Ok::<(), otpkit::sealed::SealError>(())
/// ```
///
/// # Errors
///
/// As [`sealed_with`].
pub fn sealed_enrolment(sealed: &[u8]) -> Result<EnrolmentId, SealError> {
    Parts::parse(sealed).map(|p| p.enrolment)
}

/// A sealed key, split.
struct Parts<'a> {
    header: &'a [u8],
    master_id: u32,
    enrolment: EnrolmentId,
    nonce: [u8; NONCE_LEN],
    ciphertext: &'a [u8],
    tag: [u8; TAG_LEN],
}

impl<'a> Parts<'a> {
    fn parse(sealed: &'a [u8]) -> Result<Parts<'a>, SealError> {
        let truncated = SealError::Truncated { len: sealed.len() };
        let (&version, _) = sealed.split_first().ok_or(truncated)?;
        let header_len = match version {
            1 => HEADER_LEN_V1,
            VERSION => HEADER_LEN,
            _ => return Err(SealError::UnsupportedVersion { version }),
        };
        if sealed.len() <= header_len + NONCE_LEN + TAG_LEN {
            return Err(truncated);
        }
        let (header, rest) = sealed.split_at(header_len);
        let (nonce, rest) = rest.split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let mut id = [0; 4];
        id.copy_from_slice(header.get(1..5).unwrap_or(&[0; 4]));
        let mut enrolment = [0; EnrolmentId::LEN];
        if let Some(bytes) = header.get(5..)
            && bytes.len() == EnrolmentId::LEN
        {
            enrolment.copy_from_slice(bytes);
        }
        Ok(Parts {
            header,
            master_id: u32::from_be_bytes(id),
            enrolment: EnrolmentId::from_bytes(enrolment),
            nonce: nonce.try_into().map_err(|_| truncated)?,
            ciphertext,
            tag: tag.try_into().map_err(|_| truncated)?,
        })
    }
}

/// The associated data: a SHA-256 of the sealed key's header and the token id (a fixed-size
/// value on the stack, whatever the id's length).
fn aad(header: &[u8], token_id: &str) -> [u8; 32] {
    crate::mac::sha256(&[b"otpkit sealed key\0", header, token_id.as_bytes()])
}

/// A zeroed key block on the heap, to be written in place.
fn empty_slot() -> Box<Zeroizing<[u8; 32]>> {
    Box::new(Zeroizing::new([0; 32]))
}

/// The first 4 bytes of a SHA-256 of the key (hashed in place by [`crate::mac::sha256`]).
fn fingerprint(key: &[u8; 32]) -> u32 {
    let digest = crate::mac::sha256(&[b"otpkit sealed-keys master key id\0", key]);
    let mut id = [0; 4];
    id.copy_from_slice(digest.get(..4).unwrap_or(&[0; 4]));
    u32::from_be_bytes(id)
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}
