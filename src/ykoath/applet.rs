//! The applet: command chaining, dispatch, and answers served in parts.

use core::fmt;

use zeroize::Zeroize;

use super::apdu::{self, Command, Sw};
use super::record::{Credential, META_LEN, Meta, RECORD_LEN};
use super::store::{CredentialStore, Random, Touch};
use super::tlv::Writer;
use super::{MAX_COMMAND_DATA, MIN_RESPONSE_LEN};

pub(super) const INS_SELECT: u8 = 0xa4;
const INS_PUT: u8 = 0x01;
const INS_DELETE: u8 = 0x02;
const INS_SET_CODE: u8 = 0x03;
const INS_RESET: u8 = 0x04;
const INS_RENAME: u8 = 0x05;
const INS_LIST: u8 = 0xa1;
const INS_CALCULATE: u8 = 0xa2;
const INS_VALIDATE: u8 = 0xa3;
const INS_CALCULATE_ALL: u8 = 0xa4;
const INS_SEND_REMAINING: u8 = 0xa5;
const CLA_CHAIN: u8 = 0x10;

/// The response buffer given to [`Applet::process`] is shorter than
/// [`MIN_RESPONSE_LEN`](super::MIN_RESPONSE_LEN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseTooSmall;

impl fmt::Display for ResponseTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("response buffer shorter than 3 bytes")
    }
}

impl core::error::Error for ResponseTooSmall {}

/// The board and the session: everything the instructions act on.
pub(super) struct Card<S, R, T> {
    pub(super) store: S,
    pub(super) random: R,
    pub(super) touch: T,
    pub(super) selected: bool,
    pub(super) unlocked: bool,
    /// SELECT's challenge, until one VALIDATE uses it.
    pub(super) challenge: Option<[u8; 8]>,
}

impl<S: CredentialStore, R, T> Card<S, R, T> {
    pub(super) fn load_meta(&mut self) -> Result<Option<Meta>, Sw> {
        let mut rec = zeroize::Zeroizing::new([0u8; META_LEN]);
        match self.store.read_meta(&mut rec) {
            Ok(true) => Meta::decode(&rec).map(Some).map_err(|_| Sw::MEMORY),
            Ok(false) => Ok(None),
            Err(_) => Err(Sw::MEMORY),
        }
    }

    pub(super) fn save_meta(&mut self, meta: &Meta) -> Result<(), Sw> {
        let mut rec = zeroize::Zeroizing::new([0u8; META_LEN]);
        meta.encode(&mut rec);
        self.store.write_meta(&rec).map_err(|_| Sw::MEMORY)
    }

    /// `69 82` while an access key is set and no VALIDATE since SELECT succeeded.
    pub(super) fn require_unlocked(&mut self) -> Result<(), Sw> {
        let locked = self.load_meta()?.is_some_and(|m| m.access_key().is_some());
        if locked && !self.unlocked {
            return Err(Sw::SECURITY);
        }
        Ok(())
    }

    /// The credential in `slot`, if the slot is used.
    pub(super) fn read(&mut self, slot: usize) -> Result<Option<Credential>, Sw> {
        let mut rec = zeroize::Zeroizing::new([0u8; RECORD_LEN]);
        match self.store.read(slot, &mut rec) {
            Ok(true) => Credential::decode(&rec).map(Some).map_err(|_| Sw::MEMORY),
            Ok(false) => Ok(None),
            Err(_) => Err(Sw::MEMORY),
        }
    }

    pub(super) fn write(&mut self, slot: usize, c: &Credential) -> Result<(), Sw> {
        let mut rec = zeroize::Zeroizing::new([0u8; RECORD_LEN]);
        c.encode(&mut rec);
        self.store.write(slot, &rec).map_err(|_| Sw::MEMORY)
    }

    /// The slot and credential called `name`.
    pub(super) fn find(&mut self, name: &[u8]) -> Result<Option<(usize, Credential)>, Sw> {
        for slot in 0..self.store.slots() {
            if let Some(c) = self.read(slot)?
                && super::same(c.name(), name)
            {
                return Ok(Some((slot, c)));
            }
        }
        Ok(None)
    }
}

/// The command data of a chain, wiped once used (PUT carries keys).
struct Chain {
    buf: [u8; MAX_COMMAND_DATA],
    len: usize,
    /// INS, P1, P2 of the chain's first link.
    head: Option<[u8; 3]>,
}

impl Chain {
    fn clear(&mut self) {
        self.buf.get_mut(..self.len).unwrap_or_default().zeroize();
        self.len = 0;
        self.head = None;
    }

