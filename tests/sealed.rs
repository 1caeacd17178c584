//! Token keys sealed at rest (`sealed-keys`): round trips, refusals of keys moved to another
//! token, altered, truncated or sealed under another master key; master-key rotation that
//! leaves every record as it was; redacted `Debug`; and the decrypted key kept off the heap.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

#[path = "support/rotation_suite.rs"]
mod rotation_suite;

use otpkit::sealed::{
    KeyFileOptions, MAX_KEY_FILE_LEN, MasterKey, OVERHEAD, RotateOptions, SealError,
    rotate_master_key, rotate_master_key_async, sealed_with,
};
use otpkit::store::{KeyStore, KeyWrite, MemoryStore, Store, Verifier};
use otpkit::{Enrolled, Hotp, HotpParams, Policy, Secret, StateRecord, Totp, TotpParams};
use proptest::prelude::*;

const KEY: &[u8] = b"12345678901234567890";
const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn master(b: u8) -> MasterKey {
    MasterKey::from_bytes([b; 32])
}

#[test]
fn round_trip_builds_the_same_generators() {
    let m = master(1);
    let sealed = m.seal("alice", KEY).unwrap();
    assert_eq!(sealed.len(), OVERHEAD + KEY.len());
    let totp = m
        .open_totp("alice", &sealed, TotpParams::default())
        .unwrap();
    let plain = Totp::new(KEY, TotpParams::default()).unwrap();
    for t in [0, 59, 1_111_111_109, 2_000_000_000] {
        assert_eq!(
            totp.generate_at(t).unwrap().as_str(),
            plain.generate_at(t).unwrap().as_str()
        );
    }
    let hotp = m
        .open_hotp("alice", &sealed, HotpParams::default())
        .unwrap();
    assert_eq!(hotp.generate(0).as_str(), "755224"); // RFC 4226 App. D
    assert_eq!(
        m.open("alice", &sealed, |k| Ok(k == KEY))
            .map(Enrolled::into_inner),
        Ok(true)
    );
}

#[test]
fn every_seal_draws_a_fresh_nonce() {
    let m = master(1);
    let a = m.seal("alice", KEY).unwrap();
    let b = m.seal("alice", KEY).unwrap();
    assert_ne!(a, b);
    assert_eq!(a[..5], b[..5]); // same version and master key id
    assert!(!a.windows(KEY.len()).any(|w| w == KEY), "the key in clear");
}

#[test]
fn another_tokens_id_is_refused() {
    let m = master(1);
    let sealed = m.seal("alice", KEY).unwrap();
    for id in ["bob", "alice ", "Alice", "", "alic"] {
        assert_eq!(
            m.open_totp(id, &sealed, TotpParams::default()).unwrap_err(),
            SealError::Authentication,
            "{id:?}"
        );
    }
}

#[test]
fn every_altered_byte_is_refused() {
    let m = master(1);
    let sealed = m.seal("alice", KEY).unwrap();
    for i in 0..sealed.len() {
        for bit in 0..8 {
            let mut bad = sealed.clone();
            bad[i] ^= 1 << bit;
            let e = m.open("alice", &bad, |_| Ok(())).unwrap_err();
            let expected = match i {
                0 => matches!(e, SealError::UnsupportedVersion { .. }),
                1..=4 => matches!(e, SealError::WrongMasterKey { .. }),
                _ => e == SealError::Authentication,
            };
            assert!(expected, "byte {i} bit {bit}: {e:?}");
        }
    }
}

#[test]
fn a_relabelled_master_key_id_is_refused() {
    // Another key's id written into the header: the header is authenticated too.
    let (a, b) = (master(1), master(2));
    let mut sealed = a.seal("alice", KEY).unwrap();
    sealed[1..5].copy_from_slice(&b.id().to_be_bytes());
    assert_eq!(
        b.open("alice", &sealed, |_| Ok(())),
        Err(SealError::Authentication)
    );
}

