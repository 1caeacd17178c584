//! The PSKC import and export paths under a scanning, counting global allocator
//! (`tests/support/key_scan.rs`):
//!
//! - no block freed while reading (plaintext, pre-shared key, password), enrolling, or
//!   writing holds key bytes (the raw key, its base32 or its base64 text);
//!   this covers the streaming writer ([`PskcWriter`]) into a sink and into a wiped buffer;
//! - streaming ([`PskcReader`], [`PskcWriter`] in every protection) takes peak heap
//!   independent of the number of keys, and a whole-document read ([`read`]) peak heap
//!   linear in it.

#![cfg(feature = "pskc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core
)]

#[path = "support/key_scan.rs"]
mod key_scan;

use std::sync::Mutex;

use base64::Engine as _;
use otpkit::Secret;
use otpkit::pskc::{
    Decryption, Generator, NewKey, NewKeyKind, Protection, PskcReader, PskcWriter, ReadOptions,
    WriteCipher, read, write,
};

#[global_allocator]
static ALLOC: key_scan::ScanningAlloc = key_scan::ScanningAlloc;

static SERIAL: Mutex<()> = Mutex::new(());

/// A key whose 5-byte windows do not repeat, so any window found is a copy.
fn key(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| {
            (i as u8)
                .wrapping_mul(151)
                .wrapping_add(seed)
                .rotate_left(3)
                ^ 0x5a
        })
        .collect()
}

fn keys(n: usize, secret: &[u8]) -> Vec<NewKey> {
    (0..n)
        .map(|i| {
            let kind = if i % 2 == 0 {
                NewKeyKind::Hotp { counter: 3 }
            } else {
                NewKeyKind::Totp { period: 30 }
            };
            let mut k = NewKey::new(format!("tok{i:06}"), kind, secret);
            k.serial_no = Some(format!("SN{i:06}"));
            k
        })
        .collect()
}

#[test]
fn import_and_export_free_no_key_bytes() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let psk16 = [0x11u8; 16];
    let psk32 = [0x22u8; 32];
    for (len, seed) in [(10, 1), (20, 2), (64, 4)] {
        let secret = key(len, seed);
        let mut b32 = String::new();
        Secret::from_bytes(&secret)
            .unwrap()
            .write_base32(&mut b32)
            .unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&secret);
        let batch = keys(3, &secret);
        let cases: [(Protection<'_>, Decryption<'_>); 4] = [
            (Protection::Plaintext, Decryption::None),
            (
                Protection::PreSharedKey {
                    key: &psk16,
                    key_name: "k",
                    cipher: WriteCipher::Aes128Cbc,
                },
                Decryption::PreSharedKey(&psk16),
            ),
            (
                Protection::PreSharedKey {
                    key: &psk32,
                    key_name: "k",
                    cipher: WriteCipher::Aes256Cbc,
                },
                Decryption::PreSharedKey(&psk32),
            ),
            (
                Protection::Password {
                    password: b"pw",
                    iterations: 3,
                },
                Decryption::Password(b"pw"),
            ),
        ];
        for (i, (protection, decryption)) in cases.into_iter().enumerate() {
            key_scan::set_needles_with(&secret, &b32, &b64);
            key_scan::arm();
            let doc = write(&batch, protection).unwrap();
            let c = read(doc.as_bytes(), decryption, &ReadOptions::strict()).unwrap();
            assert_eq!(c.keys.len(), 3);
            for k in &c.keys {
                let e = k.enrolment_at(0).unwrap();
                match e.generator {
                    Generator::Hotp(h) => drop(h.generate(e.record.next_counter())),
                    Generator::Totp(t) => drop(t.generate_at(59).unwrap()),
                    _ => unreachable!(),
                }
            }
            // The streaming reader, and a CRLF copy (whose text quick-xml normalises).
            for k in PskcReader::new(doc.as_bytes(), decryption, &ReadOptions::default()) {
                assert!(k.unwrap().secret().is_some());
            }
            let mut crlf = zeroize::Zeroizing::new(String::with_capacity(2 * doc.len()));
            for ch in doc.chars() {
                if ch == '\n' {
                    crlf.push('\r');
                }
                crlf.push(ch);
            }
            assert_eq!(
                read(crlf.as_bytes(), decryption, &ReadOptions::default())
                    .unwrap()
                    .keys
                    .len(),
                3
            );
            drop(c);
            // The streaming writer: into a sink that keeps nothing, and into a wiped buffer
            // reserved up front, read back.
            let mut w = PskcWriter::new(std::io::sink(), protection).unwrap();
            for k in &batch {
                w.key(k).unwrap();
            }
            w.finish().unwrap();
            let mut streamed = zeroize::Zeroizing::new(Vec::with_capacity(2 * doc.len()));
            let mut w = PskcWriter::new(&mut *streamed, protection).unwrap();
            for k in &batch {
                w.key(k).unwrap();
            }
            w.finish().unwrap();
            let c = read(&streamed[..], decryption, &ReadOptions::strict()).unwrap();
            assert_eq!(c.keys[2].secret(), Some(&secret[..]));
            drop(c);
            drop(streamed);
            let (dirty, size) = key_scan::disarm();
            assert_eq!(
                dirty, 0,
                "key of {len} bytes, case #{i}: {dirty} freed blocks held key bytes (last: {size} bytes)"
            );
            drop(crlf);
            drop(doc);
        }
    }
}

