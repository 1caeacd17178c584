//! Proves that the core operations allocate nothing: each runs under a counting global
//! allocator (`allocation-counter`), which must see no allocation.
//!
//! Covered: HOTP/TOTP generate and verify (hit, miss, replay, malformed code), HOTP resync,
//! `Secret::decode_base32`, `Secret::from_bytes` and `Code::parse`. Construction (`Hotp::new`,
//! `Totp::new`) is covered too: keyed state lives inline, with no heap.

// Every algorithm is exercised, so every algorithm feature is needed.
#![cfg(all(feature = "sha1", feature = "sha256", feature = "sha512"))]
// Test helpers, not library code: a failure should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::panic, clippy::std_instead_of_core)]

use otpkit::{Algorithm, Code, Hotp, HotpParams, Secret, Totp, TotpParams, Window};

/// Runs `f` and fails if it allocated. `allocation-counter` installs the counting global
/// allocator and counts per thread, so tests running in parallel do not disturb each other.
#[track_caller]
fn assert_no_alloc<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(std::hint::black_box(f())));
    assert_eq!(info.count_total, 0, "{what} allocated");
    out.unwrap()
}

const KEY: &[u8] = b"12345678901234567890";

#[test]
fn counter_sees_allocations() {
    let info = allocation_counter::measure(|| drop(std::hint::black_box(vec![1u8; 32])));
    assert_eq!(info.count_total, 1);
}

#[test]
fn hotp_generate_verify_resync() {
    for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
        let params = HotpParams {
            algorithm,
            digits: 6,
        };
        let hotp = assert_no_alloc("Hotp::new", || Hotp::new(KEY, params).unwrap());
        let code = assert_no_alloc("Hotp::generate", || hotp.generate(5));
        let code = code.as_str();
        let _ = assert_no_alloc("Hotp::verify_uncommitted hit", || {
            hotp.verify_uncommitted(code, 3, 5).unwrap()
        });
        assert_no_alloc("Hotp::verify_uncommitted miss", || {
            hotp.verify_uncommitted("000000", 100, 50).ok()
        });
        assert_no_alloc("Hotp::verify_uncommitted replay", || {
            hotp.verify_uncommitted(code, 6, 5).err()
        });
        assert_no_alloc("Hotp::verify_uncommitted malformed", || {
            hotp.verify_uncommitted("12a", 0, 5).err()
        });
        let (a, b) = (hotp.generate(40), hotp.generate(41));
        let codes = [a.as_str(), b.as_str()];
        let _ = assert_no_alloc("Hotp::resync_uncommitted", || {
            hotp.resync_uncommitted(&codes, 0, 100).unwrap()
        });
    }
}

#[test]
fn totp_generate_verify() {
    for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
        let params = TotpParams {
            algorithm,
            ..TotpParams::default()
        };
        let totp = assert_no_alloc("Totp::new", || Totp::new(KEY, params).unwrap());
        let now = 1_700_000_000;
        let code = assert_no_alloc("Totp::generate_at", || totp.generate_at(now).unwrap());
        let code = code.as_str();
        let w = Window::symmetric(2).unwrap();
        let _ = assert_no_alloc("Totp::verify_at_uncommitted hit", || {
            totp.verify_at_uncommitted(code, now + 30, None, w).unwrap()
        });
        assert_no_alloc("Totp::verify_at_uncommitted miss", || {
            totp.verify_at_uncommitted("000000", now + 3000, None, w)
                .err()
        });
        assert_no_alloc("Totp::verify_at_uncommitted replay", || {
            totp.verify_at_uncommitted(code, now, Some(now / 30), w)
                .err()
        });
        let _ = assert_no_alloc("Totp::verify_step_uncommitted", || {
            totp.verify_step_uncommitted(code, now / 30, None, Window::EXACT)
                .unwrap()
        });
        assert_no_alloc("Totp::step_at", || totp.step_at(now).unwrap());
    }
}

#[test]
fn parsing() {
    assert_no_alloc("Secret::decode_base32", || {
        let mut s = Secret::EMPTY;
        s.decode_base32("jbsw y3dp-ehpk 3pxp").unwrap();
        s
    });
    assert_no_alloc("Secret::decode_base32 error", || {
        let mut s = Secret::EMPTY;
        s.decode_base32("GEZD8NBV").err()
    });
    assert_no_alloc("Secret::from_bytes", || Secret::from_bytes(KEY).unwrap());
    assert_no_alloc("Code::parse", || Code::parse("123 456", 6).unwrap());
    assert_no_alloc("Code::parse error", || Code::parse("12x456", 6).err());
}
