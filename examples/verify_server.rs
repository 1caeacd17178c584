//! A TOTP/HOTP verification server's core over SQLite: enrol users with sealed keys, verify
//! codes exactly once through `store::Verifier`, throttle per token and per client, follow
//! clock drift, resynchronise, unlock, rotate the master key. Needs the features `std`, `uri`,
//! `rand` (all default), `sealed-keys` and `store-sqlite`; README.md runs it as a shell
//! session.
//!
//! ```text
//! alias vs='cargo run -q --features sealed-keys,store-sqlite --example verify_server --'
//! export OTPKIT_MASTER_KEY=$(vs new-master-key)   # or --master-key-file PATH
//! vs enrol alice               # TOTP; prints the otpauth:// URI, once
//! vs enrol bob --hotp
//! vs code alice                # the code alice's token shows now (a demo stand-in)
//! vs code alice --at UNIX      # ... or if its clock said UNIX
//! vs verify alice 123456       # or codes on stdin, one a line; --client ADDR
//! vs resync alice 123456 654321
//! vs unlock alice
//! vs show alice
//! vs rotate-master-key --new-master-key-file new.key
//! vs import-pskc batch.pskc --psk-file transport.key   # a token maker's batch (feature pskc)
//! ```
//!
//! Options: `--db PATH` (default `otpkit-server.sqlite3` in the working directory),
//! `--master-key-file PATH` (a file only its owner may read, or a pipe; default: the systemd
//! credential `otpkit-master-key` when `$CREDENTIALS_DIRECTORY` is set, else the
//! `OTPKIT_MASTER_KEY` environment variable, 64 hexadecimal digits), `--client ADDR` (who sends the codes, for per-client limiting;
//! default `local`).
//!
//! # What it shows
//!
//! - **Exactly once**: every verification goes through [`Verifier`], which loads the record,
//!   verifies in memory, writes the new record with a compare-and-swap
//!   (`UPDATE otpkit_tokens SET record = :new WHERE id = :id AND record = :old`), retries a
//!   lost race, and only then returns the outcome.
//! - **The server's clock**: verification and throttling always use this machine's clock.
//!   `--at` only changes the time that `code` computes a code for, as a token whose clock is
//!   off would; it never moves a lock's end.
//! - **Keys at rest** (RFC 4226 §7.5): each key is sealed with XChaCha20-Poly1305 under the
//!   master key, bound to its token id, in the token's row but outside the bytes the
//!   compare-and-swap covers. It is opened into a wiped buffer only while the generator is
//!   built. `enrol` shows the URI once; nothing prints a key after that.
//!   `rotate-master-key` re-seals every key without touching a record.
//! - **Keys tied to their enrolment**: `enrol` draws a random enrolment id, seals the key with
//!   it and writes the first record (which holds it) and the sealed key in one statement
//!   (`EnrolStore::enrol_with_key`). The generator opened from the key carries the id, and the
//!   verifier refuses it against a record of any other enrolment.
//! - **Two throttles**: the token's own (`Policy::default()`: after 5 failures in a row,
//!   30 s doubling up to an hour), which anyone knowing the user name can trip, and one per
//!   client and token (after 3 failures, 60 s doubling up to an hour), so that one client
//!   cannot spend the token's allowance alone: it is stopped at 3, the owner's client is not.
//!   The client's count is kept per token, so only a right code for *that* token resets it:
//!   an attacker's valid logins to an account of their own leave their count against the
//!   victim's token where it was.
//!
//! - **Hardware tokens in bulk** (with the `pskc` feature): `import-pskc FILE (--psk-file F |
//!   --password-file F)` reads a token maker's PSKC (RFC 6030) batch, MAC-checked, and enrols
//!   every usable HOTP/TOTP key as `enrol` does, record (with the file's counter or drift)
//!   and sealed key in one statement. OCRA and unusable keys are reported and skipped; ids
//!   already enrolled are reported and left as they are, so a re-import overwrites nothing.
//!
//! The store is `otpkit::store::SqliteStore` (feature `store-sqlite`): one row per token, the
//! record and the sealed key side by side; the example keeps its own tables (token
//! parameters, per-client throttles) on the same connection.

use core::error::Error as StdError;
use std::io::BufRead;

use otpkit::sealed::{MasterKey, rotate_master_key};
use otpkit::store::{EnrolStore, KeyStore, KeyWrite, SqliteStore, Store, Verifier, VerifyError};
use otpkit::uri::OtpAuthUri;
use otpkit::{
    Accepted, Algorithm, Enrolled, EnrolmentId, Error, HotpParams, Lock, Policy, Secret,
    StateRecord, ThrottlePolicy, ThrottleState, TotpParams,
};
use rusqlite::{OptionalExtension, params};

