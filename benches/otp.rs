//! Speed of generation and verification, as ratios to floors measured in the same run.
//!
//! `cargo bench --bench otp`. Every case is SHA-1, 6 digits, a 20-byte key, 30-second steps and a
//! fixed time unless its name says otherwise. The criterion ids (group/function) are stable so
//! results compare across commits:
//!
//! - `generate/floor_hmac_sha1_precomputed`: the `hmac` crate keyed once outside the loop (clone,
//!   update 8 bytes, finalize).
//! - `generate/floor_sha1_block_2x`: two calls of `sha1::block_api::compress` on one state over two
//!   prebuilt blocks, the latency of the two compressions one HMAC-SHA-1 code needs.
//! - `generate/*` and `verify_miss_w1/*`: otpkit and its peers (totp-rs, totp-lite, libreauth).
//!   With `--features sha1-compact`, `generate/otpkit_totp_sha1_compact` replaces
//!   `generate/otpkit_totp_sha1` (and every otpkit SHA-1 case runs on the compact block function).
//!   The miss is a wrong code with a window of one step either side: three candidates, the worst
//!   case.
//! - `ocra/floor_hmac_sha1_190b`: the `hmac` crate keyed once, over a 190-byte message;
//!   `ocra/otpkit_c_qn08_psha1`: an RFC 6287 response for `OCRA-1:HOTP-SHA1-8:C-QN08-PSHA1`
//!   with the PIN hash precomputed (a 188-byte message: the same four compressions).
//! - `uri_parse/otpkit`, `uri_parse/totp_rs`: the same `otpauth://totp/...` URI (issuer, SHA-1,
//!   6 digits) parsed by otpkit and totp-rs.
//! - `uri_parse/many_params/N`: a URI with N parameters (the secret and N - 1 distinct unknown
//!   ones), at N = 4, 16 and 64 (`uri::MAX_PARAMETERS`): the time grows linearly with N.
//!   `many_params/2000_refused`: 2,000 of them (15 KB), refused at the 65th.
//! - `uri_parse/long_value/N`: one unknown parameter with an N-byte percent-encoded value, at
//!   N = 1,000, 4,000 and 16,000 (`uri::MAX_LEN` is 16 KiB): linear in N.
//! - `migration_parse/entries/N`: an `otpauth-migration://` export of N entries (20-byte keys,
//!   issuer and account) read by `Migration::parse`, at N = 16, 64 and 256: linear in N.

// A benchmark program, not library code: setup failures should stop it loudly.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hmac::{KeyInit, Mac};
use otpkit::ocra::{DataInput, Ocra, OcraSuite};
use otpkit::uri::OtpAuthUri;
use otpkit::{Algorithm, Hotp, HotpParams, Totp, TotpParams, Window};

const KEY: &[u8; 20] = b"12345678901234567890";
const KEY32: &[u8; 32] = b"12345678901234567890123456789012";
const KEY64: &[u8; 64] = b"1234567890123456789012345678901234567890123456789012345678901234";
/// A fixed Unix time (2023-11-14).
const TIME: u64 = 1_700_000_000;

fn otpkit_totp(key: &[u8], algorithm: Algorithm) -> Totp {
    Totp::new(
        key,
        TotpParams {
            algorithm,
            ..TotpParams::default()
        },
    )
    .unwrap()
}

