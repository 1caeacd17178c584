//! `otptool migration decode|encode`: Google Authenticator exports.
//!
//! ```text
//! otptool migration decode URI           # one JSON object per line, same keys as uri parse
//! otptool migration encode URI...        # one otpauth-migration URI
//! ```
//! `run` takes the arguments after `migration`. Usage and input errors print one line on stderr and
//! exit 1.

use std::io::Write;
use std::string::String;
use std::vec::Vec;

use otpkit::migration::Migration;
use otpkit::uri::OtpAuthUri;

use crate::uri::{Failure, finish, report_json};

/// Runs `otptool migration ...` on the real stdout and stderr; returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    run_with(&args, &mut out, &mut err)
}

/// Runs `otptool migration ...` with the given output streams; returns the exit code.
pub fn run_with(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let result = match args {
        [cmd, uri] if cmd == "decode" => decode(uri, out),
        [cmd, uris @ ..] if cmd == "encode" && !uris.is_empty() => encode(uris, out),
        _ => Err(Failure::Usage(String::from(
            "expected migration decode URI or migration encode URI...",
        ))),
    };
    finish(result, err)
}

fn io(e: std::io::Error) -> Failure {
    Failure::Invalid(format!("cannot write: {e}"))
}

fn decode(uri: &str, out: &mut dyn Write) -> Result<(), Failure> {
    let export =
        Migration::parse(uri).map_err(|e| Failure::Invalid(format!("{} ({e})", e.kind.id())))?;
    for entry in &export.entries {
        let json = report_json(entry, entry.advisories());
        writeln!(out, "{}", &*json).map_err(io)?;
    }
    Ok(())
}

fn encode(uris: &[String], out: &mut dyn Write) -> Result<(), Failure> {
    let mut entries = Vec::with_capacity(uris.len());
    for (i, uri) in uris.iter().enumerate() {
        let parsed = OtpAuthUri::parse(uri)
            .map_err(|e| Failure::Invalid(format!("uri {}: {} ({e})", i + 1, e.id())))?;
        entries.push(parsed.uri);
    }
    let text = Migration::new(entries)
        .to_uri()
        .map_err(|e| Failure::Invalid(format!("{} ({e})", e.kind.id())))?;
    writeln!(out, "{}", &*text).map_err(io)
}
