#![no_main]
//! See `otpkit_fuzz::pskc_parse`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| otpkit_fuzz::pskc_parse(data));