/// A 6-digit code that matches none of the steps around `TIME` in a ±1 window.
fn wrong_code(totp: &Totp) -> String {
    let step = totp.step_at(TIME).unwrap();
    let near: Vec<String> = (step - 1..=step + 1)
        .map(|s| totp.generate_step(s).to_string())
        .collect();
    (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .unwrap()
}

fn generate(c: &mut Criterion) {
    let mut g = c.benchmark_group("generate");

    let keyed = hmac::Hmac::<sha1::Sha1>::new_from_slice(KEY).unwrap();
    g.bench_function("floor_hmac_sha1_precomputed", |b| {
        b.iter(|| {
            let mut m = black_box(&keyed).clone();
            m.update(&black_box(TIME / 30).to_be_bytes());
            m.finalize().into_bytes()
        })
    });

    let blocks: [[u8; 64]; 2] = [[0x36; 64], [0x5c; 64]];
    g.bench_function("floor_sha1_block_2x", |b| {
        b.iter(|| {
            let mut state = black_box([
                0x6745_2301u32,
                0xEFCD_AB89,
                0x98BA_DCFE,
                0x1032_5476,
                0xC3D2_E1F0,
            ]);
            let blocks = black_box(&blocks);
            sha1::block_api::compress(&mut state, core::slice::from_ref(&blocks[0]));
            sha1::block_api::compress(&mut state, core::slice::from_ref(&blocks[1]));
            state
        })
    });

    let totp = otpkit_totp(KEY, Algorithm::Sha1);
    // Built with `--features sha1-compact`, the same generation runs on the rolled-loop block
    // function firmware can choose; its own id keeps the two apart.
    let id = if cfg!(feature = "sha1-compact") {
        "otpkit_totp_sha1_compact"
    } else {
        "otpkit_totp_sha1"
    };
    g.bench_function(id, |b| {
        b.iter(|| black_box(&totp).generate_at(black_box(TIME)))
    });

    let hotp = Hotp::new(
        KEY32,
        HotpParams {
            algorithm: Algorithm::Sha256,
            ..HotpParams::default()
        },
    )
    .unwrap();
    g.bench_function("otpkit_hotp_sha256", |b| {
        b.iter(|| black_box(&hotp).generate(black_box(TIME / 30)))
    });

    let totp512 = otpkit_totp(KEY64, Algorithm::Sha512);
    g.bench_function("otpkit_totp_sha512", |b| {
        b.iter(|| black_box(&totp512).generate_at(black_box(TIME)))
    });

    let rs = totp_rs_sha1();
    g.bench_function("totp_rs", |b| {
        b.iter(|| black_box(&rs).generate(black_box(TIME)))
    });

    g.bench_function("totp_lite", |b| {
        b.iter(|| totp_lite::totp_custom::<totp_lite::Sha1>(30, 6, black_box(KEY), black_box(TIME)))
    });

    let lib = libreauth_sha1();
    g.bench_function("libreauth", |b| b.iter(|| black_box(&lib).generate()));

    g.finish();
}

fn verify_miss_w1(c: &mut Criterion) {
    let mut g = c.benchmark_group("verify_miss_w1");

    let totp = otpkit_totp(KEY, Algorithm::Sha1);
    let wrong = wrong_code(&totp);
    let window = Window::symmetric(1).unwrap();
    assert!(
        totp.verify_at_uncommitted(&wrong, TIME, None, window)
            .is_err()
    );
    g.bench_function("otpkit", |b| {
        b.iter(|| {
            black_box(&totp).verify_at_uncommitted(black_box(&wrong), black_box(TIME), None, window)
        })
    });

    let rs = totp_rs_sha1();
    assert!(rs.check(&wrong, TIME).is_none());
    g.bench_function("totp_rs", |b| {
        b.iter(|| black_box(&rs).check(black_box(&wrong), black_box(TIME)))
    });

    let lib = libreauth_sha1();
    assert!(!lib.is_valid(&wrong));
    g.bench_function("libreauth", |b| {
        b.iter(|| black_box(&lib).is_valid(black_box(&wrong)))
    });

    g.finish();
}

fn ocra(c: &mut Criterion) {
    let mut g = c.benchmark_group("ocra");

    let keyed = hmac::Hmac::<sha1::Sha1>::new_from_slice(KEY).unwrap();
    let message = [0x5au8; 190];
    g.bench_function("floor_hmac_sha1_190b", |b| {
        b.iter(|| {
            let mut m = black_box(&keyed).clone();
            m.update(black_box(&message));
            m.finalize().into_bytes()
        })
    });

    let suite = OcraSuite::parse("OCRA-1:HOTP-SHA1-8:C-QN08-PSHA1").unwrap();
    let ocra = Ocra::new(suite, KEY).unwrap();
    // SHA-1("1234"), RFC 6287 Appendix C.
    let pin_hash = hex_literal::hex!("7110eda4d09e062aa5e4a390b0a572ac0d2c0220");
    let input = DataInput::new()
        .counter(5)
        .question("12345678")
        .password_hash(&pin_hash);
    let response = ocra.compute(&input).unwrap().to_string();
    assert_eq!(ocra.verify(&response, &input), Ok(()));
    g.bench_function("otpkit_c_qn08_psha1", |b| {
        b.iter(|| black_box(&ocra).compute(black_box(&input)))
    });

    g.finish();
}

const URI: &str = "otpauth://totp/ACME%20Co:john.doe@email.com?\
    secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30";

fn uri_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("uri_parse");
    assert!(OtpAuthUri::parse(URI).is_ok());
    g.bench_function("otpkit", |b| b.iter(|| OtpAuthUri::parse(black_box(URI))));
    assert!(totp_rs::Totp::from_url(URI).is_ok());
    g.bench_function("totp_rs", |b| {
        b.iter(|| totp_rs::Totp::from_url(black_box(URI)))
    });
    for n in [4, 16, 64] {
        let uri = many_params(n);
        assert_eq!(OtpAuthUri::parse(&uri).unwrap().uri.extra.len(), n - 1);
        g.bench_with_input(BenchmarkId::new("many_params", n), &uri, |b, uri| {
            b.iter(|| OtpAuthUri::parse(black_box(uri)))
        });
    }
    // 2,000 parameters in 15 KB (under `uri::MAX_LEN`): refused at the 65th.
    let refused = many_params(2000);
    assert_eq!(
        OtpAuthUri::parse(&refused).unwrap_err().kind,
        otpkit::uri::UriErrorKind::TooManyParameters
    );
    g.bench_with_input(
        BenchmarkId::new("many_params", "2000_refused"),
        &refused,
        |b, uri| b.iter(|| OtpAuthUri::parse(black_box(uri))),
    );
    for n in [1000, 4000, 16_000] {
        let uri = format!("{URI}&image={}", "%41".repeat(n / 3));
        assert!(OtpAuthUri::parse(&uri).is_ok());
        g.bench_with_input(BenchmarkId::new("long_value", n), &uri, |b, uri| {
            b.iter(|| OtpAuthUri::parse(black_box(uri)))
        });
    }
    g.finish();
}

