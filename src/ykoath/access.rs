//! SELECT, RESET, SET CODE and VALIDATE: the device salt and the password (access key).

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::AID;
use super::apdu::Sw;
use super::record::{MAX_ACCESS_KEY_LEN, Meta};
use super::store::{CredentialStore, Random, Touch};
use super::tlv::{Reader, Writer};
use super::{VERSION, applet::Card};
use crate::Algorithm;
use crate::mac::Mac;

const TAG_NAME: u8 = 0x71;
const TAG_KEY: u8 = 0x73;
const TAG_CHALLENGE: u8 = 0x74;
const TAG_RESPONSE: u8 = 0x75;
const TAG_VERSION: u8 = 0x79;
const TAG_ALGORITHM: u8 = 0x7b;

/// HMAC-SHA-1 of `message` under the access key (yubikit always uses SHA-1 for it).
fn access_mac(key: &[u8], message: &[u8]) -> Zeroizing<[u8; 20]> {
    let d = Mac::new(Algorithm::Sha1, key).digest(&[message]);
    let mut out = Zeroizing::new([0u8; 20]);
    if let Some(src) = d.as_bytes().get(..20) {
        super::copy(&mut out[..], src);
    }
    out
}

impl<S: CredentialStore, R: Random, T: Touch> Card<S, R, T> {
    /// SELECT by AID: the version, the salt and, with a password set, a fresh challenge.
    // Inlined into `run`, its one caller: see `.ci/nopanic/src/main.rs` for why.
    #[inline(always)]
    pub(super) fn select(&mut self, aid: &[u8], out: &mut Writer<'_>) -> Result<(), Sw> {
        self.selected = false;
        self.unlocked = false;
        self.challenge = None;
        if !super::same(aid, &AID) {
            return Err(Sw::NOT_FOUND);
        }
        let meta = match self.load_meta()? {
            Some(m) => m,
            None => {
                let m = self.new_meta();
                self.save_meta(&m)?;
                m
            }
        };
        out.tlv(TAG_VERSION, &[&VERSION])?;
        out.tlv(TAG_NAME, &[&meta.salt])?;
        if meta.access_key().is_some() {
            let mut challenge = [0u8; 8];
            self.random.fill(&mut challenge);
            out.tlv(TAG_CHALLENGE, &[&challenge])?;
            out.tlv(TAG_ALGORITHM, &[&[meta.access_alg]])?;
            self.challenge = Some(challenge);
        }
        self.selected = true;
        Ok(())
    }

    fn new_meta(&mut self) -> Meta {
        let mut salt = [0u8; 8];
        self.random.fill(&mut salt);
        Meta::new(salt)
    }

    /// RESET: every credential and the access key erased, a new salt. Needs no password.
    // Inlined into `run`, its one caller: see `.ci/nopanic/src/main.rs` for why.
    #[inline(always)]
    pub(super) fn reset(&mut self) -> Result<(), Sw> {
        self.unlocked = false;
        self.challenge = None;
        let meta = self.new_meta();
        self.save_meta(&meta)?;
        for slot in 0..self.store.slots() {
            self.store.erase(slot).map_err(|_| Sw::MEMORY)?;
        }
        Ok(())
    }

    /// SET CODE: `73 L alg key 74 L challenge 75 L HMAC(key, challenge)` sets the access key,
    /// `73 00` removes it.
    // Inlined into `run`, its one caller: see `.ci/nopanic/src/main.rs` for why.
    #[inline(always)]
    pub(super) fn set_code(&mut self, data: &[u8]) -> Result<(), Sw> {
        self.require_unlocked()?;
        let mut r = Reader::new(data);
        let key_tlv = r.expect(TAG_KEY)?;
        let mut meta = match self.load_meta()? {
            Some(m) => m,
            None => self.new_meta(),
        };
        let Some((&alg, key)) = key_tlv.split_first() else {
            if !r.is_empty() {
                return Err(Sw::WRONG_DATA);
            }
            meta.set_access_key(0, None).ok_or(Sw::WRONG_DATA)?;
            return self.save_meta(&meta);
        };
        let challenge = r.expect(TAG_CHALLENGE)?;
        let response = r.expect(TAG_RESPONSE)?;
        if !r.is_empty()
            || alg & 0x0f != 0x01
            || key.is_empty()
            || key.len() > MAX_ACCESS_KEY_LEN
            || challenge.is_empty()
            || response.len() != 20
        {
            return Err(Sw::WRONG_DATA);
        }
        let expected = access_mac(key, challenge);
        if !bool::from(expected.ct_eq(response)) {
            return Err(Sw::NO_SUCH_OBJECT);
        }
        meta.set_access_key(alg, Some(key)).ok_or(Sw::WRONG_DATA)?;
        self.save_meta(&meta)?;
        // The session that set the password stays usable.
        self.unlocked = true;
        Ok(())
    }

    /// VALIDATE: `75 L HMAC(key, SELECT challenge) 74 L host challenge`, answered with
    /// `75 14 HMAC(key, host challenge)`. Each SELECT challenge serves one attempt.
    // Inlined into `run`, its one caller: see `.ci/nopanic/src/main.rs` for why.
    #[inline(always)]
    pub(super) fn validate(&mut self, data: &[u8], out: &mut Writer<'_>) -> Result<(), Sw> {
        let meta = self.load_meta()?;
        let Some(key) = meta.as_ref().and_then(Meta::access_key) else {
            return Err(Sw::NO_SUCH_OBJECT);
        };
        let mut r = Reader::new(data);
        let response = r.expect(TAG_RESPONSE)?;
        let host_challenge = r.expect(TAG_CHALLENGE)?;
        let challenge = self.challenge.take();
        if !r.is_empty() || response.len() != 20 || host_challenge.len() < 8 {
            return Err(Sw::WRONG_DATA);
        }
        let Some(challenge) = challenge else {
            return Err(Sw::WRONG_DATA);
        };
        let expected = access_mac(key, &challenge);
        if !bool::from(expected.ct_eq(response)) {
            return Err(Sw::WRONG_DATA);
        }
        let answer = access_mac(key, host_challenge);
        out.tlv(TAG_RESPONSE, &[&answer[..]])?;
        self.unlocked = true;
        Ok(())
    }
}
