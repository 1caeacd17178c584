//! The `verify_server` example, run as a process the way its docs use it: enrol → verify →
//! replay refused → wrong codes throttled (per client, then per token) → unlock, with the
//! throttle on the server's clock whatever `--at` says, the key sealed (never in the database
//! or any output after enrolment), and a master-key rotation that leaves the records as they
//! were.
//!
//! `cargo test` builds the example next to this test (with the features it needs). Where it
//! is missing the test says so and passes, except under CI (`CI` set), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The example binary `cargo test` built next to this test.
fn binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // target/<profile>/deps/verify_server-<hash> -> target/<profile>/examples/verify_server
    let path = exe
        .parent()?
        .parent()?
        .join("examples")
        .join(format!("verify_server{}", std::env::consts::EXE_SUFFIX));
    path.is_file().then_some(path)
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

struct Server {
    bin: PathBuf,
    dir: PathBuf,
    master_key: String,
    /// Everything printed after enrolment, to search for the key.
    printed: String,
}

impl Server {
    fn run(&mut self, args: &[&str]) -> Run {
        let out = Command::new(&self.bin)
            .current_dir(&self.dir)
            .args(args)
            .env("OTPKIT_MASTER_KEY", &self.master_key)
            .output()
            .unwrap();
        let run = Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        };
        self.printed.push_str(&run.stdout);
        self.printed.push_str(&run.stderr);
        run
    }

    /// Runs and expects exit status `status`; returns stdout.
    #[track_caller]
    fn expect(&mut self, status: i32, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.status, status,
            "{args:?}: stdout {:?} stderr {:?}",
            r.stdout, r.stderr
        );
        r.stdout
    }

    fn code(&mut self, user: &str) -> String {
        self.expect(0, &["code", user]).trim().to_owned()
    }
}

/// The base32 secret in an `otpauth://` URI line.
fn secret_of(enrol_output: &str) -> String {
    let uri = enrol_output
        .lines()
        .find(|l| l.starts_with("otpauth://"))
        .expect("enrol prints the URI");
    let start = uri.find("secret=").unwrap() + "secret=".len();
    uri[start..].split('&').next().unwrap().to_owned()
}

fn base32_decode(s: &str) -> Vec<u8> {
    otpkit::BoxedSecret::from_base32(s)
        .unwrap()
        .as_ref()
        .to_vec()
}

