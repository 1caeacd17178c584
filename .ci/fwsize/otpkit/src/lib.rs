//! otpkit as firmware uses it: a `Totp` keyed from a 20-byte key, 6 digits, 30-second steps;
//! verification with a window of one step either side after the last accepted step.
#![no_std]

use fwsize_shell::Key;
use otpkit::{Totp, TotpParams, Window};

fn totp(key: &Key) -> Option<Totp> {
    Totp::new(key, TotpParams::default()).ok()
}

/// Writes the 6-digit code at Unix time `time` into `out`; returns 0, or 1 on error.
#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_generate(key: &Key, time: u64, out: &mut [u8; 6]) -> u8 {
    let Some(code) = totp(key).and_then(|t| t.generate_at(time).ok()) else {
        return 1;
    };
    out.iter_mut()
        .zip(code.as_str().bytes())
        .for_each(|(o, c)| *o = c);
    0
}

/// Verifies a 6-digit code at `time` with a window of one step either side, after the last
/// accepted step `last` (`u64::MAX` for none). Returns the matched step, or -1.
#[unsafe(no_mangle)]
pub extern "C" fn otp_totp_verify(key: &Key, code: &[u8; 6], time: u64, last: u64) -> i64 {
    let Some(t) = totp(key) else { return -1 };
    let Ok(code) = core::str::from_utf8(code) else {
        return -1;
    };
    let last = (last != u64::MAX).then_some(last);
    let window = Window::symmetric(1).unwrap_or_default();
    match t.verify_at(code, time, last, window) {
        Ok(m) => i64::try_from(m.step).unwrap_or(-1),
        Err(_) => -1,
    }
}
