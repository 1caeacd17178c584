//! `otptool ocra` (src/bin/otptool/ocra.rs), run in process on RFC 6287 Appendix C vectors:
//! output, exit codes and error lines.

#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "../src/bin/otptool/ocra.rs"]
mod ocra;

const KEY20: &str = "3132333435363738393031323334353637383930";
const KEY32: &str = "3132333435363738393031323334353637383930313233343536373839303132";
const KEY64: &str = "31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334";

/// Runs the subcommand: (exit code, stdout, stderr).
fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ocra::run_with(&args, &mut stdin.as_bytes(), &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args, "");
    assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
    out
}

#[test]
fn computes_appendix_c_responses() {
    let suite = "--suite=OCRA-1:HOTP-SHA1-6:QN08";
    assert_eq!(
        ok(&[suite, "--key", KEY20, "--question", "00000000"]),
        "237653\n"
    );
    let c = [
        "--suite",
        "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1",
        "--key",
        KEY32,
    ];
    let q = ["--question", "12345678", "--password", "1234"];
    assert_eq!(
        ok(&[&c[..], &q[..], &["--counter", "1"]].concat()),
        "86775851\n"
    );
    // -w prints W + 1 responses from the counter on.
    assert_eq!(
        ok(&[&c[..], &q[..], &["--counter", "0", "-w", "2"]].concat()),
        "65347737\n86775851\n78192410\n"
    );
    let hash = "7110eda4d09e062aa5e4a390b0a572ac0d2c0220";
    let p = [
        "--question",
        "12345678",
        "--password-hash",
        hash,
        "--counter",
        "9",
    ];
    assert_eq!(ok(&[&c[..], &p[..]].concat()), "08522129\n");
    // Mutual mode, both roles (C.2).
    let m = ["--suite", "OCRA-1:HOTP-SHA256-8:QA08", "--key", KEY32];
    let qs = [
        "--client-challenge",
        "CLI22220",
        "--server-challenge",
        "SRV11110",
    ];
    assert_eq!(
        ok(&[&m[..], &qs[..], &["--role", "server"]].concat()),
        "28247970\n"
    );
    assert_eq!(
        ok(&[&m[..], &qs[..], &["--role", "client"]].concat()),
        "15510767\n"
    );
    // Time (C.1, T = 0x132d0b6), from a Unix time and from a step count.
    let t = [
        "--suite",
        "OCRA-1:HOTP-SHA512-8:QN08-T1M",
        "--key",
        KEY64,
        "-q",
        "00000000",
    ];
    assert_eq!(
        ok(&[&t[..], &["--now", "@1206446790"]].concat()),
        "95209754\n"
    );
    assert_eq!(
        ok(&[&t[..], &["--timestamp", "20107446"]].concat()),
        "95209754\n"
    );
    // Signature (C.3) with the key on stdin.
    let (code, out, _) = run(
        &[
            "--suite",
            "OCRA-1:HOTP-SHA256-8:QA08",
            "--key",
            "-",
            "--question",
            "SIG10000",
        ],
        &format!("{KEY32}\n"),
    );
    assert_eq!((code, out.as_str()), (0, "53095496\n"));
    // At most 4 KiB of key text is read from stdin.
    let args = [
        "--suite",
        "OCRA-1:HOTP-SHA256-8:QA08",
        "--key",
        "-",
        "--question",
        "SIG10000",
    ];
    let (code, out, err) = run(&args, &"00".repeat(3000));
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("longer than 4096 bytes"), "{err:?}");
    let (code, _, err) = run(&args, &format!("{}\n", "00".repeat(2047)));
    assert_eq!(code, 0, "{err:?}");
}

#[test]
fn help_goes_to_stdout() {
    assert!(ok(&["--help"]).starts_with("usage: otptool ocra --suite SUITE --key HEX"));
}

#[test]
fn full_hmac_in_lower_case_hex() {
    let out = ok(&[
        "--suite",
        "OCRA-1:HOTP-SHA1-0:QN08",
        "--key",
        KEY20,
        "--question",
        "00000000",
    ]);
    assert_eq!(out, "d216b1d33ccbb7cc1076895153fc70bcf3d987de\n");
}

