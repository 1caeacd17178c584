//! The YKOATH applet's cost per command on the host, next to a floor measured in the same run.
//!
//! `cargo bench --bench ykoath --features ykoath`. Credentials in an `ArrayStore<32>`.
//!
//! - `ykoath/floor_totp_generate`: `Totp::new` + `generate_at` for one SHA-1 key: the HMAC work a
//!   CALCULATE cannot avoid.
//! - `ykoath/calculate_totp_sha1`: one CALCULATE (truncated) APDU, 32 credentials stored, the
//!   named one last: APDU parsing, the name scan (each record's checksum checked), keying HMAC
//!   and the answer.
//! - `ykoath/calculate_hotp_sha1`: the same for HOTP, which writes the moved-on counter first.
//! - `ykoath/calculate_all_32`: CALCULATE ALL over 32 TOTP credentials, then the SEND REMAINING
//!   calls that fetch the 2.3 KB answer in 256-byte parts (short APDUs).
//! - `ykoath/select`: SELECT (the salt record read and checked).

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use core::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use otpkit::ykoath::{AID, Applet, ArrayStore, Random, Touch};
use otpkit::{Totp, TotpParams};

struct Rng;
impl Random for Rng {
    fn fill(&mut self, out: &mut [u8]) {
        out.fill(0x5a);
    }
}
struct Button;
impl Touch for Button {
    fn confirm(&mut self) -> bool {
        true
    }
}

const KEY: &[u8; 20] = b"12345678901234567890";
type Card = Applet<ArrayStore<32>, Rng, Button, 4352>;

fn apdu(ins: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let mut a = vec![
        0,
        ins,
        if ins == 0xa4 && data.len() == 7 { 4 } else { 0 },
        p2,
    ];
    a.push(data.len() as u8);
    a.extend_from_slice(data);
    a
}

fn name(i: usize) -> Vec<u8> {
    format!("Issuer:account-{i:02}").into_bytes()
}

fn card(type_byte: u8) -> Card {
    let mut card: Card = Applet::new(ArrayStore::new(), Rng, Button);
    let mut out = [0u8; 300];
    card.process(&apdu(0xa4, 0, &AID), &mut out).unwrap();
    for i in 0..32 {
        let n = name(i);
        let mut d = vec![0x71, n.len() as u8];
        d.extend_from_slice(&n);
        d.extend_from_slice(&[0x73, 22, type_byte, 6]);
        d.extend_from_slice(KEY);
        let r = card.process(&apdu(1, 0, &d), &mut out).unwrap();
        assert_eq!(&out[r - 2..r], &[0x90, 0]);
    }
    card
}

fn calculate_data(i: usize) -> Vec<u8> {
    let n = name(i);
    let mut d = vec![0x71, n.len() as u8];
    d.extend_from_slice(&n);
    d.extend_from_slice(&[0x74, 8, 0, 0, 0, 0, 0x03, 0x62, 0x0f, 0x20]);
    d
}

fn ykoath(c: &mut Criterion) {
    let mut g = c.benchmark_group("ykoath");
    let mut out = [0u8; 258];
    g.bench_function("floor_totp_generate", |b| {
        b.iter(|| {
            Totp::new(black_box(KEY), TotpParams::default())
                .unwrap()
                .generate_at(black_box(1_700_000_000))
                .unwrap()
        });
    });
    let mut totp = card(0x21);
    let calc = apdu(0xa2, 1, &calculate_data(31));
    g.bench_function("calculate_totp_sha1", |b| {
        b.iter(|| totp.process(black_box(&calc), &mut out).unwrap());
    });
    let mut hotp = card(0x11);
    g.bench_function("calculate_hotp_sha1", |b| {
        b.iter(|| hotp.process(black_box(&calc), &mut out).unwrap());
    });
    let all = apdu(0xa4, 1, &[0x74, 8, 0, 0, 0, 0, 0x03, 0x62, 0x0f, 0x20]);
    g.bench_function("calculate_all_32", |b| {
        b.iter(|| {
            let mut n = totp.process(black_box(&all), &mut out).unwrap();
            while out[n - 2] == 0x61 {
                n = totp.process(&[0, 0xa5, 0, 0, 0], &mut out).unwrap();
            }
            n
        });
    });
    let select = apdu(0xa4, 0, &AID);
    g.bench_function("select", |b| {
        b.iter(|| totp.process(black_box(&select), &mut out).unwrap());
    });
    g.finish();
}

criterion_group!(benches, ykoath);
criterion_main!(benches);
