//! `otptool` (the `cli` feature's binary): its oathtool-compatible command line is run
//! in-process (src/bin/otptool/oathtool.rs is compiled into this test) with a fixed clock and
//! time zone for outputs, messages and exit codes; a property test feeds it arbitrary command
//! lines to show it never panics; and the binary Cargo builds for this test is run as a
//! process for the subcommands, their help and the real exit codes.
//!
//! `.ci/otptool_vs_oathtool` diffs the binary against oathtool itself.

// The helpers that run otptool are test code too: a failure there should stop the test.
#![allow(clippy::unwrap_used)]

#[path = "../src/bin/otptool/oathtool.rs"]
mod oathtool;

use std::ffi::OsString;
use std::process::{Command, Stdio};

use proptest::prelude::*;

/// RFC 4226 App. D / RFC 6238 App. B SHA-1 key.
const KEY20: &str = "3132333435363738393031323334353637383930";
/// RFC 6238 erratum 2866 SHA-256 key.
const KEY32: &str = "3132333435363738393031323334353637383930313233343536373839303132";
/// `KEY20` in base32.
const KEY20_BASE32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// The 80-bit demo key `JBSWY3DPEHPK3PXP` in hex.
const KEY10: &str = "48656c6c6f21deadbeef";
/// The clock of the in-process runs: 2005-03-18 01:58:29 UTC.
const NOW: u64 = 1_111_111_109;
/// The time zone of the in-process runs: UTC+9, as Asia/Tokyo (which has no daylight saving
/// time), without needing the system's zone database.
const TZ_HOURS: i8 = 9;

struct Output {
    status: u8,
    stdout: String,
    stderr: String,
}