fn migration_parse(c: &mut Criterion) {
    use otpkit::migration::Migration;
    let mut g = c.benchmark_group("migration_parse");
    for n in [16, 64, 256] {
        let entries = (0..n)
            .map(|i| {
                let mut e = OtpAuthUri::totp(
                    otpkit::Secret::from_bytes(KEY).unwrap(),
                    format!("user{i}@example.com"),
                );
                e.issuer = Some("Example".into());
                e
            })
            .collect();
        let uri = Migration::new(entries).to_uri().unwrap();
        assert_eq!(Migration::parse(&uri).unwrap().entries.len(), n);
        g.bench_with_input(BenchmarkId::new("entries", n), &*uri, |b, uri| {
            b.iter(|| Migration::parse(black_box(uri)))
        });
    }
    g.finish();
}

/// A URI with `n` parameters: the secret and `n - 1` distinct unknown ones.
fn many_params(n: usize) -> String {
    let base =
        "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ";
    let mut uri = String::from(base);
    for i in 1..n {
        uri.push_str(&format!("&p{i}=v"));
    }
    uri
}

fn totp_rs_sha1() -> totp_rs::Totp {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(KEY.to_vec())
        .build()
        .unwrap()
}

/// libreauth reads the clock itself; `timestamp` pins it to `TIME` through an offset.
fn libreauth_sha1() -> libreauth::oath::TOTP {
    libreauth::oath::TOTPBuilder::new()
        .key(KEY)
        .timestamp(i64::try_from(TIME).unwrap())
        .tolerance(1)
        .finalize()
        .unwrap()
}

criterion_group!(
    benches,
    generate,
    verify_miss_w1,
    ocra,
    uri_parse,
    migration_parse
);
criterion_main!(benches);
