//! Properties of OCRA (RFC 6287), proven with proptest:
//!
//! - every suite the grammar allows parses, `Display` gives back the exact text, the parsed
//!   fields are the ones written, and `canonical()` is a fixed point that parses to itself;
//! - compute → verify round trips at every position of the counter look-ahead (across the
//!   `u64::MAX` wrap) and of the time window, in every mode; the accepted state is refused
//!   afterwards (replay);
//! - no suite string, data input or response makes a public function panic.

// Test helpers may unwrap and index: a failure is a test failure.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use otpkit::ocra::{
    ChallengeFormat, DataInput, Element, Ocra, OcraError, OcraSuite, Response, Role, TimeUnit,
};
use otpkit::{Algorithm, Error, Window};
use proptest::prelude::*;

/// A suite as generated: its text and what it should parse to.
#[derive(Clone, Debug)]
struct Spec {
    text: String,
    algorithm: Algorithm,
    digits: u8,
    counter: bool,
    format: ChallengeFormat,
    qlen: u8,
    password: Option<Algorithm>,
    session: Option<u16>,
    step: Option<(u8, TimeUnit)>,
}

fn name(a: Algorithm) -> &'static str {
    a.as_str()
}

/// Randomly lower-cases letters: keywords match in any ASCII case.
fn mixed_case(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect()
}

prop_compose! {
    fn spec()(
        algorithm in prop::sample::select(Algorithm::ALL),
        digits in prop::sample::select(vec![0u8, 4, 5, 6, 7, 8, 9, 10]),
        counter in any::<bool>(),
        format in prop::sample::select(vec![ChallengeFormat::Alphanumeric, ChallengeFormat::Numeric, ChallengeFormat::Hexadecimal]),
        qlen in 4u8..=64, one_digit_q in any::<bool>(),
        password in prop::option::of(prop::sample::select(Algorithm::ALL)),
        session in prop::option::of(1u16..=512),
        step in prop::option::of((prop::sample::select(vec![TimeUnit::Seconds, TimeUnit::Minutes, TimeUnit::Hours]), any::<prop::sample::Index>(), any::<bool>())),
        case_mask in prop::option::of(any::<u64>()),
    ) -> Spec {
        let mut parts = Vec::new();
        if counter { parts.push("C".to_string()); }
        let q = if one_digit_q && qlen < 10 { format!("{qlen}") } else { format!("{qlen:02}") };
        parts.push(format!("Q{}{q}", format.letter()));
        if let Some(p) = password { parts.push(format!("P{}", name(p))); }
        if let Some(s) = session { parts.push(format!("S{s:03}")); }
        let step = step.map(|(unit, i, zero)| {
            let count = 1 + i.index(usize::from(unit.max_count())) as u8;
            let text = if zero && count < 10 { format!("0{count}") } else { format!("{count}") };
            parts.push(format!("T{text}{}", unit.letter()));
            (count, unit)
        });
        let text = format!("OCRA-1:HOTP-{}-{digits}:{}", name(algorithm), parts.join("-"));
        let text = match case_mask { Some(m) => mixed_case(&text, m), None => text };
        Spec { text, algorithm, digits, counter, format, qlen, password, session, step }
    }
}

fn challenge(format: ChallengeFormat, len: usize, seed: &[u8]) -> String {
    let alphabet: &[u8] = match format {
        ChallengeFormat::Numeric => b"0123456789",
        ChallengeFormat::Hexadecimal => b"0123456789abcdefABCDEF",
        _ => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    };
    (0..len.max(1))
        .map(|i| alphabet[usize::from(seed[i % seed.len()]) % alphabet.len()] as char)
        .collect()
}

/// A full set of inputs for the suite (counter and time left to the caller).
#[derive(Debug)]
struct Inputs {
    first: String,
    second: Option<String>,
    pin: Vec<u8>,
    session: Vec<u8>,
}