#[test]
fn truncated_and_foreign_bytes_are_refused() {
    let m = master(1);
    let sealed = m.seal("alice", KEY).unwrap();
    for len in 0..=OVERHEAD {
        let e = m.open("alice", &sealed[..len], |_| Ok(())).unwrap_err();
        assert!(
            matches!(e, SealError::Truncated { len: l } if l == len),
            "{len}: {e:?}"
        );
    }
    let e = m.open("alice", &sealed[..sealed.len() - 1], |_| Ok(()));
    assert_eq!(e, Err(SealError::Authentication));
    assert_eq!(
        m.open("alice", b"\x03rest", |_| Ok(())),
        Err(SealError::UnsupportedVersion { version: 3 })
    );
    assert_eq!(
        m.open("alice", b"\x00rest", |_| Ok(())),
        Err(SealError::UnsupportedVersion { version: 0 })
    );
}

#[test]
fn another_master_key_is_named() {
    let (a, b) = (master(1), master(2));
    assert_ne!(a.id(), b.id());
    let sealed = a.seal("alice", KEY).unwrap();
    assert_eq!(sealed_with(&sealed), Ok(a.id()));
    assert_eq!(
        b.open("alice", &sealed, |_| Ok(())),
        Err(SealError::WrongMasterKey {
            sealed_with: a.id(),
            given: b.id()
        })
    );
}

#[test]
fn key_lengths() {
    let m = master(1);
    assert_eq!(
        m.seal("t", &[]),
        Err(SealError::KeyLength {
            len: 0,
            max: Secret::MAX_LEN
        })
    );
    assert!(m.seal("t", &[1; Secret::MAX_LEN]).is_ok());
    assert_eq!(
        m.seal("t", &[1; Secret::MAX_LEN + 1]),
        Err(SealError::KeyLength {
            len: Secret::MAX_LEN + 1,
            max: Secret::MAX_LEN
        })
    );
    // A key the generator refuses (below RFC 4226's 128 bits) is the builder's error.
    let short = m.seal("t", &[1; 10]).unwrap();
    assert!(matches!(
        m.open_totp("t", &short, TotpParams::default()),
        Err(SealError::Key(otpkit::Error::KeyTooShort { .. }))
    ));
}

