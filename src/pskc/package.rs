//! One `KeyPackage` (or a draft's `Device`) read into [`PskcKey`]s: RFC 6030 §4.3–§5 field
//! by field, with the draft element names python-pskc 1.4 also reads.

use alloc::string::String;
use alloc::vec::Vec;

use super::error::{PskcError, PskcErrorKind, Warning};
use super::key::{ChallengeFormat, DeviceInfo, KeyPolicy, PinPolicy, PskcKey, ResponseFormat};
use super::value::Crypto;
use super::xml::Node;

/// The keys of one package, each read or failed on its own.
pub(crate) fn read_package(package: &Node, crypto: &mut Crypto) -> Vec<Result<PskcKey, PskcError>> {
    let mut device = DeviceInfo::default();
    let mut device_error = None;
    if let Some(info) = package.child("DeviceInfo").or(package.child("DeviceId"))
        && let Err(e) = read_device(info, &mut device)
    {
        device_error = Some(e);
    }
    let crypto_module_id = package
        .child("CryptoModuleInfo")
        .and_then(|c| c.child_text("Id"))
        .map(String::from);
    let keys: Vec<&Node> = package
        .children
        .iter()
        .filter(|c| c.name == "Key" || c.name == "Secret")
        .collect();
    let mut out = Vec::new();
    if keys.is_empty() {
        let key = PskcKey {
            device,
            crypto_module_id,
            ..PskcKey::default()
        };
        out.push(match device_error {
            Some(e) => Err(PskcError::new(package.line, e)),
            None => Ok(key),
        });
        return out;
    }
    for node in keys {
        let id = node
            .attr("Id")
            .or(node.attr("KeyId"))
            .or(node.attr("SecretId"))
            .map(String::from);
        let mut key = PskcKey {
            id: id.clone().unwrap_or_default(),
            device: device.clone(),
            crypto_module_id: crypto_module_id.clone(),
            ..PskcKey::default()
        };
        let result = match &device_error {
            Some(e) => Err(e.clone()),
            None => read_key(node, &mut key, crypto),
        };
        out.push(match result {
            Ok(()) => Ok(key),
            Err(kind) => Err(PskcError {
                line: node.line,
                key_id: id,
                kind,
            }),
        });
    }
    out
}

fn read_device(info: &Node, d: &mut DeviceInfo) -> Result<(), PskcErrorKind> {
    let text = |n: &str| info.child_text(n).map(String::from);
    d.manufacturer = text("Manufacturer");
    d.serial_no = text("SerialNo");
    d.model = text("Model");
    d.issue_no = text("IssueNo");
    d.device_binding = text("DeviceBinding");
    d.start_date = date(info.child_text("StartDate"), "StartDate")?;
    d.expiry_date = date(
        info.child_text("ExpiryDate").or(info.child_text("Expiry")),
        "ExpiryDate",
    )?;
    d.user_id = text("UserId");
    Ok(())
}

fn read_key(node: &Node, key: &mut PskcKey, crypto: &mut Crypto) -> Result<(), PskcErrorKind> {
    let strict = crypto.strict;
    if strict && node.attr("Id").is_none() {
        return Err(PskcErrorKind::MissingAttribute("Key/@Id"));
    }
    key.algorithm = node
        .attr("Algorithm")
        .or(node.attr("KeyAlgorithm"))
        .or(node.attr("SecretAlgorithm"))
        .map(String::from);
    let text = |n: &str| node.child_text(n).map(String::from);
    key.issuer = text("Issuer");
    key.key_profile_id = text("KeyProfileId");
    key.key_reference = text("KeyReference");
    key.friendly_name = text("FriendlyName");
    key.user_id = text("UserId");
    let params = node.child("AlgorithmParameters");
    key.suite = params.and_then(|p| p.child_text("Suite")).map(String::from);
    let usage = node.child("Usage");
    let format = |name: &str| {
        params
            .and_then(|p| p.child(name))
            .or(usage.and_then(|u| u.child(name)))
    };
    if let Some(f) = format("ChallengeFormat") {
        key.challenge_format = Some(ChallengeFormat {
            encoding: encoding(f),
            min: int_attr(f, &["Min", "min"])?.unwrap_or(0),
            max: int_attr(f, &["Max", "max"])?.unwrap_or(0),
            check_digits: check_digits(f)?,
        });
    }
    if let Some(f) = format("ResponseFormat") {
        key.response_format = Some(ResponseFormat {
            encoding: encoding(f),
            length: int_attr(f, &["Length", "length"])?
                .ok_or(PskcErrorKind::MissingAttribute("ResponseFormat/@Length"))?,
            check_digits: check_digits(f)?,
        });
    }
    let mut warnings = Vec::new();
    // RFC 6030 Data children, then the drafts' `Data Name="..."` elements.
    let mut fields: Vec<(&str, &Node)> = Vec::new();
    if let Some(data) = node.child("Data") {
        for c in &data.children {
            fields.push((c.name.as_str(), c));
        }
    }
    for data in node.children("Data") {
        if let Some(name) = data.attr("Name") {
            let field = match name.to_ascii_lowercase().as_str() {
                "secret" => "Secret",
                "counter" => "Counter",
                "time" => "Time",
                "time_interval" => "TimeInterval",
                _ => continue,
            };
            fields.push((field, data));
            warnings.push(Warning::DraftFormat);
        }
    }
    for (name, element) in fields {
        let int = |v: Option<super::value::Plain>, what| match v {
            Some(p) => p.into_int(what, strict).map(Some),
            None => Ok(None),
        };
        match name {
            "Secret" => {
                key.secret = crypto
                    .value(element, true, &mut warnings)?
                    .map(|p| p.into_bytes());
            }
            "Counter" => {
                let v = int(crypto.value(element, false, &mut warnings)?, "Counter")?;
                key.counter = v
                    .map(|v| u64::try_from(v).map_err(|_| PskcErrorKind::InvalidValue("Counter")))
                    .transpose()?;
            }
            "Time" => {
                let v = int(crypto.value(element, false, &mut warnings)?, "Time")?;
                key.time = v
                    .map(|v| i64::try_from(v).map_err(|_| PskcErrorKind::InvalidValue("Time")))
                    .transpose()?;
            }
            "TimeInterval" => {
                let v = int(crypto.value(element, false, &mut warnings)?, "TimeInterval")?;
                key.time_interval = v
                    .map(|v| {
                        u64::try_from(v).map_err(|_| PskcErrorKind::InvalidValue("TimeInterval"))
                    })
                    .transpose()?;
            }
            "TimeDrift" => {
                let v = int(crypto.value(element, false, &mut warnings)?, "TimeDrift")?;
                key.time_drift = v
                    .map(|v| i64::try_from(v).map_err(|_| PskcErrorKind::InvalidValue("TimeDrift")))
                    .transpose()?;
            }
            _ => {}
        }
    }
    if let Some(policy) = node.child("Policy") {
        read_policy(policy, &mut key.policy)?;
    }
    if let Some(usage) = usage {
        for att in ["OTP", "CR", "Integrity", "Encrypt", "Unlock"] {
            if usage.attr(att).map(boolean).transpose()?.unwrap_or(false) {
                key.policy.key_usage.push(String::from(att));
            }
        }
    }
    if let Some(d) = date(node.child_text("StartDate"), "StartDate")? {
        key.policy.start_date = Some(d);
    }
    if let Some(d) = date(node.child_text("ExpiryDate"), "ExpiryDate")? {
        key.policy.expiry_date = Some(d);
    }
    key.warnings.extend(warnings);
    Ok(())
}

