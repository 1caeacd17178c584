//! Reference: the plain `hmac` + `sha1` crates, keyed on every call.
#![no_std]

use fwsize_shell::{Key, PERIOD};
use hmac::{KeyInit, Mac};

fn value(key: &Key, step: u64) -> u32 {
    // HMAC takes keys of any length: this never fails.
    let Ok(mut mac) = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key) else {
        return u32::MAX;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let mut word = [0u8; 4];
    word.copy_from_slice(&digest[offset..offset + 4]);
    (u32::from_be_bytes(word) & 0x7fff_ffff) % 1_000_000
}

#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_generate(key: &Key, time: u64, out: &mut [u8; 6]) -> u8 {
    fwsize_shell::write_code(value(key, time / PERIOD), out)
}

#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_verify(key: &Key, code: &[u8; 6], time: u64, last: u64) -> i64 {
    fwsize_shell::verify(code, time / PERIOD, last, |step| value(key, step))
}
