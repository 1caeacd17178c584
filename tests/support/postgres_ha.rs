//! The replicated cluster of `.ci/postgres-ha` as the tests see it: its multi-host connection
//! string (`OTPKIT_TEST_POSTGRES_HA`, or `target/postgres-ha.env`), its nodes, and the
//! script's fault commands (`OTPKIT_TEST_POSTGRES_HA_CTL`). Without a cluster the tests skip
//! with a note; `bash .ci/postgres-ha proof` runs them with one.
#![allow(
    dead_code,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use core::time::Duration;
use std::process::Command;
use std::time::Instant;

use postgres::{Client, NoTls};

/// How long Patroni gets to bring a node back as a standby before
/// [`Cluster::wait_rejoined`] has it reinitialised.
pub const REJOIN: Duration = Duration::from_secs(60);

/// The environment variable naming the cluster.
pub const VAR: &str = "OTPKIT_TEST_POSTGRES_HA";

/// `name`'s value from the environment, or from `target/postgres-ha.env`.
pub fn setting(name: &str) -> Option<String> {
    if let Ok(v) = std::env::var(name) {
        return Some(v).filter(|v| !v.is_empty());
    }
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/target/postgres-ha.env");
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|line| {
        let rest = line.strip_prefix("export ")?.strip_prefix(name)?;
        let value = rest.strip_prefix('=')?;
        Some(value.trim_matches('\'').to_owned())
    })
}

/// The cluster, or `None` (after a note) when there is none.
pub fn cluster(test: &str) -> Option<Cluster> {
    let Some(params) = setting(VAR) else {
        eprintln!(
            "{test}: skipped, no replicated cluster ({VAR} unset; `bash .ci/postgres-ha start` runs one)"
        );
        return None;
    };
    let ctl = setting("OTPKIT_TEST_POSTGRES_HA_CTL").expect("OTPKIT_TEST_POSTGRES_HA_CTL");
    Some(Cluster::new(&params, &ctl))
}

/// The cluster's nodes (1-based, as the script numbers them) and its control script.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// The multi-host string: every node, `target_session_attrs=read-write`.
    pub params: String,
    ctl: String,
    /// Each node's `host port`.
    nodes: Vec<(String, u16)>,
    /// The parameters other than host, port and target_session_attrs.
    rest: String,
}

impl Cluster {
    fn new(params: &str, ctl: &str) -> Cluster {
        let (mut hosts, mut ports, mut rest) = (Vec::new(), Vec::new(), Vec::new());
        for word in params.split_whitespace() {
            if let Some(h) = word.strip_prefix("host=") {
                hosts = h.split(',').map(str::to_owned).collect();
            } else if let Some(p) = word.strip_prefix("port=") {
                ports = p.split(',').map(|p| p.parse().unwrap()).collect();
            } else if !word.starts_with("target_session_attrs=") {
                rest.push(word);
            }
        }
        assert_eq!(hosts.len(), ports.len(), "{params}");
        Cluster {
            params: params.to_owned(),
            ctl: ctl.to_owned(),
            nodes: hosts.into_iter().zip(ports).collect(),
            rest: rest.join(" "),
        }
    }

    /// The node numbers.
    pub fn nodes(&self) -> impl Iterator<Item = usize> {
        1..=self.nodes.len()
    }

    /// The port of node `n`.
    pub fn port(&self, n: usize) -> u16 {
        self.nodes[n - 1].1
    }

    /// Node `n` alone, with `extra` parameters appended.
    pub fn node_params(&self, n: usize, extra: &str) -> String {
        let (host, port) = &self.nodes[n - 1];
        format!("host={host} port={port} {} {extra}", self.rest)
    }

    /// The multi-host string with the nodes in `order`.
    pub fn params_in_order(&self, order: &[usize]) -> String {
        let hosts: Vec<&str> = order
            .iter()
            .map(|&n| self.nodes[n - 1].0.as_str())
            .collect();
        let ports: Vec<String> = order.iter().map(|&n| self.port(n).to_string()).collect();
        format!(
            "host={} port={} {} target_session_attrs=read-write",
            hosts.join(","),
            ports.join(","),
            self.rest
        )
    }

    /// A plain client on node `n`, or `None` when it does not answer within 2 s.
    pub fn admin(&self, n: usize) -> Option<Client> {
        let params = self.node_params(n, "");
        bounded(move || {
            let mut config: postgres::Config = params.parse().unwrap();
            config.connect_timeout(Duration::from_secs(2));
            config.application_name("otpkit-admin");
            let mut client = config.connect(NoTls).ok()?;
            // Never wait on a standby for the admin's own statements.
            client
                .batch_execute("SET synchronous_commit = local")
                .ok()?;
            Some(client)
        })
    }

