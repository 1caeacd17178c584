//! otpkit as firmware uses it: a `Totp` keyed from a 20-byte key, 6 digits, 30-second steps;
//! verification with a window of one step either side after the last accepted step. The
//! `Totp` is used where `Totp::new` left it (`&Totp::new(..)`): moving it out of its `Result`
//! would be a 64-byte `memcpy`, which a firmware author avoids the same way.
#![no_std]

use fwsize_shell::Key;
use otpkit::{Totp, TotpParams, Window};

/// Writes the 6-digit code at Unix time `time` into `out`; returns 0, or 1 on error.
#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_generate(key: &Key, time: u64, out: &mut [u8; 6]) -> u8 {
    let Ok(totp) = &Totp::new(key, TotpParams::default()) else {
        return 1;
    };
    let Ok(code) = totp.generate_at(time) else {
        return 1;
    };
    let digits: &[u8] = code.as_ref();
    out.iter_mut().zip(digits).for_each(|(o, c)| *o = *c);
    0
}

/// Verifies a 6-digit code at `time` with a window of one step either side, after the last
/// accepted step `last` (`u64::MAX` for none). Returns the matched step, or -1.
#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_verify(key: &Key, code: &[u8; 6], time: u64, last: u64) -> i64 {
    let Ok(totp) = &Totp::new(key, TotpParams::default()) else {
        return -1;
    };
    let last = (last != u64::MAX).then_some(last);
    let window = Window::symmetric(1).unwrap_or_default();
    match totp.verify_at_uncommitted(code, time, last, window) {
        Ok(m) => i64::try_from(m.step).unwrap_or(-1),
        Err(_) => -1,
    }
}
