//! The YKOATH applet against the byte strings of the YKOATH spec (checked with yubikit 5.9.2),
//! RFC 4226/6238 codes, the `hmac` crate, and injected store faults.

#![cfg(all(feature = "ykoath", feature = "sha256", feature = "sha512"))]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core
)]

use std::cell::RefCell;
use std::rc::Rc;

use hex_literal::hex;
use hmac::{KeyInit, Mac};
use otpkit::ykoath::{
    AID, Applet, ArrayStore, CredentialStore, MAX_COMMAND_DATA, META_LEN, RECORD_LEN, Random,
    StoreError, Touch,
};

/// A store shared with the test, which can make writes fail and damage records.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Inner>>);

#[derive(Default)]
struct Inner {
    store: ArrayStore<8>,
    fail_writes: bool,
    writes: usize,
}

impl CredentialStore for Shared {
    fn slots(&self) -> usize {
        8
    }
    fn read(&mut self, slot: usize, r: &mut [u8; RECORD_LEN]) -> Result<bool, StoreError> {
        self.0.borrow_mut().store.read(slot, r)
    }
    fn write(&mut self, slot: usize, r: &[u8; RECORD_LEN]) -> Result<(), StoreError> {
        let mut i = self.0.borrow_mut();
        if i.fail_writes {
            return Err(StoreError::Io);
        }
        i.writes += 1;
        i.store.write(slot, r)
    }
    fn erase(&mut self, slot: usize) -> Result<(), StoreError> {
        self.0.borrow_mut().store.erase(slot)
    }
    fn read_meta(&mut self, m: &mut [u8; META_LEN]) -> Result<bool, StoreError> {
        self.0.borrow_mut().store.read_meta(m)
    }
    fn write_meta(&mut self, m: &[u8; META_LEN]) -> Result<(), StoreError> {
        if self.0.borrow().fail_writes {
            return Err(StoreError::Io);
        }
        self.0.borrow_mut().store.write_meta(m)
    }
}

/// Random bytes from a queue the test fills (then zeros).
#[derive(Clone, Default)]
struct Queue(Rc<RefCell<Vec<u8>>>);

impl Queue {
    fn push(&self, bytes: &[u8]) {
        self.0.borrow_mut().extend_from_slice(bytes);
    }
}

impl Random for Queue {
    fn fill(&mut self, out: &mut [u8]) {
        let mut q = self.0.borrow_mut();
        for b in out {
            *b = if q.is_empty() { 0 } else { q.remove(0) };
        }
    }
}

#[derive(Clone)]
struct Button(Rc<RefCell<bool>>);

impl Touch for Button {
    fn confirm(&mut self) -> bool {
        *self.0.borrow()
    }
}

type Card = Applet<Shared, Queue, Button>;

struct Rig {
    card: Card,
    store: Shared,
    random: Queue,
    touch: Rc<RefCell<bool>>,
}

impl Rig {
    fn new() -> Rig {
        let store = Shared::default();
        let random = Queue::default();
        random.push(&hex!("0102030405060708"));
        let touch = Rc::new(RefCell::new(true));
        let card = Applet::new(store.clone(), random.clone(), Button(touch.clone()));
        let mut rig = Rig {
            card,
            store,
            random,
            touch,
        };
        assert_eq!(
            rig.tx(&select_apdu()),
            hex!("7903050700 71080102030405060708 9000")
        );
        rig
    }

    /// Sends one APDU, returns data + SW.
    fn tx(&mut self, apdu: &[u8]) -> Vec<u8> {
        let mut buf = [0u8; 4096];
        let n = self.card.process(apdu, &mut buf).unwrap();
        buf[..n].to_vec()
    }

