//! The oathtool-compatible command line: parsing, key input, generation and verification.
//!
//! Everything goes through [`Io`], so tests can run the command in-process.

use std::ffi::OsString;
use std::io::{BufRead, Write};

use lexopt::Arg;
use otpkit::{Algorithm, Error, Hotp, HotpParams, Secret, Totp, TotpParams, Window};
use zeroize::Zeroizing;

/// Exit status of a generated code or a matching CODE.
pub const EXIT_OK: u8 = 0;
/// Exit status of any usage or input error.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status of a CODE that matched nothing in the window.
pub const EXIT_MISMATCH: u8 = 2;

/// Where the command reads and writes, and its clock.
pub struct Io<'a> {
    /// Read for KEY or CODE `-`.
    pub stdin: &'a mut dyn BufRead,
    /// Codes and verification results.
    pub stdout: &'a mut dyn Write,
    /// Errors and warnings.
    pub stderr: &'a mut dyn Write,
    /// Unix time for TOTP without `-N`.
    pub now: &'a dyn Fn() -> Result<u64, Error>,
}

/// Why the command stopped early.
enum Failure {
    /// A usage or input error: exit 1.
    Usage(String),
    /// The CODE matched nothing: exit 2.
    Mismatch(String),
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

/// Runs the command with `args` (without the program name) and returns the exit status.
pub fn run(args: Vec<OsString>, io: &mut Io<'_>) -> u8 {
    let result = execute(args, io);
    let flushed = io.stdout.flush();
    let (status, message) = match (result, flushed) {
        (Ok(()), Ok(())) => return EXIT_OK,
        (Ok(()), Err(e)) => (EXIT_FAILURE, format!("write error: {e}")),
        (Err(Failure::Usage(m)), _) => (EXIT_FAILURE, m),
        (Err(Failure::Mismatch(m)), _) => (EXIT_MISMATCH, m),
    };
    let _ = writeln!(io.stderr, "otptool: {message}");
    status
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Hotp,
    Totp,
}

/// Every option, short and long.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Help,
    Version,
    Hotp,
    Totp,
    Base32,
    Counter,
    TimeStepSize,
    StartTime,
    Now,
    Digits,
    Window,
    Verbose,
}

const LONG: [(&str, Key); 12] = [
    ("help", Key::Help),
    ("version", Key::Version),
    ("hotp", Key::Hotp),
    ("totp", Key::Totp),
    ("base32", Key::Base32),
    ("counter", Key::Counter),
    ("time-step-size", Key::TimeStepSize),
    ("start-time", Key::StartTime),
    ("now", Key::Now),
    ("digits", Key::Digits),
    ("window", Key::Window),
    ("verbose", Key::Verbose),
];

impl Key {
    fn short(c: char) -> Result<Key, Failure> {
        Ok(match c {
            'h' => Key::Help,
            'V' => Key::Version,
            'b' => Key::Base32,
            'c' => Key::Counter,
            's' => Key::TimeStepSize,
            'S' => Key::StartTime,
            'N' => Key::Now,
            'd' => Key::Digits,
            'w' => Key::Window,
            'v' => Key::Verbose,
            other => return Err(usage(format!("invalid option -- '{other}'"))),
        })
    }

    /// An exact long name or an unambiguous prefix of one, as getopt_long accepts.
    fn long(name: &str) -> Result<Key, Failure> {
        if let Some((_, key)) = LONG.iter().find(|(n, _)| *n == name) {
            return Ok(*key);
        }
        let mut matches = LONG.iter().filter(|(n, _)| n.starts_with(name));
        match (matches.next(), matches.next()) {
            (Some((_, key)), None) if !name.is_empty() => Ok(*key),
            (Some(_), Some(_)) => Err(usage(format!("option '--{name}' is ambiguous"))),
            _ => Err(usage(format!("unrecognized option '--{name}'"))),
        }
    }

    fn name(self) -> &'static str {
        LONG.iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(n, _)| n)
    }
}

/// The parsed command line.
#[derive(Default)]
struct Options {
    help: bool,
    version: bool,
    verbose: bool,
    mode: Option<(Mode, Algorithm)>,
    base32: bool,
    counter: Option<u64>,
    // TOTP-only values are read in TOTP mode only: oathtool ignores them for HOTP.
    period: Option<String>,
    start: Option<String>,
    now: Option<String>,
    digits: Option<u64>,
    window: Option<u64>,
    inputs: Vec<OsString>,
}

