//! `OtpAuthUri::parse` (lenient and strict) on arbitrary text never panics, and whatever it
//! accepts and can rebuild parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit::uri::{OtpAuthUri, ParseOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    let _ = OtpAuthUri::parse_with(text, ParseOptions { strict: true });
    if let Ok(parsed) = OtpAuthUri::parse(text) {
        if let Ok(built) = parsed.uri.to_uri() {
            let again = OtpAuthUri::parse(&built).expect("a built URI parses");
            assert_eq!(again.uri, parsed.uri);
        }
    }
});
