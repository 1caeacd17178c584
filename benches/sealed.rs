//! The cost of keys at rest, as ratios to a floor measured in the same run.
//!
//! `cargo bench --bench sealed --features sealed-keys`. A 20-byte key, SHA-1, 30-second steps.
//!
//! - `sealed/floor_totp_new`: `Totp::new` from a key in memory (keying HMAC), what a server
//!   without sealed keys does per login.
//! - `sealed/open_totp`: `MasterKey::open_totp` from the sealed bytes: check the Poly1305 tag,
//!   decrypt with XChaCha20 into a stack buffer, hash the associated data, then `Totp::new`.
//! - `sealed/seal`: `MasterKey::seal` (a nonce from the operating system, encrypt, a `Vec`), per
//!   enrolment or rotation.
//! - `sealed/login_open_and_verify`: `open_totp` then `Totp::verify_at_uncommitted` with a ±1
//!   step window: what a login costs in all, next to `sealed/floor_totp_new_and_verify`.

#![allow(clippy::unwrap_used)]

use core::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use otpkit::sealed::MasterKey;
use otpkit::{Totp, TotpParams, Window};

const KEY: &[u8; 20] = b"12345678901234567890";
const TIME: u64 = 1_700_000_000;

fn sealed(c: &mut Criterion) {
    let master = MasterKey::from_bytes([7; 32]);
    let sealed = master.seal("alice", KEY).unwrap();
    let params = TotpParams::default();
    let code = Totp::new(KEY, params).unwrap().generate_at(TIME).unwrap();
    let window = Window::symmetric(1).unwrap();
    let mut g = c.benchmark_group("sealed");
    g.bench_function("floor_totp_new", |b| {
        b.iter(|| Totp::new(black_box(KEY), params).unwrap());
    });
    g.bench_function("open_totp", |b| {
        b.iter(|| {
            master
                .open_totp(black_box("alice"), black_box(&sealed), params)
                .unwrap()
        });
    });
    g.bench_function("seal", |b| {
        b.iter(|| master.seal(black_box("alice"), black_box(KEY)).unwrap());
    });
    g.bench_function("floor_totp_new_and_verify", |b| {
        b.iter(|| {
            let totp = Totp::new(black_box(KEY), params).unwrap();
            totp.verify_at_uncommitted(black_box(&code), TIME, None, window)
                .unwrap()
        });
    });
    g.bench_function("login_open_and_verify", |b| {
        b.iter(|| {
            let totp = master
                .open_totp("alice", black_box(&sealed), params)
                .unwrap();
            totp.verify_at_uncommitted(black_box(&code), TIME, None, window)
                .unwrap()
        });
    });
    g.finish();
}

criterion_group!(benches, sealed);
criterion_main!(benches);
