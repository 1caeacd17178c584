//! `otptool`: a drop-in for `oathtool` (OATH Toolkit 2.6.7) built on otpkit.
//!
//! ```text
//! otptool [--hotp[=sha1|sha256|sha512] | --totp[=sha1|sha256|sha512]] [-b] [-d DIGITS]
//!         [-c COUNTER] [-s PERIOD] [-S @T0] [-N @UNIXTIME] [-w WINDOW] KEY [CODE]
//! ```
//!
//! Try it: `cargo run --example otptool -- --totp -b JBSWY3DPEHPK3PXP` prints the current code
//! of the 80-bit demo key (with a warning on stderr: it is under 128 bits).
//!
//! # What it does, as oathtool does
//!
//! - HOTP unless `--totp` is given. Long forms: `--hotp`, `--totp`, `--base32`, `--digits`,
//!   `--counter`, `--time-step-size`, `--start-time`, `--now`, `--window`, `--help`,
//!   `--version`, also as unambiguous prefixes (`--dig=8`); short options cluster (`-bd8`).
//! - KEY is hex, or base32 with `-b`. KEY (or CODE) `-` reads the first line of standard input
//!   (so the key stays out of `ps`), `@FILE` the first line of FILE.
//! - Without `-d`, a given CODE's length sets the number of digits; with `-d`, a CODE of
//!   another length is an error.
//! - Without CODE: print the code, or with `-w W` the W+1 codes from the counter (HOTP) or the
//!   current step (TOTP) on, one per line.
//! - With CODE: HOTP checks counters C..=C+W and prints `matched - C`; TOTP checks W steps
//!   either side of the current step T and prints `|matched - T|`; exit 0. No match:
//!   `password "CODE" not found in range A .. B` on stderr, exit 2. A CODE with other than
//!   digits is a mismatch too, as in oathtool.
//! - `-c`, `-d` and `-w` take C-style numbers (`16`, `0x10`, `020`); `-s` takes `30`, `30s`,
//!   `1m`, `1m30s`, `1h`, `1d`; `-S`/`-N` take `@UNIXTIME`.
//! - Any usage or input error: one line on stderr, exit 1. It never panics.
//!
//! # Deliberate deviations (oathtool is silently wrong or limited there)
//!
//! | input | oathtool 2.6.7 | otptool |
//! |---|---|---|
//! | `--hotp=sha256`, `--hotp=sha512` | refused: HOTP is SHA-1 only | supported |
//! | `-d 9`, `-d 10` (or a 9/10-digit CODE) | refused: 6..=8 only | supported (6..=10) |
//! | `-s 0` | uses 30 s | refused, exit 1 |
//! | time before T0 (`-N` < `-S`) | truncates or wraps to a huge step | refused, exit 1 |
//! | negative `-c`, `-w`, `-N`, `-S` (`-c -1`) | wraps to u64::MAX (`-N @-5` is step 0) | refused, exit 1 |
//! | `-c` of 2^64 or more | saturates to u64::MAX | refused, exit 1 |
//! | `-c C -w W` past u64::MAX | wraps to counter 0 | refused, exit 1 (verification never accepts counter u64::MAX: otpkit reserves it) |
//! | TOTP window below step 0 | wraps to counters near u64::MAX | those steps are skipped |
//! | unknown MODE (`--totp=sha7`) | falls back to SHA-1 | refused, exit 1 |
//! | empty key (`""`, `-b ""`) | HMAC with an empty key | refused, exit 1 |
//! | empty number (`-c ""`) | means 0 | refused, exit 1 |
//! | `-w` over 1000 when verifying | checks them all | refused, exit 1 (otpkit caps windows) |
//! | `-w` over 1000000 when printing (`-w -1`) | prints (forever) | refused, exit 1 |
//! | both `--hotp` and `--totp` | TOTP wins | refused, exit 1 |
//! | base32 with `-` separators | refused | accepted (otpkit's tolerant base32) |
//! | `-N`/`-S` date strings (`2020-01-01`), `-s 1:30`, `-s 1M` | parsed | refused, exit 1: only `@UNIXTIME` (and `now` for `-N`) |
//! | `-N @2^63` and later | refused (`time_t`) | accepted up to u64::MAX |
//! | `-v`/`--verbose` | prints the parameters | refused, exit 1 |
//! | mismatch message range for TOTP | `T-W/2 .. T+W/2` (not what it checked) | `T-W .. T+W`, what was checked |
//! | KEY under 128 bits | accepted silently | accepted with a warning on stderr |
//! | `-` for both KEY and CODE | fails | reads one line each |
//!
//! # Subcommands
//!
//! - `otptool ocra ...`: OCRA (RFC 6287), see `ocra.rs`.
//! - `otptool uri parse|new|qr ...` and `otptool migration decode|encode ...`: provisioning
//!   URIs and Google Authenticator exports, see `uri.rs` and `migration.rs`; they need the
//!   features `uri`, `migration`, `qr` and `rand`, all on by default (a build without them
//!   says so and exits 1).

#[cfg(all(
    feature = "uri",
    feature = "migration",
    feature = "qr",
    feature = "rand"
))]
mod migration;
mod oathtool;
mod ocra;
#[cfg(all(
    feature = "uri",
    feature = "migration",
    feature = "qr",
    feature = "rand"
))]
mod uri;

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

/// The features `otptool uri` and `otptool migration` need.
#[cfg(not(all(
    feature = "uri",
    feature = "migration",
    feature = "qr",
    feature = "rand"
)))]
const PROVISIONING_FEATURES: &str = "uri, migration, qr and rand";

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let sub = args.first().and_then(|a| a.to_str()).map(str::to_owned);
    match sub.as_deref() {
        Some(name @ ("ocra" | "uri" | "migration")) => subcommand(name, args),
        _ => {
            let stdin = std::io::stdin();
            let mut stdin = stdin.lock();
            let mut stdout = std::io::stdout().lock();
            let mut stderr = std::io::stderr().lock();
            let mut io = oathtool::Io {
                stdin: &mut stdin,
                stdout: &mut stdout,
                stderr: &mut stderr,
                now: &otpkit::clock::unix_now,
            };
            ExitCode::from(oathtool::run(args, &mut io))
        }
    }
}

/// Runs `otptool NAME ARGS...` for a subcommand of a later feature.
fn subcommand(name: &str, args: Vec<OsString>) -> ExitCode {
    let mut rest = Vec::with_capacity(args.len());
    for arg in args.into_iter().skip(1) {
        match arg.into_string() {
            Ok(a) => rest.push(a),
            Err(a) => {
                let _ = writeln!(std::io::stderr(), "otptool: {a:?} is not UTF-8");
                return ExitCode::from(oathtool::EXIT_FAILURE);
            }
        }
    }
    let status = match name {
        "ocra" => ocra::run(rest),
        #[cfg(all(
            feature = "uri",
            feature = "migration",
            feature = "qr",
            feature = "rand"
        ))]
        "uri" => uri::run(rest),
        #[cfg(all(
            feature = "uri",
            feature = "migration",
            feature = "qr",
            feature = "rand"
        ))]
        "migration" => migration::run(rest),
        _ => {
            #[cfg(not(all(
                feature = "uri",
                feature = "migration",
                feature = "qr",
                feature = "rand"
            )))]
            let _ = writeln!(
                std::io::stderr(),
                "otptool: {name} is not available in this build (it needs the features \
                 {PROVISIONING_FEATURES})"
            );
            1
        }
    };
    ExitCode::from(u8::try_from(status).unwrap_or(oathtool::EXIT_FAILURE))
}
