//! The oathtool-compatible command line: options, KEY and CODE input, `-v`, generation and
//! verification, in oathtool 2.6.7's order and with its messages.
//!
//! Everything goes through [`Io`], so tests can run the command in-process with a fixed clock
//! and time zone.

#[path = "oathtool/datetime.rs"]
mod datetime;
#[path = "oathtool/duration.rs"]
mod duration;
#[path = "oathtool/getopt.rs"]
mod getopt;
#[path = "oathtool/help.rs"]
mod help;
#[path = "oathtool/input.rs"]
mod input;
#[path = "oathtool/key.rs"]
mod key;
#[path = "oathtool/number.rs"]
mod number;

use core::fmt::Write as _;
use std::ffi::OsString;
use std::io::{Read, Write};

use jiff::tz::TimeZone;
use otpkit::{Algorithm, Error, Hotp, HotpParams, Totp, TotpParams, Window};
use zeroize::Zeroizing;

use getopt::{HasArg, Item, Spec};
use help::HELP;
use input::{Inputs, strerror};
use key::{base32_padded, decode_base32, decode_hex, hex_lower};
use number::{Number, c_number};

/// Exit status of a generated code or a matching CODE.
pub const EXIT_OK: u8 = 0;
/// Exit status of any usage or input error.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status of a CODE that matched nothing in the window.
pub const EXIT_MISMATCH: u8 = 2;

/// Where the command reads and writes, its clock and its time zone.
pub struct Io<'a> {
    /// Read for KEY or CODE `-`, a byte at a time (give it an unbuffered reader: a buffer
    /// would keep key text).
    pub stdin: &'a mut dyn Read,
    /// Codes, verification results and `-v` output.
    pub stdout: &'a mut dyn Write,
    /// Errors (and `--lint` advice).
    pub stderr: &'a mut dyn Write,
    /// Unix time, read once in TOTP mode.
    pub now: &'a dyn Fn() -> Result<u64, Error>,
    /// The zone dates without one are read in (`TZ`).
    pub tz: &'a TimeZone,
}

/// Why the command stopped early.
enum Failure {
    /// An error oathtool reports too, with its text: exit 1, after what `-v` printed so far.
    Oath(String),
    /// A documented deviation (oathtool would go on, silently wrong): exit 1, nothing printed.
    Refused(String),
    /// The CODE matched nothing: exit 2.
    Mismatch(String),
}

fn oath(message: impl Into<String>) -> Failure {
    Failure::Oath(message.into())
}

fn refused(message: impl Into<String>) -> Failure {
    Failure::Refused(message.into())
}

/// Runs the command with `args` (without the program name) and returns the exit status.
pub fn run(args: Vec<OsString>, io: &mut Io<'_>) -> u8 {
    // Standard output is written at the end, so that a refusal prints no partial `-v` text.
    let mut out = String::new();
    let result = execute(args, io, &mut out);
    let (status, message, keep) = match result {
        Ok(()) => (EXIT_OK, None, true),
        Err(Failure::Oath(m)) => (EXIT_FAILURE, Some(m), true),
        Err(Failure::Refused(m)) => (EXIT_FAILURE, Some(m), false),
        Err(Failure::Mismatch(m)) => (EXIT_MISMATCH, Some(m), true),
    };
    if keep
        && let Err(e) = io
            .stdout
            .write_all(out.as_bytes())
            .and_then(|()| io.stdout.flush())
    {
        let _ = writeln!(io.stderr, "otptool: write error: {}", strerror(&e));
        return EXIT_FAILURE;
    }
    if let Some(m) = message {
        let _ = writeln!(io.stderr, "otptool: {m}");
    }
    status
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
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
    Lint,
}

const fn spec(long: &'static str, short: Option<char>, has_arg: HasArg, key: Key) -> Spec<Key> {
    Spec {
        long,
        short,
        has_arg,
        key,
    }
}

