//! Both PostgreSQL stores against the replicated cluster of `.ci/postgres-ha`: a commit whose
//! wait for the synchronous standby is cancelled (PostgreSQL answers `UPDATE 1` and a
//! `WARNING`) is an error, never a swap; a paused primary gives the typed timeout after the
//! store's bound, not a hang; and a multi-host string with `target_session_attrs=read-write`
//! reaches the primary wherever it is listed, and the new one after a switchover.
//!
//! Run by `bash .ci/postgres-ha proof` (skipped, with a note, without a cluster). The tests
//! pause and move the cluster's primary, so they run one at a time (`--test-threads 1`).

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/postgres_ha.rs"]
mod ha;

use core::time::Duration;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use otpkit::store::{AsyncPostgresStore, AsyncStore, PostgresError, PostgresStore, Store};
use otpkit::{RecordBytes, StateRecord};

fn config(params: &str, app: &str) -> tokio_postgres::Config {
    let mut config: tokio_postgres::Config = params.parse().unwrap();
    config.application_name(app);
    config
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Waits until the primary has a backend of `app` waiting for its synchronous standby, and
/// cancels it; the number cancelled.
fn cancel_sync_rep_wait(cluster: &ha::Cluster, primary: usize, app: &str) -> i64 {
    let mut admin = cluster.admin(primary).unwrap();
    let start = Instant::now();
    loop {
        let cancelled: i64 = admin
            .query_one(
                "SELECT count(*) FROM (SELECT pg_cancel_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = $1 AND wait_event = 'SyncRep') AS t",
                &[&app],
            )
            .unwrap()
            .get(0);
        if cancelled > 0 {
            return cancelled;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no commit of {app} waited for the standby"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The standbys' WAL receivers, paused: no standby confirms a commit while it lives.
fn pause_wal_receivers(cluster: &ha::Cluster, primary: usize) -> ha::Paused {
    let pids = cluster
        .nodes()
        .filter(|&n| n != primary)
        .map(|n| cluster.wal_receiver(n).expect("a streaming standby"))
        .collect();
    ha::Paused::new(pids)
}

fn records() -> (RecordBytes, RecordBytes) {
    (
        StateRecord::counter(0).to_bytes(),
        StateRecord::counter(1).to_bytes(),
    )
}

fn is_sync_rep_warning(e: &PostgresError) -> bool {
    matches!(e, PostgresError::NotDurable(notice)
        if notice.message().contains("synchronous replication"))
}

#[test]
fn a_cancelled_wait_for_the_standby_is_not_a_swap() {
    let Some(cluster) = ha::cluster("cancel") else {
        return;
    };
    let (primary, _) = cluster.wait_whole(Duration::from_secs(60));
    let app = format!("otpkit-ha-cancel-{}", std::process::id());
    let store = PostgresStore::from_config(config(&cluster.params, &app)).unwrap();
    let (a, b) = records();
    let id = app.clone();
    let _ = store.delete(&id);
    assert!(store.enrol(&id, &a).unwrap());
    let paused = pause_wal_receivers(&cluster, primary);
    let swap = std::thread::scope(|s| {
        let swap = s.spawn(|| store.compare_and_swap(&id, &a, &b));
        assert_eq!(cancel_sync_rep_wait(&cluster, primary, &app), 1);
        swap.join().unwrap()
    });
    drop(paused);
    match swap {
        Err(e) if is_sync_rep_warning(&e) => {
            assert!(e.to_string().contains("may not be durable"), "{e}");
        }
        other => panic!("a commit the server did not replicate gave {other:?}"),
    }
    // Committed locally: the code is spent, and nobody was told it was accepted.
    assert_eq!(
        store.load(&id).unwrap(),
        Some(b),
        "the write is on the primary"
    );
    assert!(
        store.compare_and_swap(&id, &b, &a).unwrap(),
        "the connection was kept"
    );
    assert!(store.delete(&id).unwrap());
    cluster.wait_whole(Duration::from_secs(60));
}

#[test]
fn a_cancelled_wait_for_the_standby_is_not_a_swap_async() {
    let Some(cluster) = ha::cluster("cancel-async") else {
        return;
    };
    let (primary, _) = cluster.wait_whole(Duration::from_secs(60));
    let app = format!("otpkit-ha-cancel-async-{}", std::process::id());
    let rt = runtime();
    let store = rt
        .block_on(AsyncPostgresStore::from_config(config(
            &cluster.params,
            &app,
        )))
        .unwrap();
    let store = std::sync::Arc::new(store);
    let (a, b) = records();
    let id = app.clone();
    let _ = rt.block_on(store.delete(&id));
    assert!(rt.block_on(store.enrol(&id, &a)).unwrap());
    let paused = pause_wal_receivers(&cluster, primary);
    let swap = {
        let (store, id) = (store.clone(), id.clone());
        rt.spawn(async move { store.compare_and_swap(&id, &a, &b).await })
    };
    assert_eq!(cancel_sync_rep_wait(&cluster, primary, &app), 1);
    let swap = rt.block_on(swap).unwrap();
    drop(paused);
    match swap {
        Err(e) if is_sync_rep_warning(&e) => {}
        other => panic!("a commit the server did not replicate gave {other:?}"),
    }
    assert_eq!(rt.block_on(store.load(&id)).unwrap(), Some(b));
    assert!(rt.block_on(store.delete(&id)).unwrap());
    cluster.wait_whole(Duration::from_secs(60));
}

/// `op`'s value once it answers: right after a pause the resumed server may still be slow,
/// and a statement may meet the bound once more.
fn retry<T>(op: impl Fn() -> Result<T, PostgresError>) -> T {
    let start = Instant::now();
    loop {
        match op() {
            Ok(value) => return value,
            Err(e) if start.elapsed() < Duration::from_secs(60) => {
                eprintln!("retrying after the pause: {e}");
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("no answer a minute after the pause: {e}"),
        }
    }
}

/// Pauses the primary node (Patroni and PostgreSQL) for `pause`, far below Patroni's ttl, so
/// that no failover happens, while `op` runs; `op`'s result and how long it took.
fn with_primary_paused<T>(
    cluster: &ha::Cluster,
    pause: Duration,
    op: impl FnOnce() -> T + Send,
) -> (T, Duration)
where
    T: Send,
{
    let (primary, _) = cluster.wait_whole(Duration::from_secs(60));
    cluster.ctl(&format!("pause {primary}"));
    let resume = ResumeOnDrop(cluster, primary);
    let start = Instant::now();
    let out = std::thread::scope(|s| {
        let op = s.spawn(op);
        std::thread::sleep(pause);
        drop(resume);
        op.join().unwrap()
    });
    (out, start.elapsed())
}

struct ResumeOnDrop<'a>(&'a ha::Cluster, usize);

impl Drop for ResumeOnDrop<'_> {
    fn drop(&mut self) {
        self.0.try_ctl(&format!("resume {}", self.1));
    }
}

#[test]
fn a_paused_primary_gives_the_bound_error_after_the_bound() {
    let Some(cluster) = ha::cluster("paused") else {
        return;
    };
    const BOUND: Duration = Duration::from_millis(1500);
    let app = format!("otpkit-ha-paused-{}", std::process::id());
    let store = PostgresStore::from_config(config(&cluster.params, &app))
        .unwrap()
        .with_statement_bound(BOUND);
    let (a, b) = records();
    let id = app.clone();
    let _ = store.delete(&id);
    assert!(store.enrol(&id, &a).unwrap());
    // The pause outlasts the bound: the swap ends by the bound, not by the resume.
    let (swap, took) = with_primary_paused(&cluster, BOUND * 3, || {
        let start = Instant::now();
        (store.compare_and_swap(&id, &a, &b), start.elapsed())
    });
    let (swap, waited) = swap;
    match swap {
        Err(PostgresError::Timeout(bound)) => assert_eq!(bound, BOUND),
        other => panic!("a swap on a paused primary gave {other:?}"),
    }
    assert!(
        waited >= BOUND && waited < BOUND + Duration::from_secs(1),
        "the error came after {waited:?}, bound {BOUND:?}"
    );
    assert!(took >= BOUND * 3);
    // A read on a paused primary is bounded too (the connection was dropped; a new one
    // waits for the server to answer, within its connect timeout).
    let (load, _) = with_primary_paused(&cluster, BOUND * 3, || {
        let start = Instant::now();
        (store.load(&id), start.elapsed())
    });
    assert!(
        load.0.is_err(),
        "a read on a paused primary gave {:?}",
        load.0
    );
    assert!(load.1 < BOUND * 3, "the read waited {:?}", load.1);
    // Resumed: the store reconnects, and the swap either happened or not, never half.
    let stored = retry(|| store.load(&id)).unwrap();
    assert!(stored == a || stored == b);
    // The clean-up too may meet the bound while the standby reconnects after the pause (a
    // delete that timed out may have committed): retried, then the row must be gone.
    retry(|| store.delete(&id));
    assert_eq!(retry(|| store.load(&id)), None);
}

#[test]
fn a_paused_primary_gives_the_bound_error_after_the_bound_async() {
    let Some(cluster) = ha::cluster("paused-async") else {
        return;
    };
    const BOUND: Duration = Duration::from_millis(1500);
    let app = format!("otpkit-ha-paused-async-{}", std::process::id());
    let rt = runtime();
    let store = rt
        .block_on(AsyncPostgresStore::from_config(config(
            &cluster.params,
            &app,
        )))
        .unwrap()
        .with_statement_bound(BOUND);
    let (a, b) = records();
    let id = app.clone();
    let _ = rt.block_on(store.delete(&id));
    assert!(rt.block_on(store.enrol(&id, &a)).unwrap());
    let ((swap, waited), _) = with_primary_paused(&cluster, BOUND * 3, || {
        let start = Instant::now();
        (
            rt.block_on(store.compare_and_swap(&id, &a, &b)),
            start.elapsed(),
        )
    });
    match swap {
        Err(PostgresError::Timeout(bound)) => assert_eq!(bound, BOUND),
        other => panic!("a swap on a paused primary gave {other:?}"),
    }
    assert!(
        waited >= BOUND && waited < BOUND + Duration::from_secs(1),
        "the error came after {waited:?}"
    );
    let stored = retry(|| rt.block_on(store.load(&id))).unwrap();
    assert!(stored == a || stored == b);
    // As in the blocking test: the clean-up retried, then the row must be gone.
    retry(|| rt.block_on(store.delete(&id)));
    assert_eq!(retry(|| rt.block_on(store.load(&id))), None);
}

/// Asks Patroni (node `via`'s REST API) to hand the primary role from `leader` to
/// `candidate`.
fn switchover(api_port: u16, leader: usize, candidate: usize) {
    let body = format!("{{\"leader\": \"n{leader}\", \"candidate\": \"n{candidate}\"}}");
    let mut s = TcpStream::connect(("127.0.0.1", api_port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "POST /switchover HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.0 200"), "switchover: {reply}");
}

#[test]
fn a_multi_host_string_reaches_the_primary_and_follows_a_switchover() {
    let Some(cluster) = ha::cluster("multi-host") else {
        return;
    };
    let (primary, _) = cluster.wait_whole(Duration::from_secs(60));
    // The standbys listed first: the client skips them.
    let mut order: Vec<usize> = cluster.nodes().filter(|&n| n != primary).collect();
    order.push(primary);
    let params = cluster.params_in_order(&order);
    let app = format!("otpkit-ha-multi-{}", std::process::id());
    let store = PostgresStore::from_config(config(&params, &app)).unwrap();
    let rt = runtime();
    let async_store = rt
        .block_on(AsyncPostgresStore::from_config(config(&params, &app)))
        .unwrap();
    let (a, b) = records();
    let id = app.clone();
    let _ = store.delete(&id);
    assert!(store.enrol(&id, &a).unwrap());
    let on_primary = |n: usize| -> Option<Vec<u8>> {
        let mut c = cluster.admin(n).unwrap();
        c.query_opt("SELECT record FROM otpkit_tokens WHERE id = $1", &[&id])
            .unwrap()
            .map(|row| row.get(0))
    };
    assert_eq!(on_primary(primary).as_deref(), Some(&a[..]));
    // A plain client with the same string lands on the primary too.
    let mut probe = postgres::Client::connect(&params, postgres::NoTls).unwrap();
    let port: i32 = probe
        .query_one("SELECT inet_server_port()", &[])
        .unwrap()
        .get(0);
    assert_eq!(port, i32::from(cluster.port(primary)));
    drop(probe);

    let (sync, _) = cluster.standbys(primary).unwrap();
    switchover(58010 + u16::try_from(primary).unwrap(), primary, sync);
    let (new_primary, _) = cluster.wait_whole(Duration::from_secs(90));
    assert_eq!(
        new_primary, sync,
        "Patroni handed over to the synchronous standby"
    );
    // Both stores' pooled connections were on the old primary: their next statements fail
    // or reach the new one; within a few tries each writes there.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match store.compare_and_swap(&id, &a, &b) {
            Ok(true) => break,
            Ok(false) => panic!("the record changed under the test"),
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("no write after the switchover: {e}"),
        }
    }
    assert_eq!(on_primary(new_primary).as_deref(), Some(&b[..]));
    loop {
        match rt.block_on(async_store.compare_and_swap(&id, &b, &a)) {
            Ok(true) => break,
            Ok(false) => panic!("the record changed under the test"),
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("no asynchronous write after the switchover: {e}"),
        }
    }
    assert_eq!(on_primary(new_primary).as_deref(), Some(&a[..]));
    // The old primary is a standby now: a read-write connection to it alone is refused.
    let alone = cluster.node_params(primary, "target_session_attrs=read-write");
    assert!(postgres::Client::connect(&alone, postgres::NoTls).is_err());
    assert!(store.delete(&id).unwrap());
}
