//! A TOTP/HOTP verification server's core, with its state in SQLite: enrol users, verify
//! codes exactly once, throttle guessing, follow clock drift, resynchronise, unlock. Needs the
//! features `std`, `uri` and `rand` (all default); README.md runs it as a shell session.
//!
//! ```text
//! alias vs='cargo run -q --features std,uri,rand --example verify_server --'
//! vs enrol alice               # TOTP; prints the otpauth:// URI
//! vs enrol bob --hotp
//! vs code alice                # the current code (demo only)
//! vs verify alice 123456       # or codes on stdin, one a line
//! vs resync alice 123456 654321
//! vs unlock alice
//! vs show alice
//! ```
//!
//! Options: `--db PATH` (default `otpkit-server.sqlite3` in the working directory), `--at UNIX`
//! to verify at a given time instead of the clock. The policy is `Policy::default()`: after 5
//! failures in a row, 30 s doubling up to one hour; TOTP window of one step each side, drift
//! capped at 10 steps; HOTP look-ahead 5.
//!
//! # Exactly once
//!
//! Every attempt runs [`attempt`]: read the token's state bytes, verify **in memory**
//! (`StateRecord::verify_totp_uncommitted` holds the outcome back until its record is committed), then commit with a
//! conditional update
//!
//! ```sql
//! UPDATE tokens SET state = :new WHERE user = :user AND state = :old
//! ```
//!
//! and act on the outcome only if that updated one row. If it updated none, another request
//! committed in between: read again and verify again, which for the same code now says
//! "replay". Two requests with one code can therefore never both pass, in one process or many,
//! without holding a lock across the HMAC work. Comparing the whole record (not only the last
//! accepted step) keeps the failure count exact under parallel guessing too. A crash before
//! the update loses only the attempt: no one was let in and the stored state is as before; a
//! crash after it leaves the code spent.
//!
//! The secret is stored in clear here to keep the example short; a real server encrypts it at
//! rest (RFC 4226 §7.5).

use core::error::Error as StdError;
use core::time::Duration;
use std::io::BufRead;

use otpkit::uri::OtpAuthUri;
use otpkit::{
    Accepted, Algorithm, Hotp, HotpParams, Policy, Secret, StateRecord, Totp, TotpParams,
    Uncommitted,
};
use rusqlite::{Connection, OptionalExtension, params};

type Result<T> = core::result::Result<T, Box<dyn StdError>>;

const USAGE: &str = "usage: verify_server [--db PATH] [--at UNIX] \
    (enrol USER [--hotp] | code USER | verify USER [CODE...] | resync USER CODE CODE... | \
    unlock USER | show USER)";

