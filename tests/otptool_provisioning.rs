//! The `otptool uri ...` and `otptool migration ...` subcommands (src/bin/otptool/uri.rs and
//! migration.rs), driven through their `run_with` entry points: exact JSON keys and values for
//! the whole URI corpus, exit codes, and generated URIs that parse back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

#[path = "../src/bin/otptool/migration.rs"]
mod migration;
#[path = "../src/bin/otptool/uri.rs"]
mod uri;

use serde_json::{Map, Value, json};

fn call(
    f: fn(&[String], &mut dyn std::io::Write, &mut dyn std::io::Write) -> i32,
    args: &[&str],
) -> (i32, String, String) {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = f(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

const KEYS: [&str; 12] = [
    "type",
    "encoder",
    "issuer",
    "account_name",
    "secret_base32",
    "secret_hex",
    "algorithm",
    "digits",
    "period",
    "counter",
    "warnings",
    "extra",
];

#[test]
fn uri_parse_prints_exactly_the_documented_json() {
    let (code, out, err) = call(
        uri::run_with,
        &[
            "parse",
            "otpauth://totp/Old:alice?secret=jbswy3dpehpk3pxp&issuer=New&image=x&image=y",
        ],
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "{\"type\":\"totp\",\"encoder\":\"standard\",\"issuer\":\"New\",\"account_name\":\"alice\",\
         \"secret_base32\":\"JBSWY3DPEHPK3PXP\",\"secret_hex\":\"48656c6c6f21deadbeef\",\"algorithm\":\"SHA1\",\
         \"digits\":6,\"period\":30,\"counter\":null,\"warnings\":[\"unknown_parameter\",\
         \"duplicate_unknown_parameter\",\"lowercase_secret\",\"issuer_mismatch\",\"short_key\"],\
         \"extra\":{\"image\":\"x\"}}\n"
    );
}

#[test]
fn uri_parse_agrees_with_the_corpus() {
    let text = include_str!("data/uri_corpus.tsv");
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let uri: String = serde_json::from_str(cols[2]).unwrap();
        let mut expect: Value = serde_json::from_str(cols[3]).unwrap();
        let (code, out, err) = call(uri::run_with, &["parse", &uri]);
        if expect.get("error").is_some() {
            assert_eq!(code, 1, "#{}", cols[0]);
            assert!(
                out.is_empty() && err.lines().count() == 1,
                "#{}: {err}",
                cols[0]
            );
            assert!(
                err.contains(expect["error"].as_str().unwrap()),
                "#{}: {err}",
                cols[0]
            );
            continue;
        }
        assert_eq!(code, 0, "#{} {err}", cols[0]);
        assert_eq!(out.lines().count(), 1);
        let got: Map<String, Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(got.keys().cloned().collect::<Vec<_>>().len(), KEYS.len());
        for key in KEYS {
            assert!(got.contains_key(key), "missing {key}");
        }
        // The corpus lists extra as pairs and warnings sorted.
        let extra: Map<String, Value> = expect["extra"]
            .as_array()
            .unwrap()
            .iter()
            .map(|kv| (kv[0].as_str().unwrap().to_owned(), kv[1].clone()))
            .collect();
        expect["extra"] = Value::Object(extra);
        let mut got = Value::Object(got);
        let mut warnings: Vec<Value> = got["warnings"].as_array().unwrap().clone();
        warnings.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        got["warnings"] = Value::Array(warnings);
        assert_eq!(got, expect, "#{}", cols[0]);
        checked += 1;
    }
    assert!(checked > 350);
}

#[test]
fn uri_parse_strict_and_usage() {
    let (code, out, err) = call(
        uri::run_with,
        &[
            "parse",
            "--strict",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=sha1",
        ],
    );
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.starts_with("otptool: quirk:algorithm_spelling"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    assert_eq!(call(uri::run_with, &["parse"]).0, 1);
    assert_eq!(call(uri::run_with, &["frobnicate"]).0, 1);
}

#[test]
fn uri_new_builds_canonical_uris() {
    let (code, out, _) = call(
        uri::run_with,
        &[
            "new",
            "--totp",
            "--issuer",
            "ACME Co",
            "--account",
            "john@example.com",
            "--secret",
            "jbsw y3dp ehpk 3pxp",
            "--digits",
            "8",
            "--period",
            "60",
            "--algorithm",
            "sha-256",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "otpauth://totp/ACME%20Co:john%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60\n"
    );
    let (code, out, _) = call(
        uri::run_with,
        &[
            "new",
            "--hotp",
            "--account",
            "bob",
            "--generate",
            "--algorithm",
            "SHA512",
            "--counter",
            "9",
        ],
    );
    assert_eq!(code, 0);
    let (code, json, _) = call(uri::run_with, &["parse", out.trim()]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (
            v["type"].clone(),
            v["counter"].clone(),
            v["algorithm"].clone()
        ),
        (json!("hotp"), json!(9), json!("SHA512"))
    );
    assert_eq!(v["secret_hex"].as_str().unwrap().len(), 128);
    for bad in [
        &["new", "--totp", "--hotp", "--account", "a", "--generate"][..],
        &["new", "--totp", "--account", "a"],
        &[
            "new",
            "--totp",
            "--account",
            "a",
            "--generate",
            "--counter",
            "1",
        ],
        &["new", "--totp", "--generate"],
        &[
            "new",
            "--totp",
            "--account",
            "a",
            "--generate",
            "--digits",
            "x",
        ],
    ] {
        assert_eq!(call(uri::run_with, bad).0, 1, "{bad:?}");
    }
    assert_eq!(
        call(
            uri::run_with,
            &["new", "--totp", "--account", "a:b", "--generate"]
        )
        .0,
        1
    );
    assert_eq!(
        call(
            uri::run_with,
            &[
                "new",
                "--totp",
                "--account",
                "a",
                "--generate",
                "--digits",
                "5"
            ]
        )
        .0,
        1
    );
}

#[test]
fn uri_qr_terminal_and_svg() {
    let uri = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";
    let (code, out, _) = call(uri::run_with, &["qr", uri]);
    assert_eq!(code, 0);
    assert!(out.contains('█') && out.lines().count() > 10);
    let path = std::env::temp_dir().join(format!("otptool-qr-{}.svg", std::process::id()));
    let p = path.to_str().unwrap();
    let (code, out, _) = call(uri::run_with, &["qr", uri, "--svg", p]);
    assert_eq!((code, out.as_str()), (0, ""));
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    std::fs::remove_file(&path).unwrap();
    assert_eq!(call(uri::run_with, &["qr", "https://example.com"]).0, 1);
}

#[test]
fn migration_decode_and_encode() {
    let sample = "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";
    let (code, out, _) = call(migration::run_with, &["decode", sample]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["issuer"], "Example");
    assert_eq!(v["account_name"], "alice@google.com");
    assert_eq!(v["secret_base32"], "JBSWY3DPEHPK3PXP");
    assert_eq!(v["warnings"], json!(["short_key"]));

    let a = "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example";
    let b = "otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&counter=7&digits=8&algorithm=SHA256";
    let (code, export, _) = call(migration::run_with, &["encode", a, b]);
    assert_eq!(code, 0);
    assert!(export.starts_with("otpauth-migration://offline?data="));
    let (code, lines, _) = call(migration::run_with, &["decode", export.trim()]);
    assert_eq!(code, 0);
    let decoded: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (uri, got) in [a, b].into_iter().zip(&decoded) {
        let (_, json, _) = call(uri::run_with, &["parse", uri]);
        let mut want: Value = serde_json::from_str(&json).unwrap();
        want["warnings"] = got["warnings"].clone();
        assert_eq!(got, &want);
    }
    let (code, _, err) = call(
        migration::run_with,
        &[
            "encode",
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=60",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("unsupported_period"), "{err}");
    assert_eq!(
        call(
            migration::run_with,
            &["decode", "otpauth-migration://offline?data=%%"]
        )
        .0,
        1
    );
    assert_eq!(call(migration::run_with, &["encode"]).0, 1);
}

/// The ecosystem's URIs: `uri parse` shows what the library tolerated.
#[test]
fn uri_parse_shows_the_ecosystem_warnings() {
    for (uri, warning) in [
        (
            "otpauth://totp/Example:alice?secret=GG&issuer=Example",
            "nonzero_padding_bits",
        ),
        (
            "otpauth://hotp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example",
            "missing_counter",
        ),
        (
            "otpauth://totp/ACME%3ACorp:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%3ACorp",
            "colon_in_issuer",
        ),
    ] {
        let (code, out, err) = call(uri::run_with, &["parse", uri]);
        assert_eq!((code, err.as_str()), (0, ""), "{uri}");
        let got: Value = serde_json::from_str(&out).unwrap();
        assert!(
            got["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w == warning),
            "{out}"
        );
    }
    let (code, _, err) = call(
        uri::run_with,
        &[
            "parse",
            "--strict",
            "otpauth://totp/Example:alice?secret=GG&issuer=Example",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.starts_with("otptool: invalid_secret"), "{err}");
}
