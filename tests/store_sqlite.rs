//! `store::SqliteStore` through the shared store suite (`support/store_suite.rs`), in a
//! database file of its own per test: one record per token, compare-and-swap, exactly once
//! under threads (one connection) and across stores on one file (one connection each),
//! exact failure counts, typed errors, sealed keys outside the swap.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

#[cfg(feature = "sealed-keys")]
#[path = "support/rotation_suite.rs"]
mod rotation_suite;
#[path = "support/store_suite.rs"]
mod store_suite;

use std::path::PathBuf;

use otpkit::StateRecord;
use otpkit::store::{SqliteStore, Store};
use rusqlite::Connection;

/// A fresh database path, removed (with its WAL files) on drop.
struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> TempDb {
        let path = std::env::temp_dir().join(format!(
            "otpkit-store-{name}-{}.sqlite3",
            std::process::id()
        ));
        let db = TempDb(path);
        db.remove();
        db
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        self.remove();
    }
}

#[test]
fn sqlite_store_crud() {
    let db = TempDb::new("crud");
    store_suite::crud(&SqliteStore::open(&db.0).unwrap(), "alice");
}

#[test]
fn sqlite_store_exactly_once_under_threads() {
    let db = TempDb::new("once");
    store_suite::exactly_once(&SqliteStore::open(&db.0).unwrap(), "alice", 8, 200);
}

/// Each thread its own store on the same file, as separate processes would have.
struct PerThread(Vec<SqliteStore>);

/// The stores as one: each call goes to the calling thread's own connection.
impl Store for PerThread {
    type Error = rusqlite::Error;

    fn enrol(&self, id: &str, record: &otpkit::store::RecordBytes) -> Result<bool, Self::Error> {
        self.pick().enrol(id, record)
    }

    fn delete(&self, id: &str) -> Result<bool, Self::Error> {
        self.pick().delete(id)
    }

    fn load(&self, id: &str) -> Result<Option<otpkit::store::RecordBytes>, Self::Error> {
        self.pick().load(id)
    }

    fn compare_and_swap(
        &self,
        id: &str,
        old: &otpkit::store::RecordBytes,
        new: &otpkit::store::RecordBytes,
    ) -> Result<bool, Self::Error> {
        self.pick().compare_and_swap(id, old, new)
    }
}

impl PerThread {
    fn pick(&self) -> &SqliteStore {
        use core::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        thread_local!(static MINE: usize = NEXT.fetch_add(1, Ordering::Relaxed));
        &self.0[MINE.with(|n| *n) % self.0.len()]
    }
}

#[test]
fn sqlite_store_exactly_once_across_connections() {
    let db = TempDb::new("connections");
    let stores = PerThread((0..8).map(|_| SqliteStore::open(&db.0).unwrap()).collect());
    store_suite::exactly_once(&stores, "alice", 8, 100);
    store_suite::failures_counted_exactly(&stores, "bob", 8);
}

#[test]
fn sqlite_store_failures_counted_exactly() {
    let db = TempDb::new("failures");
    store_suite::failures_counted_exactly(&SqliteStore::open(&db.0).unwrap(), "alice", 8);
}

#[test]
fn sqlite_store_corrupt_and_unknown() {
    let db = TempDb::new("corrupt");
    store_suite::corrupt_and_unknown(&SqliteStore::open(&db.0).unwrap(), "alice");
}

#[test]
fn sqlite_store_sealed_keys() {
    let db = TempDb::new("keys");
    store_suite::sealed_keys(&SqliteStore::open(&db.0).unwrap(), "alice");
}

#[test]
fn sqlite_store_sealed_key_swap() {
    let db = TempDb::new("key-swap");
    store_suite::sealed_key_swap(&SqliteStore::open(&db.0).unwrap(), "alice");
}

#[test]
fn sqlite_store_ids_in_pages() {
    let db = TempDb::new("pages");
    store_suite::ids_in_pages(&SqliteStore::open(&db.0).unwrap(), "user");
}

#[test]
fn sqlite_store_current_master_key() {
    let db = TempDb::new("master-key");
    store_suite::current_master_key(&SqliteStore::open(&db.0).unwrap(), "alice");
    // Kept in the file.
    assert_eq!(
        otpkit::store::KeyStore::current_master_key(&SqliteStore::open(&db.0).unwrap()).unwrap(),
        Some(0)
    );
}

#[test]
fn sqlite_store_enrolment_under_a_retired_master_key() {
    let db = TempDb::new("retired");
    let store = SqliteStore::open(&db.0).unwrap();
    store_suite::enrolment_under_a_retired_master_key(&store, "alice");
}

#[cfg(feature = "sealed-keys")]
#[test]
fn sqlite_store_master_key_rotation() {
    let db = TempDb::new("rotation");
    rotation_suite::all_and_threads(&SqliteStore::open(&db.0).unwrap(), "user");
}

#[test]
fn sqlite_store_atomic_enrolment() {
    let db = TempDb::new("enrol");
    store_suite::atomic_enrolment(&SqliteStore::open(&db.0).unwrap(), "alice");
}

#[test]
fn sqlite_store_v1_record_is_written_back_as_v2() {
    let db = TempDb::new("v1");
    store_suite::v1_record_is_written_back_as_v2(&SqliteStore::open(&db.0).unwrap(), "alice");
}

/// The table of releases before record format 2, with its 34-byte `CHECK`.
const TABLE_V1: &str = "CREATE TABLE IF NOT EXISTS otpkit_tokens (
        id TEXT PRIMARY KEY NOT NULL,
        record BLOB NOT NULL CHECK (length(record) = 34),
        sealed_key BLOB
    )";

