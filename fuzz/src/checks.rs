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
use otpkit::migration::Migration;
use otpkit::ocra::{DataInput, Ocra, OcraSuite, Role};
use otpkit::uri::{OtpAuthUri, ParseOptions};
use otpkit::{
    Algorithm, Code, Error, Hotp, HotpParams, Policy, Secret, StateRecord, Totp, TotpParams, Window,
};

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

/// `Secret::decode_base32` on any text: never panics; what it accepts is what a plain RFC 4648
/// decoder makes of the same characters, and its canonical form decodes back to it.
pub fn impl_secret_base32(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let mut secret = Secret::EMPTY;
    if secret.decode_base32(text).is_err() {
        assert!(secret.is_empty());
        return;
    }
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
    let mut again = Secret::EMPTY;
    again.decode_base32(&canonical).unwrap();
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

/// `Hotp::verify_uncommitted` and `Hotp::resync_uncommitted` on any code and state: never panic; an accepted code is
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
        if let Ok(m) = hotp.resync_uncommitted(&codes, next, look_ahead) {
            let first = m.counter - (codes.len() as u64 - 1);
            assert!(first >= next && first <= next.saturating_add(u64::from(look_ahead)));
            for (i, code) in codes.iter().enumerate() {
                assert_eq!(hotp.generate(first + i as u64).as_str(), typed_digits(code));
            }
        }
        return;
    }
    match hotp.verify_uncommitted(&text, next, look_ahead) {
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

/// `Totp::verify_at_uncommitted` on any code, time, state and window: never panics; an accepted code is
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
        assert!(
            totp.verify_at_uncommitted(&text, time, last_step, window)
                .is_err()
        );
        return;
    };
    match totp.verify_at_uncommitted(&text, time, last_step, window) {
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
        .verify_at_uncommitted(code.as_str(), time, None, Window::EXACT)
        .unwrap();
    assert_eq!((m.step, m.drift), (step, 0));
    assert_eq!(
        totp.verify_at_uncommitted(code.as_str(), time, Some(step), Window::EXACT),
        Err(Error::Replay)
    );

    let hotp = Hotp::new_allowing_short_key(key, HotpParams { algorithm, digits }).unwrap();
    assert_eq!(hotp.generate(step).as_str(), code.as_str());
    if step < u64::MAX {
        let m = hotp.verify_uncommitted(code.as_str(), step, 0).unwrap();
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

/// `OcraSuite::parse` on any text: never panics; an accepted suite's canonical form parses back
/// to itself, and the original text is kept as given.
pub fn impl_ocra_suite(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(suite) = OcraSuite::parse(text) else {
        return;
    };
    assert_eq!(suite.as_str(), text);
    let canonical = suite.canonical();
    let again = OcraSuite::parse(canonical.as_str()).unwrap();
    assert_eq!(again.canonical(), canonical);
    assert_eq!(again.algorithm(), suite.algorithm());
    assert_eq!(again.digits(), suite.digits());
}

/// Suites covering every data input element, the digit counts and all three hashes.
const OCRA_SUITES: [&str; 8] = [
    "OCRA-1:HOTP-SHA1-6:QN08",
    "OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1",
    "OCRA-1:HOTP-SHA512-8:C-QN08",
    "OCRA-1:HOTP-SHA512-8:QN08-T1M",
    "OCRA-1:HOTP-SHA256-8:QA08",
    "OCRA-1:HOTP-SHA1-0:QH40-PSHA256",
    "OCRA-1:HOTP-SHA1-10:QA64-S064",
    "OCRA-1:HOTP-SHA256-6:C-QH64-PSHA512-S128-T30S",
];

/// OCRA compute and verify (exact, counter look-ahead, time window) on any inputs: never
/// panic; a computed response verifies against the input it was computed for.
pub fn impl_ocra_verify(data: &[u8]) {
    let mut input = Input(data);
    let suite = OcraSuite::parse(OCRA_SUITES[usize::from(input.u8()) % OCRA_SUITES.len()]).unwrap();
    let counter = input.u64();
    let time = input.u64();
    let look_ahead = u32::from(input.u8() % 16);
    let window = Window::symmetric(u32::from(input.u8() % 4)).unwrap();
    let mode = input.u8();
    let key_len = usize::from(input.u8() % 80);
    let key = input.bytes(key_len);
    let q_len = usize::from(input.u8() % 80);
    let question = String::from_utf8_lossy(input.bytes(q_len)).into_owned();
    let extra_len = usize::from(input.u8());
    let extra = input.bytes(extra_len);
    let response = input.rest();
    let Ok(ocra) = Ocra::new(suite, key) else {
        assert!(key.is_empty());
        return;
    };
    let mut di = if mode & 1 == 0 {
        DataInput::new().question(&question)
    } else {
        let mid = (0..=question.len() / 2)
            .rev()
            .find(|&i| question.is_char_boundary(i))
            .unwrap_or(0);
        let (a, b) = question.split_at(mid);
        let role = if mode & 2 == 0 {
            Role::Client
        } else {
            Role::Server
        };
        DataInput::new().mutual(role, a, b)
    };
    if mode & 4 != 0 {
        di = di.counter(counter);
    }
    if mode & 8 != 0 {
        di = di.password(extra);
    } else if mode & 16 != 0 {
        di = di.password_hash(extra);
    }
    if mode & 32 != 0 {
        di = di.session(extra);
    }
    if mode & 64 != 0 {
        di = di.unix_time(time);
    }
    let _ = ocra.verify(&response, &di);
    let _ = ocra.verify_counter_uncommitted(&response, &di, counter, look_ahead);
    let _ = ocra.verify_at_uncommitted(&response, &di, time, None, window);
    if let Ok(r) = ocra.compute(&di) {
        let text = r.to_string();
        assert_eq!(ocra.verify(&text, &di), Ok(()), "{text}");
    }
}

/// `OtpAuthUri::parse` (lenient and strict) on arbitrary text never panics, refuses text over
/// `uri::MAX_LEN` with `TooLong`, accepts in strict mode only what lenient mode accepts without
/// a quirk, and whatever it accepts and can rebuild parses back to the same value; building a
/// generator from it never panics.
pub fn impl_uri_parse(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let strict = OtpAuthUri::parse_with(text, ParseOptions { strict: true });
    let lenient = OtpAuthUri::parse(text);
    if text.len() > otpkit::uri::MAX_LEN {
        assert_eq!(
            lenient.as_ref().err().map(|e| e.kind),
            Some(otpkit::uri::UriErrorKind::TooLong)
        );
    }
    if let Ok(s) = &strict {
        assert!(s.warnings.first_quirk().is_none());
        assert_eq!(lenient.as_ref().ok().map(|l| &l.uri), Some(&s.uri));
    }
    if let Ok(parsed) = lenient {
        let _ = parsed.uri.generator();
        let _ = parsed.uri.generator_unchecked();
        if let Ok(built) = parsed.uri.to_uri() {
            let again = OtpAuthUri::parse(&built).expect("a built URI parses");
            assert_eq!(again.uri, parsed.uri);
        }
    }
}

/// `Migration::parse` on arbitrary text never panics, refuses text over
/// `migration::MAX_URI_LEN`, and whatever it accepts and can export reads back the same.
pub fn impl_migration_parse(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let parsed = Migration::parse(text);
    if text.len() > otpkit::migration::MAX_URI_LEN {
        assert_eq!(
            parsed.as_ref().err().map(|e| e.kind),
            Some(otpkit::migration::MigrationErrorKind::TooLong)
        );
    }
    if let Ok(m) = parsed {
        assert!(m.entries.len() <= otpkit::migration::MAX_ENTRIES);
        if let Ok(uri) = m.to_uri() {
            let again = Migration::parse(&uri).expect("an exported URI reads back");
            assert_eq!(again, m);
        }
    }
}

/// The hand-written protobuf codec of `otpkit::migration` on arbitrary payloads never panics,
/// and whatever it decodes and can export decodes back to the same value.
pub fn impl_migration_decode(data: &[u8]) {
    if let Ok(m) = Migration::decode_payload(data)
        && let Ok(payload) = m.encode_payload()
    {
        let again = Migration::decode_payload(&payload).expect("an encoded payload decodes");
        assert_eq!(again, m);
    }
}

/// Persisted verifier state: `StateRecord::from_bytes` on any bytes (of format 2's length, and
/// of format 1's) never panics and what it accepts re-encodes to the same bytes (a record of
/// format 1: to format 2 bytes that decode to the same record); then a sequence of verifications (right and wrong
/// codes, any times) driven by the input never panics, and every record it produces survives
/// the byte round trip.
pub fn impl_state_record(data: &[u8]) {
    let mut input = Input(data);
    let raw = input.bytes(StateRecord::ENCODED_LEN);
    for raw in [raw, raw.get(..StateRecord::ENCODED_LEN_V1).unwrap_or(raw)] {
        if let Ok(r) = StateRecord::from_bytes(raw) {
            if raw.first() == Some(&1) {
                assert_eq!(StateRecord::from_bytes(&r.to_bytes()), Ok(r));
            } else {
                assert_eq!(&r.to_bytes()[..], raw);
            }
        }
    }
    let key = b"12345678901234567890";
    let totp = Totp::new(key, TotpParams::default()).unwrap();
    let hotp = Hotp::new(key, HotpParams::default()).unwrap();
    let policy = Policy::default();
    let mut record = if input.u8() % 2 == 0 {
        StateRecord::counter(input.u64() >> (input.u8() % 64))
    } else {
        StateRecord::time_step()
    };
    let mut now = u64::from(input.u16()) * 30 + 1_700_000_000;
    for _ in 0..16 {
        let op = input.u8();
        now = now.saturating_add(u64::from(input.u8()));
        let code = match op % 3 {
            0 => totp
                .generate_at(
                    now.saturating_add(30 * u64::from(input.u8() % 3))
                        .saturating_sub(30),
                )
                .map(|c| c.to_string())
                .unwrap_or_default(),
            1 => hotp
                .generate(
                    record
                        .next_counter()
                        .saturating_add(u64::from(input.u8() % 8)),
                )
                .to_string(),
            _ => format!("{:06}", u32::from(input.u16()) * 16),
        };
        let v = if op & 4 == 0 {
            record.verify_totp_uncommitted(&totp, &policy, now, &code)
        } else {
            record.verify_hotp_uncommitted(&hotp, &policy, now, &code)
        };
        let next = v.record_to_commit().copied().unwrap_or(record);
        let bytes = next.to_bytes();
        assert_eq!(StateRecord::from_bytes(&bytes).unwrap(), next);
        record = next;
    }
}

/// Sealed keys read back from a store (`sealed-keys`): `MasterKey::open` on any bytes for any
/// token id never panics and refuses them (a Poly1305 tag cannot be forged), and a key sealed
/// from the same bytes opens to them for its own token id only.
#[cfg(feature = "sealed-keys")]
pub fn impl_sealed_open(data: &[u8]) {
    use otpkit::sealed::{MasterKey, SealError};

    let master = MasterKey::from_bytes([0x5a; 32]);
    let mut input = Input(data);
    let id_len = usize::from(input.u8() % 16);
    let id = String::from_utf8_lossy(input.bytes(id_len)).into_owned();
    let rest = input.0;
    assert!(master.open(&id, rest, |_| Ok(())).is_err());
    if !rest.is_empty() && rest.len() <= Secret::MAX_LEN {
        let sealed = master.seal(&id, rest).unwrap();
        let opened = master.open(&id, &sealed, |k| Ok(k == rest));
        assert_eq!(opened.map(otpkit::Enrolled::into_inner), Ok(true));
        assert_eq!(
            master.open(&format!("{id}."), &sealed, |_| Ok(())),
            Err(SealError::Authentication)
        );
    }
}

/// The PSKC reader (`otpkit::pskc::read`, lenient and strict, with no key, a pre-shared key
/// or a password chosen by the first byte) on arbitrary bytes never panics and stays within
/// its limits; every key it reads can be enrolled or refused without panicking, and written
/// back (plaintext) reads back with the same id and secret.
#[cfg(feature = "pskc")]
pub fn pskc_parse(data: &[u8]) {
    use otpkit::pskc::{Decryption, NewKey, NewKeyKind, Protection, ReadOptions, read, write};
    let Some((&mode, doc)) = data.split_first() else {
        return;
    };
    let psk = [0x42u8; 16];
    let decryption = match mode % 3 {
        0 => Decryption::None,
        1 => Decryption::PreSharedKey(&psk),
        _ => Decryption::Password(b"qwerty"),
    };
    let mut options = ReadOptions::default();
    // Small PBKDF2 bound: a document's iteration count is the fuzzer's to choose.
    options.limits.max_pbkdf2_iterations = 1000;
    let strict = ReadOptions {
        strict: true,
        ..options
    };
    let _ = read(doc, decryption, &strict);
    let Ok(container) = read(doc, decryption, &options) else {
        return;
    };
    assert!(container.keys.len() + container.errors.len() <= options.limits.max_keys);
    for key in &container.keys {
        let _ = key.enrolment_at(0);
        let _ = key.enrolment_at(i64::MAX);
        let Some(secret) = key.secret() else { continue };
        let new = NewKey::new(key.id.clone(), NewKeyKind::Hotp { counter: 0 }, secret);
        let text = write(&[new], Protection::Plaintext).expect("plaintext writes");
        let back = read(text.as_bytes(), Decryption::None, &ReadOptions::strict())
            .expect("a written document reads back");
        assert_eq!(back.keys.len(), 1, "{:?}", back.errors);
        assert_eq!(back.keys[0].id, key.id);
        assert_eq!(back.keys[0].secret(), Some(secret));
    }
}

/// The YKOATH applet (`ykoath`) on any sequence of APDUs: the input is a response-buffer size
/// byte, then `[length][APDU]` pairs. No APDU panics the applet, every response fits the buffer
/// and ends in a status word, and afterwards the applet is still usable: SELECT, RESET (which
/// needs no password), a PUT and a CALCULATE give RFC 6238's code.
#[cfg(feature = "ykoath")]
pub fn impl_ykoath_apdu(data: &[u8]) {
    use otpkit::ykoath::{AID, Applet, ArrayStore, Random, Touch};
    struct Rng(u8);
    impl Random for Rng {
        fn fill(&mut self, out: &mut [u8]) {
            for b in out {
                self.0 = self.0.wrapping_mul(181).wrapping_add(7);
                *b = self.0;
            }
        }
    }
    struct Button(bool);
    impl Touch for Button {
        fn confirm(&mut self) -> bool {
            self.0 = !self.0;
            self.0
        }
    }
    let mut input = Input(data);
    let room = 3 + usize::from(input.u8());
    let mut card: Applet<_, _, _, 512> = Applet::new(ArrayStore::<4>::new(), Rng(1), Button(false));
    let mut buf = vec![0u8; room];
    while !input.0.is_empty() {
        let len = usize::from(input.u8());
        let apdu = input.bytes(len);
        let n = card.process(apdu, &mut buf).unwrap();
        assert!((2..=room).contains(&n), "{n} bytes in a {room}-byte buffer");
    }
    let mut tx = |apdu: &[u8]| {
        let mut out = [0u8; 300];
        let n = card.process(apdu, &mut out).unwrap();
        out[..n].to_vec()
    };
    let mut select = vec![0, 0xa4, 4, 0, 7];
    select.extend_from_slice(&AID);
    assert_eq!(tx(&select)[..5], [0x79, 3, 5, 7, 0]);
    assert_eq!(tx(&[0, 4, 0xde, 0xad]), [0x90, 0]);
    tx(&select);
    let mut put = vec![0, 1, 0, 0, 0x1b, 0x71, 1, b'a', 0x73, 0x16, 0x21, 8];
    put.extend_from_slice(b"12345678901234567890");
    assert_eq!(tx(&put), [0x90, 0]);
    let calc = [
        0, 0xa2, 0, 1, 0x0d, 0x71, 1, b'a', 0x74, 8, 0, 0, 0, 0, 0, 0, 0, 1,
    ];
    assert_eq!(tx(&calc), [0x76, 5, 8, 0x41, 0x39, 0x7e, 0xea, 0x90, 0]);
}
