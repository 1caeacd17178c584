//! Differential test: every row of `tests/data/otp_oracles.tsv`, codes on which oathtool, pyotp
//! and oath agreed (see `tests/data/oracle_differences.md` and `tests/oracles/gen_otp.py`), is
//! checked against otpkit's generation and verification. Hermetic: no oracle runs here; CI
//! re-runs them live with `.ci/oracles`.
//!
//! For each row:
//! - HOTP: `generate(counter)` is the code; `verify` finds it in a look-ahead window that holds
//!   the counter at a row-dependent position; the same code is then a replay; the counter
//!   `u64::MAX` is never accepted.
//! - TOTP: `step_at`, `generate_at` and `generate_step` give the step and code; `verify_at` and
//!   `verify_step` find the step in windows that hold it at row-dependent positions and report
//!   the drift; with the step stored as used, the code is a replay.
//!
//! A code may also belong to another counter in the window (a 10^-digits chance per
//! candidate): such a match is accepted only if that counter's code really is the same.

// Window positions are small remainders of the row number.
#![allow(clippy::cast_possible_truncation)]

use otpkit::{Algorithm, Error, Hotp, HotpParams, Totp, TotpParams, Window};

const VECTORS: &str = include_str!("data/otp_oracles.tsv");
const COLUMNS: &str = "kind\talgorithm\tdigits\tkey_hex\tcounter\ttime\tperiod\tt0\tcode\toracles";

#[derive(Debug)]
enum Kind {
    Hotp { counter: u64 },
    Totp { time: u64, period: u64, t0: u64 },
}

#[derive(Debug)]
struct Row<'a> {
    line: usize,
    kind: Kind,
    algorithm: Algorithm,
    digits: u8,
    key: Vec<u8>,
    code: &'a str,
    oracles: &'a str,
}

fn hex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd-length hex {s:?}"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| format!("hex {s:?}: {e}")))
        .collect()
}

fn num(s: &str) -> Result<u64, String> {
    s.parse().map_err(|e| format!("number {s:?}: {e}"))
}

fn parse(line: usize, text: &str) -> Result<Row<'_>, String> {
    let f: Vec<&str> = text.split('\t').collect();
    let [
        kind,
        alg,
        digits,
        key,
        counter,
        time,
        period,
        t0,
        code,
        oracles,
    ] = f[..]
    else {
        return Err(format!("{} fields", f.len()));
    };
    let kind = match kind {
        "hotp" => Kind::Hotp {
            counter: num(counter)?,
        },
        "totp" => Kind::Totp {
            time: num(time)?,
            period: num(period)?,
            t0: num(t0)?,
        },
        other => return Err(format!("kind {other:?}")),
    };
    Ok(Row {
        line,
        kind,
        algorithm: alg.parse().map_err(|e| format!("algorithm {alg:?}: {e}"))?,
        digits: digits.parse().map_err(|e| format!("digits: {e}"))?,
        key: hex(key)?,
        code,
        oracles,
    })
}

fn rows() -> Result<Vec<Row<'static>>, String> {
    let mut lines = VECTORS
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.starts_with('#'));
    match lines.next() {
        Some((_, header)) if header == COLUMNS => {}
        other => {
            return Err(format!(
                "header of otp_oracles.tsv is {other:?}, not {COLUMNS:?}"
            ));
        }
    }
    lines
        .map(|(n, l)| parse(n, l).map_err(|e| format!("otp_oracles.tsv:{n}: {e}: {l}")))
        .collect()
}

/// A match elsewhere than `expected` is fine only if that counter's code is the same code.
fn same_or_collision(got: u64, expected: u64, code_at: impl Fn(u64) -> String, code: &str) -> bool {
    got == expected || code_at(got) == code
}

