//! serde support for the persisted state (`serde` feature).
//!
//! A [`StateRecord`] serializes as a struct `{ version, kind, next, drift, throttle,
//! enrolment }` with `kind` one of `"counter"`, `"time_step"`, `throttle` a [`ThrottleState`]
//! `{ failures, locked_until }` (`locked_until`: 0 none, `u64::MAX` until reset) and
//! `enrolment` the 16 bytes of the [`EnrolmentId`](crate::EnrolmentId). Reading refuses a newer
//! `version`, unknown fields, and a counter record with a drift, as
//! [`StateRecord::from_bytes`] does; a record of version 1 has no `enrolment` (it belongs to
//! [`EnrolmentId::LEGACY`](crate::EnrolmentId::LEGACY)), one of version 2 must have it.

use ::serde::de::Error as _;
use ::serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{EnrolmentId, RecordKind, StateError, StateRecord, ThrottleState};

#[derive(Serialize, Deserialize)]
#[serde(rename = "ThrottleState", deny_unknown_fields)]
struct ThrottleRepr {
    failures: u32,
    locked_until: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindRepr {
    Counter,
    TimeStep,
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "StateRecord", deny_unknown_fields)]
struct RecordRepr {
    version: u8,
    kind: KindRepr,
    next: u64,
    drift: i64,
    throttle: ThrottleState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enrolment: Option<[u8; EnrolmentId::LEN]>,
}

impl Serialize for ThrottleState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ThrottleRepr {
            failures: self.failures(),
            locked_until: self.locked_until_raw(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ThrottleState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let r = ThrottleRepr::deserialize(deserializer)?;
        Ok(ThrottleState::from_raw(r.failures, r.locked_until))
    }
}

impl Serialize for StateRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RecordRepr {
            version: StateRecord::FORMAT_VERSION,
            kind: match self.kind {
                RecordKind::Counter => KindRepr::Counter,
                RecordKind::TimeStep => KindRepr::TimeStep,
            },
            next: self.next,
            drift: self.drift,
            throttle: self.throttle,
            enrolment: Some(self.enrolment.to_bytes()),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for StateRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let r = RecordRepr::deserialize(deserializer)?;
        if r.version == 0 {
            return Err(D::Error::custom("state record version 0 does not exist"));
        }
        if r.version > StateRecord::FORMAT_VERSION {
            return Err(D::Error::custom(StateError::UnsupportedVersion {
                version: r.version,
                max: StateRecord::FORMAT_VERSION,
            }));
        }
        let kind = match r.kind {
            KindRepr::Counter => RecordKind::Counter,
            KindRepr::TimeStep => RecordKind::TimeStep,
        };
        if kind == RecordKind::Counter && r.drift != 0 {
            return Err(D::Error::custom("a counter record has no drift"));
        }
        let enrolment = match (r.version, r.enrolment) {
            (1, None) => EnrolmentId::LEGACY,
            (1, Some(_)) => return Err(D::Error::custom("a version 1 record has no enrolment")),
            (_, Some(bytes)) => EnrolmentId::from_bytes(bytes),
            (_, None) => return Err(D::Error::missing_field("enrolment")),
        };
        Ok(StateRecord {
            kind,
            next: r.next,
            drift: r.drift,
            throttle: r.throttle,
            enrolment,
        })
    }
}
