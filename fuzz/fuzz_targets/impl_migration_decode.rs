//! The hand-written protobuf codec of `otpkit::migration` on arbitrary payloads never panics,
//! and whatever it decodes and can export decodes back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit::migration::Migration;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Migration::decode_payload(data) {
        if let Ok(payload) = m.encode_payload() {
            let again = Migration::decode_payload(&payload).expect("an encoded payload decodes");
            assert_eq!(again, m);
        }
    }
});
