//! Provisioning under hostile input, measured with a global allocator
//! (`tests/support/key_scan.rs`):
//!
//! - no block freed by the URI, migration, generator and master-key paths holds key bytes
//!   (the raw key, or its base32 or hex text): keys live only in zeroizing memory that never
//!   moves once written;
//! - the heap a parse uses at its peak is at most `a · input + b · entries`, with the constants
//!   the `uri` and `migration` module docs state;
//! - the parsers refuse what is past their limits before using memory for it.
//!
//! The stack half (no key bytes left in dead stack frames) is `.ci/keyscan`, built in release.
//! QR codes are left out on purpose: the `qrcode` crate's own buffers cannot be wiped (see
//! `otpkit::qr`).

#![cfg(all(feature = "uri", feature = "migration", feature = "rand"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core
)]

#[path = "support/key_scan.rs"]
mod key_scan;

use std::sync::Mutex;

use otpkit::migration::{MAX_ENTRIES, MAX_PAYLOAD_LEN, Migration, MigrationErrorKind};
use otpkit::uri::{BuildOptions, Generator, OtpAuthUri, ParseOptions};
use otpkit::{BoxedSecret, Secret};
use zeroize::Zeroizing;

#[global_allocator]
static ALLOC: key_scan::ScanningAlloc = key_scan::ScanningAlloc;

/// The allocator's counters are global: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Byte `i` of the test key `seed`: no 5-byte window repeats, so any window found is a copy.
fn key_byte(i: usize, seed: u8) -> u8 {
    (i as u8)
        .wrapping_mul(151)
        .wrapping_add(seed)
        .rotate_left(3)
        ^ 0x5a
}

fn key(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| key_byte(i, seed)).collect()
}

fn base32(key: &[u8]) -> Zeroizing<String> {
    let mut s = Zeroizing::new(String::with_capacity(key.len() * 2));
    Secret::from_bytes(key)
        .unwrap()
        .write_base32(&mut *s)
        .unwrap();
    s
}

/// Runs `f` with the free check armed for `key`; fails if any freed block held key bytes.
fn assert_no_key_in_freed_blocks(what: &str, key: &[u8], f: impl FnOnce()) {
    let text = base32(key);
    key_scan::set_needles(key, &text);
    key_scan::arm();
    f();
    let (dirty, size) = key_scan::disarm();
    assert_eq!(
        dirty, 0,
        "{what}: {dirty} freed blocks held key bytes (last: {size} bytes)"
    );
}

/// Every spelling of a secret the lenient parser accepts, and paths that fail after the secret
/// was decoded.
fn uri_spellings(text: &str) -> Vec<Zeroizing<String>> {
    let lower = text.to_ascii_lowercase();
    let spaced: String = text
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("%20");
    let plus = spaced.replace("%20", "+");
    let padded = format!("{text}{}", "%3D".repeat((8 - text.len() % 8) % 8));
    let escaped: String = text.bytes().map(|b| format!("%{b:02X}")).collect();
    let mut uris: Vec<Zeroizing<String>> = [
        format!("otpauth://totp/Example:alice?secret={text}&issuer=Example"),
        format!("otpauth://totp/Example:alice?secret={lower}&issuer=Example&period=60&digits=8"),
        format!("otpauth://hotp/Example:alice?secret={spaced}&issuer=Example&counter=7"),
        format!("otpauth://hotp/alice?secret={plus}"),
        format!("otpauth://totp/alice?secret={padded}&image=x&lock=true"),
        format!("otpauth://steam/Steam:gabe?secret={escaped}&issuer=Steam"),
        format!("  OTPAUTH://TOTP/A%3ACorp:alice?secret={text}&issuer=A%3ACorp\n"),
        // Decoded, then refused: a duplicate, a bad digits value, a bad escape after it.
        format!("otpauth://totp/alice?secret={text}&digits=6&digits=8"),
        format!("otpauth://totp/alice?secret={text}&digits=11"),
        format!("otpauth://totp/alice?secret={text}&issuer=%ZZ"),
        format!("otpauth://totp/alice?secret={text}&period=0"),
    ]
    .into_iter()
    .map(Zeroizing::new)
    .collect();
    uris.push(Zeroizing::new(format!(
        "otpauth://totp/alice?secret={text}{}",
        "&x=1".repeat(70)
    )));
    uris
}

