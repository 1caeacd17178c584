//! The OCRASuite grammar: splitting, the crypto function, question and time-step fields, and
//! the canonical writer.

use crate::Algorithm;

use super::{ChallengeFormat, OcraSuite, SuiteError, SuiteErrorKind, TimeStep, TimeUnit};

/// Splits `bytes` on `sep`, yielding each part with its offset.
pub(super) struct Parts<'a> {
    bytes: &'a [u8],
    pos: usize,
    sep: u8,
    done: bool,
}

impl<'a> Parts<'a> {
    pub(super) fn new(bytes: &'a [u8], sep: u8) -> Parts<'a> {
        Parts {
            bytes,
            pos: 0,
            sep,
            done: false,
        }
    }
}

impl<'a> Iterator for Parts<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        if self.done {
            return None;
        }
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        let start = self.pos;
        match rest.iter().position(|&b| b == self.sep) {
            Some(i) => {
                self.pos += i + 1;
                Some((start, rest.get(..i).unwrap_or(&[])))
            }
            None => {
                self.done = true;
                Some((start, rest))
            }
        }
    }
}

pub(super) fn parse_crypto_function(
    at: usize,
    crypto: &[u8],
) -> Result<(Algorithm, u8), SuiteError> {
    let mut parts = Parts::new(crypto, b'-');
    let bad = SuiteError::new(at, SuiteErrorKind::CryptoFunction);
    let (_, hotp) = parts.next().ok_or(bad)?;
    let (hash_at, hash) = parts.next().ok_or(bad)?;
    let (digits_at, digits) = parts.next().ok_or(bad)?;
    if parts.next().is_some() || !hotp.eq_ignore_ascii_case(b"HOTP") {
        return Err(bad);
    }
    let algorithm =
        parse_hash(hash, SuiteErrorKind::Hash).map_err(|k| SuiteError::new(at + hash_at, k))?;
    let digits = match digits {
        b"0" => 0,
        [d @ b'4'..=b'9'] => d - b'0',
        b"10" => 10,
        _ => return Err(SuiteError::new(at + digits_at, SuiteErrorKind::Digits)),
    };
    Ok((algorithm, digits))
}

pub(super) fn parse_hash(
    name: &[u8],
    unknown: SuiteErrorKind,
) -> Result<Algorithm, SuiteErrorKind> {
    if name.eq_ignore_ascii_case(b"SHA1") {
        #[cfg(otpkit_sha1)]
        return Ok(Algorithm::Sha1);
        #[cfg(not(otpkit_sha1))]
        return Err(SuiteErrorKind::HashNotEnabled);
    }
    if name.eq_ignore_ascii_case(b"SHA256") {
        #[cfg(feature = "sha256")]
        return Ok(Algorithm::Sha256);
        #[cfg(not(feature = "sha256"))]
        return Err(SuiteErrorKind::HashNotEnabled);
    }
    if name.eq_ignore_ascii_case(b"SHA512") {
        #[cfg(feature = "sha512")]
        return Ok(Algorithm::Sha512);
        #[cfg(not(feature = "sha512"))]
        return Err(SuiteErrorKind::HashNotEnabled);
    }
    Err(unknown)
}

pub(super) fn hash_name(algorithm: Algorithm) -> &'static [u8] {
    match algorithm {
        #[cfg(otpkit_sha1)]
        Algorithm::Sha1 => b"SHA1",
        #[cfg(feature = "sha256")]
        Algorithm::Sha256 => b"SHA256",
        #[cfg(feature = "sha512")]
        Algorithm::Sha512 => b"SHA512",
    }
}

pub(super) fn parse_question(at: usize, rest: &[u8]) -> Result<(ChallengeFormat, u8), SuiteError> {
    let (&format, len) = rest
        .split_first()
        .ok_or(SuiteError::new(at, SuiteErrorKind::QuestionFormat))?;
    let format = match format.to_ascii_uppercase() {
        b'A' => ChallengeFormat::Alphanumeric,
        b'N' => ChallengeFormat::Numeric,
        b'H' => ChallengeFormat::Hexadecimal,
        _ => return Err(SuiteError::new(at, SuiteErrorKind::QuestionFormat)),
    };
    let len = parse_decimal(len, 1, 2)
        .filter(|n| (4..=64).contains(n))
        .and_then(|n| u8::try_from(n).ok())
        .ok_or(SuiteError::new(at, SuiteErrorKind::QuestionLength))?;
    Ok((format, len))
}

pub(super) fn parse_time_step(rest: &[u8]) -> Option<TimeStep> {
    let (&unit, count) = rest.split_last()?;
    let unit = match unit.to_ascii_uppercase() {
        b'S' => TimeUnit::Seconds,
        b'M' => TimeUnit::Minutes,
        b'H' => TimeUnit::Hours,
        _ => return None,
    };
    let count = u8::try_from(parse_decimal(count, 1, 2)?).ok()?;
    TimeStep::new(count, unit)
}

/// `min..=max` ASCII digits as a number.
pub(super) fn parse_decimal(digits: &[u8], min: usize, max: usize) -> Option<u16> {
    if digits.len() < min || digits.len() > max {
        return None;
    }
    digits.iter().try_fold(0u16, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0'))
    })
}

/// Fills the canonical text; every canonical suite fits in `MAX_LEN`.
pub(super) struct Writer {
    pub(super) buf: [u8; OcraSuite::MAX_LEN],
    pub(super) len: u8,
}

impl Writer {
    pub(super) fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some(slot) = self.buf.get_mut(usize::from(self.len)) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    /// `n` in decimal, zero-padded to `width` digits (n < 1000).
    pub(super) fn number(&mut self, n: u16, width: usize) {
        let digit = |d: u16| u8::try_from(d % 10).unwrap_or(0);
        let digits = [digit(n / 100), digit(n / 10), digit(n)];
        let significant = if n >= 100 {
            3
        } else if n >= 10 {
            2
        } else {
            1
        };
        let shown = significant.max(width).min(3);
        for &d in digits.iter().skip(3 - shown) {
            self.push(&[b'0' + d]);
        }
    }
}
