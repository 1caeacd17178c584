//! `otptool ocra`: compute or verify an OCRA (RFC 6287) response.
//!
//! ```text
//! otptool ocra --suite SUITE --key HEX [--counter N] [--question Q]
//!              [--client-challenge QC --server-challenge QS --role server|client]
//!              [--password PIN | --password-hash HEX] [--session HEX]
//!              [--timestamp STEPS | --now @UNIXTIME] [-w WINDOW] [CODE]
//! ```
//!
//! - Without CODE, prints the response (a 0-digit suite's full HMAC in lower-case hex); with
//!   `-w W`, W + 1 responses from the moving factor on (counter, else timestamp), one a line.
//! - With CODE, verifies it and prints the distance from the moving factor, exit 0: for a
//!   counter suite the look-ahead `N ..= N + W` (matched − N), for a time suite W steps
//!   either side of the timestamp (|matched − T|), otherwise the exact input (0). No match:
//!   a message on stderr, exit 2.
//! - `--role server` computes the server's response in mutual mode (QC ‖ QS), `--role
//!   client` the client's (QS ‖ QC). A time suite without `--timestamp` or `--now` uses the
//!   system clock. `--key -` reads the hex key from standard input.
//! - Usage or input errors: one line on stderr, exit 1. `--help` prints the usage line.
//!
//! Options take their value as the next argument or after `=` (`--suite=...`); numbers
//! (`--counter`, `--timestamp`, `--now @N`, `-w`) are decimal or `0x` hex.

use std::io::{self, Read, Write};

use otpkit::Window;
use otpkit::ocra::{DataInput, Ocra, OcraSuite, Role};
use zeroize::Zeroizing;

const USAGE: &str = "usage: otptool ocra --suite SUITE --key HEX [--counter N] [--question Q] \
[--client-challenge QC --server-challenge QS --role server|client] \
[--password PIN | --password-hash HEX] [--session HEX] \
[--timestamp STEPS | --now @UNIXTIME] [-w WINDOW] [CODE]
Computes an OCRA (RFC 6287) response, or verifies CODE (exit 2: no match). Numbers are
decimal or 0x hex.";

/// Runs `otptool ocra` with the arguments after `ocra`, on `stdin` (unbuffered: a buffer
/// would keep key text) and the process's standard output and error; returns the exit code.
pub fn run(args: Vec<String>, stdin: &mut dyn Read) -> i32 {
    let stdout = io::stdout();
    let stderr = io::stderr();
    run_with(&args, stdin, &mut stdout.lock(), &mut stderr.lock())
}

/// [`run`] on the given streams.
pub fn run_with(
    args: &[String],
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    match execute(args, stdin, stdout) {
        Ok(()) => 0,
        Err(Fail::Usage(msg)) => {
            let _ = writeln!(stderr, "otptool: {msg}");
            1
        }
        Err(Fail::NoMatch(msg)) => {
            let _ = writeln!(stderr, "otptool: {msg}");
            2
        }
    }
}

enum Fail {
    /// Exit 1.
    Usage(String),
    /// Exit 2.
    NoMatch(String),
}

fn usage(msg: impl Into<String>) -> Fail {
    Fail::Usage(msg.into())
}

#[derive(Default)]
struct Options {
    suite: Option<String>,
    key: Option<String>,
    counter: Option<String>,
    question: Option<String>,
    client_challenge: Option<String>,
    server_challenge: Option<String>,
    role: Option<String>,
    password: Option<String>,
    password_hash: Option<String>,
    session: Option<String>,
    timestamp: Option<String>,
    now: Option<String>,
    window: Option<String>,
    code: Option<String>,
    help: bool,
}