    /// Sends a command (short form, chained if over 255 bytes) and follows `61 xx`.
    fn call(&mut self, ins: u8, p1: u8, p2: u8, data: &[u8]) -> (Vec<u8>, u16) {
        let mut rest = data;
        while rest.len() > 255 {
            let (head, tail) = rest.split_at(255);
            let r = self.tx(&short(0x10, ins, p1, p2, head));
            assert_eq!(r, [0x90, 0]);
            rest = tail;
        }
        let mut r = self.tx(&short(0, ins, p1, p2, rest));
        let mut out = Vec::new();
        loop {
            let sw = u16::from_be_bytes([r[r.len() - 2], r[r.len() - 1]]);
            out.extend_from_slice(&r[..r.len() - 2]);
            if sw >> 8 != 0x61 {
                return (out, sw);
            }
            r = self.tx(&[0, 0xa5, 0, 0, 0]);
        }
    }

    fn ok(&mut self, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
        let (d, sw) = self.call(ins, p1, p2, data);
        assert_eq!(sw, 0x9000, "INS {ins:02x}");
        d
    }

    fn sw(&mut self, ins: u8, p1: u8, p2: u8, data: &[u8]) -> u16 {
        self.call(ins, p1, p2, data).1
    }
}

fn select_apdu() -> Vec<u8> {
    short(0, 0xa4, 4, 0, &AID)
}

fn short(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let mut a = vec![cla, ins, p1, p2];
    if !data.is_empty() {
        a.push(u8::try_from(data.len()).unwrap());
        a.extend_from_slice(data);
    } else {
        a.push(0);
    }
    a
}

fn extended(ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let mut a = vec![0, ins, p1, p2, 0];
    a.extend_from_slice(&u16::try_from(data.len()).unwrap().to_be_bytes());
    a.extend_from_slice(data);
    a
}

fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut t = vec![tag];
    match value.len() {
        n @ 0..=0x7f => t.push(n as u8),
        n @ 0x80..=0xff => t.extend_from_slice(&[0x81, n as u8]),
        n => t.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    t.extend_from_slice(value);
    t
}

fn put_data(name: &[u8], type_byte: u8, digits: u8, key: &[u8], extra: &[u8]) -> Vec<u8> {
    let mut d = tlv(0x71, name);
    let mut k = vec![type_byte, digits];
    k.extend_from_slice(key);
    d.extend(tlv(0x73, &k));
    d.extend_from_slice(extra);
    d
}

fn calc_data(name: &[u8], challenge: &[u8]) -> Vec<u8> {
    let mut d = tlv(0x71, name);
    d.extend(tlv(0x74, challenge));
    d
}