#[test]
fn uri_paths_free_no_key_bytes() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (len, seed) in [(10, 1), (20, 2), (32, 3), (64, 4), (256, 5)] {
        let key = key(len, seed);
        let text = base32(&key);
        let uris = uri_spellings(&text);
        assert_no_key_in_freed_blocks(&format!("uri, {len}-byte key"), &key, || {
            let mut accepted = 0;
            for uri in &uris {
                for strict in [false, true] {
                    let Ok(parsed) = OtpAuthUri::parse_with(uri, ParseOptions { strict }) else {
                        continue;
                    };
                    accepted += 1;
                    assert_eq!(parsed.uri.secret.as_ref(), &key[..]);
                    let _ = parsed.uri.generator();
                    if let Ok(generator) = parsed.uri.generator_unchecked() {
                        // Keyed HMAC state, used and dropped.
                        match generator {
                            Generator::Hotp { hotp, counter } => {
                                let _ = hotp.generate(counter);
                            }
                            Generator::Totp(totp) => {
                                let _ = totp.generate_at(59);
                            }
                            Generator::Steam(steam) => {
                                let _ = steam.generate_at(59);
                            }
                            _ => {}
                        }
                    }
                    for include_defaults in [false, true] {
                        if let Ok(built) = parsed.uri.to_uri_with(BuildOptions { include_defaults })
                        {
                            let again = OtpAuthUri::parse(&built).unwrap();
                            assert_eq!(again.uri, parsed.uri);
                        }
                    }
                    let copy = parsed.uri.secret.clone();
                    drop(parsed);
                    assert_eq!(copy.as_ref(), &key[..]);
                }
            }
            assert!(accepted >= 8, "{accepted}");
        });
    }
}

#[test]
fn migration_paths_free_no_key_bytes() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for entries in [1, 2, 5, 10, 50] {
        let key = key(20, entries as u8);
        let list: Vec<OtpAuthUri> = (0..entries)
            .map(|i| {
                let mut uri = OtpAuthUri::totp(
                    BoxedSecret::from_bytes(&key).unwrap(),
                    format!("user{i}@example.com"),
                );
                uri.issuer = Some(format!("Issuer {i}"));
                uri
            })
            .collect();
        let export = Migration::new(list);
        assert_no_key_in_freed_blocks(&format!("migration, {entries} entries"), &key, || {
            let uri = export.to_uri().unwrap();
            let parsed = Migration::parse(&uri).unwrap();
            assert_eq!(parsed, export);
            let payload = export.encode_payload().unwrap();
            let decoded = Migration::decode_payload(&payload).unwrap();
            assert_eq!(decoded.entries.len(), entries);
            // Entries to otpauth:// URIs and back, as an import would.
            for entry in &decoded.entries {
                let text = entry.to_uri().unwrap();
                assert_eq!(OtpAuthUri::parse(&text).unwrap().uri, *entry);
            }
            // Refused after some entries were decoded: the partial list is wiped too.
            let mut truncated = payload.to_vec();
            truncated.truncate(payload.len() - 3);
            let _ = Migration::decode_payload(&truncated);
            zeroize::Zeroize::zeroize(&mut truncated);
        });
    }
}

/// A generator that writes a known pattern (to know which bytes to look for).
struct Pattern(u8);

