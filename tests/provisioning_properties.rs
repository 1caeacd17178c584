//! Properties of the provisioning formats:
//! - build → parse is the identity for every value the builder accepts (otpauth:// and
//!   otpauth-migration://), and the rebuilt URI is strict-clean apart from non-standard digits;
//! - the parsers never panic, whatever the input (strings, bytes, near-valid URIs);
//! - no `Debug` output contains the secret, in any encoding;
//! - known otpauth:// parameter names match in any case, to the same value.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation
)]

use otpkit::uri::{BuildOptions, Encoder, OtpAuthUri, OtpType, ParseOptions, Warning};
use otpkit::{Algorithm, Secret};
use proptest::prelude::*;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

prop_compose! {
    fn text()(s in "[ -~é日\u{1F600}]{0,24}") -> String { s }
}

prop_compose! {
    fn uri_value()(
        key in prop::collection::vec(any::<u8>(), 1..=256),
        account in text().prop_filter("no colon, not empty", |a| !a.contains(':') && !a.is_empty()),
        issuer in prop::option::of(text().prop_filter("no colon, not empty", |i| !i.contains(':') && !i.is_empty())),
        hotp in any::<bool>(),
        counter in any::<u64>(),
        period in 1u64..,
        algorithm in algorithm(),
        digits in 6u8..=10,
        steam in prop::bool::weighted(0.1),
        extra in prop::collection::vec(("[a-z]{1,8}", text()), 0..3),
    ) -> OtpAuthUri {
        let account = if issuer.is_some() { account.trim_start().to_owned() } else { account };
        let account = if account.is_empty() { "x".to_owned() } else { account };
        let mut uri = OtpAuthUri::totp(Secret::from_bytes(&key).unwrap(), account);
        uri.issuer = issuer;
        uri.algorithm = algorithm;
        uri.digits = digits;
        uri.otp_type = if hotp { OtpType::Hotp { counter } } else { OtpType::Totp { period } };
        if steam && !hotp {
            uri.encoder = Encoder::Steam;
            uri.digits = 5;
            uri.algorithm = Algorithm::Sha1;
        }
        let known = ["secret", "issuer", "algorithm", "digits", "period", "counter", "encoder"];
        for (k, v) in extra {
            if !known.contains(&k.as_str()) && !uri.extra.iter().any(|(e, _)| *e == k) {
                uri.extra.push((k, v));
            }
        }
        uri
    }
}

