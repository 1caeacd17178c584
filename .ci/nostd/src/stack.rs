//! Peak stack of TOTP keying (`Totp::new`), generation and verification (±1 window) alone, and
//! of the exported `otp_totp_generate` and `otp_totp_verify` (which key on every call), by
//! painting: fill a region below the current frame with a pattern, run the function, then find
//! the deepest byte it changed.
//! Host only; run with the release profile (the one firmware would use).

use std::hint::black_box;

use otpkit::{Totp, TotpParams, Window};
use otpkit_nostd::{otp_totp_generate, otp_totp_verify};

const PAINT: usize = 64 * 1024;
const PATTERN: u8 = 0xA5;

/// The address of a local: a stand-in for the stack pointer of the caller.
#[inline(never)]
fn stack_marker() -> usize {
    let x = 0u8;
    black_box(&x) as *const u8 as usize
}

/// Fills `PAINT` bytes below the caller's frame; returns their lowest address.
#[inline(never)]
fn paint() -> usize {
    let mut area = [PATTERN; PAINT];
    black_box(&mut area);
    area.as_ptr() as usize
}

/// The deepest address in `[low, high)` no longer holding the pattern.
#[inline(never)]
fn deepest_change(low: usize, high: usize) -> usize {
    (low..high)
        // SAFETY: the range lies in this thread's stack, below the live frames: mapped, and
        // read as plain bytes.
        .find(|&a| unsafe { core::ptr::read_volatile(a as *const u8) } != PATTERN)
        .unwrap_or(high)
}

#[inline(never)]
fn measure(name: &str, mut f: impl FnMut()) {
    let top = stack_marker();
    let low = paint();
    f();
    let deepest = deepest_change(low, top);
    println!("{name}_stack {}", top - deepest);
}

fn main() {
    let key = *b"12345678901234567890";
    // The operations alone, as firmware that keys its Totp once at start-up calls them.
    let params = TotpParams::default();
    measure("new", || {
        black_box(Totp::new(black_box(&key), params).ok());
    });
    let totp = Totp::new(&key, params).unwrap();
    let window = Window::symmetric(1).unwrap();
    measure("generate", || {
        black_box(black_box(&totp).generate_at(black_box(59)).ok());
    });
    measure("verify", || {
        black_box(black_box(&totp).verify_at_uncommitted(black_box("000000"), 59, None, window).ok());
    });
    // The exported functions, which key the Totp on every call as well.
    let mut code = [0u8; 6];
    measure("otp_totp_generate", || {
        black_box(otp_totp_generate(black_box(&key), 0, black_box(59), &mut code));
    });
    let mut good = [0u8; 6];
    otp_totp_generate(&key, 0, 59, &mut good);
    assert_eq!(&good, b"287082");
    measure("otp_totp_verify", || {
        black_box(otp_totp_verify(black_box(&key), 0, black_box(b"000000"), 59, u64::MAX));
    });
    assert_eq!(otp_totp_verify(&key, 0, &good, 59, u64::MAX), 1);
}
