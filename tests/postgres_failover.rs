//! Exactly once across a database failover: verifier processes sharing a replicated
//! PostgreSQL cluster (Patroni in `synchronous_mode_strict`, three nodes, `.ci/postgres-ha`)
//! through one multi-host connection string, while nodes are killed, paused, cut off and
//! their commits cancelled.
//!
//! This binary is both the coordinator and its workers (it runs itself again with
//! `OTPKIT_FAILOVER_WORKER` set), as `postgres_nodes` does. Every round, all processes submit
//! the same HOTP code (the clock is the constant `NOW`); meanwhile a thread injects faults at
//! random rounds, each kind at least twice:
//!
//! - **(a)** SIGKILL of the primary node (Patroni and PostgreSQL), then its restart: it
//!   rejoins as a standby (`pg_rewind`);
//! - **(b)** SIGSTOP of the primary node for longer than Patroni's `ttl`, then SIGCONT;
//! - **(b′)** a partition (nftables on loopback): the primary keeps running, cut off from
//!   etcd and its standbys, clients still reach it; then the partition heals;
//! - **(c)** SIGKILL of the synchronous standby: commits wait until Patroni names the other;
//! - **(d)** SIGKILL of one etcd member: the quorum holds;
//! - **(e)** the standbys' WAL receivers paused, and the commit waiting for them cancelled
//!   with `pg_cancel_backend`: PostgreSQL answers `UPDATE 1` with a warning.
//!
//! Asserted: no round has two acceptances; after every round with an acceptance, the primary
//! holds it (the stored counter is at least the acknowledged one), and the last acknowledged
//! code is refused as a replay after every fault; every store error a verifier meets is a
//! `VerifyError::Store` (lost connection, the statement bound, or the server's warning),
//! never an acceptance; a round whose commit was cancelled reports no acceptance; a node
//! that rejoined takes no read-write connection. Printed, not asserted: how long writes
//! took to resume after each fault, and verifications per second on the cluster, against a
//! bare compare-and-swap, and against one server (`OTPKIT_TEST_POSTGRES`) in the same run.
//!
//! Run by `bash .ci/postgres-ha proof`; skipped, with a note, without a cluster.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::too_many_lines
)]

#[path = "support/postgres_ha.rs"]
mod ha;
#[path = "support/postgres.rs"]
mod pg;
#[path = "postgres_failover/worker.rs"]
mod worker;

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use core::time::Duration;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use otpkit::store::{PostgresError, PostgresStore, Store};
use otpkit::{Hotp, HotpParams, StateRecord};

const PROCESSES: usize = 8;
/// The injected clock: every verification happens at this Unix time.
const NOW: u64 = 1_700_000_000;
const KEY: &[u8] = b"12345678901234567890";
/// The workers' statement bound.
const BOUND: Duration = Duration::from_secs(5);
/// Application names of the workers' connections (the cancel fault looks for them).
const APP_PREFIX: &str = "otpkit-failover-worker-";
/// Patroni's `ttl` in `.ci/postgres-ha`.
const TTL: Duration = Duration::from_secs(10);
/// Each fault kind this many times.
const EACH: usize = 2;
/// A loose bound on anything the cluster does after a fault (election, rejoin).
const LOOSE: Duration = Duration::from_secs(120);

fn hotp() -> Hotp {
    Hotp::new(KEY, HotpParams::default()).unwrap()
}

fn main() {
    if std::env::var_os("OTPKIT_FAILOVER_WORKER").is_some() {
        worker::run();
    } else {
        coordinator();
    }
}

// ---------------------------------------------------------------------------------------------
// Workers
// ---------------------------------------------------------------------------------------------

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    fn spawn(params: &str) -> Worker {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("OTPKIT_FAILOVER_WORKER", "1")
            .env(ha::VAR, params)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut w = Worker {
            child,
            stdin,
            stdout,
        };
        assert_eq!(w.reply(), "ready");
        w
    }

    fn send(&mut self, msg: &str) {
        writeln!(self.stdin, "{msg}").unwrap();
        self.stdin.flush().unwrap();
    }

    fn reply(&mut self) -> String {
        let mut line = String::new();
        loop {
            line.clear();
            assert_ne!(
                self.stdout.read_line(&mut line).unwrap(),
                0,
                "a worker died"
            );
            if let Some(rest) = line.strip_prefix("@@ ") {
                return rest.trim_end().to_owned();
            }
        }
    }

    fn quit(mut self) {
        self.send("quit");
        assert!(self.child.wait().unwrap().success());
    }
}