fn otptool_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut input = stdin.as_bytes();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let now = || Ok(NOW);
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(TZ_HOURS));
    let mut io = oathtool::Io {
        stdin: &mut input,
        stdout: &mut stdout,
        stderr: &mut stderr,
        now: &now,
        tz: &tz,
    };
    let status = oathtool::run(args.iter().map(OsString::from).collect(), &mut io);
    Output {
        status,
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

fn otptool(args: &[&str]) -> Output {
    otptool_with_stdin(args, "")
}

/// Exit 0, these stdout lines, and nothing on stderr.
#[track_caller]
fn ok(args: &[&str], lines: &[&str]) {
    let o = otptool(args);
    assert_eq!(
        (
            o.status,
            o.stdout.lines().collect::<Vec<_>>(),
            o.stderr.as_str()
        ),
        (oathtool::EXIT_OK, lines.to_vec(), ""),
        "otptool {args:?}"
    );
}

/// Exit 1, nothing on stdout, one line on stderr containing `needle`.
#[track_caller]
fn fails(args: &[&str], needle: &str) {
    let o = otptool(args);
    assert_eq!(
        o.status,
        oathtool::EXIT_FAILURE,
        "otptool {args:?}: {}",
        o.stderr
    );
    assert_eq!(o.stdout, "", "otptool {args:?}");
    assert_eq!(
        o.stderr.lines().count(),
        1,
        "otptool {args:?}: {:?}",
        o.stderr
    );
    assert!(o.stderr.starts_with("otptool: "), "{:?}", o.stderr);
    assert!(
        o.stderr.contains(needle),
        "otptool {args:?}: {:?} lacks {needle:?}",
        o.stderr
    );
}

#[test]
fn hotp_rfc4226_appendix_d() {
    ok(
        &["-w", "9", KEY20],
        &[
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ],
    );
    ok(&["-c", "7", KEY20], &["162583"]);
    ok(&["--hotp", "-c", "1", "-d", "8", KEY20], &["94287082"]);
}

#[test]
fn totp_rfc6238_appendix_b() {
    let key64 = format!("{}{}", KEY20.repeat(3), "31323334");
    let table: [(u64, [&str; 3]); 6] = [
        (59, ["94287082", "46119246", "90693936"]),
        (1111111109, ["07081804", "68084774", "25091201"]),
        (1111111111, ["14050471", "67062674", "99943326"]),
        (1234567890, ["89005924", "91819424", "93441116"]),
        (2000000000, ["69279037", "90698825", "38618901"]),
        (20000000000, ["65353130", "77737706", "47863826"]),
    ];
    for (time, codes) in table {
        let now = format!("@{time}");
        for ((mode, key), code) in [
            ("--totp", KEY20),
            ("--totp=SHA256", KEY32),
            ("--totp=sha512", key64.as_str()),
        ]
        .into_iter()
        .zip(codes)
        {
            ok(&[mode, "-d", "8", "-N", &now, key], &[code]);
            // Verifying the same code: distance 0.
            ok(&[mode, "-N", &now, key, code], &["0"]);
        }
    }
}

#[test]
fn hotp_verification_prints_the_distance_from_the_counter() {
    ok(&["-w", "3", KEY20, "969429"], &["3"]);
    ok(&["-c", "2", "-w", "3", KEY20, "969429"], &["1"]);
    ok(&["-d", "8", "-c", "1", KEY20, "94287082"], &["0"]);
    // No match: oathtool's message, exit 2.
    for (args, range) in [
        (&["-w", "1", KEY20, "969429"][..], "0 .. 1"),
        (&["-c", "1", KEY20, "755224"][..], "1 .. 1"), // counter 0 is behind the window
        (&[KEY20, "12345a"][..], "0 .. 0"),            // not digits: a mismatch, as in oathtool
    ] {
        let o = otptool(args);
        assert_eq!(o.status, oathtool::EXIT_MISMATCH, "{args:?}");
        assert_eq!(o.stdout, "");
        let code = args.last().unwrap();
        assert_eq!(
            o.stderr,
            format!("otptool: password \"{code}\" not found in range {range}\n")
        );
    }
}

#[test]
fn totp_verification_prints_the_absolute_drift() {
    // At 119 s the step is 3; the window reaches steps 1..=5.
    let codes = [
        "84755224", "94287082", "37359152", "26969429", "40338314", "68254676",
    ];
    for (step, code) in codes.iter().enumerate() {
        let o = otptool(&["--totp", "-N", "@119", "-w", "2", "-d", "8", KEY20, code]);
        if step == 0 {
            assert_eq!(o.status, oathtool::EXIT_MISMATCH);
            assert_eq!(
                o.stderr,
                format!("otptool: password \"{code}\" not found in range 1 .. 5\n")
            );
        } else {
            let distance = (step as i64 - 3).unsigned_abs().to_string();
            assert_eq!(
                (o.status, o.stdout.trim()),
                (0, distance.as_str()),
                "step {step}"
            );
        }
    }
}

#[test]
fn totp_options_step_start_and_generation_window() {
    ok(&["--totp", "-N", "@59", KEY20], &["287082"]);
    ok(&["--totp", "-s", "1m", "-N", "@59", KEY20], &["755224"]);
    ok(&["--totp", "-s", "1m30s", "-N", "@90", KEY20], &["287082"]);
    ok(&["--totp", "-s", "60s", "-N", "@120", KEY20], &["359152"]);
    ok(&["--totp", "-S", "@30", "-N", "@89", KEY20], &["287082"]);
    ok(
        &["--totp", "-w", "2", "-N", "@0", KEY20],
        &["755224", "287082", "359152"],
    );
    // Without -N the clock is used (NOW = 1111111109: RFC 6238 App. B).
    ok(&["--totp", "-d", "8", KEY20], &["07081804"]);
    ok(&["--totp", "-d", "8", "-N", "now", KEY20], &["07081804"]);
    // Times past 2^63, which oathtool cannot take.
    let o = otptool(&["--totp", "-N", "@18446744073709551615", "-s", "1", KEY20]);
    assert_eq!((o.status, o.stdout.trim()), (0, "094451"));
}

#[test]
fn long_forms_prefixes_and_clusters() {
    ok(&["--digits=8", KEY20], &["84755224"]);
    ok(&["--dig", "8", KEY20], &["84755224"]);
    ok(&["-d8", KEY20], &["84755224"]);
    ok(&["--counter=3", KEY20], &["969429"]);
    ok(&["--window", "1", KEY20], &["755224", "287082"]);
    ok(&["-bd8", "-c1", KEY20_BASE32], &["94287082"]);
    ok(
        &[
            "--totp",
            "--time-step-size=30s",
            "--start-time=@0",
            "--now=@59",
            KEY20,
        ],
        &["287082"],
    );
    ok(&[KEY20, "-c", "3"], &["969429"]); // options after operands, as getopt permutes
    ok(&["-c", "0x10", KEY20], &["186581"]); // C number syntax: 0x10 = 16
    ok(&["-c", "010", KEY20], &["399871"]); // and 010 = 8
    ok(&["--", KEY20], &["755224"]);
    // As in oathtool, HOTP ignores the TOTP options and TOTP ignores -c (values unchecked).
    ok(
        &["-c", "5", "-s", "0", "-N", "@x", "-S", "y", KEY20],
        &["254676"],
    );
    ok(&["--totp", "-c", "5", "-N", "@59", KEY20], &["287082"]);
    fails(&["--t", KEY20], "ambiguous"); // --totp or --time-step-size
}

#[test]
fn keys_from_stdin_files_and_base32() {
    let o = otptool_with_stdin(&["-"], &format!("{KEY20}\n"));
    assert_eq!((o.status, o.stdout.as_str()), (0, "755224\n"));
    let o = otptool_with_stdin(&["-b", "-"], "jbsw y3dp ehpk 3pxp\n");
    assert_eq!((o.status, o.stdout.as_str()), (0, "282760\n"));
    let o = otptool_with_stdin(&[KEY20, "-"], "755224\n");
    assert_eq!((o.status, o.stdout.as_str()), (0, "0\n"));
    let o = otptool_with_stdin(&["-", "-"], &format!("{KEY20}\n755224\n"));
    assert_eq!((o.status, o.stdout.as_str()), (0, "0\n"));
    let o = otptool_with_stdin(&["-"], "");
    assert_eq!((o.status, o.stdout.as_str()), (1, ""));
    assert_eq!(o.stderr, "otptool: read file for KEY/OTP\n");

    let path = std::env::temp_dir().join(format!("otptool-key-{}", std::process::id()));
    std::fs::write(&path, format!("{KEY20}\n969429\nignored\n")).unwrap();
    let arg = format!("@{}", path.display());
    ok(&[&arg], &["755224"]);
    // The same FILE twice: the key, then the code from the next line.
    ok(&["-w", "5", &arg, &arg], &["3"]);
    std::fs::remove_file(&path).unwrap();
    fails(&[&arg], "open file for KEY/OTP: No such file or directory");

    ok(&["-b", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"], &["755224"]);
    ok(
        &["-b", "gezd-gnbv-gy3t-qojq-gezd-gnbv-gy3t-qojq"],
        &["755224"],
    );
    ok(&[&KEY20.to_uppercase()], &["755224"]);
}

/// `-` and `@FILE` read at most 4 KiB per line (oathtool reads without a limit, so
/// `@/dev/zero` exhausts memory), and only regular files and pipes.
#[test]
fn input_lines_are_bounded_and_only_files_or_pipes() {
    // A line of exactly 4096 bytes is read (a 2048-byte key); one byte more is refused with
    // one line on stderr and nothing on stdout.
    let key = "31".repeat(2048);
    let o = otptool_with_stdin(&["-"], &format!("{key}\n"));
    assert_eq!((o.status, o.stderr.as_str()), (0, ""), "{:?}", o.stdout);
    for long in [format!("{key}3\n"), format!("{key}31"), "1".repeat(100_000)] {
        let o = otptool_with_stdin(&["-"], &long);
        assert_eq!(
            (o.status, o.stdout.as_str(), o.stderr.as_str()),
            (
                1,
                "",
                "otptool: read file for KEY/OTP: line longer than 4096 bytes\n"
            )
        );
        // The code's line too.
        let o = otptool_with_stdin(&[KEY20, "-"], &long);
        assert_eq!((o.status, o.stdout.as_str()), (1, ""));
        assert!(o.stderr.contains("longer than 4096"), "{:?}", o.stderr);
    }
    let path = std::env::temp_dir().join(format!("otptool-long-{}", std::process::id()));
    std::fs::write(&path, format!("{KEY20}\n{}\n", "7".repeat(5000))).unwrap();
    let arg = format!("@{}", path.display());
    ok(&[&arg], &["755224"]);
    fails(&[&arg, &arg], "line longer than 4096 bytes");
    std::fs::remove_file(&path).unwrap();

    // Devices are refused before a byte is read; a directory fails at its first read, with
    // oathtool's words.
    for refused in ["@/dev/null", "@/dev/zero", "@/dev/urandom"] {
        fails(&[refused], "not a regular file or a pipe");
    }
    let dir = format!("@{}", std::env::temp_dir().display());
    fails(&[&dir], "read file for KEY/OTP: Is a directory");
}

/// Pipes keep working: process substitution (`@<(pass show x)`) and a named pipe, both
/// through the binary, as a shell runs it.
#[cfg(unix)]
#[test]
fn pipes_and_process_substitution_are_read() {
    let script = format!(
        r#"set -e
"$0" @<(printf '%s\n' {KEY20})
"$0" -w 5 {KEY20} @<(printf '969429\n')
dir=$(mktemp -d); mkfifo "$dir/key"
printf '%s\n' {KEY20} > "$dir/key" &
"$0" "@$dir/key"
wait; rm -r "$dir"
"#
    );
    let out = Command::new("bash")
        .args(["-c", &script, BINARY])
        .output()
        .unwrap();
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).as_ref(),
            String::from_utf8_lossy(&out.stderr).as_ref()
        ),
        (Some(0), "755224\n3\n755224\n", "")
    );
}