type Result<T> = core::result::Result<T, Box<dyn StdError>>;

const USAGE: &str = "usage: verify_server [--db PATH] [--master-key-file PATH] [--client ADDR] \
    (new-master-key | enrol USER [--hotp] | code USER [--at UNIX] | verify USER [CODE...] | \
    resync USER CODE CODE... | unlock USER | show USER | \
    rotate-master-key --new-master-key-file PATH | \
    import-pskc FILE (--psk-file PATH | --password-file PATH))";

/// Per client and token: after 3 failures in a row, 60 s doubling up to an hour.
const CLIENT_THROTTLE: ThrottlePolicy = ThrottlePolicy::delay(3, 60, 3600);

fn main() {
    match run() {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}

/// `Ok(false)`: a code was rejected (exit status 1).
fn run() -> Result<bool> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let db = take_option(&mut args, "--db")?.unwrap_or_else(|| "otpkit-server.sqlite3".into());
    let key_file = take_option(&mut args, "--master-key-file")?;
    let new_key_file = take_option(&mut args, "--new-master-key-file")?;
    let client = take_option(&mut args, "--client")?.unwrap_or_else(|| "local".into());
    let at = take_option(&mut args, "--at")?
        .map(|t| t.parse::<u64>())
        .transpose()?;
    let hotp_flag = take_flag(&mut args, "--hotp");
    let psk_file = take_option(&mut args, "--psk-file")?;
    let password_file = take_option(&mut args, "--password-file")?;
    // The server's clock: for TOTP steps and for every throttle.
    let now = otpkit::clock::unix_now()?;

    if args.first().map(String::as_str) == Some("new-master-key") {
        let mut hex = zeroize::Zeroizing::new(String::new());
        MasterKey::generate()?.write_secret_hex(&mut *hex)?;
        println!("{}", hex.as_str());
        return Ok(true);
    }
    let master = match key_file {
        // A regular file (mode 0600 or 0400) or a pipe, such as `<(pass show otpkit)`.
        Some(path) => MasterKey::from_file(path)?,
        // Under systemd, `LoadCredential=otpkit-master-key:PATH`.
        None if std::env::var_os("CREDENTIALS_DIRECTORY").is_some() => {
            MasterKey::from_credential("otpkit-master-key")?
        }
        None => MasterKey::from_env("OTPKIT_MASTER_KEY").map_err(|e| {
            format!("{e}: set OTPKIT_MASTER_KEY, pass --master-key-file or a systemd credential")
        })?,
    };
    let server = Server::open(&db, master)?;
    if args.first().map(String::as_str) == Some("rotate-master-key") {
        let new = MasterKey::from_file(new_key_file.ok_or("--new-master-key-file is needed")?)?;
        let done = rotate_master_key(server.verifier.store(), &server.master, &new)?;
        println!(
            "re-sealed {} keys under master key {:#010x} ({} already were, {} skipped, {} passes)",
            done.resealed,
            new.id(),
            done.already_current,
            done.skipped,
            done.passes
        );
        if done.old_key_remains {
            return Err("keys under the old master key remain: run the rotation again".into());
        }
        return Ok(true);
    }
    if args.first().map(String::as_str) == Some("import-pskc") {
        let file = args.get(1).ok_or(USAGE)?;
        return import_pskc(&server, file, psk_file, password_file, now);
    }
    let (command, user, rest) = match args.as_slice() {
        [command, user, rest @ ..] => (command.as_str(), user.as_str(), rest),
        _ => return Err(USAGE.into()),
    };
    match command {
        "enrol" => server.enrol(user, hotp_flag).map(|()| true),
        "code" => {
            let code = match server.token(user)? {
                Token::Totp(t) => t.generate_at(at.unwrap_or(now))?,
                Token::Hotp(h) => h.generate(server.record(user)?.next_counter()),
            };
            println!("{code}");
            Ok(true)
        }
        "verify" => {
            let mut codes: Vec<String> = rest.to_vec();
            if codes.is_empty() {
                for line in std::io::stdin().lock().lines() {
                    codes.push(line?.trim().to_owned());
                }
            }
            let token = server.token(user)?;
            let mut all_ok = true;
            for code in codes.iter().filter(|c| !c.is_empty()) {
                let outcome = server.limited(&client, user, now, || match &token {
                    Token::Totp(t) => server.verifier.verify_totp(user, t, now, code),
                    Token::Hotp(h) => server.verifier.verify_hotp(user, h, now, code),
                })?;
                all_ok &= report(code, outcome);
            }
            Ok(all_ok)
        }
        "resync" => {
            let token = server.token(user)?;
            let outcome = server.limited(&client, user, now, || match &token {
                Token::Totp(t) => server.verifier.resync_totp(user, t, now, rest),
                Token::Hotp(h) => server.verifier.resync_hotp(user, h, now, rest),
            })?;
            Ok(report(&rest.join(" "), outcome))
        }
        "unlock" => {
            server.verifier.unlock(user)?;
            println!("{user}: unlocked");
            Ok(true)
        }
        "show" => {
            let r = server.record(user)?;
            let t = r.throttle();
            println!(
                "{user}: {}, next acceptable {}, drift {}, failures {}, lock now: {:?}",
                r.kind(),
                r.next_counter(),
                r.drift(),
                t.failures(),
                t.lock_at(now)
            );
            Ok(true)
        }
        _ => Err(USAGE.into()),
    }
}

