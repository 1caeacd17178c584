//! OCRA never touches the heap: parsing a suite, computing a response and verifying one (exact,
//! counter look-ahead, time window, every mode, t = 0 and a PIN hashed on the way) make no
//! allocation. Counted per thread with `allocation-counter`'s global allocator.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use otpkit::Window;
use otpkit::ocra::{DataInput, Ocra, OcraSuite, Role};

const KEY: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

#[test]
fn ocra_allocates_nothing() {
    // Everything the measured code returns is a stack value; errors are Copy.
    let info = allocation_counter::measure(|| {
        for (suite, input) in [
            (
                "OCRA-1:HOTP-SHA512-10:C-QN64-PSHA512-S512-T59M",
                DataInput::new()
                    .counter(u64::MAX)
                    .question("1234567890123456789012345678901234567890123456789012345678901234")
                    .password(b"1234")
                    .session(&[7; 512])
                    .unix_time(1_700_000_000),
            ),
            (
                "OCRA-1:HOTP-SHA256-8:QA08",
                DataInput::new().mutual(Role::Server, "CLI22220", "SRV11110"),
            ),
            (
                "OCRA-1:HOTP-SHA1-0:QH40-PSHA256",
                DataInput::new()
                    .question("0123456789abcdef0123456789ABCDEF01234567")
                    .password_hash(&[1; 32]),
            ),
        ] {
            let suite = OcraSuite::parse(suite).unwrap();
            let ocra = Ocra::new(suite, KEY).unwrap();
            let response = ocra.compute(&input).unwrap();
            let mut text = [0u8; 128];
            let text = format_into(&response, &mut text);
            ocra.verify(text, &input).unwrap();
            if suite.uses_counter() {
                let m = ocra
                    .verify_counter_uncommitted(text, &input, u64::MAX - 3, 5)
                    .unwrap();
                assert_eq!(m.counter, u64::MAX);
            }
            if suite.time_step().is_some() {
                let w = Window::symmetric(3).unwrap();
                let m = ocra
                    .verify_at_uncommitted(text, &input, 1_700_000_000, None, w)
                    .unwrap();
                assert_eq!(m.drift, 0);
            }
            // Failures are allocation-free too.
            let _ = ocra.verify("0", &input);
            let _ = ocra.compute(&DataInput::new());
            let _ = OcraSuite::parse("OCRA-1:HOTP-SHA1-6:QN08-T1M-S064");
        }
    });
    assert_eq!(info.count_total, 0, "{info:?}");
    // The counter does count.
    let control = allocation_counter::measure(|| {
        core::hint::black_box(vec![1u8; 4]);
    });
    assert_eq!(control.count_total, 1);
}

/// Writes `Display` output into a stack buffer (a `String` would allocate).
fn format_into<'a>(value: &dyn core::fmt::Display, buf: &'a mut [u8; 128]) -> &'a str {
    use core::fmt::Write;
    struct Buf<'b>(&'b mut [u8; 128], usize);
    impl Write for Buf<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let end = self.1 + s.len();
            self.0
                .get_mut(self.1..end)
                .ok_or(core::fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.1 = end;
            Ok(())
        }
    }
    let mut b = Buf(buf, 0);
    write!(b, "{value}").unwrap();
    let len = b.1;
    core::str::from_utf8(&buf[..len]).unwrap()
}
