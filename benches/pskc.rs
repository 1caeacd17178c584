//! PSKC import and export cost at n, 4n and 16n keys: time per document should grow
//! linearly (the per-key time stays flat).
//!
//! `cargo bench --bench pskc --features pskc`. Each document holds HOTP keys with 20-byte
//! secrets and serial numbers:
//!
//! - `pskc_read/plaintext/N`: `pskc::read` of a plaintext document of N keys;
//! - `pskc_read/aes128_hmac_sha256/N`: the same under a pre-shared key (AES-128-CBC, one
//!   HMAC-SHA-256 check and one decryption per key), what a bank's import does;
//! - `pskc_read/stream_enrol/N`: `PskcReader` plus `enrolment_at` per key, keys dropped as
//!   they come (the bulk path);
//! - `pskc_write/write/N`: `pskc::write` of N keys under a pre-shared key (AES-128-CBC and
//!   HMAC-SHA-256), the whole document in one string;
//! - `pskc_write/stream/N`: the same keys through `PskcWriter` into `io::sink()`, one key
//!   package at a time.

#![allow(clippy::unwrap_used)]

use core::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use otpkit::pskc::{
    Decryption, NewKey, NewKeyKind, Protection, PskcReader, PskcWriter, ReadOptions, WriteCipher,
    read, write,
};

const PSK: [u8; 16] = [7; 16];

fn keys(n: usize) -> Vec<NewKey> {
    (0..n)
        .map(|i| {
            let mut k = NewKey::new(
                format!("T{i:06}"),
                NewKeyKind::Hotp { counter: 0 },
                &[i.to_le_bytes()[0]; 20],
            );
            k.serial_no = Some(format!("T{i:06}"));
            k
        })
        .collect()
}

fn batch(n: usize, protection: Protection<'_>) -> zeroize::Zeroizing<String> {
    write(&keys(n), protection).unwrap()
}

fn pskc(c: &mut Criterion) {
    let psk = Protection::PreSharedKey {
        key: &PSK,
        key_name: "k",
        cipher: WriteCipher::Aes128Cbc,
    };
    let options = ReadOptions::default();
    let mut g = c.benchmark_group("pskc_read");
    g.sample_size(10);
    for n in [250usize, 1000, 4000] {
        let plain = batch(n, Protection::Plaintext);
        let encrypted = batch(n, psk);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("plaintext", n), &plain, |b, doc| {
            b.iter(|| read(black_box(doc.as_bytes()), Decryption::None, &options).unwrap());
        });
        g.bench_with_input(
            BenchmarkId::new("aes128_hmac_sha256", n),
            &encrypted,
            |b, doc| {
                b.iter(|| {
                    read(
                        black_box(doc.as_bytes()),
                        Decryption::PreSharedKey(&PSK),
                        &options,
                    )
                    .unwrap()
                });
            },
        );
        g.bench_with_input(BenchmarkId::new("stream_enrol", n), &encrypted, |b, doc| {
            b.iter(|| {
                PskcReader::new(
                    black_box(doc.as_bytes()),
                    Decryption::PreSharedKey(&PSK),
                    &options,
                )
                .filter(|k| k.as_ref().is_ok_and(|k| k.enrolment_at(0).is_ok()))
                .count()
            });
        });
    }
    g.finish();
    let mut g = c.benchmark_group("pskc_write");
    g.sample_size(10);
    for n in [250usize, 1000, 4000] {
        let keys = keys(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("write", n), &keys, |b, keys| {
            b.iter(|| write(black_box(keys), psk).unwrap());
        });
        g.bench_with_input(BenchmarkId::new("stream", n), &keys, |b, keys| {
            b.iter(|| {
                let mut w = PskcWriter::new(std::io::sink(), psk).unwrap();
                for k in black_box(keys) {
                    w.key(k).unwrap();
                }
                w.finish().unwrap()
            });
        });
    }
    g.finish();
}

criterion_group!(benches, pskc);
criterion_main!(benches);
