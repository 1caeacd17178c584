//! Properties of the HOTP/TOTP core, proven with proptest:
//!
//! - generate → verify round trips at every position of every window, reporting the right step,
//!   counter and drift;
//! - a code, once accepted, is refused afterwards (replay), and verification never accepts a
//!   step or counter at or before the stored state;
//! - parse/format round trips for codes, secrets (base32) and algorithm names;
//! - no input makes a public function panic.

use otpkit::{Algorithm, Code, Error, Hotp, HotpParams, Secret, Totp, TotpParams, Window};
use proptest::prelude::*;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::ALL)
}

prop_compose! {
    fn key()(k in prop::collection::vec(any::<u8>(), 16..200)) -> Vec<u8> { k }
}

prop_compose! {
    fn totp_params()(algorithm in algorithm(), digits in 6u8..=10, period in 1u64..=300, t0 in 0u64..=2_000_000_000) -> TotpParams {
        TotpParams { algorithm, digits, period, t0 }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn totp_round_trip_at_every_window_position(
        key in key(), params in totp_params(), behind in 0u32..4, ahead in 0u32..4,
        pick in any::<prop::sample::Index>(), time in any::<u64>(),
    ) {
        let totp = Totp::new(&key, params).unwrap();
        let time = time.max(params.t0);
        let now = totp.step_at(time).unwrap();
        let window = Window::new(behind, ahead).unwrap();
        // Every offset of the window that exists for this step.
        let offsets: Vec<i64> = (-(i64::from(behind))..=i64::from(ahead))
            .filter(|&d| now.checked_add_signed(d).is_some())
            .collect();
        let d = offsets[pick.index(offsets.len())];
        let step = now.checked_add_signed(d).unwrap();
        let code = totp.generate_step(step);
        let m = totp.verify_at_uncommitted(code.as_str(), time, None, window).unwrap();
        // Another step of the window may carry the same code by chance (about 1 in 10^digits);
        // the nearest such step wins. Either way the accepted step's code is the one given.
        let accepted = totp.generate_step(m.step);
        prop_assert_eq!(accepted.as_str(), code.as_str());
        prop_assert!(m.drift.unsigned_abs() <= d.unsigned_abs());
        prop_assert_eq!(i128::from(m.step) - i128::from(now), i128::from(m.drift));
        // Stored, the same code is refused.
        prop_assert_eq!(totp.verify_at_uncommitted(code.as_str(), time, Some(m.step), window).unwrap_err(), Error::Replay);
    }

    #[test]
    fn totp_never_accepts_at_or_before_last_step(
        key in key(), params in totp_params(), time in any::<u64>(), last in any::<u64>(), code in 0u32..1_000_000,
    ) {
        let totp = Totp::new(&key, TotpParams { digits: 6, ..params }).unwrap();
        let time = time.max(params.t0);
        let text = format!("{code:06}");
        if let Ok(m) = totp.verify_at_uncommitted(&text, time, Some(last), Window::symmetric(2).unwrap()) {
            prop_assert!(m.step > last);
        }
    }

    #[test]
    fn hotp_round_trip_at_every_look_ahead_position(
        key in key(), algorithm in algorithm(), digits in 6u8..=10, next in any::<u64>(),
        look_ahead in 0u32..6, pick in any::<u32>(),
    ) {
        let hotp = Hotp::new(&key, HotpParams { algorithm, digits }).unwrap();
        let next = next.min(u64::MAX - 1 - u64::from(look_ahead));
        let counter = next + u64::from(pick % (look_ahead + 1));
        let code = hotp.generate(counter);
        let m = hotp.verify_uncommitted(code.as_str(), next, look_ahead).unwrap();
        prop_assert!(m.counter >= next && m.counter <= counter);
        let accepted = hotp.generate(m.counter);
        prop_assert_eq!(accepted.as_str(), code.as_str());
        prop_assert_eq!(m.next_counter, m.counter + 1);
        prop_assert_eq!(m.drift, m.counter - next);
        // Replaying the code against the stored state is refused.
        let again = hotp.verify_uncommitted(code.as_str(), m.next_counter, look_ahead);
        prop_assert!(again.is_err());
        if m.counter == counter {
            prop_assert_eq!(again.unwrap_err(), Error::Replay);
        }
    }

    #[test]
    fn hotp_never_moves_backwards(
        key in key(), next in any::<u64>(), look_ahead in 0u32..8, code in 0u32..1_000_000,
    ) {
        let hotp = Hotp::new(&key, HotpParams::default()).unwrap();
        if let Ok(m) = hotp.verify_uncommitted(format!("{code:06}"), next, look_ahead) {
            prop_assert!(m.counter >= next);
            prop_assert!(m.counter <= next.saturating_add(u64::from(look_ahead)));
        }
    }

    #[test]
    fn hotp_resync_finds_consecutive_runs(
        key in key(), next in 0u64..1_000_000, offset in 0u32..200, n in 2usize..=4,
    ) {
        let hotp = Hotp::new(&key, HotpParams::default()).unwrap();
        let start = next + u64::from(offset);
        let codes: Vec<Code> = (0..n as u64).map(|i| hotp.generate(start + i)).collect();
        let texts: Vec<&str> = codes.iter().map(Code::as_str).collect();
        let m = hotp.resync_uncommitted(&texts, next, 200).unwrap();
        // The first run that matches all codes; a chance earlier run is astronomically unlikely.
        prop_assert_eq!(m.counter, start + n as u64 - 1);
        prop_assert_eq!(m.next_counter, start + n as u64);
    }

    #[test]
    fn code_parse_format_round_trip(value in any::<u32>(), digits in 6u8..=10) {
        let text = format!("{:0w$}", u64::from(value) % 10u64.pow(u32::from(digits)), w = usize::from(digits));
        let code = Code::parse(&text, digits).unwrap();
        prop_assert_eq!(code.as_str(), text.as_str());
        prop_assert_eq!(code.to_string(), text);
    }

    #[test]
    fn secret_base32_round_trip(bytes in prop::collection::vec(any::<u8>(), 1..=Secret::MAX_LEN), lower in any::<bool>(), sep in any::<bool>()) {
        let secret = Secret::from_bytes(&bytes).unwrap();
        let mut text = String::new();
        secret.write_base32(&mut text).unwrap();
        prop_assert_eq!(text.len(), secret.base32_len());
        let mut typed = if lower { text.to_lowercase() } else { text.clone() };
        if sep {
            typed = typed.as_bytes().chunks(4).map(|c| core::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(" ");
        }
        let mut back = Secret::EMPTY;
        back.decode_base32(&typed).unwrap();
        prop_assert_eq!(back.as_ref(), &bytes[..]);
        let shown = format!("{:?}", back);
        prop_assert!(!shown.contains(&text));
    }

    #[test]
    fn no_input_panics(
        s in ".{0,64}", bytes in prop::collection::vec(any::<u8>(), 0..300), digits in any::<u8>(),
        period in any::<u64>(), t0 in any::<u64>(), time in any::<u64>(), counter in any::<u64>(),
        last in any::<Option<u64>>(), behind in any::<u32>(), ahead in any::<u32>(), window in any::<u32>(),
    ) {
        let _ = Code::parse(&s, digits);
        let mut secret = Secret::EMPTY;
        let _ = secret.decode_base32(&s);
        let _ = Secret::from_bytes(&bytes);
        let _ = s.parse::<Algorithm>();
        let _ = Window::new(behind, ahead);
        let w = Window::new(behind % 50, ahead % 50).unwrap();
        for &algorithm in Algorithm::ALL {
            if let Ok(totp) = Totp::new_allowing_short_key(&bytes, TotpParams { algorithm, digits, period, t0 }) {
                let _ = totp.generate_at(time);
                let _ = totp.seconds_left_at(time);
                let _ = totp.verify_at_uncommitted(&s, time, last, w);
                let _ = totp.verify_step_uncommitted(&s, counter, last, w);
            }
            if let Ok(hotp) = Hotp::new_allowing_short_key(&bytes, HotpParams { algorithm, digits }) {
                let _ = hotp.generate(counter);
                let _ = hotp.verify_uncommitted(&s, counter, window % 50);
                let _ = hotp.resync_uncommitted(&[&s, &s], counter, window % 50);
            }
        }
    }
}

#[test]
fn window_edges_are_typed_errors() {
    let totp = Totp::new(
        &[1; 20],
        TotpParams {
            t0: 100,
            ..TotpParams::default()
        },
    )
    .unwrap();
    assert_eq!(
        totp.generate_at(99).unwrap_err(),
        Error::TimeBeforeT0 { time: 99, t0: 100 }
    );
    assert_eq!(
        Totp::new(
            &[1; 20],
            TotpParams {
                period: 0,
                ..TotpParams::default()
            }
        )
        .unwrap_err(),
        Error::ZeroPeriod
    );
    for digits in [0, 5, 11, 255] {
        assert_eq!(
            Hotp::new(
                &[1; 20],
                HotpParams {
                    digits,
                    ..HotpParams::default()
                }
            )
            .unwrap_err(),
            Error::InvalidDigits(digits)
        );
    }
    assert_eq!(
        Hotp::new(&[1; 15], HotpParams::default()).unwrap_err(),
        Error::KeyTooShort { len: 15, min: 16 }
    );
    assert_eq!(
        Hotp::new_allowing_short_key(&[], HotpParams::default()).unwrap_err(),
        Error::KeyTooShort { len: 0, min: 1 }
    );
    let hotp = Hotp::new(&[1; 20], HotpParams::default()).unwrap();
    // u64::MAX can be generated but never accepted: nothing could record its use.
    let last = hotp.generate(u64::MAX);
    assert!(
        hotp.verify_uncommitted(last.as_str(), u64::MAX - 1, 5)
            .is_err()
    );
    assert_eq!(
        hotp.verify_uncommitted("123456", u64::MAX, 5).unwrap_err(),
        Error::WindowOutOfRange
    );
    assert_eq!(
        hotp.verify_uncommitted("123456", 0, 1001).unwrap_err(),
        Error::WindowTooLarge { max: 1000 }
    );
    assert_eq!(
        hotp.resync_uncommitted(&["123456"], 0, 10).unwrap_err(),
        Error::ResyncCodeCount {
            given: 1,
            min: 2,
            max: 8
        }
    );
    // The window at step 0 has no steps behind: they are skipped, not wrapped.
    let t = Totp::new(&[1; 20], TotpParams::default()).unwrap();
    let c0 = t.generate_step(0);
    assert_eq!(
        t.verify_at_uncommitted(c0.as_str(), 5, None, Window::symmetric(3).unwrap())
            .unwrap()
            .step,
        0
    );
    // At the far end of time, steps past u64::MAX are skipped too.
    let cmax = t.generate_step(u64::MAX);
    let m = t
        .verify_step_uncommitted(cmax.as_str(), u64::MAX, None, Window::symmetric(3).unwrap())
        .unwrap();
    assert_eq!((m.step, m.drift), (u64::MAX, 0));
}

/// Ten-digit codes are compared as whole numbers: a code 2^32 above the right one is wrong.
#[test]
fn ten_digit_codes_do_not_alias() {
    let params = HotpParams {
        digits: 10,
        ..HotpParams::default()
    };
    let hotp = Hotp::new(b"12345678901234567890", params).unwrap();
    assert_eq!(hotp.generate(0).as_str(), "1284755224");
    // 1284755224 + 2^32
    assert_eq!(
        hotp.verify_uncommitted("5579722520", 0, 0).unwrap_err(),
        Error::Mismatch
    );
    assert_eq!(
        hotp.resync_uncommitted(&["5579722520", "5389254378"], 0, 5)
            .unwrap_err(),
        Error::Mismatch
    );
    let totp = Totp::new(
        b"12345678901234567890",
        TotpParams {
            digits: 10,
            ..TotpParams::default()
        },
    )
    .unwrap();
    let right: u64 = totp.generate_step(7).as_str().parse().unwrap();
    let alias = format!("{:010}", right + (1 << 32));
    assert_eq!(alias.len(), 10);
    assert_eq!(
        totp.verify_step_uncommitted(&alias, 7, None, Window::EXACT)
            .unwrap_err(),
        Error::Mismatch
    );
}

#[test]
fn debug_never_shows_key_material() {
    let key = [0xabu8; 32];
    let hotp = Hotp::new(&key, HotpParams::default()).unwrap();
    let totp = Totp::new(&key, TotpParams::default()).unwrap();
    let secret = Secret::from_bytes(&key).unwrap();
    for text in [
        format!("{hotp:?}"),
        format!("{totp:?}"),
        format!("{secret:?}"),
    ] {
        assert!(
            !text.contains("171")
                && !text.to_lowercase().contains("ab, ")
                && !text.contains("abab"),
            "{text}"
        );
    }
}

#[test]
fn types_are_send_and_sync() {
    fn check<T: Send + Sync + Unpin>() {}
    check::<Hotp>();
    check::<Totp>();
    check::<Secret>();
    check::<Code>();
    check::<Error>();
    check::<Window>();
    fn error<T: core::error::Error + Copy + 'static>() {}
    error::<Error>();
}