#[test]
fn master_keys_from_hex_env_and_file() {
    let m = MasterKey::from_hex(HEX).unwrap();
    let bytes: [u8; 32] = core::array::from_fn(|i| i as u8);
    assert_eq!(m.id(), MasterKey::from_bytes(bytes).id());
    assert_eq!(
        MasterKey::from_hex(&format!("  {}\n", HEX.to_uppercase()))
            .unwrap()
            .id(),
        m.id()
    );
    for bad in ["", &HEX[1..], &format!("{HEX}0"), &HEX.replace('f', "g")] {
        assert_eq!(
            MasterKey::from_hex(bad).unwrap_err(),
            SealError::InvalidMasterKey
        );
    }
    let mut text = String::new();
    m.write_secret_hex(&mut text).unwrap();
    assert_eq!(text, HEX);

    let dir = std::env::temp_dir().join(format!("otpkit-sealed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hex_file = dir.join("hex");
    write_private(&hex_file, format!("{HEX}\n").as_bytes());
    assert_eq!(MasterKey::from_file(&hex_file).unwrap().id(), m.id());
    let raw_file = dir.join("raw");
    write_private(&raw_file, &bytes);
    assert_eq!(MasterKey::from_file(&raw_file).unwrap().id(), m.id());
    let bad_file = dir.join("bad");
    write_private(&bad_file, b"not a key");
    let e = MasterKey::from_file(&bad_file).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    assert!(MasterKey::from_file(dir.join("missing")).is_err());
    std::fs::remove_dir_all(&dir).unwrap();

    let var = "OTPKIT_TEST_SEALED_MASTER_KEY";
    assert_eq!(
        MasterKey::from_env(var).unwrap_err(),
        SealError::MasterKeyNotSet
    );
    let generated = MasterKey::generate().unwrap();
    let mut text = String::new();
    generated.write_secret_hex(&mut text).unwrap();
    // `set_var` is `unsafe` in edition 2024 (other test threads read the environment): a
    // child process gets the variable instead.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "from_env_child",
            "--nocapture",
            "--include-ignored",
        ])
        .env(var, &text)
        .env("OTPKIT_TEST_EXPECT_ID", generated.id().to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
}

/// Writes `contents` to a new file at `path` that only its owner may read (mode 0600).
fn write_private(path: &std::path::Path, contents: &[u8]) {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    f.write_all(contents).unwrap();
}

fn seal_error(e: &std::io::Error) -> Option<SealError> {
    e.get_ref()?.downcast_ref::<SealError>().copied()
}

/// `MasterKey::from_file` reads only a regular file or a pipe, at most a key file's length,
/// and only a file its group and others cannot access (unless told otherwise);
/// `from_fd` and `from_credential` read the same way.
#[test]
fn master_key_files_are_bounded_typed_and_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let m = MasterKey::from_hex(HEX).unwrap();
    let dir = std::env::temp_dir().join(format!("otpkit-keyfiles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // Directories and devices: refused before a byte is read (`/dev/zero` would never end).
    for path in [dir.as_path(), "/dev/zero".as_ref(), "/dev/null".as_ref()] {
        let e = MasterKey::from_file(path).unwrap_err();
        assert_eq!(
            (e.kind(), seal_error(&e)),
            (
                std::io::ErrorKind::InvalidInput,
                Some(SealError::KeyFileType)
            ),
            "{path:?}"
        );
    }

    // Longer than a key file: refused, whatever follows.
    let long = dir.join("long");
    write_private(&long, format!("{HEX}\n{}", " ".repeat(200)).as_bytes());
    let e = MasterKey::from_file(&long).unwrap_err();
    assert_eq!(
        seal_error(&e),
        Some(SealError::KeyFileTooLong {
            max: MAX_KEY_FILE_LEN
        })
    );
    // The longest accepted: the key with whitespace up to 128 bytes.
    let padded = dir.join("padded");
    write_private(
        &padded,
        format!("{HEX}{}", " ".repeat(MAX_KEY_FILE_LEN - 64)).as_bytes(),
    );
    assert_eq!(MasterKey::from_file(&padded).unwrap().id(), m.id());

    // Group- or world-accessible: refused, unless opted out.
    let shared = dir.join("shared");
    write_private(&shared, format!("{HEX}\n").as_bytes());
    for mode in [0o644, 0o640, 0o604, 0o660, 0o602] {
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(mode)).unwrap();
        let e = MasterKey::from_file(&shared).unwrap_err();
        assert_eq!(
            (e.kind(), seal_error(&e)),
            (
                std::io::ErrorKind::PermissionDenied,
                Some(SealError::KeyFilePermissions { mode })
            )
        );
        let opt_out = KeyFileOptions {
            allow_group_or_world_access: true,
        };
        assert_eq!(
            MasterKey::from_file_with(&shared, opt_out).unwrap().id(),
            m.id()
        );
    }
    for mode in [0o600, 0o400] {
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(mode)).unwrap();
        assert_eq!(MasterKey::from_file(&shared).unwrap().id(), m.id());
    }

    // A pipe (named, and an open descriptor) is read, up to the same limit.
    let fifo = dir.join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for (contents, ok) in [(format!("{HEX}\n"), true), ("0".repeat(10_000), false)] {
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                // The reader stops at the limit; a writer past it sees a broken pipe.
                let _ = std::fs::write(&fifo, contents);
            })
        };
        let read = MasterKey::from_file(&fifo);
        writer.join().unwrap();
        match read {
            Ok(k) => assert!(ok && k.id() == m.id()),
            Err(e) => assert!(
                !ok && seal_error(&e)
                    == Some(SealError::KeyFileTooLong {
                        max: MAX_KEY_FILE_LEN
                    }),
                "{e}"
            ),
        }
    }
    let file = std::fs::File::open(&padded).unwrap();
    let fd = std::os::fd::OwnedFd::from(file);
    assert_eq!(
        MasterKey::from_fd(fd, KeyFileOptions::default())
            .unwrap()
            .id(),
        m.id()
    );
    std::fs::set_permissions(&padded, std::fs::Permissions::from_mode(0o644)).unwrap();
    let fd = std::os::fd::OwnedFd::from(std::fs::File::open(&padded).unwrap());
    let e = MasterKey::from_fd(fd, KeyFileOptions::default()).unwrap_err();
    assert_eq!(
        seal_error(&e),
        Some(SealError::KeyFilePermissions { mode: 0o644 })
    );

    // A credential name is a plain file name; the directory comes from systemd (checked in
    // a child process, which gets `CREDENTIALS_DIRECTORY`).
    for bad in ["", ".", "..", "../x", "a/b"] {
        let e = MasterKey::from_credential(bad).unwrap_err();
        assert_eq!(
            seal_error(&e),
            Some(SealError::InvalidCredentialName),
            "{bad:?}"
        );
    }
    let creds = dir.join("credentials");
    std::fs::create_dir(&creds).unwrap();
    write_private(&creds.join("master-key"), format!("{HEX}\n").as_bytes());
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "from_credential_child",
            "--nocapture",
            "--include-ignored",
        ])
        .env("CREDENTIALS_DIRECTORY", &creds)
        .env("OTPKIT_TEST_EXPECT_ID", m.id().to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Run by `master_key_files_are_bounded_typed_and_private` with `CREDENTIALS_DIRECTORY` set.
#[test]
#[ignore = "run by master_key_files_are_bounded_typed_and_private"]
fn from_credential_child() {
    let expected: u32 = std::env::var("OTPKIT_TEST_EXPECT_ID")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        MasterKey::from_credential("master-key").unwrap().id(),
        expected
    );
    let e = MasterKey::from_credential("missing").unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
}

