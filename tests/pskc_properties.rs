//! Properties of `otpkit::pskc`:
//! - write → read (strict) is the identity on every field written, for any ids, metadata
//!   (markup characters included; element text is read trimmed), secrets of 1 to 64 bytes, counters and periods, in each
//!   protection (plaintext, AES-128/256-CBC under a pre-shared key, PBKDF2 password);
//! - the streaming writer ([`PskcWriter`]) gives documents that read back identically to
//!   `write`'s, in each protection (and, in plaintext, the same bytes);
//! - no prefix of a written document, and no single flipped byte, makes the reader panic,
//!   and a changed encrypted document never yields a different secret for a key;
//! - no `Debug` output of a read key or of a key to write contains the secret.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/pskc_fields.rs"]
mod pskc_fields;
use pskc_fields::fields;

use otpkit::Algorithm;
use otpkit::pskc::{
    Decryption, NewKey, NewKeyKind, Protection, PskcWriter, ReadOptions, WriteCipher, read, write,
};
use proptest::prelude::*;

prop_compose! {
    // Element text is read trimmed of XML white space (as python-pskc reads it).
    fn text()(s in "[!-~é日\u{1F600}<>&\"']([ -~é日\u{1F600}<>&\"']{0,22}[!-~é日<>&\"'])?") -> String { s }
}

prop_compose! {
    fn new_key()(
        id in text(),
        secret in proptest::collection::vec(any::<u8>(), 1..=64),
        kind in 0u8..3,
        counter in any::<u64>(),
        period in 1u64..=600,
        digits in 6u8..=8,
        alg in 0u8..3,
        issuer in proptest::option::of(text()),
        serial in proptest::option::of(text()),
        manufacturer in proptest::option::of(text()),
        user in proptest::option::of(text()),
    ) -> NewKey {
        let kind = match kind {
            0 => NewKeyKind::Hotp { counter },
            1 => NewKeyKind::Totp { period },
            _ => NewKeyKind::Ocra { suite: "OCRA-1:HOTP-SHA256-8:C-QN08".into(), counter: Some(counter) },
        };
        let mut k = NewKey::new(id, kind, &secret);
        k.digits = digits;
        k.algorithm = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][usize::from(alg)];
        k.issuer = issuer;
        k.serial_no = serial;
        k.manufacturer = manufacturer;
        k.user_id = user;
        k
    }
}

const PSK16: [u8; 16] = [3; 16];
const PSK32: [u8; 32] = [4; 32];

fn protection(i: u8) -> (Protection<'static>, Decryption<'static>) {
    match i % 4 {
        0 => (Protection::Plaintext, Decryption::None),
        1 => (
            Protection::PreSharedKey {
                key: &PSK16,
                key_name: "k",
                cipher: WriteCipher::Aes128Cbc,
            },
            Decryption::PreSharedKey(&PSK16),
        ),
        2 => (
            Protection::PreSharedKey {
                key: &PSK32,
                key_name: "k",
                cipher: WriteCipher::Aes256Cbc,
            },
            Decryption::PreSharedKey(&PSK32),
        ),
        _ => (
            Protection::Password {
                password: b"pw",
                iterations: 1,
            },
            Decryption::Password(b"pw"),
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn write_then_read_is_identity(keys in proptest::collection::vec(new_key(), 1..4), p in any::<u8>()) {
        let (protection, decryption) = protection(p);
        let doc = write(&keys, protection).unwrap();
        let c = read(doc.as_bytes(), decryption, &ReadOptions::strict()).unwrap();
        prop_assert!(c.errors.is_empty(), "{:?}", c.errors);
        prop_assert_eq!(c.keys.len(), keys.len());
        for (w, r) in keys.iter().zip(&c.keys) {
            prop_assert_eq!(&r.id, &w.id);
            prop_assert_eq!(r.secret(), Some(&w.secret[..]));
            prop_assert_eq!(&r.issuer, &w.issuer);
            prop_assert_eq!(&r.device.serial_no, &w.serial_no);
            prop_assert_eq!(&r.device.manufacturer, &w.manufacturer);
            prop_assert_eq!(&r.user_id, &w.user_id);
            match &w.kind {
                NewKeyKind::Hotp { counter } => prop_assert_eq!(r.counter, Some(*counter)),
                NewKeyKind::Totp { period } => prop_assert_eq!(r.time_interval, Some(*period)),
                NewKeyKind::Ocra { suite, counter } => {
                    prop_assert_eq!(r.suite.as_deref(), Some(suite.as_str()));
                    prop_assert_eq!(r.counter, *counter);
                }
                _ => unreachable!(),
            }
            let shown = format!("{r:?}{w:?}");
            let hex: String = w.secret.iter().map(|b| format!("{b:02x}")).collect();
            prop_assert!(w.secret.len() < 4 || !shown.contains(&hex));
            let listed = format!("{:?}", &w.secret[..]);
            prop_assert!(!shown.contains(&listed));
        }
    }

    #[test]
    fn streaming_writer_reads_back_as_write(keys in proptest::collection::vec(new_key(), 0..4), p in any::<u8>()) {
        let (protection, decryption) = protection(p);
        let whole = write(&keys, protection).unwrap();
        let mut w = PskcWriter::new(Vec::new(), protection).unwrap();
        for k in &keys {
            w.key(k).unwrap();
        }
        let streamed = w.finish().unwrap();
        if matches!(protection, Protection::Plaintext) {
            prop_assert_eq!(&streamed[..], whole.as_bytes());
        }
        let a = read(&streamed[..], decryption, &ReadOptions::strict()).unwrap();
        let b = read(whole.as_bytes(), decryption, &ReadOptions::strict()).unwrap();
        prop_assert!(a.errors.is_empty() && b.errors.is_empty());
        prop_assert_eq!(a.keys.len(), keys.len());
        prop_assert_eq!(b.keys.len(), keys.len());
        for ((w, r), s) in keys.iter().zip(&a.keys).zip(&b.keys) {
            prop_assert_eq!(r.secret(), Some(&w.secret[..]));
            prop_assert_eq!(r.secret(), s.secret());
            prop_assert_eq!(fields(r), fields(s));
        }
    }

    #[test]
    fn damaged_documents_never_panic_nor_change_a_secret(key in new_key(), p in any::<u8>(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let (protection, decryption) = protection(p);
        let doc = write(core::slice::from_ref(&key), protection).unwrap();
        let bytes = doc.as_bytes();
        let cut = at.index(bytes.len());
        let _ = read(&bytes[..cut], decryption, &ReadOptions::default());
        let mut flipped = bytes.to_vec();
        flipped[cut] ^= 1 << bit;
        if let Ok(c) = read(&flipped[..], decryption, &ReadOptions::default()) {
            for k in &c.keys {
                let _ = k.enrolment_at(0);
                if !matches!(protection, Protection::Plaintext) {
                    // MAC-checked: a secret is the one written, or nothing.
                    prop_assert!(k.secret().is_none() || k.secret() == Some(&key.secret[..]));
                }
            }
        }
    }
}