fn file_contains(path: &Path, needle: &[u8]) -> bool {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// An attacker with an account of their own alternates two wrong codes for the victim with
/// one valid login of their own, from one client: their own successes must not reset the
/// client's count against the victim. At most 3 of the victim's wrong codes are evaluated,
/// the victim's token stays short of its lock, and its owner still logs in.
#[test]
fn an_attackers_own_logins_do_not_reset_the_client_limit() {
    let Some(bin) = binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "no verify_server example binary next to this test"
        );
        eprintln!("SKIPPED: no verify_server example binary");
        return;
    };
    let dir = std::env::temp_dir().join(format!("otpkit-alternating-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut s = Server {
        bin,
        dir: dir.clone(),
        master_key: "42".repeat(32),
        printed: String::new(),
    };
    s.expect(0, &["enrol", "victim", "--hotp"]);
    s.expect(0, &["enrol", "mallory", "--hotp"]);
    let right = s.code("victim");
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let mut evaluated = 0;
    for _ in 0..6 {
        for _ in 0..2 {
            let out = s.expect(1, &["verify", "victim", wrong, "--client", "10.0.0.66"]);
            if out.contains("rejected: code does not match") {
                evaluated += 1;
            } else {
                assert!(out.contains("rejected: this client:"), "{out}");
            }
        }
        let own = s.code("mallory");
        let out = s.expect(0, &["verify", "mallory", &own, "--client", "10.0.0.66"]);
        assert!(out.contains("accepted"), "{out}");
    }
    assert_eq!(evaluated, 3, "the victim's wrong codes evaluated");
    let shown = s.expect(0, &["show", "victim"]);
    assert!(shown.contains("failures 3, lock now: None"), "{shown}");
    let out = s.expect(0, &["verify", "victim", &right, "--client", "owner"]);
    assert!(out.contains("accepted"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_example_server_end_to_end() {
    let Some(bin) = binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "no verify_server example binary next to this test"
        );
        eprintln!(
            "SKIPPED: build the example (`cargo build --example verify_server --features sealed-keys,store-sqlite`)"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!("otpkit-verify-server-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut s = Server {
        bin,
        dir: dir.clone(),
        master_key: String::new(),
        printed: String::new(),
    };

    let key = s.expect(0, &["new-master-key"]);
    s.master_key = key.trim().to_owned();
    assert_eq!(s.master_key.len(), 64);

    // Enrol: the URI is shown once.
    let enrolled = s.expect(0, &["enrol", "bob", "--hotp"]);
    assert!(enrolled.starts_with("enrolled bob (HOTP)\n"), "{enrolled}");
    let bob_secret = secret_of(&enrolled);
    let enrolled = s.expect(0, &["enrol", "alice"]);
    let alice_secret = secret_of(&enrolled);
    s.printed.clear();
    let again = s.run(&["enrol", "bob"]);
    assert_eq!(again.status, 2);
    assert!(
        again.stderr.contains("already enrolled"),
        "{}",
        again.stderr
    );

    // Verify, then the same code again.
    let c0 = s.code("bob");
    let out = s.expect(0, &["verify", "bob", &c0]);
    assert_eq!(out, format!("{c0}: accepted (step/counter 0, drift 0)\n"));
    let out = s.expect(1, &["verify", "bob", &c0]);
    assert_eq!(out, format!("{c0}: rejected: code was already used\n"));

    // TOTP: the code of now verifies; `--at` changes only the token's clock in `code`.
    let now_code = s.code("alice");
    let out = s.expect(0, &["verify", "alice", &now_code]);
    assert!(out.contains("accepted"), "{out}");
    let hour_ago = s.expect(0, &["code", "alice", "--at", "1000000000"]);
    let out = s.expect(1, &["verify", "alice", hour_ago.trim()]);
    assert!(out.contains("rejected: code does not match"), "{out}");

    // One client guessing: stopped after 3 wrong codes, before the token is locked.
    let c1 = s.code("bob");
    let wrong = if c1 == "000000" { "111111" } else { "000000" };
    for _ in 0..3 {
        let out = s.expect(1, &["verify", "bob", wrong, "--client", "10.0.0.66"]);
        assert!(out.contains("rejected: code does not match"), "{out}");
    }
    let out = s.expect(1, &["verify", "bob", &c1, "--client", "10.0.0.66"]);
    assert!(
        out.contains("rejected: this client: too many failed attempts"),
        "{out}"
    );
    let shown = s.expect(0, &["show", "bob"]);
    assert!(shown.contains("failures 3, lock now: None"), "{shown}");

    // Guesses from many clients: the token's own throttle engages at its 5th failure.
    for client in ["10.0.0.1", "10.0.0.2"] {
        let out = s.expect(1, &["verify", "bob", wrong, "--client", client]);
        assert!(out.contains("rejected: code does not match"), "{out}");
    }
    // The owner's right code is refused now, without being looked at, and `--at` (the
    // token's clock) does not move the lock's end.
    for extra in [&[][..], &["--at", "4000000000"][..]] {
        let mut args = vec!["verify", "bob", &c1, "--client", "owner"];
        args.extend_from_slice(extra);
        let out = s.expect(1, &args);
        assert!(
            out.contains("rejected: too many failed attempts, retry at unix time"),
            "{out}"
        );
        assert!(!out.contains("this client"), "{out}");
    }
    let shown = s.expect(0, &["show", "bob"]);
    assert!(
        shown.contains("failures 5, lock now: Some(Until("),
        "{shown}"
    );

    // An administrator unlocks; the owner's code is accepted.
    assert_eq!(s.expect(0, &["unlock", "bob"]), "bob: unlocked\n");
    let out = s.expect(0, &["verify", "bob", &c1, "--client", "owner"]);
    assert!(out.contains("accepted (step/counter 1, drift 0)"), "{out}");

    // Keys at rest: nothing printed since enrolment, and nothing in the database, holds a key.
    let db = dir.join("otpkit-server.sqlite3");
    for secret in [&bob_secret, &alice_secret] {
        assert!(!s.printed.contains(secret.as_str()), "a key was printed");
        let raw = base32_decode(secret);
        for file in ["otpkit-server.sqlite3", "otpkit-server.sqlite3-wal"] {
            assert!(
                !file_contains(&dir.join(file), &raw),
                "a key in clear in {file}"
            );
        }
    }
    assert!(db.is_file());

    // Another master key opens nothing.
    let right = core::mem::take(&mut s.master_key);
    s.master_key = "11".repeat(32);
    let r = s.run(&["code", "bob"]);
    assert_eq!(r.status, 2);
    assert!(r.stderr.contains("sealed under master key"), "{}", r.stderr);

    // Rotation: every key re-sealed, records untouched; then only the new key works.
    s.master_key = right;
    let before = (
        s.expect(0, &["show", "alice"]),
        s.expect(0, &["show", "bob"]),
    );
    let new_key = s.expect(0, &["new-master-key"]);
    // A key file only its owner may read: a group- or world-readable one is refused.
    std::fs::write(dir.join("new.key"), &new_key).unwrap();
    {
        use std::os::unix::fs::PermissionsExt as _;
        let shared = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(dir.join("new.key"), shared).unwrap();
    }
    let r = s.run(&["rotate-master-key", "--new-master-key-file", "new.key"]);
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("lets its group or others access it"),
        "{}",
        r.stderr
    );
    {
        use std::os::unix::fs::PermissionsExt as _;
        let private = std::fs::Permissions::from_mode(0o600);
        std::fs::set_permissions(dir.join("new.key"), private).unwrap();
    }
    let out = s.expect(
        0,
        &["rotate-master-key", "--new-master-key-file", "new.key"],
    );
    assert!(
        out.starts_with("re-sealed 2 keys under master key"),
        "{out}"
    );
    let old = s.run(&["code", "bob"]);
    assert_eq!(old.status, 2, "the old master key still opens a key");
    let mut args = vec!["--master-key-file", "new.key"];
    args.extend(["show", "alice"]);
    let after_alice = s.expect(0, &args);
    let after_bob = s.expect(0, &["--master-key-file", "new.key", "show", "bob"]);
    assert_eq!(before, (after_alice, after_bob), "a record changed");
    let c2 = s.expect(0, &["--master-key-file", "new.key", "code", "bob"]);
    let out = s.expect(
        0,
        &["--master-key-file", "new.key", "verify", "bob", c2.trim()],
    );
    assert!(out.contains("accepted (step/counter 2, drift 0)"), "{out}");

    // A server still on the retired master key enrols nothing; on the new one it does.
    let r = s.run(&["enrol", "carol"]);
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is retired"), "{}", r.stderr);
    let r = s.run(&["--master-key-file", "new.key", "show", "carol"]);
    assert_ne!(r.status, 0, "carol was left enrolled: {}", r.stdout);
    s.expect(0, &["--master-key-file", "new.key", "enrol", "carol"]);

    std::fs::remove_dir_all(&dir).unwrap();
}

/// `import-pskc`: a token maker's batches written by `otptool pskc new` (HOTP and TOTP under a
/// pre-shared key, OCRA beside them) enrolled in bulk; a code of each token, computed from the
/// key the batch carries, is accepted; a re-import overwrites nothing; no key reaches the
/// database in the clear.
#[cfg(all(feature = "pskc", feature = "cli"))]
#[test]
fn import_pskc_batches_from_otptool() {
    use otpkit::{Algorithm, Hotp, HotpParams, Totp, TotpParams};

    let Some(bin) = binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "no verify_server example binary next to this test"
        );
        eprintln!(
            "SKIPPED: build the example (`cargo build --example verify_server --all-features`)"
        );
        return;
    };
    let dir =
        std::env::temp_dir().join(format!("otpkit-verify-server-pskc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut s = Server {
        bin,
        dir: dir.clone(),
        master_key: String::new(),
        printed: String::new(),
    };
    s.master_key = s.expect(0, &["new-master-key"]).trim().to_owned();
    std::fs::write(
        dir.join("transport.key"),
        "000102030405060708090a0b0c0d0e0f\n",
    )
    .unwrap();
    let otptool = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_otptool"))
            .current_dir(&dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let psk = ["--psk-file", "transport.key"];
    otptool(
        &[
            &[
                "pskc",
                "new",
                "--hotp",
                "--count",
                "3",
                "--serial-prefix",
                "H",
                "--out",
                "h.pskc",
            ][..],
            &psk,
        ]
        .concat(),
    );
    otptool(
        &[
            &[
                "pskc",
                "new",
                "--totp",
                "--count",
                "3",
                "--serial-prefix",
                "T",
                "--digits",
                "8",
                "--algorithm",
                "sha256",
                "--period",
                "60",
                "--out",
                "t.pskc",
            ][..],
            &psk,
        ]
        .concat(),
    );
    otptool(
        &[
            &[
                "pskc",
                "new",
                "--ocra",
                "OCRA-1:HOTP-SHA1-6:QN08",
                "--count",
                "1",
                "--serial-prefix",
                "O",
                "--out",
                "o.pskc",
            ][..],
            &psk,
        ]
        .concat(),
    );

    let out = s.expect(0, &["import-pskc", "h.pskc", "--psk-file", "transport.key"]);
    assert!(
        out.ends_with("imported 3, already enrolled 0, skipped 0, failed 0\n"),
        "{out}"
    );
    let out = s.expect(0, &["import-pskc", "t.pskc", "--psk-file", "transport.key"]);
    assert!(
        out.ends_with("imported 3, already enrolled 0, skipped 0, failed 0\n"),
        "{out}"
    );
    let out = s.expect(0, &["import-pskc", "o.pskc", "--psk-file", "transport.key"]);
    assert!(out.contains("skipped O000001: OCRA"), "{out}");
    // A re-import: the ids reported, nothing overwritten (the codes below still verify).
    let out = s.expect(0, &["import-pskc", "h.pskc", "--psk-file", "transport.key"]);
    assert!(
        out.contains("already enrolled, left as they are: H000001 H000002 H000003"),
        "{out}"
    );
    assert!(
        out.ends_with("imported 0, already enrolled 3, skipped 0, failed 0\n"),
        "{out}"
    );
    // A wrong transport key: refused as a whole, one line, nothing enrolled.
    std::fs::write(dir.join("wrong.key"), "ffffffffffffffffffffffffffffffff").unwrap();
    let r = s.run(&["import-pskc", "t.pskc", "--psk-file", "wrong.key"]);
    assert_eq!(r.status, 2, "{}", r.stdout);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("wrong pre-shared key or password"),
        "{}",
        r.stderr
    );

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let db = dir.join("otpkit-server.sqlite3");
    for (file, hotp) in [("h.pskc", true), ("t.pskc", false)] {
        let list = otptool(
            &[
                &["pskc", "list", file, "--json", "--show-secrets"][..],
                &psk,
            ]
            .concat(),
        );
        let keys: serde_json::Value = serde_json::from_str(&list).unwrap();
        for k in keys.as_array().unwrap() {
            let id = k["id"].as_str().unwrap();
            let hex = k["secret_hex"].as_str().unwrap();
            let secret: Vec<u8> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            assert!(
                !file_contains(&db, &secret),
                "{id}: key in the database in the clear"
            );
            let code = if hotp {
                Hotp::new(&secret, HotpParams::default())
                    .unwrap()
                    .generate(0)
            } else {
                let params = TotpParams {
                    algorithm: Algorithm::Sha256,
                    digits: 8,
                    period: 60,
                    t0: 0,
                };
                Totp::new(&secret, params)
                    .unwrap()
                    .generate_at(now)
                    .unwrap()
            };
            let out = s.expect(0, &["verify", id, code.as_str()]);
            assert!(out.contains("accepted"), "{id}: {out}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