/// oathtool's options in its order (which sets the order of "possibilities"), then otptool's
/// own: `--lint` starts with a letter no oathtool option does, so every abbreviation oathtool
/// accepts stays unambiguous. `--hotp` takes a MODE, as `--totp` does (an extension).
const SPECS: [Spec<Key>; 13] = [
    spec("help", Some('h'), HasArg::No, Key::Help),
    spec("version", Some('V'), HasArg::No, Key::Version),
    spec("hotp", None, HasArg::Optional, Key::Hotp),
    spec("totp", None, HasArg::Optional, Key::Totp),
    spec("base32", Some('b'), HasArg::No, Key::Base32),
    spec("counter", Some('c'), HasArg::Required, Key::Counter),
    spec(
        "time-step-size",
        Some('s'),
        HasArg::Required,
        Key::TimeStepSize,
    ),
    spec("start-time", Some('S'), HasArg::Required, Key::StartTime),
    spec("now", Some('N'), HasArg::Required, Key::Now),
    spec("digits", Some('d'), HasArg::Required, Key::Digits),
    spec("window", Some('w'), HasArg::Required, Key::Window),
    spec("verbose", Some('v'), HasArg::No, Key::Verbose),
    spec("lint", None, HasArg::No, Key::Lint),
];

/// The parsed command line.
#[derive(Default)]
struct Options {
    /// `--hotp[=MODE]` and `--totp[=MODE]` as given.
    hotp: Option<Option<String>>,
    totp: Option<Option<String>>,
    base32: bool,
    verbose: bool,
    lint: bool,
    counter: Option<u64>,
    digits: Option<Number>,
    window: Option<u64>,
    // Read in TOTP mode only: oathtool ignores them for HOTP.
    period: Option<String>,
    start: Option<String>,
    now: Option<String>,
    inputs: Vec<OsString>,
}

/// The option's text, lossy for bytes that are not UTF-8 (they make every value invalid).
fn text(value: Option<OsString>) -> String {
    value.map_or_else(String::new, |v| v.to_string_lossy().into_owned())
}

fn given_twice(key: Key) -> Failure {
    let spec = SPECS.iter().find(|s| s.key == key);
    let long = spec.map_or("?", |s| s.long);
    match spec.and_then(|s| s.short) {
        Some(c) => oath(format!("`--{long}' (`-{c}') option given more than once")),
        None => oath(format!("`--{long}' option given more than once")),
    }
}

fn once<T>(slot: &mut Option<T>, value: T, key: Key) -> Result<(), Failure> {
    if slot.is_some() {
        return Err(given_twice(key));
    }
    *slot = Some(value);
    Ok(())
}

/// A counter or window: non-negative, not empty, at most `u64::MAX`.
fn unsigned(n: Number, key: Key, v: &str) -> Result<u64, Failure> {
    let name = if key == Key::Counter {
        "counter"
    } else {
        "window"
    };
    if n.empty {
        return Err(refused(format!(
            "the {name} is empty (oathtool would read 0)"
        )));
    }
    if n.negative && n.magnitude != 0 {
        return Err(refused(format!(
            "the {name} `{v}' is negative (oathtool would wrap it to a huge number)"
        )));
    }
    u64::try_from(n.magnitude).map_err(|_| {
        refused(format!(
            "the {name} `{v}' is larger than 2^64 - 1 (oathtool would use 2^64 - 1)"
        ))
    })
}

