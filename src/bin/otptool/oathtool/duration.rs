//! `-s`/`--time-step-size` as oathtool reads it: gnulib's `parse_duration` grammar.
//!
//! - Plain numbers with optional units in this order, each at most once: `30`, `30s`, `1m`,
//!   `1m30s`, `1m 30`, `2h`, `1d`, `1W`, `1M` (month, 30 days), `1Y` (365 days).
//! - Clock forms: `1:30` (MM:SS), `1:02:03` (HH:MM:SS), also after units (`1h 2:03`).
//! - ISO 8601: `P1D`, `P1Y2M3W4D`, `P0001-02-03`, `P00010203`, `P0DT1H2M3S`, `T30S`,
//!   `T1H2M3S`, `T01:02:03`, `T010203` (a `P` needs a date part: `PT30S` is refused).
//! - Totals past 2^63 - 1 seconds are refused, as in gnulib.
//!
//! Minus signs, which C's `strtoul` would wrap, are refused.

/// gnulib's `TIME_MAX`: the largest `time_t`.
const TIME_MAX: i64 = i64::MAX;
const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;
const MONTH: i64 = 30 * DAY;
const YEAR: i64 = 365 * DAY;

/// The duration in seconds, or `None` where oathtool says "cannot parse time".
pub fn parse(text: &str) -> Option<i64> {
    let s = text.as_bytes();
    let start = skip_spaces(s, 0);
    match s.get(start) {
        Some(b'P') => period(s.get(start + 1..)?),
        Some(b'T') => time(s.get(start + 1..)?),
        Some(b) if b.is_ascii_digit() => non_iso(s.get(start..)?),
        _ => None,
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while s.get(i).copied().is_some_and(is_space) {
        i += 1;
    }
    i
}

fn find(s: &[u8], from: usize, b: u8) -> Option<usize> {
    s.get(from..)?
        .iter()
        .position(|&c| c == b)
        .map(|p| p + from)
}

/// `strtoul(s + i, &end, 10)`: (value, end). No digits: `(0, i)`. A minus sign or a value
/// past `i64::MAX` is `None` (C would wrap it or report `ERANGE`).
fn number(s: &[u8], i: usize) -> Option<(i64, usize)> {
    let mut j = skip_spaces(s, i);
    match s.get(j) {
        Some(b'+') => j += 1,
        Some(b'-') => return None,
        _ => {}
    }
    let first = j;
    let mut value: i64 = 0;
    while let Some(d) = s.get(j).filter(|b| b.is_ascii_digit()) {
        value = value.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
        j += 1;
    }
    if j == first {
        return Some((0, i));
    }
    Some((value, j))
}

/// `base + value * scale`, refusing totals past `TIME_MAX`.
fn scale_add(base: i64, value: i64, scale: i64) -> Option<i64> {
    if value > TIME_MAX / scale {
        return None;
    }
    let value = value * scale;
    if base > TIME_MAX - value {
        return None;
    }
    Some(base + value)
}

/// A number from `i` that, with trailing blanks, ends exactly at `end`: `base + n * scale`.
fn scaled(base: i64, s: &[u8], i: usize, end: usize, scale: i64) -> Option<i64> {
    let (value, j) = number(s, i)?;
    if skip_spaces(s, j) != end {
        return None;
    }
    scale_add(base, value, scale)
}

/// Fixed-width digits, as in `YYYYMMDD` and `HHMMSS`.
fn fixed(s: &[u8], widths: [(usize, i64); 3]) -> Option<i64> {
    if s.len() != widths.iter().map(|w| w.0).sum::<usize>() {
        return None;
    }
    let mut res = 0;
    let mut at = 0;
    for (width, scale) in widths {
        let part = s.get(at..at + width)?;
        res = scaled(res, part, 0, width, scale)?;
        at += width;
    }
    Some(res)
}

/// Numbers each followed by one of `units` (in this order, each optional), then the end.
fn suffixed(s: &[u8], units: &[(u8, i64)]) -> Option<i64> {
    let mut res = 0;
    let mut i = 0;
    for &(unit, scale) in units {
        if let Some(at) = find(s, i, unit) {
            res = scaled(res, s, i, at, scale)?;
            i = at + 1;
        }
    }
    (skip_spaces(s, i) == s.len()).then_some(res)
}

/// `H:M:S` with exactly two colons, each part a number.
fn colons(s: &[u8], first: usize) -> Option<i64> {
    let res = scaled(0, s, 0, first, HOUR)?;
    let second = find(s, first + 1, b':')?;
    let res = scaled(res, s, first + 1, second, MINUTE)?;
    scaled(res, s, second + 1, s.len(), 1)
}

/// After `T` (ISO 8601 time part).
fn time(s: &[u8]) -> Option<i64> {
    if let Some(colon) = find(s, 0, b':') {
        colons(s, colon)
    } else if !s.iter().any(|b| matches!(b, b'H' | b'M' | b'S')) {
        fixed(s, [(2, HOUR), (2, MINUTE), (2, 1)])
    } else {
        suffixed(s, &[(b'H', HOUR), (b'M', MINUTE), (b'S', 1)])
    }
}

fn trim(s: &[u8]) -> &[u8] {
    let start = skip_spaces(s, 0);
    let mut end = s.len();
    while end > start && s.get(end - 1).copied().is_some_and(is_space) {
        end -= 1;
    }
    s.get(start..end).unwrap_or_default()
}

/// After `P` (ISO 8601 period, with an optional `T` time part).
fn period(s: &[u8]) -> Option<i64> {
    let (date, clock) = match find(s, 0, b'T') {
        Some(t) => (trim(s.get(..t)?), Some(trim(s.get(t + 1..)?))),
        None => (s, None),
    };
    let res = if let Some(dash) = find(date, 0, b'-') {
        let res = scaled(0, date, 0, dash, YEAR)?;
        let second = find(date, dash + 1, b'-')?;
        let res = scaled(res, date, dash + 1, second, MONTH)?;
        scaled(res, date, second + 1, date.len(), DAY)?
    } else if !date.iter().any(|b| matches!(b, b'Y' | b'M' | b'W' | b'D')) {
        fixed(date, [(4, YEAR), (2, MONTH), (2, DAY)])?
    } else {
        suffixed(
            date,
            &[(b'Y', YEAR), (b'M', MONTH), (b'W', WEEK), (b'D', DAY)],
        )?
    };
    match clock {
        Some(c) => scale_add(res, time(c)?, 1),
        None => Some(res),
    }
}

/// `[[H:]M:]S` after a number `start` already read: each `:N` multiplies what came before by
/// 60 (at most two colons), then only blanks.
fn clock(mut start: i64, s: &[u8], mut i: usize) -> Option<i64> {
    let mut colons = 0;
    while s.get(i) == Some(&b':') && colons < 2 {
        colons += 1;
        let (v, j) = number(s, i + 1)?;
        start = scale_add(v, start, MINUTE)?;
        i = if j == i + 1 { i + 1 } else { j };
    }
    (skip_spaces(s, i) == s.len()).then_some(start)
}

/// `1d 2h 3m 4s`, `1M`, `1:30`: units from years down to seconds, each at most once.
fn non_iso(s: &[u8]) -> Option<i64> {
    // How far down the units the parse has come: year 1, month 2, ..., second 7.
    let mut done = 0;
    let mut res = 0;
    let mut i = 0;
    loop {
        let (value, j) = number(s, i)?;
        i = j;
        if s.get(i) == Some(&b':') {
            if done >= 6 {
                return None;
            }
            let value = clock(value, s, i)?;
            if done == 5 && value >= HOUR {
                return None;
            }
            return scale_add(res, value, 1);
        }
        i = skip_spaces(s, i);
        let (rank, scale) = match s.get(i) {
            None => return scale_add(res, value, 1),
            Some(b'y' | b'Y') => (1, YEAR),
            Some(b'M') => (2, MONTH),
            Some(b'W') => (3, WEEK),
            Some(b'd' | b'D') => (4, DAY),
            Some(b'h') => (5, HOUR),
            Some(b'm') => (6, MINUTE),
            Some(b's') => (7, 1),
            Some(_) => return None,
        };
        if rank != 7 && done >= rank {
            return None;
        }
        done = rank;
        res = scale_add(res, value, scale)?;
        i = skip_spaces(s, i + 1);
        match s.get(i) {
            None => return Some(res),
            Some(b) if b.is_ascii_digit() && done < 7 => {}
            Some(_) => return None,
        }
    }
}
