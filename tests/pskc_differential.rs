//! otpkit reads the committed python-pskc 1.4 sample (`tests/data/pskc_corpus`, written by
//! `tests/oracles/gen_pskc.py gen --seed 6030 --count 42`: every cipher under a pre-shared key
//! and under a password, every MAC and PRF, HOTP/TOTP/OCRA, the optional fields, several
//! devices per file) exactly as python-pskc does, field by field, and computes the codes
//! oathtool, pyotp and oath computed. `.ci/pskc` regenerates it and runs the full corpus.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "support/pskc_diff.rs"]
mod pskc_diff;

#[test]
fn python_pskc_sample_read_field_by_field() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pskc_corpus");
    let (files, keys, bad) = pskc_diff::check_dir(&dir);
    assert_eq!(files, 42);
    assert!(keys >= 100, "{keys} keys");
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