prop_compose! {
    fn inputs(suite: OcraSuite)(
        seed in prop::collection::vec(any::<u8>(), 1..64),
        len1 in 1usize..=64, len2 in 1usize..=64, mutual in any::<bool>(),
        pin in prop::collection::vec(any::<u8>(), 0..32),
        session in prop::collection::vec(any::<u8>(), 512),
    ) -> Inputs {
        let max = suite.max_challenge_len();
        let f = suite.challenge_format();
        Inputs {
            first: challenge(f, len1.min(max), &seed),
            second: mutual.then(|| challenge(f, len2.min(max), &seed[seed.len() / 2..])),
            pin,
            session: session[..suite.session_len().unwrap_or(0)].to_vec(),
        }
    }
}

fn data<'a>(suite: &OcraSuite, i: &'a Inputs) -> DataInput<'a> {
    let d = match &i.second {
        None => DataInput::new().question(&i.first),
        Some(s) => DataInput::new().questions(&i.first, s),
    };
    rest(suite, d, i)
}

/// Adds everything else the suite needs.
fn moving<'a>(
    suite: &OcraSuite,
    d: DataInput<'a>,
    i: &'a Inputs,
    counter: u64,
    time: u64,
) -> DataInput<'a> {
    let d = rest(suite, d, i);
    let d = if suite.uses_counter() {
        d.counter(counter)
    } else {
        d
    };
    if suite.time_step().is_some() {
        d.timestamp(time)
    } else {
        d
    }
}

/// Adds the password and session information the suite needs.
fn rest<'a>(suite: &OcraSuite, mut d: DataInput<'a>, i: &'a Inputs) -> DataInput<'a> {
    if suite.password_hash().is_some() {
        d = d.password(&i.pin);
    }
    if suite.session_len().is_some() {
        d = d.session(&i.session);
    }
    d
}

