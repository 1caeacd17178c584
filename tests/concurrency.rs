//! Exactly-once acceptance under concurrency, and crash safety, with the pattern of
//! `StateRecord`'s "Exactly once" docs: read the record, verify in memory, commit with a
//! conditional update (compare-and-swap on the stored bytes), retry on conflict.
//!
//! Throttling policy under test: `Policy::default()`, a delay scheme: after 5 consecutive
//! failures, 30 s doubling up to one hour (TOTP window one step each side, drift cap 10 steps;
//! HOTP look-ahead 5). Every submission in the races carries the valid code, so the property
//! also shows that the 15 (or 3) losing duplicates are replays, not failures: the owner is
//! never throttled by their own double submissions.
//!
//! The process tests (feature `store-sqlite`) run this test binary again as workers (the
//! ignored test `sqlite_processes::concurrency_worker_process`), driven over stdin/stdout,
//! each verifying through `store::Verifier` over its own `store::SqliteStore` on one file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

#[path = "support/in_memory.rs"]
mod in_memory;
use in_memory::CommitInMemory;

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use otpkit::{Accepted, Error, Hotp, HotpParams, Policy, StateRecord, Totp, TotpParams};

const KEY: &[u8] = b"12345678901234567890";
const T0: u64 = 1_700_000_000;

fn totp() -> Totp {
    Totp::new(KEY, TotpParams::default()).unwrap()
}

/// The unix time of round `r`: one TOTP step per round.
fn round_time(r: u64) -> u64 {
    T0 + 30 * r
}

// ---------------------------------------------------------------------------------------------
// In-memory store with compare-and-swap: threads
// ---------------------------------------------------------------------------------------------

/// A store whose only write is a compare-and-swap of the whole record's bytes.
struct Store(Mutex<Vec<u8>>);

impl Store {
    fn read(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }

    fn compare_and_swap(&self, old: &[u8], new: &[u8]) -> bool {
        let mut cell = self.0.lock().unwrap();
        if cell.as_slice() == old {
            *cell = new.to_vec();
            true
        } else {
            false
        }
    }

    /// Read, verify in memory, conditional write, retry on conflict. Returns the outcome and
    /// the number of lost races.
    fn attempt(
        &self,
        verify: impl Fn(&StateRecord) -> in_memory::Settled,
    ) -> (Result<Accepted, Error>, u32) {
        for retries in 0.. {
            let old = self.read();
            let v = verify(&StateRecord::from_bytes(&old).unwrap());
            // A real store is a round trip away: give the other threads the chance to read
            // the same state before this write lands.
            std::thread::yield_now();
            if !v.is_changed() || self.compare_and_swap(&old, &v.record().to_bytes()) {
                return (v.result(), retries);
            }
        }
        unreachable!()
    }
}

#[derive(Default)]
struct Tally {
    accepted: AtomicU32,
    replay: AtomicU32,
    other: AtomicU32,
}

