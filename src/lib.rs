#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! otpkit (stand-in root until the core lands)
#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;
mod algorithm;
mod error;
mod secret;
pub use algorithm::Algorithm;
pub use error::Error;
pub use secret::Secret;
#[cfg(feature = "migration")]
pub mod migration;
#[cfg(feature = "qr")]
pub mod qr;
#[cfg(feature = "uri")]
pub mod uri;
