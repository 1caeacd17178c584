#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation
)]

//! The properties the fuzz targets check, one function per target, on raw fuzzer bytes.
//!
//! The same file is compiled into `tests/fuzz_corpus.rs`, which replays the committed corpus on
//! stable Rust, so every finding stays fixed. `impl_*` targets feed outside input to one entry
//! point and check that it never panics and that what it accepts is self-consistent; `spec_*`
//! targets compare otpkit against an independent construction (the `hmac` crate).

use hmac::{KeyInit, Mac};
use otpkit::{Algorithm, Code, Error, Hotp, HotpParams, Secret, Totp, TotpParams, Window};

/// Reads fixed-size fields from the front of the fuzzer's bytes, zeros once they run out.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn u8(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
        self.0 = rest;
        first
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        b.iter_mut().for_each(|x| *x = self.u8());
        u64::from_le_bytes(b)
    }

    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.0.split_at(n.min(self.0.len()));
        self.0 = b;
        a
    }

    /// The rest, as text (lossy: invalid UTF-8 becomes U+FFFD, which is still outside input).
    fn rest(self) -> String {
        String::from_utf8_lossy(self.0).into_owned()
    }

    fn algorithm(&mut self) -> Algorithm {
        match self.u8() % 3 {
            0 => Algorithm::Sha1,
            1 => Algorithm::Sha256,
            _ => Algorithm::Sha512,
        }
    }
}

/// The code a verifier compares against: the typed digits without spaces.
fn typed_digits(code: &str) -> String {
    code.chars().filter(|&c| c != ' ').collect()
}

/// `Secret::from_base32` on any text: never panics; what it accepts is what a plain RFC 4648
/// decoder makes of the same characters, and its canonical form decodes back to it.
pub fn impl_secret_base32(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(secret) = Secret::from_base32(text) else {
        return;
    };
    assert_eq!(
        secret.as_ref(),
        reference_base32(text).as_slice(),
        "{text:?}"
    );
    let mut canonical = String::new();
    secret.write_base32(&mut canonical).unwrap();
    assert_eq!(canonical.len(), secret.base32_len());
    assert!(
        canonical
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    );
    let again = Secret::from_base32(&canonical).unwrap();
    assert_eq!(again.as_ref(), secret.as_ref());
}

/// RFC 4648 §6 decoding after dropping separators and padding; leftover bits are dropped.
fn reference_base32(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|b| !b" -=".contains(b)) {
        let v = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("accepted a character outside the alphabet: {text:?}"),
        };
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// `Code::parse` on any text and digit count: never panics, and accepts exactly the inputs made
/// of `digits` ASCII digits and any spaces.
pub fn impl_code_parse(data: &[u8]) {
    let mut input = Input(data);
    let digits = input.u8() % 12;
    let text = input.rest();
    let valid = (1..=10).contains(&digits)
        && text.bytes().all(|b| b == b' ' || b.is_ascii_digit())
        && text.bytes().filter(u8::is_ascii_digit).count() == usize::from(digits);
    match Code::parse(&text, digits) {
        Ok(code) => {
            assert!(valid, "{text:?} {digits}");
            assert_eq!(code.len(), usize::from(digits));
            assert_eq!(code.as_str(), typed_digits(&text));
            assert_eq!(code.to_string(), code.as_str());
        }
        Err(_) => assert!(!valid, "{text:?} {digits}"),
    }
}

/// `Hotp::verify` and `Hotp::resync` on any code and state: never panic; an accepted code is
/// the code of the counter reported, inside the look-ahead; a mismatch matches no candidate.
pub fn impl_hotp_verify(data: &[u8]) {
    let mut input = Input(data);
    let algorithm = input.algorithm();
    let digits = 5 + input.u8() % 7;
    let look_ahead = u32::from(input.u8() % 40);
    let resync = input.u8() % 4 == 0;
    let next = match input.u8() % 4 {
        0 => u64::MAX - u64::from(input.u8()),
        1 => u64::from(input.u8()),
        _ => input.u64(),
    };
    let key_len = usize::from(input.u8() % 80);
    let key = input.bytes(key_len);
    let text = input.rest();
    let Ok(hotp) = Hotp::new_allowing_short_key(key, HotpParams { algorithm, digits }) else {
        return;
    };
    if resync {
        let codes: Vec<&str> = text.split(',').take(9).collect();
        if let Ok(m) = hotp.resync(&codes, next, look_ahead) {
            let first = m.counter - (codes.len() as u64 - 1);
            assert!(first >= next && first <= next.saturating_add(u64::from(look_ahead)));
            for (i, code) in codes.iter().enumerate() {
                assert_eq!(hotp.generate(first + i as u64).as_str(), typed_digits(code));
            }
        }
        return;
    }
    match hotp.verify(&text, next, look_ahead) {
        Ok(m) => {
            assert!(m.counter >= next && m.counter - next <= u64::from(look_ahead));
            assert_ne!(m.counter, u64::MAX);
            assert_eq!(m.next_counter, m.counter + 1);
            assert_eq!(m.drift, m.counter - next);
            assert_eq!(hotp.generate(m.counter).as_str(), typed_digits(&text));
        }
        Err(Error::Mismatch) => {
            let last = next.saturating_add(u64::from(look_ahead)).min(u64::MAX - 1);
            for c in next..=last {
                assert_ne!(
                    hotp.generate(c).as_str(),
                    typed_digits(&text),
                    "counter {c}"
                );
            }
        }
        Err(Error::Replay) => {
            assert_eq!(hotp.generate(next - 1).as_str(), typed_digits(&text));
        }
        Err(_) => {}
    }
}

