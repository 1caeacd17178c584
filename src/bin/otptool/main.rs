//! `otptool`: a drop-in for `oathtool` (OATH Toolkit 2.6.7) built on otpkit, with OCRA,
//! provisioning-URI and Google Authenticator export subcommands.
//!
//! ```text
//! cargo install otpkit --features cli          # or, in a clone: cargo run --features cli --bin otptool -- ...
//! otptool [--hotp[=MODE] | --totp[=MODE]] [-b] [-d DIGITS] [-c COUNTER] [-s DURATION]
//!         [-S TIME] [-N TIME] [-w WINDOW] [-v] [--lint] KEY [CODE]
//! otptool ocra|uri|migration|pskc ...               (see "Subcommands")
//! ```
//!
//! # What it does, as oathtool does
//!
//! Every command line oathtool 2.6.7 accepts gives the same standard output and exit status,
//! and standard error is empty exactly where oathtool's is; where both refuse, the message
//! after `otptool: ` is oathtool's, word for word. `.ci/otptool_vs_oathtool` checks this on
//! hundreds of seeded command lines and on lines written as scripts write them.
//!
//! - HOTP unless `--totp` is given. Options as GNU `getopt_long` reads them: in any order
//!   among KEY and CODE, clustered (`-bd8`), values attached (`-N@0`, `--now=@0`), long names
//!   abbreviated (`--tot`, `--dig=8`), `--` ending the options. Any usage error exits 1.
//! - KEY is hex, or base32 with `-b`. KEY and CODE `-` read a line of standard input (the key
//!   stays out of `ps`), `@FILE` a line of FILE; `@FILE @FILE` reads the key and then the code
//!   from consecutive lines.
//! - Without `-d`, a CODE's length sets the number of digits; with `-d`, a CODE of another
//!   length is an error.
//! - Without CODE: print the code, or with `-w W` the W+1 codes from the counter (HOTP) or the
//!   current step (TOTP) on, one per line.
//! - With CODE: HOTP checks counters C..=C+W and prints `matched - C`; TOTP checks W steps
//!   either side of the current step T and prints `|matched - T|`; exit 0. No match:
//!   `password "CODE" not found in range A .. B` on stderr, exit 2.
//! - `-c`, `-d` and `-w` take C numbers (`16`, `0x10`, `020`; `08` is an error).
//! - `-s` takes gnulib's durations: `30`, `30s`, `1m30s`, `1:30`, `1h`, `1d`, `1W`, `1M`
//!   (30 days), `T1M30S`, `P1D`, ...
//! - `-N`/`-S` take what `date -d` takes, read by uutils' `parse_datetime`: `@1700000000`,
//!   `2024-01-01`, `2024-01-01 12:00:00 UTC`, `2024-01-01 12:00+09:00`, `now + 30 seconds`,
//!   `hour`, `tomorrow`, `last friday`, ... A time without a zone is local time in the zone
//!   `TZ` names, as in oathtool; `-v` prints UTC.
//! - `-v`/`--verbose` prints what oathtool prints, byte for byte: the key in hex and base32,
//!   the CODE, digits, window, the counter or the TOTP parameters and times. It shows the
//!   secret, as oathtool's does.
//!
//! # otptool's own additions
//!
//! | input | oathtool 2.6.7 | otptool |
//! |---|---|---|
//! | `--hotp=sha256`, `--hotp=sha512` | refused: HOTP is SHA-1 only | supported |
//! | `-d 9`, `-d 10` (or a 9/10-digit CODE) | refused: 6..=8 only | supported (6..=10) |
//! | base32 with `-` separators or extra `=` | refused | accepted (otpkit's tolerant base32) |
//! | `-N @2^63` and later | refused (`time_t`) | accepted up to 2^64 - 1 |
//! | `--lint` | unknown option | warns on stderr about keys under 128 bits (RFC 4226 §4) |
//!
//! # Deliberate deviations: where oathtool is silently wrong
//!
//! otptool refuses these with exit 1 and one line on stderr, and prints nothing on stdout.
//!
//! | input | oathtool 2.6.7 | otptool |
//! |---|---|---|
//! | `-s 0` | uses 30 s | refused |
//! | time before T0 (`-N` < `-S`) | truncates or wraps to a huge step | refused |
//! | negative `-c`, `-w` (`-c -1`) | wraps to u64::MAX | refused |
//! | negative `-N`, `-S` (`-N @-5`) | step 0 | refused |
//! | `-c` of 2^64 or more | saturates to u64::MAX | refused |
//! | `-d` of 2^31 or more | cuts to an `int` (`-d 4294967302` is 6) | refused |
//! | `-c C -w W` past u64::MAX | wraps to counter 0 | refused (verification never accepts counter u64::MAX: otpkit reserves it) |
//! | TOTP window below step 0 | wraps to counters near u64::MAX | those steps are skipped |
//! | unknown MODE (`--totp=sha7`) | falls back to SHA-1 | refused |
//! | empty key (`""`, `-b ""`) | HMAC with an empty key | refused |
//! | empty number (`-c ""`, `-w ""`) | means 0 | refused |
//! | `-w` over 1000 when verifying | checks them all | refused (otpkit caps windows) |
//! | `-w` over 1000000 when printing (`-w -1`) | prints (forever) | refused |
//! | both `--hotp` and `--totp` | TOTP wins | refused |
//! | mismatch message, HOTP counter ≥ 2^63 | negative numbers (C `long`) | the counters |
//! | mismatch message range for TOTP | `T-W/2 .. T+W/2` (not what it checked) | `T-W .. T+W`, what was checked |
//! | a `-` or `@FILE` line over 4096 bytes (`@/dev/zero`) | reads on until memory runs out | refused: `read file for KEY/OTP: line longer than 4096 bytes` |
//! | `@FILE` naming a device (`@/dev/null`, `@/dev/zero`) | reads it | refused: `not a regular file or a pipe` (pipes and `@<(...)` are read; a directory fails as in oathtool) |
//!
//! KEY and CODE lines are read a byte at a time, without a reader buffer (standard input
//! through a duplicate of descriptor 0, not `std`'s buffered handle), into one zeroizing
//! buffer that never reallocates: no freed block keeps key text.
//!
//! Dates go through uutils' implementation of GNU's grammar, not gnulib's own code: every form
//! `tests/oracles/otptool_vs_oathtool.py` runs (`DATES`, and dates drawn in five spellings)
//! agrees with oathtool under `TZ=UTC` and `TZ=Asia/Tokyo`; a form the two read differently
//! would be a bug.
//!
//! # Subcommands
//!
//! Recognised only as the first argument (`otptool -b ocra` is a key, as for oathtool).
//! Each takes `--help`; numbers are decimal or `0x` hex.
//!
//! - `otptool ocra ...`: OCRA (RFC 6287) responses, computed or verified (`ocra.rs`).
//! - `otptool uri parse|new|qr ...`: otpauth:// provisioning URIs (`uri.rs`).
//! - `otptool migration decode|encode ...`: Google Authenticator exports (`migration.rs`).
//! - `otptool pskc list|uri|new ...`: PSKC (RFC 6030) token batches (`pskc.rs`).

