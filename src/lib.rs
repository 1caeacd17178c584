#![no_std]
#![doc = include_str!("lib.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::cast_possible_truncation,
        clippy::panic
    )
)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

// build.rs turns SHA-1 on when no algorithm feature is; without it there is nothing to compute.
#[cfg(not(any(otpkit_sha1, feature = "sha256", feature = "sha512")))]
compile_error!("no hash algorithm is compiled in: was build.rs left out of the package?");

mod algorithm;
mod base32;
mod code;
mod enrolment;
mod error;
mod hotp;
mod mac;
mod record;
mod secret;
mod throttle;
mod totp;
mod verify;

pub mod ocra;
pub mod store;

#[cfg(feature = "std")]
pub mod clock;
#[cfg(feature = "rand")]
mod generate;
#[cfg(feature = "migration")]
pub mod migration;
#[cfg(feature = "pskc")]
pub mod pskc;
#[cfg(feature = "qr")]
pub mod qr;
#[cfg(feature = "sealed-keys")]
pub mod sealed;
#[cfg(feature = "serde")]
pub mod serde;
#[cfg(feature = "steam")]
pub mod steam;
#[cfg(feature = "uri")]
pub mod uri;
#[cfg(feature = "ykoath")]
pub mod ykoath;

/// README.md's Rust examples, compiled and run as doc tests (the crate docs are src/lib.md).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use algorithm::Algorithm;
pub use base32::Base32ErrorKind;
pub use code::{Code, CodeErrorKind};
pub use enrolment::{Bound, Enrolled, EnrolmentId};
pub use error::Error;
pub use hotp::{Hotp, HotpMatch, HotpParams};
pub use record::{Accepted, Policy, RecordBytes, RecordKind, StateError, StateRecord, Uncommitted};
#[cfg(feature = "alloc")]
pub use secret::BoxedSecret;
pub use secret::Secret;
pub use throttle::{Backoff, Lock, ThrottlePolicy, ThrottleState};
pub use totp::{Totp, TotpMatch, TotpParams};
pub use verify::Window;
