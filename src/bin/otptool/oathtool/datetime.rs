//! `-N`/`--now` and `-S`/`--start-time` as oathtool reads them (GNU `parse_datetime`: the
//! grammar of `date -d`), and the UTC dates `-v` prints.
//!
//! Dates are read by uutils' [`parse_datetime`], a Rust implementation of GNU date's
//! grammar: `2024-01-01`, `2024-01-01 12:00[:00]` with or without `UTC` or `+0900`, `@N`,
//! `now`, `now + 30 seconds`, `hour`, `tomorrow`, `last friday`, ... A date without a zone is
//! local time, in the zone `TZ` names (the system's when unset), as in oathtool.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use parse_datetime::parse_datetime_at_date;

/// The Unix time `text` stands for, relative to `now`, or `None` where it cannot be read.
///
/// `@N` with N past `i64::MAX` (up to `u64::MAX`) is read too: otpkit takes 64-bit unsigned
/// times, oathtool's `time_t` cannot.
pub fn parse(text: &str, now: i64, tz: &TimeZone) -> Option<i128> {
    if let Some(big) = large_epoch(text) {
        return Some(big);
    }
    let base = Timestamp::from_second(now).ok()?.to_zoned(tz.clone());
    // GNU reads an empty date as the start of today.
    if text.trim().is_empty() {
        return Some(i128::from(
            base.start_of_day().ok()?.timestamp().as_second(),
        ));
    }
    let parsed = parse_datetime_at_date(base, text).ok()?;
    Some(i128::from(parsed.unix_epoch_second()))
}

/// `@N` for any integer N, read exactly (GNU takes any `time_t`; jiff only its own range, and
/// otpkit takes times up to 2^64 - 1). Blanks and a sign are allowed, as GNU allows them.
fn large_epoch(text: &str) -> Option<i128> {
    let digits = text.trim().strip_prefix('@')?.trim_start();
    let (negative, digits) = match digits.as_bytes().first() {
        Some(b'-') => (true, digits.get(1..)?),
        Some(b'+') => (false, digits.get(1..)?),
        _ => (false, digits),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(if negative {
        -i128::from(n)
    } else {
        i128::from(n)
    })
}

/// `%Y-%m-%d %H:%M:%S UTC` of a Unix time, as oathtool's `gmtime_r` + `strftime` print it;
/// `None` where `gmtime_r` fails (a year past `i32::MAX + 1900`).
pub fn utc(time: i128) -> Option<String> {
    let days = time.div_euclid(86_400);
    let secs = time.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days, in i128 so that no time overflows.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    if i32::try_from(year - 1900).is_err() {
        return None;
    }
    Some(format!(
        "{year}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ))
}