impl Options {
    fn set(&mut self, key: Key, value: Option<OsString>) -> Result<(), Failure> {
        match key {
            // Handled by the caller.
            Key::Help | Key::Version => {}
            Key::Base32 | Key::Verbose | Key::Lint => {
                let flag = match key {
                    Key::Base32 => &mut self.base32,
                    Key::Verbose => &mut self.verbose,
                    _ => &mut self.lint,
                };
                if *flag {
                    return Err(given_twice(key));
                }
                *flag = true;
            }
            Key::Hotp => once(&mut self.hotp, value.map(|v| text(Some(v))), key)?,
            Key::Totp => once(&mut self.totp, value.map(|v| text(Some(v))), key)?,
            Key::Counter | Key::Digits | Key::Window => {
                // gengetopt reports a repeated option before reading its value.
                let seen = match key {
                    Key::Counter => self.counter.is_some(),
                    Key::Window => self.window.is_some(),
                    _ => self.digits.is_some(),
                };
                if seen {
                    return Err(given_twice(key));
                }
                let v = text(value);
                let n = c_number(&v).ok_or_else(|| oath(format!("invalid numeric value: {v}")))?;
                match key {
                    Key::Counter => self.counter = Some(unsigned(n, key, &v)?),
                    Key::Window => self.window = Some(unsigned(n, key, &v)?),
                    _ => self.digits = Some(n),
                }
            }
            Key::TimeStepSize => once(&mut self.period, text(value), key)?,
            Key::StartTime => once(&mut self.start, text(value), key)?,
            Key::Now => once(&mut self.now, text(value), key)?,
        }
        Ok(())
    }
}

fn algorithm_of(mode: Option<&str>, key: Key) -> Result<Algorithm, Failure> {
    let Some(mode) = mode else {
        return Ok(Algorithm::Sha1);
    };
    match mode.to_ascii_uppercase().as_str() {
        "SHA1" => Ok(Algorithm::Sha1),
        "SHA256" => Ok(Algorithm::Sha256),
        "SHA512" => Ok(Algorithm::Sha512),
        _ => Err(refused(format!(
            "--{}: unknown mode `{mode}' (use SHA1, SHA256 or SHA512; oathtool would use SHA1)",
            if key == Key::Hotp { "hotp" } else { "totp" }
        ))),
    }
}

/// oathtool's message for a number of digits it does not support, with otpkit's range.
const DIGITS_MESSAGE: &str = "only digits 6, 7, 8, 9 and 10 are supported";

