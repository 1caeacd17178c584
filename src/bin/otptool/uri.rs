//! `otptool uri parse|new|qr`: otpauth:// provisioning URIs.
//!
//! ```text
//! otptool uri parse [--strict] URI       # one JSON object on stdout, exit 0; invalid: one line on stderr, exit 1
//! otptool uri new --totp|--hotp [--issuer I] --account A (--secret BASE32 | --generate)
//!                 [--algorithm A] [--digits N] [--period S] [--counter C]
//! otptool uri qr URI [--svg FILE]        # terminal QR, or SVG
//! ```
//! `run` takes the arguments after `uri`. Usage and input errors print one line on stderr and exit 1 (exit 2 means
//! "no match" everywhere in otptool).

use core::fmt::Write as _;
use std::io::Write;
use std::string::String;
use std::vec::Vec;

use otpkit::migration::Migration;
use otpkit::qr::Qr;
use otpkit::uri::{Encoder, OtpAuthUri, OtpType, ParseOptions, Warnings};
use otpkit::{Algorithm, Secret};
use zeroize::Zeroizing;

/// Runs `otptool uri ...` on the real stdout and stderr; returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    run_with(&args, &mut out, &mut err)
}

/// Runs `otptool uri ...` with the given output streams; returns the exit code.
pub fn run_with(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let sub = args.first().map(String::as_str);
    let rest = args.get(1..).unwrap_or_default();
    if let Some(help) = help_for(sub, rest) {
        return finish(writeln!(out, "{help}").map_err(io), err);
    }
    let result = match sub {
        Some("parse") => parse(rest, out),
        Some("new") => new(rest, out),
        Some("qr") => qr(rest, out),
        _ => Err(Failure::Usage(String::from("expected parse, new or qr"))),
    };
    finish(result, err)
}

/// Whether `args` ask for help (`--help` or `-h` anywhere).
pub fn wants_help(args: &[String]) -> bool {
    args.iter().any(|a| a == "--help" || a == "-h")
}

/// The usage `otptool uri [SUB] --help` prints, if help was asked for.
fn help_for(sub: Option<&str>, rest: &[String]) -> Option<&'static str> {
    match sub {
        Some("--help" | "-h") => Some(USAGE_TEXT),
        Some("parse") if wants_help(rest) => Some(PARSE_USAGE),
        Some("new") if wants_help(rest) => Some(NEW_USAGE),
        Some("qr") if wants_help(rest) => Some(QR_USAGE),
        _ => None,
    }
}

const PARSE_USAGE: &str = "usage: otptool uri parse [--strict] URI
Reads an otpauth:// URI and prints one JSON object: type, encoder, issuer, account_name,
secret_base32, secret_hex, algorithm, digits, period, counter, warnings, extra.
--strict refuses what authenticators tolerate (warnings become errors). Exit 1: invalid.";

const NEW_USAGE: &str = "usage: otptool uri new --totp|--hotp [--issuer I] --account A \
(--secret BASE32 | --generate) [--algorithm SHA1|SHA256|SHA512] [--digits N] [--period S] \
[--counter C]
Prints a canonical otpauth:// URI; --generate draws a random secret of the algorithm's
size. Numbers are decimal or 0x hex.";

const QR_USAGE: &str = "usage: otptool uri qr URI [--svg FILE]
Shows an otpauth:// or otpauth-migration:// URI as a QR code in the terminal, or writes it
as SVG to FILE (readable by its owner only: it holds the key).";

const USAGE_TEXT: &str = "usage: otptool uri parse [--strict] URI
       otptool uri new --totp|--hotp [--issuer I] --account A (--secret BASE32 | --generate) \
[--algorithm A] [--digits N] [--period S] [--counter C]
       otptool uri qr URI [--svg FILE]
otpauth:// provisioning URIs; otptool uri SUBCOMMAND --help for each.";

/// Why a subcommand failed: bad arguments or bad input (both exit 1, one line on stderr).
pub enum Failure {
    /// Wrong arguments.
    Usage(String),
    /// Input that cannot be used, with a one-line reason.
    Invalid(String),
}

/// Prints the failure (one line on stderr) and returns the exit code.
pub fn finish(result: Result<(), Failure>, err: &mut dyn Write) -> i32 {
    finish_with(result, err, "otptool uri --help")
}

