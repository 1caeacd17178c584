//! The PostgreSQL store: one row per token, the compare-and-swap one conditional `UPDATE`,
//! shared by any number of verifier processes on any number of machines.
//!
//! It uses the synchronous [`postgres`] client. That client is `tokio-postgres` driven by a
//! small runtime of its own, so the protocol code is the one async servers use, while
//! [`Store`] (and [`Verifier`](super::Verifier)) stay plain blocking calls: each verification
//! is two short statements on an indexed row, and a thread per request is the simplest
//! server that does it. `sqlx` 0.9 would need Rust 1.94 and brings its own pool and macros
//! that nothing here uses.

use core::fmt;
use core::time::Duration;
use std::boxed::Box;
use std::string::String;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use postgres::error::SqlState;
use postgres::{Client, NoTls, Statement};

use super::pg_error::{ENROL_WITH_KEY, REENROL, SCHEMA, refused};
use super::{EnrolStore, KeyStore, PostgresError, RecordBytes, Store};

/// Opens a connection (with the caller's TLS set-up, if any).
type Connector = Box<dyn Fn() -> Result<Client, postgres::Error> + Send + Sync>;

/// Records in PostgreSQL: one row per token, the compare-and-swap a single conditional
/// `UPDATE`, so every verifier process of a deployment can share one database.
///
/// The table ([`SCHEMA`](Self::SCHEMA)) has the token id as its primary key, the record's
/// bytes, and a nullable `sealed_key` column for [`KeyStore`], which the compare-and-swap
/// neither reads nor writes:
///
/// ```sql
/// UPDATE otpkit_tokens SET record = $3 WHERE id = $1 AND record = $2
/// ```
///
/// Each statement runs alone in autocommit mode; no transaction spans two statements or two
/// tokens, so the table can be partitioned or sharded by id.
///
/// Keep the server's `synchronous_commit` at `on` (the default) or stronger
/// (`remote_apply` with synchronous standbys if failover is automatic): with `off`, a crash
/// can forget a committed acceptance, and its code would be accepted again.
///
/// # Connections
///
/// The store keeps a few idle connections (at most [`MAX_IDLE`](Self::MAX_IDLE)) and opens
/// another whenever every idle one is in use, so the threads of a server verify in parallel
/// (the number of open connections follows the number of threads verifying at once). A
/// connection that fails is dropped, and the next statement opens a fresh one: after a
/// server restart the verifier reconnects by itself.
///
/// A connection lost during a write is an error ([`PostgresError::Postgres`]), never a
/// guess: the `UPDATE` may have been committed or not, so the verifier reports no
/// acceptance (the code may then be spent without having let anyone in, never accepted
/// twice). A read that fails on an idle connection (closed by a server restart, say) is run
/// again on another, on a fresh one at the latest.
///
/// # Examples
///
/// ```no_run
/// use otpkit::store::{PostgresStore, Verifier};
/// use otpkit::{Policy, StateRecord, Totp, TotpParams};
///
/// let store = PostgresStore::connect("host=127.0.0.1 user=otp dbname=otp")?;
/// let verifier = Verifier::new(store, Policy::default());
/// verifier.enrol("alice", &StateRecord::time_step())?;
///
/// let totp = Totp::new(b"12345678901234567890", TotpParams::default())?;
/// let now = otpkit::clock::unix_now()?;
/// let accepted = verifier.verify_totp("alice", &totp, now, "123456")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PostgresStore {
    connect: Connector,
    idle: Mutex<Vec<Conn>>,
}

/// A connection with the store's statements prepared on it.
struct Conn {
    client: Client,
    enrol: Statement,
    delete: Statement,
    load: Statement,
    swap: Statement,
    put_key: Statement,
    key: Statement,
    ids: Statement,
    enrol_with_key: Statement,
    reenrol: Statement,
}

impl Conn {
    fn open(connect: &Connector) -> Result<Conn, postgres::Error> {
        Conn::prepare(connect()?)
    }

    fn prepare(mut client: Client) -> Result<Conn, postgres::Error> {
        Ok(Conn {
            enrol: client.prepare(
                "INSERT INTO otpkit_tokens (id, record) VALUES ($1, $2) \
                 ON CONFLICT (id) DO NOTHING",
            )?,
            delete: client.prepare("DELETE FROM otpkit_tokens WHERE id = $1")?,
            load: client.prepare("SELECT record FROM otpkit_tokens WHERE id = $1")?,
            swap: client
                .prepare("UPDATE otpkit_tokens SET record = $3 WHERE id = $1 AND record = $2")?,
            put_key: client.prepare("UPDATE otpkit_tokens SET sealed_key = $2 WHERE id = $1")?,
            key: client.prepare("SELECT sealed_key FROM otpkit_tokens WHERE id = $1")?,
            ids: client
                .prepare("SELECT id FROM otpkit_tokens WHERE sealed_key IS NOT NULL ORDER BY id")?,
            enrol_with_key: client.prepare(ENROL_WITH_KEY)?,
            reenrol: client.prepare(REENROL)?,
            client,
        })
    }
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("idle_connections", &self.idle().len())
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// The table: the token id, its record (exactly
    /// [`StateRecord::ENCODED_LEN`](crate::StateRecord::ENCODED_LEN) bytes) and its sealed
    /// key. Run by [`connect`](Self::connect) and [`with_connector`](Self::with_connector).
    pub const SCHEMA: &'static str = SCHEMA;

    /// Idle connections kept for reuse; more are opened while more threads verify at once.
    pub const MAX_IDLE: usize = 16;

