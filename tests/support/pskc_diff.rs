//! Test support: otpkit's reading of a python-pskc corpus (`tests/oracles/gen_pskc.py`)
//! compared field by field with python-pskc's, and its codes with the oracles'. Shared by
//! `tests/pskc_differential.rs` (the committed sample) and `examples/pskc_differential.rs`
//! (the full corpus `.ci/pskc` generates).
#![allow(dead_code, clippy::indexing_slicing, clippy::unwrap_used)]

use std::path::Path;

use otpkit::ocra::DataInput;
use otpkit::pskc::{Decryption, Generator, PskcKey, ReadOptions, read};
use serde_json::Value;

/// When the corpus keys are checked: inside every generated validity period.
const NOW: i64 = 1_700_000_000;
const TIMES: [u64; 3] = [1_111_111_109, 1_234_567_890, 2_000_000_000];

fn date(t: Option<i64>) -> Option<String> {
    t.map(|t| {
        jiff::Timestamp::from_second(t)
            .unwrap()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

/// otpkit's view of a key, in gen_pskc.py's names (absent fields left out).
fn describe(k: &PskcKey) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    let mut put = |name: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(name.to_owned(), v);
        }
    };
    let s = |v: &Option<String>| v.clone().map(Value::from);
    put("id", Some(Value::from(k.id.clone())));
    put("algorithm", s(&k.algorithm));
    put("issuer", s(&k.issuer));
    put("friendly_name", s(&k.friendly_name));
    put("key_userid", s(&k.user_id));
    put("key_profile", s(&k.key_profile_id));
    put("key_reference", s(&k.key_reference));
    put("manufacturer", s(&k.device.manufacturer));
    put("serial", s(&k.device.serial_no));
    put("model", s(&k.device.model));
    put("issue_no", s(&k.device.issue_no));
    put("device_binding", s(&k.device.device_binding));
    put("device_userid", s(&k.device.user_id));
    put("crypto_module", s(&k.crypto_module_id));
    put("start_date", date(k.device.start_date).map(Value::from));
    put("expiry_date", date(k.device.expiry_date).map(Value::from));
    put("suite", s(&k.suite));
    if let Some(f) = &k.response_format {
        put("digits", Some(Value::from(f.length)));
        put("encoding", Some(Value::from(f.encoding.clone())));
        put("response_check", Some(Value::from(f.check_digits)));
    }
    if let Some(f) = &k.challenge_format {
        put("challenge_encoding", Some(Value::from(f.encoding.clone())));
        put("challenge_min", Some(Value::from(f.min)));
        put("challenge_max", Some(Value::from(f.max)));
        put("challenge_check", Some(Value::from(f.check_digits)));
    }
    put("secret_hex", k.secret().map(|b| Value::from(hex(b))));
    put("counter", k.counter.map(Value::from));
    put("time_offset", k.time.map(Value::from));
    put("time_interval", k.time_interval.map(Value::from));
    put("time_drift", k.time_drift.map(Value::from));
    put(
        "policy_start_date",
        date(k.policy.start_date).map(Value::from),
    );
    put(
        "policy_expiry_date",
        date(k.policy.expiry_date).map(Value::from),
    );
    if !k.policy.key_usage.is_empty() {
        put("key_usage", Some(Value::from(k.policy.key_usage.clone())));
    }
    put(
        "number_of_transactions",
        k.policy.number_of_transactions.map(Value::from),
    );
    if let Some(p) = &k.policy.pin_policy {
        put("pin_key_id", s(&p.pin_key_id));
        put("pin_usage", s(&p.usage_mode));
        put(
            "pin_max_failed_attempts",
            p.max_failed_attempts.map(Value::from),
        );
        put("pin_min_length", p.min_length.map(Value::from));
        put("pin_max_length", p.max_length.map(Value::from));
        put("pin_encoding", s(&p.pin_encoding));
    }
    m
}

/// otpkit's codes for the key, as gen_pskc.py asks the oracles for them.
fn codes(k: &PskcKey) -> Result<Vec<String>, String> {
    let e = k.enrolment_at(NOW).map_err(|e| format!("unusable: {e}"))?;
    Ok(match e.generator {
        Generator::Hotp(h) => {
            let c = e.record.next_counter();
            [c, c + 1, c + 5]
                .iter()
                .map(|&c| h.generate(c).to_string())
                .collect()
        }
        Generator::Totp(t) => TIMES
            .iter()
            .map(|&time| {
                t.generate_at(time)
                    .map(|c| c.to_string())
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?,
        Generator::Ocra(o) => ["12345678", "00000000", "87654321"]
            .iter()
            .map(|q| {
                let mut input = DataInput::new().question(q);
                if o.suite().uses_counter() {
                    input = input.counter(k.counter.unwrap_or(0));
                }
                o.compute(&input)
                    .map(|r| r.to_string())
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("unknown generator".into()),
    })
}

/// Checks every file of `dir/manifest.json`; returns (files, keys, disagreements).
pub fn check_dir(dir: &Path) -> (usize, usize, Vec<String>) {
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    // The first line is a `//` comment naming the generator's arguments.
    let json = text
        .split_once('\n')
        .map_or(text.as_str(), |(_, rest)| rest);
    let manifest: Vec<Value> = serde_json::from_str(json).unwrap();
    let mut bad = Vec::new();
    let mut keys = 0;
    for entry in &manifest {
        let file = entry["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let psk = entry.get("psk_hex").and_then(Value::as_str).map(|h| {
            (0..h.len() / 2)
                .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                .collect::<Vec<u8>>()
        });
        let password = entry.get("password").and_then(Value::as_str);
        let decryption = match (&psk, password) {
            (Some(k), _) => Decryption::PreSharedKey(k),
            (_, Some(p)) => Decryption::Password(p.as_bytes()),
            _ => Decryption::None,
        };
        let c = match read(&bytes[..], decryption, &ReadOptions::default()) {
            Ok(c) => c,
            Err(e) => {
                bad.push(format!("{file}: {e}"));
                continue;
            }
        };
        for e in &c.errors {
            bad.push(format!("{file}: {e}"));
        }
        let want = entry["keys"].as_array().unwrap();
        if c.keys.len() != want.len() {
            bad.push(format!(
                "{file}: otpkit read {} keys, python-pskc {}",
                c.keys.len(),
                want.len()
            ));
        }
        for (k, w) in c.keys.iter().zip(want) {
            keys += 1;
            let got = describe(k);
            let w = w.as_object().unwrap();
            for (name, value) in w {
                if name == "codes" || name == "oracle" {
                    continue;
                }
                if got.get(name) != Some(value) {
                    bad.push(format!(
                        "{file}: key {}: {name}: otpkit {:?}, python-pskc {value}",
                        k.id,
                        got.get(name)
                    ));
                }
            }
            for name in got.keys() {
                // python-pskc leaves an absent CheckDigits absent; RFC 6030's default is false.
                let default_false = name.ends_with("_check") && got[name] == Value::Bool(false);
                if !w.contains_key(name) && !default_false {
                    bad.push(format!(
                        "{file}: key {}: {name}: otpkit {}, python-pskc absent",
                        k.id, got[name]
                    ));
                }
            }
            let want_codes: Vec<String> = w["codes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            match codes(k) {
                Ok(got) if got == want_codes => {}
                Ok(got) => bad.push(format!(
                    "{file}: key {}: codes {got:?}, {} {want_codes:?}",
                    k.id, w["oracle"]
                )),
                Err(e) => bad.push(format!("{file}: key {}: {e}", k.id)),
            }
        }
    }
    (manifest.len(), keys, bad)
}
