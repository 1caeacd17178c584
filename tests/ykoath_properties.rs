//! Properties of the YKOATH applet over arbitrary APDU sequences: no sequence reads a key back,
//! and none computes a code (or lists the credentials) while the applet is locked.

#![cfg(all(feature = "ykoath", feature = "sha256", feature = "sha512"))]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use hmac::{KeyInit, Mac};
use otpkit::ykoath::{AID, Applet, ArrayStore, Random, Touch};
use proptest::prelude::*;

struct Rng(u64);
impl Random for Rng {
    fn fill(&mut self, out: &mut [u8]) {
        for b in out {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (self.0 >> 56) as u8;
        }
    }
}
struct Button(bool);
impl Touch for Button {
    fn confirm(&mut self) -> bool {
        self.0
    }
}

#[derive(Clone, Debug)]
enum Op {
    Select,
    Put {
        name: u8,
        ty: u8,
        digits: u8,
        key: Vec<u8>,
        props: u8,
    },
    Calc {
        name: u8,
        p2: u8,
        challenge: Vec<u8>,
    },
    CalcAll {
        p2: u8,
        challenge: Vec<u8>,
    },
    List,
    SetCode(Vec<u8>),
    ClearCode,
    Validate(Vec<u8>),
    Reset,
    SendRemaining,
    Raw(Vec<u8>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Select),
        (
            0..4u8,
            prop::sample::select(vec![0x11u8, 0x12, 0x13, 0x21, 0x22, 0x23]),
            6..=8u8,
            prop::collection::vec(any::<u8>(), 14..64),
            0..4u8
        )
            .prop_map(|(name, ty, digits, key, props)| Op::Put {
                name,
                ty,
                digits,
                key,
                props
            }),
        (0..4u8, 0..2u8, prop::collection::vec(any::<u8>(), 0..10)).prop_map(
            |(name, p2, challenge)| Op::Calc {
                name,
                p2,
                challenge
            }
        ),
        (0..2u8, prop::collection::vec(any::<u8>(), 1..10))
            .prop_map(|(p2, challenge)| Op::CalcAll { p2, challenge }),
        Just(Op::List),
        prop::collection::vec(any::<u8>(), 16).prop_map(Op::SetCode),
        Just(Op::ClearCode),
        prop::collection::vec(any::<u8>(), 28).prop_map(Op::Validate),
        Just(Op::Reset),
        Just(Op::SendRemaining),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(Op::Raw),
    ]
}

fn tlv(tag: u8, v: &[u8]) -> Vec<u8> {
    let mut t = vec![tag];
    if v.len() > 0x7f {
        t.push(0x81);
    }
    t.push(v.len() as u8);
    t.extend_from_slice(v);
    t
}

fn apdu(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8], extended: bool) -> Vec<u8> {
    let mut a = vec![cla, ins, p1, p2];
    if extended {
        a.push(0);
        a.extend_from_slice(&(data.len() as u16).to_be_bytes());
    } else {
        a.push(data.len() as u8);
    }
    a.extend_from_slice(data);
    a
}

fn sha1_mac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = hmac::Hmac::<sha1::Sha1>::new_from_slice(key).unwrap();
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn no_key_read_back_and_nothing_computed_while_locked(
        ops in prop::collection::vec(op(), 1..40),
        room in 3usize..300,
        extended in any::<bool>(),
        touch in any::<bool>(),
    ) {
        let mut card: Applet<_, _, _> = Applet::new(ArrayStore::<4>::new(), Rng(7), Button(touch));
        let mut keys: Vec<Vec<u8>> = Vec::new();
        let mut seen: Vec<u8> = Vec::new();
        let (mut password, mut locked, mut continuing) = (false, false, false);
        let mut buf = vec![0u8; room];
        for op in ops {
            let (cmd, kind) = match &op {
                Op::Select => (apdu(0, 0xa4, 4, 0, &AID, extended), 's'),
                Op::Put { name, ty, digits, key, props } => {
                    keys.push(key.clone());
                    let mut d = tlv(0x71, &[b'n', *name]);
                    d.extend(tlv(0x73, &[&[*ty, *digits][..], key].concat()));
                    if *props != 0 {
                        d.extend_from_slice(&[0x78, *props]);
                    }
                    (apdu(0, 1, 0, 0, &d, extended), 'c')
                }
                Op::Calc { name, p2, challenge } => {
                    let d = [tlv(0x71, &[b'n', *name]), tlv(0x74, challenge)].concat();
                    (apdu(0, 0xa2, 0, *p2, &d, extended), 'c')
                }
                Op::CalcAll { p2, challenge } => (apdu(0, 0xa4, 0, *p2, &tlv(0x74, challenge), extended), 'c'),
                Op::List => (vec![0, 0xa1, 0, 0, 0], 'c'),
                Op::SetCode(key) => {
                    keys.push(key.clone());
                    let chal = [1u8; 8];
                    let d = [tlv(0x73, &[&[0x21][..], key].concat()), tlv(0x74, &chal), tlv(0x75, &sha1_mac(key, &chal))].concat();
                    (apdu(0, 3, 0, 0, &d, extended), 'k')
                }
                Op::ClearCode => (apdu(0, 3, 0, 0, &[0x73, 0], extended), 'x'),
                Op::Validate(v) => {
                    let d = [tlv(0x75, &v[..20]), tlv(0x74, &v[20..])].concat();
                    (apdu(0, 0xa3, 0, 0, &d, extended), 'v')
                }
                Op::Reset => (vec![0, 4, 0xde, 0xad, 0], 'r'),
                Op::SendRemaining => (vec![0, 0xa5, 0, 0, 0], 'm'),
                Op::Raw(b) => (b.clone(), '?'),
            };
            let n = card.process(&cmd, &mut buf).unwrap();
            prop_assert!((2..=room).contains(&n));
            let sw = u16::from_be_bytes([buf[n - 2], buf[n - 1]]);
            let ok = sw == 0x9000 || sw >> 8 == 0x61;
            seen.extend_from_slice(&buf[..n]);
            if locked {
                // Locked: nothing but SELECT, RESET and (a never correct) VALIDATE succeeds, and
                // SEND REMAINING only continues SELECT's answer.
                prop_assert!(!ok || matches!(kind, 's' | 'r') || (kind == 'm' && continuing) || (kind == '?' && (cmd.get(1) == Some(&0xa4) && cmd.get(2) == Some(&4) || cmd.get(1) == Some(&4))),
                    "{op:?} answered {sw:04x} while locked");
                prop_assert!(kind != 'v' || !ok);
            }
            let raw_select = kind == '?' && cmd.get(1) == Some(&0xa4) && cmd.get(2) == Some(&4);
            continuing = sw >> 8 == 0x61 && (kind == 's' || raw_select || (kind == 'm' && continuing));
            match (kind, ok) {
                ('s', true) => locked = password,
                ('s', false) => locked = false,
                ('k', true) => password = true,
                ('x', true) | ('r', true) => { password = false; locked = false; }
                ('?', true) if cmd.get(1) == Some(&4) => { password = false; locked = false; }
                ('?', true) if cmd.get(1) == Some(&0xa4) && cmd.get(2) == Some(&4) => locked = password,
                _ => {}
            }
        }
        for key in &keys {
            for w in key.windows(8) {
                prop_assert!(!seen.windows(8).any(|s| s == w), "key bytes answered");
            }
        }
    }
}