    /// `query` on node `n`, or `None` when it fails or the node does not answer within 3 s
    /// (a paused node accepts connections and never answers them).
    pub fn on_node<T: Send + 'static>(
        &self,
        n: usize,
        query: impl FnOnce(&mut Client) -> Option<T> + Send + 'static,
    ) -> Option<T> {
        let params = self.node_params(n, "");
        bounded(move || {
            let mut config: postgres::Config = params.parse().unwrap();
            config.connect_timeout(Duration::from_secs(2));
            config.application_name("otpkit-admin");
            query(&mut config.connect(NoTls).ok()?)
        })
    }

    /// Whether node `n` answers and is out of recovery (takes writes).
    pub fn is_primary(&self, n: usize) -> bool {
        self.on_node(n, |c| {
            c.query_one("SELECT NOT pg_is_in_recovery()", &[])
                .ok()
                .map(|row| row.get::<_, bool>(0))
        })
        .unwrap_or(false)
    }

    /// The node that takes writes, if exactly one does.
    pub fn primary(&self) -> Option<usize> {
        let writable: Vec<usize> = self.nodes().filter(|&n| self.is_primary(n)).collect();
        match writable[..] {
            [n] => Some(n),
            _ => None,
        }
    }

    /// The primary's synchronous standby and the other streaming standbys, by node number.
    pub fn standbys(&self, primary: usize) -> Option<(usize, Vec<usize>)> {
        let rows: Vec<(String, String)> = self.on_node(primary, |c| {
            let rows = c
                .query(
                    "SELECT application_name, sync_state FROM pg_stat_replication \
                     WHERE state = 'streaming'",
                    &[],
                )
                .ok()?;
            Some(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
        })?;
        let mut sync = None;
        let mut others = Vec::new();
        for (name, state) in rows {
            let n: usize = name.strip_prefix('n')?.parse().ok()?;
            if state == "sync" {
                sync = Some(n);
            } else {
                others.push(n);
            }
        }
        Some((sync?, others))
    }

    /// The primary, if the cluster is whole: one primary, streaming to both other nodes, one
    /// of them synchronous.
    pub fn whole(&self) -> Option<usize> {
        let p = self.primary()?;
        let (_, others) = self.standbys(p)?;
        (others.len() + 2 == self.nodes.len()).then_some(p)
    }

    /// Waits until the cluster is [whole](Self::whole) again. The primary and the time it
    /// took.
    pub fn wait_whole(&self, limit: Duration) -> (usize, Duration) {
        let start = Instant::now();
        loop {
            if let Some(p) = self.whole() {
                return (p, start.elapsed());
            }
            if start.elapsed() >= limit {
                self.try_ctl("logs");
                panic!("the cluster not whole again after {limit:?} (its state above)");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until the cluster is [whole](Self::whole) with node `n`, restarted or let go
    /// after a fault, back as a standby. Patroni brings it back by itself (a `pg_rewind`, or
    /// a fresh copy when that fails); should it leave the node unable to stream for
    /// [`REJOIN`], the cluster's state is printed and Patroni is asked to reinitialise the
    /// node, once, as an operator would. The time it took and whether that was needed.
    pub fn wait_rejoined(&self, n: usize, limit: Duration) -> (Duration, bool) {
        let start = Instant::now();
        let mut reinitialised = false;
        loop {
            if self.whole().is_some() {
                return (start.elapsed(), reinitialised);
            }
            if !reinitialised && start.elapsed() >= REJOIN {
                eprintln!("n{n} not back as a standby after {REJOIN:?}: the cluster's state:");
                self.try_ctl("logs");
                eprintln!(
                    "n{n}: reinitialise: {}",
                    self.try_ctl(&format!("reinit {n}"))
                );
                reinitialised = true;
            }
            if start.elapsed() >= limit {
                self.try_ctl("logs");
                panic!("n{n} not back as a standby after {limit:?} (the cluster's state above)");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Runs the control script with `args`.
    pub fn ctl(&self, args: &str) {
        let status = Command::new("sh")
            .args(["-c", &format!("{} {args}", self.ctl)])
            .status()
            .unwrap();
        assert!(status.success(), "{} {args}: {status}", self.ctl);
    }

    /// Whether the control script's `args` succeeded.
    pub fn try_ctl(&self, args: &str) -> bool {
        Command::new("sh")
            .args(["-c", &format!("{} {args}", self.ctl)])
            .status()
            .is_ok_and(|s| s.success())
    }

    /// The WAL receiver process of node `n`'s standby server.
    pub fn wal_receiver(&self, n: usize) -> Option<i32> {
        self.on_node(n, |c| {
            let row = c
                .query_opt("SELECT pid FROM pg_stat_wal_receiver", &[])
                .ok()??;
            row.get::<_, Option<i32>>(0)
        })
    }
}

/// `f`'s value, or `None` after 3 s (its thread is left to end when the node answers).
fn bounded<T: Send + 'static>(f: impl FnOnce() -> Option<T> + Send + 'static) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(3)).ok().flatten()
}

/// Sends `signal` (`STOP`, `CONT`) to process `pid`.
pub fn signal(signal: &str, pid: i32) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal} {pid}: {status}");
}

/// Pauses processes while it lives: `SIGCONT` on drop, also when a test fails.
pub struct Paused(pub Vec<i32>);

impl Paused {
    pub fn new(pids: Vec<i32>) -> Paused {
        for &pid in &pids {
            signal("STOP", pid);
        }
        Paused(pids)
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        for &pid in &self.0 {
            let _ = Command::new("kill")
                .args(["-CONT", &pid.to_string()])
                .status();
        }
    }
}