fn spawn_all(params: &str) -> Vec<Worker> {
    (0..PROCESSES).map(|_| Worker::spawn(params)).collect()
}

/// One round's answers.
#[derive(Default, Debug)]
struct Round {
    accepted: u32,
    replays: u32,
    lost: u64,
    timeouts: u64,
    warned: u64,
    /// Acceptances by a process that met a warning in the same round.
    warned_accepted: u32,
}

/// Sends the code of counter `r` of token `id` to every worker at once; their answers.
fn round(workers: &mut [Worker], id: &str, r: u64) -> Round {
    let mut out = Round::default();
    for w in workers.iter_mut() {
        w.send(&format!("hotp {id} {r}"));
    }
    for w in workers.iter_mut() {
        let reply = w.reply();
        let words: Vec<&str> = reply.split(' ').collect();
        let counts = match words[..] {
            ["ok", matched, l, t, n] => {
                assert_eq!(
                    matched,
                    r.to_string(),
                    "round {r}: accepted another counter"
                );
                out.accepted += 1;
                [l, t, n]
            }
            ["replay", l, t, n] => {
                out.replays += 1;
                [l, t, n]
            }
            // Every error is a store error, retried; anything else ends the proof.
            _ => panic!("round {r}: a verifier answered {reply}"),
        };
        let [l, t, n] = counts.map(|c| c.parse::<u64>().unwrap());
        if words[0] == "ok" && n > 0 {
            out.warned_accepted += 1;
        }
        out.lost += l;
        out.timeouts += t;
        out.warned += n;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Coordinator
// ---------------------------------------------------------------------------------------------

/// A small deterministic generator (xorshift64*), seeded per run and printed, so a failing
/// order of faults can be replayed with `OTPKIT_FAILOVER_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    KillPrimary,
    PausePrimary,
    Partition,
    KillSyncStandby,
    KillEtcd,
    Cancel,
}

impl Fault {
    fn label(self) -> &'static str {
        match self {
            Fault::KillPrimary => "(a) kill primary",
            Fault::PausePrimary => "(b) pause primary",
            Fault::Partition => "(b') partition primary",
            Fault::KillSyncStandby => "(c) kill sync standby",
            Fault::KillEtcd => "(d) kill etcd member",
            Fault::Cancel => "(e) cancel a commit waiting on SyncRep",
        }
    }
}

/// What the rounds and the fault thread share.
#[derive(Default)]
struct Shared {
    /// The round being verified.
    round: AtomicU64,
    /// When each round with an acceptance began, and when the acceptance was reported.
    accepted_at: Mutex<Vec<(Instant, Instant)>>,
    /// Set after each fault: check that the last acknowledged code is refused.
    probe: AtomicBool,
    /// The fault thread is done.
    done: AtomicBool,
    /// The fault thread panicked: the rounds stop at once, and joining it reports why.
    failed: AtomicBool,
    /// Warnings the verifiers reported (a cancelled wait for the standby).
    warnings: AtomicU64,
    /// A paused or cut-off old primary, from the fault until it has rejoined as a standby:
    /// while it can still take a connection it may hold commits that waited for a standby and
    /// were never acknowledged, so the coordinator's own reads (the proof's oracle) avoid it.
    cut_off: Mutex<Option<usize>>,
}

/// Sets [`Shared::failed`] when the fault thread unwinds.
struct FailFlag(Arc<Shared>);

impl Drop for FailFlag {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.failed.store(true, Ordering::SeqCst);
        }
    }
}

