//! The verifier process of `postgres_nodes`: commands on stdin, answers on stdout, and the
//! fail points that kill it.

use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;
use std::io::BufRead;
use std::process::Command;
use std::time::Instant;

use otpkit::store::{PostgresStore, RecordBytes, Store, Verifier, VerifyError};
use otpkit::{Error, Hotp, Policy, StateError, StateRecord, ThrottlePolicy};

use super::{DELAY_AFTER, LOCK_AFTER, NOW, hotp, pg};

/// The fail point this process is armed with: its name and the hit that kills.
struct FailPoint {
    point: String,
    at: u64,
    hits: AtomicU64,
}

impl FailPoint {
    fn from_env() -> Option<FailPoint> {
        let spec = std::env::var("OTPKIT_FAILPOINT").ok()?;
        let (point, at) = spec.split_once(':').unwrap();
        Some(FailPoint {
            point: point.to_owned(),
            at: at.parse().unwrap(),
            hits: AtomicU64::new(0),
        })
    }

    /// Counts a hit of `point`; at the armed hit, the process kills itself with SIGKILL (no
    /// unwinding, no flushing, nothing sent: as a crash or an OOM kill would).
    fn hit(armed: Option<&FailPoint>, point: &str) {
        let Some(fp) = armed else {
            return;
        };
        if fp.point == point && fp.hits.fetch_add(1, Ordering::SeqCst) + 1 == fp.at {
            let _ = Command::new("sh")
                .args(["-c", &format!("kill -9 {}", std::process::id())])
                .status();
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

/// The store with fail points around its write.
struct Failing<'a> {
    inner: PostgresStore,
    armed: Option<&'a FailPoint>,
}

impl Store for Failing<'_> {
    type Error = <PostgresStore as Store>::Error;

    fn enrol(&self, id: &str, record: &RecordBytes) -> Result<bool, Self::Error> {
        self.inner.enrol(id, record)
    }

    fn delete(&self, id: &str) -> Result<bool, Self::Error> {
        self.inner.delete(id)
    }

    fn load(&self, id: &str) -> Result<Option<RecordBytes>, Self::Error> {
        self.inner.load(id)
    }

    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> Result<bool, Self::Error> {
        FailPoint::hit(self.armed, "before-write");
        let swapped = self.inner.compare_and_swap(id, old, new);
        if matches!(swapped, Ok(true)) {
            FailPoint::hit(self.armed, "after-write");
        }
        swapped
    }
}

/// Reads commands from stdin, answers `@@ ...` lines on stdout:
///
/// - `hotp ID R`: verify the code of counter R; `ok MATCHED ERRORS`, `replay ERRORS` or
///   `other WHAT ERRORS`. A store error (the server gone) is retried until an answer, and
///   counted in ERRORS.
/// - `wrong ID N`: N wrong codes under `lockout(LOCK_AFTER)`; `MISMATCHES LOCKED`.
/// - `wrong-delay ID N`: N wrong codes under `delay(DELAY_AFTER, 30, 3600)` at `NOW`;
///   `MISMATCHES THROTTLED` (refused until `NOW + 30`).
/// - `bench ID N`: N verifications of consecutive codes on a token of its own;
///   `MICROSECONDS`.
/// - `floor ID N`: N bare compare-and-swaps on a token of its own; `MICROSECONDS`.
pub fn run() {
    let params = std::env::var(pg::VAR).unwrap();
    let armed = FailPoint::from_env();
    let store = Failing {
        inner: connect_retrying(&params),
        armed: armed.as_ref(),
    };
    let hotp = hotp();
    let verifier = Verifier::new(&store, Policy::default());
    let lockout = Policy {
        throttle: ThrottlePolicy::lockout(LOCK_AFTER),
        ..Policy::default()
    };
    let throttled = Verifier::new(&store, lockout).with_max_attempts(10_000);
    let delay = Policy {
        throttle: ThrottlePolicy::delay(DELAY_AFTER, 30, 3600),
        ..Policy::default()
    };
    let delayed = Verifier::new(&store, delay).with_max_attempts(10_000);
    let wrong = wrong_code(&hotp);
    println!("@@ ready");
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let words: Vec<&str> = line.split(' ').collect();
        match words[..] {
            ["hotp", id, round] => {
                let round: u64 = round.parse().unwrap();
                let code = hotp.generate(round);
                let mut errors = 0u32;
                let deadline = Instant::now() + Duration::from_secs(120);
                let outcome = loop {
                    match verifier.verify_hotp(id, &hotp, NOW, code) {
                        Err(VerifyError::Store(_)) if Instant::now() < deadline => {
                            errors += 1;
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        other => break other,
                    }
                };
                let reply = match outcome {
                    Ok(accepted) => {
                        FailPoint::hit(armed.as_ref(), "before-reply");
                        format!("ok {}", accepted.matched)
                    }
                    Err(VerifyError::Rejected(Error::Replay)) => "replay".to_owned(),
                    Err(e) => format!("other {}", format!("{e:?}").replace(' ', "_")),
                };
                println!("@@ {reply} {errors}");
            }
            ["wrong", id, n] => {
                let (mut mismatches, mut locked) = (0u32, 0u32);
                for _ in 0..n.parse::<u32>().unwrap() {
                    match throttled.verify_hotp(id, &hotp, NOW, &wrong) {
                        Err(VerifyError::Rejected(Error::Mismatch)) => mismatches += 1,
                        Err(VerifyError::Rejected(Error::State(StateError::LockedOut))) => {
                            locked += 1;
                        }
                        other => panic!("a wrong code gave {other:?}"),
                    }
                }
                println!("@@ {mismatches} {locked}");
            }
            ["wrong-delay", id, n] => {
                let (mut mismatches, mut throttled) = (0u32, 0u32);
                for _ in 0..n.parse::<u32>().unwrap() {
                    match delayed.verify_hotp(id, &hotp, NOW, &wrong) {
                        Err(VerifyError::Rejected(Error::Mismatch)) => mismatches += 1,
                        Err(VerifyError::Rejected(Error::State(StateError::Throttled {
                            until,
                        }))) if until == NOW + 30 => throttled += 1,
                        other => panic!("a wrong code gave {other:?}"),
                    }
                }
                println!("@@ {mismatches} {throttled}");
            }
            ["bench", id, n] => {
                let start = Instant::now();
                for counter in 0..n.parse::<u64>().unwrap() {
                    verifier
                        .verify_hotp(id, &hotp, NOW, hotp.generate(counter))
                        .unwrap();
                }
                println!("@@ {}", start.elapsed().as_micros());
            }
            ["floor", id, n] => {
                // The floor: the same processes doing only the compare-and-swap (one
                // autocommitted conditional UPDATE), without the load and the HMAC.
                let records = [
                    StateRecord::counter(0).to_bytes(),
                    StateRecord::counter(1).to_bytes(),
                ];
                let start = Instant::now();
                for i in 0..n.parse::<usize>().unwrap() {
                    let (old, new) = (&records[i % 2], &records[(i + 1) % 2]);
                    assert!(store.inner.compare_and_swap(id, old, new).unwrap());
                }
                println!("@@ {}", start.elapsed().as_micros());
            }
            ["quit"] => return,
            _ => panic!("unknown command {line:?}"),
        }
    }
}

fn connect_retrying(params: &str) -> PostgresStore {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match PostgresStore::connect(params) {
            Ok(store) => return store,
            Err(e) if Instant::now() < deadline => {
                eprintln!("worker: {e}; retrying");
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("worker: {e}"),
        }
    }
}

/// A code that is not the code of any counter the look-ahead reaches from 0.
fn wrong_code(hotp: &Hotp) -> String {
    (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|w| (0..=10).all(|c| hotp.generate(c).as_str() != w.as_str()))
        .unwrap()
}
