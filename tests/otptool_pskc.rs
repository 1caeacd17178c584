//! `otptool pskc list|uri|new` (src/bin/otptool/pskc.rs) through its `run_with` entry point:
//! batches written and read back, the `--json` names, exit codes, one stderr line per
//! failure, keys only from files or standard input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

#[path = "../src/bin/otptool/pskc.rs"]
mod pskc;

use serde_json::Value;

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn call(args: &[&str], stdin: &str) -> Run {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut input = stdin.as_bytes();
    let code = pskc::run_with(&args, &mut input, &mut out, &mut err);
    Run {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

struct Dir(std::path::PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("otptool-pskc-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_owned()
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const JSON_NAMES: [&str; 24] = [
    "id",
    "algorithm",
    "issuer",
    "friendly_name",
    "key_userid",
    "manufacturer",
    "serial",
    "model",
    "device_userid",
    "suite",
    "digits",
    "encoding",
    "counter",
    "time_offset",
    "time_interval",
    "time_drift",
    "start_date",
    "expiry_date",
    "policy_start_date",
    "policy_expiry_date",
    "usable",
    "unusable_reason",
    "secret_hex",
    "",
];

#[test]
fn new_then_list_each_protection() {
    let d = Dir::new("each");
    let psk = d.file("psk", "0011 2233 4455 6677\n8899 aabb ccdd eeff\n");
    let psk32 = d.file("psk32", &"ab".repeat(32));
    let pw = d.file("pw", "correct horse\r\nsecond line ignored\n");
    let cases: [(&[&str], Vec<&str>); 4] = [
        (&["--plaintext"], vec![]),
        (&["--psk-file", &psk], vec!["--psk-file", &psk]),
        (
            &["--psk-file", &psk32, "--cipher", "aes256-cbc"],
            vec!["--psk-file", &psk32],
        ),
        (
            &["--password-file", &pw, "--iterations", "1000"],
            vec!["--password-file", &pw],
        ),
    ];
    for (i, (protect, read)) in cases.iter().enumerate() {
        let out = d.path(&format!("batch{i}.xml"));
        let mut args = vec![
            "new",
            "--totp",
            "--count",
            "3",
            "--serial-prefix",
            "ZX",
            "--digits",
            "8",
            "--algorithm",
            "sha256",
            "--period",
            "60",
            "--out",
            &out,
        ];
        args.extend_from_slice(protect);
        let r = call(&args, "");
        assert_eq!((r.code, r.err.as_str()), (0, ""), "#{i}");
        let mut args = vec!["list", &out, "--json", "--show-secrets", "--strict"];
        args.extend_from_slice(read);
        let r = call(&args, "");
        assert_eq!((r.code, r.err.as_str()), (0, ""), "#{i}");
        let v: Value = serde_json::from_str(&r.out).unwrap();
        let keys = v.as_array().unwrap();
        assert_eq!(keys.len(), 3);
        for (n, k) in keys.iter().enumerate() {
            let serial = format!("ZX{:06}", n + 1);
            assert_eq!(k["id"], serial.as_str());
            assert_eq!(k["serial"], serial.as_str());
            assert_eq!(k["digits"], 8);
            assert_eq!(k["time_interval"], 60);
            assert_eq!(k["suite"], "HMAC-SHA256");
            assert_eq!(k["usable"], true);
            assert_eq!(k["secret_hex"].as_str().unwrap().len(), 64);
            for name in k.as_object().unwrap().keys() {
                assert!(JSON_NAMES.contains(&name.as_str()), "unknown name {name}");
            }
        }
        // Without --show-secrets, no secret.
        let mut args = vec!["list", &out, "--json"];
        args.extend_from_slice(read);
        let r = call(&args, "");
        assert!(!r.out.contains("secret_hex"));
    }
}

#[test]
fn psk_from_stdin_and_uri_labels() {
    let d = Dir::new("uri");
    let out = d.path("b.xml");
    let r = call(
        &[
            "new",
            "--hotp",
            "--count",
            "2",
            "--serial-prefix",
            "S-",
            "--psk-file",
            "-",
            "--out",
            &out,
        ],
        "000102030405060708090a0b0c0d0e0f\n",
    );
    assert_eq!(r.code, 0, "{}", r.err);
    let r = call(
        &["uri", &out, "--psk-file", "-"],
        "000102030405060708090a0b0c0d0e0f",
    );
    assert_eq!(r.code, 0, "{}", r.err);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("otpauth://hotp/S-000001?secret="),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("&counter=0"));
}

#[test]
fn uri_label_is_issuer_and_account_fallbacks() {
    let d = Dir::new("label");
    let doc = r#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
<KeyPackage><DeviceInfo><SerialNo>SN1</SerialNo><UserId>dev-user</UserId></DeviceInfo><Key Id="k1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp"><Issuer>Bank</Issuer>
<Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret></Data><UserId>alice</UserId></Key></KeyPackage>
<KeyPackage><DeviceInfo><SerialNo>SN2</SerialNo><UserId>dev-user</UserId></DeviceInfo><Key Id="k2" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp"><Issuer>Bank</Issuer>
<Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret></Data></Key></KeyPackage>
<KeyPackage><DeviceInfo><SerialNo>SN3</SerialNo></DeviceInfo><Key Id="k3" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
<Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret></Data></Key></KeyPackage>
<KeyPackage><Key Id="k4" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
<Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret></Data></Key></KeyPackage>
</KeyContainer>"#;
    let f = d.file("l.xml", doc);
    let r = call(&["uri", &f], "");
    assert_eq!(r.code, 0, "{}", r.err);
    let labels: Vec<&str> = r
        .out
        .lines()
        .map(|l| l.split('?').next().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "otpauth://totp/Bank:alice",
            "otpauth://totp/Bank:dev-user",
            "otpauth://totp/SN3",
            "otpauth://totp/k4"
        ]
    );
}

#[test]
fn failures_exit_1_with_one_line_each_and_good_keys_printed() {
    let d = Dir::new("fail");
    let psk = d.file("psk", "00112233445566778899aabbccddeeff");
    let wrong = d.file("wrong", "ffffffffffffffffffffffffffffffff");
    let out = d.path("b.xml");
    assert_eq!(
        call(
            &[
                "new",
                "--hotp",
                "--count",
                "2",
                "--serial-prefix",
                "A",
                "--psk-file",
                &psk,
                "--out",
                &out
            ],
            ""
        )
        .code,
        0
    );
    let r = call(&["list", &out, "--psk-file", &wrong], "");
    assert_eq!(r.code, 1);
    assert_eq!(r.out, "");
    assert_eq!(r.err.lines().count(), 1, "{}", r.err);
    assert!(
        r.err.contains("wrong pre-shared key or password"),
        "{}",
        r.err
    );
    // One damaged package among good ones.
    let text = std::fs::read_to_string(&out).unwrap();
    let first_mac = text.find("<pskc:ValueMAC>").unwrap() + "<pskc:ValueMAC>".len();
    let mut damaged = text.clone();
    damaged.replace_range(first_mac..first_mac + 4, "AAAA");
    let f = d.file("damaged.xml", &damaged);
    let r = call(&["list", &f, "--psk-file", &psk, "--json"], "");
    assert_eq!(r.code, 1);
    let v: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(r.err.lines().count(), 1);
    assert!(r.err.contains("mac mismatch"), "{}", r.err);
    // A refused document: one line.
    let f = d.file("dtd.xml", "<!DOCTYPE x><KeyContainer Version=\"1.0\"/>");
    let r = call(&["list", &f], "");
    assert_eq!((r.code, r.err.lines().count()), (1, 1));
    assert!(r.err.contains("document type declaration refused"));
}

#[test]
fn no_key_from_argv_and_usage_errors() {
    for args in [
        &["list", "f.xml", "--psk", "0011"][..],
        &["list", "f.xml", "--password", "x"],
        &["new", "--hotp", "--count", "1", "--serial-prefix", "A"],
        &[
            "new",
            "--hotp",
            "--totp",
            "--count",
            "1",
            "--serial-prefix",
            "A",
            "--plaintext",
        ],
        &[
            "new",
            "--hotp",
            "--count",
            "0",
            "--serial-prefix",
            "A",
            "--plaintext",
        ],
        &[
            "new",
            "--hotp",
            "--count",
            "1",
            "--serial-prefix",
            "A",
            "--plaintext",
            "--period",
            "30",
        ],
        &[
            "new",
            "--hotp",
            "--count",
            "1",
            "--serial-prefix",
            "A",
            "--plaintext",
            "--algorithm",
            "md5",
        ],
        &["frob"],
    ] {
        let r = call(args, "");
        assert_eq!(r.code, 1, "{args:?}");
        assert_eq!(r.err.lines().count(), 1, "{args:?}: {}", r.err);
        assert_eq!(r.out, "");
    }
    let r = call(&["--help"], "");
    assert_eq!(r.code, 0);
    assert!(r.out.contains("otptool pskc new"));
}

#[test]
fn ocra_batch() {
    let d = Dir::new("ocra");
    let out = d.path("o.xml");
    let r = call(
        &[
            "new",
            "--ocra",
            "OCRA-1:HOTP-SHA256-8:C-QN08",
            "--count",
            "1",
            "--serial-prefix",
            "O",
            "--plaintext",
            "--out",
            &out,
        ],
        "",
    );
    assert_eq!(r.code, 0, "{}", r.err);
    let r = call(&["list", &out, "--json"], "");
    let v: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v[0]["suite"], "OCRA-1:HOTP-SHA256-8:C-QN08");
    assert_eq!(v[0]["digits"], 8);
    assert_eq!(v[0]["counter"], 0);
    assert_eq!(v[0]["usable"], true);
    // OCRA has no otpauth form: reported, exit 1.
    let r = call(&["uri", &out], "");
    assert_eq!(r.code, 1);
    assert!(r.err.contains("OCRA"));
}

/// The names in a directory.
fn names(d: &Dir) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(&d.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn new_streams_to_standard_output() {
    let d = Dir::new("stdout");
    let psk = d.file("psk", "00112233445566778899aabbccddeeff");
    let r = call(
        &[
            "new",
            "--hotp",
            "--count",
            "500",
            "--serial-prefix",
            "S",
            "--psk-file",
            &psk,
        ],
        "",
    );
    assert_eq!((r.code, r.err.as_str()), (0, ""));
    assert!(r.out.ends_with("</pskc:KeyContainer>\n"));
    let f = d.file("b.xml", &r.out);
    let r = call(&["list", &f, "--psk-file", &psk, "--json"], "");
    assert_eq!((r.code, r.err.as_str()), (0, ""));
    let v: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 500);
    assert_eq!(v[499]["serial"], "S000500");
}

/// Standard output that takes `left` bytes, then fails.
struct Broken {
    left: usize,
}

impl std::io::Write for Broken {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn failing_standard_output_exits_1_with_one_line() {
    for left in [0, 100, 20_000] {
        let args: Vec<String> = [
            "new",
            "--totp",
            "--count",
            "100",
            "--serial-prefix",
            "S",
            "--plaintext",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let (mut out, mut err) = (Broken { left }, Vec::new());
        let code = pskc::run_with(&args, &mut &b""[..], &mut out, &mut err);
        let err = String::from_utf8(err).unwrap();
        assert_eq!(code, 1, "{left}");
        assert_eq!(err, "otptool: cannot write: broken pipe\n", "{left}");
    }
}

#[test]
fn out_is_written_atomically_and_private() {
    let d = Dir::new("atomic");
    let out = d.file("batch.xml", "the previous batch\n");
    let psk = d.file("psk", "00112233445566778899aabbccddeeff");
    let short = d.file("short", "0011223344556677");
    let pw = d.file("pw", "pw\n");
    let new = |protect: &[&str], out: &str| {
        let mut args = vec![
            "new",
            "--hotp",
            "--count",
            "3",
            "--serial-prefix",
            "A",
            "--out",
            out,
        ];
        args.extend_from_slice(protect);
        call(&args, "")
    };
    // Generation fails after the temporary file was made: FILE stays as it was, nothing is
    // left behind.
    for protect in [
        &["--psk-file", &short][..],
        &["--password-file", &pw, "--iterations", "0"],
    ] {
        let r = new(protect, &out);
        assert_eq!(r.code, 1, "{protect:?}");
        assert_eq!(r.err.lines().count(), 1, "{}", r.err);
        assert_eq!(r.out, "");
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "the previous batch\n"
        );
        assert_eq!(names(&d), ["batch.xml", "psk", "pw", "short"]);
    }
    assert!(
        new(&["--psk-file", &short], &out)
            .err
            .contains("pre-shared key of 8 bytes")
    );
    // Success replaces FILE whole, readable by its owner only.
    let r = new(&["--psk-file", &psk], &out);
    assert_eq!((r.code, r.err.as_str()), (0, ""));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("<?xml") && text.ends_with("</pskc:KeyContainer>\n"));
    assert_eq!(names(&d), ["batch.xml", "psk", "pw", "short"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // It reads back.
    let r = call(&["list", &out, "--psk-file", &psk, "--json"], "");
    assert_eq!(r.code, 0, "{}", r.err);
    // FILE is a directory: the rename fails, the temporary file is removed.
    std::fs::create_dir(d.0.join("dir.xml")).unwrap();
    let r = new(&["--plaintext"], &d.path("dir.xml"));
    assert_eq!(r.code, 1);
    assert_eq!(r.err.lines().count(), 1, "{}", r.err);
    assert!(r.err.starts_with("otptool: cannot write "), "{}", r.err);
    assert_eq!(names(&d), ["batch.xml", "dir.xml", "psk", "pw", "short"]);
    assert_eq!(std::fs::read_dir(d.0.join("dir.xml")).unwrap().count(), 0);
}

#[test]
fn out_into_an_unwritable_directory_leaves_no_file() {
    let d = Dir::new("unwritable");
    let not_dir = d.file("plain-file", "x");
    for out in [d.path("missing/batch.xml"), format!("{not_dir}/batch.xml")] {
        let r = call(
            &[
                "new",
                "--totp",
                "--count",
                "2",
                "--serial-prefix",
                "A",
                "--plaintext",
                "--out",
                &out,
            ],
            "",
        );
        assert_eq!(r.code, 1, "{out}");
        assert_eq!(r.out, "");
        assert_eq!(r.err.lines().count(), 1, "{}", r.err);
        assert!(
            r.err.starts_with(&format!("otptool: cannot write {out}: ")),
            "{}",
            r.err
        );
        assert!(!std::path::Path::new(&out).exists());
        assert_eq!(names(&d), ["plain-file"]);
    }
}
