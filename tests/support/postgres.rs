//! Where the PostgreSQL tests find their server: `OTPKIT_TEST_POSTGRES` (libpq-style
//! parameters), or else the `target/postgres.env` that `bash .ci/postgres start` writes.
//! Without either, the tests skip with a note, except in CI (`CI=true`), where they fail.
#![allow(dead_code, clippy::panic)]

/// The environment variable naming the server.
pub const VAR: &str = "OTPKIT_TEST_POSTGRES";

/// `name`'s value from the environment, or from `target/postgres.env`.
pub fn setting(name: &str) -> Option<String> {
    if let Ok(v) = std::env::var(name) {
        return Some(v).filter(|v| !v.is_empty());
    }
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/target/postgres.env");
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|line| {
        let rest = line.strip_prefix("export ")?.strip_prefix(name)?;
        let value = rest.strip_prefix('=')?;
        Some(value.trim_matches('\'').to_owned())
    })
}

/// The server's connection parameters, or `None` (after a note) when there is none and this
/// is not CI.
///
/// # Panics
///
/// In CI (`CI=true`) without a server: the store tests must not pass by skipping.
pub fn params(test: &str) -> Option<String> {
    if let Some(p) = setting(VAR) {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!(
            "{test}: {VAR} is not set and target/postgres.env is missing in CI; \
             .ci/run starts the server with `bash .ci/postgres start`"
        );
    }
    eprintln!("{test}: skipped, no PostgreSQL ({VAR} unset; `bash .ci/postgres start` runs one)");
    None
}
