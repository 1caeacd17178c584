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

use crate::uri::{Failure, finish, finish_with, report_json, wants_help};

const USAGE: &str = "usage: otptool migration decode URI
       otptool migration encode URI...
Google Authenticator exports (otpauth-migration://); otptool migration SUBCOMMAND --help
for each.";

const DECODE_USAGE: &str = "usage: otptool migration decode URI
Reads an otpauth-migration:// export and prints one JSON object per account, with the keys
of otptool uri parse. Exit 1: invalid.";

const ENCODE_USAGE: &str = "usage: otptool migration encode URI...
Packs otpauth:// URIs into one otpauth-migration:// export URI.";

/// Runs `otptool migration ...` on the real stdout and stderr; returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    run_with(&args, &mut out, &mut err)
}

/// Runs `otptool migration ...` with the given output streams; returns the exit code.
pub fn run_with(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let help = match args.first().map(String::as_str) {
        Some("--help" | "-h") => Some(USAGE),
        Some("decode") if wants_help(args.get(1..).unwrap_or_default()) => Some(DECODE_USAGE),
        Some("encode") if wants_help(args.get(1..).unwrap_or_default()) => Some(ENCODE_USAGE),
        _ => None,
    };
    if let Some(help) = help {
        return finish(writeln!(out, "{help}").map_err(io), err);
    }
    let result = match args {
        [cmd, uri] if cmd == "decode" => decode(uri, out),
        [cmd, uris @ ..] if cmd == "encode" && !uris.is_empty() => encode(uris, out),
        _ => Err(Failure::Usage(String::from(
            "expected migration decode URI or migration encode URI...",
        ))),
    };
    finish_with(result, err, "otptool migration --help")
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