#[test]
fn short_keys_are_silent_unless_linting() {
    // As oathtool: nothing on stderr, so `code=$(otptool ... 2>&1)` gets only the code.
    ok(&["-b", "JBSWY3DPEHPK3PXP"], &["282760"]);
    ok(
        &["-v", "ab"],
        &[
            "Hex secret: ab",
            "Base32 secret: VM======",
            "Digits: 6",
            "Window size: 0",
            "Start counter: 0x0 (0)",
            "",
            "260174",
        ],
    );
    let o = otptool(&["--lint", "-b", "JBSWY3DPEHPK3PXP"]);
    assert_eq!((o.status, o.stdout.as_str()), (0, "282760\n"));
    assert_eq!(
        o.stderr,
        "otptool: warning: the key has 80 bits, under the 128 that RFC 4226 requires\n"
    );
    let o = otptool(&["--lint", "ab"]);
    assert_eq!(o.status, 0);
    assert!(o.stderr.contains("8 bits"));
    // 16 bytes: no warning.
    ok(&[&KEY32[..32]], &["504023"]);
    let o = otptool(&[KEY10]);
    assert_eq!((o.status, o.stdout.as_str()), (0, "282760\n"));
}

#[test]
fn extensions_beyond_oathtool() {
    ok(&["-d", "9", KEY20], &["284755224"]);
    ok(&["-d", "10", "-c", "1", KEY20], &["1094287082"]);
    ok(&[KEY20, "-c", "1", "1094287082"], &["0"]); // 10 digits from the CODE's length
    ok(
        &["--hotp=sha256", "-d", "8", "-c", "1", KEY32],
        &["46119246"],
    );
    ok(&["--hotp=SHA1", KEY20], &["755224"]);
}