fn parse_args(args: &[String]) -> Result<Options, Fail> {
    let mut o = Options::default();
    let mut it = args.iter();
    let mut only_positional = false;
    while let Some(arg) = it.next() {
        if only_positional || !arg.starts_with('-') || arg == "-" {
            if o.code.replace(arg.clone()).is_some() {
                return Err(usage(format!("unexpected argument '{arg}' (see --help)")));
            }
            continue;
        }
        if arg == "--" {
            only_positional = true;
            continue;
        }
        if arg == "-h" || arg == "--help" {
            o.help = true;
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let slot = match name {
            "--suite" => &mut o.suite,
            "--key" => &mut o.key,
            "--counter" | "-c" => &mut o.counter,
            "--question" | "-q" => &mut o.question,
            "--client-challenge" => &mut o.client_challenge,
            "--server-challenge" => &mut o.server_challenge,
            "--role" => &mut o.role,
            "--password" => &mut o.password,
            "--password-hash" => &mut o.password_hash,
            "--session" => &mut o.session,
            "--timestamp" => &mut o.timestamp,
            "--now" | "-N" => &mut o.now,
            "--window" | "-w" => &mut o.window,
            _ => return Err(usage(format!("unknown option '{name}' (see --help)"))),
        };
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .cloned()
                .ok_or_else(|| usage(format!("option '{name}' needs a value")))?,
        };
        if slot.replace(value).is_some() {
            return Err(usage(format!("option '{name}' given twice")));
        }
    }
    Ok(o)
}

/// The most `--key -` reads from standard input.
const MAX_KEY_TEXT: usize = 4096;

/// The key text of `--key -`: standard input up to its end, at most [`MAX_KEY_TEXT`] bytes,
/// read a byte at a time into one zeroizing buffer that never reallocates.
fn key_from(stdin: &mut dyn Read) -> Result<Zeroizing<String>, Fail> {
    let mut text = Zeroizing::new(Vec::with_capacity(MAX_KEY_TEXT));
    let mut byte = Zeroizing::new([0u8; 1]);
    loop {
        match stdin.read(byte.as_mut_slice()) {
            Ok(0) => break,
            Ok(_) if text.len() == MAX_KEY_TEXT => {
                return Err(usage(format!(
                    "reading the key from stdin: longer than {MAX_KEY_TEXT} bytes"
                )));
            }
            Ok(_) => text.extend_from_slice(byte.as_slice()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(usage(format!("reading the key from stdin: {e}"))),
        }
    }
    if core::str::from_utf8(&text).is_err() {
        return Err(usage("reading the key from stdin: not UTF-8"));
    }
    // Checked above: the buffer moves into the string without a copy.
    Ok(Zeroizing::new(
        String::from_utf8(core::mem::take(&mut *text)).unwrap_or_default(),
    ))
}

fn hex(what: &str, s: &str) -> Result<Vec<u8>, Fail> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return Err(usage(format!("{what}: odd number of hex digits")));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| usage(format!("{what}: not hexadecimal at position {i}")))
        })
        .collect()
}

/// `input` with the counter and timestamp given.
fn with(input: DataInput<'_>, c: Option<u64>, t: Option<u64>) -> DataInput<'_> {
    let input = c.map_or(input, |c| input.counter(c));
    t.map_or(input, |t| input.timestamp(t))
}

/// A number in decimal or `0x` hex, as every otptool subcommand takes them.
fn number(what: &str, s: &str) -> Result<u64, Fail> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| {
        usage(format!(
            "{what}: '{s}' is not a number from 0 to 2^64-1 (decimal or 0x hex)"
        ))
    })
}

