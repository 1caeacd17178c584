//! The cost of the record's encoding and of the verifier's loop over a store.
//!
//! `cargo bench --bench record`.
//!
//! - `record/to_bytes`, `record/from_bytes`: a record of format 2 (50 bytes, with its
//!   enrolment id) written and read, CRC-32 included; `record/from_bytes_format_1`: a record of
//!   format 1 (34 bytes) read, as from a table of an earlier release.
//! - `verifier/wrong_code`: `Verifier::verify_totp` over a `MemoryStore` with a bound
//!   generator and a wrong code (throttling off): load, the enrolment check, a ±1 step window,
//!   one failure counted, a compare-and-swap of the record. `verifier/other_enrolment`: the
//!   same request with a generator of another enrolment, refused before its code is evaluated.

#![allow(clippy::unwrap_used)]

use core::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use otpkit::store::{MemoryStore, Store, Verifier};
use otpkit::{Enrolled, EnrolmentId, Policy, StateRecord, ThrottlePolicy, Totp, TotpParams};

const KEY: &[u8; 20] = b"12345678901234567890";
const TIME: u64 = 1_700_000_000;

/// `StateRecord::time_step()` in format 1.
const V1_TIME_STEP: [u8; 34] = [
    1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfa,
    0x6b, 0x6f, 0xf5,
];

fn record(c: &mut Criterion) {
    let r = StateRecord::time_step().with_enrolment(EnrolmentId::from_bytes([7; 16]));
    let bytes = r.to_bytes();
    let mut g = c.benchmark_group("record");
    g.bench_function("to_bytes", |b| b.iter(|| black_box(&r).to_bytes()));
    g.bench_function("from_bytes", |b| {
        b.iter(|| StateRecord::from_bytes(black_box(&bytes)).unwrap());
    });
    g.bench_function("from_bytes_format_1", |b| {
        b.iter(|| StateRecord::from_bytes(black_box(&V1_TIME_STEP)).unwrap());
    });
    g.finish();
}

fn verifier(c: &mut Criterion) {
    let enrolment = EnrolmentId::from_bytes([7; 16]);
    let policy = Policy {
        throttle: ThrottlePolicy::none(),
        ..Policy::default()
    };
    let verifier = Verifier::new(MemoryStore::new(), policy);
    let first = StateRecord::time_step()
        .with_enrolment(enrolment)
        .to_bytes();
    assert!(verifier.store().enrol("alice", &first).unwrap());
    let totp = Enrolled::new(Totp::new(KEY, TotpParams::default()).unwrap(), enrolment);
    let other = Enrolled::new(
        Totp::new(KEY, TotpParams::default()).unwrap(),
        EnrolmentId::from_bytes([8; 16]),
    );
    let mut g = c.benchmark_group("verifier");
    g.bench_function("wrong_code", |b| {
        b.iter(|| {
            verifier
                .verify_totp(black_box("alice"), &totp, TIME, black_box("000000"))
                .unwrap_err()
        });
    });
    g.bench_function("other_enrolment", |b| {
        b.iter(|| {
            verifier
                .verify_totp(black_box("alice"), &other, TIME, black_box("000000"))
                .unwrap_err()
        });
    });
    g.finish();
}

criterion_group!(benches, record, verifier);
criterion_main!(benches);
