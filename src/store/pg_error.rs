//! What the PostgreSQL stores share: their error, their table, and how a refused statement
//! is told from a lost connection.

use core::fmt;
use core::time::Duration;
use std::boxed::Box;

use tokio_postgres::error::{DbError, Severity};

// The schema's `CHECK` spells the records' lengths out (format versions 2 and 1).
const _: () =
    assert!(crate::StateRecord::ENCODED_LEN == 50 && crate::StateRecord::ENCODED_LEN_V1 == 34);

/// A failure of the PostgreSQL stores (`PostgresStore`, `AsyncPostgresStore`).
#[derive(Debug)]
#[non_exhaustive]
pub enum PostgresError {
    /// The client's error: no connection, a connection lost during a statement (whose write
    /// may or may not have happened), or the server refusing a statement.
    Postgres(tokio_postgres::Error),
    /// A stored record is neither [`StateRecord::ENCODED_LEN`](crate::StateRecord::ENCODED_LEN)
    /// nor [`StateRecord::ENCODED_LEN_V1`](crate::StateRecord::ENCODED_LEN_V1) bytes long (a
    /// table written by something else: the schema's `CHECK` forbids it).
    RecordLength(usize),
    /// The stored current master-key id is not a `u32` (a table written by something else:
    /// the schema's `CHECK` forbids it).
    MasterKeyId(i64),
    /// No answer within the store's statement bound (a paused or unreachable server, or a
    /// commit waiting for a synchronous standby that does not answer): the statement was
    /// cancelled and its connection dropped. A write may still have committed, so for a
    /// verification this means **the code may be spent, and nobody was admitted**: the
    /// verifier reports no acceptance, and the user enters the next code.
    Timeout(Duration),
    /// The server warned during the statement (PostgreSQL's "canceling wait for synchronous
    /// replication ... committed locally, but might not have been replicated", or any other
    /// `WARNING`): the write may be on the primary only, and lost by a failover. Treated as
    /// not known to be written: the code may be spent, and nobody was admitted.
    NotDurable(Box<DbError>),
    /// The client's runtime for a new connection could not be created (no file descriptors
    /// left, say).
    Io(std::io::Error),
}

impl fmt::Display for PostgresError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostgresError::Postgres(e) => write!(f, "postgres: {e}"),
            PostgresError::RecordLength(len) => {
                write!(f, "stored record is {len} bytes long, not 50 (or 34)")
            }
            PostgresError::MasterKeyId(id) => write!(f, "stored master-key id {id} out of range"),
            PostgresError::Timeout(bound) => write!(
                f,
                "no answer within {} ms: the statement was cancelled, a write may or may not \
                 have committed",
                bound.as_millis()
            ),
            PostgresError::NotDurable(notice) => write!(
                f,
                "the server warned the write may not be durable: {}",
                notice.message()
            ),
            PostgresError::Io(e) => write!(f, "client runtime: {e}"),
        }
    }
}

impl core::error::Error for PostgresError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            PostgresError::Postgres(e) => Some(e),
            PostgresError::NotDurable(notice) => Some(&**notice),
            PostgresError::Io(e) => Some(e),
            PostgresError::RecordLength(_)
            | PostgresError::Timeout(_)
            | PostgresError::MasterKeyId(_) => None,
        }
    }
}

impl From<tokio_postgres::Error> for PostgresError {
    fn from(e: tokio_postgres::Error) -> PostgresError {
        PostgresError::Postgres(e)
    }
}

/// The table of both PostgreSQL stores, and the migration of an earlier release's table,
/// whose `CHECK` allowed only records of format version 1 (34 bytes): the constraint is
/// replaced in one statement, under the table's lock, and rows are kept as they are (a record
/// of version 1 is written back as version 2 at its next change). Run again, it does nothing.
pub(super) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS otpkit_tokens (
        id text PRIMARY KEY,
        record bytea NOT NULL
            CONSTRAINT otpkit_tokens_record_check CHECK (octet_length(record) IN (50, 34)),
        sealed_key bytea
    );
    DO $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM pg_constraint
            WHERE conrelid = 'otpkit_tokens'::regclass
              AND conname = 'otpkit_tokens_record_check'
              AND pg_get_constraintdef(oid) = 'CHECK ((octet_length(record) = 34))'
        ) THEN
            ALTER TABLE otpkit_tokens
                DROP CONSTRAINT otpkit_tokens_record_check,
                ADD CONSTRAINT otpkit_tokens_record_check
                    CHECK (octet_length(record) IN (50, 34));
        END IF;
    END
    $$";

/// Enrolment of a token with its key: one statement, which writes both or neither; `$4` is
/// the key's master-key id (`NULL`: no key, or not of this crate's format), checked against
/// the current one under the lock of its row, as in `key_sql::PUT`.
pub(super) const ENROL_WITH_KEY: &str = "INSERT INTO otpkit_tokens (id, record, sealed_key) \
     SELECT $1::text, $2::bytea, $3::bytea WHERE $4::bigint IS NULL \
         OR coalesce((SELECT id FROM otpkit_master_key FOR SHARE), $4) = $4 \
     ON CONFLICT (id) DO NOTHING";