/// A table of an earlier release is rebuilt with the new `CHECK`, keeping every row (record
/// and key) and the caller's rows that reference it under an enforced foreign key; its
/// version-1 records then verify and are written back as version 2, which the old table
/// refused.
#[test]
fn sqlite_store_migrates_a_table_of_record_format_1() {
    let db = TempDb::new("migrate");
    let conn = Connection::open(&db.0).unwrap();
    conn.execute_batch(TABLE_V1).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         CREATE TABLE users (name TEXT PRIMARY KEY,
             token TEXT REFERENCES otpkit_tokens (id) ON DELETE CASCADE);",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO otpkit_tokens (id, record, sealed_key) VALUES ('alice', ?1, x'0a0b')",
        [&store_suite::V1_COUNTER_0[..]],
    )
    .unwrap();
    conn.execute("INSERT INTO users VALUES ('Alice', 'alice')", [])
        .unwrap();
    let v2 = StateRecord::counter(5).to_bytes();
    let refused = conn.execute(
        "INSERT INTO otpkit_tokens (id, record) VALUES ('bob', ?1)",
        [&v2[..]],
    );
    assert!(refused.is_err(), "the old table refuses a version-2 record");

    let store = SqliteStore::from_connection(conn).unwrap();
    let mut conn = store.into_connection();
    assert!(!SqliteStore::migrate(&mut conn).unwrap(), "done once only");
    let foreign_keys: bool = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert!(foreign_keys, "the caller's setting is restored");
    let users: i64 = conn
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 1, "the caller's rows survive the rebuild");
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'otpkit_tokens'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.contains("IN (50, 34)"), "{sql}");
    let store = SqliteStore::from_connection(conn).unwrap();
    assert_eq!(
        otpkit::store::KeyStore::sealed_key(&store, "alice").unwrap(),
        Some(vec![0x0a, 0x0b])
    );
    assert!(
        store.enrol("bob", &v2).unwrap(),
        "a version-2 record fits now"
    );
    let verifier = otpkit::store::Verifier::new(&store, otpkit::Policy::default());
    let hotp = otpkit::Hotp::new(b"12345678901234567890", otpkit::HotpParams::default()).unwrap();
    assert_eq!(
        verifier
            .verify_hotp("alice", &hotp, 0, "755224")
            .unwrap()
            .matched,
        0
    );
    assert_eq!(
        store.load("alice").unwrap().unwrap().len(),
        StateRecord::ENCODED_LEN
    );
}

/// Processes opening a table of an earlier release at once: each migration runs under the
/// write lock and reads the table again there, so exactly one rebuilds it, the others find it
/// done, and no row is lost.
#[test]
fn sqlite_store_migrates_once_when_opened_at_once() {
    let db = TempDb::new("migrate-race");
    {
        let conn = Connection::open(&db.0).unwrap();
        conn.execute_batch(TABLE_V1).unwrap();
        for i in 0..50 {
            conn.execute(
                "INSERT INTO otpkit_tokens (id, record) VALUES (?1, ?2)",
                rusqlite::params![format!("t{i}"), &store_suite::V1_COUNTER_0[..]],
            )
            .unwrap();
        }
    }
    let barrier = std::sync::Barrier::new(4);
    let rebuilt: Vec<bool> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let mut conn = Connection::open(&db.0).unwrap();
                    conn.busy_timeout(SqliteStore::BUSY_TIMEOUT).unwrap();
                    barrier.wait();
                    SqliteStore::migrate(&mut conn).unwrap()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(rebuilt.iter().filter(|&&r| r).count(), 1, "{rebuilt:?}");
    let store = SqliteStore::open(&db.0).unwrap();
    for i in 0..50 {
        let stored = store.load(&format!("t{i}")).unwrap().unwrap();
        assert_eq!(&stored[..], &store_suite::V1_COUNTER_0[..]);
    }
}

#[test]
fn sqlite_store_refuses_a_record_of_another_length() {
    let db = TempDb::new("length");
    let store = SqliteStore::open(&db.0).unwrap();
    let err = store
        .connection()
        .execute(
            "INSERT INTO otpkit_tokens (id, record) VALUES ('short', x'0102')",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("CHECK"), "{err}");
    // A table made before (or by someone else) without the CHECK: a store error on load.
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE otpkit_tokens (id TEXT PRIMARY KEY, record BLOB NOT NULL, sealed_key BLOB)",
    )
    .unwrap();
    let store = SqliteStore::from_connection(conn).unwrap();
    store_suite::bad_length_is_an_error(&store, "short", || {
        store
            .connection()
            .execute(
                "INSERT INTO otpkit_tokens (id, record) VALUES ('short', x'0102')",
                [],
            )
            .unwrap();
    });
}

#[test]
fn sqlite_store_open_sets_wal_and_keeps_callers_tables() {
    let db = TempDb::new("wal");
    let store = SqliteStore::open(&db.0).unwrap();
    let mode: String = store
        .connection()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let synchronous: i64 = store
        .connection()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(synchronous, 2, "FULL");
    assert!(
        store
            .enrol("t", &StateRecord::counter(0).to_bytes())
            .unwrap()
    );
    // The caller's own table on the same connection, and the store over it again.
    let conn = store.into_connection();
    conn.execute_batch("CREATE TABLE users (name TEXT)")
        .unwrap();
    let store = SqliteStore::from_connection(conn).unwrap();
    assert_eq!(
        store.load("t").unwrap(),
        Some(StateRecord::counter(0).to_bytes()),
        "reopening keeps the rows"
    );
}

#[test]
fn store_sqlite_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<otpkit::store::SqliteStore>();
}