/// Run by `master_keys_from_hex_env_and_file` in a child process with the variable set.
#[test]
#[ignore = "run by master_keys_from_hex_env_and_file"]
fn from_env_child() {
    let expected: u32 = std::env::var("OTPKIT_TEST_EXPECT_ID")
        .unwrap()
        .parse()
        .unwrap();
    let m = MasterKey::from_env("OTPKIT_TEST_SEALED_MASTER_KEY").unwrap();
    assert_eq!(m.id(), expected);
}

#[test]
fn debug_never_shows_key_material() {
    let m = MasterKey::from_hex(HEX).unwrap();
    let shown = format!("{m:?} {m:#?}");
    assert_eq!(
        format!("{m:?}"),
        format!("MasterKey {{ id: {:#010x}, .. }}", m.id())
    );
    for needle in ["0001020304", "00, 01, 02", "[0, 1, 2"] {
        assert!(!shown.contains(needle), "{shown}");
    }
    let sealed = m.seal("alice", KEY).unwrap();
    let e = format!("{:?}", m.open("bob", &sealed, |_| Ok(())));
    assert!(!e.contains("1234"), "{e}");
}

#[test]
fn the_decrypted_key_never_reaches_the_heap() {
    let m = master(1);
    let sealed = m.seal("alice", KEY).unwrap();
    let mut opened = None;
    let info = allocation_counter::measure(|| {
        opened = Some(core::hint::black_box(m.open_totp(
            "alice",
            &sealed,
            TotpParams::default(),
        )));
    });
    assert_eq!(info.count_total, 0, "open allocated");
    assert!(opened.unwrap().is_ok());
    // The counter does see allocations: sealing makes a `Vec`.
    let info = allocation_counter::measure(|| drop(core::hint::black_box(m.seal("alice", KEY))));
    assert!(info.count_total > 0);
}