/// [`finish`], naming where the usage is (`otptool migration --help`).
pub fn finish_with(result: Result<(), Failure>, err: &mut dyn Write, help: &str) -> i32 {
    match result {
        Ok(()) => 0,
        Err(Failure::Usage(why)) => {
            let _ = writeln!(err, "otptool: {why} (see {help})");
            1
        }
        Err(Failure::Invalid(why)) => {
            let _ = writeln!(err, "otptool: {why}");
            1
        }
    }
}

fn io(e: std::io::Error) -> Failure {
    Failure::Invalid(format!("cannot write: {e}"))
}

/// A JSON string literal (RFC 8259 escaping).
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The `uri parse` JSON object (one line), with exactly the documented keys, in order.
pub fn report_json(uri: &OtpAuthUri, warnings: Warnings) -> Zeroizing<String> {
    // Enough that the buffer never reallocates (which would leave an unwiped copy of the key):
    // base32 + hex of the key, and up to 6 bytes per byte of escaped text.
    let text: usize = uri.account_name.len()
        + uri.issuer.as_ref().map_or(0, String::len)
        + uri
            .extra
            .iter()
            .map(|(k, v)| k.len() + v.len() + 4)
            .sum::<usize>();
    let mut out = Zeroizing::new(String::with_capacity(512 + uri.secret.len() * 4 + text * 6));
    let (kind, period, counter) = match uri.otp_type {
        OtpType::Hotp { counter } => ("hotp", None, Some(counter)),
        OtpType::Totp { period } => ("totp", Some(period), None),
    };
    let encoder = match uri.encoder {
        Encoder::Standard => "standard",
        Encoder::Steam => "steam",
    };
    let _ = write!(
        out,
        "{{\"type\":\"{kind}\",\"encoder\":\"{encoder}\",\"issuer\":"
    );
    match &uri.issuer {
        Some(issuer) => json_string(&mut out, issuer),
        None => out.push_str("null"),
    }
    out.push_str(",\"account_name\":");
    json_string(&mut out, &uri.account_name);
    out.push_str(",\"secret_base32\":\"");
    let _ = uri.secret.write_base32(&mut *out);
    out.push_str("\",\"secret_hex\":\"");
    for b in uri.secret.as_ref() {
        let _ = write!(out, "{b:02x}");
    }
    let _ = write!(
        out,
        "\",\"algorithm\":\"{}\",\"digits\":{},\"period\":",
        uri.algorithm, uri.digits
    );
    match period {
        Some(p) => {
            let _ = write!(out, "{p}");
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"counter\":");
    match counter {
        Some(c) => {
            let _ = write!(out, "{c}");
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"warnings\":[");
    for (i, w) in warnings.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{}\"", w.id());
    }
    out.push_str("],\"extra\":{");
    for (i, (k, v)) in uri.extra.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(&mut out, k);
        out.push(':');
        json_string(&mut out, v);
    }
    out.push_str("}}");
    out
}

fn parse(args: &[String], out: &mut dyn Write) -> Result<(), Failure> {
    let (strict, uri) = match args {
        [flag, uri] if flag == "--strict" => (true, uri),
        [uri] if !uri.starts_with("--") => (false, uri),
        _ => {
            return Err(Failure::Usage(String::from(
                "uri parse takes [--strict] URI",
            )));
        }
    };
    let parsed = OtpAuthUri::parse_with(uri, ParseOptions { strict })
        .map_err(|e| Failure::Invalid(format!("{} ({e})", e.id())))?;
    let json = report_json(&parsed.uri, parsed.warnings);
    writeln!(out, "{}", &*json).map_err(io)
}

fn value<'a>(args: &'a [String], i: &mut usize, flag: &str) -> Result<&'a str, Failure> {
    *i += 1;
    args.get(*i)
        .map(String::as_str)
        .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))
}

/// A number in decimal or `0x` hex, as every otptool subcommand takes them.
fn number<T: TryFrom<u64>>(text: &str, flag: &str) -> Result<T, Failure> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    };
    parsed
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| Failure::Usage(format!("{flag}: not a number: {text}")))
}