#[derive(Clone, Copy)]
enum TimeArg {
    Unix(u64),
    Now,
}

fn set_once<T>(slot: &mut Option<T>, value: T, key: Key) -> Result<(), Failure> {
    if slot.is_some() {
        return Err(usage(format!(
            "option '--{}' given more than once",
            key.name()
        )));
    }
    *slot = Some(value);
    Ok(())
}

fn text(value: OsString, key: Key) -> Result<String, Failure> {
    value
        .into_string()
        .map_err(|v| usage(format!("--{}: {v:?} is not UTF-8", key.name())))
}

fn parse_args(args: Vec<OsString>) -> Result<Options, Failure> {
    let mut o = Options::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next().map_err(|e| usage(e.to_string()))? {
        let key = match arg {
            Arg::Short(c) => Key::short(c)?,
            Arg::Long(name) => Key::long(name)?,
            Arg::Value(v) => {
                o.inputs.push(v);
                continue;
            }
        };
        match key {
            Key::Help => o.help = true,
            Key::Version => o.version = true,
            Key::Verbose => o.verbose = true,
            Key::Base32 => o.base32 = true,
            Key::Hotp | Key::Totp => {
                let mode = if key == Key::Hotp {
                    Mode::Hotp
                } else {
                    Mode::Totp
                };
                let algorithm = match parser.optional_value() {
                    None => Algorithm::Sha1,
                    Some(v) => parse_algorithm(&text(v, key)?, key)?,
                };
                if o.mode.is_some_and(|(m, _)| m != mode) {
                    return Err(usage("more than one mode set! use either --hotp or --totp"));
                }
                set_once(&mut o.mode, (mode, algorithm), key)?;
            }
            Key::Counter | Key::Digits | Key::Window => {
                let v = text(parser.value().map_err(|e| usage(e.to_string()))?, key)?;
                let n = parse_number(&v, key)?;
                let slot = match key {
                    Key::Counter => &mut o.counter,
                    Key::Digits => &mut o.digits,
                    _ => &mut o.window,
                };
                set_once(slot, n, key)?;
            }
            Key::TimeStepSize => {
                let v = text(parser.value().map_err(|e| usage(e.to_string()))?, key)?;
                set_once(&mut o.period, v, key)?;
            }
            Key::StartTime | Key::Now => {
                let v = text(parser.value().map_err(|e| usage(e.to_string()))?, key)?;
                let slot = if key == Key::Now {
                    &mut o.now
                } else {
                    &mut o.start
                };
                set_once(slot, v, key)?;
            }
        }
    }
    Ok(o)
}

fn parse_algorithm(v: &str, key: Key) -> Result<Algorithm, Failure> {
    match v.to_ascii_lowercase().as_str() {
        "sha1" => Ok(Algorithm::Sha1),
        "sha256" => Ok(Algorithm::Sha256),
        "sha512" => Ok(Algorithm::Sha512),
        _ => Err(usage(format!(
            "--{}: unknown mode `{v}' (use SHA1, SHA256 or SHA512)",
            key.name()
        ))),
    }
}

