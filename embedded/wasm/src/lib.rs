//! otpkit in a WebAssembly module: an `otpauth://` URI parsed with the `uri` feature and a TOTP
//! code generated from it, with no std (`core` and `alloc` only).
//!
//! Exports `totp_at(time: u64) -> i64`: the 6-digit code of RFC 6238's SHA-1 key at Unix time
//! `time`, or -1 if the URI or the time were refused. `.ci/embedded` calls it from Node.js and
//! compares with oathtool.

#![no_std]

extern crate alloc;

use otpkit::uri::OtpAuthUri;

#[global_allocator]
static HEAP: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

/// RFC 6238's SHA-1 key, `12345678901234567890`, in the Key URI format.
const URI: &str =
    "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example";

/// The code at Unix time `time` as a number, or -1.
// SAFETY: the one exported symbol of the module, named for its host; no other item is named so.
#[unsafe(no_mangle)]
pub extern "C" fn totp_at(time: u64) -> i64 {
    let Ok(parsed) = OtpAuthUri::parse(URI) else {
        return -1;
    };
    let Ok(otpkit::uri::Generator::Totp(totp)) = parsed.uri.generator() else {
        return -1;
    };
    match totp.generate_at(time) {
        Ok(code) => code.as_str().parse().unwrap_or(-1),
        Err(_) => -1,
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
