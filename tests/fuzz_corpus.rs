//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the same checks the
//! fuzz targets run (`fuzz/src/checks.rs`), on stable Rust, so CI keeps every finding fixed.

// Every algorithm, URIs and migration payloads are exercised.
#![cfg(all(
    feature = "sha1",
    feature = "sha256",
    feature = "sha512",
    feature = "uri",
    feature = "migration"
))]
// Test helpers, not library code: a failure should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::panic, clippy::std_instead_of_core)]

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "empty corpus for {target}");
    for path in entries {
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("{target}: {} fails", path.display());
        }
    }
}

#[test]
fn impl_secret_base32() {
    replay("impl_secret_base32", checks::impl_secret_base32);
}

#[test]
fn impl_code_parse() {
    replay("impl_code_parse", checks::impl_code_parse);
}

#[test]
fn impl_hotp_verify() {
    replay("impl_hotp_verify", checks::impl_hotp_verify);
}

#[test]
fn impl_totp_verify() {
    replay("impl_totp_verify", checks::impl_totp_verify);
}

#[test]
fn spec_generate_verify() {
    replay("spec_generate_verify", checks::spec_generate_verify);
}

#[test]
fn impl_ocra_suite() {
    replay("impl_ocra_suite", checks::impl_ocra_suite);
}

#[test]
fn impl_ocra_verify() {
    replay("impl_ocra_verify", checks::impl_ocra_verify);
}

#[test]
fn impl_uri_parse() {
    replay("impl_uri_parse", checks::impl_uri_parse);
}

#[test]
fn impl_migration_decode() {
    replay("impl_migration_decode", checks::impl_migration_decode);
}

#[test]
fn impl_state_record() {
    replay("impl_state_record", checks::impl_state_record);
}

#[cfg(feature = "sealed-keys")]
#[test]
fn impl_sealed_open() {
    replay("impl_sealed_open", checks::impl_sealed_open);
}

#[test]
fn impl_migration_parse() {
    replay("impl_migration_parse", checks::impl_migration_parse);
}

#[cfg(feature = "pskc")]
#[test]
fn pskc_parse() {
    replay("pskc_parse", checks::pskc_parse);
}

#[cfg(feature = "ykoath")]
#[test]
fn impl_ykoath_apdu() {
    replay("impl_ykoath_apdu", checks::impl_ykoath_apdu);
}
