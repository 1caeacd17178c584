//! The cost of a master-key rotation, as a ratio to a floor measured in the same run.
//!
//! `cargo bench --bench rotation --features sealed-keys,store-memory`. 1,000 tokens with
//! 20-byte keys, pages of 500 (the default).
//!
//! - `rotation/floor_reseal_1000`: `MasterKey::reseal` of 1,000 keys held in a `Vec`: the
//!   cryptography alone (open, seal, a fresh nonce each).
//! - `rotation/memory_store_1000`: `rotate_master_key` over a `MemoryStore` holding 1,000 keys:
//!   making the new key current, two pages per pass, a read and a compare-and-swap per key in
//!   the first pass, and the second pass that finds no old key left.

#![allow(clippy::unwrap_used)]

use core::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use otpkit::StateRecord;
use otpkit::sealed::{MasterKey, rotate_master_key};
use otpkit::store::{KeyStore, MemoryStore, Store};

const TOKENS: usize = 1_000;

fn ids() -> Vec<String> {
    (0..TOKENS).map(|i| format!("user-{i:05}")).collect()
}

fn rotation(c: &mut Criterion) {
    let (old, new) = (
        MasterKey::from_bytes([1; 32]),
        MasterKey::from_bytes([2; 32]),
    );
    let ids = ids();
    let sealed: Vec<Vec<u8>> = ids
        .iter()
        .map(|id| old.seal(id, &[7; 20]).unwrap())
        .collect();
    let mut g = c.benchmark_group("rotation");
    g.sample_size(20);
    g.bench_function("floor_reseal_1000", |b| {
        b.iter(|| {
            for (id, s) in ids.iter().zip(&sealed) {
                black_box(old.reseal(id, black_box(s), &new).unwrap());
            }
        });
    });
    g.bench_function("memory_store_1000", |b| {
        b.iter_batched(
            || {
                let store = MemoryStore::new();
                for (id, s) in ids.iter().zip(&sealed) {
                    Store::enrol(&store, id, &StateRecord::time_step().to_bytes()).unwrap();
                    store.put_sealed_key(id, s, old.id()).unwrap();
                }
                store
            },
            |store| rotate_master_key(&store, &old, &new).unwrap(),
            BatchSize::PerIteration,
        );
    });
    g.finish();
}

criterion_group!(benches, rotation);
criterion_main!(benches);