fn execute(args: Vec<OsString>, io: &mut Io<'_>, out: &mut String) -> Result<(), Failure> {
    let mut o = Options::default();
    for item in getopt::parse(&SPECS, args) {
        match item.map_err(Failure::Oath)? {
            // gengetopt acts on --help and --version as soon as it sees them.
            Item::Opt(Key::Help, _) => {
                out.push_str(HELP);
                return Ok(());
            }
            Item::Opt(Key::Version, _) => {
                let _ = writeln!(out, "otptool (otpkit) {}", env!("CARGO_PKG_VERSION"));
                return Ok(());
            }
            Item::Opt(key, value) => o.set(key, value)?,
            Item::Operand(v) => o.inputs.push(v),
        }
    }
    if o.hotp.is_some() && o.totp.is_some() {
        return Err(refused(
            "more than one mode set (oathtool would use TOTP): use either --hotp or --totp",
        ));
    }
    let Some(key_arg) = o.inputs.first() else {
        out.push_str(HELP);
        return Ok(());
    };
    let mut inputs = Inputs::default();
    let key_text = inputs.read(key_arg, io)?;
    let code = match o.inputs.get(1) {
        Some(c) => Some(inputs.read(c, io)?),
        None => None,
    };
    let code: Option<Zeroizing<String>> =
        code.map(|c| Zeroizing::new(String::from_utf8_lossy(&c).into_owned()));

    let key = if o.base32 {
        decode_base32(&key_text)
            .ok_or_else(|| oath("base32 decoding failed: Base32 string is invalid"))?
    } else {
        decode_hex(&key_text).ok_or_else(|| oath("hex decoding of secret key failed"))?
    };
    let digits = match o.digits {
        None => 6,
        Some(n) if n.empty => return Err(oath(DIGITS_MESSAGE)),
        Some(n) if n.negative || !(6..=10).contains(&n.magnitude) => {
            if !n.negative && n.magnitude > u128::from(i32::MAX.unsigned_abs()) {
                return Err(refused(format!(
                    "{DIGITS_MESSAGE} (oathtool would cut {} to an int)",
                    n.magnitude
                )));
            }
            return Err(oath(DIGITS_MESSAGE));
        }
        Some(n) => usize::try_from(n.magnitude).unwrap_or(6),
    };
    let digits = match (&code, o.digits.is_some()) {
        (Some(c), false) => c.len(),
        (Some(c), true) if c.len() != digits => {
            return Err(oath(format!(
                "given one-time password has bad length {digits} != {}",
                c.len()
            )));
        }
        _ => digits,
    };
    if o.inputs.len() > 2 {
        return Err(oath("too many parameters"));
    }
    if key.is_empty() {
        return Err(refused(
            "the key is empty (oathtool would use an empty HMAC key)",
        ));
    }
    if o.lint && key.len() < Hotp::MIN_KEY_LEN {
        let _ = writeln!(
            io.stderr,
            "otptool: warning: the key has {} bits, under the 128 that RFC 4226 requires",
            key.len() * 8
        );
    }
    let window = o.window.unwrap_or(0);
    if o.verbose {
        let _ = writeln!(out, "Hex secret: {}", hex_lower(&key));
        let _ = writeln!(out, "Base32 secret: {}", base32_padded(&key));
        if let Some(c) = &code {
            let _ = writeln!(out, "OTP: {}", c.as_str());
        }
        let _ = writeln!(out, "Digits: {digits}");
        let _ = writeln!(out, "Window size: {window}");
    }
    // Only the digits a CODE of 6 to 10 characters gives reach a verifier.
    let digits_u8 = u8::try_from(digits).ok().filter(|d| (6..=10).contains(d));
    let code = code.as_deref().map(String::as_str);
    if let Some(mode) = o.totp {
        totp(
            &o.period,
            &o.start,
            &o.now,
            mode.as_deref(),
            &key,
            digits_u8,
            window,
            code,
            o.verbose,
            io,
            out,
        )
    } else {
        let algorithm = algorithm_of(o.hotp.flatten().as_deref(), Key::Hotp)?;
        let counter = o.counter.unwrap_or(0);
        if o.verbose {
            let _ = write!(out, "Start counter: 0x{counter:X} ({counter})\n\n");
        }
        let digits = digits_u8.ok_or_else(|| oath("validating one-time password failed (-2)"))?;
        let hotp = Hotp::new_allowing_short_key(&key, HotpParams { algorithm, digits })
            .map_err(|e| refused(e.to_string()))?;
        hotp_command(&hotp, counter, window, code, out)
    }
}

/// Reads `-N`/`-S` as oathtool does: `None` is "cannot parse time".
fn time_arg(text: &str, now: i64, tz: &TimeZone) -> Result<u64, Failure> {
    match datetime::parse(text, now, tz) {
        // -1 is oathtool's BAD_TIME.
        None | Some(-1) => Err(oath(format!("cannot parse time `{text}'"))),
        Some(t) if t < 0 => Err(refused(format!(
            "time `{text}' is before 1970 (oathtool would count steps from 0)"
        ))),
        Some(t) => u64::try_from(t).map_err(|_| oath(format!("cannot parse time `{text}'"))),
    }
}