/// Prints an outcome; `true` when accepted.
fn report(code: &str, outcome: core::result::Result<Accepted, Refusal>) -> bool {
    match outcome {
        Ok(a) => {
            println!(
                "{code}: accepted (step/counter {}, drift {})",
                a.matched, a.drift
            );
            true
        }
        Err(e) => {
            println!("{code}: rejected: {e}");
            false
        }
    }
}

/// Why a code was not accepted: the client's throttle, or the verifier's answer.
#[derive(Debug)]
enum Refusal {
    Client(Error),
    Token(Error),
}

impl core::fmt::Display for Refusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Refusal::Client(e) => write!(f, "this client: {e}"),
            Refusal::Token(e) => write!(f, "{e}"),
        }
    }
}

enum Token {
    Totp(Enrolled<otpkit::Totp>),
    Hotp(Enrolled<otpkit::Hotp>),
}

struct Server {
    verifier: Verifier<SqliteStore>,
    master: MasterKey,
}

impl Server {
    fn open(path: &str, master: MasterKey) -> Result<Server> {
        let store = SqliteStore::open(path)?;
        // The example's own tables, beside the store's: token parameters, client throttles.
        store.connection().execute_batch(
            "CREATE TABLE IF NOT EXISTS token_params (
                id        TEXT PRIMARY KEY NOT NULL,
                kind      TEXT NOT NULL CHECK (kind IN ('totp', 'hotp')),
                algorithm TEXT NOT NULL,
                digits    INTEGER NOT NULL,
                period    INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS client_token_throttle (
                client       TEXT NOT NULL,
                token        TEXT NOT NULL,
                failures     INTEGER NOT NULL,
                locked_until INTEGER,
                PRIMARY KEY (client, token)
            )",
        )?;
        Ok(Server {
            verifier: Verifier::new(store, Policy::default()),
            master,
        })
    }

    fn record(&self, user: &str) -> Result<StateRecord> {
        let bytes = self
            .verifier
            .store()
            .load(user)?
            .ok_or_else(|| format!("no user {user:?}"))?;
        Ok(StateRecord::from_bytes(&bytes)?)
    }

    fn enrol(&self, user: &str, hotp: bool) -> Result<()> {
        // 20 random bytes: RFC 4226 R6 recommends 160 bits, the SHA-1 output length.
        let secret = Secret::generate(20)?;
        // A fresh enrolment id, in the record and in the sealed key: a generator of any other
        // enrolment of this user (a copy of an old key) is refused by the verifier.
        let enrolment = EnrolmentId::random()?;
        let sealed = self
            .master
            .seal_enrolled(user, enrolment, secret.as_ref())?;
        let (kind, record) = if hotp {
            ("hotp", StateRecord::counter(0))
        } else {
            ("totp", StateRecord::time_step())
        };
        // Record and sealed key in one statement: never an id enrolled without its key.
        let record = record.with_enrolment(enrolment).to_bytes();
        match self
            .verifier
            .store()
            .enrol_with_key(user, &record, Some(&sealed))?
        {
            KeyWrite::Stored => {}
            KeyWrite::RetiredMasterKey { current } => {
                return Err(format!(
                    "master key {:#010x} is retired (current {current:#010x})",
                    self.master.id()
                )
                .into());
            }
            _ => return Err(format!("{user:?} is already enrolled").into()),
        }
        let stored = self.verifier.store().connection().execute(
            "INSERT INTO token_params (id, kind, algorithm, digits, period)
             VALUES (?1, ?2, 'SHA1', 6, 30)",
            params![user, kind],
        );
        if let Err(e) = stored {
            self.verifier.delete(user)?;
            return Err(e.into());
        }
        let mut uri = if hotp {
            OtpAuthUri::hotp(secret, user, 0)
        } else {
            OtpAuthUri::totp(secret, user)
        };
        uri.issuer = Some("otpkit-demo".into());
        println!("enrolled {user} ({})", kind.to_uppercase());
        // The URI holds the key: shown once, to the user (as a QR code in a real enrolment).
        // The server keeps only the sealed key from here on.
        println!("{}", uri.to_uri()?.as_str());
        Ok(())
    }