#[test]
fn documented_deviations_exit_1() {
    fails(
        &["-s", "0", "--totp", "-N", "@59", KEY20],
        "at least 1 second",
    );
    fails(
        &["--totp", "-S", "@100", "-N", "@10", KEY20],
        "before the epoch",
    );
    fails(&["-c", "-1", KEY20], "negative");
    fails(&["-c", "18446744073709551616", KEY20], "larger than");
    fails(
        &["-c", "18446744073709551615", "-w", "1", KEY20],
        "passes 2^64 - 1",
    );
    fails(
        &["-c", "18446744073709551615", KEY20, "094451"],
        "cannot be verified",
    );
    fails(&["--totp=sha7", KEY20], "unknown mode");
    fails(&["--hotp=md5", KEY20], "unknown mode");
    fails(&[""], "empty");
    fails(&["-b", ""], "empty");
    fails(&["-c", "", KEY20], "the counter is empty");
    fails(&["-w", "", KEY20, "755224"], "the window is empty");
    fails(&["-w", "-1", KEY20, "755224"], "negative");
    fails(&["-d", "4294967302", KEY20], "cut");
    fails(&["-w", "1001", KEY20, "755224"], "larger than 1000");
    fails(&["-w", "1000001", KEY20], "larger than 1000000");
    fails(&["--hotp", "--totp", KEY20], "more than one mode");
    fails(&["--totp", "-N", "@-5", KEY20], "before 1970");
    fails(
        &["--totp", "-S", "1969-12-31 23:59 UTC", KEY20],
        "before 1970",
    );
}

