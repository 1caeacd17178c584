//! CALCULATE and CALCULATE ALL.

use super::apdu::Sw;
use super::applet::Card;
use super::credentials::name;
use super::record::{self, Credential, PROP_INCREASING, PROP_TOUCH};
use super::store::{CredentialStore, Random, Touch};
use super::tlv::{Reader, Writer};
use crate::mac::{self, Mac};

const TAG_NAME: u8 = 0x71;
const TAG_CHALLENGE: u8 = 0x74;
const TAG_FULL: u8 = 0x75;
const TAG_TRUNCATED: u8 = 0x76;
const TAG_HOTP: u8 = 0x77;
const TAG_TOUCH: u8 = 0x7c;
/// The longest challenge CALCULATE takes (ykneo-oath's limit).
const MAX_CHALLENGE: usize = 64;

/// The challenge as a number, for the only-increasing property (at most 8 bytes, big-endian).
fn challenge_value(challenge: &[u8]) -> Option<u64> {
    let mut b = [0u8; 8];
    super::copy(
        b.get_mut(8usize.checked_sub(challenge.len())?..)?,
        challenge,
    );
    Some(u64::from_be_bytes(b))
}

/// Writes `76 05 dd t0..t3` (truncated) or `75 L dd HMAC` (full).
fn answer(c: &Credential, message: &[u8], truncated: bool, out: &mut Writer<'_>) -> Result<(), Sw> {
    let alg = record::algorithm(c.type_byte).ok_or(Sw::MEMORY)?;
    let digest = Mac::new(alg, c.key()).digest(&[message]);
    if truncated {
        let value = mac::dynamic_truncate(digest.as_bytes());
        out.tlv(TAG_TRUNCATED, &[&[c.digits], &value.to_be_bytes()])
    } else {
        out.tlv(TAG_FULL, &[&[c.digits], digest.as_bytes()])
    }
}

impl<S: CredentialStore, R: Random, T: Touch> Card<S, R, T> {
    /// CALCULATE: `71 L name 74 L challenge`. HOTP ignores the challenge and uses (and moves
    /// on, in the store, before answering) its counter.
    // Inlined into `run`, its one caller: see `.ci/nopanic/src/main.rs` for why.
    #[inline(always)]
    pub(super) fn calculate(
        &mut self,
        data: &[u8],
        truncated: bool,
        out: &mut Writer<'_>,
    ) -> Result<(), Sw> {
        self.require_unlocked()?;
        let mut r = Reader::new(data);
        let name = name(&mut r)?;
        let challenge = r.expect(TAG_CHALLENGE)?;
        if !r.is_empty() || challenge.len() > MAX_CHALLENGE {
            return Err(Sw::WRONG_DATA);
        }
        let (slot, mut c) = self.find(name)?.ok_or(Sw::NO_SUCH_OBJECT)?;
        if !c.is_hotp() && challenge.is_empty() {
            return Err(Sw::WRONG_DATA);
        }
        let increasing = !c.is_hotp() && c.properties & PROP_INCREASING != 0;
        let value = if increasing {
            let v = challenge_value(challenge).ok_or(Sw::WRONG_DATA)?;
            if v < c.last_challenge {
                return Err(Sw::SECURITY);
            }
            Some(v)
        } else {
            None
        };
        if c.properties & PROP_TOUCH != 0 && !self.touch.confirm() {
            return Err(Sw::SECURITY);
        }
        if c.is_hotp() {
            let counter = c.counter;
            c.counter = counter.checked_add(1).ok_or(Sw::MEMORY)?;
            // Stored before the code exists: a lost write never shows a code twice.
            self.write(slot, &c)?;
            return answer(&c, &counter.to_be_bytes(), truncated, out);
        }
        if let Some(v) = value.filter(|v| *v != c.last_challenge) {
            c.last_challenge = v;
            self.write(slot, &c)?;
        }
        answer(&c, challenge, truncated, out)
    }

    /// CALCULATE ALL: `74 L challenge`; per credential its name and a TOTP code, or `77 01 dd`
    /// (HOTP) / `7C 01 dd` (touch required, or a lower challenge for an only-increasing one)
    /// with no code.
    // Inlined into `run`, its one caller: see `.ci/nopanic/src/main.rs` for why.
    #[inline(always)]
    pub(super) fn calculate_all(
        &mut self,
        data: &[u8],
        truncated: bool,
        out: &mut Writer<'_>,
    ) -> Result<(), Sw> {
        self.require_unlocked()?;
        let mut r = Reader::new(data);
        let challenge = r.expect(TAG_CHALLENGE)?;
        if !r.is_empty() || challenge.is_empty() || challenge.len() > MAX_CHALLENGE {
            return Err(Sw::WRONG_DATA);
        }
        for slot in 0..self.store.slots() {
            let Some(mut c) = self.read(slot)? else {
                continue;
            };
            out.tlv(TAG_NAME, &[c.name()])?;
            if c.is_hotp() {
                out.tlv(TAG_HOTP, &[&[c.digits]])?;
                continue;
            }
            if c.properties & PROP_TOUCH != 0 {
                out.tlv(TAG_TOUCH, &[&[c.digits]])?;
                continue;
            }
            if c.properties & PROP_INCREASING != 0 {
                match challenge_value(challenge) {
                    Some(v) if v >= c.last_challenge => {
                        if v != c.last_challenge {
                            c.last_challenge = v;
                            self.write(slot, &c)?;
                        }
                    }
                    _ => {
                        out.tlv(TAG_TOUCH, &[&[c.digits]])?;
                        continue;
                    }
                }
            }
            answer(&c, challenge, truncated, out)?;
        }
        Ok(())
    }
}