fn hmac_sha1(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = hmac::Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// The code yubikit shows for a truncated answer `76 05 dd t0..t3`.
fn code(answer: &[u8]) -> String {
    assert_eq!(&answer[..2], &[0x76, 5]);
    let digits = u32::from(answer[2]);
    let v = u32::from_be_bytes(answer[3..7].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:0w$}", v % 10u32.pow(digits), w = digits as usize)
}

const RFC_KEY: &[u8] = b"12345678901234567890";

#[test]
fn spec_put_calculate_and_calculate_all_bytes() {
    let mut rig = Rig::new();
    // The spec's extended PUT (v5.7.0/USB), byte for byte.
    let put = hex!(
        "00010000000027 710D4578616D706C653A616C696365 7316210831323334353637383930313233343536373839 30"
    );
    assert_eq!(rig.tx(&put), [0x90, 0]);
    // The spec's short HOTP PUT: key 01 02 padded to 14, touch, IMF 1.
    let put_h = hex!("000100001D 710168 731011060102000000000000000000000000 7802 7A0400000001");
    assert_eq!(rig.tx(&put_h), [0x90, 0]);
    let calc = hex!("00A2000119 710D4578616D706C653A616C696365 74080000000000000001");
    assert_eq!(rig.tx(&calc), hex!("760508 41397EEA 9000"));
    assert_eq!(code(&rig.tx(&calc)[..7]), "94287082");
    assert_eq!(
        rig.tx(&hex!("00A2000105 710168 7400")),
        hex!("760506 4E25D033 9000")
    );
    assert_eq!(
        rig.tx(&hex!("00A400010A 74080000000000000001")),
        hex!("710D4578616D706C653A616C696365 76050841397EEA 710168 770106 9000")
    );
    assert_eq!(
        rig.tx(&hex!("00A1000000")),
        hex!("720E214578616D706C653A616C696365 72021168 9000")
    );
}

#[test]
fn rfc_codes_for_every_hash_and_full_responses() {
    let mut rig = Rig::new();
    let k256 = b"12345678901234567890123456789012";
    let k512 = b"1234567890123456789012345678901234567890123456789012345678901234";
    rig.ok(1, 0, 0, &put_data(b"s1", 0x21, 8, RFC_KEY, &[]));
    rig.ok(1, 0, 0, &put_data(b"s256", 0x22, 8, k256, &[]));
    rig.ok(1, 0, 0, &put_data(b"s512", 0x23, 8, k512, &[]));
    rig.ok(1, 0, 0, &put_data(b"h", 0x11, 6, RFC_KEY, &[]));
    let t1 = 1u64.to_be_bytes();
    for (name, want) in [
        (&b"s1"[..], "94287082"),
        (b"s256", "46119246"),
        (b"s512", "90693936"),
    ] {
        assert_eq!(code(&rig.ok(0xa2, 0, 1, &calc_data(name, &t1))), want);
    }
    let t = (1_111_111_109u64 / 30).to_be_bytes();
    assert_eq!(
        code(&rig.ok(0xa2, 0, 1, &calc_data(b"s256", &t))),
        "68084774"
    );
    for want in ["755224", "287082", "359152", "969429"] {
        assert_eq!(code(&rig.ok(0xa2, 0, 1, &calc_data(b"h", &[]))), want);
    }
    // Full response: 75 L dd HMAC, with any challenge length.
    let full = rig.ok(0xa2, 0, 0, &calc_data(b"s1", b"abc"));
    let mut want = vec![0x75, 21, 8];
    want.extend(hmac_sha1(RFC_KEY, b"abc"));
    assert_eq!(full, want);
    let full = rig.ok(0xa2, 0, 0, &calc_data(b"s512", &t1));
    let mut m = hmac::Hmac::<sha2::Sha512>::new_from_slice(k512).unwrap();
    m.update(&t1);
    assert_eq!(&full[..3], &[0x75, 65, 8]);
    assert_eq!(&full[3..], &m.finalize().into_bytes()[..]);
    // HOTP continues at counter 4 on the full path too.
    assert_eq!(
        rig.ok(0xa2, 0, 0, &calc_data(b"h", &[]))[3..],
        hmac_sha1(RFC_KEY, &4u64.to_be_bytes())[..]
    );
    // A TOTP challenge may not be empty; nor over 64 bytes.
    assert_eq!(rig.sw(0xa2, 0, 1, &calc_data(b"s1", &[])), 0x6a80);
    assert_eq!(rig.sw(0xa2, 0, 1, &calc_data(b"s1", &[1; 65])), 0x6a80);
    assert_eq!(rig.sw(0xa2, 0, 1, &calc_data(b"nope", &t1)), 0x6984);
    assert_eq!(rig.sw(0xa2, 0, 2, &calc_data(b"s1", &t1)), 0x6b00);
}

#[test]
fn password_worked_example_and_locking() {
    let mut rig = Rig::new();
    rig.ok(1, 0, 0, &put_data(b"a", 0x21, 6, RFC_KEY, &[]));
    let set = hex!(
        "7311 21 ed1b5a43d3a86504dd13c9da7606bd35 7408 1122334455667788 7514 a6bfd05146187fd0c429ecda8dea490ede333c79"
    );
    rig.ok(3, 0, 0, &set);
    // The session that set it stays usable.
    rig.ok(0xa1, 0, 0, &[]);
    rig.random.push(&hex!("a1a2a3a4a5a6a7a8"));
    assert_eq!(
        rig.tx(&select_apdu()),
        hex!("7903050700 71080102030405060708 7408a1a2a3a4a5a6a7a8 7B0121 9000")
    );
    // Locked: everything but VALIDATE, RESET and SELECT is refused.
    for (ins, p2, data) in [
        (0xa1, 0, vec![]),
        (0xa2, 1, calc_data(b"a", &[0; 8])),
        (0xa4, 1, tlv(0x74, &[0; 8])),
        (1, 0, put_data(b"b", 0x21, 6, RFC_KEY, &[])),
        (2, 0, tlv(0x71, b"a")),
        (5, 0, [tlv(0x71, b"a"), tlv(0x71, b"b")].concat()),
        (3, 0, vec![0x73, 0]),
    ] {
        assert_eq!(rig.sw(ins, 0, p2, &data), 0x6982, "INS {ins:02x}");
    }
    assert_eq!(rig.sw(0xa5, 0, 0, &[]), 0x6985);
    let validate = hex!("7514 d6725fb0119b3ce7ea6070d702b54e9935c4bb6f 7408 b1b2b3b4b5b6b7b8");
    assert_eq!(
        rig.ok(0xa3, 0, 0, &validate),
        hex!("7514 c3441c8ab342d445a0ee63b83623a6a4f859148c")
    );
    rig.ok(0xa1, 0, 0, &[]);
    // A challenge serves once; a wrong response is refused.
    assert_eq!(rig.sw(0xa3, 0, 0, &validate), 0x6a80);
    rig.random.push(&hex!("a1a2a3a4a5a6a7a8"));
    rig.tx(&select_apdu());
    let mut wrong = validate;
    wrong[2] ^= 1;
    assert_eq!(rig.sw(0xa3, 0, 0, &wrong), 0x6a80);
    assert_eq!(rig.sw(0xa1, 0, 0, &[]), 0x6982);
    // Remove the password after validating.
    rig.random.push(&hex!("a1a2a3a4a5a6a7a8"));
    rig.tx(&select_apdu());
    rig.ok(0xa3, 0, 0, &validate);
    rig.ok(3, 0, 0, &[0x73, 0]);
    assert_eq!(
        rig.tx(&select_apdu()),
        hex!("7903050700 71080102030405060708 9000")
    );
    rig.ok(0xa1, 0, 0, &[]);
    assert_eq!(rig.sw(0xa3, 0, 0, &validate), 0x6984);
    // SET CODE with a response that does not match.
    let mut bad = set;
    bad[40] ^= 1;
    assert_eq!(rig.sw(3, 0, 0, &bad), 0x6984);
    assert_eq!(rig.sw(3, 0, 0, &set[..40]), 0x6a80);
}

#[test]
fn reset_wipes_and_needs_no_password() {
    let mut rig = Rig::new();
    rig.ok(1, 0, 0, &put_data(b"a", 0x21, 6, RFC_KEY, &[]));
    rig.ok(3, 0, 0, &hex!("7311 21 ed1b5a43d3a86504dd13c9da7606bd35 7408 1122334455667788 7514 a6bfd05146187fd0c429ecda8dea490ede333c79"));
    rig.tx(&select_apdu());
    assert_eq!(rig.sw(4, 0, 0, &[]), 0x6b00);
    rig.random.push(&hex!("1112131415161718"));
    rig.ok(4, 0xde, 0xad, &[]);
    // A new salt, no password, no credentials; the extended SELECT yubikit sends after RESET.
    assert_eq!(
        rig.tx(&extended(0xa4, 4, 0, &AID)),
        hex!("7903050700 71081112131415161718 9000")
    );
    assert_eq!(rig.ok(0xa1, 0, 0, &[]), Vec::<u8>::new());
    let mut rec = [0u8; RECORD_LEN];
    assert_eq!(rig.store.0.borrow_mut().store.read(0, &mut rec), Ok(false));
}

#[test]
fn credential_management_status_words() {
    let mut rig = Rig::new();
    rig.ok(1, 0, 0, &put_data(b"60/Iss:p60", 0x21, 6, RFC_KEY, &[]));
    rig.ok(1, 0, 0, &put_data(b"b", 0x21, 6, RFC_KEY, &[]));
    let ren = |a: &[u8], b: &[u8]| [tlv(0x71, a), tlv(0x71, b)].concat();
    assert_eq!(rig.sw(5, 0, 0, &ren(b"60/Iss:p60", b"b")), 0x6a89);
    assert_eq!(rig.sw(5, 0, 0, &ren(b"zz", b"c")), 0x6984);
    assert_eq!(rig.sw(5, 0, 0, &ren(b"b", &[b'x'; 65])), 0x6a80);
    rig.ok(5, 0, 0, &ren(b"60/Iss:p60", b"60/New:bob"));
    assert_eq!(
        rig.ok(0xa1, 0, 0, &[]),
        [tlv(0x72, b"\x2160/New:bob"), tlv(0x72, b"\x21b")].concat()
    );
    // Overwrite keeps one entry.
    rig.ok(1, 0, 0, &put_data(b"b", 0x22, 7, RFC_KEY, &[]));
    assert_eq!(rig.ok(0xa1, 0, 0, &[])[13..], tlv(0x72, b"\x22b")[..]);
    assert_eq!(rig.sw(2, 0, 0, &tlv(0x71, b"zz")), 0x6984);
    rig.ok(2, 0, 0, &tlv(0x71, b"b"));
    // Full store: 6A 84, and the applet stays usable.
    for i in 0..7u8 {
        rig.ok(1, 0, 0, &put_data(&[b'n', i], 0x21, 6, RFC_KEY, &[]));
    }
    assert_eq!(
        rig.sw(1, 0, 0, &put_data(b"one more", 0x21, 6, RFC_KEY, &[])),
        0x6a84
    );
    assert_eq!(
        rig.sw(1, 0, 0, &put_data(&[b'a'; 65], 0x21, 6, RFC_KEY, &[])),
        0x6a80
    );
    assert_eq!(rig.ok(0xa1, 0, 0, &[]).len(), 13 + 7 * 5);
    // Unknown instruction, class, AID; SEND REMAINING with nothing pending.
    assert_eq!(rig.sw(0x42, 0, 0, &[]), 0x6d00);
    assert_eq!(rig.tx(&[0x80, 0xa1, 0, 0, 0]), [0x6e, 0]);
    assert_eq!(rig.sw(0xa5, 0, 0, &[]), 0x6985);
    assert_eq!(
        rig.tx(&short(0, 0xa4, 4, 0, &hex!("A000000308"))),
        [0x6a, 0x82]
    );
    // Deselected by the other AID.
    assert_eq!(rig.sw(0xa1, 0, 0, &[]), 0x6d00);
    rig.tx(&select_apdu());
    rig.ok(0xa1, 0, 0, &[]);
}

#[test]
fn chaining_both_ways_and_length_limits() {
    let mut rig = Rig::new();
    // A 128-byte SHA-512 key: a long-form TLV; then a 300-byte command in a short chain of
    // two links (PUT ignores nothing: the extra bytes make it 6A 80, proving they arrived).
    let k = [7u8; 128];
    let d = put_data(b"big", 0x23, 8, &k, &[]);
    assert_eq!(&d[5..8], &hex!("738182"));
    rig.ok(1, 0, 0, &d);
    let mut long = put_data(b"long", 0x21, 6, &[1; 20], &[]);
    long.extend(vec![0x79; 300 - long.len()]);
    assert_eq!(rig.sw(1, 0, 0, &long), 0x6a80);
    let good_chain = put_data(&[b'c'; 64], 0x23, 8, &[9; 128], &hex!("7802"));
    assert!(good_chain.len() > 190);
    let (first, last) = good_chain.split_at(100);
    assert_eq!(rig.tx(&short(0x10, 1, 0, 0, first)), [0x90, 0]);
    assert_eq!(rig.tx(&short(0, 1, 0, 0, last)), [0x90, 0]);
    // An interrupted chain is dropped; the interrupting command runs on its own.
    assert_eq!(rig.tx(&short(0x10, 1, 0, 0, first)), [0x90, 0]);
    assert_eq!(rig.tx(&short(0, 2, 0, 0, &tlv(0x71, b"big"))), [0x90, 0]);
    assert_eq!(rig.tx(&short(0, 1, 0, 0, last)), [0x6a, 0x80]);
    // Too long: one extended APDU or a chain over MAX_COMMAND_DATA.
    assert_eq!(
        rig.tx(&extended(1, 0, 0, &vec![0; MAX_COMMAND_DATA + 1])),
        [0x67, 0]
    );
    for _ in 0..MAX_COMMAND_DATA / 255 {
        assert_eq!(rig.tx(&short(0x10, 1, 0, 0, &[0; 255])), [0x90, 0]);
    }
    assert_eq!(rig.tx(&short(0x10, 1, 0, 0, &[0; 255])), [0x67, 0]);
    assert_eq!(rig.tx(&short(0, 0xa1, 0, 0, &[])).len(), 2 + 1 + 64 + 2);
    // Response chaining: 61 xx with a small buffer, and with the command's Le.
    for i in 0..5u8 {
        let name = [b'x', i].repeat(30);
        rig.ok(1, 0, 0, &put_data(&name, 0x21 + i % 3, 8, RFC_KEY, &[]));
    }
    let whole = rig.ok(0xa4, 0, 0, &tlv(0x74, &[0; 8]));
    assert_eq!(whole.len(), 562);
    let mut buf = [0u8; 50];
    let n = rig
        .card
        .process(&short(0, 0xa4, 0, 0, &tlv(0x74, &[0; 8])), &mut buf)
        .unwrap();
    assert_eq!((n, buf[48]), (50, 0x61));
    let mut got = buf[..48].to_vec();
    loop {
        let n = rig.card.process(&[0, 0xa5, 0, 0, 0x10], &mut buf).unwrap();
        got.extend_from_slice(&buf[..n - 2]);
        if buf[n - 2] == 0x90 {
            break;
        }
        assert_eq!((n, buf[n - 2]), (18, 0x61));
    }
    assert_eq!(got, whole);
    // Any other command drops the pending answer.
    let n = rig
        .card
        .process(&short(0, 0xa1, 0, 0, &[]), &mut buf)
        .unwrap();
    assert_eq!(buf[n - 2], 0x61);
    rig.ok(0xa1, 0, 0, &[]);
    assert_eq!(rig.sw(0xa5, 0, 0, &[]), 0x6985);
    assert!(rig.card.process(&[0, 0xa1, 0, 0], &mut [0u8; 2]).is_err());
}

#[test]
fn hotp_counter_is_stored_before_the_code_leaves() {
    let mut rig = Rig::new();
    rig.ok(
        1,
        0,
        0,
        &put_data(b"h", 0x11, 6, RFC_KEY, &hex!("7A0400000001")),
    );
    let calc = short(0, 0xa2, 0, 1, &calc_data(b"h", &[]));
    let mut shown = Vec::new();
    // A failing write: no code, the counter stays, the applet stays usable.
    rig.store.0.borrow_mut().fail_writes = true;
    assert_eq!(rig.tx(&calc), [0x65, 0x81]);
    rig.store.0.borrow_mut().fail_writes = false;
    shown.push(code(&rig.tx(&calc)));
    // A power cut after the write, before the answer reaches the host: a new applet on the
    // same store never shows that code again.
    let writes = rig.store.0.borrow().writes;
    let mut buf = [0u8; 64];
    rig.card.process(&calc, &mut buf).unwrap();
    assert_eq!(rig.store.0.borrow().writes, writes + 1);
    let lost = code(&buf[..7]);
    rig.card = Applet::new(
        rig.store.clone(),
        rig.random.clone(),
        Button(rig.touch.clone()),
    );
    rig.random.push(&[0; 8]);
    rig.tx(&select_apdu());
    shown.push(code(&rig.tx(&calc)));
    // RFC 4226 counters 1, (2 lost), 3.
    assert_eq!(shown, ["287082", "969429"]);
    assert_eq!(lost, "359152");
    // The counter reaches the end of u64: refused, not wrapped.
    let mut rec = [0u8; RECORD_LEN];
    let mut inner = rig.store.0.borrow_mut();
    inner.store.read(0, &mut rec).unwrap();
    drop(inner);
    rig.ok(
        1,
        0,
        0,
        &put_data(b"h", 0x11, 6, RFC_KEY, &hex!("7A04FFFFFFFF")),
    );
    assert_eq!(code(&rig.tx(&calc)), {
        let h = hmac_sha1(RFC_KEY, &u64::from(u32::MAX).to_be_bytes());
        let o = usize::from(h[19] & 15);
        let v = u32::from_be_bytes(h[o..o + 4].try_into().unwrap()) & 0x7fff_ffff;
        format!("{:06}", v % 1_000_000)
    });
}

#[test]
fn damaged_records_are_errors_and_reset_recovers() {
    let mut rig = Rig::new();
    rig.ok(1, 0, 0, &put_data(b"a", 0x21, 6, RFC_KEY, &[]));
    let mut rec = [0u8; RECORD_LEN];
    rig.store.0.borrow_mut().store.read(0, &mut rec).unwrap();
    rec[100] ^= 1;
    rig.store.0.borrow_mut().store.write(0, &rec).unwrap();
    assert_eq!(rig.sw(0xa2, 0, 1, &calc_data(b"a", &[0; 8])), 0x6581);
    assert_eq!(rig.sw(0xa1, 0, 0, &[]), 0x6581);
    assert_eq!(rig.sw(0xa4, 0, 1, &tlv(0x74, &[0; 8])), 0x6581);
    rig.ok(4, 0xde, 0xad, &[]);
    rig.tx(&select_apdu());
    rig.ok(1, 0, 0, &put_data(b"a", 0x21, 6, RFC_KEY, &[]));
    // A damaged applet record.
    let mut meta = [0u8; META_LEN];
    rig.store.0.borrow_mut().store.read_meta(&mut meta).unwrap();
    meta[5] ^= 1;
    rig.store.0.borrow_mut().store.write_meta(&meta).unwrap();
    assert_eq!(rig.tx(&select_apdu()), [0x65, 0x81]);
}

#[test]
fn touch_and_only_increasing() {
    let mut rig = Rig::new();
    rig.ok(1, 0, 0, &put_data(b"t", 0x21, 6, RFC_KEY, &hex!("7802")));
    rig.ok(1, 0, 0, &put_data(b"i", 0x21, 6, RFC_KEY, &hex!("7801")));
    *rig.touch.borrow_mut() = false;
    assert_eq!(rig.sw(0xa2, 0, 1, &calc_data(b"t", &[0; 8])), 0x6982);
    *rig.touch.borrow_mut() = true;
    rig.ok(0xa2, 0, 1, &calc_data(b"t", &[0; 8]));
    let five = 5u64.to_be_bytes();
    rig.ok(0xa2, 0, 1, &calc_data(b"i", &five));
    rig.ok(0xa2, 0, 1, &calc_data(b"i", &five));
    assert_eq!(
        rig.sw(0xa2, 0, 1, &calc_data(b"i", &4u64.to_be_bytes())),
        0x6982
    );
    assert_eq!(rig.sw(0xa2, 0, 1, &calc_data(b"i", &[1; 9])), 0x6a80);
    let all = rig.ok(0xa4, 0, 1, &tlv(0x74, &4u64.to_be_bytes()));
    assert_eq!(all, hex!("710174 7C0106 710169 7C0106"));
}

#[test]
fn keys_never_in_debug() {
    let rig = Rig::new();
    let dbg = format!("{:?} {:?}", rig.card, ArrayStore::<2>::new());
    assert!(dbg.contains("Applet") && !dbg.contains("12345"));
    assert_eq!(
        StoreError::Damaged.to_string(),
        "stored credential record is damaged"
    );
}