/// A number as C's `strtoull(s, _, 0)` reads it (`16`, `0x10`, `020`, leading blanks, `+`),
/// except that empty, negative and out-of-range values are refused instead of read as 0 or
/// wrapped.
fn parse_number(s: &str, key: Key) -> Result<u64, Failure> {
    let bad = |why: &str| {
        usage(format!(
            "invalid numeric value for --{}: `{s}'{why}",
            key.name()
        ))
    };
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    if t.starts_with('-') {
        return Err(bad(" (negative values are refused)"));
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(o) = t.strip_prefix('0').filter(|o| !o.is_empty()) {
        (o, 8)
    } else {
        (t, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(bad(""));
    }
    u64::from_str_radix(digits, radix).map_err(|_| bad(" (larger than 2^64 - 1)"))
}

/// A TOTP period: `30`, `30s`, `1m`, `1m30s`, `2h`, `1d` (units in decreasing order, each
/// once). Zero is refused (oathtool would silently use 30 s).
fn parse_duration(s: &str) -> Result<u64, Failure> {
    let bad = || {
        usage(format!(
            "cannot parse time step `{s}' (use seconds, or units d, h, m, s as in 1m30s)"
        ))
    };
    let t = s.trim();
    let mut total: u64 = 0;
    let mut rest = t;
    let mut last_unit = u64::MAX;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(end);
        if number.is_empty() {
            return Err(bad());
        }
        let n: u64 = number.parse().map_err(|_| bad())?;
        let mut chars = after.chars();
        let unit = match chars.next() {
            None if total == 0 && last_unit == u64::MAX => 1,
            Some('s') => 1,
            Some('m') => 60,
            Some('h') => 3600,
            Some('d') => 86400,
            _ => return Err(bad()),
        };
        if unit >= last_unit {
            return Err(bad());
        }
        last_unit = unit;
        total = n
            .checked_mul(unit)
            .and_then(|v| v.checked_add(total))
            .ok_or_else(bad)?;
        rest = chars.as_str();
    }
    if t.is_empty() {
        return Err(bad());
    }
    if total == 0 {
        return Err(usage(
            "time step must be at least 1 second (oathtool would use 30)",
        ));
    }
    Ok(total)
}

/// `@UNIXTIME` (decimal, `+` allowed) or `now`.
fn parse_time(s: &str, key: Key) -> Result<TimeArg, Failure> {
    let t = s.trim();
    if t == "now" {
        return Ok(TimeArg::Now);
    }
    let bad = |why: &str| usage(format!("cannot parse time `{s}' for --{}{why}", key.name()));
    let Some(unix) = t.strip_prefix('@') else {
        return Err(bad(" (use @UNIXTIME)"));
    };
    let unix = unix.trim_start();
    if unix.starts_with('-') {
        return Err(bad(" (times before 1970 are refused)"));
    }
    let unix = unix.strip_prefix('+').unwrap_or(unix);
    if unix.is_empty() || !unix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(" (use @UNIXTIME in whole seconds)"));
    }
    unix.parse()
        .map(TimeArg::Unix)
        .map_err(|_| bad(" (later than 2^64 - 1)"))
}

/// KEY or CODE: the argument itself, or the first line of stdin (`-`) or of a file (`@FILE`).
fn read_input(arg: OsString, io: &mut Io<'_>, what: &str) -> Result<Zeroizing<String>, Failure> {
    let arg = Zeroizing::new(
        arg.into_string()
            .map_err(|_| usage(format!("{what} is not UTF-8")))?,
    );
    let mut line = Zeroizing::new(String::new());
    if arg.as_str() == "-" {
        let n = io
            .stdin
            .read_line(&mut line)
            .map_err(|e| usage(format!("cannot read {what} from standard input: {e}")))?;
        if n == 0 {
            return Err(usage(format!(
                "cannot read {what} from standard input: it is empty"
            )));
        }
    } else if let Some(path) = arg.strip_prefix('@') {
        let file = std::fs::File::open(path)
            .map_err(|e| usage(format!("cannot read {what} from `{path}': {e}")))?;
        std::io::BufReader::new(file)
            .read_line(&mut line)
            .map_err(|e| usage(format!("cannot read {what} from `{path}': {e}")))?;
    } else {
        return Ok(arg);
    }
    let trimmed = line.trim_end_matches('\n').trim_end_matches('\r').len();
    line.truncate(trimmed);
    Ok(line)
}

fn decode_key(text: &str, base32: bool) -> Result<Zeroizing<Vec<u8>>, Failure> {
    if base32 {
        let secret =
            Secret::from_base32(text).map_err(|e| usage(format!("base32 decoding failed: {e}")))?;
        return Ok(Zeroizing::new(secret.as_ref().to_vec()));
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err(usage(
            "hex decoding of secret key failed: odd number of digits",
        ));
    }
    let mut key = Zeroizing::new(Vec::with_capacity(bytes.len() / 2));
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let digit = |b: u8| char::from(b).to_digit(16);
        match pair {
            [hi, lo] => match (digit(*hi), digit(*lo)) {
                (Some(h), Some(l)) => key.push(u8::try_from(h * 16 + l).unwrap_or(0)),
                _ => {
                    return Err(usage(format!(
                        "hex decoding of secret key failed at position {}",
                        2 * i
                    )));
                }
            },
            _ => return Err(usage("hex decoding of secret key failed")),
        }
    }
    Ok(key)
}

