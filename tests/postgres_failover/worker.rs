//! The verifier process of `postgres_failover`: one `PostgresStore` through the cluster's
//! multi-host string, commands on stdin, answers on stdout.

use core::time::Duration;
use std::io::BufRead;
use std::time::Instant;

use otpkit::store::{PostgresError, PostgresStore, Store, Verifier, VerifyError};
use otpkit::{Error, Policy, StateRecord};

use super::{APP_PREFIX, BOUND, NOW, hotp};

/// Store errors met while verifying one code, by kind.
#[derive(Default)]
struct Errors {
    /// A lost connection or a refused statement (`PostgresError::Postgres`).
    lost: u32,
    /// The statement bound (`PostgresError::Timeout`).
    timeouts: u32,
    /// A write the server warned about (`PostgresError::NotDurable`).
    warned: u32,
}

impl Errors {
    fn count(&mut self, e: &PostgresError) {
        match e {
            PostgresError::Timeout(_) => self.timeouts += 1,
            PostgresError::NotDurable(_) => self.warned += 1,
            _ => self.lost += 1,
        }
    }
}

/// Reads commands from stdin, answers `@@ ...` lines on stdout:
///
/// - `hotp ID R`: verify the code of counter R, retrying store errors (for at most two
///   minutes); `ok MATCHED L T W` or `replay L T W` (a code spent by another process, or by
///   this one's own earlier attempt whose answer was lost), where L, T, W count the store
///   errors met (lost connection, timeout, warning). Any other outcome is `other WHAT`.
/// - `bench ID N`: N verifications of consecutive codes on a token of its own;
///   `MICROSECONDS`.
/// - `floor ID N`: N bare compare-and-swaps on a token of its own; `MICROSECONDS`.
pub fn run() {
    let params = std::env::var(super::ha::VAR).unwrap();
    let store = connect_retrying(&params);
    let hotp = hotp();
    // No look-ahead: only the stored next counter's code is accepted, so a record that went
    // back cannot be skipped over (the proof would miss a lost acknowledgement).
    let verifier = Verifier::new(
        &store,
        Policy {
            look_ahead: 0,
            ..Policy::default()
        },
    );
    let debug = std::env::var_os("OTPKIT_FAILOVER_DEBUG").is_some();
    println!("@@ ready");
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let words: Vec<&str> = line.split(' ').collect();
        match words[..] {
            ["hotp", id, round] => {
                let round: u64 = round.parse().unwrap();
                let code = hotp.generate(round);
                let mut errors = Errors::default();
                let deadline = Instant::now() + Duration::from_secs(120);
                let outcome = loop {
                    match verifier.verify_hotp(id, &hotp, NOW, code) {
                        Err(VerifyError::Store(e)) if Instant::now() < deadline => {
                            if debug {
                                eprintln!("worker {}: round {round}: {e}", std::process::id());
                            }
                            errors.count(&e);
                            std::thread::sleep(Duration::from_millis(50));
                        }
                        other => break other,
                    }
                };
                let counts = format!("{} {} {}", errors.lost, errors.timeouts, errors.warned);
                let reply = match outcome {
                    Ok(accepted) => format!("ok {} {counts}", accepted.matched),
                    Err(VerifyError::Rejected(Error::Replay)) => format!("replay {counts}"),
                    Err(e) => format!("other {}", format!("{e:?}").replace(' ', "_")),
                };
                if debug {
                    eprintln!("worker {}: round {round}: {reply}", std::process::id());
                }
                println!("@@ {reply}");
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
                let records = [
                    StateRecord::counter(0).to_bytes(),
                    StateRecord::counter(1).to_bytes(),
                ];
                let start = Instant::now();
                for i in 0..n.parse::<usize>().unwrap() {
                    let (old, new) = (&records[i % 2], &records[(i + 1) % 2]);
                    assert!(store.compare_and_swap(id, old, new).unwrap());
                }
                println!("@@ {}", start.elapsed().as_micros());
            }
            ["quit"] => return,
            _ => panic!("unknown command {line:?}"),
        }
    }
}

fn connect_retrying(params: &str) -> PostgresStore {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mut config: tokio_postgres::Config = params.parse().unwrap();
        config.application_name(format!("{APP_PREFIX}{}", std::process::id()));
        match PostgresStore::from_config(config) {
            Ok(store) => return store.with_statement_bound(BOUND),
            Err(e) if Instant::now() < deadline => {
                eprintln!("worker: {e}; retrying");
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("worker: {e}"),
        }
    }
}
