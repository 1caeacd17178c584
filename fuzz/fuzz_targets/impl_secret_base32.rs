#![no_main]
//! See `otpkit_fuzz::impl_secret_base32`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| otpkit_fuzz::impl_secret_base32(data));