impl rand_core::TryRng for Pattern {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        // In place: a temporary vector would itself be a freed copy of the key.
        for (i, b) in dst.iter_mut().enumerate() {
            *b = key_byte(i, self.0);
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Pattern {}

#[test]
fn generator_paths_free_no_key_bytes() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = key(32, 9);
    assert_no_key_in_freed_blocks("random secret", &key, || {
        let secret = Secret::generate_with(&mut Pattern(9), 32).unwrap();
        assert_eq!(secret.as_ref(), &key[..]);
        let uri = OtpAuthUri::totp(secret, "alice");
        let text = uri.to_uri().unwrap();
        let Generator::Totp(totp) = OtpAuthUri::parse(&text).unwrap().uri.generator().unwrap()
        else {
            panic!()
        };
        let _ = totp.generate_at(1_000_000);
        let boxed = BoxedSecret::from_bytes(&key).unwrap();
        let again = boxed.clone();
        drop(boxed);
        let _ = Secret::generate(20).unwrap();
        drop(again);
    });
}

/// Master keys read from a file (hex and raw) or hex text: no freed block holds the key or
/// its hex text (the file's contents are read into a zeroizing buffer of fixed size, and the
/// key decoded into a heap block of its own, wiped when the key is dropped).
#[cfg(all(feature = "sealed-keys", unix))]
#[test]
fn master_key_paths_free_no_key_bytes() {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;

    use otpkit::sealed::MasterKey;
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = key(32, 21);
    let hex: Zeroizing<String> = Zeroizing::new(key.iter().map(|b| format!("{b:02x}")).collect());
    let dir = std::env::temp_dir().join(format!("otpkit-master-heap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (form, contents) in [
        ("hex", format!("{}\n", *hex).into_bytes()),
        ("raw", key.clone()),
    ] {
        let path = dir.join(form);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .unwrap();
        f.write_all(&contents).unwrap();
        drop(f);
        let text = base32(&key);
        key_scan::set_needles_with(&key, &text, &hex);
        key_scan::arm();
        let m = MasterKey::from_file(&path).unwrap();
        let sealed = m.seal("alice", b"12345678901234567890").unwrap();
        drop(m);
        let (dirty, size) = key_scan::disarm();
        assert_eq!(
            dirty, 0,
            "from_file ({form}): {dirty} dirty blocks (last {size} bytes)"
        );
        drop(sealed);
    }
    key_scan::arm();
    let m = MasterKey::from_hex(&hex).unwrap();
    drop(m);
    let (dirty, _) = key_scan::disarm();
    assert_eq!(dirty, 0, "from_hex");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Peak heap of one call, in bytes above what was live before it.
fn peak_of(f: impl FnOnce()) -> usize {
    let before = key_scan::reset_peak();
    f();
    key_scan::peak() - before
}

/// `OtpAuthUri::parse`: peak ≤ 3 · input + 1 KiB (module docs), at every size up to the limit
/// and past it.
#[test]
fn uri_peak_heap_is_linear_in_the_input() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let base =
        "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example";
    let mut worst = 0.0f64;
    for value_len in [0, 100, 1000, 4000, 16_000, 100_000] {
        for escaped in [false, true] {
            // Long percent-encoded text everywhere the parser copies text: label, issuer,
            // unknown parameters.
            let unit = if escaped { "%C3%A9" } else { "a" };
            let chunk = unit.repeat(value_len / unit.len() / 4);
            let uri = format!(
                "otpauth://totp/{chunk}:{chunk}?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer={chunk}&image={chunk}&tags={chunk}"
            );
            let peak = peak_of(|| {
                let _ = std::hint::black_box(OtpAuthUri::parse(&uri));
            });
            assert!(
                peak <= 3 * uri.len() + 1024,
                "{} bytes: peak {peak}",
                uri.len()
            );
            worst = worst.max((peak as f64 - 1024.0) / uri.len() as f64);
        }
    }
    let peak = peak_of(|| {
        let _ = OtpAuthUri::parse(base).unwrap();
    });
    assert!(peak <= 3 * base.len() + 1024, "peak {peak}");
    println!("uri: worst (peak - 1 KiB) / input = {worst:.2}");
}

/// `Migration::parse`: peak ≤ 3 · input + 512 · entries + 1 KiB (module docs).
#[test]
fn migration_peak_heap_is_linear_in_input_and_entries() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut worst = 0.0f64;
    for (entries, key_len, name_len) in [
        (1, 20, 10),
        (10, 20, 10),
        (100, 1, 0),
        (MAX_ENTRIES, 1, 0),
        (100, 64, 100),
        (20, 256, 500),
    ] {
        let list: Vec<OtpAuthUri> = (0..entries)
            .map(|i| {
                let secret = BoxedSecret::from_bytes(&key(key_len, i as u8)).unwrap();
                OtpAuthUri::totp(secret, format!("{i}{}", "n".repeat(name_len)))
            })
            .collect();
        let uri = Migration::new(list).to_uri().unwrap();
        let peak = peak_of(|| {
            let m = Migration::parse(&uri).unwrap();
            assert_eq!(m.entries.len(), entries);
        });
        let bound = 3 * uri.len() + 512 * entries + 1024;
        assert!(
            peak <= bound,
            "{entries} entries, {} bytes: peak {peak} > {bound}",
            uri.len()
        );
        worst = worst.max((peak as f64 - 1024.0 - 512.0 * entries as f64) / uri.len() as f64);
    }
    println!("migration: worst (peak - 1 KiB - 512 · entries) / input = {worst:.2}");
}

/// Past the limits, the refusal costs no more than the input (nothing is decoded first).
#[test]
fn limits_refuse_before_using_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let huge = "otpauth://totp/a?secret=GEZDGNBVGY3TQOJQ&x=".to_owned() + &"a".repeat(1 << 20);
    let peak = peak_of(|| {
        let _ = OtpAuthUri::parse(&huge).unwrap_err();
    });
    assert!(peak < 256, "peak {peak}");
    let many = "otpauth://totp/a?secret=GEZDGNBVGY3TQOJQ".to_owned() + &"&x=1".repeat(4000);
    let peak = peak_of(|| {
        let e = OtpAuthUri::parse(&many).unwrap_err();
        assert_eq!(e.kind, otpkit::uri::UriErrorKind::TooManyParameters);
    });
    // The 64 parameters before the refusal, not the 4,000.
    assert!(peak < 8 * 1024, "peak {peak}");

