//! Many verifier processes, one PostgreSQL database: the exactly-once loop of
//! `store::Verifier` over `store::PostgresStore`, proven with real processes.
//!
//! This binary is both the coordinator and its workers: it runs itself again (with
//! `OTPKIT_NODE_WORKER` set) as verifier processes, each with its own connections, driven one
//! command a line over stdin/stdout. Every round is an HOTP counter (the clock is the constant
//! `NOW`), so nothing depends on timing except where the test says so. What it shows:
//!
//! 1. **exactly once**: 8 processes submit the same valid code, 1,000 rounds: exactly one
//!    acceptance per round, the other 7 see a replay; then a throughput figure;
//! 2. **failures**: wrong codes from all processes in parallel: the stored failure count is
//!    exact, and the lock engages after exactly the policy's number of failures;
//! 3. **SIGKILL at fail points**: workers kill themselves with `kill -9` at the n-th hit of a
//!    point (`OTPKIT_FAILPOINT=after-write:3`): before the compare-and-swap, after it, and
//!    after an acceptance but before replying. No code is accepted twice, every reported
//!    acceptance is in the store, and a round goes without an acceptance exactly when its
//!    winner was killed after writing;
//! 4. **server crash**: PostgreSQL is stopped with `pg_ctl stop -m immediate` and started
//!    again twice while the processes verify; they reconnect and the same invariants hold.
//!
//! Run by `bash .ci/postgres proof` (and by `cargo test` when a server is configured, see
//! `support/postgres.rs`). Fail points live here, in the workers and a store wrapper: the
//! library has none.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

#[path = "support/postgres.rs"]
mod pg;
#[path = "postgres_nodes/worker.rs"]
mod worker;

use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use otpkit::store::{PostgresStore, Store};
use otpkit::{Hotp, HotpParams, StateRecord};

const PROCESSES: usize = 8;
const ROUNDS: u64 = 1000;
/// The injected clock: every verification happens at this Unix time.
const NOW: u64 = 1_700_000_000;
/// `ThrottlePolicy::lockout(LOCK_AFTER)` in the failure phase.
const LOCK_AFTER: u32 = 50;
/// `ThrottlePolicy::delay(DELAY_AFTER, 30, 3600)` in the failure phase's second part.
const DELAY_AFTER: u32 = 5;
const WRONG_PER_PROCESS: u32 = 20;
const KEY: &[u8] = b"12345678901234567890";

fn hotp() -> Hotp {
    Hotp::new(KEY, HotpParams::default()).unwrap()
}

fn main() {
    if std::env::var_os("OTPKIT_NODE_WORKER").is_some() {
        worker::run();
    } else {
        coordinator();
    }
}

// ---------------------------------------------------------------------------------------------
// Coordinator
// ---------------------------------------------------------------------------------------------

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    failpoint: Option<(&'static str, u64)>,
}