fn check_hotp(row: &Row<'_>, counter: u64) -> Result<(), String> {
    let params = HotpParams {
        algorithm: row.algorithm,
        digits: row.digits,
    };
    let hotp = Hotp::new_allowing_short_key(&row.key, params).map_err(|e| format!("new: {e}"))?;
    match Hotp::new(&row.key, params) {
        Ok(_) if row.key.len() >= Hotp::MIN_KEY_LEN => {}
        Err(Error::KeyTooShort { len, min: 16 }) if len == row.key.len() && len < 16 => {}
        other => {
            return Err(format!(
                "Hotp::new on a {}-byte key: {other:?}",
                row.key.len()
            ));
        }
    }
    let code = hotp.generate(counter);
    if code.as_str() != row.code {
        return Err(format!("generate({counter}) = {code}"));
    }
    let code_at = |c: u64| hotp.generate(c).as_str().to_owned();
    let behind = (row.line % 4) as u64;
    let extra = (row.line % 3) as u32;
    if counter == u64::MAX {
        // Nothing could record that u64::MAX was used, so it is never accepted.
        if let Ok(m) = hotp.verify_uncommitted(row.code, u64::MAX - 1, 5)
            && m.counter == u64::MAX
        {
            return Err("verify accepted counter u64::MAX".into());
        }
        if hotp.verify_uncommitted(row.code, u64::MAX, 0) != Err(Error::WindowOutOfRange) {
            return Err("verify with next counter u64::MAX is not WindowOutOfRange".into());
        }
        return Ok(());
    }
    let next = counter.saturating_sub(behind);
    let look_ahead = (counter - next) as u32 + extra;
    let m = hotp
        .verify_uncommitted(row.code, next, look_ahead)
        .map_err(|e| format!("verify(next {next}, look-ahead {look_ahead}): {e}"))?;
    if !same_or_collision(m.counter, counter, code_at, row.code)
        || m.next_counter != m.counter + 1
        || m.drift != m.counter - next
    {
        return Err(format!(
            "verify(next {next}, look-ahead {look_ahead}) = {m:?}"
        ));
    }
    // Stored state after accepting `counter`: the same code again is a replay.
    if counter < u64::MAX - 1 {
        match hotp.verify_uncommitted(row.code, counter + 1, extra) {
            Err(Error::Replay) => {}
            Ok(m) if code_at(m.counter) == row.code => {}
            other => return Err(format!("verify again after acceptance: {other:?}")),
        }
    }
    Ok(())
}

fn check_totp(row: &Row<'_>, time: u64, period: u64, t0: u64) -> Result<(), String> {
    let params = TotpParams {
        algorithm: row.algorithm,
        digits: row.digits,
        period,
        t0,
    };
    let totp = Totp::new_allowing_short_key(&row.key, params).map_err(|e| format!("new: {e}"))?;
    let step = (time - t0) / period;
    match totp.step_at(time) {
        Ok(s) if s == step => {}
        other => return Err(format!("step_at({time}) = {other:?}, expected {step}")),
    }
    match totp.generate_at(time) {
        Ok(c) if c.as_str() == row.code => {}
        other => return Err(format!("generate_at({time}) = {other:?}")),
    }
    if totp.generate_step(step).as_str() != row.code {
        return Err(format!("generate_step({step}) differs"));
    }
    let code_at = |s: u64| totp.generate_step(s).as_str().to_owned();
    let behind = (row.line % 3) as u32;
    let ahead = (row.line % 5) as u32;
    let window = Window::new(behind, ahead).map_err(|e| e.to_string())?;
    let m = totp
        .verify_at_uncommitted(row.code, time, None, window)
        .map_err(|e| format!("verify_at({time}, {window:?}): {e}"))?;
    if !same_or_collision(m.step, step, code_at, row.code)
        || i128::from(m.drift) != i128::from(m.step) - i128::from(step)
    {
        return Err(format!("verify_at({time}, {window:?}) = {m:?}"));
    }
    // The code seen from a clock that is `offset` steps off, with a window that reaches it.
    let offset = (row.line % 7) as u64;
    let window = Window::symmetric(offset as u32).map_err(|e| e.to_string())?;
    for center in [step.checked_add(offset), step.checked_sub(offset)]
        .into_iter()
        .flatten()
    {
        let m = totp
            .verify_step_uncommitted(row.code, center, None, window)
            .map_err(|e| format!("verify_step(center {center}, ±{offset}): {e}"))?;
        let drift = i128::from(step) - i128::from(center);
        if !(m.step == step && i128::from(m.drift) == drift
            || m.step != step && code_at(m.step) == row.code)
        {
            return Err(format!("verify_step(center {center}, ±{offset}) = {m:?}"));
        }
    }
    // With this step stored as the last accepted one, the same code is a replay.
    match totp.verify_at_uncommitted(row.code, time, Some(step), Window::default()) {
        Err(Error::Replay) => {}
        Ok(m) if m.step > step && code_at(m.step) == row.code => {}
        other => return Err(format!("verify_at again after acceptance: {other:?}")),
    }
    Ok(())
}