fn suite_and_inputs() -> impl Strategy<Value = (OcraSuite, Inputs, Vec<u8>)> {
    spec().prop_flat_map(|s| {
        let suite = OcraSuite::parse(&s.text).unwrap();
        (
            Just(suite),
            inputs(suite),
            prop::collection::vec(any::<u8>(), 1..=200),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn suite_parse_display_round_trip(s in spec()) {
        let suite = OcraSuite::parse(&s.text).unwrap();
        prop_assert_eq!(suite.to_string(), s.text.clone());
        prop_assert_eq!(suite.as_str(), s.text.as_str());
        prop_assert_eq!(suite.algorithm(), s.algorithm);
        prop_assert_eq!(suite.digits(), s.digits);
        prop_assert_eq!(suite.uses_counter(), s.counter);
        prop_assert_eq!(suite.challenge_format(), s.format);
        prop_assert_eq!(suite.max_challenge_len(), usize::from(s.qlen));
        prop_assert_eq!(suite.password_hash(), s.password);
        prop_assert_eq!(suite.session_len(), s.session.map(usize::from));
        prop_assert_eq!(suite.time_step().map(|t| (t.count(), t.unit())), s.step);
        let canonical = suite.canonical();
        prop_assert_eq!(canonical.canonical(), canonical);
        prop_assert_eq!(OcraSuite::parse(canonical.as_str()).unwrap(), canonical);
        prop_assert_eq!(canonical.as_str(), canonical.as_str().to_ascii_uppercase());
        prop_assert_eq!(
            OcraSuite::parse(&s.text.to_ascii_uppercase()).unwrap().canonical(),
            canonical
        );
    }

    #[test]
    fn counter_round_trip_at_every_look_ahead_position(
        (suite, inputs, key) in suite_and_inputs(), counter in prop_oneof![any::<u64>(), Just(u64::MAX), Just(0u64), (u64::MAX - 5)..=u64::MAX],
        look_ahead in 0u32..6, pick in any::<prop::sample::Index>(), time in any::<u64>(),
    ) {
        prop_assume!(suite.uses_counter());
        let ocra = Ocra::new(suite, &key).unwrap();
        let base = data(&suite, &inputs);
        let base = if suite.time_step().is_some() { base.timestamp(time) } else { base };
        let response = ocra.compute(&base.counter(counter)).unwrap().to_string();
        // The server expects `next`, `position` counters behind the token (wrapping, §5.1).
        let position = pick.index(look_ahead as usize + 1) as u64;
        let next = counter.wrapping_sub(position);
        let m = ocra.verify_counter_uncommitted(&response, &base, next, look_ahead).unwrap();
        // An earlier candidate may carry the same response by chance; it wins, and is correct.
        prop_assert_eq!(ocra.compute(&base.counter(m.counter)).unwrap().to_string(), response.clone());
        prop_assert!(m.drift <= position);
        prop_assert_eq!(m.counter, next.wrapping_add(m.drift));
        prop_assert_eq!(m.next_counter, m.counter.wrapping_add(1));
        // Stored, the same response is refused.
        let again = ocra.verify_counter_uncommitted(&response, &base, m.next_counter, look_ahead);
        // Only a later counter with the same response by chance may match.
        let refused = matches!(again, Err(Error::Replay) | Err(Error::Mismatch));
        prop_assert!(refused || again.is_ok_and(|later| later.counter != m.counter));
    }

    #[test]
    fn time_round_trip_at_every_window_position(
        (suite, inputs, key) in suite_and_inputs(), center in any::<u64>(),
        behind in 0u32..4, ahead in 0u32..4, pick in any::<prop::sample::Index>(), counter in any::<u64>(),
    ) {
        prop_assume!(suite.time_step().is_some());
        let ocra = Ocra::new(suite, &key).unwrap();
        let base = data(&suite, &inputs);
        let base = if suite.uses_counter() { base.counter(counter) } else { base };
        let offsets: Vec<i64> = (-i64::from(behind)..=i64::from(ahead))
            .filter(|&d| center.checked_add_signed(d).is_some())
            .collect();
        let d = offsets[pick.index(offsets.len())];
        let step = center.checked_add_signed(d).unwrap();
        let response = ocra.compute(&base.timestamp(step)).unwrap().to_string();
        let window = Window::new(behind, ahead).unwrap();
        let m = ocra.verify_step_uncommitted(&response, &base, center, None, window).unwrap();
        prop_assert_eq!(ocra.compute(&base.timestamp(m.step)).unwrap().to_string(), response.clone());
        prop_assert!(m.drift.unsigned_abs() <= d.unsigned_abs());
        prop_assert_eq!(i128::from(m.step) - i128::from(center), i128::from(m.drift));
        prop_assert_eq!(
            ocra.verify_step_uncommitted(&response, &base, center, Some(m.step), window),
            Err(Error::Replay)
        );
        // The same from a Unix time inside the step.
        let seconds = suite.time_step().unwrap().seconds();
        if let Some(unix) = center.checked_mul(seconds) {
            let m2 = ocra.verify_at_uncommitted(&response, &base, unix, None, window).unwrap();
            prop_assert_eq!(m2, m);
        }
    }

    #[test]
    fn exact_round_trip_in_every_mode(
        (suite, inputs, key) in suite_and_inputs(), counter in any::<u64>(), time in any::<u64>(),
    ) {
        let ocra = Ocra::new(suite, &key).unwrap();
        let mut input = data(&suite, &inputs);
        if suite.uses_counter() { input = input.counter(counter); }
        if suite.time_step().is_some() { input = input.timestamp(time); }
        let response = ocra.compute(&input).unwrap();
        let text = response.to_string();
        match suite.digits() {
            0 => prop_assert_eq!(text.len(), 2 * suite.algorithm().output_len()),
            d => prop_assert_eq!(text.len(), usize::from(d)),
        }
        ocra.verify(&text, &input).unwrap();
        // A PIN and its hash are interchangeable.
        if let Some(p) = suite.password_hash() {
            let hash = digest(p, &inputs.pin);
            let hashed = input.password_hash(&hash);
            prop_assert_eq!(ocra.compute(&hashed).unwrap().to_string(), text.clone());
        }
        // Mutual: the server puts the client's challenge first, the client the server's.
        if let Some(second) = &inputs.second {
            let server = moving(&suite, DataInput::new().mutual(Role::Server, &inputs.first, second), &inputs, counter, time);
            let client = moving(&suite, DataInput::new().mutual(Role::Client, second, &inputs.first), &inputs, counter, time);
            prop_assert_eq!(ocra.compute(&server).unwrap().to_string(), text.clone());
            prop_assert_eq!(ocra.compute(&client).unwrap().to_string(), text);
        }
    }

    #[test]
    fn suite_parsing_never_panics(s in "\\PC{0,60}") {
        let _ = OcraSuite::parse(&s);
    }

    #[test]
    fn near_valid_suites_never_panic(s in spec(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = s.text.into_bytes();
        let i = cut.index(bytes.len());
        bytes[i] = byte;
        if let Ok(text) = String::from_utf8(bytes.clone())
            && let Ok(suite) = OcraSuite::parse(&text)
        {
            prop_assert_eq!(suite.as_str(), text.as_str());
        }
        bytes.truncate(i);
        let _ = OcraSuite::parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn no_input_panics(
        s in spec(), key in prop::collection::vec(any::<u8>(), 0..300),
        q1 in "\\PC{0,80}", q2 in prop::option::of("\\PC{0,80}"),
        counter in prop::option::of(any::<u64>()), pin in prop::option::of(prop::collection::vec(any::<u8>(), 0..80)),
        hash in prop::option::of(prop::collection::vec(any::<u8>(), 0..80)),
        session in prop::option::of(prop::collection::vec(any::<u8>(), 0..600)),
        ts in prop::option::of(any::<u64>()), unix in prop::option::of(any::<u64>()),
        response in "\\PC{0,140}", next in any::<u64>(), look in any::<u32>(), last in prop::option::of(any::<u64>()),
        behind in 0u32..2000, ahead in 0u32..2000,
    ) {
        let suite = OcraSuite::parse(&s.text).unwrap();
        let Ok(ocra) = Ocra::new(suite, &key) else { return Ok(()); };
        let mut input = match &q2 {
            None => DataInput::new().question(&q1),
            Some(q2) => DataInput::new().questions(&q1, q2),
        };
        if let Some(c) = counter { input = input.counter(c); }
        if let Some(p) = &pin { input = input.password(p); }
        if let Some(h) = &hash { input = input.password_hash(h); }
        if let Some(s) = &session { input = input.session(s); }
        if let Some(t) = ts { input = input.timestamp(t); }
        if let Some(u) = unix { input = input.unix_time(u); }
        let _ = ocra.compute(&input);
        let _ = ocra.verify(&response, &input);
        let _ = ocra.verify_counter_uncommitted(&response, &input, next, look % 8);
        let _ = ocra.verify_counter_uncommitted(&response, &input, next, look);
        if let Ok(w) = Window::new(behind % 8, ahead % 8) {
            let _ = ocra.verify_step_uncommitted(&response, &input, next, last, w);
            let _ = ocra.verify_at_uncommitted(&response, &input, next, last, w);
        }
        let _ = Response::parse(&response, &suite);
        let _ = format!("{input:?} {ocra:?} {suite:?}");
    }
}

fn digest(a: Algorithm, data: &[u8]) -> Vec<u8> {
    use sha1::Digest as _;
    match a.as_str() {
        "SHA1" => sha1::Sha1::digest(data).to_vec(),
        "SHA256" => sha2::Sha256::digest(data).to_vec(),
        _ => sha2::Sha512::digest(data).to_vec(),
    }
}

#[test]
fn missing_and_unused_inputs_are_named() {
    let suite = OcraSuite::parse("OCRA-1:HOTP-SHA1-6:C-QN08-PSHA1-S004-T1M").unwrap();
    let ocra = Ocra::new(suite, b"k").unwrap();
    let full = DataInput::new()
        .counter(1)
        .question("1")
        .password(b"1234")
        .session(b"abcd")
        .timestamp(5);
    ocra.compute(&full).unwrap();
    let missing = |e| Err(Error::Ocra(OcraError::MissingInput(e)));
    assert_eq!(
        ocra.compute(
            &DataInput::new()
                .question("1")
                .password(b"1")
                .session(b"abcd")
                .timestamp(5)
        )
        .map(|_| ()),
        missing(Element::Counter)
    );
    assert_eq!(
        ocra.compute(&full.session(b"abc")).map(|_| ()),
        Err(Error::Ocra(OcraError::SessionLength {
            len: 3,
            expected: 4
        }))
    );
    assert_eq!(
        ocra.compute(&full.password_hash(&[0; 32])).map(|_| ()),
        Err(Error::Ocra(OcraError::PasswordHashLength {
            len: 32,
            expected: 20
        }))
    );
    let plain = Ocra::new(OcraSuite::parse("OCRA-1:HOTP-SHA1-6:QN08").unwrap(), b"k").unwrap();
    for (input, element) in [
        (DataInput::new().question("1").counter(0), Element::Counter),
        (
            DataInput::new().question("1").password(b""),
            Element::Password,
        ),
        (
            DataInput::new().question("1").session(b""),
            Element::Session,
        ),
        (
            DataInput::new().question("1").unix_time(0),
            Element::Timestamp,
        ),
    ] {
        assert_eq!(
            plain.compute(&input).map(|_| ()),
            Err(Error::Ocra(OcraError::UnusedInput(element)))
        );
    }
    assert_eq!(
        plain.compute(&DataInput::new()).map(|_| ()),
        missing(Element::Question)
    );
    assert_eq!(
        plain.verify_counter_uncommitted("123456", &DataInput::new().question("1"), 0, 1),
        Err(Error::Ocra(OcraError::UnusedInput(Element::Counter)))
    );
    assert_eq!(
        Ocra::new(suite, b"").map(|_| ()),
        Err(Error::KeyTooShort { len: 0, min: 1 })
    );
}

/// RFC 6287 §5.1: the counter runs to `u64::MAX` and starts over at 0.
#[test]
fn counter_wraps_at_u64_max() {
    let suite = OcraSuite::parse("OCRA-1:HOTP-SHA1-8:C-QN08").unwrap();
    let ocra = Ocra::new(suite, b"12345678901234567890").unwrap();
    let q = DataInput::new().question("12345678");
    let at = |c| ocra.compute(&q.counter(c)).unwrap().to_string();
    // The server expects u64::MAX - 1; the token is at 0, two ahead across the wrap.
    let m = ocra
        .verify_counter_uncommitted(at(0), &q, u64::MAX - 1, 2)
        .unwrap();
    assert_eq!((m.counter, m.next_counter, m.drift), (0, 1, 2));
    let m = ocra
        .verify_counter_uncommitted(at(u64::MAX), &q, u64::MAX, 0)
        .unwrap();
    assert_eq!((m.counter, m.next_counter, m.drift), (u64::MAX, 0, 0));
    assert_eq!(
        ocra.verify_counter_uncommitted(at(u64::MAX), &q, 0, 3),
        Err(Error::Mismatch)
    );
    assert_eq!(
        ocra.verify_counter_uncommitted(at(u64::MAX - 1), &q, u64::MAX, 3),
        Err(Error::Replay)
    );
}

/// t = 0: the full HMAC, printed in lower-case hex (RFC 6287 §5.2), as in the spec's example:
/// suite OCRA-1:HOTP-SHA1-0:QN08, 20-byte key, Q 00000000.
#[test]
fn zero_digits_is_the_full_hmac() {
    let suite = OcraSuite::parse("OCRA-1:HOTP-SHA1-0:QN08").unwrap();
    let ocra = Ocra::new(suite, b"12345678901234567890").unwrap();
    let input = DataInput::new().question("00000000");
    let r = ocra.compute(&input).unwrap();
    assert_eq!(r.to_string(), "d216b1d33ccbb7cc1076895153fc70bcf3d987de");
    assert!(r.as_code().is_none());
    ocra.verify("D216B1D33CCBB7CC1076895153FC70BCF3D987DE", &input)
        .unwrap();
    assert!(matches!(
        ocra.verify("d216b1d3", &input),
        Err(Error::InvalidCode(_))
    ));
    assert_eq!(
        ocra.verify("0216b1d33ccbb7cc1076895153fc70bcf3d987de", &input),
        Err(Error::Mismatch)
    );
}

#[test]
fn types_are_send_sync_and_copy() {
    fn send_sync<T: Send + Sync>() {}
    fn copy<T: Copy>() {}
    send_sync::<Ocra>();
    send_sync::<DataInput<'static>>();
    copy::<OcraSuite>();
    copy::<DataInput<'static>>();
    copy::<Response>();
    copy::<OcraError>();
}