#[test]
fn rotation_reseals_every_key_and_leaves_records_untouched() {
    let store = MemoryStore::new();
    let (old, new) = (master(1), master(2));
    let verifier = Verifier::new(&store, Policy::default());
    let hotp = Hotp::new(KEY, HotpParams::default()).unwrap();
    let ids: Vec<String> = (0..20).map(|i| format!("user-{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        // Tokens enrolled before enrolment ids, imported with the store's raw write.
        store
            .enrol(id, &StateRecord::counter(0).to_bytes())
            .unwrap();
        assert_eq!(
            store
                .put_sealed_key(id, &old.seal(id, KEY).unwrap(), old.id())
                .unwrap(),
            KeyWrite::Stored
        );
        // Records in different states: accepted codes, failures.
        if i % 2 == 0 {
            verifier
                .verify_hotp(id, &hotp, 100, hotp.generate(1))
                .unwrap();
        } else {
            let _ = verifier.verify_hotp(id, &hotp, 100, "000000");
        }
    }
    let no_key = StateRecord::time_step().to_bytes();
    store.enrol("no-key", &no_key).unwrap();
    let before: Vec<_> = ids.iter().map(|id| store.load(id).unwrap()).collect();

    let done = rotate_master_key(&store, &old, &new).unwrap();
    assert_eq!(
        (done.resealed, done.already_current, done.vanished),
        (20, 0, 0)
    );
    let after: Vec<_> = ids.iter().map(|id| store.load(id).unwrap()).collect();
    assert_eq!(before, after, "a record changed");
    for id in &ids {
        let sealed = store.sealed_key(id).unwrap().unwrap();
        assert_eq!(sealed_with(&sealed), Ok(new.id()));
        assert_eq!(
            new.open(id, &sealed, |k| Ok(k == KEY))
                .map(Enrolled::into_inner),
            Ok(true)
        );
        assert!(matches!(
            old.open(id, &sealed, |_| Ok(())),
            Err(SealError::WrongMasterKey { .. })
        ));
    }
    assert_eq!(store.sealed_key("no-key").unwrap(), None);
    // Again: nothing left to do.
    let again = rotate_master_key(&store, &old, &new).unwrap();
    assert_eq!((again.resealed, again.already_current), (0, 20));
    // Verification goes on with the new key.
    let sealed = store.sealed_key("user-0").unwrap().unwrap();
    let hotp = new
        .open_hotp("user-0", &sealed, HotpParams::default())
        .unwrap();
    assert_eq!(
        verifier
            .verify_hotp("user-0", &hotp, 100, hotp.generate(2))
            .unwrap()
            .matched,
        2
    );
}

#[test]
fn rotation_stops_at_a_key_neither_master_key_opens() {
    let store = MemoryStore::new();
    let (old, new, stranger) = (master(1), master(2), master(3));
    store
        .enrol("a", &StateRecord::counter(0).to_bytes())
        .unwrap();
    store
        .put_sealed_key("a", &stranger.seal("a", KEY).unwrap(), stranger.id())
        .unwrap();
    let e = rotate_master_key(&store, &old, &new).unwrap_err();
    assert!(
        matches!(&e, otpkit::sealed::RotateError::Seal { id, error: SealError::WrongMasterKey { .. } } if id == "a"),
        "{e:?}"
    );
}

#[test]
fn memory_store_master_key_rotation() {
    rotation_suite::all_and_threads(&MemoryStore::new(), "user");
}

/// Runs a future that never waits (the in-memory store's are ready at once).
fn ready<T>(fut: impl core::future::Future<Output = T>) -> T {
    let mut fut = core::pin::pin!(fut);
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        core::task::Poll::Ready(v) => v,
        core::task::Poll::Pending => panic!("the in-memory store waited"),
    }
}