/// How often an attempt is retried after losing a race before giving up.
const MAX_RETRIES: usize = 32;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let db = take_option(&mut args, "--db")?.unwrap_or_else(|| "otpkit-server.sqlite3".into());
    let at = take_option(&mut args, "--at")?
        .map(|t| t.parse::<u64>())
        .transpose()?;
    let hotp_flag = take_flag(&mut args, "--hotp");
    let now = match at {
        Some(t) => t,
        None => otpkit::clock::unix_now()?,
    };
    let conn = open(&db)?;
    let policy = Policy::default();
    let (command, user, rest) = match args.as_slice() {
        [command, user, rest @ ..] => (command.as_str(), user.as_str(), rest),
        _ => return Err(USAGE.into()),
    };
    match command {
        "enrol" => enrol(&conn, user, hotp_flag),
        "code" => {
            let token = load(&conn, user)?;
            let record = current(&conn, user)?;
            let code = match &token {
                Token::Totp(t) => t.generate_at(now)?,
                Token::Hotp(h) => h.generate(record.next_counter()),
            };
            println!("{code}");
            Ok(())
        }
        "verify" => {
            let token = load(&conn, user)?;
            let mut codes: Vec<String> = rest.to_vec();
            if codes.is_empty() {
                for line in std::io::stdin().lock().lines() {
                    codes.push(line?.trim().to_owned());
                }
            }
            let mut all_ok = true;
            for code in codes.iter().filter(|c| !c.is_empty()) {
                let outcome = attempt(&conn, user, |r| match &token {
                    Token::Totp(t) => r.verify_totp_uncommitted(t, &policy, now, code),
                    Token::Hotp(h) => r.verify_hotp_uncommitted(h, &policy, now, code),
                })?;
                all_ok &= report(code, outcome);
            }
            if all_ok {
                Ok(())
            } else {
                std::process::exit(1)
            }
        }
        "resync" => {
            let token = load(&conn, user)?;
            let codes: Vec<&str> = rest.iter().map(String::as_str).collect();
            let outcome = attempt(&conn, user, |r| match &token {
                Token::Totp(t) => r.resync_totp_uncommitted(t, &policy, now, &codes),
                Token::Hotp(h) => r.resync_hotp_uncommitted(h, &policy, now, &codes),
            })?;
            if report(&codes.join(" "), outcome) {
                Ok(())
            } else {
                std::process::exit(1)
            }
        }
        "unlock" => {
            // An administrator's action goes through the same conditional update.
            let mut old = read_state(&conn, user)?;
            for _ in 0..MAX_RETRIES {
                let new = StateRecord::from_bytes(&old)?.unlock().to_bytes();
                if commit(&conn, user, &old, &new)? {
                    println!("{user}: unlocked");
                    return Ok(());
                }
                old = read_state(&conn, user)?;
            }
            Err("too much contention".into())
        }
        "show" => {
            let r = current(&conn, user)?;
            let t = r.throttle();
            println!(
                "{user}: {:?}, next acceptable {}, drift {}, failures {}, lock at {now}: {:?}",
                r.kind(),
                r.next_counter(),
                r.drift(),
                t.failures(),
                t.lock_at(now)
            );
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

/// Prints an outcome; `true` when accepted.
fn report(code: &str, outcome: core::result::Result<Accepted, otpkit::Error>) -> bool {
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

/// One attempt, exactly once: read, verify in memory, conditional update, retry on conflict.
fn attempt(
    conn: &Connection,
    user: &str,
    verify: impl Fn(&StateRecord) -> Uncommitted,
) -> Result<core::result::Result<Accepted, otpkit::Error>> {
    for _ in 0..MAX_RETRIES {
        let old = read_state(conn, user)?;
        // A damaged record is refused with a typed error, never guessed at.
        let record = StateRecord::from_bytes(&old)?;
        let v = verify(&record);
        let Some(new) = v.record_to_commit() else {
            // Refused without a state change (throttled, replay, malformed): nothing to commit.
            return Ok(v.into_outcome_after_commit());
        };
        if commit(conn, user, &old, &new.to_bytes())? {
            return Ok(v.into_outcome_after_commit());
        }
        // Lost the race: someone else committed between our read and our write.
    }
    Err("too much contention".into())
}

/// The conditional update: `true` if the stored state was still `old` and is now `new`.
fn commit(conn: &Connection, user: &str, old: &[u8], new: &[u8]) -> Result<bool> {
    let n = conn.execute(
        "UPDATE tokens SET state = ?1 WHERE user = ?2 AND state = ?3",
        params![new, user, old],
    )?;
    Ok(n == 1)
}

fn read_state(conn: &Connection, user: &str) -> Result<Vec<u8>> {
    conn.query_row("SELECT state FROM tokens WHERE user = ?1", [user], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| format!("no user {user:?}").into())
}

fn current(conn: &Connection, user: &str) -> Result<StateRecord> {
    Ok(StateRecord::from_bytes(&read_state(conn, user)?)?)
}

fn open(path: &str) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS tokens (
            user      TEXT PRIMARY KEY,
            kind      TEXT NOT NULL CHECK (kind IN ('totp', 'hotp')),
            secret    BLOB NOT NULL,
            algorithm TEXT NOT NULL,
            digits    INTEGER NOT NULL,
            period    INTEGER NOT NULL,
            state     BLOB NOT NULL
        )",
    )?;
    Ok(conn)
}

enum Token {
    Totp(Totp),
    Hotp(Hotp),
}

fn load(conn: &Connection, user: &str) -> Result<Token> {
    let (kind, secret, algorithm, digits, period): (String, Vec<u8>, String, u8, u64) = conn
        .query_row(
            "SELECT kind, secret, algorithm, digits, period FROM tokens WHERE user = ?1",
            [user],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?
        .ok_or_else(|| format!("no user {user:?}"))?;
    let algorithm: Algorithm = algorithm.parse()?;
    Ok(match kind.as_str() {
        "hotp" => Token::Hotp(Hotp::new(&secret, HotpParams { algorithm, digits })?),
        _ => Token::Totp(Totp::new(
            &secret,
            TotpParams {
                algorithm,
                digits,
                period,
                t0: 0,
            },
        )?),
    })
}

fn enrol(conn: &Connection, user: &str, hotp: bool) -> Result<()> {
    // 20 random bytes: RFC 4226 R6 recommends 160 bits, the SHA-1 output length.
    let secret = Secret::generate(20)?;
    let (kind, record) = if hotp {
        ("hotp", StateRecord::counter(0))
    } else {
        ("totp", StateRecord::time_step())
    };
    let n = conn.execute(
        "INSERT OR IGNORE INTO tokens (user, kind, secret, algorithm, digits, period, state)
         VALUES (?1, ?2, ?3, 'SHA1', 6, 30, ?4)",
        params![user, kind, secret.as_ref(), &record.to_bytes()[..]],
    )?;
    if n == 0 {
        return Err(format!("{user:?} is already enrolled").into());
    }
    let mut uri = if hotp {
        OtpAuthUri::hotp(secret, user, 0)
    } else {
        OtpAuthUri::totp(secret, user)
    };
    uri.issuer = Some("otpkit-demo".into());
    println!("enrolled {user} ({})", kind.to_uppercase());
    // The URI holds the key: show it to the user once (as a QR code in a real enrolment).
    println!("{}", uri.to_uri()?.as_str());
    Ok(())
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
