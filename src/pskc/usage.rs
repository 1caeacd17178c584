//! From a key read to what a verification server enrols: the generator and the initial
//! [`StateRecord`], once the key's policy (RFC 6030 §5) allows it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::ocra::{Ocra, OcraSuite};
use crate::{Algorithm, Hotp, HotpParams, StateRecord, Totp, TotpParams};

use super::error::{Unusable, Warning};
use super::key::PskcKey;

/// The key's generator, built with the file's digits, hash, period and suite.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Generator {
    /// An HOTP key (`…pskc:hotp`).
    Hotp(Hotp),
    /// A TOTP key (`…pskc:totp`).
    Totp(Totp),
    /// An OCRA key (`…pskc:ocra`), its suite from `AlgorithmParameters/Suite`.
    Ocra(Ocra),
}

/// What to enrol for one key: its generator, the record to start from, and warnings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Enrolment {
    /// The generator (and verifier).
    pub generator: Generator,
    /// The initial state: HOTP at `Counter`; TOTP with `TimeDrift` as drift; OCRA counter
    /// suites at `Counter`.
    pub record: StateRecord,
    /// Tolerances of this import (a short key, a missing counter), plus the reader's.
    pub warnings: Vec<Warning>,
}

/// Which OTP profile an algorithm URN names (RFC 6030 §10 and the drafts' spellings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Profile {
    Hotp,
    Totp,
    Ocra,
}

fn profile(algorithm: &str) -> Option<Profile> {
    let lower = algorithm.to_ascii_lowercase();
    let name = lower.rsplit([':', '#']).next().unwrap_or(lower.as_str());
    match name {
        "hotp" => Some(Profile::Hotp),
        "totp" => Some(Profile::Totp),
        _ if name.starts_with("ocra") => Some(Profile::Ocra),
        _ => None,
    }
}

impl PskcKey {
    /// Whether the key may be used at `now` (Unix seconds): the reason when not.
    ///
    /// Refused: a PIN mode of `Prepend` or `Algorithmic` (or an unknown one), a `KeyUsage`
    /// list without `OTP` (or `CR` for OCRA), a policy element the reader does not
    /// understand, a key past its expiry date or before its start date (the key's `Policy`
    /// or its device's), a key without a secret.
    ///
    /// # Errors
    ///
    /// The first [`Unusable`] reason found.
    pub fn usable_at(&self, now: i64) -> Result<(), Unusable> {
        if self.secret.is_none() {
            return Err(Unusable::NoSecret);
        }
        if self.policy.unknown_elements {
            return Err(Unusable::UnknownPolicy);
        }
        if let Some(mode) = self
            .policy
            .pin_policy
            .as_ref()
            .and_then(|p| p.usage_mode.as_deref())
        {
            match mode {
                "Local" | "Append" => {}
                "Prepend" => return Err(Unusable::PinPrepend),
                "Algorithmic" => return Err(Unusable::PinAlgorithmic),
                other => return Err(Unusable::PinUsageMode(String::from(other))),
            }
        }
        let ocra = self.algorithm.as_deref().and_then(profile) == Some(Profile::Ocra);
        if !self.policy.key_usage.is_empty()
            && !self
                .policy
                .key_usage
                .iter()
                .any(|u| u == "OTP" || (ocra && u == "CR"))
        {
            return Err(Unusable::KeyUsageExcludesOtp);
        }
        for expiry in [self.policy.expiry_date, self.device.expiry_date]
            .into_iter()
            .flatten()
        {
            if now > expiry {
                return Err(Unusable::Expired);
            }
        }
        for start in [self.policy.start_date, self.device.start_date]
            .into_iter()
            .flatten()
        {
            if now < start {
                return Err(Unusable::NotYetValid);
            }
        }
        Ok(())
    }

