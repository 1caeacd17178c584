//! Differential test against the RFC 6287 Appendix A Java reference and PyPI `oath` 1.4.5:
//! every case of `tests/data/ocra_oracles.tsv` (made by `tests/oracles/gen_ocra.py`, where
//! the serving oracles agreed; see `tests/data/ocra_oracle_differences.md`) is computed and
//! verified here. Hermetic: the file is compiled in, no oracle runs.

// Test helpers may unwrap and index: a failure is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use otpkit::Window;
use otpkit::ocra::{DataInput, Ocra, OcraSuite, Role};

const FILE: &str = include_str!("data/ocra_oracles.tsv");

const COLUMNS: [&str; 17] = [
    "id",
    "mode",
    "suite",
    "key",
    "role",
    "question",
    "client_challenge",
    "server_challenge",
    "counter",
    "password",
    "password_hash",
    "session",
    "timestamp",
    "unix",
    "expected",
    "sources",
    "why",
];

struct Row<'a>([&'a str; 17]);

impl<'a> Row<'a> {
    fn get(&self, column: &str) -> Option<&'a str> {
        let i = COLUMNS.iter().position(|c| *c == column).unwrap();
        Some(self.0[i]).filter(|v| *v != "-")
    }

    fn number(&self, column: &str) -> Option<u64> {
        self.get(column).map(|v| v.parse().unwrap())
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Everything but the counter and timestamp.
fn base<'a>(row: &Row<'a>, password_hash: &'a [u8], session: &'a [u8]) -> DataInput<'a> {
    let mut input = match row.get("role") {
        None => DataInput::new().question(row.get("question").unwrap()),
        Some(role) => DataInput::new().mutual(
            if role == "server" {
                Role::Server
            } else {
                Role::Client
            },
            row.get("client_challenge").unwrap(),
            row.get("server_challenge").unwrap(),
        ),
    };
    if let Some(pin) = row.get("password") {
        input = input.password(pin.as_bytes());
    }
    if row.get("password_hash").is_some() {
        input = input.password_hash(password_hash);
    }
    if row.get("session").is_some() {
        input = input.session(session);
    }
    input
}

fn check(row: &Row<'_>) -> Result<(), String> {
    let suite: OcraSuite = row
        .get("suite")
        .unwrap()
        .parse()
        .map_err(|e| format!("{e}"))?;
    let key = unhex(row.get("key").unwrap());
    let ocra = Ocra::new(suite, &key).map_err(|e| format!("{e}"))?;
    let hash = unhex(row.get("password_hash").unwrap_or(""));
    let session = unhex(row.get("session").unwrap_or(""));
    let expected = row.get("expected").unwrap();

    let mut input = base(row, &hash, &session);
    if let Some(c) = row.number("counter") {
        input = input.counter(c);
    }
    if let Some(t) = row.number("timestamp") {
        input = input.timestamp(t);
    }
    if let Some(u) = row.number("unix") {
        input = input.unix_time(u);
    }
    let got = ocra.compute(&input).map_err(|e| format!("compute: {e}"))?;
    if got.to_string() != expected {
        return Err(format!("computed {got}, oracles {expected}"));
    }
    ocra.verify(expected, &input)
        .map_err(|e| format!("verify: {e}"))?;
    // Upper-case hex is accepted for full-HMAC responses.
    ocra.verify(expected.to_ascii_uppercase(), &input)
        .map_err(|e| format!("verify upper case: {e}"))?;

    if let Some(c) = row.number("counter") {
        let without = base(row, &hash, &session);
        let without = match (row.number("timestamp"), row.number("unix")) {
            (Some(t), _) => without.timestamp(t),
            (_, Some(u)) => without.unix_time(u),
            _ => without,
        };
        let m = ocra
            .verify_counter_uncommitted(expected, &without, c.wrapping_sub(2), 2)
            .map_err(|e| format!("verify_counter: {e}"))?;
        if (m.counter, m.next_counter, m.drift) != (c, c.wrapping_add(1), 2) {
            return Err(format!("verify_counter matched {m:?}"));
        }
    }
    if let Some(t) = row.number("timestamp") {
        let without = base(row, &hash, &session);
        let without = match row.number("counter") {
            Some(c) => without.counter(c),
            None => without,
        };
        let m = ocra
            .verify_step_uncommitted(
                expected,
                &without,
                t,
                t.checked_sub(1),
                Window::symmetric(1).unwrap(),
            )
            .map_err(|e| format!("verify_step: {e}"))?;
        if (m.step, m.drift) != (t, 0) {
            return Err(format!("verify_step matched {m:?}"));
        }
    }
    Ok(())
}

#[test]
fn agrees_with_the_oracles() {
    let mut cases = 0;
    let mut failed = 0;
    let mut sources = std::collections::BTreeMap::new();
    for line in FILE.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split('\t').collect();
        let row = Row(fields.try_into().expect("17 columns"));
        cases += 1;
        *sources.entry(row.get("sources").unwrap()).or_insert(0) += 1;
        if let Err(why) = check(&row) {
            failed += 1;
            eprintln!(
                "#{} {}: {why}",
                row.get("id").unwrap(),
                row.get("suite").unwrap()
            );
        }
    }
    eprintln!("{cases} cases by source: {sources:?}");
    assert!(cases >= 1000, "only {cases} cases");
    assert_eq!(failed, 0, "{failed} of {cases} cases failed");
}
