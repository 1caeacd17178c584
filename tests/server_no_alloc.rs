//! Server-side verification never touches the heap: verifying, resynchronising and throttling
//! through a `StateRecord` (TOTP, HOTP, OCRA), and encoding and decoding the record, make no
//! allocation, on success and on every refusal. Counted per thread with `allocation-counter`.

#![allow(clippy::unwrap_used)]

#[path = "support/in_memory.rs"]
mod in_memory;
use in_memory::CommitInMemory;

use otpkit::ocra::{DataInput, Ocra, OcraSuite};
use otpkit::{Hotp, HotpParams, Policy, StateRecord, ThrottlePolicy, Totp, TotpParams};

const KEY: &[u8] = b"12345678901234567890";
const NOW: u64 = 1_700_000_000;

#[test]
fn server_state_allocates_nothing() {
    let totp = Totp::new(KEY, TotpParams::default()).unwrap();
    let hotp = Hotp::new(KEY, HotpParams::default()).unwrap();
    let ocra = Ocra::new(
        OcraSuite::parse("OCRA-1:HOTP-SHA1-6:QN08-T1M").unwrap(),
        KEY,
    )
    .unwrap();
    let policy = Policy {
        throttle: ThrottlePolicy::delay(1, 30, 60),
        ..Policy::default()
    };
    let step = totp.step_at(NOW).unwrap();
    let (now_code, next_code) = (totp.generate_step(step), totp.generate_step(step + 1));
    let (h0, h1) = (hotp.generate(40), hotp.generate(41));
    let input = DataInput::new().question("12345678");
    let info = allocation_counter::measure(|| {
        let r = StateRecord::time_step();
        let v = r.verify_totp(&totp, &policy, NOW, now_code.as_str());
        let r = StateRecord::from_bytes(&v.record().to_bytes()).unwrap();
        let _ = r.verify_totp(&totp, &policy, NOW, now_code.as_str()); // replay
        let failed = *r.verify_totp(&totp, &policy, NOW, "000000").record();
        let _ = failed.verify_totp(&totp, &policy, NOW + 1, "000000"); // throttled
        let _ = r.verify_totp(&totp, &policy, NOW, "12x"); // malformed
        let _ = r.resync_totp(
            &totp,
            &policy,
            NOW + 30,
            &[now_code.as_str(), next_code.as_str()],
        );
        let c = StateRecord::counter(0);
        let _ = c.verify_hotp(&hotp, &policy, NOW, h0.as_str());
        let _ = c.resync_hotp(&hotp, &policy, NOW, &[h0.as_str(), h1.as_str()]);
        let _ = r.verify_ocra_time(&ocra, &policy, NOW, "123456", &input);
        let _ = StateRecord::from_bytes(&[1, 2, 3]);
    });
    assert_eq!(info.count_total, 0, "{info:?}");
}