#[test]
fn verifies_and_prints_the_distance() {
    let c = [
        "--suite",
        "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1",
        "--key",
        KEY32,
    ];
    let q = ["--question", "12345678", "--password", "1234"];
    // Counter 3's response; the server is at 1 and looks 5 ahead.
    assert_eq!(
        ok(&[&c[..], &q[..], &["--counter", "1", "-w", "5", "71565254"]].concat()),
        "2\n"
    );
    let (code, out, err) = run(
        &[&c[..], &q[..], &["--counter", "4", "-w", "5", "71565254"]].concat(),
        "",
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err.lines().count(), 1);
    let t = [
        "--suite",
        "OCRA-1:HOTP-SHA512-8:QN08-T1M",
        "--key",
        KEY64,
        "-q",
        "00000000",
    ];
    assert_eq!(
        ok(&[&t[..], &["--timestamp", "20107447", "-w", "1", "95209754"]].concat()),
        "1\n"
    );
    assert_eq!(
        run(
            &[&t[..], &["--timestamp", "20107448", "-w", "1", "95209754"]].concat(),
            ""
        )
        .0,
        2
    );
    let s = [
        "--suite",
        "OCRA-1:HOTP-SHA256-8:QA08",
        "--key",
        KEY32,
        "--question",
        "SIG10000",
    ];
    assert_eq!(ok(&[&s[..], &["53095496"]].concat()), "0\n");
    assert_eq!(run(&[&s[..], &["53095497"]].concat(), "").0, 2);
    let z = [
        "--suite",
        "OCRA-1:HOTP-SHA1-0:QN08",
        "--key",
        KEY20,
        "--question",
        "00000000",
    ];
    assert_eq!(
        ok(&[&z[..], &["D216B1D33CCBB7CC1076895153FC70BCF3D987DE"]].concat()),
        "0\n"
    );
}

#[test]
fn usage_and_input_errors_exit_1_with_one_line() {
    let cases: &[&[&str]] = &[
        &[],
        &["--key", KEY20, "--question", "1"],
        &["--suite", "OCRA-1:HOTP-SHA1-6:QN08", "--question", "1"],
        &[
            "--suite",
            "OCRA-2:HOTP-SHA1-6:QN08",
            "--key",
            KEY20,
            "--question",
            "1",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            "31x",
            "--question",
            "1",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            "",
            "--question",
            "1",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            KEY20,
            "--question",
            "12a",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            KEY20,
            "--question",
            "123456789",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            KEY20,
            "--question",
            "1",
            "--counter",
            "1",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:C-QN08",
            "--key",
            KEY20,
            "--question",
            "1",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:C-QN08",
            "--key",
            KEY20,
            "-q",
            "1",
            "--counter",
            "-1",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:C-QN08",
            "--key",
            KEY20,
            "-q",
            "1",
            "--counter",
            "18446744073709551616",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QA08",
            "--key",
            KEY20,
            "--client-challenge",
            "A",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QA08",
            "--key",
            KEY20,
            "--client-challenge",
            "A",
            "--server-challenge",
            "B",
            "--role",
            "both",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08-PSHA1",
            "--key",
            KEY20,
            "-q",
            "1",
            "--password-hash",
            "00",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08-S004",
            "--key",
            KEY20,
            "-q",
            "1",
            "--session",
            "0011",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08-T1M",
            "--key",
            KEY20,
            "-q",
            "1",
            "--now",
            "1206446790",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            KEY20,
            "-q",
            "1",
            "-w",
            "1001",
            "123456",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            KEY20,
            "-q",
            "1",
            "12345",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            KEY20,
            "-q",
            "1",
            "123456",
            "654321",
        ],
        &[
            "--suite",
            "OCRA-1:HOTP-SHA1-6:QN08",
            "--key",
            KEY20,
            "-q",
            "1",
            "--bogus",
        ],
        &["--suite", "OCRA-1:HOTP-SHA1-6:QN08", "--key", KEY20, "-q"],
    ];
    for args in cases {
        let (code, out, err) = run(args, "");
        assert_eq!(code, 1, "{args:?}: {err}");
        assert_eq!(out, "", "{args:?}");
        assert!(err.starts_with("otptool: "), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
}