#[allow(clippy::too_many_arguments)]
fn totp(
    period: &Option<String>,
    start: &Option<String>,
    now: &Option<String>,
    mode: Option<&str>,
    key: &[u8],
    digits: Option<u8>,
    window: u64,
    code: Option<&str>,
    verbose: bool,
    io: &mut Io<'_>,
    out: &mut String,
) -> Result<(), Failure> {
    let clock = (io.now)().map_err(|e| refused(e.to_string()))?;
    let clock = i64::try_from(clock).unwrap_or(i64::MAX);
    let now_text = now.as_deref().unwrap_or("now");
    let start_text = start.as_deref().unwrap_or("1970-01-01 00:00:00 UTC");
    let period_text = period.as_deref().unwrap_or("30s");
    let when = time_arg(now_text, clock, io.tz)?;
    let t0 = time_arg(start_text, clock, io.tz)?;
    let period = duration::parse(period_text)
        .ok_or_else(|| oath(format!("cannot parse time `{period_text}'")))?;
    let period = u64::try_from(period)
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| refused("time step must be at least 1 second (oathtool would use 30)"))?;
    let algorithm = algorithm_of(mode, Key::Totp)?;
    if when < t0 {
        return Err(refused(format!(
            "time {when} is before the epoch {t0} (oathtool would count steps from 0 or wrap)"
        )));
    }
    let step = (when - t0) / period;
    if verbose {
        let name = match algorithm {
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
            _ => "SHA1",
        };
        let _ = writeln!(out, "TOTP mode: {name}");
        let start_utc = datetime::utc(i128::from(t0)).ok_or_else(|| oath("gmtime_r"))?;
        let _ = writeln!(out, "Step size (seconds): {period}");
        let _ = writeln!(out, "Start time: {start_utc} ({t0})");
        let when_utc = datetime::utc(i128::from(when)).ok_or_else(|| oath("gmtime_r"))?;
        let _ = writeln!(out, "Current time: {when_utc} ({when})");
        let _ = write!(out, "Counter: 0x{step:X} ({step})\n\n");
    }
    let digits = digits.ok_or_else(|| oath("validating one-time password failed (-2)"))?;
    let params = TotpParams {
        algorithm,
        digits,
        period,
        t0,
    };
    let totp = Totp::new_allowing_short_key(key, params).map_err(|e| refused(e.to_string()))?;
    totp_command(&totp, step, window, code, out)
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
        return Err(refused(format!(
            "window {window} is larger than {MAX_PRINT_WINDOW} when printing codes"
        )));
    }
    let last = first.checked_add(window).ok_or_else(|| {
        refused(format!(
            "{what} {first} + window {window} passes 2^64 - 1 (oathtool would wrap to 0)"
        ))
    })?;
    Ok(first..=last)
}

/// The window as a verifier takes it (capped at 1000).
fn verify_window(window: u64) -> Result<u32, Failure> {
    u32::try_from(window)
        .ok()
        .filter(|w| *w <= Window::MAX)
        .ok_or_else(|| {
            refused(format!(
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
    out: &mut String,
) -> Result<(), Failure> {
    let Some(code) = code else {
        for c in print_range(counter, window, "counter")? {
            let _ = writeln!(out, "{}", hotp.generate(c));
        }
        return Ok(());
    };
    let look_ahead = verify_window(window)?;
    if counter == u64::MAX {
        return Err(refused(
            "counter 2^64 - 1 cannot be verified (nothing could record its use)",
        ));
    }
    let last = counter
        .saturating_add(u64::from(look_ahead))
        .min(u64::MAX - 1);
    match hotp.verify_uncommitted(code, counter, look_ahead) {
        Ok(m) => {
            let _ = writeln!(out, "{}", m.drift);
            Ok(())
        }
        // Replay: the code of counter - 1, which otpkit also checks; oathtool does not.
        Err(Error::Mismatch | Error::Replay | Error::InvalidCode(_)) => {
            Err(not_found(code, counter, last))
        }
        Err(e) => Err(refused(e.to_string())),
    }
}

fn totp_command(
    totp: &Totp,
    step: u64,
    window: u64,
    code: Option<&str>,
    out: &mut String,
) -> Result<(), Failure> {
    let Some(code) = code else {
        for s in print_range(step, window, "step")? {
            let _ = writeln!(out, "{}", totp.generate_step(s));
        }
        return Ok(());
    };
    let w = verify_window(window)?;
    let window = Window::symmetric(w).map_err(|e| refused(e.to_string()))?;
    match totp.verify_step_uncommitted(code, step, None, window) {
        Ok(m) => {
            let _ = writeln!(out, "{}", m.drift.unsigned_abs());
            Ok(())
        }
        Err(Error::Mismatch | Error::Replay | Error::InvalidCode(_)) => Err(not_found(
            code,
            step.saturating_sub(u64::from(w)),
            step.saturating_add(u64::from(w)),
        )),
        Err(e) => Err(refused(e.to_string())),
    }
}
