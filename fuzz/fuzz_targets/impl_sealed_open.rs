#![no_main]
//! See `otpkit_fuzz::impl_sealed_open`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| otpkit_fuzz::impl_sealed_open(data));