impl Worker {
    fn spawn(params: &str, failpoint: Option<(&'static str, u64)>) -> Worker {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.env("OTPKIT_NODE_WORKER", "1")
            .env(pg::VAR, params)
            .env_remove("OTPKIT_FAILPOINT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some((point, at)) = failpoint {
            cmd.env("OTPKIT_FAILPOINT", format!("{point}:{at}"));
        }
        let mut child = cmd.spawn().unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut w = Worker {
            child,
            stdin,
            stdout,
            failpoint,
        };
        assert_eq!(w.reply().as_deref(), Some("ready"));
        w
    }

    fn send(&mut self, msg: &str) {
        writeln!(self.stdin, "{msg}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next answer, or `None` when the worker died.
    fn reply(&mut self) -> Option<String> {
        let mut line = String::new();
        loop {
            line.clear();
            if self.stdout.read_line(&mut line).unwrap() == 0 {
                return None;
            }
            if let Some(rest) = line.strip_prefix("@@ ") {
                return Some(rest.trim_end().to_owned());
            }
        }
    }

    /// Waits for a worker whose stdout closed: it must have been killed by SIGKILL.
    fn reap_killed(mut self) -> &'static str {
        let status = self.child.wait().unwrap();
        let (point, _) = self.failpoint.expect("an unarmed worker died");
        assert_eq!(
            status.signal(),
            Some(9),
            "{point}: worker ended by {status}"
        );
        point
    }

    fn quit(mut self) {
        self.send("quit");
        assert!(self.child.wait().unwrap().success());
    }
}

/// One round's answers.
#[derive(Default)]
struct Round {
    accepted: u32,
    replays: u32,
    errors: u32,
    killed: Vec<&'static str>,
}

/// Sends round `r` of token `id` to every worker at once and collects the answers. Killed
/// workers are replaced (with the next fail point of `schedule`, if any) after the round.
fn round(
    workers: &mut Vec<Worker>,
    params: &str,
    id: &str,
    r: u64,
    schedule: &mut VecDeque<(&'static str, u64)>,
) -> Round {
    let mut out = Round::default();
    for w in workers.iter_mut() {
        w.send(&format!("hotp {id} {r}"));
    }
    let mut alive = Vec::with_capacity(workers.len());
    for mut w in workers.drain(..) {
        match w.reply() {
            None => out.killed.push(w.reap_killed()),
            Some(reply) => {
                let words: Vec<&str> = reply.split(' ').collect();
                match words[..] {
                    ["ok", matched, errors] => {
                        assert_eq!(
                            matched,
                            r.to_string(),
                            "round {r}: accepted another counter"
                        );
                        out.accepted += 1;
                        out.errors += errors.parse::<u32>().unwrap();
                    }
                    ["replay", errors] => {
                        out.replays += 1;
                        out.errors += errors.parse::<u32>().unwrap();
                    }
                    _ => panic!("round {r}: {reply}"),
                }
                alive.push(w);
            }
        }
    }
    for _ in 0..out.killed.len() {
        alive.push(Worker::spawn(params, schedule.pop_front()));
    }
    *workers = alive;
    out
}

fn next_counter(store: &PostgresStore, id: &str) -> u64 {
    StateRecord::from_bytes(&store.load(id).unwrap().unwrap())
        .unwrap()
        .next_counter()
}

fn fresh_token(store: &PostgresStore, id: &str) {
    let _ = store.delete(id);
    assert!(
        store
            .enrol(id, &StateRecord::counter(0).to_bytes())
            .unwrap()
    );
}

fn coordinator() {
    let Some(params) = pg::params("postgres_nodes") else {
        return;
    };
    // A worker that hangs must fail the run, not stall CI.
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(900));
        eprintln!("postgres_nodes: no end after 15 minutes, aborting");
        std::process::exit(1);
    });
    let started = Instant::now();
    let store = PostgresStore::connect(&params).unwrap();
    let prefix = format!("nodes-{}", std::process::id());
    println!("postgres_nodes: {PROCESSES} verifier processes sharing {params}");
    exactly_once(&store, &params, &prefix);
    throughput(&store, &params, &prefix);
    failures(&store, &params, &prefix);
    sigkill(&store, &params, &prefix);
    restart(&store, &params, &prefix);
    println!(
        "postgres_nodes: all held ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

fn spawn_all(params: &str) -> Vec<Worker> {
    (0..PROCESSES)
        .map(|_| Worker::spawn(params, None))
        .collect()
}

fn exactly_once(store: &PostgresStore, params: &str, prefix: &str) {
    let id = format!("{prefix}-once");
    fresh_token(store, &id);
    let mut workers = spawn_all(params);
    let mut none = VecDeque::new();
    let (mut accepted, mut replays) = (0, 0);
    let start = Instant::now();
    for r in 0..ROUNDS {
        let out = round(&mut workers, params, &id, r, &mut none);
        assert_eq!(out.accepted, 1, "round {r}: exactly one acceptance");
        assert_eq!(out.errors, 0, "round {r}: no store errors");
        accepted += out.accepted;
        replays += out.replays;
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(
        next_counter(store, &id),
        ROUNDS,
        "every round's code is spent"
    );
    for w in workers {
        w.quit();
    }
    let submitted = PROCESSES as f64 * ROUNDS as f64;
    println!(
        "exactly-once: {PROCESSES} processes x {ROUNDS} rounds, {accepted} acceptances, \
         {replays} replays, stored counter {ROUNDS} ({secs:.1} s, {:.0} verifications/s \
         on one token in lockstep)",
        submitted / secs
    );
    assert!(store.delete(&id).unwrap());
}

fn throughput(store: &PostgresStore, params: &str, prefix: &str) {
    const N: u64 = 500;
    let mut workers = spawn_all(params);
    let ids: Vec<String> = (0..PROCESSES)
        .map(|i| format!("{prefix}-bench-{i}"))
        .collect();
    // Each process on a token of its own, all at once: `command` N times; the elapsed time.
    let mut run = |command: &str| {
        for id in &ids {
            fresh_token(store, id);
        }
        let start = Instant::now();
        for (w, id) in workers.iter_mut().zip(&ids) {
            w.send(&format!("{command} {id} {N}"));
        }
        for w in workers.iter_mut() {
            w.reply().unwrap();
        }
        start.elapsed().as_secs_f64()
    };
    let floor = run("floor");
    let secs = run("bench");
    for id in &ids {
        assert_eq!(next_counter(store, id), N);
        assert!(store.delete(id).unwrap());
    }
    for w in workers {
        w.quit();
    }
    let total = (PROCESSES as u64 * N) as f64;
    println!(
        "throughput: {:.0} verifications/s, each accepted and committed ({PROCESSES} processes \
         x {N} codes on tokens of their own, {secs:.2} s); floor in the same run: {:.0} bare \
         compare-and-swaps/s, so a verification costs {:.2}x one (reported, not asserted)",
        total / secs,
        total / floor,
        secs / floor
    );
}

fn failures(store: &PostgresStore, params: &str, prefix: &str) {
    let id = format!("{prefix}-lock");
    fresh_token(store, &id);
    let mut workers = spawn_all(params);
    for w in &mut workers {
        w.send(&format!("wrong {id} {WRONG_PER_PROCESS}"));
    }
    let (mut mismatches, mut locked) = (0, 0);
    for w in &mut workers {
        let reply = w.reply().unwrap();
        let (m, l) = reply.split_once(' ').unwrap();
        mismatches += m.parse::<u32>().unwrap();
        locked += l.parse::<u32>().unwrap();
    }
    let total = PROCESSES as u32 * WRONG_PER_PROCESS;
    let record = StateRecord::from_bytes(&store.load(&id).unwrap().unwrap()).unwrap();
    assert_eq!(
        mismatches, LOCK_AFTER,
        "exactly the policy's failures evaluated"
    );
    assert_eq!(
        locked,
        total - LOCK_AFTER,
        "every later attempt refused as locked"
    );
    assert_eq!(
        record.throttle().failures(),
        LOCK_AFTER,
        "and all of them stored"
    );
    // Locked now, even for the right code.
    workers[0].send(&format!("hotp {id} 0"));
    let reply = workers[0].reply().unwrap();
    assert!(
        reply.starts_with("other Rejected(State(LockedOut))"),
        "{reply}"
    );
    assert_eq!(next_counter(store, &id), 0);
    for w in workers {
        w.quit();
    }
    println!(
        "failures: {PROCESSES} processes x {WRONG_PER_PROCESS} wrong codes in parallel under \
         lockout({LOCK_AFTER}): {mismatches} counted, stored failures {}, locked after exactly \
         {LOCK_AFTER}, {locked} refused as locked, the right code then refused too",
        record.throttle().failures()
    );
    assert!(store.delete(&id).unwrap());

    // The same under a delay: after DELAY_AFTER failures, refused until NOW + 30.
    let id = format!("{prefix}-delay");
    fresh_token(store, &id);
    let mut workers = spawn_all(params);
    for w in &mut workers {
        w.send(&format!("wrong-delay {id} {WRONG_PER_PROCESS}"));
    }
    let (mut mismatches, mut throttled) = (0, 0);
    for w in &mut workers {
        let reply = w.reply().unwrap();
        let (m, t) = reply.split_once(' ').unwrap();
        mismatches += m.parse::<u32>().unwrap();
        throttled += t.parse::<u32>().unwrap();
    }
    let record = StateRecord::from_bytes(&store.load(&id).unwrap().unwrap()).unwrap();
    assert_eq!(
        mismatches, DELAY_AFTER,
        "exactly the policy's failures evaluated"
    );
    assert_eq!(
        throttled,
        total - DELAY_AFTER,
        "every later attempt throttled"
    );
    assert_eq!(
        record.throttle().failures(),
        DELAY_AFTER,
        "and all of them stored"
    );
    assert_eq!(
        record.throttle().lock_at(NOW),
        Some(otpkit::Lock::Until(NOW + 30))
    );
    for w in workers {
        w.quit();
    }
    println!(
        "failures: {PROCESSES} processes x {WRONG_PER_PROCESS} wrong codes in parallel under \
         delay({DELAY_AFTER}, 30 s, 1 h): {mismatches} counted, stored failures {}, throttled \
         until now + 30 s after exactly {DELAY_AFTER}, {throttled} refused as throttled",
        record.throttle().failures()
    );
    assert!(store.delete(&id).unwrap());
}

fn sigkill(store: &PostgresStore, params: &str, prefix: &str) {
    const POINTS: [&str; 3] = ["before-write", "after-write", "before-reply"];
    // The n-th hit of each point, per armed process: before-write is hit by every process on
    // most rounds, the other two only by a round's winner (about one round in 8).
    let hits: [[u64; 8]; 3] = [
        [1, 2, 3, 5, 8, 13, 21, 34],
        [1, 1, 2, 2, 3, 3, 4, 5],
        [1, 1, 2, 2, 3, 3, 4, 5],
    ];
    let mut schedule: VecDeque<(&'static str, u64)> = (0..8)
        .flat_map(|i| (0..3).map(move |p| (POINTS[p], hits[p][i])))
        .collect();
    let scheduled = schedule.len();
    let id = format!("{prefix}-kill");
    fresh_token(store, &id);
    let mut workers: Vec<Worker> = (0..PROCESSES)
        .map(|_| Worker::spawn(params, schedule.pop_front()))
        .collect();
    let mut kills = [0u32; 3];
    let (mut accepted, mut spent_unreported) = (0u64, 0u64);
    let mut r = 0;
    let mut quiet_rounds = 0;
    while quiet_rounds < 50 {
        assert!(r < 3000, "scheduled kills not all reached after {r} rounds");
        let out = round(&mut workers, params, &id, r, &mut schedule);
        assert!(
            out.accepted <= 1,
            "round {r}: a code accepted {} times",
            out.accepted
        );
        let writers_killed = out.killed.iter().filter(|p| **p != "before-write").count();
        for p in &out.killed {
            kills[POINTS.iter().position(|q| q == p).unwrap()] += 1;
        }
        // The round's code is spent exactly once: by the reported winner, or by a winner
        // killed after its write.
        assert_eq!(
            next_counter(store, &id),
            r + 1,
            "round {r}: the stored record holds the round's acceptance"
        );
        assert_eq!(
            u64::from(out.accepted) + writers_killed as u64,
            1,
            "round {r}: no acceptance, so its winner was killed after writing (and vice versa)"
        );
        accepted += u64::from(out.accepted);
        spent_unreported += writers_killed as u64;
        let armed = workers.iter().any(|w| w.failpoint.is_some());
        if schedule.is_empty() && !armed {
            quiet_rounds += 1;
        }
        r += 1;
    }
    assert_eq!(kills.iter().sum::<u32>() as usize, scheduled);
    for w in workers {
        w.quit();
    }
    println!(
        "sigkill: {} kills at before-write, {} at after-write, {} at before-reply ({PROCESSES} \
         processes, {r} rounds): {accepted} acceptances reported and all stored, {} rounds \
         spent by a winner killed after its write, no code accepted twice",
        kills[0], kills[1], kills[2], spent_unreported
    );
    assert!(store.delete(&id).unwrap());
}

fn restart(store: &PostgresStore, params: &str, prefix: &str) {
    const RESTART_ROUNDS: u64 = 300;
    const RESTART_AT: [u64; 2] = [100, 200];
    let Some(command) = pg::setting("OTPKIT_TEST_POSTGRES_RESTART") else {
        assert!(
            std::env::var("CI").is_err(),
            "OTPKIT_TEST_POSTGRES_RESTART is unset in CI"
        );
        println!("restart: skipped (OTPKIT_TEST_POSTGRES_RESTART unset)");
        return;
    };
    let id = format!("{prefix}-restart");
    fresh_token(store, &id);
    let mut workers = spawn_all(params);
    let progress = Arc::new(AtomicU64::new(0));
    let restarts = {
        let progress = progress.clone();
        std::thread::spawn(move || {
            for at in RESTART_AT {
                while progress.load(Ordering::SeqCst) < at {
                    std::thread::sleep(Duration::from_millis(1));
                }
                let status = Command::new("sh").args(["-c", &command]).status().unwrap();
                assert!(status.success(), "{command}: {status}");
            }
        })
    };
    let mut none = VecDeque::new();
    let (mut accepted, mut errors, mut unreported) = (0u64, 0u64, 0u64);
    let mut checked = 0;
    for r in 0..RESTART_ROUNDS {
        progress.store(r, Ordering::SeqCst);
        let out = round(&mut workers, params, &id, r, &mut none);
        assert!(
            out.accepted <= 1,
            "round {r}: a code accepted {} times",
            out.accepted
        );
        accepted += u64::from(out.accepted);
        unreported += u64::from(1 - out.accepted);
        errors += u64::from(out.errors);
        // The coordinator's own connection meets the restart too: retry its reads.
        let stored = loop {
            match store.load(&id) {
                Ok(bytes) => break StateRecord::from_bytes(&bytes.unwrap()).unwrap(),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        assert_eq!(
            stored.next_counter(),
            r + 1,
            "round {r}: the acceptance is stored"
        );
        checked += 1;
    }
    restarts.join().unwrap();
    assert!(errors > 0, "the restarts met no verification in flight");
    for w in workers {
        w.quit();
    }
    println!(
        "restart: {} immediate stops and starts of PostgreSQL during {RESTART_ROUNDS} rounds x \
         {PROCESSES} processes: {errors} store errors retried after reconnecting, {accepted} \
         acceptances, {unreported} round(s) without one (a commit whose answer the crash lost), \
         {checked} rounds checked: no code accepted twice, every reported acceptance stored",
        RESTART_AT.len()
    );
    let _ = store.delete(&id);
}
