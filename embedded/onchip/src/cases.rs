//! The seeded cases drawn by build.rs from `tests/data/otp_oracles.tsv` and
//! `tests/data/ocra_oracles.tsv`: codes on which the independent implementations agreed.

use otpkit::Algorithm;
use otpkit::ocra::Role;

/// The moving factor of an OTP case.
pub enum Kind {
    Hotp { counter: u64 },
    Totp { time: u64, period: u64, t0: u64 },
}

/// One row of `otp_oracles.tsv` (`line` is its line number there).
pub struct OtpCase {
    pub line: usize,
    pub kind: Kind,
    pub algorithm: Algorithm,
    pub digits: u8,
    pub key: &'static [u8],
    pub code: &'static str,
}

/// One row of `ocra_oracles.tsv` (`id` is its first column).
pub struct OcraCase {
    pub id: usize,
    pub suite: &'static str,
    pub key: &'static [u8],
    pub role: Option<Role>,
    pub question: Option<&'static str>,
    pub client: Option<&'static str>,
    pub server: Option<&'static str>,
    pub counter: Option<u64>,
    pub password: Option<&'static [u8]>,
    pub password_hash: Option<&'static [u8]>,
    pub session: Option<&'static [u8]>,
    pub timestamp: Option<u64>,
    pub unix: Option<u64>,
    pub expected: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/cases.rs"));
