//! serde: configuration and verifier state round-trip through JSON; invalid state is
//! refused on input; a secret serializes only through the explicit opt-in module, and a bad
//! secret's error message does not repeat it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use otpkit::uri::{Encoder, OtpType, Warning};
use otpkit::{Algorithm, HotpMatch, HotpParams, Secret, TotpMatch, TotpParams, Window};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + core::fmt::Debug>(
    value: T,
    json: &str,
) {
    assert_eq!(serde_json::to_string(&value).unwrap(), json);
    assert_eq!(serde_json::from_str::<T>(json).unwrap(), value);
}

#[test]
fn configuration_and_state_round_trip() {
    round_trip(Algorithm::Sha512, r#""SHA512""#);
    round_trip(
        HotpParams {
            algorithm: Algorithm::Sha256,
            digits: 8,
        },
        r#"{"algorithm":"SHA256","digits":8}"#,
    );
    round_trip(
        TotpParams::default(),
        r#"{"algorithm":"SHA1","digits":6,"period":30,"t0":0}"#,
    );
    round_trip(Window::new(2, 1).unwrap(), r#"{"behind":2,"ahead":1}"#);
    round_trip(
        HotpMatch {
            counter: 5,
            next_counter: 6,
            drift: 2,
        },
        r#"{"counter":5,"next_counter":6,"drift":2}"#,
    );
    round_trip(TotpMatch { step: 9, drift: -1 }, r#"{"step":9,"drift":-1}"#);
    round_trip(OtpType::Hotp { counter: 3 }, r#"{"hotp":{"counter":3}}"#);
    round_trip(Encoder::Steam, r#""steam""#);
    round_trip(Warning::IssuerMismatch, r#""issuer_mismatch""#);
}

#[test]
fn invalid_input_is_refused() {
    assert!(serde_json::from_str::<Window>(r#"{"behind":1001,"ahead":0}"#).is_err());
    assert!(serde_json::from_str::<Algorithm>(r#""MD5""#).is_err());
    assert_eq!(
        serde_json::from_str::<Algorithm>(r#""sha-256""#).unwrap(),
        Algorithm::Sha256
    );
    assert!(
        serde_json::from_str::<TotpParams>(
            r#"{"algorithm":"SHA1","digits":6,"period":30,"t0":0,"x":1}"#
        )
        .is_err()
    );
    assert!(serde_json::from_str::<Warning>(r#""nope""#).is_err());
}

#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(with = "otpkit::serde::expose_secret_base32")]
    secret: Secret,
    params: TotpParams,
    last: Option<TotpMatch>,
}

#[test]
fn secret_only_through_the_opt_in() {
    let s = Stored {
        secret: Secret::from_bytes(&[0xab; 256]).unwrap(),
        params: TotpParams::default(),
        last: None,
    };
    let json = serde_json::to_string(&s).unwrap();
    let back: Stored = serde_json::from_str(&json).unwrap();
    assert_eq!(back.secret.as_ref(), s.secret.as_ref());
    let err = serde_json::from_str::<Stored>(r#"{"secret":"SECRET1!","params":{"algorithm":"SHA1","digits":6,"period":30,"t0":0},"last":null}"#)
        .err()
        .unwrap()
        .to_string();
    assert!(!err.contains("SECRET1"), "{err}");
}