/// Re-enrolment: one statement replacing record and key together, or enrolling a new id;
/// `$4` as in [`ENROL_WITH_KEY`].
pub(super) const REENROL: &str = "INSERT INTO otpkit_tokens (id, record, sealed_key) \
     SELECT $1::text, $2::bytea, $3::bytea WHERE $4::bigint IS NULL \
         OR coalesce((SELECT id FROM otpkit_master_key FOR SHARE), $4) = $4 \
     ON CONFLICT (id) DO UPDATE SET record = excluded.record, sealed_key = excluded.sealed_key";

/// Why a key write under `master_key` changed nothing, given the `current` master key: a
/// retired master key, or else `otherwise`.
pub(super) fn refusal(
    master_key: Option<u32>,
    current: Option<u32>,
    otherwise: super::KeyWrite,
) -> super::KeyWrite {
    match (master_key, current) {
        (Some(sealed), Some(current)) if sealed != current => {
            super::KeyWrite::RetiredMasterKey { current }
        }
        _ => otherwise,
    }
}

/// The one-row table of the current master-key id (`KeyStore::current_master_key`), beside
/// [`SCHEMA`]: its row is always there, its `id` `NULL` until a master key is made current, so
/// that a key write can lock it (`FOR SHARE`) while it checks the id.
pub(super) const MASTER_KEY_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS otpkit_master_key (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        id bigint CHECK (id BETWEEN 0 AND 4294967295)
    );
    INSERT INTO otpkit_master_key (one, id) VALUES (true, NULL) ON CONFLICT DO NOTHING";

/// Everything a store sets up when it opens: [`SCHEMA`] (with the migration of an earlier
/// release's table) and [`MASTER_KEY_SCHEMA`], in one transaction under an advisory lock, so
/// that servers opening the same database at once take turns. `CREATE TABLE IF NOT EXISTS` is
/// not safe against itself (the loser meets the winner's row type), and two migrations would
/// both try to swap the same constraint.
pub(super) fn setup_batch() -> alloc::string::String {
    // The lock's key: "otpkit" in ASCII.
    alloc::format!(
        "BEGIN; SELECT pg_advisory_xact_lock(122545892977012); {SCHEMA}; {MASTER_KEY_SCHEMA}; COMMIT"
    )
}

/// The statements of `KeyStore` and `AsyncKeyStore`, shared by both PostgreSQL stores.
pub(super) mod key_sql {
    /// `$1` id, `$2` sealed key, `$3` its master-key id. The subquery locks the master-key row,
    /// so a replacement of the current id waits for this write, and this write, if it waited
    /// for a replacement, sees the new id.
    pub(crate) const PUT: &str = "UPDATE otpkit_tokens SET sealed_key = $2 WHERE id = $1 \
         AND coalesce((SELECT id FROM otpkit_master_key FOR SHARE), $3) = $3";
    pub(crate) const GET: &str = "SELECT sealed_key FROM otpkit_tokens WHERE id = $1";
    pub(crate) const SWAP: &str =
        "UPDATE otpkit_tokens SET sealed_key = $3 WHERE id = $1 AND sealed_key = $2";
    pub(crate) const IDS_FIRST: &str = "SELECT id FROM otpkit_tokens \
         WHERE sealed_key IS NOT NULL ORDER BY id LIMIT $1";
    pub(crate) const IDS_AFTER: &str = "SELECT id FROM otpkit_tokens \
         WHERE sealed_key IS NOT NULL AND id > $1 ORDER BY id LIMIT $2";
    pub(crate) const MASTER: &str = "SELECT id FROM otpkit_master_key";
    pub(crate) const REPLACE_MASTER: &str =
        "UPDATE otpkit_master_key SET id = $2 WHERE id IS NOT DISTINCT FROM $1";
}

/// A master-key id as stored (`bigint`), and back; an id out of range is the store's error.
pub(super) fn master_key_from_db(id: Option<i64>) -> Result<Option<u32>, PostgresError> {
    id.map(|id| u32::try_from(id).map_err(|_| PostgresError::MasterKeyId(id)))
        .transpose()
}

/// Whether the server refused a statement and kept the session: an `ERROR`, not the `FATAL`
/// that ends the connection (a terminated backend, a shutting-down server) nor an I/O error.
pub(super) fn refused(e: &tokio_postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|db| db.parsed_severity() == Some(Severity::Error))
}

impl PostgresError {
    /// Whether the connection that gave this error is still usable: the server refused the
    /// statement, or warned about it; not after a lost connection or a timeout.
    pub(super) fn keeps_connection(&self) -> bool {
        match self {
            PostgresError::Postgres(e) => refused(e),
            PostgresError::NotDurable(_) => true,
            _ => false,
        }
    }

    /// Whether a read that gave this error may be run again on a fresh connection: the
    /// connection failed (closed while idle, say). Not after a timeout: the server is
    /// paused or unreachable, and a second try would wait as long again.
    pub(super) fn read_retryable(&self) -> bool {
        matches!(self, PostgresError::Postgres(e) if !refused(e))
    }
}
