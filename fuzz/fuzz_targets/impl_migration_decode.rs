#![no_main]
//! See `otpkit_fuzz::impl_migration_decode`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| otpkit_fuzz::impl_migration_decode(data));