fn read_policy(node: &Node, p: &mut KeyPolicy) -> Result<(), PskcErrorKind> {
    p.start_date = date(node.child_text("StartDate"), "Policy/StartDate")?;
    p.expiry_date = date(node.child_text("ExpiryDate"), "Policy/ExpiryDate")?;
    p.number_of_transactions = node
        .child_text("NumberOfTransactions")
        .map(|t| {
            t.parse()
                .map_err(|_| PskcErrorKind::InvalidValue("NumberOfTransactions"))
        })
        .transpose()?;
    p.key_usage = node
        .children("KeyUsage")
        .map(|k| String::from(k.trimmed()))
        .collect();
    if let Some(pin) = node.child("PINPolicy") {
        let num = |n: &str| {
            pin.attr(n)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .map_err(|_| PskcErrorKind::InvalidValue("PINPolicy"))
                })
                .transpose()
        };
        p.pin_policy = Some(PinPolicy {
            pin_key_id: pin.attr("PINKeyId").map(String::from),
            usage_mode: pin.attr("PINUsageMode").map(String::from),
            max_failed_attempts: num("MaxFailedAttempts")?,
            min_length: num("MinLength")?,
            max_length: num("MaxLength")?,
            pin_encoding: pin.attr("PINEncoding").map(String::from),
        });
        const KNOWN: [&str; 6] = [
            "PINKeyId",
            "PINUsageMode",
            "MaxFailedAttempts",
            "MinLength",
            "MaxLength",
            "PINEncoding",
        ];
        if !pin.children.is_empty() || pin.attrs.iter().any(|(k, _)| !KNOWN.contains(&k.as_str())) {
            p.unknown_elements = true;
        }
    }
    const KNOWN: [&str; 5] = [
        "StartDate",
        "ExpiryDate",
        "NumberOfTransactions",
        "KeyUsage",
        "PINPolicy",
    ];
    if node
        .children
        .iter()
        .any(|c| !KNOWN.contains(&c.name.as_str()))
        || !node.attrs.is_empty()
    {
        p.unknown_elements = true;
    }
    Ok(())
}

fn encoding(f: &Node) -> String {
    String::from(
        f.attr("Encoding")
            .or(f.attr("Format"))
            .or(f.attr("format"))
            .unwrap_or("DECIMAL"),
    )
}

fn int_attr(f: &Node, names: &[&str]) -> Result<Option<u32>, PskcErrorKind> {
    names
        .iter()
        .find_map(|n| f.attr(n))
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| PskcErrorKind::InvalidValue("Format/@Length"))
        })
        .transpose()
}

fn check_digits(f: &Node) -> Result<bool, PskcErrorKind> {
    Ok(f.attr("CheckDigits")
        .or(f.attr("CheckDigit"))
        .map(boolean)
        .transpose()?
        .unwrap_or(false))
}

/// `xs:boolean`: `true`, `false`, `1`, `0` (case-insensitive, as python-pskc).
fn boolean(v: &str) -> Result<bool, PskcErrorKind> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(PskcErrorKind::InvalidValue("boolean")),
    }
}

/// `xs:dateTime` as Unix seconds; a time without a zone is UTC (as python-pskc reads it).
pub(crate) fn date(text: Option<&str>, what: &'static str) -> Result<Option<i64>, PskcErrorKind> {
    let Some(t) = text else { return Ok(None) };
    let bad = || PskcErrorKind::InvalidValue(what);
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(Some(ts.as_second()));
    }
    let dt: jiff::civil::DateTime = t.parse().map_err(|_| bad())?;
    let z = dt.to_zoned(jiff::tz::TimeZone::UTC).map_err(|_| bad())?;
    Ok(Some(z.timestamp().as_second()))
}