fn check(row: &Row<'_>) -> Result<(), String> {
    match row.kind {
        Kind::Hotp { counter } => check_hotp(row, counter),
        Kind::Totp { time, period, t0 } => check_totp(row, time, period, t0),
    }
}

#[test]
fn every_oracle_vector_generates_and_verifies() {
    let rows = rows().unwrap();
    let mut failures = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if let Err(why) = check(row) {
            let text = VECTORS.lines().nth(row.line - 1).unwrap_or_default();
            failures.push(format!(
                "row #{} (line {}): {why}\n    {text}",
                i + 1,
                row.line
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} oracle vectors failed:\n{}",
        failures.len(),
        rows.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn vector_file_covers_what_it_promises() {
    let rows = rows().unwrap();
    assert!(rows.len() >= 3000, "only {} rows", rows.len());
    for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
        for digits in 6..=10 {
            for hotp in [true, false] {
                assert!(
                    rows.iter().any(|r| r.algorithm == algorithm
                        && r.digits == digits
                        && matches!(r.kind, Kind::Hotp { .. }) == hotp),
                    "no {} {algorithm} {digits}-digit row",
                    if hotp { "HOTP" } else { "TOTP" }
                );
            }
        }
    }
    for edge in [0, 1 << 31, 1 << 32, 1 << 63, u64::MAX] {
        assert!(
            rows.iter()
                .any(|r| matches!(r.kind, Kind::Hotp { counter } if counter == edge))
        );
        assert!(
            rows.iter()
                .any(|r| matches!(r.kind, Kind::Totp { time, .. } if time == edge))
        );
    }
    for len in [1, 255] {
        assert!(rows.iter().any(|r| r.key.len() == len), "no {len}-byte key");
    }
    assert!(
        rows.iter()
            .any(|r| matches!(r.kind, Kind::Totp { t0, .. } if t0 != 0))
    );
    assert!(
        rows.iter()
            .any(|r| matches!(r.kind, Kind::Totp { period: 1, .. }))
    );
    assert!(
        rows.iter()
            .any(|r| matches!(r.kind, Kind::Totp { period: 120, .. }))
    );
    // Each row was agreed by at least two oracles.
    assert!(rows.iter().all(|r| r.oracles.split(',').count() >= 2));
}

#[test]
fn rfc_rows_are_present() {
    // RFC 6238 App. B, SHA-256 with the 32-byte key of erratum 2866, and RFC 4226 App. D.
    let rows = rows().unwrap();
    assert!(rows.iter().any(|r| r.code == "46119246"
        && r.algorithm == Algorithm::Sha256
        && r.key.len() == 32
        && matches!(r.kind, Kind::Totp { time: 59, .. })));
    assert!(rows.iter().any(|r| r.code == "520489"
        && matches!(r.kind, Kind::Hotp { counter: 9 })
        && r.key == b"12345678901234567890"));
}
