//! The SQLite store: one row per token in a database file, the compare-and-swap one
//! conditional `UPDATE`.

use core::time::Duration;
use std::path::Path;
use std::string::String;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use rusqlite::{Connection, OptionalExtension, params};

use super::{KeyStore, KeyWrite, RecordBytes, Store};

// The schema's `CHECK` spells the record's length out.
const _: () = assert!(crate::StateRecord::ENCODED_LEN == 34);

/// Records in an SQLite database ([`rusqlite`]): one row per token, the compare-and-swap a
/// single conditional `UPDATE`, so any number of processes can verify against one file.
///
/// The table ([`SCHEMA`](Self::SCHEMA)) has the token id as its primary key, the record's
/// bytes, and a nullable `sealed_key` column for [`KeyStore`], which the compare-and-swap
/// neither reads nor writes:
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
/// use otpkit::{Hotp, HotpParams, Policy, StateRecord};
///
/// # let dir = std::env::temp_dir().join(format!("otpkit-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// # let path = dir.join("tokens.sqlite3");
/// let store = SqliteStore::open(&path)?; // creates the file and the table if missing
/// let verifier = Verifier::new(store, Policy::default());
/// verifier.enrol("token-7", &StateRecord::counter(0))?;
///
/// let hotp = Hotp::new(b"12345678901234567890", HotpParams::default())?;
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
    /// The table: the token id, its record (exactly [`StateRecord::ENCODED_LEN`] bytes) and
    /// its sealed key. Run by [`open`](Self::open) and [`from_connection`](Self::from_connection).
    ///
    /// [`StateRecord::ENCODED_LEN`]: crate::StateRecord::ENCODED_LEN
    pub const SCHEMA: &'static str = "CREATE TABLE IF NOT EXISTS otpkit_tokens (
        id TEXT PRIMARY KEY NOT NULL,
        record BLOB NOT NULL CHECK (length(record) = 34),
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
    /// may hold the caller's own tables too. Only the table is created if missing.
    ///
    /// # Errors
    ///
    /// SQLite's, from creating the table.
    pub fn from_connection(conn: Connection) -> Result<SqliteStore, rusqlite::Error> {
        conn.execute_batch(Self::SCHEMA)?;
        conn.execute_batch(Self::MASTER_KEY_SCHEMA)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
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