proptest! {
    #[test]
    fn uri_build_then_parse_is_identity(x in uri_value(), defaults in any::<bool>()) {
        let text = x.to_uri_with(BuildOptions { include_defaults: defaults }).unwrap();
        let parsed = OtpAuthUri::parse(&text).unwrap();
        prop_assert_eq!(&parsed.uri, &x);
        let quirks: Vec<Warning> = parsed.warnings.iter().filter(|w| w.is_quirk()).collect();
        for q in quirks {
            prop_assert!(
                matches!(q, Warning::NonstandardDigits | Warning::Steam | Warning::UnknownParameter),
                "unexpected quirk {:?} in {}", q, &*text
            );
        }
        if x.extra.is_empty() && x.encoder == Encoder::Standard && matches!(x.digits, 6 | 8) {
            let strict = OtpAuthUri::parse_with(&text, ParseOptions { strict: true });
            prop_assert!(strict.is_ok(), "{:?}", strict.err());
        }
    }

    /// Known parameter names match in any case: a built URI whose names are re-cased parses
    /// to the same value, with `ParameterNameCase` exactly when a name changed (and no other
    /// warning), and nothing among the unknown parameters; strict mode refuses it then.
    #[test]
    fn uri_parameter_names_match_in_any_case(
        x in uri_value(),
        defaults in any::<bool>(),
        upper in prop::collection::vec(any::<bool>(), 1..64),
    ) {
        const KNOWN: [&str; 7] = ["secret", "issuer", "algorithm", "digits", "period", "counter", "encoder"];
        let built = x.to_uri_with(BuildOptions { include_defaults: defaults }).unwrap();
        let (head, query) = built.split_once('?').unwrap();
        let mut flips = upper.iter().cycle();
        let mut changed = false;
        let segments: Vec<String> = query
            .split('&')
            .map(|segment| match segment.split_once('=') {
                Some((k, v)) if KNOWN.contains(&k) => {
                    let recased: String = k
                        .chars()
                        .map(|c| if *flips.next().unwrap() { c.to_ascii_uppercase() } else { c })
                        .collect();
                    changed |= recased != k;
                    format!("{recased}={v}")
                }
                _ => segment.to_owned(),
            })
            .collect();
        let recased = format!("{head}?{}", segments.join("&"));
        let canonical = OtpAuthUri::parse(&built).unwrap();
        let parsed = OtpAuthUri::parse(&recased).unwrap();
        prop_assert_eq!(&parsed.uri, &canonical.uri);
        prop_assert_eq!(parsed.uri.extra.len(), x.extra.len());
        prop_assert_eq!(parsed.warnings.contains(Warning::ParameterNameCase), changed);
        let others: Vec<Warning> =
            parsed.warnings.iter().filter(|w| *w != Warning::ParameterNameCase).collect();
        prop_assert_eq!(others, canonical.warnings.iter().collect::<Vec<_>>());
        if changed {
            let strict = OtpAuthUri::parse_with(&recased, ParseOptions { strict: true });
            prop_assert!(strict.is_err());
        }
    }

    #[test]
    fn uri_parse_never_panics(s in any::<String>()) {
        let _ = OtpAuthUri::parse(&s);
        let _ = OtpAuthUri::parse_with(&s, ParseOptions { strict: true });
    }

    #[test]
    fn uri_parse_never_panics_near_valid(
        tail in "[a-zA-Z0-9%:=&?/+ .\\-~]{0,80}",
        ty in prop_oneof![Just("totp"), Just("hotp"), Just("steam"), Just("TOTP")],
    ) {
        let s = format!("otpauth://{ty}/{tail}");
        let _ = OtpAuthUri::parse(&s);
        let s = format!("otpauth://{ty}/a?secret={tail}");
        let _ = OtpAuthUri::parse(&s);
        let s = format!("otpauth://{ty}/a?secret=JBSWY3DPEHPK3PXP&{tail}");
        let _ = OtpAuthUri::parse(&s);
    }

    #[test]
    fn uri_debug_has_no_secret(x in uri_value()) {
        let text = x.to_uri().unwrap();
        let parsed = OtpAuthUri::parse(&text).unwrap();
        let debug = format!("{parsed:?}{x:?}");
        let mut b32 = String::new();
        x.secret.write_base32(&mut b32).unwrap();
        let hex: String = x.secret.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        let list = format!("{:?}", x.secret.as_ref());
        if x.secret.len() >= 4 {
            prop_assert!(!debug.contains(&b32), "{}", debug);
            prop_assert!(!debug.contains(&hex), "{}", debug);
            prop_assert!(!debug.contains(&list[1..list.len() - 1]), "{}", debug);
        }
    }
}

#[cfg(feature = "migration")]
mod migration {
    use super::*;
    use otpkit::migration::Migration;

    proptest! {
        #[test]
        fn migration_export_then_import_is_identity(
            xs in prop::collection::vec(uri_value(), 0..5),
            batch_id in any::<i32>(),
        ) {
            let entries: Vec<OtpAuthUri> = xs.into_iter().map(|mut x| {
                x.extra.clear();
                x.encoder = Encoder::Standard;
                x.digits = if x.digits % 2 == 0 { 6 } else { 8 };
                if let OtpType::Totp { .. } = x.otp_type { x.otp_type = OtpType::Totp { period: 30 } }
                if let OtpType::Hotp { counter } = x.otp_type { x.otp_type = OtpType::Hotp { counter: counter >> 1 } }
                x
            }).collect();
            let mut m = Migration::new(entries);
            m.batch_id = batch_id;
            let uri = m.to_uri().unwrap();
            prop_assert_eq!(Migration::parse(&uri).unwrap(), m);
        }

        #[test]
        fn migration_decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = Migration::decode_payload(&bytes);
        }

        #[test]
        fn migration_parse_never_panics(s in any::<String>()) {
            let _ = Migration::parse(&s);
            let _ = Migration::parse(&format!("otpauth-migration://offline?data={s}"));
        }
    }
}
