#![no_main]
//! See `otpkit_fuzz::impl_hotp_verify`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| otpkit_fuzz::impl_hotp_verify(data));