#[test]
fn input_errors_exit_1() {
    // oathtool's messages, word for word (digits: with otpkit's range).
    fails(
        &["-d", "5", KEY20],
        "only digits 6, 7, 8, 9 and 10 are supported",
    );
    fails(
        &["-d", "11", KEY20],
        "only digits 6, 7, 8, 9 and 10 are supported",
    );
    fails(
        &["-d", "", KEY20],
        "only digits 6, 7, 8, 9 and 10 are supported",
    );
    fails(
        &[KEY20, "12345"],
        "validating one-time password failed (-2)",
    );
    fails(
        &[KEY20, "12345678901"],
        "validating one-time password failed (-2)",
    );
    fails(&["-d", "7", KEY20, "123456"], "bad length 7 != 6");
    fails(&["313"], "hex decoding");
    fails(&["31x3"], "hex decoding");
    fails(&["-b", "JBSW1"], "base32 decoding failed");
    fails(&[KEY20, "1", "2"], "too many parameters");
    fails(
        &["-c", "5", "-c", "x", KEY20],
        "`--counter' (`-c') option given more than once",
    );
    fails(
        &["--totp", "--totp", KEY20],
        "`--totp' option given more than once",
    );
    fails(&["-x", KEY20], "invalid option -- 'x'");
    fails(
        &["--frobnicate", KEY20],
        "unrecognized option '--frobnicate'",
    );
    fails(
        &["--hotp=sha1", "--base32=x", KEY20],
        "option '--base32' doesn't allow an argument",
    );
    fails(
        &["--ver", KEY20],
        "option '--ver' is ambiguous; possibilities: '--version' '--verbose'",
    );
    fails(&["--coun"], "option '--counter' requires an argument");
    fails(&["-d", "08", KEY20], "invalid numeric value"); // octal, as in oathtool
    fails(&["-c", "5x", KEY20], "invalid numeric value");
    fails(&["-c"], "option requires an argument -- 'c'");
    fails(&["--totp", "-N", "@x", KEY20], "cannot parse time `@x'");
    fails(
        &["--totp", "-N", "midnight", KEY20],
        "cannot parse time `midnight'",
    );
    fails(
        &["--totp", "-S", "bad date", KEY20],
        "cannot parse time `bad date'",
    );
    fails(&["--totp", "-s", "x", KEY20], "cannot parse time `x'");
    fails(&["--totp", "-s", "1h1h", KEY20], "cannot parse time `1h1h'");
}

