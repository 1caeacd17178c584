//! What one key of a PSKC document holds (RFC 6030 §4, §5).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use super::error::Warning;

/// `DeviceInfo` (RFC 6030 §4.3.1): the token the key lives in. Dates are Unix seconds (UTC).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceInfo {
    /// `Manufacturer`.
    pub manufacturer: Option<String>,
    /// `SerialNo`.
    pub serial_no: Option<String>,
    /// `Model`.
    pub model: Option<String>,
    /// `IssueNo`.
    pub issue_no: Option<String>,
    /// `DeviceBinding`.
    pub device_binding: Option<String>,
    /// `StartDate`.
    pub start_date: Option<i64>,
    /// `ExpiryDate`.
    pub expiry_date: Option<i64>,
    /// `UserId`.
    pub user_id: Option<String>,
}

/// `PINPolicy` (RFC 6030 §5.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PinPolicy {
    /// `@PINKeyId`: the `Id` of the key holding the PIN.
    pub pin_key_id: Option<String>,
    /// `@PINUsageMode`: `Local`, `Prepend`, `Append` or `Algorithmic`.
    pub usage_mode: Option<String>,
    /// `@MaxFailedAttempts`.
    pub max_failed_attempts: Option<u64>,
    /// `@MinLength`.
    pub min_length: Option<u64>,
    /// `@MaxLength`.
    pub max_length: Option<u64>,
    /// `@PINEncoding`.
    pub pin_encoding: Option<String>,
}

/// `Policy` (RFC 6030 §5). Dates are Unix seconds (UTC).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyPolicy {
    /// `StartDate`: the key may not be used before.
    pub start_date: Option<i64>,
    /// `ExpiryDate`: the key may not be used after.
    pub expiry_date: Option<i64>,
    /// `PINPolicy`.
    pub pin_policy: Option<PinPolicy>,
    /// Each `KeyUsage` (`OTP`, `CR`, ...); empty when none is given.
    pub key_usage: Vec<String>,
    /// `NumberOfTransactions`.
    pub number_of_transactions: Option<u64>,
    /// Whether the policy holds elements or attributes this reader does not understand; RFC
    /// 6030 §5 then forbids using the key.
    pub unknown_elements: bool,
}

/// `ResponseFormat` (RFC 6030 §4.3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseFormat {
    /// `@Encoding` (`DECIMAL`, `HEXADECIMAL`, `ALPHANUMERIC`, `BASE64`, `BINARY`).
    pub encoding: String,
    /// `@Length`: digits or characters.
    pub length: u32,
    /// `@CheckDigits`.
    pub check_digits: bool,
}

/// `ChallengeFormat` (RFC 6030 §4.3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChallengeFormat {
    /// `@Encoding`.
    pub encoding: String,
    /// `@Min`.
    pub min: u32,
    /// `@Max`.
    pub max: u32,
    /// `@CheckDigits`.
    pub check_digits: bool,
}

/// One key of a PSKC document, decrypted and MAC-checked, with its device and policy.
///
/// The secret lives only in a buffer wiped on drop, and `Debug` does not show it.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct PskcKey {
    /// `Key/@Id`.
    pub id: String,
    /// `Key/@Algorithm`, the URN as written (`urn:ietf:params:xml:ns:keyprov:pskc:hotp`, ...).
    pub algorithm: Option<String>,
    /// `Issuer`.
    pub issuer: Option<String>,
    /// `KeyProfileId`.
    pub key_profile_id: Option<String>,
    /// `KeyReference`.
    pub key_reference: Option<String>,
    /// `FriendlyName`.
    pub friendly_name: Option<String>,
    /// `Key/UserId`.
    pub user_id: Option<String>,
    /// `DeviceInfo`.
    pub device: DeviceInfo,
    /// `CryptoModuleInfo/Id`.
    pub crypto_module_id: Option<String>,
    /// `AlgorithmParameters/Suite`.
    pub suite: Option<String>,
    /// `AlgorithmParameters/ChallengeFormat`.
    pub challenge_format: Option<ChallengeFormat>,
    /// `AlgorithmParameters/ResponseFormat`.
    pub response_format: Option<ResponseFormat>,
    pub(crate) secret: Option<Zeroizing<Vec<u8>>>,
    /// `Data/Counter`.
    pub counter: Option<u64>,
    /// `Data/Time`, in time intervals.
    pub time: Option<i64>,
    /// `Data/TimeInterval`, in seconds.
    pub time_interval: Option<u64>,
    /// `Data/TimeDrift`, in intervals (negative: the device is slow).
    pub time_drift: Option<i64>,
    /// `Policy`.
    pub policy: KeyPolicy,
    /// What the reader tolerated in this key (or its document).
    pub warnings: Vec<Warning>,
}

impl PskcKey {
    /// The decrypted secret (`Data/Secret`), `None` when the key has none.
    ///
    /// # Examples
    ///
    /// ```
    /// use otpkit::pskc::{read, Decryption, ReadOptions};
    ///
    /// let doc = br#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
    ///   <KeyPackage><Key Id="1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
    ///     <Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
    ///     <Counter><PlainValue>0</PlainValue></Counter></Data>
    ///   </Key></KeyPackage></KeyContainer>"#;
    /// let container = read(&doc[..], Decryption::None, &ReadOptions::default())?;
    /// assert_eq!(container.keys[0].secret(), Some(&b"12345678901234567890"[..]));
    /// # Ok::<(), otpkit::pskc::PskcError>(())
    /// ```
    #[must_use]
    pub fn secret(&self) -> Option<&[u8]> {
        self.secret.as_deref().map(Vec::as_slice)
    }
}

impl fmt::Debug for PskcKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PskcKey")
            .field("id", &self.id)
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field("device", &self.device)
            .field("suite", &self.suite)
            .field("response_format", &self.response_format)
            .field("counter", &self.counter)
            .field("time_interval", &self.time_interval)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}