#[test]
fn async_rotation_over_the_memory_store() {
    use otpkit::store::{AsyncKeyStore, AsyncStore};
    let store = MemoryStore::new();
    let (old, new) = (master(1), master(2));
    for i in 0..7 {
        let id = format!("user-{i}");
        assert!(
            ready(AsyncStore::enrol(
                &store,
                &id,
                &StateRecord::counter(0).to_bytes()
            ))
            .unwrap()
        );
        let sealed = old.seal(&id, KEY).unwrap();
        assert_eq!(
            ready(AsyncKeyStore::put_sealed_key(
                &store,
                &id,
                &sealed,
                old.id()
            ))
            .unwrap(),
            KeyWrite::Stored
        );
    }
    let mut pages = 0;
    let options = RotateOptions {
        page_size: 3,
        ..RotateOptions::default()
    };
    let done = ready(rotate_master_key_async(&store, &old, &new, options, |_| {
        pages += 1
    }))
    .unwrap();
    assert_eq!(
        (done.resealed, done.passes, done.old_key_remains),
        (7, 2, false)
    );
    assert_eq!(pages, 6);
    assert_eq!(
        ready(AsyncKeyStore::current_master_key(&store)).unwrap(),
        Some(new.id())
    );
    for i in 0..7 {
        let id = format!("user-{i}");
        let sealed = ready(AsyncKeyStore::sealed_key(&store, &id))
            .unwrap()
            .unwrap();
        assert_eq!(
            new.open(&id, &sealed, |k| Ok(k == KEY))
                .map(Enrolled::into_inner),
            Ok(true)
        );
    }
    let late = old.seal("user-0", KEY).unwrap();
    assert_eq!(
        ready(AsyncKeyStore::put_sealed_key(
            &store,
            "user-0",
            &late,
            old.id()
        ))
        .unwrap(),
        KeyWrite::RetiredMasterKey { current: new.id() }
    );
}

/// A key sealed by the previous release (format 1, under `[1; 32]`, for "alice"): the
/// RFC 6238 key `12345678901234567890`.
const V1_SEALED: &str = include_str!("data/sealed_key_format1.hex");

/// `StateRecord::time_step()` as the previous release wrote it (format 1).
const V1_TIME_STEP: [u8; 34] = [
    1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfa,
    0x6b, 0x6f, 0xf5,
];

/// Rotation re-seals a key of format 1 as format 2 of the enrolment its record has (the
/// legacy one, for a record of format 1): it goes on verifying. A key of format 1 restored
/// beside a record of a real enrolment is re-sealed for the legacy enrolment it belongs to,
/// never bound to the record's, and the verifier goes on refusing it.
#[test]
fn rotation_reseals_format_1_keys_for_their_enrolment() {
    use otpkit::EnrolmentId;
    use otpkit::store::{EnrolStore, VerifyError};
    let text = V1_SEALED.trim();
    let v1: Vec<u8> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect();
    let (old, new) = (master(1), master(2));
    let store = MemoryStore::new();
    let record = otpkit::store::RecordBytes::try_from(&V1_TIME_STEP[..]).unwrap();
    assert!(Store::enrol(&store, "alice", &record).unwrap());
    assert_eq!(
        store.put_sealed_key("alice", &v1, old.id()).unwrap(),
        KeyWrite::Stored
    );
    let done = rotate_master_key(&store, &old, &new).unwrap();
    assert_eq!((done.resealed, done.old_key_remains), (1, false));
    let sealed = store.sealed_key("alice").unwrap().unwrap();
    assert_eq!(sealed[0], 2, "format 2");
    let totp = new
        .open_totp("alice", &sealed, TotpParams::default())
        .unwrap();
    assert_eq!(totp.enrolment(), EnrolmentId::LEGACY);
    let verifier = Verifier::new(&store, Policy::default());
    let now = 1_700_000_000;
    verifier
        .verify_totp("alice", &totp, now, totp.generate_at(now).unwrap())
        .unwrap();

    // A backup of the format-1 key restored beside a new enrolment's record, then the
    // rotation run again.
    let enrolment = EnrolmentId::from_bytes([3; 16]);
    let fresh = new.seal_enrolled("alice", enrolment, &[9; 20]).unwrap();
    let second = StateRecord::time_step().with_enrolment(enrolment);
    assert_eq!(
        store
            .reenrol("alice", &second.to_bytes(), Some(&fresh))
            .unwrap(),
        KeyWrite::Stored
    );
    assert!(
        store
            .compare_and_swap_sealed_key("alice", &fresh, &v1)
            .unwrap()
    );
    let done = rotate_master_key(&store, &old, &new).unwrap();
    assert_eq!((done.resealed, done.old_key_remains), (1, false));
    let restored = store.sealed_key("alice").unwrap().unwrap();
    let totp = new
        .open_totp("alice", &restored, TotpParams::default())
        .unwrap();
    assert_eq!(
        totp.enrolment(),
        EnrolmentId::LEGACY,
        "not bound to the record's"
    );
    let later = now + 300;
    assert_eq!(
        verifier.verify_totp("alice", &totp, later, totp.generate_at(later).unwrap()),
        Err(VerifyError::EnrolmentMismatch {
            stored: enrolment,
            generator: EnrolmentId::LEGACY,
        })
    );
}

