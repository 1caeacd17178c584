//! Shared by the firmware size subjects: the key and code types of the exported functions, the
//! panic handler, and the plain TOTP shell the references wrap around their HMAC (formatting,
//! parsing, and a ±1 window with a replay check, nearest step first).
#![no_std]

/// The 20-byte key every function takes (RFC 6238's SHA-1 key length).
pub type Key = [u8; 20];

/// RFC 6238's time step.
pub const PERIOD: u64 = 30;

/// Writes `value mod 10^6` as 6 ASCII digits; returns 0.
pub fn write_code(value: u32, out: &mut [u8; 6]) -> u8 {
    let mut v = value % 1_000_000;
    for o in out.iter_mut().rev() {
        *o = b'0' + (v % 10) as u8;
        v /= 10;
    }
    0
}

/// The value of 6 ASCII digits, or `None`.
pub fn parse_code(code: &[u8; 6]) -> Option<u32> {
    code.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Checks `code` against the steps around `center` (nearest first), all of them, and returns
/// the first match after `last` (`u64::MAX`: none), or -1. `value(step)` is the 6-digit code
/// value at `step`.
pub fn verify(code: &[u8; 6], center: u64, last: u64, value: impl Fn(u64) -> u32) -> i64 {
    let Some(given) = parse_code(code) else {
        return -1;
    };
    let mut found = -1i64;
    for k in 0..3 {
        // center, center - 1, center + 1
        let Some(step) = (match k {
            0 => Some(center),
            1 => center.checked_sub(1),
            _ => center.checked_add(1),
        }) else {
            continue;
        };
        if value(step) == given && (last == u64::MAX || step > last) && found < 0 {
            found = step as i64;
        }
    }
    found
}

// Tests link std, which brings its own.
#[cfg(feature = "std")]
extern crate std;

#[cfg(not(feature = "std"))]
#[panic_handler]
fn halt(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