/// Peak heap of `f`, above what was live before it.
fn peak_of(f: impl FnOnce()) -> usize {
    let base = key_scan::reset_peak();
    f();
    key_scan::peak() - base
}

#[test]
fn peak_heap_is_linear_and_streaming_is_flat() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let psk = [7u8; 16];
    let p = Protection::PreSharedKey {
        key: &psk,
        key_name: "k",
        cipher: WriteCipher::Aes128Cbc,
    };
    let docs: Vec<_> = [100, 400, 1600]
        .iter()
        .map(|&n| write(&keys(n, &key(20, 9)), p).unwrap())
        .collect();
    let stream: Vec<usize> = docs
        .iter()
        .map(|d| {
            peak_of(|| {
                let n = PskcReader::new(
                    d.as_bytes(),
                    Decryption::PreSharedKey(&psk),
                    &ReadOptions::default(),
                )
                .filter(|k| k.is_ok())
                .count();
                assert!(n >= 100);
            })
        })
        .collect();
    let whole: Vec<usize> = docs
        .iter()
        .map(|d| {
            peak_of(|| {
                drop(
                    read(
                        d.as_bytes(),
                        Decryption::PreSharedKey(&psk),
                        &ReadOptions::default(),
                    )
                    .unwrap(),
                )
            })
        })
        .collect();
    println!("streaming peak heap at 100/400/1600 keys: {stream:?}; whole document: {whole:?}");
    // Streaming: one package at a time, whatever the count.
    assert!(stream[2] <= stream[0] + 4096, "{stream:?}");
    // Whole document: the keys themselves, linearly (16x the keys, at most 16x + slack).
    assert!(whole[2] <= 16 * whole[0] + 65536, "{whole:?}");
    assert!(whole[2] >= 8 * whole[0], "{whole:?}");
}

#[test]
fn streaming_writer_peak_heap_is_flat() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let psk16 = [7u8; 16];
    let psk32 = [8u8; 32];
    let protections = [
        Protection::Plaintext,
        Protection::PreSharedKey {
            key: &psk16,
            key_name: "k",
            cipher: WriteCipher::Aes128Cbc,
        },
        Protection::PreSharedKey {
            key: &psk32,
            key_name: "k",
            cipher: WriteCipher::Aes256Cbc,
        },
        Protection::Password {
            password: b"pw",
            iterations: 2,
        },
    ];
    let secret = key(20, 9);
    for (i, p) in protections.into_iter().enumerate() {
        let peaks: Vec<usize> = [100, 400, 1600]
            .iter()
            .map(|&n| {
                peak_of(|| {
                    // One key at a time, as a token maker's batch is made.
                    let mut w = PskcWriter::new(std::io::sink(), p).unwrap();
                    for _ in 0..n {
                        w.key(&keys(1, &secret)[0]).unwrap();
                    }
                    w.finish().unwrap();
                })
            })
            .collect();
        let whole: Vec<usize> = [100, 400, 1600]
            .iter()
            .map(|&n| {
                let batch = keys(n, &secret);
                peak_of(|| drop(write(&batch, p).unwrap()))
            })
            .collect();
        println!(
            "#{i}: streaming writer peak heap at 100/400/1600 keys: {peaks:?}; write(): {whole:?}"
        );
        // The same peak, whatever the count.
        assert!(peaks[2] <= peaks[0] + 1024, "#{i}: {peaks:?}");
        assert!(peaks[0] < 16 * 1024, "#{i}: {peaks:?}");
        // While the whole document grows with the keys.
        assert!(whole[2] >= 8 * whole[0], "#{i}: {whole:?}");
    }
}
