//! Runs otpkit's paths that take in a key (provisioning parsers, master keys, `Secret`,
//! generators) on a thread with a known stack, then scans the dead frames they left for key
//! bytes (see `tests/support/key_scan.rs`). Release build: that is
//! the code that ships, and debug builds copy every value through the stack.
//!
//! Exit status 1 when a path that must be clean left key bytes on the stack. The paths that
//! cannot be clean by construction are run too and reported, not failed on.

#![deny(unsafe_code)]

#[path = "../../../tests/support/key_scan.rs"]
mod key_scan;

use std::process::ExitCode;

use otpkit::migration::Migration;
use otpkit::pskc::{Decryption, NewKey, NewKeyKind, Protection, ReadOptions, WriteCipher};
use otpkit::sealed::MasterKey;
use otpkit::uri::{OtpAuthUri, ParseOptions};
use otpkit::{BoxedSecret, Hotp, HotpParams, Secret, Totp, TotpParams};

/// Byte `i` of test key `seed` (no 5-byte window repeats).
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

fn base32(key: &[u8]) -> String {
    let mut s = String::new();
    Secret::from_bytes(key)
        .unwrap()
        .write_base32(&mut s)
        .unwrap();
    s
}

struct Case {
    name: String,
    /// Whether the path must leave no key bytes (false: reported only, with the reason).
    must_be_clean: bool,
    key: Vec<u8>,
    /// Another encoding of the key to look for (an export's base64 payload), or empty.
    other: String,
    run: Box<dyn FnMut() + Send>,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (len, seed) in [(10u8, 1u8), (20, 2), (32, 3), (64, 4)] {
        let k = key(len.into(), seed);
        let text = base32(&k);
        let lower = text.to_ascii_lowercase();
        let spaced = text
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("%20");
        let uris = [
            format!("otpauth://totp/Example:alice?secret={text}&issuer=Example"),
            format!("otpauth://hotp/Example:alice?secret={lower}&issuer=Example&counter=1"),
            format!("otpauth://totp/alice?secret={spaced}%3D&digits=8&image=x"),
            format!("otpauth://totp/Example:alice?Secret={text}&Issuer=Example"),
        ];
        for (i, uri) in uris.iter().enumerate() {
            for strict in [false, true] {
                let uri = uri.clone();
                let expected = k.clone();
                cases.push(Case {
                    name: format!("OtpAuthUri::parse_with (strict {strict}), {len}-byte key, #{i}"),
                    must_be_clean: true,
                    key: k.clone(),
                    other: String::new(),
                    run: Box::new(move || {
                        if let Ok(p) = OtpAuthUri::parse_with(&uri, ParseOptions { strict }) {
                            assert_eq!(p.uri.secret.as_ref(), &expected[..]);
                        }
                    }),
                });
            }
        }
        let t = text.clone();
        cases.push(Case {
            name: format!("BoxedSecret::from_base32, {len}-byte key"),
            must_be_clean: true,
            key: k.clone(),
            other: String::new(),
            run: Box::new(move || {
                let s = BoxedSecret::from_base32(&t).unwrap();
                std::hint::black_box(&s);
            }),
        });
        let entry = OtpAuthUri::totp(BoxedSecret::from_bytes(&k).unwrap(), "alice");
        let built = entry.to_uri().unwrap().to_string();
        cases.push(Case {
            name: format!("OtpAuthUri::to_uri, {len}-byte key"),
            must_be_clean: true,
            key: k.clone(),
            other: String::new(),
            run: Box::new(move || {
                let text = entry.to_uri().unwrap();
                std::hint::black_box(&text);
            }),
        });
        let again = OtpAuthUri::parse(&built).unwrap().uri;
        cases.push(Case {
            name: format!("OtpAuthUri::generator_unchecked, {len}-byte key (HMAC keying)"),
            must_be_clean: false,
            key: k.clone(),
            other: String::new(),
            run: Box::new(move || {
                let g = again.generator_unchecked().unwrap();
                std::hint::black_box(&g);
            }),
        });
        // PSKC import (RFC 6030): plaintext and AES-128-CBC + HMAC-SHA-256 documents read
        // and enrolled.
        let psk = [0x5cu8; 16];
        for (form, protection, decryption) in [
            ("plaintext", Protection::Plaintext, Decryption::None),
            (
                "aes128-cbc",
                Protection::PreSharedKey {
                    key: &psk,
                    key_name: "k",
                    cipher: WriteCipher::Aes128Cbc,
                },
                Decryption::PreSharedKey(&psk),
            ),
        ] {
            let new = NewKey::new("t1", NewKeyKind::Hotp { counter: 0 }, &k);
            let doc = otpkit::pskc::write(&[new], protection).unwrap();
            let other = if matches!(decryption, Decryption::None) {
                let start = doc.find("<pskc:PlainValue>").unwrap() + "<pskc:PlainValue>".len();
                doc[start..start + 12].to_owned()
            } else {
                String::new()
            };
            let psk_owned = psk;
            let plain = matches!(decryption, Decryption::None);
            cases.push(Case {
                name: format!("pskc::read + enrolment_at, {form}, {len}-byte key"),
                must_be_clean: true,
                key: k.clone(),
                other,
                run: Box::new(move || {
                    let decryption = if plain {
                        Decryption::None
                    } else {
                        Decryption::PreSharedKey(&psk_owned)
                    };
                    let c = otpkit::pskc::read(doc.as_bytes(), decryption, &ReadOptions::strict())
                        .unwrap();
                    let e = c.keys[0].enrolment_at(0).unwrap();
                    std::hint::black_box(&e);
                }),
            });
        }
        for entries in [1usize, 5, 10] {
            let list = (0..entries)
                .map(|i| {
                    let mut e =
                        OtpAuthUri::totp(BoxedSecret::from_bytes(&k).unwrap(), format!("u{i}"));
                    e.issuer = Some("Example".into());
                    e
                })
                .collect();
            let export = Migration::new(list);
            let uri = export.to_uri().unwrap().to_string();
            let payload = export.encode_payload().unwrap().to_vec();
            // The base64 payload as it appears once percent-decoded.
            let b64 = uri
                .split_once("data=")
                .unwrap()
                .1
                .replace("%2B", "+")
                .replace("%2F", "/")
                .replace("%3D", "=");
            cases.push(Case {
                name: format!("Migration::parse, {entries} entries, {len}-byte keys"),
                must_be_clean: true,
                key: k.clone(),
                other: b64.clone(),
                run: Box::new(move || {
                    let m = Migration::parse(&uri).unwrap();
                    std::hint::black_box(&m);
                }),
            });
            cases.push(Case {
                name: format!("Migration::decode_payload, {entries} entries, {len}-byte keys"),
                must_be_clean: true,
                key: k.clone(),
                other: b64.clone(),
                run: Box::new(move || {
                    let m = Migration::decode_payload(&payload).unwrap();
                    std::hint::black_box(&m);
                }),
            });
            cases.push(Case {
                name: format!("Migration::to_uri, {entries} entries, {len}-byte keys"),
                must_be_clean: true,
                key: k.clone(),
                other: b64.clone(),
                run: Box::new(move || {
                    let u = export.to_uri().unwrap();
                    std::hint::black_box(&u);
                }),
            });
        }
    }
    cases
}

