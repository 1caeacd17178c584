//! `otptool pskc list|uri|new`: PSKC (RFC 6030) key containers.
//!
//! ```text
//! otptool pskc list FILE [--psk-file F | --password-file F] [--strict] [--json] [--show-secrets]
//! otptool pskc uri FILE [--psk-file F | --password-file F] [--strict]
//! otptool pskc new (--hotp | --totp | --ocra SUITE) --count N --serial-prefix S
//!     [--digits D] [--algorithm sha1|sha256|sha512] [--period P]
//!     (--psk-file F [--cipher aes128-cbc|aes256-cbc] | --password-file F [--iterations I] | --plaintext)
//!     [--out FILE]
//! ```
//! Keys and passwords come from files only, never from the command line: `--psk-file` holds
//! the key in hex (white space ignored), `--password-file` the password as its first line;
//! `-` reads standard input. `list` and `uri` exit 0 when every package was read and 1 when
//! any failed, after printing the good ones; each failure is one line on standard error.
//! `new` generates and writes one key at a time (`PskcWriter`), to standard output or to
//! `--out FILE`, which is written atomically: a new temporary file beside it, readable by its
//! owner only, synced and then renamed over FILE; on failure FILE is left as it was (standard
//! output, by contrast, may hold an incomplete document).

use core::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::string::String;
use std::vec::Vec;

use otpkit::pskc::{
    DEFAULT_ITERATIONS, Decryption, NewKey, NewKeyKind, Protection, PskcKey, PskcReader,
    PskcWriter, ReadOptions, WriteCipher, WriteError,
};
use otpkit::uri::{OtpAuthUri, OtpType};
use otpkit::{Algorithm, Secret};
use zeroize::Zeroizing;

const USAGE: &str = "usage: otptool pskc list FILE [--psk-file F | --password-file F] [--strict] [--json] [--show-secrets]
       otptool pskc uri FILE [--psk-file F | --password-file F] [--strict]
       otptool pskc new (--hotp | --totp | --ocra SUITE) --count N --serial-prefix S
           [--digits D] [--algorithm sha1|sha256|sha512] [--period P]
           (--psk-file F [--cipher aes128-cbc|aes256-cbc] | --password-file F [--iterations I] | --plaintext)
           [--out FILE]
PSKC (RFC 6030) key containers. --psk-file: the pre-shared key in hex; --password-file: the
password, first line; - reads standard input. Exit 1 when any key package failed.";

/// Runs `otptool pskc ...` on the real streams; returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    let stdin = std::io::stdin();
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    run_with(&args, &mut stdin.lock(), &mut out, &mut err)
}

/// Runs `otptool pskc ...` with the given streams; returns the exit code.
pub fn run_with(
    args: &[String],
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    if args.is_empty() || args.iter().any(|a| a == "--help" || a == "-h") {
        let _ = writeln!(out, "{USAGE}");
        return 0;
    }
    let rest = args.get(1..).unwrap_or_default();
    let result = match args.first().map(String::as_str) {
        Some("list") => read_cmd(rest, stdin, out, err, false),
        Some("uri") => read_cmd(rest, stdin, out, err, true),
        Some("new") => new(rest, stdin, out),
        _ => Err(Failure::Usage(String::from(
            "expected pskc list, pskc uri or pskc new",
        ))),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Usage(why)) => {
            let _ = writeln!(err, "otptool: {why} (see otptool pskc --help)");
            1
        }
        Err(Failure::Invalid(why)) => {
            let _ = writeln!(err, "otptool: {why}");
            1
        }
    }
}

enum Failure {
    Usage(String),
    Invalid(String),
}

fn value<'a>(args: &'a [String], i: &mut usize, flag: &str) -> Result<&'a str, Failure> {
    *i += 1;
    args.get(*i)
        .map(String::as_str)
        .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))
}

fn number<T: core::str::FromStr>(text: &str, flag: &str) -> Result<T, Failure> {
    text.parse()
        .map_err(|_| Failure::Usage(format!("{flag} takes a number, not {text:?}")))
}