/// `Totp::verify_at` on any code, time, state and window: never panics; an accepted code is
/// the code of the step reported, inside the window and after the last accepted step.
pub fn impl_totp_verify(data: &[u8]) {
    let mut input = Input(data);
    let algorithm = input.algorithm();
    let digits = 5 + input.u8() % 7;
    let period = match input.u8() % 4 {
        0 => 30,
        1 => u64::from(input.u8()),
        _ => input.u64(),
    };
    let t0 = if input.u8() % 2 == 0 { 0 } else { input.u64() };
    let time = input.u64();
    let last_step = match input.u8() % 3 {
        0 => None,
        _ => Some(input.u64()),
    };
    let window = Window::new(u32::from(input.u8() % 8), u32::from(input.u8() % 8));
    let key_len = usize::from(input.u8() % 80);
    let key = input.bytes(key_len);
    let text = input.rest();
    let params = TotpParams {
        algorithm,
        digits,
        period,
        t0,
    };
    let (Ok(totp), Ok(window)) = (Totp::new_allowing_short_key(key, params), window) else {
        return;
    };
    let Ok(center) = totp.step_at(time) else {
        assert!(totp.verify_at(&text, time, last_step, window).is_err());
        return;
    };
    match totp.verify_at(&text, time, last_step, window) {
        Ok(m) => {
            assert_eq!(i128::from(m.step) - i128::from(center), i128::from(m.drift));
            assert!(m.drift >= -i64::from(window.behind()) && m.drift <= i64::from(window.ahead()));
            assert!(last_step.is_none_or(|l| m.step > l));
            assert_eq!(totp.generate_step(m.step).as_str(), typed_digits(&text));
        }
        Err(Error::Mismatch) => {
            let lo = center.saturating_sub(u64::from(window.behind()));
            let hi = center.saturating_add(u64::from(window.ahead()));
            for s in lo..=hi {
                assert_ne!(
                    totp.generate_step(s).as_str(),
                    typed_digits(&text),
                    "step {s}"
                );
            }
        }
        Err(_) => {}
    }
}

/// Generation against the `hmac` crate (RFC 4226 §5.3 over RFC 2104 HMAC), then round trips:
/// the generated code verifies at its own step, once, by TOTP and by HOTP.
pub fn spec_generate_verify(data: &[u8]) {
    let mut input = Input(data);
    let algorithm = input.algorithm();
    let digits = 6 + input.u8() % 5;
    let period = 1 + u64::from(input.u16());
    let t0 = u64::from(input.u16());
    let time = t0 + input.u64() % (u64::MAX - t0);
    let key_len = 1 + usize::from(input.u8());
    let key = input.bytes(key_len);
    if key.is_empty() {
        return;
    }
    let params = TotpParams {
        algorithm,
        digits,
        period,
        t0,
    };
    let totp = Totp::new_allowing_short_key(key, params).unwrap();
    let step = (time - t0) / period;
    assert_eq!(totp.step_at(time), Ok(step));
    let code = totp.generate_at(time).unwrap();
    assert_eq!(code.as_str(), reference_code(algorithm, key, step, digits));

    let m = totp
        .verify_at(code.as_str(), time, None, Window::EXACT)
        .unwrap();
    assert_eq!((m.step, m.drift), (step, 0));
    assert_eq!(
        totp.verify_at(code.as_str(), time, Some(step), Window::EXACT),
        Err(Error::Replay)
    );

    let hotp = Hotp::new_allowing_short_key(key, HotpParams { algorithm, digits }).unwrap();
    assert_eq!(hotp.generate(step).as_str(), code.as_str());
    if step < u64::MAX {
        let m = hotp.verify(code.as_str(), step, 0).unwrap();
        assert_eq!((m.counter, m.next_counter), (step, step + 1));
    }
}

/// HOTP by the book, through the `hmac` crate.
fn reference_code(algorithm: Algorithm, key: &[u8], counter: u64, digits: u8) -> String {
    fn mac<M: Mac + KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <M as KeyInit>::new_from_slice(key).unwrap();
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }
    let msg = counter.to_be_bytes();
    let digest = match algorithm {
        Algorithm::Sha1 => mac::<hmac::Hmac<sha1::Sha1>>(key, &msg),
        Algorithm::Sha256 => mac::<hmac::Hmac<sha2::Sha256>>(key, &msg),
        _ => mac::<hmac::Hmac<sha2::Sha512>>(key, &msg),
    };
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let value = u32::from_be_bytes(digest[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    let reduced = u64::from(value) % 10u64.pow(u32::from(digits));
    format!("{reduced:0width$}", width = usize::from(digits))
}
