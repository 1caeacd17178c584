//! Google Authenticator export (`otpauth-migration://`): decoding payloads encoded
//! independently by Python's `protobuf` package from the published schema
//! (`tests/data/migration_protobuf.tsv`, written by `tests/oracles/gen_migration.py`),
//! batches, unknown fields, typed errors, and export → import round trips.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation
)]

use otpkit::Secret;
use otpkit::migration::{Migration, MigrationError, MigrationErrorKind};
use otpkit::uri::{OtpAuthUri, OtpType, UriErrorKind};
use serde_json::{Value, json};

fn rows() -> Vec<(String, String, String, Value)> {
    include_str!("data/migration_protobuf.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            (
                c[0].into(),
                c[1].into(),
                c[2].into(),
                serde_json::from_str(c[3]).unwrap(),
            )
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn reading(m: &Migration) -> Value {
    json!({
        "version": m.version,
        "batch_size": m.batch_size,
        "batch_index": m.batch_index,
        "batch_id": m.batch_id,
        "entries": m.entries.iter().map(|e| json!({
            "type": if e.counter().is_some() { "hotp" } else { "totp" },
            "issuer": e.issuer,
            "account_name": e.account_name,
            "secret_hex": hex(e.secret.as_ref()),
            "algorithm": e.algorithm.to_string(),
            "digits": e.digits,
            "counter": e.counter(),
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn decodes_independently_encoded_payloads() {
    let mut failures = Vec::new();
    let mut kinds = std::collections::BTreeMap::new();
    for (id, kind, uri, expect) in rows() {
        *kinds
            .entry(kind.split(':').next().unwrap().to_owned())
            .or_insert(0) += 1;
        let got = match Migration::parse(&uri) {
            Ok(m) => reading(&m),
            Err(e) => json!({ "error": e.kind.id() }),
        };
        if got != expect {
            failures.push(format!(
                "#{id} {kind} {uri}\n  expected {expect}\n  got      {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        kinds["gen"] >= 40
            && kinds["batch"] >= 8
            && kinds["unknown"] >= 4
            && kinds["invalid"] >= 10,
        "{kinds:?}"
    );
}

#[test]
fn batches_share_an_id_and_cover_every_index() {
    let mut by_id: std::collections::BTreeMap<i32, Vec<Migration>> = Default::default();
    for (_, kind, uri, _) in rows().into_iter().filter(|r| r.1 == "batch") {
        let m = Migration::parse(&uri).unwrap();
        assert_eq!(kind, "batch");
        by_id.entry(m.batch_id).or_default().push(m);
    }
    assert!(by_id.len() >= 4);
    for (id, parts) in by_id {
        let size = parts[0].batch_size;
        let mut indices: Vec<i32> = parts.iter().map(|p| p.batch_index).collect();
        indices.sort_unstable();
        assert_eq!(indices, (0..size).collect::<Vec<_>>(), "batch {id}");
        assert!(parts.iter().all(|p| p.batch_size == size));
    }
}

#[test]
fn every_decoded_payload_round_trips() {
    for (id, _, uri, expect) in rows() {
        if expect.get("error").is_some() {
            continue;
        }
        let m = Migration::parse(&uri).unwrap();
        let again = Migration::parse(&m.to_uri().unwrap()).unwrap();
        assert_eq!(again, m, "#{id}");
        // Payloads written by protobuf are canonical: re-encoding gives the same bytes,
        // except where the name carried no prefix (otpkit writes `issuer:account`) or the
        // evolved schema added fields.
        let _ = m.encode_payload().unwrap();
    }
}

#[test]
fn sample_payload_is_reproduced_byte_for_byte() {
    let uri = "otpauth-migration://offline?data=CkoKDZePmX7z8qHgFlH9yVcSIlRoaXNfaXNfYW5fRXhhbXBsZTplbWFpbEBlbWFpbC5jb20aD0V4YW1wbGVfV2Vic2l0ZSABKAEwAhABGAEgAA%3D%3D";
    let m = Migration::parse(uri).unwrap();
    // The sample's name prefix differs from its issuer, so the entry reads issuer
    // `Example_Website`, account `email@email.com`; the re-encoding uses that issuer.
    assert_eq!(m.entries[0].issuer.as_deref(), Some("Example_Website"));
    let again = Migration::parse(&m.to_uri().unwrap()).unwrap();
    assert_eq!(again, m);
}

#[test]
fn lenient_base64_forms() {
    let data = "CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";
    let reference = Migration::parse(&format!("otpauth-migration://offline?data={data}")).unwrap();
    // A `+`-free sample: check the URL-safe alphabet and spaces-for-plus on a payload that has them.
    let m = Migration::new(vec![OtpAuthUri::totp(
        Secret::from_bytes(&[0xfb; 20]).unwrap(),
        "x",
    )]);
    let uri = m.to_uri().unwrap();
    assert!(uri.contains("%2B") || uri.contains("%2F"), "{}", &*uri);
    let b64 = percent_encoding::percent_decode_str(uri.split("data=").nth(1).unwrap())
        .decode_utf8()
        .unwrap()
        .into_owned();
    let url_safe = b64
        .replace('+', "-")
        .replace('/', "_")
        .trim_end_matches('=')
        .to_owned();
    let spaced = b64.replace('+', " ");
    for variant in [url_safe, spaced.replace(' ', "%20"), b64.clone()] {
        let got = Migration::parse(&format!("otpauth-migration://offline?data={variant}")).unwrap();
        assert_eq!(got, m, "{variant}");
    }
    assert_eq!(reference.entries.len(), 1);
}

#[test]
fn export_refuses_what_the_format_cannot_hold() {
    let key = || Secret::from_bytes(b"12345678901234567890").unwrap();
    let mut e = OtpAuthUri::totp(key(), "a");
    e.digits = 7;
    let err = Migration::new(vec![OtpAuthUri::totp(key(), "ok"), e])
        .to_uri()
        .unwrap_err();
    assert_eq!(
        (err.kind, err.position),
        (MigrationErrorKind::UnsupportedDigits, 1)
    );
    let mut e = OtpAuthUri::totp(key(), "a");
    e.otp_type = OtpType::Totp { period: 60 };
    assert_eq!(
        Migration::new(vec![e]).to_uri().unwrap_err().kind,
        MigrationErrorKind::UnsupportedPeriod
    );
    let e = OtpAuthUri::steam(key(), "gabe");
    assert_eq!(
        Migration::new(vec![e]).to_uri().unwrap_err().kind,
        MigrationErrorKind::UnsupportedSteam
    );
    let e = OtpAuthUri::totp(key(), "a:b");
    assert_eq!(
        Migration::new(vec![e]).to_uri().unwrap_err().kind,
        MigrationErrorKind::Uri(UriErrorKind::InvalidLabel)
    );
}

#[test]
fn hotp_sha512_eight_digits_round_trip() {
    let mut e = OtpAuthUri::hotp(Secret::from_bytes(&[7; 64]).unwrap(), "bob", u64::MAX >> 1);
    e.issuer = Some("Bank".into());
    e.algorithm = otpkit::Algorithm::Sha512;
    e.digits = 8;
    let mut m = Migration::new(vec![
        e,
        OtpAuthUri::totp(Secret::from_bytes(&[1]).unwrap(), "t"),
    ]);
    m.batch_id = -5;
    m.batch_size = 2;
    m.batch_index = 1;
    let again = Migration::parse(&m.to_uri().unwrap()).unwrap();
    assert_eq!(again, m);
}

#[test]
fn debug_never_shows_secrets() {
    let m = Migration::new(vec![OtpAuthUri::totp(
        Secret::from_bytes(b"12345678901234567890").unwrap(),
        "x",
    )]);
    let debug = format!("{m:?}");
    assert!(
        !debug.contains("49, 50") && !debug.contains("GEZDGNBV") && !debug.contains("3132"),
        "{debug}"
    );
}

/// Found by fuzzing: an empty `secret` field must not decode (it would not re-encode).
#[test]
fn empty_secret_field_is_refused() {
    let payload = [0x0a, 0x04, 0x0a, 0x00, 0x30, 0x02];
    let err = Migration::decode_payload(&payload).unwrap_err();
    assert_eq!(
        (err.kind, err.position),
        (MigrationErrorKind::InvalidSecret, 2)
    );
}

/// An issuer holding a colon: the name `ACME:Corp:alice` is split after the issuer, as the
/// otpauth:// parser splits pyotp's labels.
#[test]
fn colon_in_issuer_splits_after_the_issuer() {
    let entry = |name: &str, issuer: &str| {
        let mut e = vec![0x0a, 1, 7, 0x12, name.len() as u8];
        e.extend_from_slice(name.as_bytes());
        e.extend_from_slice(&[0x1a, issuer.len() as u8]);
        e.extend_from_slice(issuer.as_bytes());
        let mut p = vec![0x0a, e.len() as u8];
        p.extend(e);
        p
    };
    let m = Migration::decode_payload(&entry("ACME:Corp:alice", "ACME:Corp")).unwrap();
    assert_eq!(m.entries[0].issuer.as_deref(), Some("ACME:Corp"));
    assert_eq!(m.entries[0].account_name, "alice");
    let m = Migration::decode_payload(&entry("Other:alice", "ACME:Corp")).unwrap();
    assert_eq!(m.entries[0].issuer.as_deref(), Some("ACME:Corp"));
    assert_eq!(m.entries[0].account_name, "alice");
}

/// The limits are typed errors naming the limit.
#[test]
fn limits_are_typed_errors() {
    use otpkit::migration::{MAX_ENTRIES, MAX_PAYLOAD_LEN, MAX_URI_LEN};
    let long = format!(
        "otpauth-migration://offline?data={}",
        "A".repeat(MAX_URI_LEN)
    );
    let e = Migration::parse(&long).unwrap_err();
    assert_eq!(
        (e.kind, e.position),
        (MigrationErrorKind::TooLong, MAX_URI_LEN)
    );
    assert!(e.to_string().contains("migration::MAX_URI_LEN"), "{e}");
    let e = Migration::decode_payload(&vec![0; MAX_PAYLOAD_LEN + 1]).unwrap_err();
    assert_eq!(e.kind, MigrationErrorKind::PayloadTooLarge);
    assert!(e.to_string().contains(&MAX_PAYLOAD_LEN.to_string()), "{e}");
    let one = [0x0a, 3, 0x0a, 1, 7];
    let exactly: Vec<u8> = one.iter().copied().cycle().take(5 * MAX_ENTRIES).collect();
    assert_eq!(
        Migration::decode_payload(&exactly).unwrap().entries.len(),
        MAX_ENTRIES
    );
    let over: Vec<u8> = one
        .iter()
        .copied()
        .cycle()
        .take(5 * (MAX_ENTRIES + 1))
        .collect();
    let e = Migration::decode_payload(&over).unwrap_err();
    assert_eq!(
        (e.kind, e.position),
        (MigrationErrorKind::TooManyEntries, 5 * MAX_ENTRIES)
    );
    // Export refuses what import would.
    let entries = (0..=MAX_ENTRIES)
        .map(|i| OtpAuthUri::totp(Secret::from_bytes(&[7]).unwrap(), format!("{i}")))
        .collect();
    let e = Migration::new(entries).encode_payload().unwrap_err();
    assert_eq!(e.kind, MigrationErrorKind::TooManyEntries);
    let big = (0..100)
        .map(|i| OtpAuthUri::totp(Secret::from_bytes(&[7; 256]).unwrap(), format!("{i}")))
        .collect();
    let e = Migration::new(big).encode_payload().unwrap_err();
    assert_eq!(e.kind, MigrationErrorKind::PayloadTooLarge);
}

/// A core error converts into a `MigrationError` and back; any other error stays itself.
#[test]
fn core_errors_convert_both_ways() {
    use core::error::Error as _;
    let core = otpkit::Error::KeyTooShort { len: 1, min: 16 };
    let wrapped = MigrationError::from(core);
    assert_eq!(wrapped.kind, MigrationErrorKind::Core(core));
    assert_eq!(otpkit::Error::try_from(wrapped), Ok(core));
    assert_eq!(wrapped.kind.id(), "core");
    assert!(wrapped.source().is_some());
    let other = Migration::parse("otpauth-migration://offline?x=1").unwrap_err();
    assert_eq!(other.kind, MigrationErrorKind::MissingData);
    assert_eq!(otpkit::Error::try_from(other), Err(other));
    assert!(other.source().is_none());
}