    fn append(&mut self, data: &[u8]) -> Result<(), Sw> {
        let end = self.len.checked_add(data.len()).ok_or(Sw::WRONG_LENGTH)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(Sw::WRONG_LENGTH)?;
        super::copy(dst, data);
        self.len = end;
        Ok(())
    }
}

impl Drop for Chain {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// An answer being served in parts; wiped once sent (it holds codes).
struct Pending<const P: usize> {
    buf: [u8; P],
    at: usize,
    end: usize,
}

impl<const P: usize> Pending<P> {
    fn clear(&mut self) {
        self.buf.get_mut(..self.end).unwrap_or_default().zeroize();
        self.at = 0;
        self.end = 0;
    }
}

impl<const P: usize> Drop for Pending<P> {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// The YKOATH applet over a credential store `S`, a random source `R` and a touch check `T`,
/// with an answer buffer of `PENDING` bytes (see the [module docs](super)).
///
/// An answer is at most 67 bytes per credential for LIST, 73 for CALCULATE ALL with truncated
/// codes (what yubikit asks for) and 133 with full SHA-512 responses; the default 2048 bytes
/// hold 28 credentials' worst truncated CALCULATE ALL.
pub struct Applet<S, R, T, const PENDING: usize = 2048> {
    card: Card<S, R, T>,
    chain: Chain,
    pending: Pending<PENDING>,
}

impl<S, R, T, const PENDING: usize> fmt::Debug for Applet<S, R, T, PENDING> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Applet")
            .field("selected", &self.card.selected)
            .field("unlocked", &self.card.unlocked)
            .field("pending", &(self.pending.end - self.pending.at))
            .finish_non_exhaustive()
    }
}

impl<S: CredentialStore, R: Random, T: Touch, const PENDING: usize> Applet<S, R, T, PENDING> {
    /// An applet over `store`, not yet selected.
    pub fn new(store: S, random: R, touch: T) -> Self {
        const { assert!(PENDING >= 256, "PENDING must hold at least 256 bytes") };
        Applet {
            card: Card {
                store,
                random,
                touch,
                selected: false,
                unlocked: false,
                challenge: None,
            },
            chain: Chain {
                buf: [0; MAX_COMMAND_DATA],
                len: 0,
                head: None,
            },
            pending: Pending {
                buf: [0; PENDING],
                at: 0,
                end: 0,
            },
        }
    }

    /// The credential store.
    pub fn store(&self) -> &S {
        &self.card.store
    }

    /// Forgets the session, as a power cycle or a card reset does: the applet must be selected
    /// again, and VALIDATE again when a password is set.
    pub fn deselect(&mut self) {
        self.card.selected = false;
        self.card.unlocked = false;
        self.card.challenge = None;
        self.chain.clear();
        self.pending.clear();
    }

    /// Processes one command APDU and writes the response data, then SW1 SW2, to the front of
    /// `response`; returns the number of bytes written. Data that does not fit (in `response`,
    /// or in the command's Le) is kept for SEND REMAINING and announced with `61 xx`.
    ///
    /// Every malformed command gets a status word, never a panic.
    ///
    /// # Errors
    ///
    /// [`ResponseTooSmall`] when `response` is shorter than
    /// [`MIN_RESPONSE_LEN`](super::MIN_RESPONSE_LEN); nothing is processed.
    // Inlined into the caller, so that `.ci/nopanic` proves it panic-free (see there).
    #[inline(always)]
    pub fn process(
        &mut self,
        command: &[u8],
        response: &mut [u8],
    ) -> Result<usize, ResponseTooSmall> {
        if response.len() < MIN_RESPONSE_LEN {
            return Err(ResponseTooSmall);
        }
        let room = response.len() - 2;
        let (sw, le) = match self.dispatch(command) {
            Ok(le) => (Sw::OK, le),
            Err(sw) => (sw, 0),
        };
        if sw != Sw::OK {
            self.pending.clear();
            return Ok(write_sw(response, 0, sw));
        }
        // Serve the next part of the answer.
        let n = (self.pending.end - self.pending.at).min(le).min(room);
        let part = self
            .pending
            .buf
            .get(self.pending.at..self.pending.at + n)
            .unwrap_or_default();
        if let Some(dst) = response.get_mut(..n) {
            super::copy(dst, part);
        }
        self.pending.at += n;
        let left = self.pending.end - self.pending.at;
        if left == 0 {
            self.pending.clear();
            Ok(write_sw(response, n, Sw::OK))
        } else {
            let xx = u8::try_from(left).unwrap_or(0);
            Ok(write_sw(response, n, Sw(0x6100 | u16::from(xx))))
        }
    }

