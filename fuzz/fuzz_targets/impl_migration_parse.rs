#![no_main]
//! See `otpkit_fuzz::impl_migration_parse`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| otpkit_fuzz::impl_migration_parse(data));
