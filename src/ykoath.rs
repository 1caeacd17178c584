//! The YKOATH applet: the OATH protocol of YubiKeys, for a token's firmware.
//!
//! [`Applet`] answers the command APDUs that yubikit (the library behind `ykman oath` and
//! Yubico Authenticator) sends to an OATH authenticator key: SELECT, PUT, DELETE, SET CODE,
//! RESET, RENAME, LIST, CALCULATE (full and truncated), VALIDATE, CALCULATE ALL and SEND
//! REMAINING, for HOTP and TOTP over HMAC-SHA-1, HMAC-SHA-256 and HMAC-SHA-512 (each as compiled
//! in), 6 to 8 digits, with the touch-required and only-increasing properties and password
//! protection with mutual authentication.
//!
//! It is `no_std`, allocates nothing and does not panic. One [`Applet::process`] call takes one
//! command APDU (short or extended, possibly one link of a chain) and writes the response
//! (data, then SW1 SW2) into the caller's buffer. The board is reached through three small
//! traits:
//!
//! - [`CredentialStore`]: fixed-size records in numbered slots (flash pages on a token,
//!   [`ArrayStore`] in RAM, a file on a host);
//! - [`Random`]: SELECT's challenge and the device salt;
//! - [`Touch`]: the button check of credentials that require touch.
//!
//! There is no clock: YKOATH takes the time step from the host's challenge.
//!
//! # Limits and status words
//!
//! - Command data up to [`MAX_COMMAND_DATA`] bytes, in one extended APDU or a chain of short
//!   ones; more is refused with `67 00`.
//! - Answers longer than the response buffer (or than the command's Le) are sent in parts, with
//!   `61 xx` until SEND REMAINING has fetched the rest. The whole answer is built once, in the
//!   applet's buffer of `PENDING` bytes, and served from there: an HOTP answer is never
//!   recomputed. An answer that does not fit `PENDING` is refused with `6A 84`.
//! - Names are 1 to [`MAX_NAME_LEN`] bytes (`6A 80` otherwise); keys up to the hash's block
//!   length (64 bytes, 128 for SHA-512), as yubikit shortens longer ones.
//! - A SELECT of any other AID answers `6A 82`; an unknown instruction `6D 00`, a wrong class
//!   `6E 00`, wrong P1 P2 `6B 00`, malformed data `6A 80`, a full store `6A 84`, a missing
//!   credential `69 84`, a locked applet, a missing touch or a lower challenge for an
//!   only-increasing credential `69 82`, a store failure or a damaged record `65 81`. The applet
//!   stays usable after each of them.
//!
//! # HOTP counters and keys
//!
//! A CALCULATE of an HOTP credential writes the moved-on counter to the store before the code
//! leaves the applet (RFC 4226 §7.2): if the write fails, no code is answered, so a power cut
//! never shows one code twice. Keys go into the store and nowhere else: no instruction returns
//! one, [`Debug`](core::fmt::Debug) shows none, and deleted records are erased through
//! [`CredentialStore::erase`], which must wipe them.
//!
//! # Examples
//!
//! ```
//! use otpkit::ykoath::{Applet, ArrayStore, Random, Touch};
//!
//! struct Rng(u8);
//! impl Random for Rng {
//!     fn fill(&mut self, out: &mut [u8]) {
//!         // A board uses its true random number generator here.
//!         out.iter_mut().for_each(|b| { self.0 = self.0.wrapping_add(1); *b = self.0 });
//!     }
//! }
//! struct Button;
//! impl Touch for Button {
//!     fn confirm(&mut self) -> bool { true }
//! }
//!
//! let mut card: Applet<_, _, _> = Applet::new(ArrayStore::<8>::new(), Rng(0), Button);
//! let mut resp = [0u8; 258];
//! // SELECT: the version, then the device salt.
//! let n = card.process(&[0, 0xa4, 4, 0, 7, 0xa0, 0, 0, 5, 0x27, 0x21, 1], &mut resp)?;
//! assert_eq!(&resp[..5], &[0x79, 3, 5, 7, 0]);
//! assert_eq!(&resp[n - 2..n], &[0x90, 0]);
//! // PUT: TOTP, SHA-1, 8 digits, name "Example:alice", the RFC 6238 key.
//! let mut put = vec![0, 1, 0, 0, 0x27, 0x71, 13];
//! put.extend_from_slice(b"Example:alice");
//! put.extend_from_slice(&[0x73, 0x16, 0x21, 8]);
//! put.extend_from_slice(b"12345678901234567890");
//! assert_eq!(card.process(&put, &mut resp)?, 2);
//! // CALCULATE, truncated, at time step 1 (t = 59 s): RFC 6238's 94287082.
//! let mut calc = vec![0, 0xa2, 0, 1, 0x19, 0x71, 13];
//! calc.extend_from_slice(b"Example:alice");
//! calc.extend_from_slice(&[0x74, 8, 0, 0, 0, 0, 0, 0, 0, 1]);
//! let n = card.process(&calc, &mut resp)?;
//! assert_eq!(&resp[..n], &[0x76, 5, 8, 0x41, 0x39, 0x7e, 0xea, 0x90, 0]);
//! assert_eq!(0x4139_7eea % 100_000_000, 94_287_082);
//! # Ok::<(), otpkit::ykoath::ResponseTooSmall>(())
//! ```

mod access;
mod apdu;
mod applet;
mod calculate;
mod credentials;
mod record;
mod store;
mod tlv;

pub use applet::{Applet, ResponseTooSmall};
pub use store::{ArrayStore, CredentialStore, META_LEN, RECORD_LEN, Random, StoreError, Touch};

/// The YKOATH application identifier, `A0 00 00 05 27 21 01`.
pub const AID: [u8; 7] = [0xa0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01];

/// The version SELECT reports: 5.7.0. yubikit and `ykman` enable every OATH feature from 5.3.1
/// on (RENAME; extended APDUs over USB from 4.0; touch from 4.2.6; SHA-512 from 4.3.1).
pub const VERSION: [u8; 3] = [5, 7, 0];

/// The longest command data the applet takes, in one extended APDU or a chain of short ones:
/// 1024 bytes. No YKOATH command needs more than about 210; longer ones get `67 00`.
pub const MAX_COMMAND_DATA: usize = 1024;

/// The longest credential name (id): 64 bytes.
pub const MAX_NAME_LEN: usize = 64;

/// The longest key a record holds: 128 bytes, SHA-512's block (64 for SHA-1 and SHA-256).
pub const MAX_KEY_LEN: usize = 128;

/// The shortest response buffer [`Applet::process`] takes: one data byte and the status word.
pub const MIN_RESPONSE_LEN: usize = 3;

/// Copies `src` to the front of `dst` (as much as fits): `copy_from_slice` without its panic on
/// a length mismatch, which the callers rule out but the optimiser cannot always see.
fn copy(dst: &mut [u8], src: &[u8]) {
    dst.iter_mut().zip(src).for_each(|(d, s)| *d = *s);
}

/// Byte-slice equality without `memcmp`/`bcmp`: an external call, which the optimiser must assume
/// can unwind, would stand in the way of a link-time no-panic proof. Names and checks use it.
fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.ct_eq(b))
}
