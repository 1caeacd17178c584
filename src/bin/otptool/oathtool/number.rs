//! `-c`, `-d` and `-w` as gengetopt reads them: C's `strtol` with base 0.

/// A number as C's `strtol(s, _, 0)` reads it.
#[derive(Clone, Copy)]
pub struct Number {
    pub negative: bool,
    /// Saturated at `u128::MAX`.
    pub magnitude: u128,
    /// The text was empty (C reads 0).
    pub empty: bool,
}

/// `16`, `0x10`, `020`, with leading blanks and a sign; `None` for anything else after the
/// number, which gengetopt calls an "invalid numeric value".
pub fn c_number(s: &str) -> Option<Number> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..)?),
        Some(b'+') => (false, t.get(1..)?),
        _ => (false, t),
    };
    let (digits, radix) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) if h.starts_with(|c: char| c.is_ascii_hexdigit()) => (h, 16),
        // "0x" alone: C reads the 0 and stops at the x.
        Some(_) => return None,
        None if t.len() > 1 && t.starts_with('0') => (t.get(1..)?, 8),
        None => (t, 10),
    };
    // No digits at all: C converts nothing, and only an empty text then ends at its end.
    if !digits.chars().all(|c| c.is_digit(radix)) || (digits.is_empty() && !s.is_empty()) {
        return None;
    }
    let magnitude = digits.chars().fold(0u128, |acc, c| {
        acc.saturating_mul(u128::from(radix))
            .saturating_add(u128::from(c.to_digit(radix).unwrap_or(0)))
    });
    Some(Number {
        negative,
        magnitude,
        empty: s.is_empty(),
    })
}