    /// How long [`connect`](Self::connect) waits for a connection, unless `params` says
    /// otherwise (`connect_timeout=`).
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

    /// Connects without TLS (a server on the same host or a private network) with
    /// libpq-style `params` (`host=… port=… user=… dbname=…`, or a `postgresql://` URL),
    /// and creates the table if missing.
    ///
    /// # Errors
    ///
    /// [`PostgresError::Postgres`]: `params` malformed, the server unreachable, or the table
    /// not creatable.
    pub fn connect(params: &str) -> Result<PostgresStore, PostgresError> {
        let mut config: postgres::Config = params.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Self::CONNECT_TIMEOUT);
        }
        PostgresStore::with_connector(move || config.connect(NoTls))
    }

    /// A store whose connections `connect` opens: with TLS (`postgres-native-tls`,
    /// `postgres-openssl`, `tokio-postgres-rustls`), or any other set-up of the caller's.
    /// It is called again for each new connection, also after a lost one. The table is
    /// created if missing.
    ///
    /// # Errors
    ///
    /// [`PostgresError::Postgres`]: the first connection failed, or creating the table did.
    pub fn with_connector(
        connect: impl Fn() -> Result<Client, postgres::Error> + Send + Sync + 'static,
    ) -> Result<PostgresStore, PostgresError> {
        let connect: Connector = Box::new(connect);
        let mut client = connect()?;
        if let Err(e) = client.batch_execute(Self::SCHEMA) {
            // Two processes creating the table at once: one of them meets the other's type.
            if e.code() != Some(&SqlState::UNIQUE_VIOLATION) {
                return Err(e.into());
            }
        }
        Ok(PostgresStore {
            connect,
            idle: Mutex::new(std::vec![Conn::prepare(client)?]),
        })
    }

    /// The idle connections; a panic while the lock was held cannot leave the list invalid.
    fn idle(&self) -> MutexGuard<'_, Vec<Conn>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `op` on an idle connection or a new one, and keeps the connection for reuse
    /// unless it failed. A `read` that fails on a reused connection other than by the
    /// server's refusal (a connection closed while idle, say by a server restart) is run once
    /// more on a fresh connection; a write never is.
    fn run<T>(
        &self,
        read: bool,
        op: impl Fn(&mut Conn) -> Result<T, postgres::Error>,
    ) -> Result<T, PostgresError> {
        let reused = self.idle().pop();
        let fresh = reused.is_none();
        let mut conn = match reused {
            Some(conn) => conn,
            None => Conn::open(&self.connect)?,
        };
        match op(&mut conn) {
            Ok(value) => {
                self.put_back(conn);
                Ok(value)
            }
            Err(e) if refused(&e) && !conn.client.is_closed() => {
                // The server refused the statement; the connection is fine.
                self.put_back(conn);
                Err(e.into())
            }
            Err(_) if read && !fresh => {
                drop(conn);
                self.run(read, op)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn put_back(&self, conn: Conn) {
        let mut idle = self.idle();
        if idle.len() < Self::MAX_IDLE {
            idle.push(conn);
        }
    }
}

impl Store for PostgresStore {
    type Error = PostgresError;

    fn enrol(&self, id: &str, record: &RecordBytes) -> Result<bool, Self::Error> {
        self.run(false, |c| {
            Ok(c.client.execute(&c.enrol, &[&id, &&record[..]])? == 1)
        })
    }

    fn delete(&self, id: &str) -> Result<bool, Self::Error> {
        self.run(false, |c| Ok(c.client.execute(&c.delete, &[&id])? == 1))
    }

    fn load(&self, id: &str) -> Result<Option<RecordBytes>, Self::Error> {
        let row = self.run(true, |c| c.client.query_opt(&c.load, &[&id]))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let bytes: &[u8] = row.try_get(0)?;
        RecordBytes::try_from(bytes)
            .map(Some)
            .map_err(|_| PostgresError::RecordLength(bytes.len()))
    }

    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> Result<bool, Self::Error> {
        // `Ok` only with the server's answer: a connection lost before it is an error.
        self.run(false, |c| {
            Ok(c.client.execute(&c.swap, &[&id, &&old[..], &&new[..]])? == 1)
        })
    }
}

/// Each method is one `INSERT … ON CONFLICT` statement.
impl EnrolStore for PostgresStore {
    type Error = PostgresError;

    fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<bool, Self::Error> {
        self.run(false, |c| {
            let n = c
                .client
                .execute(&c.enrol_with_key, &[&id, &&record[..], &sealed_key])?;
            Ok(n == 1)
        })
    }

    fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<(), Self::Error> {
        self.run(false, |c| {
            c.client
                .execute(&c.reenrol, &[&id, &&record[..], &sealed_key])
                .map(|_| ())
        })
    }
}

impl KeyStore for PostgresStore {
    type Error = PostgresError;

    fn put_sealed_key(&self, id: &str, sealed: &[u8]) -> Result<bool, Self::Error> {
        self.run(false, |c| {
            Ok(c.client.execute(&c.put_key, &[&id, &sealed])? == 1)
        })
    }

    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error> {
        let row = self.run(true, |c| c.client.query_opt(&c.key, &[&id]))?;
        Ok(match row {
            Some(row) => row.try_get::<_, Option<Vec<u8>>>(0)?,
            None => None,
        })
    }

    fn ids_with_keys(&self) -> Result<Vec<String>, Self::Error> {
        let rows = self.run(true, |c| c.client.query(&c.ids, &[]))?;
        rows.iter()
            .map(|row| row.try_get::<_, String>(0).map_err(PostgresError::from))
            .collect()
    }
}
