//! What the PostgreSQL stores share: their error, their table, and how a refused statement
//! is told from a lost connection.

use core::fmt;

use tokio_postgres::error::Severity;

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
}

impl fmt::Display for PostgresError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostgresError::Postgres(e) => write!(f, "postgres: {e}"),
            PostgresError::RecordLength(len) => {
                write!(f, "stored record is {len} bytes long, not 50 (or 34)")
            }
        }
    }
}

impl core::error::Error for PostgresError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            PostgresError::Postgres(e) => Some(e),
            PostgresError::RecordLength(_) => None,
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

/// Enrolment of a token with its key: one statement, which writes both or neither.
pub(super) const ENROL_WITH_KEY: &str = "INSERT INTO otpkit_tokens (id, record, sealed_key) \
     VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING";

/// Re-enrolment: one statement replacing record and key together, or enrolling a new id.
pub(super) const REENROL: &str = "INSERT INTO otpkit_tokens (id, record, sealed_key) \
     VALUES ($1, $2, $3) \
     ON CONFLICT (id) DO UPDATE SET record = excluded.record, sealed_key = excluded.sealed_key";

/// Whether the server refused a statement and kept the session: an `ERROR`, not the `FATAL`
/// that ends the connection (a terminated backend, a shutting-down server) nor an I/O error.
pub(super) fn refused(e: &tokio_postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|db| db.parsed_severity() == Some(Severity::Error))
}