/// The bytes of FILE, or standard input for `-`, wiped on drop.
fn slurp(path: &str, stdin: &mut dyn BufRead) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let mut buf = Zeroizing::new(Vec::with_capacity(4096));
    let r = if path == "-" {
        stdin.read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut buf))
    };
    r.map_err(|e| Failure::Invalid(format!("cannot read {path}: {e}")))?;
    Ok(buf)
}

fn psk_from(path: &str, stdin: &mut dyn BufRead) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let text = slurp(path, stdin)?;
    let hex: Zeroizing<Vec<u8>> = Zeroizing::new(
        text.iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect(),
    );
    let bad = || Failure::Invalid(format!("{path}: the pre-shared key must be hex"));
    if hex.is_empty() || !hex.len().is_multiple_of(2) {
        return Err(bad());
    }
    let mut key = Zeroizing::new(Vec::with_capacity(hex.len() / 2));
    for pair in hex.chunks(2) {
        let digit = |b: u8| char::from(b).to_digit(16).ok_or_else(bad);
        let (hi, lo) = match pair {
            [h, l] => (digit(*h)?, digit(*l)?),
            _ => return Err(bad()),
        };
        key.push(u8::try_from(hi * 16 + lo).map_err(|_| bad())?);
    }
    Ok(key)
}

fn password_from(path: &str, stdin: &mut dyn BufRead) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let text = slurp(path, stdin)?;
    let line = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if core::str::from_utf8(line).is_err() {
        return Err(Failure::Invalid(format!(
            "{path}: the password is not UTF-8"
        )));
    }
    Ok(Zeroizing::new(line.to_vec()))
}

fn read_cmd(
    args: &[String],
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
    uri: bool,
) -> Result<i32, Failure> {
    let (mut file, mut psk, mut password) = (None, None, None);
    let (mut strict, mut json, mut show) = (false, false, false);
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match arg.as_str() {
            "--psk-file" => psk = Some(value(args, &mut i, "--psk-file")?),
            "--password-file" => password = Some(value(args, &mut i, "--password-file")?),
            "--strict" => strict = true,
            "--json" if !uri => json = true,
            "--show-secrets" if !uri => show = true,
            a if a.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown argument {a}")));
            }
            a if file.is_none() => file = Some(a),
            a => return Err(Failure::Usage(format!("unexpected argument {a}"))),
        }
        i += 1;
    }
    let file = file.ok_or_else(|| Failure::Usage(String::from("FILE is required")))?;
    if psk.is_some() && password.is_some() {
        return Err(Failure::Usage(String::from(
            "give at most one of --psk-file and --password-file",
        )));
    }
    if file == "-" && (psk == Some("-") || password == Some("-")) {
        return Err(Failure::Usage(String::from(
            "standard input cannot be both FILE and the key",
        )));
    }
    let psk = psk.map(|p| psk_from(p, stdin)).transpose()?;
    let password = password.map(|p| password_from(p, stdin)).transpose()?;
    let decryption = match (&psk, &password) {
        (Some(k), _) => Decryption::PreSharedKey(k),
        (_, Some(p)) => Decryption::Password(p),
        _ => Decryption::None,
    };
    let options = if strict {
        ReadOptions::strict()
    } else {
        ReadOptions::default()
    };
    let input: Box<dyn BufRead + '_> = if file == "-" {
        Box::new(stdin)
    } else {
        let f = std::fs::File::open(file)
            .map_err(|e| Failure::Invalid(format!("cannot read {file}: {e}")))?;
        Box::new(BufReader::new(f))
    };
    let now = i64::try_from(otpkit::clock::unix_now().unwrap_or(0)).unwrap_or(i64::MAX);
    let io = |e: std::io::Error| Failure::Invalid(format!("cannot write: {e}"));
    let mut failed = false;
    let mut first = true;
    if json {
        out.write_all(b"[").map_err(io)?;
    }
    for item in PskcReader::new(input, decryption, &options) {
        match item {
            Err(e) => {
                failed = true;
                let _ = writeln!(err, "otptool: {file}: {e}");
            }
            Ok(key) if uri => match key_uri(&key, now) {
                Ok(text) => writeln!(out, "{}", &*text).map_err(io)?,
                Err(why) => {
                    failed = true;
                    let _ = writeln!(err, "otptool: {file}: key {:?}: {why}", key.id);
                }
            },
            Ok(key) if json => {
                let sep = if first { "\n" } else { ",\n" };
                first = false;
                out.write_all(sep.as_bytes()).map_err(io)?;
                out.write_all(key_json(&key, now, show).as_bytes())
                    .map_err(io)?;
            }
            Ok(key) => writeln!(out, "{}", &*key_line(&key, now, show)).map_err(io)?,
        }
    }
    if json {
        out.write_all(if first { b"]\n" } else { b"\n]\n" })
            .map_err(io)?;
    }
    Ok(i32::from(failed))
}

