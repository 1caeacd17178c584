//! [`serde`] support (feature `serde`): the configuration a server stores per credential and
//! the verifier state it updates after each login.
//!
//! Serializable: [`Algorithm`] (as `"SHA1"`, `"SHA256"`, `"SHA512"`; any spelling
//! [`Algorithm::from_str`](core::str::FromStr) accepts on input), [`HotpParams`],
//! [`TotpParams`], [`Window`] (`{"behind", "ahead"}`, checked against [`Window::MAX`] on
//! input), the verification results [`HotpMatch`] and [`TotpMatch`] (whose `next_counter` /
//! `step` is the state to persist), and with the `uri` feature
//! [`OtpType`](crate::uri::OtpType), [`Encoder`](crate::uri::Encoder) and
//! [`Warning`](crate::uri::Warning) (as its stable id).
//!
//! [`Secret`](crate::Secret) deliberately implements neither `Serialize` nor `Deserialize`, so a key never
//! ends up in a log line, a JSON API response or a cache by accident. Storing it is an
//! explicit opt-in, field by field, with [`expose_secret_base32`]:
//!
//! ```
//! use otpkit::{Secret, TotpParams};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Credential {
//!     // The key is written as Base32: encrypt this record at rest.
//!     #[serde(with = "otpkit::serde::expose_secret_base32")]
//!     secret: Secret,
//!     params: TotpParams,
//!     last_step: Option<u64>,
//! }
//!
//! let c = Credential {
//!     secret: Secret::from_bytes(b"Hello!\xde\xad\xbe\xef")?,
//!     params: TotpParams::default(),
//!     last_step: Some(56_666_666),
//! };
//! let json = serde_json::to_string(&c).unwrap();
//! assert_eq!(
//!     json,
//!     r#"{"secret":"JBSWY3DPEHPK3PXP","params":{"algorithm":"SHA1","digits":6,"period":30,"t0":0},"last_step":56666666}"#
//! );
//! let back: Credential = serde_json::from_str(&json).unwrap();
//! assert_eq!(back.secret.as_ref(), c.secret.as_ref());
//! # Ok::<(), otpkit::Error>(())
//! ```

use core::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::{Algorithm, HotpMatch, HotpParams, TotpMatch, TotpParams, Window};

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Algorithm;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"SHA1\", \"SHA256\" or \"SHA512\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Algorithm, E> {
                v.parse()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "HotpParams", deny_unknown_fields)]
struct HotpParamsDef {
    algorithm: Algorithm,
    digits: u8,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "TotpParams", deny_unknown_fields)]
struct TotpParamsDef {
    algorithm: Algorithm,
    digits: u8,
    period: u64,
    t0: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "HotpMatch", deny_unknown_fields)]
struct HotpMatchDef {
    counter: u64,
    next_counter: u64,
    drift: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "TotpMatch", deny_unknown_fields)]
struct TotpMatchDef {
    step: u64,
    drift: i64,
}

macro_rules! via_remote {
    ($ty:ty, $def:ident) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $def::serialize(self, s)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $def::deserialize(d)
            }
        }
    };
}

via_remote!(HotpParams, HotpParamsDef);
via_remote!(TotpParams, TotpParamsDef);
via_remote!(HotpMatch, HotpMatchDef);
via_remote!(TotpMatch, TotpMatchDef);

#[derive(Serialize, Deserialize)]
#[serde(rename = "Window", deny_unknown_fields)]
struct WindowDef {
    behind: u32,
    ahead: u32,
}

impl Serialize for Window {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WindowDef {
            behind: self.behind(),
            ahead: self.ahead(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = WindowDef::deserialize(d)?;
        Window::new(w.behind, w.ahead).map_err(de::Error::custom)
    }
}

#[cfg(feature = "uri")]
mod uri_types {
    use super::*;
    use crate::uri::{Encoder, OtpType, Warning};

    #[derive(Serialize, Deserialize)]
    #[serde(remote = "OtpType", rename_all = "lowercase", deny_unknown_fields)]
    enum OtpTypeDef {
        Hotp { counter: u64 },
        Totp { period: u64 },
    }

    #[derive(Serialize, Deserialize)]
    #[serde(remote = "Encoder", rename_all = "lowercase")]
    enum EncoderDef {
        Standard,
        Steam,
    }

    via_remote!(OtpType, OtpTypeDef);
    via_remote!(Encoder, EncoderDef);

    impl Serialize for Warning {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.id())
        }
    }

    impl<'de> Deserialize<'de> for Warning {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Warning;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a warning id such as \"short_key\"")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Warning, E> {
                    Warning::ALL
                        .into_iter()
                        .find(|w| w.id() == v)
                        .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
            d.deserialize_str(V)
        }
    }
}

/// Explicit opt-in to (de)serialize a [`Secret`](crate::Secret) as upper-case unpadded
/// Base32, with `#[serde(with = "otpkit::serde::expose_secret_base32")]`.
///
/// The output is the key itself: store it only where keys belong (an encrypted column, a
/// secrets manager). On input the tolerant [`Secret::decode_base32`](crate::Secret::decode_base32)
/// rules apply. The text is assembled in a zeroizing stack buffer; what the serializer does
/// with it afterwards (for example a `String` from `serde_json::to_string`) is up to the caller.
pub mod expose_secret_base32 {
    use core::fmt;

    use serde::de::{self, Deserializer, Visitor};
    use serde::ser::{self, Serializer};
    use zeroize::Zeroizing;

    use crate::Secret;

    /// Base32 characters for `Secret::MAX_LEN` bytes.
    const MAX_CHARS: usize = (Secret::MAX_LEN * 8).div_ceil(5);

    struct Buf {
        bytes: Zeroizing<[u8; MAX_CHARS]>,
        len: usize,
    }

    impl fmt::Write for Buf {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
            self.bytes
                .get_mut(self.len..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    /// Writes the secret as Base32.
    ///
    /// # Errors
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(secret: &Secret, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = Buf {
            bytes: Zeroizing::new([0; MAX_CHARS]),
            len: 0,
        };
        secret
            .write_base32(&mut buf)
            .map_err(|_| ser::Error::custom("secret does not fit"))?;
        let text = buf
            .bytes
            .get(..buf.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .ok_or_else(|| ser::Error::custom("secret does not fit"))?;
        s.serialize_str(text)
    }

    /// Reads a secret from Base32.
    ///
    /// # Errors
    /// A custom error (without the input) when the text is not valid Base32 or too long.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Secret;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base32 secret")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Secret, E> {
                // The error names the problem, never the input.
                let mut secret = Secret::EMPTY;
                secret.decode_base32(v).map_err(E::custom)?;
                Ok(secret)
            }
        }
        d.deserialize_str(V)
    }
}