impl Shared {
    /// Waits until a round begun after `since` has an acceptance: how long after `since`
    /// that acceptance was reported.
    fn resumed_after(&self, since: Instant) -> Duration {
        loop {
            if let Some((_, at)) = self
                .accepted_at
                .lock()
                .unwrap()
                .iter()
                .find(|(began, _)| *began > since)
            {
                return *at - since;
            }
            assert!(
                since.elapsed() < LOOSE,
                "writes not resumed after {LOOSE:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn wait_rounds(&self, n: u64) {
        let target = self.round.load(Ordering::SeqCst) + n;
        while self.round.load(Ordering::SeqCst) < target {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The next counter as the cluster's real primary holds it: through `store`, or, while an old
/// primary is cut off ([`Shared::cut_off`]), through a connection to the other nodes only.
fn oracle_counter(cluster: &ha::Cluster, shared: &Shared, store: &PostgresStore, id: &str) -> u64 {
    let start = Instant::now();
    loop {
        let Some(old) = *shared.cut_off.lock().unwrap() else {
            return next_counter(store, id);
        };
        let others: Vec<usize> = cluster.nodes().filter(|&n| n != old).collect();
        let read = cluster
            .params_in_order(&others)
            .parse::<tokio_postgres::Config>()
            .map_err(PostgresError::Postgres)
            .and_then(PostgresStore::from_config)
            .and_then(|other| other.load(id));
        match read {
            Ok(bytes) => {
                return StateRecord::from_bytes(&bytes.unwrap())
                    .unwrap()
                    .next_counter();
            }
            Err(e) => {
                assert!(start.elapsed() < LOOSE, "no read for {LOOSE:?}: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

fn next_counter(store: &PostgresStore, id: &str) -> u64 {
    // The coordinator's own connection meets the faults too: retry its reads.
    let start = Instant::now();
    loop {
        match store.load(id) {
            Ok(bytes) => {
                return StateRecord::from_bytes(&bytes.unwrap())
                    .unwrap()
                    .next_counter();
            }
            Err(e) => {
                assert!(start.elapsed() < LOOSE, "no read for {LOOSE:?}: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
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
    // Without a cluster (the plain `cargo test` of CI's test step), a note; CI runs the proof
    // in its own step, `bash .ci/postgres-ha proof`, which always has one.
    let Some(cluster) = ha::cluster("postgres_failover") else {
        return;
    };
    // A hang must fail the run, not stall CI.
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(600));
        eprintln!("postgres_failover: no end after 10 minutes, aborting");
        std::process::exit(1);
    });
    let started = Instant::now();
    let seed = std::env::var("OTPKIT_FAILOVER_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let (primary, _) = cluster.wait_whole(LOOSE);
    let mut config: tokio_postgres::Config = cluster.params.parse().unwrap();
    config.application_name("otpkit-failover-coordinator");
    let store = PostgresStore::from_config(config)
        .unwrap()
        .with_statement_bound(Duration::from_secs(3));
    let prefix = format!("failover-{}", std::process::id());
    println!(
        "postgres_failover: {PROCESSES} verifier processes through {} (primary n{primary}), \
         seed {seed}",
        cluster.params
    );
    throughput(&cluster, &store, &prefix);
    faults(&cluster, &store, &prefix, seed);
    println!(
        "postgres_failover: all held ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

/// Verifications per second with each process on a token of its own: on the cluster, the
/// bare compare-and-swap on the cluster, and one server, in the same run.
fn throughput(cluster: &ha::Cluster, store: &PostgresStore, prefix: &str) {
    const N: u64 = 300;
    let measure = |params: &str, store: &PostgresStore, command: &str| -> f64 {
        let mut workers = spawn_all(params);
        let ids: Vec<String> = (0..PROCESSES)
            .map(|i| format!("{prefix}-bench-{i}"))
            .collect();
        for id in &ids {
            fresh_token(store, id);
        }
        let start = Instant::now();
        for (w, id) in workers.iter_mut().zip(&ids) {
            w.send(&format!("{command} {id} {N}"));
        }
        for w in &mut workers {
            w.reply();
        }
        let secs = start.elapsed().as_secs_f64();
        for id in &ids {
            if command == "bench" {
                assert_eq!(next_counter(store, id), N);
            }
            assert!(store.delete(id).unwrap());
        }
        for w in workers {
            w.quit();
        }
        (PROCESSES as u64 * N) as f64 / secs
    };
    let floor = measure(&cluster.params, store, "floor");
    let cluster_rate = measure(&cluster.params, store, "bench");
    let one = pg::setting(pg::VAR).map(|params| {
        let single = PostgresStore::connect(&params).unwrap();
        measure(&params, &single, "bench")
    });
    println!(
        "throughput: {cluster_rate:.0} verifications/s on the cluster (synchronous commit to \
         one standby; {PROCESSES} processes x {N} codes on tokens of their own), {floor:.0} bare \
         compare-and-swaps/s on the cluster (a verification costs {:.2}x one), {} (reported, \
         not asserted)",
        floor / cluster_rate,
        match one {
            Some(rate) => format!(
                "{rate:.0} verifications/s on one server without replication (the cluster at \
                 {:.2}x its rate)",
                cluster_rate / rate
            ),
            None => "one server not measured (no OTPKIT_TEST_POSTGRES)".to_owned(),
        }
    );
}

#[derive(Default)]
struct Tally {
    kills: u32,
    pauses: u32,
    partitions: u32,
    standby_kills: u32,
    etcd_kills: u32,
    cancels: u32,
    /// Nodes Patroni left unable to stream, reinitialised by the proof.
    reinits: u32,
}

impl Tally {
    /// Counts a reinitialisation and says so in the fault's line.
    fn reinitialised(&mut self, node: usize, reinit: bool) -> String {
        if reinit {
            self.reinits += 1;
            format!(
                " (Patroni left n{node} unable to stream for {:?}: reinitialised)",
                ha::REJOIN
            )
        } else {
            String::new()
        }
    }
}

fn faults(cluster: &ha::Cluster, store: &PostgresStore, prefix: &str, seed: u64) {
    let mut rng = Rng(seed);
    let partition = cluster.try_ctl("partition-possible");
    let mut plan = Vec::new();
    for _ in 0..EACH {
        plan.extend([
            Fault::KillPrimary,
            Fault::PausePrimary,
            Fault::KillSyncStandby,
            Fault::KillEtcd,
            Fault::Cancel,
        ]);
        if partition {
            plan.push(Fault::Partition);
        }
    }
    // `OTPKIT_FAILOVER_ONLY=a,e` runs only those kinds (to investigate one).
    if let Ok(only) = std::env::var("OTPKIT_FAILOVER_ONLY") {
        plan.retain(|f| {
            only.split(',')
                .any(|k| f.label().starts_with(&format!("({k})")))
        });
    }
    for i in (1..plan.len()).rev() {
        plan.swap(i, rng.below(i as u64 + 1) as usize);
    }
    if !partition {
        println!(
            "partition: skipped, nftables does not work on this machine (no nf_tables in the \
             kernel or no CAP_NET_ADMIN); the pauses (b) stand in for it"
        );
    }
    let id = format!("{prefix}-rounds");
    fresh_token(store, &id);
    let shared = Arc::new(Shared::default());
    let injector = {
        let (cluster, shared) = (cluster.clone(), shared.clone());
        let gaps: Vec<u64> = plan.iter().map(|_| 5 + rng.below(25)).collect();
        let etcd: Vec<usize> = plan.iter().map(|_| 1 + rng.below(3) as usize).collect();
        std::thread::spawn(move || {
            let _flag = FailFlag(shared.clone());
            let mut tally = Tally::default();
            for (i, fault) in plan.iter().enumerate() {
                shared.wait_rounds(gaps[i]);
                let note = inject(&cluster, &shared, *fault, etcd[i], &mut tally);
                println!(
                    "fault {}/{} {} at round {}: {note}",
                    i + 1,
                    plan.len(),
                    fault.label(),
                    shared.round.load(Ordering::SeqCst)
                );
                shared.probe.store(true, Ordering::SeqCst);
            }
            shared.done.store(true, Ordering::SeqCst);
            tally
        })
    };

    let mut workers = spawn_all(&cluster.params);
    let mut totals = Round::default();
    let (mut spent_unadmitted, mut unspent, mut probes) = (0u64, 0u64, 0u64);
    let (mut cancelled_winners, mut cancelled_losers) = (0u32, 0u32);
    let mut last_acked: Option<u64> = None;
    let mut rounds = 0u64;
    let mut after_done = 0;
    while after_done < 20 && !shared.failed.load(Ordering::SeqCst) {
        if shared.probe.swap(false, Ordering::SeqCst)
            && let Some(acked) = last_acked
        {
            // The last acknowledged code, once more, from one process: refused as a replay
            // by whichever node is primary now.
            // The last spent counter's code is a replay; an older one a wrong code.
            workers[0].send(&format!("hotp {id} {acked}"));
            let reply = workers[0].reply();
            let stored = oracle_counter(cluster, &shared, store, &id);
            assert!(
                reply.starts_with("replay ") || (reply.contains("Mismatch") && acked + 1 < stored),
                "the code of acknowledged round {acked} after a fault (next counter \
                 {stored}): {reply}"
            );
            probes += 1;
        }
        shared.round.store(rounds, Ordering::SeqCst);
        // The code of the stored next counter. The verifiers have no look-ahead, so a record
        // that went back (an acknowledged acceptance lost) cannot be skipped over by a later
        // code: it shows here as a counter at or below the last acknowledged one.
        let counter = oracle_counter(cluster, &shared, store, &id);
        if let Some(acked) = last_acked {
            assert!(
                counter > acked,
                "round {rounds}: the primary's next counter {counter} is not past acknowledged \
                 counter {acked}: an acknowledged acceptance was lost"
            );
        }
        let began = Instant::now();
        let out = round(&mut workers, &id, counter);
        // From here, `r` is the round's counter.
        let r = counter;
        assert!(
            out.accepted <= 1,
            "counter {r}: a code accepted {} times",
            out.accepted
        );
        let stored = oracle_counter(cluster, &shared, store, &id);
        if out.accepted == 1 {
            shared
                .accepted_at
                .lock()
                .unwrap()
                .push((began, Instant::now()));
            assert!(
                stored > r,
                "round {r}: an acknowledged acceptance is not on the primary (next counter \
                 {stored})"
            );
            last_acked = Some(r);
        } else if stored > r {
            // The commit landed and its answer was lost (a timeout, a warning, a dropped
            // connection): the code is spent and nobody was admitted.
            spent_unadmitted += 1;
        } else {
            unspent += 1;
        }
        if out.warned > 0 {
            shared.warnings.fetch_add(out.warned, Ordering::SeqCst);
            // A commit of this round was cancelled while it waited for the standby (the
            // only source of warnings here). It is the round's winning write (then nobody
            // is admitted and the code is spent), or the empty commit of a process that lost
            // the race to a write its standby confirmed just before the pause (then that
            // write's acceptance stands). Never does the process whose commit was cancelled
            // report an acceptance.
            assert_eq!(
                out.warned_accepted, 0,
                "round {r}: a process accepted after its commit was cancelled: {out:?}"
            );
            if out.accepted == 0 {
                assert!(
                    stored > r,
                    "round {r}: the cancelled commit is not on the primary"
                );
                cancelled_winners += 1;
            } else {
                cancelled_losers += 1;
            }
        }
        totals.accepted += out.accepted;
        totals.replays += out.replays;
        totals.lost += out.lost;
        totals.timeouts += out.timeouts;
        totals.warned += out.warned;
        if shared.done.load(Ordering::SeqCst) {
            after_done += 1;
        }
        rounds += 1;
    }
    let tally = injector.join().unwrap();
    for w in workers {
        w.quit();
    }
    // At the end, on the node that is primary now, read directly.
    let (primary, _) = cluster.wait_whole(LOOSE);
    let mut admin = cluster.admin(primary).unwrap();
    let row = admin
        .query_one("SELECT record FROM otpkit_tokens WHERE id = $1", &[&id])
        .unwrap();
    let record = StateRecord::from_bytes(row.get::<_, &[u8]>(0)).unwrap();
    let last = last_acked.expect("acceptances");
    assert!(
        record.next_counter() > last,
        "the last acknowledged round {last} is on the final primary n{primary}"
    );
    assert!(
        cancelled_winners + cancelled_losers >= tally.cancels,
        "every cancel reached a verifier as a warning"
    );
    println!(
        "rounds: {rounds} x {PROCESSES} processes: {} acceptances, {} replays, {spent_unadmitted} \
         rounds spent with nobody admitted (a commit whose answer was lost), {unspent} rounds \
         unspent; store errors retried: {} lost connections, {} statement-bound timeouts, {} \
         warnings (a cancelled wait for the standby); {probes} acknowledged codes replayed \
         after faults, all refused; final primary n{primary} holds counter {}",
        totals.accepted,
        totals.replays,
        totals.lost,
        totals.timeouts,
        totals.warned,
        record.next_counter()
    );
    println!(
        "cancels: {cancelled_winners} hit the round's winning write (no acceptance reported, the \
         code spent), {cancelled_losers} the empty commit of a process that lost the race to a \
         write confirmed just before the pause; no process whose commit was cancelled reported \
         an acceptance"
    );
    if tally.partitions > 0 {
        println!(
            "partitions: {} (the primary cut off from etcd and its standbys by nftables, \
             clients still reaching it)",
            tally.partitions
        );
    }
    println!(
        "failover: {PROCESSES} processes x {rounds} rounds, {} primary kills, {} pauses, {} standby \
         kills, {} etcd kills, {} cancels, 0 double acceptances, 0 lost acknowledgements; {} \
         node(s) reinitialised after Patroni left them unable to stream",
        tally.kills,
        tally.pauses,
        tally.standby_kills,
        tally.etcd_kills,
        tally.cancels,
        tally.reinits
    );
    let _ = store.delete(&id);
}

/// A node that rejoined after a fault is a standby, and refuses read-write connections.
fn assert_rejoined_read_only(cluster: &ha::Cluster, node: usize) {
    assert!(
        !cluster.is_primary(node),
        "n{node} took writes after rejoining"
    );
    let alone = cluster.node_params(node, "target_session_attrs=read-write");
    assert!(
        postgres::Client::connect(&alone, postgres::NoTls).is_err(),
        "a read-write connection landed on n{node}"
    );
    // And the multi-host string lands elsewhere.
    let mut c = postgres::Client::connect(&cluster.params, postgres::NoTls).unwrap();
    let port: i32 = c
        .query_one("SELECT inet_server_port()", &[])
        .unwrap()
        .get(0);
    assert_ne!(port, i32::from(cluster.port(node)));
}

/// Runs a control command on drop: a paused or cut-off node is let go also when the proof
/// fails.
struct Undo<'a>(&'a ha::Cluster, &'a str);

impl Drop for Undo<'_> {
    fn drop(&mut self) {
        self.0.try_ctl(self.1);
    }
}

/// Waits until a node other than `old` takes writes.
fn wait_new_primary(cluster: &ha::Cluster, old: usize, since: Instant) -> usize {
    loop {
        if let Some(p) = cluster.primary()
            && p != old
        {
            return p;
        }
        assert!(since.elapsed() < LOOSE, "no new primary after {LOOSE:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Injects `fault`, waits for the cluster to be whole again, and says what happened.
fn inject(
    cluster: &ha::Cluster,
    shared: &Shared,
    fault: Fault,
    etcd: usize,
    tally: &mut Tally,
) -> String {
    // Settled: Patroni has named the synchronous standby (not its placeholder `*`, under
    // which any standby would do), as `.ci/postgres-ha check` verifies.
    let t = Instant::now();
    while !cluster.try_ctl("check >/dev/null 2>&1") {
        assert!(t.elapsed() < LOOSE, "the cluster did not settle: {}", {
            cluster.try_ctl("check");
            "see the check above"
        });
        std::thread::sleep(Duration::from_millis(500));
    }
    let (primary, _) = cluster.wait_whole(LOOSE);
    // Each fault's clock starts once the fault is in effect (its command has returned).
    match fault {
        Fault::KillPrimary => {
            cluster.ctl(&format!("kill {primary}"));
            let start = Instant::now();
            let new = wait_new_primary(cluster, primary, start);
            let resumed = shared.resumed_after(start);
            cluster.ctl(&format!("start-node {primary}"));
            let (whole, reinit) = cluster.wait_rejoined(primary, LOOSE);
            assert_rejoined_read_only(cluster, primary);
            tally.kills += 1;
            format!(
                "n{primary} killed; n{new} primary, writes resumed after {:.1} s; n{primary} \
                 restarted and rejoined as a standby {:.1} s later{}, no read-write connection \
                 lands on it",
                resumed.as_secs_f64(),
                whole.as_secs_f64(),
                tally.reinitialised(primary, reinit)
            )
        }
        Fault::PausePrimary | Fault::Partition => {
            let pause = fault == Fault::PausePrimary;
            let undo = if pause {
                format!("resume {primary}")
            } else {
                "heal".to_owned()
            };
            *shared.cut_off.lock().unwrap() = Some(primary);
            let guard = Undo(cluster, &undo);
            cluster.ctl(&format!(
                "{} {primary}",
                if pause { "pause" } else { "partition" }
            ));
            let start = Instant::now();
            let new = wait_new_primary(cluster, primary, start);
            let resumed = shared.resumed_after(start);
            // Longer than the ttl in any case, so that the old primary was replaced.
            while start.elapsed() < TTL + Duration::from_secs(2) {
                std::thread::sleep(Duration::from_millis(100));
            }
            let held = start.elapsed();
            drop(guard);
            let (whole, reinit) = cluster.wait_rejoined(primary, LOOSE);
            assert_rejoined_read_only(cluster, primary);
            *shared.cut_off.lock().unwrap() = None;
            if pause {
                tally.pauses += 1;
            } else {
                tally.partitions += 1;
            }
            format!(
                "n{primary} {} for {:.1} s; n{new} primary, writes resumed after {:.1} s; \
                 n{primary} rejoined as a standby {:.1} s after{}, no read-write connection \
                 lands on it",
                if pause { "paused" } else { "cut off" },
                held.as_secs_f64(),
                resumed.as_secs_f64(),
                whole.as_secs_f64(),
                tally.reinitialised(primary, reinit)
            )
        }
        Fault::KillSyncStandby => {
            let (sync, _) = cluster.standbys(primary).unwrap();
            cluster.ctl(&format!("kill {sync}"));
            let start = Instant::now();
            let resumed = shared.resumed_after(start);
            cluster.ctl(&format!("start-node {sync}"));
            let (whole, reinit) = cluster.wait_rejoined(sync, LOOSE);
            tally.standby_kills += 1;
            format!(
                "n{sync} killed; writes resumed after {:.1} s (Patroni named the other \
                 standby); n{sync} rejoined {:.1} s later{}",
                resumed.as_secs_f64(),
                whole.as_secs_f64(),
                tally.reinitialised(sync, reinit)
            )
        }
        Fault::KillEtcd => {
            cluster.ctl(&format!("kill-etcd {etcd}"));
            let start = Instant::now();
            let resumed = shared.resumed_after(start);
            // A few more rounds on two members.
            shared.wait_rounds(5);
            assert_eq!(
                cluster.primary(),
                Some(primary),
                "the quorum held: no failover"
            );
            cluster.ctl(&format!("start-etcd {etcd}"));
            let t = Instant::now();
            while !cluster.try_ctl("etcd-healthy") {
                assert!(t.elapsed() < LOOSE, "etcd member {etcd} not back");
                std::thread::sleep(Duration::from_millis(200));
            }
            tally.etcd_kills += 1;
            format!(
                "member e{etcd} killed; next acceptance after {:.1} s, primary unchanged; \
                 e{etcd} back {:.1} s later",
                resumed.as_secs_f64(),
                t.elapsed().as_secs_f64()
            )
        }
        Fault::Cancel => {
            let start = Instant::now();
            let pids = cluster
                .nodes()
                .filter(|&n| n != primary)
                .map(|n| cluster.wal_receiver(n).expect("a streaming standby"))
                .collect();
            let paused = ha::Paused::new(pids);
            let mut admin = cluster.admin(primary).unwrap();
            let pattern = format!("{APP_PREFIX}%");
            // Only a commit that has waited for a second is cancelled: one that a standby's
            // answer, sent just before the pause, may still release is left alone.
            let waiting = "FROM pg_stat_activity WHERE application_name LIKE $1 \
                           AND wait_event = 'SyncRep' \
                           AND clock_timestamp() - query_start > interval '1 second'";
            let warnings = shared.warnings.load(Ordering::SeqCst);
            let cancelled: Vec<String> = loop {
                let rows: Vec<String> = admin
                    .query(
                        &format!(
                            "SELECT format('pid %s (%s), connected %s, waiting since %s', pid, \
                             application_name, backend_start, query_start), \
                             pg_cancel_backend(pid) {waiting}"
                        ),
                        &[&pattern],
                    )
                    .unwrap()
                    .iter()
                    .map(|row| row.get(0))
                    .collect();
                if !rows.is_empty() {
                    break rows;
                }
                assert!(start.elapsed() < LOOSE, "no commit waited on SyncRep");
                std::thread::sleep(Duration::from_millis(20));
            };
            drop(paused);
            // The verifier whose commit it was reports the warning when its round ends.
            let t = Instant::now();
            while shared.warnings.load(Ordering::SeqCst) == warnings {
                assert!(
                    t.elapsed() < Duration::from_secs(30),
                    "no verifier reported the cancel of {cancelled:?}"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            let cancelled = cancelled.len();
            let resumed = shared.resumed_after(start);
            cluster.wait_whole(LOOSE);
            tally.cancels += 1;
            format!(
                "WAL receivers of both standbys paused, {cancelled} commit(s) waiting on SyncRep \
                 cancelled (committed locally, answered with a warning); writes resumed after \
                 {:.1} s",
                resumed.as_secs_f64()
            )
        }
    }
}