    /// The user's generator, built from the sealed key (opened into a wiped buffer only for
    /// the time of the build), bound to the enrolment the key was sealed for.
    fn token(&self, user: &str) -> Result<Token> {
        let params: Option<(String, String, u8, u64)> = self
            .verifier
            .store()
            .connection()
            .query_row(
                "SELECT kind, algorithm, digits, period FROM token_params WHERE id = ?1",
                [user],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (kind, algorithm, digits, period) =
            params.ok_or_else(|| format!("no user {user:?}"))?;
        let algorithm: Algorithm = algorithm.parse()?;
        let sealed = self
            .verifier
            .store()
            .sealed_key(user)?
            .ok_or_else(|| format!("no key for {user:?}"))?;
        Ok(if kind == "hotp" {
            Token::Hotp(
                self.master
                    .open_hotp(user, &sealed, HotpParams { algorithm, digits })?,
            )
        } else {
            Token::Totp(self.master.open_totp(
                user,
                &sealed,
                TotpParams {
                    algorithm,
                    digits,
                    period,
                    t0: 0,
                },
            )?)
        })
    }

    /// Runs `verify` unless `client` is throttled for `token`, and counts its wrong codes
    /// against the client (for this token) as well as the token. Keyed by the pair: a right
    /// code resets only the count of the token it was for, so a client cannot clear its
    /// failures against one token with logins to another (its own).
    fn limited(
        &self,
        client: &str,
        token: &str,
        now: u64,
        verify: impl FnOnce() -> core::result::Result<Accepted, VerifyError<rusqlite::Error>>,
    ) -> Result<core::result::Result<Accepted, Refusal>> {
        let state = self.client_state(client, token)?;
        if let Err(e) = state.check(now) {
            return Ok(Err(Refusal::Client(e)));
        }
        let outcome = match verify() {
            Ok(a) => Ok(a),
            Err(VerifyError::Rejected(e)) => Err(e),
            Err(e) => return Err(e.into()),
        };
        let next = match &outcome {
            Ok(_) => state.after_success(),
            Err(Error::Mismatch) => state.after_failure(&CLIENT_THROTTLE, now),
            // Throttled, replay, malformed: no guess was evaluated.
            Err(_) => state,
        };
        if next != state {
            self.put_client_state(client, token, next)?;
        }
        Ok(outcome.map_err(Refusal::Token))
    }

    fn client_state(&self, client: &str, token: &str) -> Result<ThrottleState> {
        let row: Option<(u32, Option<i64>)> = self
            .verifier
            .store()
            .connection()
            .query_row(
                "SELECT failures, locked_until FROM client_token_throttle
                 WHERE client = ?1 AND token = ?2",
                [client, token],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match row {
            None => ThrottleState::new(),
            Some((failures, None)) => ThrottleState::from_parts(failures, None),
            // -1 stands for a lock until reset (the client policy never sets one).
            Some((failures, Some(-1))) => {
                ThrottleState::from_parts(failures, Some(Lock::UntilReset))
            }
            Some((failures, Some(t))) => {
                ThrottleState::from_parts(failures, Some(Lock::Until(u64::try_from(t)?)))
            }
        })
    }

    /// The per-client throttle is advisory (the token's own is the one that must hold), so a
    /// plain upsert does: two requests racing may count one failure, not two.
    fn put_client_state(&self, client: &str, token: &str, state: ThrottleState) -> Result<()> {
        let locked_until = match state.lock() {
            None => None,
            Some(Lock::UntilReset) => Some(-1),
            Some(Lock::Until(t)) => Some(i64::try_from(t)?),
        };
        self.verifier.store().connection().execute(
            "INSERT INTO client_token_throttle (client, token, failures, locked_until)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (client, token) DO UPDATE SET failures = ?3, locked_until = ?4",
            params![client, token, state.failures(), locked_until],
        )?;
        Ok(())
    }
}

/// `import-pskc`: every usable HOTP/TOTP key of a PSKC batch enrolled with its record and
/// sealed key in one statement; the rest reported. `Ok(false)` when any package failed.
#[cfg(feature = "pskc")]
fn import_pskc(
    server: &Server,
    file: &str,
    psk_file: Option<String>,
    password_file: Option<String>,
    now: u64,
) -> Result<bool> {
    use otpkit::pskc::{Decryption, Generator, ReadOptions, read};
    use zeroize::Zeroizing;

    let psk = match &psk_file {
        Some(path) => {
            let text = Zeroizing::new(std::fs::read_to_string(path)?);
            let hex: Zeroizing<String> = Zeroizing::new(text.split_whitespace().collect());
            let mut key = Zeroizing::new(vec![0u8; hex.len() / 2]);
            for (i, byte) in key.iter_mut().enumerate() {
                *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or("odd hex")?, 16)?;
            }
            Some(key)
        }
        None => None,
    };
    let password = match &password_file {
        Some(path) => {
            let text = Zeroizing::new(std::fs::read_to_string(path)?);
            let line = text.lines().next().unwrap_or_default();
            Some(Zeroizing::new(line.as_bytes().to_vec()))
        }
        None => None,
    };
    let decryption = match (&psk, &password) {
        (Some(k), None) => Decryption::PreSharedKey(k),
        (None, Some(p)) => Decryption::Password(p),
        _ => return Err("import-pskc needs exactly one of --psk-file and --password-file".into()),
    };
    // The whole document first: a document-level refusal (a signature that cannot be
    // verified, malformed XML at the end) enrols nothing.
    let input = std::io::BufReader::new(std::fs::File::open(file)?);
    let batch = read(input, decryption, &ReadOptions::default())?;
    let now_signed = i64::try_from(now)?;
    let (mut imported, mut taken, mut skipped) = (0, Vec::new(), 0);
    for key in &batch.keys {
        let id = key.id.as_str();
        let enrolment = match key.enrolment_at(now_signed) {
            Ok(e) => e,
            Err(why) => {
                println!("skipped {id}: {why}");
                skipped += 1;
                continue;
            }
        };
        let (kind, algorithm, digits, period) = match &enrolment.generator {
            Generator::Hotp(h) => ("hotp", h.params().algorithm, h.params().digits, 30),
            Generator::Totp(t) if t.params().t0 == 0 => (
                "totp",
                t.params().algorithm,
                t.params().digits,
                t.params().period,
            ),
            Generator::Totp(_) => {
                println!("skipped {id}: a TOTP epoch other than 0");
                skipped += 1;
                continue;
            }
            _ => {
                println!("skipped {id}: OCRA (this server verifies HOTP and TOTP)");
                skipped += 1;
                continue;
            }
        };
        let secret = key.secret().ok_or("no secret")?;
        let enrolment_id = EnrolmentId::random()?;
        let sealed = server.master.seal_enrolled(id, enrolment_id, secret)?;
        let record = enrolment.record.with_enrolment(enrolment_id).to_bytes();
        match server
            .verifier
            .store()
            .enrol_with_key(id, &record, Some(&sealed))?
        {
            KeyWrite::Stored => {}
            KeyWrite::RetiredMasterKey { current } => {
                return Err(format!(
                    "master key {:#010x} is retired (current {current:#010x})",
                    server.master.id()
                )
                .into());
            }
            _ => {
                taken.push(id.to_owned());
                continue;
            }
        }
        let stored = server.verifier.store().connection().execute(
            "INSERT INTO token_params (id, kind, algorithm, digits, period)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, kind, algorithm.as_str(), digits, period],
        );
        if let Err(e) = stored {
            server.verifier.delete(id)?;
            return Err(e.into());
        }
        for w in &enrolment.warnings {
            println!("warning {id}: {w}");
        }
        imported += 1;
    }
    for e in &batch.errors {
        eprintln!("failed: {e}");
    }
    if !taken.is_empty() {
        println!("already enrolled, left as they are: {}", taken.join(" "));
    }
    println!(
        "imported {imported}, already enrolled {}, skipped {skipped}, failed {}",
        taken.len(),
        batch.errors.len()
    );
    Ok(batch.errors.is_empty())
}

#[cfg(not(feature = "pskc"))]
fn import_pskc(_: &Server, _: &str, _: Option<String>, _: Option<String>, _: u64) -> Result<bool> {
    Err("import-pskc needs the pskc feature (--features pskc)".into())
}

fn take_option(args: &mut Vec<String>, name: &str) -> Result<Option<String>> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(i) if i + 1 < args.len() => {
            let value = args.remove(i + 1);
            args.remove(i);
            Ok(Some(value))
        }
        Some(_) => Err(format!("{name} needs a value").into()),
    }
}

fn take_flag(args: &mut Vec<String>, name: &str) -> bool {
    match args.iter().position(|a| a == name) {
        Some(i) => {
            args.remove(i);
            true
        }
        None => false,
    }
}