fn out(io: &mut Io<'_>, line: &dyn core::fmt::Display) -> Result<(), Failure> {
    writeln!(io.stdout, "{line}").map_err(|e| usage(format!("write error: {e}")))
}

fn execute(args: Vec<OsString>, io: &mut Io<'_>) -> Result<(), Failure> {
    let o = parse_args(args)?;
    if o.help {
        return out(io, &HELP);
    }
    if o.version {
        return out(
            io,
            &format_args!("otptool (otpkit) {}", env!("CARGO_PKG_VERSION")),
        );
    }
    if o.verbose {
        return Err(usage("--verbose is not supported"));
    }
    let mut inputs = o.inputs.into_iter();
    let (key_arg, code_arg) = match (inputs.next(), inputs.next(), inputs.next()) {
        (None, _, _) => return out(io, &HELP),
        (Some(_), _, Some(_)) => return Err(usage("too many parameters")),
        (Some(key), code, None) => (key, code),
    };
    let key_text = read_input(key_arg, io, "KEY")?;
    let code = code_arg.map(|c| read_input(c, io, "CODE")).transpose()?;

    let digits = match (o.digits, &code) {
        (Some(d), Some(c)) if usize::try_from(d).ok() != Some(c.len()) => {
            return Err(usage(format!(
                "given one-time password has bad length {d} != {}",
                c.len()
            )));
        }
        (Some(d), _) => d,
        (None, Some(c)) => u64::try_from(c.len()).unwrap_or(u64::MAX),
        (None, None) => 6,
    };
    let digits = u8::try_from(digits)
        .ok()
        .filter(|d| (6..=10).contains(d))
        .ok_or_else(|| usage(format!("only digits 6 to 10 are supported, not {digits}")))?;

    let key = decode_key(&key_text, o.base32)?;
    if key.is_empty() {
        return Err(usage("the key is empty"));
    }
    if key.len() < Hotp::MIN_KEY_LEN {
        let _ = writeln!(
            io.stderr,
            "otptool: warning: the key has {} bits, under the 128 that RFC 4226 requires",
            key.len() * 8
        );
    }
    let window = o.window.unwrap_or(0);
    let (mode, algorithm) = o.mode.unwrap_or((Mode::Hotp, Algorithm::Sha1));
    let code = code.as_deref().map(String::as_str);
    match mode {
        Mode::Hotp => {
            let params = HotpParams { algorithm, digits };
            let hotp =
                Hotp::new_allowing_short_key(&key, params).map_err(|e| usage(e.to_string()))?;
            hotp_command(&hotp, o.counter.unwrap_or(0), window, code, io)
        }
        Mode::Totp => {
            let period = o.period.as_deref().map_or(Ok(30), parse_duration)?;
            let start = o.start.as_deref().map(|s| parse_time(s, Key::StartTime));
            let now = o.now.as_deref().map(|s| parse_time(s, Key::Now));
            let t0 = match start.transpose()? {
                None => 0,
                Some(TimeArg::Unix(t)) => t,
                Some(TimeArg::Now) => (io.now)().map_err(|e| usage(e.to_string()))?,
            };
            let now = match now.transpose()? {
                Some(TimeArg::Unix(t)) => t,
                None | Some(TimeArg::Now) => (io.now)().map_err(|e| usage(e.to_string()))?,
            };
            let params = TotpParams {
                algorithm,
                digits,
                period,
                t0,
            };
            let totp =
                Totp::new_allowing_short_key(&key, params).map_err(|e| usage(e.to_string()))?;
            let step = totp.step_at(now).map_err(|e| usage(e.to_string()))?;
            totp_command(&totp, step, window, code, io)
        }
    }
}

/// The most additional codes printed at once (oathtool's `-w -1` prints forever).
const MAX_PRINT_WINDOW: u64 = 1_000_000;