/// Hex text of `key` (lower case).
fn hex(key: &[u8]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

/// The paths that take in a key and keep it: master keys, `Secret`, generators.
fn key_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let master = key(32, 7);
    let master_hex = hex(&master);
    let case = |name: &str, key: &[u8], other: &str, run: Box<dyn FnMut() + Send>| Case {
        name: name.to_owned(),
        must_be_clean: true,
        key: key.to_vec(),
        other: other.to_owned(),
        run,
    };
    let boxed: Box<[u8; 32]> = Box::new(master.clone().try_into().unwrap());
    cases.push(case(
        "MasterKey::from_bytes",
        &master,
        "",
        Box::new(move || {
            let m = MasterKey::from_bytes(**std::hint::black_box(&boxed));
            std::hint::black_box(&m);
        }),
    ));
    let text = master_hex.clone();
    cases.push(case(
        "MasterKey::from_hex",
        &master,
        &master_hex,
        Box::new(move || {
            let m = MasterKey::from_hex(&text).unwrap();
            std::hint::black_box(&m);
        }),
    ));
    cases.push(case(
        "MasterKey::from_env",
        &master,
        &master_hex,
        Box::new(move || {
            let m = MasterKey::from_env(MASTER_VAR).unwrap();
            std::hint::black_box(&m);
        }),
    ));
    for (form, contents) in [
        ("hex", format!("{master_hex}\n").into_bytes()),
        ("raw", master.clone()),
    ] {
        let path =
            std::env::temp_dir().join(format!("otpkit-keyscan-{}-{form}", std::process::id()));
        write_private(&path, &contents);
        cases.push(case(
            &format!("MasterKey::from_file ({form})"),
            &master,
            &master_hex,
            Box::new(move || {
                let m = MasterKey::from_file(&path).unwrap();
                std::hint::black_box(&m);
            }),
        ));
    }
    // A random key: the needles are set from the key made, after the call.
    cases.push(case(
        "MasterKey::generate",
        &[],
        "",
        Box::new(|| {
            let m = MasterKey::generate().unwrap();
            let mut text = String::with_capacity(64);
            m.write_secret_hex(&mut text).unwrap();
            let mut raw = Vec::with_capacity(32);
            for pair in text.as_bytes().chunks(2) {
                raw.push(u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap());
            }
            key_scan::set_needles_with(&raw, "", &text);
            std::hint::black_box(&m);
        }),
    ));
    for (len, seed) in [(20usize, 11u8), (32, 12), (64, 13)] {
        let k = key(len, seed);
        let text = base32(&k);
        let t = text.clone();
        cases.push(case(
            &format!("Secret::decode_base32, {len}-byte key"),
            &k,
            "",
            Box::new(move || {
                let mut s = Secret::EMPTY;
                s.decode_base32(&t).unwrap();
                std::hint::black_box(&s);
            }),
        ));
        let t = text.clone();
        cases.push(case(
            &format!("Secret::decode_base32 then Totp::new, {len}-byte key"),
            &k,
            "",
            Box::new(move || {
                let mut s = Secret::EMPTY;
                s.decode_base32(&t).unwrap();
                let g = Totp::new(s.as_ref(), TotpParams::default()).unwrap();
                std::hint::black_box(&g);
            }),
        ));
        let raw = k.clone();
        cases.push(case(
            &format!("Totp::new, {len}-byte key"),
            &k,
            "",
            Box::new(move || {
                let g = Totp::new(&raw, TotpParams::default()).unwrap();
                std::hint::black_box(&g);
            }),
        ));
        let raw = k.clone();
        cases.push(case(
            &format!("Hotp::new, {len}-byte key"),
            &k,
            "",
            Box::new(move || {
                let g = Hotp::new(&raw, HotpParams::default()).unwrap();
                std::hint::black_box(&g);
            }),
        ));
    }
    cases
}

