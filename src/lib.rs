#![no_std]
#![doc = include_str!("../README.md")]
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

mod algorithm;
mod base32;
mod code;
mod error;
mod hotp;
mod mac;
mod record;
mod secret;
mod throttle;
mod totp;
mod verify;

#[cfg(feature = "std")]
pub mod clock;

pub use algorithm::Algorithm;
pub use base32::Base32ErrorKind;
pub use code::{Code, CodeErrorKind};
pub use error::Error;
pub use hotp::{Hotp, HotpMatch, HotpParams};
pub use record::{Accepted, Policy, RecordKind, StateError, StateRecord, Verification};
pub use secret::Secret;
pub use throttle::{Backoff, Lock, ThrottlePolicy, ThrottleState};
pub use totp::{Totp, TotpMatch, TotpParams};
pub use verify::Window;
