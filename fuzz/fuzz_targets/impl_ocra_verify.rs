#![no_main]
//! See `otpkit_fuzz::impl_ocra_verify`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| otpkit_fuzz::impl_ocra_verify(data));