/// The window for printing codes: W + 1 codes from `first` on, none past `u64::MAX`.
fn print_range(
    first: u64,
    window: u64,
    what: &str,
) -> Result<core::ops::RangeInclusive<u64>, Failure> {
    if window > MAX_PRINT_WINDOW {
        return Err(usage(format!(
            "window {window} is larger than {MAX_PRINT_WINDOW} when printing codes"
        )));
    }
    let last = first
        .checked_add(window)
        .ok_or_else(|| usage(format!("{what} {first} + window {window} passes 2^64 - 1")))?;
    Ok(first..=last)
}

/// The window as a verifier takes it (capped at 1000).
fn verify_window(window: u64) -> Result<u32, Failure> {
    u32::try_from(window)
        .ok()
        .filter(|w| *w <= Window::MAX)
        .ok_or_else(|| {
            usage(format!(
                "window {window} is larger than {} when verifying",
                Window::MAX
            ))
        })
}

fn not_found(code: &str, first: u64, last: u64) -> Failure {
    Failure::Mismatch(format!(
        "password \"{code}\" not found in range {first} .. {last}"
    ))
}

fn hotp_command(
    hotp: &Hotp,
    counter: u64,
    window: u64,
    code: Option<&str>,
    io: &mut Io<'_>,
) -> Result<(), Failure> {
    let Some(code) = code else {
        for c in print_range(counter, window, "counter")? {
            out(io, &hotp.generate(c))?;
        }
        return Ok(());
    };
    let look_ahead = verify_window(window)?;
    if counter == u64::MAX {
        return Err(usage(
            "counter 2^64 - 1 cannot be verified (nothing could record its use)",
        ));
    }
    let last = counter
        .saturating_add(u64::from(look_ahead))
        .min(u64::MAX - 1);
    match hotp.verify_uncommitted(code, counter, look_ahead) {
        Ok(m) => out(io, &m.drift),
        // Replay: the code of counter - 1, which otpkit also checks; oathtool does not.
        Err(Error::Mismatch | Error::Replay | Error::InvalidCode(_)) => {
            Err(not_found(code, counter, last))
        }
        Err(e) => Err(usage(e.to_string())),
    }
}

fn totp_command(
    totp: &Totp,
    step: u64,
    window: u64,
    code: Option<&str>,
    io: &mut Io<'_>,
) -> Result<(), Failure> {
    let Some(code) = code else {
        for s in print_range(step, window, "step")? {
            out(io, &totp.generate_step(s))?;
        }
        return Ok(());
    };
    let w = verify_window(window)?;
    let window = Window::symmetric(w).map_err(|e| usage(e.to_string()))?;
    match totp.verify_step_uncommitted(code, step, None, window) {
        Ok(m) => out(io, &m.drift.unsigned_abs()),
        Err(Error::Mismatch | Error::Replay | Error::InvalidCode(_)) => Err(not_found(
            code,
            step.saturating_sub(u64::from(w)),
            step.saturating_add(u64::from(w)),
        )),
        Err(e) => Err(usage(e.to_string())),
    }
}

const HELP: &str = "\
Usage: otptool [OPTION]... KEY [CODE]
Generate and validate HOTP/TOTP one-time passwords (a drop-in for oathtool).
KEY and CODE may be '-' to read a line from standard input, or '@FILE' to read
the first line of FILE; KEY is hex unless --base32 is given.

  -h, --help                    print help and exit
  -V, --version                 print version and exit
      --hotp[=MODE]             event-based HOTP mode (default); MODE is SHA1,
                                  SHA256 or SHA512 (default SHA1)
      --totp[=MODE]             time-based TOTP mode; MODE as for --hotp
  -b, --base32                  KEY is base32 instead of hex
  -c, --counter=COUNTER         HOTP counter value (default 0)
  -s, --time-step-size=DURATION TOTP time step: 30, 30s, 1m, 1m30s (default 30s)
  -S, --start-time=@UNIXTIME    TOTP epoch T0 (default @0)
  -N, --now=@UNIXTIME           use this time as the current time for TOTP
  -d, --digits=DIGITS           number of digits, 6 to 10 (default 6, or the
                                  length of CODE)
  -w, --window=WIDTH            number of additional codes to print, or to
                                  check (HOTP: ahead; TOTP: either side)

Exit status: 0 on success or a match, 1 on a usage or input error,
2 when CODE matches nothing in the window.";