    /// Runs one command; `Ok(le)` when its answer (possibly empty) is pending.
    // Inlined into `process`, its one caller (see `.ci/nopanic/src/main.rs`).
    #[inline(always)]
    fn dispatch(&mut self, command: &[u8]) -> Result<usize, Sw> {
        let cmd = match apdu::parse(command) {
            Ok(c) => c,
            Err(sw) => {
                self.chain.clear();
                return Err(sw);
            }
        };
        if cmd.data.len() > MAX_COMMAND_DATA {
            self.chain.clear();
            return Err(Sw::WRONG_LENGTH);
        }
        if cmd.cla & !CLA_CHAIN != 0 {
            self.chain.clear();
            return Err(Sw::UNKNOWN_CLA);
        }
        let head = [cmd.ins, cmd.p1, cmd.p2];
        if cmd.ins == INS_SEND_REMAINING && self.card.selected && cmd.cla == 0 {
            self.chain.clear();
            return if self.pending.at < self.pending.end {
                Ok(cmd.le)
            } else {
                Err(Sw::CONDITIONS)
            };
        }
        self.pending.clear();
        if self.chain.head.is_some_and(|h| h != head) {
            // Another command ends the chain unfinished; it is run on its own.
            self.chain.clear();
        }
        if cmd.cla & CLA_CHAIN != 0 {
            if !self.card.selected || (cmd.ins == INS_SELECT && cmd.p1 == 0x04) {
                self.chain.clear();
                return Err(Sw::CHAIN_EXPECTED);
            }
            if let Err(sw) = self.chain.append(cmd.data) {
                self.chain.clear();
                return Err(sw);
            }
            self.chain.head = Some(head);
            return Ok(0);
        }
        // One call site for `run` (inlined here), over the chain's joined data or the command's
        // own.
        let joined = if self.chain.head.is_some() {
            self.chain.append(cmd.data).map(|()| true)
        } else {
            Ok(false)
        };
        let result = match joined {
            Ok(joined) => {
                let data = if joined {
                    self.chain.buf.get(..self.chain.len).unwrap_or_default()
                } else {
                    cmd.data
                };
                let mut out = Writer::new(&mut self.pending.buf);
                let r = self.card.run(Command { data, ..cmd }, &mut out);
                r.map(|()| out.len())
            }
            Err(sw) => Err(sw),
        };
        self.chain.clear();
        let len = result?;
        self.pending.at = 0;
        self.pending.end = len;
        Ok(cmd.le)
    }
}

fn write_sw(response: &mut [u8], at: usize, sw: Sw) -> usize {
    if let Some(dst) = response.get_mut(at..at + 2) {
        super::copy(dst, &sw.0.to_be_bytes());
    }
    at + 2
}

impl<S: CredentialStore, R: Random, T: Touch> Card<S, R, T> {
    /// One complete command (its chain joined).
    // Inlined into `dispatch`, its one caller (see `.ci/nopanic/src/main.rs`).
    #[inline(always)]
    fn run(&mut self, cmd: Command<'_>, out: &mut Writer<'_>) -> Result<(), Sw> {
        if cmd.ins == INS_SELECT && cmd.p1 == 0x04 {
            return self.select(cmd.data, out);
        }
        if !self.selected {
            return Err(Sw::UNKNOWN_INS);
        }
        let p1p2 = u16::from_be_bytes([cmd.p1, cmd.p2]);
        let (data, p2) = (cmd.data, cmd.p2);
        match (cmd.ins, p1p2) {
            (INS_RESET, 0xdead) => self.reset(),
            (INS_VALIDATE, 0) => self.validate(data, out),
            (INS_PUT, 0) => self.put(data),
            (INS_DELETE, 0) => self.delete(data),
            (INS_SET_CODE, 0) => self.set_code(data),
            (INS_RENAME, 0) => self.rename(data),
            (INS_LIST, 0) => self.list(out),
            (INS_CALCULATE, 0 | 1) => self.calculate(data, p2 == 1, out),
            (INS_CALCULATE_ALL, 0 | 1) => self.calculate_all(data, p2 == 1, out),
            (
                INS_RESET | INS_VALIDATE | INS_PUT | INS_DELETE | INS_SET_CODE | INS_RENAME
                | INS_LIST | INS_CALCULATE | INS_CALCULATE_ALL,
                _,
            ) => Err(Sw::WRONG_P1P2),
            _ => Err(Sw::UNKNOWN_INS),
        }
    }
}