    let huge = "otpauth-migration://offline?data=".to_owned() + &"A".repeat(1 << 20);
    let peak = peak_of(|| {
        let e = Migration::parse(&huge).unwrap_err();
        assert_eq!(e.kind, MigrationErrorKind::TooLong);
    });
    assert!(peak < 256, "peak {peak}");
    let payload = vec![0u8; MAX_PAYLOAD_LEN + 1];
    let e = Migration::decode_payload(&payload).unwrap_err();
    assert_eq!(e.kind, MigrationErrorKind::PayloadTooLarge);
    // 1025 one-byte-secret entries: refused at the 1025th, before any is decoded.
    let mut many = Vec::new();
    for _ in 0..=MAX_ENTRIES {
        many.extend_from_slice(&[0x0a, 3, 0x0a, 1, 7]);
    }
    let peak = peak_of(|| {
        let e = Migration::decode_payload(&many).unwrap_err();
        assert_eq!(e.kind, MigrationErrorKind::TooManyEntries);
        assert_eq!(e.position, MAX_ENTRIES * 5);
    });
    assert_eq!(peak, 0);
}

/// The check can fail: an unwiped copy of a key (or of its base32 text, in either case) freed
/// while armed is counted, and the same copy wiped first is not.
#[test]
fn the_free_check_sees_an_unwiped_copy() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = key(20, 77);
    let text = base32(&key);
    key_scan::set_needles(&key, &text);
    for copy in [
        key[3..9].to_vec(),
        text.to_ascii_lowercase().into_bytes()[8..16].to_vec(),
    ] {
        key_scan::arm();
        drop(std::hint::black_box(copy.clone()));
        assert_eq!(key_scan::disarm().0, 1);
        key_scan::arm();
        drop(Zeroizing::new(std::hint::black_box(copy)));
        assert_eq!(key_scan::disarm().0, 0);
    }
}