mod migration;
mod oathtool;
mod ocra;
mod pskc;
mod uri;

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let sub = args.first().and_then(|a| a.to_str()).map(str::to_owned);
    match sub.as_deref() {
        Some(name @ ("ocra" | "uri" | "migration" | "pskc")) => subcommand(name, args),
        _ => {
            let mut stdin = unbuffered_stdin();
            let mut stdout = std::io::stdout().lock();
            let mut stderr = std::io::stderr().lock();
            let tz = jiff::tz::TimeZone::system();
            let mut io = oathtool::Io {
                stdin: &mut *stdin,
                stdout: &mut stdout,
                stderr: &mut stderr,
                now: &otpkit::clock::unix_now,
                tz: &tz,
            };
            ExitCode::from(oathtool::run(args, &mut io))
        }
    }
}

/// Standard input without `std`'s buffer (which would keep key text in a block nobody
/// wipes): a duplicate of descriptor 0, sharing its offset.
fn unbuffered_stdin() -> Box<dyn std::io::Read> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd as _;
        match std::io::stdin().as_fd().try_clone_to_owned() {
            Ok(fd) => Box::new(std::fs::File::from(fd)),
            // No descriptor 0: reading `-` finds nothing, as at end of input.
            Err(_) => Box::new(std::io::empty()),
        }
    }
    #[cfg(not(unix))]
    {
        Box::new(std::io::stdin())
    }
}

/// Runs `otptool NAME ARGS...`.
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
        "ocra" => ocra::run(rest, &mut *unbuffered_stdin()),
        "uri" => uri::run(rest),
        "pskc" => pskc::run(rest),
        _ => migration::run(rest),
    };
    ExitCode::from(u8::try_from(status).unwrap_or(oathtool::EXIT_FAILURE))
}
