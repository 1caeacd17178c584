//! The SQLite store: one row per token in a database file, the compare-and-swap one
//! conditional `UPDATE`.

use core::time::Duration;
use std::path::Path;
use std::string::String;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{EnrolStore, KeyStore, KeyWrite, RecordBytes, Store};
use crate::StateRecord;

// The schema's `CHECK` spells the records' lengths out (format versions 2 and 1).
const _: () = assert!(StateRecord::ENCODED_LEN == 50 && StateRecord::ENCODED_LEN_V1 == 34);

/// Records in an SQLite database ([`rusqlite`]): one row per token, the compare-and-swap a
/// single conditional `UPDATE`, so any number of processes can verify against one file.
///
/// The table ([`SCHEMA`](Self::SCHEMA)) has the token id as its primary key, the record's
/// bytes, and a nullable `sealed_key` column for [`KeyStore`], which the compare-and-swap
/// neither reads nor writes, and which [`EnrolStore`] writes with the first record in one
/// statement:
///
/// ```sql
/// UPDATE otpkit_tokens SET record = :new WHERE id = :id AND record = :old
/// ```
///
/// One connection serves the store, behind a mutex: statements from the threads of a process
/// run one at a time, as SQLite runs writes anyway. Every method is one statement in
/// autocommit mode, so a crash leaves each row either before or after a write, never between.
///
/// # Examples
///
/// ```
/// use otpkit::store::{SqliteStore, Verifier};
/// use otpkit::{Enrolled, EnrolmentId, Hotp, HotpParams, Policy, StateRecord};
///
/// # let dir = std::env::temp_dir().join(format!("otpkit-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// # let path = dir.join("tokens.sqlite3");
/// let store = SqliteStore::open(&path)?; // creates the file and the table if missing
/// let verifier = Verifier::new(store, Policy::default());
/// let enrolment = EnrolmentId::random()?;
/// verifier.enrol("token-7", &StateRecord::counter(0).with_enrolment(enrolment))?;
///
/// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
/// let hotp = Enrolled::new(hotp, enrolment);
/// assert_eq!(verifier.verify_hotp("token-7", &hotp, 0, "755224")?.matched, 0);
/// assert!(verifier.verify_hotp("token-7", &hotp, 0, "755224").is_err()); // replay
/// # drop(verifier);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// The table: the token id, its record ([`StateRecord::ENCODED_LEN`] bytes, or
    /// [`StateRecord::ENCODED_LEN_V1`] for a record an earlier release wrote) and its sealed
    /// key. Run by [`open`](Self::open) and [`from_connection`](Self::from_connection), after
    /// [`migrate`](Self::migrate).
    pub const SCHEMA: &'static str = "CREATE TABLE IF NOT EXISTS otpkit_tokens (
        id TEXT PRIMARY KEY NOT NULL,
        record BLOB NOT NULL CHECK (length(record) IN (50, 34)),
        sealed_key BLOB
    )";

    /// The one-row table of the current master-key id ([`KeyStore::current_master_key`]),
    /// created beside [`SCHEMA`](Self::SCHEMA).
    /// Its one row is always there, its `id` `NULL` until a master key is made current.
    pub const MASTER_KEY_SCHEMA: &'static str = "CREATE TABLE IF NOT EXISTS otpkit_master_key (
        one INTEGER PRIMARY KEY NOT NULL CHECK (one = 1),
        id INTEGER CHECK (id BETWEEN 0 AND 4294967295)
    );
    INSERT OR IGNORE INTO otpkit_master_key (one, id) VALUES (1, NULL)";

    /// The `CHECK` of the table of earlier releases, which allowed records of format version 1
    /// (34 bytes) only.
    const CHECK_V1: &'static str = "CHECK (length(record) = 34)";

    /// How long [`open`](Self::open) lets a statement wait for another process's write lock.
    pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

    /// Opens (or creates) the database at `path` for many processes at once: write-ahead
    /// logging (readers never wait for the writer), `synchronous = FULL` (each commit on disk
    /// before it returns), a busy timeout of [`BUSY_TIMEOUT`](Self::BUSY_TIMEOUT), and the
    /// table created if missing.
    ///
    /// # Errors
    ///
    /// SQLite's: the file cannot be opened or created, is not a database, or is read-only.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, rusqlite::Error> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Self::BUSY_TIMEOUT)?;
        // Returns the mode it set: "wal", or "memory" for an in-memory database.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        // Every commit reaches the disk before it returns, whatever the library's compiled-in
        // default: a committed acceptance survives a power cut, so its code stays spent.
        conn.pragma_update(None, "synchronous", "FULL")?;
        SqliteStore::from_connection(conn)
    }

    /// A store over a connection the caller configured (pragmas, busy timeout, flags), which
    /// may hold the caller's own tables too. Only the table is created if missing, or
    /// [migrated](Self::migrate) from an earlier release's.
    ///
    /// # Errors
    ///
    /// SQLite's, from migrating or creating the table.
    pub fn from_connection(mut conn: Connection) -> Result<SqliteStore, rusqlite::Error> {
        SqliteStore::migrate(&mut conn)?;
        conn.execute_batch(Self::SCHEMA)?;
        conn.execute_batch(Self::MASTER_KEY_SCHEMA)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    /// Brings a table of an earlier release, whose `CHECK` allows only records of format
    /// version 1 (34 bytes), to [`SCHEMA`](Self::SCHEMA), which also allows version 2 (50
    /// bytes). `Ok(true)` when it rebuilt the table, `Ok(false)` when there was nothing to do.
    ///
    /// SQLite cannot change a `CHECK` in place, so the table is rebuilt as SQLite's manual
    /// says (create, copy, drop, rename), in one `IMMEDIATE` transaction: other processes
    /// wait, and see the old table or the new one, never neither. Rows are copied as they
    /// are; a record of version 1 is written back as version 2 at its next change. Foreign
    /// keys are off during the rebuild (dropping the old table would otherwise delete the
    /// rows of the caller's tables that reference it) and checked before the commit.
    ///
    /// [`open`](Self::open) and [`from_connection`](Self::from_connection) run it.
    ///
    /// # Errors
    ///
    /// SQLite's; the transaction is rolled back, and the table left as it was.
    pub fn migrate(conn: &mut Connection) -> Result<bool, rusqlite::Error> {
        // A plain read first: a table already migrated (or a read-only database) needs no
        // write lock.
        if !SqliteStore::has_v1_table(conn)? {
            return Ok(false);
        }
        let foreign_keys: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        if foreign_keys {
            // A no-op inside a transaction: it must be turned off before.
            conn.pragma_update(None, "foreign_keys", false)?;
        }
        let rebuilt = SqliteStore::rebuild_v1_table(conn);
        if foreign_keys {
            conn.pragma_update(None, "foreign_keys", true)?;
        }
        rebuilt
    }

    /// Whether the table is an earlier release's, with the `CHECK` of format 1 only.
    fn has_v1_table(conn: &Connection) -> Result<bool, rusqlite::Error> {
        let sql: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'otpkit_tokens'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(sql.is_some_and(|sql| sql.contains(Self::CHECK_V1)))
    }

    fn rebuild_v1_table(conn: &mut Connection) -> Result<bool, rusqlite::Error> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Read again under the write lock: another process may have migrated it meanwhile.
        if !SqliteStore::has_v1_table(&tx)? {
            return Ok(false);
        }
        tx.execute_batch(&std::format!(
            "{schema};
             INSERT INTO otpkit_tokens_v2 (id, record, sealed_key)
                 SELECT id, record, sealed_key FROM otpkit_tokens;
             DROP TABLE otpkit_tokens;
             ALTER TABLE otpkit_tokens_v2 RENAME TO otpkit_tokens;",
            schema = Self::SCHEMA.replacen("otpkit_tokens", "otpkit_tokens_v2", 1),
        ))?;
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if broken.is_some() {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some("otpkit_tokens migration: foreign key check failed".into()),
            ));
        }
        tx.commit()?;
        Ok(true)
    }

    /// The connection, for the caller's own tables and transactions. Statements of the store
    /// wait while the guard is held.
    ///
    /// A transaction left open on it would hold the store's writes back until committed: keep
    /// the compare-and-swap out of the caller's transactions, or commit them first.
    pub fn connection(&self) -> MutexGuard<'_, Connection> {
        // Each statement completes or fails inside SQLite: a panic elsewhere while the guard
        // was held leaves no half-written row.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The connection back, closing nothing.
    pub fn into_connection(self) -> Connection {
        self.conn
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `sql` with `params`, returning whether it changed exactly one row.
    fn execute_one(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<bool, rusqlite::Error> {
        Ok(self.connection().prepare_cached(sql)?.execute(params)? == 1)
    }
}

impl Store for SqliteStore {
    type Error = rusqlite::Error;

    fn enrol(&self, id: &str, record: &RecordBytes) -> Result<bool, Self::Error> {
        self.execute_one(
            "INSERT INTO otpkit_tokens (id, record) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
            params![id, &record[..]],
        )
    }

    fn delete(&self, id: &str) -> Result<bool, Self::Error> {
        self.execute_one("DELETE FROM otpkit_tokens WHERE id = ?1", [id])
    }

    fn load(&self, id: &str) -> Result<Option<RecordBytes>, Self::Error> {
        // `[u8; N]` from a blob of another length is `FromSqlConversionFailure`
        // (`InvalidBlobSize`), never a truncated record.
        self.connection()
            .prepare_cached("SELECT record FROM otpkit_tokens WHERE id = ?1")?
            .query_row([id], |row| row.get::<_, RecordBytes>(0))
            .optional()
    }

    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> Result<bool, Self::Error> {
        self.execute_one(
            "UPDATE otpkit_tokens SET record = ?3 WHERE id = ?1 AND record = ?2",
            params![id, &old[..], &new[..]],
        )
    }
}

/// Each method is one `INSERT … ON CONFLICT` statement, in autocommit mode.
impl EnrolStore for SqliteStore {
    type Error = rusqlite::Error;

    fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error> {
        if super::unbound(record) {
            return Ok(KeyWrite::Unbound);
        }
        let master_key = sealed_key.and_then(super::sealed_master_key);
        if self.execute_one(
            "INSERT INTO otpkit_tokens (id, record, sealed_key) SELECT ?1, ?2, ?3 \
             WHERE ?4 IS NULL OR coalesce((SELECT id FROM otpkit_master_key), ?4) = ?4 \
             ON CONFLICT (id) DO NOTHING",
            params![id, &record[..], sealed_key, master_key],
        )? {
            return Ok(KeyWrite::Stored);
        }
        self.refusal(master_key, KeyWrite::AlreadyEnrolled)
    }

    fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error> {
        if super::unbound(record) {
            return Ok(KeyWrite::Unbound);
        }
        let master_key = sealed_key.and_then(super::sealed_master_key);
        if self.execute_one(
            "INSERT INTO otpkit_tokens (id, record, sealed_key) SELECT ?1, ?2, ?3 \
             WHERE ?4 IS NULL OR coalesce((SELECT id FROM otpkit_master_key), ?4) = ?4 \
             ON CONFLICT (id) DO UPDATE SET record = excluded.record, \
             sealed_key = excluded.sealed_key",
            params![id, &record[..], sealed_key, master_key],
        )? {
            return Ok(KeyWrite::Stored);
        }
        self.refusal(master_key, KeyWrite::Stored)
    }
}

impl SqliteStore {
    /// Why a key write under `master_key` changed nothing: a retired master key, or else
    /// `otherwise`.
    fn refusal(
        &self,
        master_key: Option<u32>,
        otherwise: KeyWrite,
    ) -> Result<KeyWrite, rusqlite::Error> {
        Ok(match (master_key, self.current_master_key()?) {
            (Some(sealed), Some(current)) if sealed != current => {
                KeyWrite::RetiredMasterKey { current }
            }
            _ => otherwise,
        })
    }
}

/// A stored record: a blob of a record's length ([`RecordBytes::try_from`]); any other length
/// is [`FromSqlError::InvalidBlobSize`], never a truncated record.
impl FromSql for RecordBytes {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let blob = value.as_blob()?;
        RecordBytes::try_from(blob).map_err(|_| FromSqlError::InvalidBlobSize {
            expected_size: StateRecord::ENCODED_LEN,
            blob_size: blob.len(),
        })
    }
}