/// The environment variable `MasterKey::from_env` is read from.
const MASTER_VAR: &str = "OTPKIT_KEYSCAN_MASTER_KEY";

/// Writes a key file readable by its owner only.
fn write_private(path: &std::path::Path, contents: &[u8]) {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    f.write_all(contents).unwrap();
}

fn main() -> ExitCode {
    // Set while this process has one thread.
    #[allow(unsafe_code)]
    // SAFETY: no other thread runs yet, so none reads the environment concurrently.
    unsafe {
        std::env::set_var(MASTER_VAR, hex(&key(32, 7)));
    }

    // The check can fail: a key copied onto the stack and left there is found.
    let k = key(20, 99);
    key_scan::set_needles(&k, &base32(&k));
    let control = key_scan::stack_leaks(move || {
        let mut copy = [0u8; 20];
        copy.copy_from_slice(std::hint::black_box(&k));
        std::hint::black_box(&mut copy);
    });
    if control.is_empty() {
        println!("keyscan: FAILED: the control copy was not found; the scan sees nothing");
        return ExitCode::FAILURE;
    }

    let mut failed = 0;
    let mut clean = 0;
    for case in cases().into_iter().chain(key_cases()) {
        key_scan::set_needles_with(&case.key, &base32(&case.key), &case.other);
        let found = key_scan::stack_leaks(case.run);
        if found.is_empty() {
            clean += 1;
        } else if case.must_be_clean {
            failed += 1;
            println!(
                "keyscan: FAILED: {}: key bytes {} bytes below the caller ({} places)",
                case.name,
                found[0],
                found.len()
            );
        } else {
            println!(
                "keyscan: known: {}: key bytes {} bytes below the caller ({} places)",
                case.name,
                found[0],
                found.len()
            );
        }
    }
    println!("keyscan: {clean} paths clean, {failed} leaking");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
