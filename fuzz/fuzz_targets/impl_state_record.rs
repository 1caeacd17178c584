#![no_main]
//! See `otpkit_fuzz::impl_state_record`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| otpkit_fuzz::impl_state_record(data));