fn execute(args: &[String], stdin: &mut dyn Read, stdout: &mut dyn Write) -> Result<(), Fail> {
    let o = parse_args(args)?;
    if o.help {
        return writeln!(stdout, "{USAGE}").map_err(|e| usage(format!("{e}")));
    }
    let suite_text = o
        .suite
        .ok_or_else(|| usage("--suite is required (see --help)"))?;
    let suite: OcraSuite = suite_text.parse().map_err(|e| usage(format!("{e}")))?;
    let key_text = o
        .key
        .ok_or_else(|| usage("--key is required (see --help)"))?;
    let key_text = if key_text == "-" {
        key_from(stdin)?
    } else {
        Zeroizing::new(key_text)
    };
    let mut key = hex("key", &key_text)?;
    let ocra = Ocra::new(suite, &key).map_err(|e| usage(format!("key: {e}")));
    // Best effort: the keyed state inside `Ocra` is all that is needed from here on.
    key.fill(0);
    let ocra = ocra?;

    let counter = o
        .counter
        .as_deref()
        .map(|c| number("counter", c))
        .transpose()?;
    let window = match o.window.as_deref() {
        None => 0,
        Some(w) => {
            let w = number("window", w)?;
            u32::try_from(w)
                .ok()
                .filter(|&w| w <= Window::MAX)
                .ok_or_else(|| usage(format!("window: at most {}", Window::MAX)))?
        }
    };
    let timestamp = match (o.timestamp.as_deref(), o.now.as_deref()) {
        (Some(_), Some(_)) => return Err(usage("give --timestamp or --now, not both")),
        (Some(t), None) => Some(number("timestamp", t)?),
        (None, Some(now)) => {
            let unix = now
                .strip_prefix('@')
                .ok_or_else(|| usage("--now takes @UNIXTIME"))?;
            let unix = number("now", unix)?;
            suite.time_step().map(|step| unix / step.seconds())
        }
        (None, None) => match suite.time_step() {
            Some(step) => {
                let unix = otpkit::clock::unix_now().map_err(|e| usage(format!("{e}")))?;
                Some(unix / step.seconds())
            }
            None => None,
        },
    };
    if o.now.is_some() && suite.time_step().is_none() {
        return Err(usage("--now: the suite has no timestamp (T) element"));
    }

    let password_hash = o
        .password_hash
        .as_deref()
        .map(|h| hex("password hash", h))
        .transpose()?;
    let session = o
        .session
        .as_deref()
        .map(|s| hex("session", s))
        .transpose()?;

    let mut input = match (
        o.question.as_deref(),
        o.client_challenge.as_deref(),
        o.server_challenge.as_deref(),
        o.role.as_deref(),
    ) {
        (Some(q), None, None, None) => DataInput::new().question(q),
        (None, Some(qc), Some(qs), Some(role)) => {
            let role = match role {
                "server" => Role::Server,
                "client" => Role::Client,
                _ => return Err(usage("--role is server or client")),
            };
            DataInput::new().mutual(role, qc, qs)
        }
        (None, None, None, None) => return Err(usage("give a challenge (see --help)")),
        (Some(_), ..) => {
            return Err(usage(
                "give --question, or --client-challenge, --server-challenge and --role",
            ));
        }
        _ => {
            return Err(usage(
                "mutual mode needs --client-challenge, --server-challenge and --role",
            ));
        }
    };
    match (o.password.as_deref(), password_hash.as_deref()) {
        (Some(_), Some(_)) => return Err(usage("give --password or --password-hash, not both")),
        (Some(pin), None) => input = input.password(pin.as_bytes()),
        (None, Some(hash)) => input = input.password_hash(hash),
        (None, None) => {}
    }
    if let Some(s) = &session {
        input = input.session(s);
    }
    let fail = |e: otpkit::Error| usage(format!("{e}"));

    let Some(code) = o.code else {
        let lines = u64::from(window) + 1;
        for i in 0..lines {
            let (c, t) = if suite.uses_counter() {
                (counter.map(|c| c.wrapping_add(i)), timestamp)
            } else if i > 0 && timestamp.is_none() {
                break;
            } else {
                (counter, timestamp.map(|t| t.wrapping_add(i)))
            };
            let response = ocra.compute(&with(input, c, t)).map_err(fail)?;
            writeln!(stdout, "{response}").map_err(|e| usage(format!("{e}")))?;
        }
        return Ok(());
    };

    let no_match = |e: otpkit::Error| match e {
        otpkit::Error::Mismatch | otpkit::Error::Replay | otpkit::Error::WindowOutOfRange => {
            Fail::NoMatch(format!("response \"{code}\" does not match"))
        }
        e => usage(format!("{e}")),
    };
    let distance = if suite.uses_counter() {
        let start = counter.ok_or_else(|| usage("the suite needs --counter"))?;
        let m = ocra
            .verify_counter_uncommitted(&code, &with(input, None, timestamp), start, window)
            .map_err(no_match)?;
        m.drift
    } else if suite.time_step().is_some() {
        let center = timestamp.ok_or_else(|| usage("the suite needs a timestamp"))?;
        let w = Window::symmetric(window).map_err(fail)?;
        let m = ocra
            .verify_step_uncommitted(&code, &with(input, counter, None), center, None, w)
            .map_err(no_match)?;
        m.drift.unsigned_abs()
    } else {
        ocra.verify(&code, &with(input, counter, timestamp))
            .map_err(no_match)?;
        0
    };
    writeln!(stdout, "{distance}").map_err(|e| usage(format!("{e}")))?;
    Ok(())
}
