//! Test support: a read PSKC key's fields, but the secret, as one comparable string. Shared by
//! `tests/pskc.rs` and `tests/pskc_properties.rs`.

use otpkit::pskc::PskcKey;

/// Every field of a read key but the secret.
pub fn fields(k: &PskcKey) -> String {
    format!(
        "{k:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        k.user_id,
        k.friendly_name,
        k.key_profile_id,
        k.key_reference,
        k.crypto_module_id,
        k.challenge_format,
        k.time,
        k.time_drift,
        k.warnings
    )
}