fn date(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|ts| ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn hex(bytes: &[u8]) -> Zeroizing<String> {
    let mut s = Zeroizing::new(String::with_capacity(bytes.len() * 2));
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn key_line(key: &PskcKey, now: i64, show: bool) -> Zeroizing<String> {
    let mut line = Zeroizing::new(String::with_capacity(
        256 + key.secret().map_or(0, <[u8]>::len) * 2,
    ));
    let _ = write!(
        line,
        "{}\t{}\t{}\t",
        key.id,
        key.algorithm.as_deref().unwrap_or("-"),
        key.device.serial_no.as_deref().unwrap_or("-")
    );
    match key.enrolment_at(now) {
        Ok(_) => line.push_str("usable"),
        Err(why) => {
            let _ = write!(line, "unusable: {why}");
        }
    }
    if show {
        line.push('\t');
        line.push_str(&hex(key.secret().unwrap_or_default()));
    }
    line
}

/// One `--json` object, with exactly the documented names, absent elements left out.
fn key_json(key: &PskcKey, now: i64, show: bool) -> Zeroizing<String> {
    let mut o = Zeroizing::new(String::with_capacity(
        1024 + key.secret().map_or(0, <[u8]>::len) * 2,
    ));
    o.push_str("  {");
    let mut first = true;
    let mut field = |o: &mut String, name: &str, value: &str| {
        if !first {
            o.push_str(", ");
        }
        first = false;
        json_string(o, name);
        o.push_str(": ");
        o.push_str(value);
    };
    let s = |v: &str| {
        let mut t = String::new();
        json_string(&mut t, v);
        t
    };
    field(&mut o, "id", &s(&key.id));
    let texts = [
        ("algorithm", &key.algorithm),
        ("issuer", &key.issuer),
        ("friendly_name", &key.friendly_name),
        ("key_userid", &key.user_id),
        ("manufacturer", &key.device.manufacturer),
        ("serial", &key.device.serial_no),
        ("model", &key.device.model),
        ("device_userid", &key.device.user_id),
        ("suite", &key.suite),
    ];
    for (name, v) in texts {
        if let Some(v) = v {
            field(&mut o, name, &s(v));
        }
    }
    if let Some(f) = &key.response_format {
        field(&mut o, "digits", &f.length.to_string());
        field(&mut o, "encoding", &s(&f.encoding));
    }
    let numbers = [
        ("counter", key.counter.map(i128::from)),
        ("time_offset", key.time.map(i128::from)),
        ("time_interval", key.time_interval.map(i128::from)),
        ("time_drift", key.time_drift.map(i128::from)),
    ];
    for (name, v) in numbers {
        if let Some(v) = v {
            field(&mut o, name, &v.to_string());
        }
    }
    let dates = [
        ("start_date", key.device.start_date),
        ("expiry_date", key.device.expiry_date),
        ("policy_start_date", key.policy.start_date),
        ("policy_expiry_date", key.policy.expiry_date),
    ];
    for (name, v) in dates {
        if let Some(v) = v {
            field(&mut o, name, &s(&date(v)));
        }
    }
    match key.enrolment_at(now) {
        Ok(_) => field(&mut o, "usable", "true"),
        Err(why) => {
            field(&mut o, "usable", "false");
            field(&mut o, "unusable_reason", &s(&why.to_string()));
        }
    }
    if show && let Some(secret) = key.secret() {
        let h = hex(secret);
        o.push_str(", \"secret_hex\": \"");
        o.push_str(&h);
        o.push('"');
    }
    o.push('}');
    o
}

fn json_string(out: &mut String, s: &str) {
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

/// The key as an `otpauth://` URI, labelled `Issuer:account` (account: the key's `UserId`,
/// else the device's, else `SerialNo`, else the key `Id`).
fn key_uri(key: &PskcKey, now: i64) -> Result<Zeroizing<String>, String> {
    let e = key
        .enrolment_at(now)
        .map_err(|why| format!("unusable: {why}"))?;
    let account = key
        .user_id
        .clone()
        .or_else(|| key.device.user_id.clone())
        .or_else(|| key.device.serial_no.clone())
        .unwrap_or_else(|| key.id.clone());
    let secret = Secret::from_bytes(key.secret().unwrap_or_default()).map_err(|e| e.to_string())?;
    let mut uri = match &e.generator {
        otpkit::pskc::Generator::Hotp(h) => {
            let mut u = OtpAuthUri::hotp(secret, account, e.record.next_counter());
            u.algorithm = h.params().algorithm;
            u.digits = h.params().digits;
            u
        }
        otpkit::pskc::Generator::Totp(t) => {
            if t.params().t0 != 0 {
                return Err(String::from(
                    "a TOTP epoch other than 0 has no otpauth form",
                ));
            }
            let mut u = OtpAuthUri::totp(secret, account);
            u.otp_type = OtpType::Totp {
                period: t.params().period,
            };
            u.algorithm = t.params().algorithm;
            u.digits = t.params().digits;
            u
        }
        _ => return Err(String::from("OCRA has no otpauth form")),
    };
    uri.issuer = key.issuer.clone();
    uri.to_uri().map_err(|e| e.to_string())
}

fn new(args: &[String], stdin: &mut dyn BufRead, out: &mut dyn Write) -> Result<i32, Failure> {
    let (mut kind, mut count, mut prefix) = (None::<(&str, Option<&str>)>, None, None);
    let (mut digits, mut algorithm, mut period) = (None, None, None);
    let (mut psk, mut password, mut plaintext, mut cipher, mut iterations, mut out_file) =
        (None, None, false, None, None, None);
    let mut i = 0;
    let mut set_kind = |k| {
        if kind.replace(k).is_some() {
            Err(Failure::Usage(String::from(
                "give exactly one of --hotp, --totp and --ocra",
            )))
        } else {
            Ok(())
        }
    };
    while let Some(arg) = args.get(i) {
        match arg.as_str() {
            "--hotp" => set_kind(("hotp", None))?,
            "--totp" => set_kind(("totp", None))?,
            "--ocra" => set_kind(("ocra", Some(value(args, &mut i, "--ocra")?)))?,
            "--count" => count = Some(number::<u32>(value(args, &mut i, "--count")?, "--count")?),
            "--serial-prefix" => prefix = Some(value(args, &mut i, "--serial-prefix")?),
            "--digits" => {
                digits = Some(number::<u8>(value(args, &mut i, "--digits")?, "--digits")?)
            }
            "--algorithm" => algorithm = Some(value(args, &mut i, "--algorithm")?),
            "--period" => {
                period = Some(number::<u64>(value(args, &mut i, "--period")?, "--period")?)
            }
            "--psk-file" => psk = Some(value(args, &mut i, "--psk-file")?),
            "--password-file" => password = Some(value(args, &mut i, "--password-file")?),
            "--plaintext" => plaintext = true,
            "--cipher" => cipher = Some(value(args, &mut i, "--cipher")?),
            "--iterations" => {
                iterations = Some(number::<u32>(
                    value(args, &mut i, "--iterations")?,
                    "--iterations",
                )?)
            }
            "--out" => out_file = Some(value(args, &mut i, "--out")?),
            a => return Err(Failure::Usage(format!("unknown argument {a}"))),
        }
        i += 1;
    }
    let (kind, suite) = kind.ok_or_else(|| {
        Failure::Usage(String::from(
            "give exactly one of --hotp, --totp and --ocra",
        ))
    })?;
    let count = count.ok_or_else(|| Failure::Usage(String::from("--count is required")))?;
    if count == 0 || count > 999_999 {
        return Err(Failure::Usage(String::from(
            "--count must be 1 to 999999 (6-digit serial numbers)",
        )));
    }
    let prefix =
        prefix.ok_or_else(|| Failure::Usage(String::from("--serial-prefix is required")))?;
    if [psk.is_some(), password.is_some(), plaintext]
        .iter()
        .filter(|&&b| b)
        .count()
        != 1
    {
        return Err(Failure::Usage(String::from(
            "give exactly one of --psk-file, --password-file and --plaintext",
        )));
    }
    if cipher.is_some() && psk.is_none() {
        return Err(Failure::Usage(String::from("--cipher is for --psk-file")));
    }
    if iterations.is_some() && password.is_none() {
        return Err(Failure::Usage(String::from(
            "--iterations is for --password-file",
        )));
    }
    if period.is_some() && kind != "totp" {
        return Err(Failure::Usage(String::from("--period is for --totp")));
    }
    if kind == "ocra" && (digits.is_some() || algorithm.is_some()) {
        return Err(Failure::Usage(String::from(
            "--ocra takes digits and hash from its suite",
        )));
    }
    let algorithm = match algorithm.map(str::to_ascii_lowercase).as_deref() {
        None | Some("sha1") => Algorithm::Sha1,
        Some("sha256") => Algorithm::Sha256,
        Some("sha512") => Algorithm::Sha512,
        Some(a) => return Err(Failure::Usage(format!("unknown algorithm {a}"))),
    };
    let cipher = match cipher {
        None | Some("aes128-cbc") => WriteCipher::Aes128Cbc,
        Some("aes256-cbc") => WriteCipher::Aes256Cbc,
        Some(c) => return Err(Failure::Usage(format!("unknown cipher {c}"))),
    };
    let digits = digits.unwrap_or(6);
    let period = period.unwrap_or(30);
    let (ocra_suite, secret_len) = match suite {
        Some(s) => {
            let parsed = otpkit::ocra::OcraSuite::parse(s)
                .map_err(|e| Failure::Invalid(format!("suite: {e}")))?;
            (Some(parsed), parsed.algorithm().output_len())
        }
        None => {
            // Check the parameters once, before generating anything.
            let check = if kind == "hotp" {
                otpkit::Hotp::new(&[0; 20], otpkit::HotpParams { algorithm, digits }).map(|_| ())
            } else {
                otpkit::Totp::new(
                    &[0; 20],
                    otpkit::TotpParams {
                        algorithm,
                        digits,
                        period,
                        t0: 0,
                    },
                )
                .map(|_| ())
            };
            check.map_err(|e| Failure::Invalid(e.to_string()))?;
            (None, algorithm.output_len())
        }
    };
    let psk = psk.map(|p| psk_from(p, stdin)).transpose()?;
    let password = password.map(|p| password_from(p, stdin)).transpose()?;
    let protection = match (&psk, &password) {
        (Some(k), _) => Protection::PreSharedKey {
            key: k,
            key_name: "pre-shared-key",
            cipher,
        },
        (_, Some(p)) => Protection::Password {
            password: p,
            iterations: iterations.unwrap_or(DEFAULT_ITERATIONS),
        },
        _ => Protection::Plaintext,
    };
    // One key at a time: generated, written, wiped.
    let batch = |sink: &mut dyn Write| -> Result<(), BatchError> {
        let mut w = PskcWriter::new(sink, protection)?;
        for n in 1..=count {
            let serial = format!("{prefix}{n:06}");
            let secret =
                Secret::generate(secret_len).map_err(|e| BatchError::Other(e.to_string()))?;
            let kind = match (kind, ocra_suite) {
                ("hotp", _) => NewKeyKind::Hotp { counter: 0 },
                ("totp", _) => NewKeyKind::Totp { period },
                (_, Some(s)) => NewKeyKind::Ocra {
                    suite: s.as_str().into(),
                    counter: s.uses_counter().then_some(0),
                },
                _ => return Err(BatchError::Other(String::from("--ocra needs a suite"))),
            };
            let mut key = NewKey::new(serial.clone(), kind, secret.as_ref());
            key.algorithm = algorithm;
            key.digits = digits;
            key.serial_no = Some(serial);
            w.key(&key)?;
        }
        w.finish()?;
        Ok(())
    };
    match out_file {
        Some(path) => write_atomically(path, batch)?,
        None => {
            let mut sink = std::io::BufWriter::new(out);
            let r = batch(&mut sink);
            let r = r.and_then(|()| sink.flush().map_err(BatchError::from));
            wipe_buffer(sink);
            r.map_err(|e| e.failure(None))?;
        }
    }
    Ok(0)
}

/// Why a batch was not written.
enum BatchError {
    Write(WriteError),
    Other(String),
}

impl From<WriteError> for BatchError {
    fn from(e: WriteError) -> BatchError {
        BatchError::Write(e)
    }
}

impl From<std::io::Error> for BatchError {
    fn from(e: std::io::Error) -> BatchError {
        BatchError::Write(WriteError::from(e))
    }
}

impl BatchError {
    /// The one line for standard error, as before streaming: `cannot write PATH: ...` for the
    /// output's failures.
    fn failure(self, path: Option<&str>) -> Failure {
        Failure::Invalid(match (self, path) {
            (BatchError::Write(WriteError::Io { kind }), Some(p)) => {
                format!("cannot write {p}: {kind}")
            }
            (BatchError::Write(WriteError::Io { kind }), None) => format!("cannot write: {kind}"),
            (BatchError::Write(e), _) => e.to_string(),
            (BatchError::Other(why), _) => why,
        })
    }
}

/// Drops a `BufWriter` after wiping its buffer, which held the text last written (plaintext
/// secrets with `--plaintext`).
fn wipe_buffer<W: Write>(w: std::io::BufWriter<W>) {
    let (_, buffer) = w.into_parts();
    let mut buffer = buffer.unwrap_or_else(std::io::WriterPanicked::into_inner);
    zeroize::Zeroize::zeroize(&mut buffer);
}

/// Writes FILE through `batch` atomically: into a new temporary file beside it, readable by
/// its owner only (it holds the keys), synced, then renamed over FILE. On any failure the
/// temporary file is removed and FILE is left as it was.
fn write_atomically(
    path: &str,
    batch: impl FnOnce(&mut dyn Write) -> Result<(), BatchError>,
) -> Result<(), Failure> {
    let cannot = |e: &dyn core::fmt::Display| Failure::Invalid(format!("cannot write {path}: {e}"));
    let target = std::path::Path::new(path);
    let name = target
        .file_name()
        .ok_or_else(|| cannot(&"not a file name"))?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let (tmp, file) = create_temporary(dir, name).map_err(|e| cannot(&e))?;
    let mut sink = std::io::BufWriter::new(file);
    let written = batch(&mut sink).and_then(|()| sink.flush().map_err(BatchError::from));
    let (file, buffer) = sink.into_parts();
    let mut buffer = buffer.unwrap_or_else(std::io::WriterPanicked::into_inner);
    zeroize::Zeroize::zeroize(&mut buffer);
    let done = written
        .and_then(|()| file.sync_all().map_err(BatchError::from))
        .and_then(|()| std::fs::rename(&tmp, target).map_err(BatchError::from));
    drop(file);
    if let Err(e) = done {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.failure(Some(path)));
    }
    // The rename itself reaches the disk with the directory; FILE is already in place, so a
    // failure here is not reported.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A new file `.NAME.PID-N.tmp` in `dir`, created exclusively, mode 0600 on Unix.
fn create_temporary(
    dir: &std::path::Path,
    name: &std::ffi::OsStr,
) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let mut n = 0u32;
    loop {
        let mut file_name = std::ffi::OsString::from(".");
        file_name.push(name);
        file_name.push(format!(".{}-{n}.tmp", std::process::id()));
        let tmp = dir.join(file_name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    }
}