#[test]
fn help_and_version() {
    for args in [&[][..], &["--help"][..], &["-h"][..]] {
        let o = otptool(args);
        assert_eq!(o.status, 0);
        assert!(o.stdout.starts_with("Usage: otptool"), "{args:?}");
    }
    let o = otptool(&["--version"]);
    assert_eq!(
        o.stdout,
        format!("otptool (otpkit) {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// Words the property test builds command lines from: options, edge values and junk.
const WORDS: &[&str] = &[
    "-b",
    "-c",
    "-d",
    "-s",
    "-S",
    "-N",
    "-w",
    "-h",
    "-V",
    "-v",
    "--hotp",
    "--totp",
    "--totp=sha256",
    "--hotp=sha512",
    "--totp=x",
    "--digits=10",
    "--counter",
    "--window=",
    "--now=@",
    "-",
    "--",
    "@",
    "@0",
    "@18446744073709551615",
    "@18446744073709551616",
    "@-1",
    "0",
    "1",
    "6",
    "8",
    "9",
    "10",
    "255",
    "256",
    "1000",
    "1001",
    "0x",
    "0xffffffffffffffff",
    "010",
    "-1",
    "",
    "18446744073709551615",
    "1m",
    "0s",
    "1d1h1m1s",
    "JBSWY3DPEHPK3PXP",
    "====",
    "755224",
    "1094287082",
    "3132333435363738393031323334353637383930",
    "abc",
    "ocra",
    "\u{e9}",
    "--lint",
    "--verbose",
    "--tot",
    "now + 30 seconds",
    "last friday",
    "2024-01-01 12:00 +0900",
    "1:30",
    "P1DT1H",
    "T000130",
    "1:2:3:4",
    "@/nonexistent",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// No command line makes otptool panic, and every run ends with exit 0, 1 or 2; a
    /// failure is one `otptool:` line (after an optional `--lint` warning) and prints no code.
    #[test]
    fn never_panics(
        words in prop::collection::vec(
            prop_oneof![
                4 => prop::sample::select(WORDS).prop_map(str::to_owned),
                1 => "\\PC{0,12}",
            ],
            0..7,
        ),
        stdin in "\\PC{0,40}",
    ) {
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let o = otptool_with_stdin(&args, &stdin);
        prop_assert!(o.status <= 2);
        if o.status != 0 {
            // Only -v's first lines may come before an error, as in oathtool.
            prop_assert!(o.stdout.is_empty() || o.stdout.starts_with("Hex secret: "), "{:?}", o.stdout);
            let lines: Vec<&str> = o.stderr.lines().filter(|l| !l.contains("warning:")).collect();
            prop_assert_eq!(lines.len(), 1, "{:?}", o.stderr);
            prop_assert!(lines[0].starts_with("otptool: "));
        }
    }
}

/// The otptool binary Cargo built for this test.
const BINARY: &str = env!("CARGO_BIN_EXE_otptool");

fn run_binary(args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write as _;
    let mut child = Command::new(BINARY)
        .args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_binary_exits_with_oathtools_codes() {
    assert_eq!(
        run_binary(
            &["--totp", "-N", "@59", "-d", "8", "-"],
            &format!("{KEY20}\n")
        ),
        (0, "94287082\n".into(), String::new())
    );
    let (status, stdout, _) = run_binary(&["--totp", "-N", "@59", KEY20, "000000"], "");
    assert_eq!((status, stdout.as_str()), (2, ""));
    let (status, stdout, stderr) = run_binary(&["-d", "5", KEY20], "");
    assert_eq!((status, stdout.as_str()), (1, ""));
    assert!(stderr.starts_with("otptool: "));
    // The README's live-code command: one code, nothing on stderr.
    let (status, stdout, stderr) =
        run_binary(&["--totp", "-b", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"], "");
    assert_eq!((status, stderr.as_str()), (0, ""));
    assert!(stdout.trim().len() == 6 && stdout.trim().bytes().all(|b| b.is_ascii_digit()));
}

#[test]
fn help_lists_every_subcommand_and_each_has_its_own() {
    let (status, help, _) = run_binary(&["--help"], "");
    assert_eq!(status, 0);
    for sub in [
        "otptool ocra",
        "otptool uri parse",
        "otptool uri new",
        "otptool uri qr",
        "otptool migration decode",
        "otptool migration encode",
    ] {
        assert!(help.contains(sub), "--help lacks {sub}");
    }
    for args in [
        &["ocra", "--help"][..],
        &["ocra", "-h"],
        &["uri", "--help"],
        &["uri", "parse", "--help"],
        &["uri", "new", "--help"],
        &["uri", "qr", "--help"],
        &["migration", "--help"],
        &["migration", "decode", "--help"],
        &["migration", "encode", "--help"],
    ] {
        let (status, stdout, stderr) = run_binary(args, "");
        assert_eq!((status, stderr.as_str()), (0, ""), "{args:?}");
        let usage = format!("usage: otptool {}", args[0]);
        assert!(stdout.starts_with(&usage), "{args:?}: {stdout:?}");
        if args.len() == 3 {
            let sub = format!("usage: otptool {} {}", args[0], args[1]);
            assert!(stdout.starts_with(&sub), "{args:?}: {stdout:?}");
        }
    }
    // Usage errors: exit 1, pointing at the right help.
    for (args, hint) in [
        (&["uri"][..], "otptool uri --help"),
        (&["migration"], "otptool migration --help"),
        (&["migration", "frobnicate"], "otptool migration --help"),
    ] {
        let (status, stdout, stderr) = run_binary(args, "");
        assert_eq!((status, stdout.as_str()), (1, ""), "{args:?}");
        assert!(stderr.contains(hint), "{args:?}: {stderr:?}");
    }
}

#[test]
fn subcommands_only_as_the_first_argument() {
    // `-b ocra`: the base32 key "ocra", as oathtool reads it.
    let (status, stdout, stderr) = run_binary(&["-b", "ocra"], "");
    assert_eq!((status, stderr.as_str()), (0, ""));
    assert_eq!(stdout.trim().len(), 6);
    let (status, _, stderr) = run_binary(&["-c", "1", "uri"], "");
    assert_eq!(
        (status, stderr.as_str()),
        (1, "otptool: hex decoding of secret key failed\n")
    );
    // Subcommands take 0x hex as well as decimal.
    let ocra = [
        "ocra",
        "--suite",
        "OCRA-1:HOTP-SHA512-8:QN08-T1M",
        "--key",
        "31323334353637383930313233343536373839303132333435363738393031323334353637383930313233343536373839303132333435363738393031323334",
        "--question",
        "00000000",
    ];
    let decimal = run_binary(&[&ocra[..], &["--timestamp", "20107446"]].concat(), "");
    let hex = run_binary(&[&ocra[..], &["--timestamp", "0x132d0b6"]].concat(), "");
    assert_eq!(decimal, (0, "95209754\n".into(), String::new()));
    assert_eq!(hex, decimal);
}

#[test]
fn verbose_prints_what_oathtool_prints() {
    ok(
        &["-v", "-c", "0x10", "-w", "1", KEY20],
        &[
            "Hex secret: 3132333435363738393031323334353637383930",
            "Base32 secret: GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "Digits: 6",
            "Window size: 1",
            "Start counter: 0x10 (16)",
            "",
            "186581",
            "447589",
        ],
    );
    ok(
        &[
            "--verbose",
            "--totp=sha256",
            "-s",
            "1m",
            "-S",
            "@10",
            "-N",
            "@200",
            KEY20,
            "496144",
        ],
        &[
            "Hex secret: 3132333435363738393031323334353637383930",
            "Base32 secret: GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "OTP: 496144",
            "Digits: 6",
            "Window size: 0",
            "TOTP mode: SHA256",
            "Step size (seconds): 60",
            "Start time: 1970-01-01 00:00:10 UTC (10)",
            "Current time: 1970-01-01 00:03:20 UTC (200)",
            "Counter: 0x3 (3)",
            "",
            "0",
        ],
    );
    // An error after the first block: oathtool has printed it already, and so does otptool.
    let o = otptool(&["-v", "--totp", "-N", "bad", KEY20]);
    assert_eq!(o.status, 1);
    assert!(o.stdout.starts_with("Hex secret: "), "{:?}", o.stdout);
    assert!(o.stdout.ends_with("Window size: 0\n"), "{:?}", o.stdout);
    assert_eq!(o.stderr, "otptool: cannot parse time `bad'\n");
    // A refusal (a documented deviation) prints nothing on stdout.
    let o = otptool(&["-v", "--totp", "-S", "@100", "-N", "@10", KEY20]);
    assert_eq!((o.status, o.stdout.as_str()), (1, ""));
}

/// `-v`'s "Current time" line for `--totp -N TIME` (the clock is NOW, UTC+9).
fn current_time(time: &str) -> String {
    let o = otptool(&["-v", "--totp", "-N", time, KEY20]);
    assert_eq!((o.status, o.stderr.as_str()), (0, ""), "{time}");
    o.stdout
        .lines()
        .find_map(|l| l.strip_prefix("Current time: "))
        .unwrap()
        .to_owned()
}

#[test]
fn dates_as_date_reads_them_in_the_local_zone() {
    let now = "2005-03-18 01:58:29 UTC (1111111109)";
    assert_eq!(current_time("now"), now);
    assert_eq!(current_time("@1111111109"), now);
    assert_eq!(current_time("2005-03-18 01:58:29 UTC"), now);
    assert_eq!(current_time("2005-03-18T01:58:29Z"), now);
    // Without a zone: Tokyo time (UTC+9).
    assert_eq!(current_time("2005-03-18 10:58:29"), now);
    assert_eq!(current_time("2005-03-18 10:58:29 +0900"), now);
    assert_eq!(current_time("2005-03-17 20:58:29 -0500"), now);
    assert_eq!(
        current_time("2005-03-18"),
        "2005-03-17 15:00:00 UTC (1111071600)"
    );
    assert_eq!(
        current_time("2005-03-18 12:00"),
        "2005-03-18 03:00:00 UTC (1111114800)"
    );
    assert_eq!(
        current_time("now + 30 seconds"),
        "2005-03-18 01:58:59 UTC (1111111139)"
    );
    assert_eq!(
        current_time("now + 2 minutes"),
        "2005-03-18 02:00:29 UTC (1111111229)"
    );
    assert_eq!(current_time("hour"), "2005-03-18 02:58:29 UTC (1111114709)");
    assert_eq!(
        current_time("tomorrow"),
        "2005-03-19 01:58:29 UTC (1111197509)"
    );
    // 2005-03-18 was a Friday (in Tokyo too): "last friday" is a week before, at midnight.
    assert_eq!(
        current_time("last friday"),
        "2005-03-10 15:00:00 UTC (1110466800)"
    );
    // Past i64::MAX, which oathtool cannot read (an extension).
    let o = otptool(&["--totp", "-N", "@18446744073709551615", "-s", "1", KEY20]);
    assert_eq!((o.status, o.stdout.trim()), (0, "094451"));
}

#[test]
fn time_steps_in_gnulibs_forms() {
    for step in [
        "90", "90s", "1m30s", "1m 30", "1:30", "0:01:30", "T1M30S", "T000130",
    ] {
        ok(&["--totp", "-s", step, "-N", "@90", KEY20], &["287082"]);
    }
    ok(
        &["--totp", "-s", "1M", "-N", "@2592000", KEY20],
        &["287082"],
    );
    ok(&["--totp", "-s", "P1D", "-N", "@86400", KEY20], &["287082"]);
    fails(
        &["--totp", "-s", "PT30S", KEY20],
        "cannot parse time `PT30S'",
    );
    fails(&["--totp", "-s", "-5", KEY20], "cannot parse time `-5'");
}

#[test]
fn getopt_long_as_oathtool_runs_it() {
    ok(&["-N@59", "--tot", KEY20], &["287082"]);
    ok(&[KEY20, "--totp", "-N", "@59"], &["287082"]);
    ok(
        &["--ti=60", "--st=@0", "--n=@119", "--tot", KEY20],
        &["287082"],
    );
    ok(
        &["-vV"],
        &[&format!("otptool (otpkit) {}", env!("CARGO_PKG_VERSION"))],
    );
    // --help and --version act where they stand: later errors are never seen.
    let o = otptool(&["-h", "-x"]);
    assert_eq!((o.status, o.stderr.as_str()), (0, ""));
    fails(&["-x", "-h"], "invalid option -- 'x'");
    // C numbers: 010 is 8, 08 is an error, blanks and + are read.
    ok(&["-c", "010", KEY20], &["399871"]);
    ok(&["-c", " +8", KEY20], &["399871"]);
    fails(&["-c", "08", KEY20], "invalid numeric value: 08");
    fails(&["-c", "0x", KEY20], "invalid numeric value: 0x");
    // `--` ends the options; a later `-x` is the file x, as oathtool opens it.
    fails(&["--", "-no-such-file"], "open file for KEY/OTP");
}

/// `GG` leaves non-zero bits past its one byte: `oathtool -b GG` prints 517846 and nothing on
/// stderr, and so does `otptool -b`. `otptool uri parse` reports them (`nonzero_padding_bits`).
#[test]
fn base32_trailing_bits_are_silent_with_b() {
    let o = otptool(&["-b", "GG"]);
    assert_eq!(
        (o.status, o.stdout.as_str(), o.stderr.as_str()),
        (0, "517846\n", "")
    );
}
