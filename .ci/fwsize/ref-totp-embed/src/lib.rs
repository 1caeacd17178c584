//! Reference: totp_embed 1.0.5 (`totp_custom::<Sha1>(30, 6, key, time)`), as its README uses it.
#![no_std]

use fwsize_shell::{Key, PERIOD};
use totp_embed::{Sha1, totp_custom};

fn code_at(key: &Key, time: u64) -> u32 {
    // Below 10^6 by construction.
    totp_custom::<Sha1>(PERIOD, 6, key, time) as u32
}

#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_generate(key: &Key, time: u64, out: &mut [u8; 6]) -> u8 {
    fwsize_shell::write_code(code_at(key, time), out)
}

#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_verify(key: &Key, code: &[u8; 6], time: u64, last: u64) -> i64 {
    fwsize_shell::verify(code, time / PERIOD, last, |step| {
        code_at(key, step * PERIOD)
    })
}
