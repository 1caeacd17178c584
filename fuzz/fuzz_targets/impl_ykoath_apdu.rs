#![no_main]
//! See `otpkit_fuzz::impl_ykoath_apdu`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| otpkit_fuzz::impl_ykoath_apdu(data));
