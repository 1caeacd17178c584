#![no_main]
//! See `otpkit_fuzz::spec_generate_verify`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| otpkit_fuzz::spec_generate_verify(data));