    /// The generator and initial record to enrol this key with, if it is usable at `now`.
    ///
    /// HOTP starts at `Counter`. TOTP takes `TimeInterval` as its period (30 when absent),
    /// `Time` (in intervals) times the period as its T0, and `TimeDrift` as the record's drift.
    /// Keys shorter than 16 bytes are built with the short-key constructors and a
    /// [`Warning::ShortKey`].
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::pskc::{read, Decryption, Generator, ReadOptions};
    ///
    /// let doc = br#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
    ///   <KeyPackage><Key Id="1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
    ///     <AlgorithmParameters><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>
    ///     <Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
    ///     <Counter><PlainValue>0</PlainValue></Counter></Data>
    ///   </Key></KeyPackage></KeyContainer>"#;
    /// let c = read(&doc[..], Decryption::None, &ReadOptions::default())?;
    /// let e = c.keys[0].enrolment_at(0).expect("usable");
    /// let Generator::Hotp(hotp) = e.generator else { panic!() };
    /// assert_eq!(hotp.generate(e.record.next_counter()).as_str(), "84755224");
    /// # Ok::<(), otpkit::pskc::PskcError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`usable_at`](Self::usable_at)'s reasons, and [`Unusable::Algorithm`] (not HOTP, TOTP
    /// or OCRA, or an unknown `Suite` hash), [`Unusable::ResponseEncoding`] (not `DECIMAL`),
    /// [`Unusable::Parameters`] (digits, period or suite the generators refuse).
    pub fn enrolment_at(&self, now: i64) -> Result<Enrolment, Unusable> {
        self.usable_at(now)?;
        let secret = self.secret().ok_or(Unusable::NoSecret)?;
        let algorithm = self.algorithm.clone().unwrap_or_default();
        let profile = profile(&algorithm).ok_or(Unusable::Algorithm(algorithm.clone()))?;
        if let Some(f) = &self.response_format
            && !f.encoding.eq_ignore_ascii_case("DECIMAL")
        {
            return Err(Unusable::ResponseEncoding(f.encoding.clone()));
        }
        let mut warnings = self.warnings.clone();
        let short = secret.len() < Hotp::MIN_KEY_LEN;
        if short && profile != Profile::Ocra {
            warnings.push(Warning::ShortKey);
        }
        let digits = match &self.response_format {
            Some(f) => u8::try_from(f.length)
                .map_err(|_| Unusable::Parameters(crate::Error::InvalidDigits(u8::MAX)))?,
            None => 6,
        };
        let hash = match self.suite.as_deref() {
            None | Some("") => Algorithm::Sha1,
            Some(s) if profile != Profile::Ocra => {
                let upper = s.to_ascii_uppercase();
                match upper
                    .strip_prefix("HMAC-")
                    .unwrap_or(&upper)
                    .replace('-', "")
                    .as_str()
                {
                    "SHA1" => Algorithm::Sha1,
                    "SHA256" => Algorithm::Sha256,
                    "SHA512" => Algorithm::Sha512,
                    _ => return Err(Unusable::Algorithm(String::from(s))),
                }
            }
            Some(_) => Algorithm::Sha1,
        };
        let p = Unusable::Parameters;
        let (generator, record) = match profile {
            Profile::Hotp => {
                let params = HotpParams {
                    algorithm: hash,
                    digits,
                };
                let hotp = if short {
                    Hotp::new_allowing_short_key(secret, params)
                } else {
                    Hotp::new(secret, params)
                }
                .map_err(p)?;
                let counter = self.counter.unwrap_or_else(|| {
                    warnings.push(Warning::MissingCounter);
                    0
                });
                (Generator::Hotp(hotp), StateRecord::counter(counter))
            }
            Profile::Totp => {
                let period = self.time_interval.unwrap_or(30);
                let steps = u64::try_from(self.time.unwrap_or(0))
                    .map_err(|_| p(crate::Error::CounterOverflow))?;
                let t0 = steps
                    .checked_mul(period)
                    .ok_or(p(crate::Error::CounterOverflow))?;
                let params = TotpParams {
                    algorithm: hash,
                    digits,
                    period,
                    t0,
                };
                let totp = if short {
                    Totp::new_allowing_short_key(secret, params)
                } else {
                    Totp::new(secret, params)
                }
                .map_err(p)?;
                let record = StateRecord::time_step_with_drift(self.time_drift.unwrap_or(0));
                (Generator::Totp(totp), record)
            }
            Profile::Ocra => {
                let suite_text = self
                    .suite
                    .as_deref()
                    .ok_or(Unusable::Algorithm(algorithm.clone()))?;
                let suite = OcraSuite::parse(suite_text).map_err(|e| p(e.into()))?;
                let record = if suite.uses_counter() {
                    StateRecord::counter(self.counter.unwrap_or(0))
                } else {
                    StateRecord::time_step()
                };
                (
                    Generator::Ocra(Ocra::new(suite, secret).map_err(p)?),
                    record,
                )
            }
        };
        Ok(Enrolment {
            generator,
            record,
            warnings,
        })
    }
}