/// `threads` threads submit round `r`'s code at once, for `rounds` rounds.
fn race_threads(
    threads: usize,
    rounds: u64,
    initial: StateRecord,
    verify: impl Fn(&StateRecord, u64) -> in_memory::Settled + Send + Sync + 'static,
) -> (Vec<Tally>, StateRecord, u64) {
    let store = Arc::new(Store(Mutex::new(initial.to_bytes().to_vec())));
    let tallies: Arc<Vec<Tally>> = Arc::new((0..rounds).map(|_| Tally::default()).collect());
    let barrier = Arc::new(Barrier::new(threads));
    let conflicts = Arc::new(AtomicU64::new(0));
    let verify = Arc::new(verify);
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (store, tallies, barrier, conflicts, verify) = (
                store.clone(),
                tallies.clone(),
                barrier.clone(),
                conflicts.clone(),
                verify.clone(),
            );
            std::thread::spawn(move || {
                for r in 0..rounds {
                    barrier.wait();
                    let (result, retries) = store.attempt(|rec| verify(rec, r));
                    conflicts.fetch_add(u64::from(retries), Ordering::Relaxed);
                    let t = &tallies[r as usize];
                    match result {
                        Ok(_) => &t.accepted,
                        Err(Error::Replay) => &t.replay,
                        Err(_) => &t.other,
                    }
                    .fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let tallies = Arc::try_unwrap(tallies).ok().unwrap();
    let record = StateRecord::from_bytes(&store.read()).unwrap();
    (tallies, record, conflicts.load(Ordering::Relaxed))
}

fn assert_exactly_once(tallies: &[Tally], contenders: u32) {
    for (r, t) in tallies.iter().enumerate() {
        let (a, p, o) = (
            t.accepted.load(Ordering::Relaxed),
            t.replay.load(Ordering::Relaxed),
            t.other.load(Ordering::Relaxed),
        );
        assert_eq!(
            (a, p, o),
            (1, contenders - 1, 0),
            "round {r}: accepted, replay, other"
        );
    }
}

#[test]
fn concurrency_16_threads_same_totp_code_1000_rounds() {
    let totp = totp();
    let last = totp.step_at(round_time(999)).unwrap();
    let policy = Policy::default();
    let (tallies, record, conflicts) =
        race_threads(16, 1000, StateRecord::time_step(), move |rec, r| {
            let now = round_time(r);
            let code = totp.generate_at(now).unwrap();
            rec.verify_totp(&totp, &policy, now, code.as_str())
        });
    assert_exactly_once(&tallies, 16);
    assert_eq!(record.last_accepted(), Some(last));
    assert_eq!(record.drift(), 0);
    assert_eq!(record.throttle().failures(), 0);
    eprintln!("16 threads x 1000 rounds: {conflicts} lost compare-and-swap races retried");
}

#[test]
fn concurrency_16_threads_same_hotp_code_200_rounds() {
    let hotp = Hotp::new(KEY, HotpParams::default()).unwrap();
    let policy = Policy::default();
    let (tallies, record, _) = race_threads(16, 200, StateRecord::counter(0), move |rec, r| {
        rec.verify_hotp(&hotp, &policy, T0, hotp.generate(r).as_str())
    });
    assert_exactly_once(&tallies, 16);
    assert_eq!(record.next_counter(), 200);
    assert_eq!(record.throttle().failures(), 0);
}

#[test]
fn concurrency_16_threads_wrong_codes_are_all_counted_throttling() {
    // RFC 4226 §7.3: throttling must hold across parallel sessions. 16 wrong codes at once
    // under "after 5 failures, 30 s": exactly 5 are evaluated and counted, the other 11 are
    // refused by the lock the fifth one set; no failure is lost to a race.
    let totp = totp();
    let policy = Policy {
        throttle: otpkit::ThrottlePolicy::delay(5, 30, 3600),
        ..Policy::default()
    };
    let good = totp.generate_at(T0).unwrap();
    let bad = if good.as_str() == "000000" {
        "111111"
    } else {
        "000000"
    };
    for round in 0..50 {
        let store = Arc::new(Store(Mutex::new(
            StateRecord::time_step().to_bytes().to_vec(),
        )));
        let barrier = Arc::new(Barrier::new(16));
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let (store, barrier, totp) = (store.clone(), barrier.clone(), totp.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    store.attempt(|r| r.verify_totp(&totp, &policy, T0, bad)).0
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let mismatches = results
            .iter()
            .filter(|r| **r == Err(Error::Mismatch))
            .count();
        let throttled = Err(Error::State(otpkit::StateError::Throttled {
            until: T0 + 30,
        }));
        let refused = results.iter().filter(|r| **r == throttled).count();
        assert_eq!((mismatches, refused), (5, 11), "round {round}");
        let record = StateRecord::from_bytes(&store.read()).unwrap();
        assert_eq!(record.throttle().failures(), 5);
    }
}

#[test]
fn concurrency_interleaved_requests_accept_once() {
    // The race made deterministic: two requests read the same state and both verify the code
    // successfully in memory. Only the first conditional write wins; the second retries from
    // the new state and sees a replay.
    let totp = totp();
    let policy = Policy::default();
    let code = totp.generate_at(T0).unwrap();
    let store = Store(Mutex::new(StateRecord::time_step().to_bytes().to_vec()));
    let old_a = store.read();
    let old_b = store.read();
    let a = StateRecord::from_bytes(&old_a)
        .unwrap()
        .verify_totp(&totp, &policy, T0, code.as_str());
    let b = StateRecord::from_bytes(&old_b)
        .unwrap()
        .verify_totp(&totp, &policy, T0, code.as_str());
    assert!(a.is_accepted() && b.is_accepted(), "both pass in memory");
    assert!(store.compare_and_swap(&old_a, &a.record().to_bytes()));
    assert!(!store.compare_and_swap(&old_b, &b.record().to_bytes()));
    let (retry, _) = store.attempt(|r| r.verify_totp(&totp, &policy, T0, code.as_str()));
    assert_eq!(retry, Err(Error::Replay));
}

// ---------------------------------------------------------------------------------------------
// SQLite, several processes: `store::SqliteStore` and `store::Verifier`
// ---------------------------------------------------------------------------------------------

/// The process tests: one SQLite file, one `SqliteStore` per process.
#[cfg(feature = "store-sqlite")]
mod sqlite_processes {
    use core::cell::Cell;
    use core::time::Duration;
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
    use std::time::Instant;

    use otpkit::store::{RecordBytes, SqliteStore, Store, Verifier, VerifyError};
    use otpkit::{Accepted, Error, Policy, StateRecord};

    use super::{T0, round_time, totp};

    /// The token every process verifies.
    const ID: &str = "u";

    fn open(path: &str) -> SqliteStore {
        let store = SqliteStore::open(path).unwrap();
        // Generous: 4 debug-build processes contend for the file's write lock every round.
        store
            .connection()
            .busy_timeout(Duration::from_secs(30))
            .unwrap();
        store
    }

    fn read_state(store: &SqliteStore) -> RecordBytes {
        store.load(ID).unwrap().unwrap()
    }

    /// The store, counting the compare-and-swaps it lost (another process wrote first).
    struct Counting<'a> {
        inner: &'a SqliteStore,
        lost: Cell<u32>,
    }

    impl Store for Counting<'_> {
        type Error = rusqlite::Error;

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
            let swapped = self.inner.compare_and_swap(id, old, new)?;
            if !swapped {
                self.lost.set(self.lost.get() + 1);
            }
            Ok(swapped)
        }
    }

    /// `store::Verifier`'s loop (load, verify, conditional update, retry on conflict): the
    /// outcome and the number of lost races.
    fn sql_attempt(store: &SqliteStore, now: u64, code: &str) -> (Result<Accepted, Error>, u32) {
        let counting = Counting {
            inner: store,
            lost: Cell::new(0),
        };
        let outcome = Verifier::new(&counting, Policy::default())
            .with_max_attempts(1000)
            .verify_totp(ID, &totp(), now, code)
            .map_err(|e| match e {
                VerifyError::Rejected(e) => e,
                other => panic!("{other:?}"),
            });
        (outcome, counting.lost.get())
    }

    /// A fresh database file holding one TOTP token `u` with an empty record.
    fn fresh_db(name: &str) -> String {
        let path = std::env::temp_dir().join(format!(
            "otpkit-{name}-{}-{}.sqlite3",
            std::process::id(),
            Instant::now().elapsed().as_nanos()
        ));
        let path = path.to_str().unwrap().to_owned();
        remove_db(&path);
        let store = open(&path);
        assert!(
            store
                .enrol(ID, &StateRecord::time_step().to_bytes())
                .unwrap()
        );
        path
    }

    fn remove_db(path: &str) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }

    /// Ends this test binary if a process test hangs (a worker that died without answering),
    /// so CI fails instead of waiting forever; workers then see their stdin close and exit.
    fn watchdog(test: &'static str, limit: Duration) {
        std::thread::spawn(move || {
            std::thread::sleep(limit);
            eprintln!("{test}: no progress after {limit:?}, aborting");
            std::process::exit(1);
        });
    }

    struct Worker {
        child: Child,
        stdin: ChildStdin,
        stdout: BufReader<ChildStdout>,
    }

    impl Worker {
        fn spawn(db: &str, mode: &str) -> Worker {
            let mut child = Command::new(std::env::current_exe().unwrap())
                .args([
                    "sqlite_processes::concurrency_worker_process",
                    "--exact",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("OTPKIT_WORKER_DB", db)
                .env("OTPKIT_WORKER_MODE", mode)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap();
            let stdin = child.stdin.take().unwrap();
            let stdout = BufReader::new(child.stdout.take().unwrap());
            Worker {
                child,
                stdin,
                stdout,
            }
        }

        /// The next protocol line (prefixed `@@ `), skipping the test harness's own output.
        fn line(&mut self) -> String {
            let mut line = String::new();
            loop {
                line.clear();
                assert!(
                    self.stdout.read_line(&mut line).unwrap() > 0,
                    "worker exited early"
                );
                // libtest may have printed "test name ... " on the same line.
                if let Some(at) = line.find("@@ ") {
                    return line[at + 3..].trim_end().to_owned();
                }
            }
        }

        fn send(&mut self, msg: &str) {
            writeln!(self.stdin, "{msg}").unwrap();
            self.stdin.flush().unwrap();
        }
    }

    /// The worker side: not a test on its own (run by the process tests with the environment
    /// set).
    #[test]
    #[ignore = "worker process of the concurrency/fault tests"]
    fn concurrency_worker_process() {
        let (Ok(db), Ok(mode)) = (
            std::env::var("OTPKIT_WORKER_DB"),
            std::env::var("OTPKIT_WORKER_MODE"),
        ) else {
            return;
        };
        let store = open(&db);
        let totp = totp();
        let stdin = std::io::stdin();
        let mut lines = stdin.lock().lines();
        match mode.as_str() {
            "race" => loop {
                println!("@@ ready");
                let cmd = lines.next().unwrap().unwrap();
                let Some(r) = cmd.strip_prefix("go ") else {
                    return;
                };
                let r: u64 = r.parse().unwrap();
                let now = round_time(r);
                let code = totp.generate_at(now).unwrap();
                let (result, retries) = sql_attempt(&store, now, code.as_str());
                let outcome = match result {
                    Ok(_) => "accepted".to_owned(),
                    Err(Error::Replay) => "replay".to_owned(),
                    Err(e) => format!("other:{e}"),
                };
                println!("@@ {r} {outcome} {retries}");
            },
            // Verify, write the new record inside a transaction, and wait to be killed before
            // the commit.
            "kill-before-commit" => {
                let code = totp.generate_at(T0).unwrap();
                let old = read_state(&store);
                let v = StateRecord::from_bytes(&old)
                    .unwrap()
                    .verify_totp_uncommitted(&totp, &Policy::default(), T0, code);
                let new = v.record_to_commit().unwrap().to_bytes();
                store.connection().execute_batch("BEGIN IMMEDIATE").unwrap();
                assert!(store.compare_and_swap(ID, &old, &new).unwrap());
                println!("@@ verified, update written, not committed");
                let _ = lines.next();
                std::process::abort();
            }
            // Verify and commit, then wait to be killed before answering the request.
            "kill-after-commit" => {
                let code = totp.generate_at(T0).unwrap();
                let (result, _) = sql_attempt(&store, T0, code.as_str());
                assert!(result.is_ok());
                println!("@@ committed");
                let _ = lines.next();
                std::process::abort();
            }
            other => panic!("unknown mode {other}"),
        }
    }

    #[test]
    fn concurrency_4_processes_one_sqlite_file_1000_rounds() {
        const PROCESSES: usize = 4;
        // About 3 s in a debug build (each round commits to the file once); 100 rounds would
        // still cross the bar on a slow CI disk.
        const ROUNDS: u64 = 1000;
        watchdog("concurrency_4_processes", Duration::from_secs(300));
        let db = fresh_db("race");
        let mut workers: Vec<Worker> = (0..PROCESSES).map(|_| Worker::spawn(&db, "race")).collect();
        let mut conflicts = 0u64;
        for r in 0..ROUNDS {
            for w in &mut workers {
                assert_eq!(w.line(), "ready");
            }
            // Release all workers at once with the same round (same time, same code).
            for w in &mut workers {
                w.send(&format!("go {r}"));
            }
            let mut accepted = 0;
            for w in &mut workers {
                let reply = w.line();
                let parts: Vec<&str> = reply.split(' ').collect();
                assert_eq!(parts[0], r.to_string());
                match parts[1] {
                    "accepted" => accepted += 1,
                    "replay" => {}
                    other => panic!("round {r}: {other}"),
                }
                conflicts += parts[2].parse::<u64>().unwrap();
            }
            assert_eq!(accepted, 1, "round {r}: exactly one acceptance");
        }
        for w in &mut workers {
            assert_eq!(w.line(), "ready");
            w.send("quit");
        }
        for mut w in workers {
            assert!(w.child.wait().unwrap().success());
        }
        let record = StateRecord::from_bytes(&read_state(&open(&db))).unwrap();
        assert_eq!(
            record.last_accepted(),
            Some(totp().step_at(round_time(ROUNDS - 1)).unwrap())
        );
        assert_eq!(record.throttle().failures(), 0);
        eprintln!("4 processes x {ROUNDS} rounds: {conflicts} lost conditional updates retried");
        remove_db(&db);
    }

    // -----------------------------------------------------------------------------------------
    // Faults: a verifying process killed around the commit
    // -----------------------------------------------------------------------------------------

    #[test]
    fn fault_process_killed_between_verification_and_commit() {
        watchdog("fault_process_killed_between", Duration::from_secs(120));
        let db = fresh_db("kill-before");
        let before = read_state(&open(&db));
        let mut w = Worker::spawn(&db, "kill-before-commit");
        assert_eq!(w.line(), "verified, update written, not committed");
        w.child.kill().unwrap();
        assert!(!w.child.wait().unwrap().success());
        // No state lost and none half-written: the record is exactly as before and decodes.
        let store = open(&db);
        assert_eq!(read_state(&store), before);
        StateRecord::from_bytes(&before).unwrap();
        // The killed request let no one in, so the code is still good: accepted once, then
        // replay.
        let code = totp().generate_at(T0).unwrap();
        assert!(sql_attempt(&store, T0, code.as_str()).0.is_ok());
        assert_eq!(sql_attempt(&store, T0, code.as_str()).0, Err(Error::Replay));
        remove_db(&db);
    }

    #[test]
    fn fault_process_killed_after_commit() {
        watchdog("fault_process_killed_after", Duration::from_secs(120));
        let db = fresh_db("kill-after");
        let mut w = Worker::spawn(&db, "kill-after-commit");
        assert_eq!(w.line(), "committed");
        w.child.kill().unwrap();
        assert!(!w.child.wait().unwrap().success());
        // The committed acceptance survives the crash: the code stays spent.
        let store = open(&db);
        let record = StateRecord::from_bytes(&read_state(&store)).unwrap();
        assert_eq!(record.last_accepted(), Some(totp().step_at(T0).unwrap()));
        let code = totp().generate_at(T0).unwrap();
        assert_eq!(sql_attempt(&store, T0, code.as_str()).0, Err(Error::Replay));
        remove_db(&db);
    }
}
