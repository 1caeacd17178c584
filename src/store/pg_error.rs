//! What the PostgreSQL stores share: their error, their table, and how a refused statement
//! is told from a lost connection.

use core::fmt;

use tokio_postgres::error::Severity;

// The schema's `CHECK` spells the record's length out.
const _: () = assert!(crate::StateRecord::ENCODED_LEN == 34);

/// A failure of the PostgreSQL stores (`PostgresStore`, `AsyncPostgresStore`).
#[derive(Debug)]
#[non_exhaustive]
pub enum PostgresError {
    /// The client's error: no connection, a connection lost during a statement (whose write
    /// may or may not have happened), or the server refusing a statement.
    Postgres(tokio_postgres::Error),
    /// A stored record is not [`StateRecord::ENCODED_LEN`](crate::StateRecord::ENCODED_LEN)
    /// bytes long (a table written by something else: the schema's `CHECK` forbids it).
    RecordLength(usize),
}

impl fmt::Display for PostgresError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostgresError::Postgres(e) => write!(f, "postgres: {e}"),
            PostgresError::RecordLength(len) => {
                write!(f, "stored record is {len} bytes long, not 34")
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

/// The table of both PostgreSQL stores.
pub(super) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS otpkit_tokens (
        id text PRIMARY KEY,
        record bytea NOT NULL CHECK (octet_length(record) = 34),
        sealed_key bytea
    )";

/// Whether the server refused a statement and kept the session: an `ERROR`, not the `FATAL`
/// that ends the connection (a terminated backend, a shutting-down server) nor an I/O error.
pub(super) fn refused(e: &tokio_postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|db| db.parsed_severity() == Some(Severity::Error))
}