impl KeyStore for SqliteStore {
    type Error = rusqlite::Error;

    fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> Result<KeyWrite, Self::Error> {
        // One statement: SQLite runs it under the database's write lock, so the check and the
        // write are one step.
        if self.execute_one(
            "UPDATE otpkit_tokens SET sealed_key = ?2 WHERE id = ?1 \
             AND coalesce((SELECT id FROM otpkit_master_key), ?3) = ?3",
            params![id, sealed, master_key],
        )? {
            return Ok(KeyWrite::Stored);
        }
        Ok(match self.current_master_key()? {
            Some(current) if current != master_key => KeyWrite::RetiredMasterKey { current },
            _ => KeyWrite::UnknownToken,
        })
    }

    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error> {
        Ok(self
            .connection()
            .prepare_cached("SELECT sealed_key FROM otpkit_tokens WHERE id = ?1")?
            .query_row([id], |row| row.get::<_, Option<Vec<u8>>>(0))
            .optional()?
            .flatten())
    }

    fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, Self::Error> {
        self.execute_one(
            "UPDATE otpkit_tokens SET sealed_key = ?3 WHERE id = ?1 AND sealed_key = ?2",
            params![id, old, new],
        )
    }

    fn ids_with_keys(&self, after: Option<&str>, limit: usize) -> Result<Vec<String>, Self::Error> {
        // Two statements rather than `?1 IS NULL OR id > ?1`, so that each page is a range
        // scan of the primary key.
        let conn = self.connection();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let id = |row: &rusqlite::Row<'_>| row.get::<_, String>(0);
        match after {
            None => conn
                .prepare_cached(
                    "SELECT id FROM otpkit_tokens WHERE sealed_key IS NOT NULL \
                     ORDER BY id LIMIT ?1",
                )?
                .query_map([limit], id)?
                .collect(),
            Some(after) => conn
                .prepare_cached(
                    "SELECT id FROM otpkit_tokens WHERE sealed_key IS NOT NULL AND id > ?1 \
                     ORDER BY id LIMIT ?2",
                )?
                .query_map(params![after, limit], id)?
                .collect(),
        }
    }

    fn current_master_key(&self) -> Result<Option<u32>, Self::Error> {
        Ok(self
            .connection()
            .prepare_cached("SELECT id FROM otpkit_master_key")?
            .query_row([], |row| row.get::<_, Option<u32>>(0))
            .optional()?
            .flatten())
    }

    fn replace_current_master_key(&self, old: Option<u32>, new: u32) -> Result<bool, Self::Error> {
        self.execute_one(
            "UPDATE otpkit_master_key SET id = ?2 WHERE id IS ?1",
            params![old, new],
        )
    }
}