proptest! {
    #[test]
    fn any_key_round_trips_for_its_own_id_only(
        key in proptest::collection::vec(any::<u8>(), 1..=256),
        id in "\\PC{0,40}",
        other in "\\PC{0,40}",
        master_bytes in any::<[u8; 32]>(),
    ) {
        let m = MasterKey::from_bytes(master_bytes);
        let sealed = m.seal(&id, &key).unwrap();
        prop_assert_eq!(sealed.len(), OVERHEAD + key.len());
        prop_assert_eq!(m.open(&id, &sealed, |k| Ok(k == key.as_slice())).map(Enrolled::into_inner), Ok(true));
        if other != id {
            prop_assert_eq!(m.open(&other, &sealed, |_| Ok(())), Err(SealError::Authentication));
        }
    }

    #[test]
    fn any_altered_ciphertext_is_refused(
        key in proptest::collection::vec(any::<u8>(), 1..=64),
        at in any::<proptest::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let m = master(9);
        let mut sealed = m.seal("t", &key).unwrap();
        let i = 5 + at.index(sealed.len() - 5);
        sealed[i] ^= flip;
        prop_assert_eq!(m.open("t", &sealed, |_| Ok(())), Err(SealError::Authentication));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Pages of any size list every id that has a key exactly once, in ascending order.
    #[test]
    fn pages_list_every_keyed_id_once_in_order(
        ids in proptest::collection::btree_set("\\PC{0,12}", 0..40),
        page_size in 1usize..8,
    ) {
        let store = MemoryStore::new();
        for id in &ids {
            store.enrol(id, &StateRecord::counter(0).to_bytes()).unwrap();
            prop_assert_eq!(store.put_sealed_key(id, b"k", 1).unwrap(), KeyWrite::Stored);
        }
        store.enrol("\u{10ffff}-keyless", &StateRecord::counter(0).to_bytes()).unwrap();
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = store.ids_with_keys(after.as_deref(), page_size).unwrap();
            prop_assert!(page.len() <= page_size);
            let Some(last) = page.last() else { break };
            after = Some(last.clone());
            seen.extend(page);
        }
        prop_assert_eq!(seen, ids.into_iter().collect::<Vec<_>>());
    }

    /// Whichever key a re-enrolment replaces while the rotation runs, and whatever the page
    /// size, the rotation ends with every key under the new master key, the re-enrolled one
    /// holding its fresh key.
    #[test]
    fn a_re_enrolment_at_any_point_of_a_rotation_survives_it(
        n in 1usize..10,
        victim in 0usize..10,
        page_size in 1usize..5,
    ) {
        let victim = victim % n;
        let store = MemoryStore::new();
        let (old, new) = (rotation_suite::old(), rotation_suite::new());
        let ids = rotation_suite::enrol_all(&store, "t", n, &old);
        let mut wrapped = rotation_suite::Interleave::new(&store, |s: &MemoryStore| {
            rotation_suite::re_enrol(s, &ids[victim], victim, &new);
        });
        wrapped.on_swap = Some(victim + 1);
        let options = RotateOptions { page_size, ..RotateOptions::default() };
        let done = otpkit::sealed::rotate_master_key_with(&wrapped, &old, &new, options, |_| {}).unwrap();
        prop_assert_eq!((done.resealed, done.skipped, done.old_key_remains), (n - 1, 1, false));
        for (i, id) in ids.iter().enumerate() {
            let generation = if i == victim { 9 } else { 0 };
            prop_assert_eq!(rotation_suite::opened(&store, id, &new), rotation_suite::key(i, generation));
        }
    }
}