fn new(args: &[String], out: &mut dyn Write) -> Result<(), Failure> {
    let (mut hotp, mut totp, mut generate) = (false, false, false);
    let (mut issuer, mut account, mut secret) = (None, None, None);
    let (mut algorithm, mut digits, mut period, mut counter) = (None, None, None, None);
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match arg.as_str() {
            "--totp" => totp = true,
            "--hotp" => hotp = true,
            "--generate" => generate = true,
            "--issuer" => issuer = Some(value(args, &mut i, "--issuer")?),
            "--account" => account = Some(value(args, &mut i, "--account")?),
            "--secret" => secret = Some(value(args, &mut i, "--secret")?),
            "--algorithm" => algorithm = Some(value(args, &mut i, "--algorithm")?),
            "--digits" => {
                digits = Some(number::<u8>(value(args, &mut i, "--digits")?, "--digits")?)
            }
            "--period" => {
                period = Some(number::<u64>(value(args, &mut i, "--period")?, "--period")?)
            }
            "--counter" => {
                counter = Some(number::<u64>(
                    value(args, &mut i, "--counter")?,
                    "--counter",
                )?)
            }
            other => return Err(Failure::Usage(format!("unknown argument {other}"))),
        }
        i += 1;
    }
    if hotp == totp {
        return Err(Failure::Usage(String::from(
            "give exactly one of --totp and --hotp",
        )));
    }
    if secret.is_some() == generate {
        return Err(Failure::Usage(String::from(
            "give exactly one of --secret and --generate",
        )));
    }
    if hotp && period.is_some() {
        return Err(Failure::Usage(String::from("--period is for --totp")));
    }
    if totp && counter.is_some() {
        return Err(Failure::Usage(String::from("--counter is for --hotp")));
    }
    let account = account.ok_or_else(|| Failure::Usage(String::from("--account is required")))?;
    let algorithm: Algorithm = match algorithm {
        Some(a) => a
            .parse()
            .map_err(|_| Failure::Invalid(format!("unknown algorithm {a}")))?,
        None => Algorithm::default(),
    };
    let secret = match secret {
        Some(text) => {
            let mut secret = Secret::EMPTY;
            secret
                .decode_base32(text)
                .map_err(|e| Failure::Invalid(format!("secret: {e}")))?;
            secret
        }
        None => Secret::generate_for(algorithm).map_err(|e| Failure::Invalid(e.to_string()))?,
    };
    let mut uri = if hotp {
        OtpAuthUri::hotp(secret, account, counter.unwrap_or(0))
    } else {
        let mut uri = OtpAuthUri::totp(secret, account);
        uri.otp_type = OtpType::Totp {
            period: period.unwrap_or(30),
        };
        uri
    };
    uri.issuer = issuer.map(String::from);
    uri.algorithm = algorithm;
    uri.digits = digits.unwrap_or(6);
    let text = uri
        .to_uri()
        .map_err(|e| Failure::Invalid(format!("{} ({e})", e.id())))?;
    writeln!(out, "{}", &*text).map_err(io)
}

fn qr(args: &[String], out: &mut dyn Write) -> Result<(), Failure> {
    let (uri, svg) = match args {
        [uri] => (uri, None),
        [uri, flag, file] if flag == "--svg" => (uri, Some(file)),
        [flag, file, uri] if flag == "--svg" => (uri, Some(file)),
        _ => {
            return Err(Failure::Usage(String::from(
                "uri qr takes URI [--svg FILE]",
            )));
        }
    };
    // Only render what an authenticator can import.
    if OtpAuthUri::parse(uri).is_err() {
        Migration::parse(uri).map_err(|e| {
            Failure::Invalid(format!("not an otpauth or otpauth-migration uri: {e}"))
        })?;
    }
    let code = Qr::new(uri.trim()).map_err(|e| Failure::Invalid(e.to_string()))?;
    let invalid = |e: otpkit::qr::QrError| Failure::Invalid(e.to_string());
    match svg {
        None => out
            .write_all(code.to_terminal(4).map_err(invalid)?.as_bytes())
            .map_err(io),
        Some(path) => write_private(path, code.to_svg(4, 8).map_err(invalid)?.as_bytes())
            .map_err(|e| Failure::Invalid(format!("cannot write {path}: {e}"))),
    }
}

/// Writes a file readable by its owner only (it holds the key).
fn write_private(path: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}
