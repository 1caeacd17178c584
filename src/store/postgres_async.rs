//! The asynchronous PostgreSQL store: the table and statements of
//! [`PostgresStore`](super::PostgresStore), over `tokio-postgres` on a tokio runtime, for
//! [`AsyncVerifier`](super::AsyncVerifier).

use core::future::Future;
use core::pin::Pin;
use core::time::Duration;
use std::boxed::Box;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, Statement};

use super::pg_error::{ENROL_WITH_KEY, REENROL, SCHEMA, refused};
use super::{AsyncEnrolStore, AsyncStore, PostgresError, RecordBytes};

/// A connection being opened.
type Connecting = Pin<Box<dyn Future<Output = Result<Client, tokio_postgres::Error>> + Send>>;

/// Opens a connection (with the caller's TLS set-up, if any).
type Connector = Box<dyn Fn() -> Connecting + Send + Sync>;

/// Records in PostgreSQL for [`AsyncVerifier`](super::AsyncVerifier): the table, statements
/// and connection handling of [`PostgresStore`](super::PostgresStore), over `tokio-postgres`,
/// with `Send` futures (a multi-threaded tokio runtime can run them).
///
/// The compare-and-swap is the one conditional `UPDATE`
/// (`UPDATE otpkit_tokens SET record = $3 WHERE id = $1 AND record = $2`), in autocommit mode.
/// Idle connections (at most [`MAX_IDLE`](Self::MAX_IDLE)) are reused and more are opened
/// while more tasks verify at once; a connection that fails is dropped and the next statement
/// opens a fresh one. A connection lost during a write is an error
/// ([`PostgresError::Postgres`]), never a guessed swap; a read that fails on an idle
/// connection is run again on another, on a fresh one at the latest.
///
/// Each connection's I/O runs on a task spawned on the tokio runtime that opened it, so create
/// and use the store inside one.
///
/// # Examples
///
/// ```no_run
/// use otpkit::store::{AsyncPostgresStore, AsyncVerifier};
/// use otpkit::{Policy, StateRecord, Totp, TotpParams};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = AsyncPostgresStore::connect("host=127.0.0.1 user=otp dbname=otp").await?;
/// let verifier = AsyncVerifier::new(store, Policy::default());
/// verifier.enrol("alice", &StateRecord::time_step()).await?;
///
/// let totp = Totp::new(b"12345678901234567890", TotpParams::default())?;
/// let now = otpkit::clock::unix_now()?;
/// let accepted = verifier.verify_totp("alice", &totp, now, "123456").await?;
/// # Ok(())
/// # }
/// ```
pub struct AsyncPostgresStore {
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
    enrol_with_key: Statement,
    reenrol: Statement,
}

impl Conn {
    async fn open(connect: &Connector) -> Result<Conn, tokio_postgres::Error> {
        Conn::prepare(connect().await?).await
    }

    async fn prepare(client: Client) -> Result<Conn, tokio_postgres::Error> {
        Ok(Conn {
            enrol: client
                .prepare(
                    "INSERT INTO otpkit_tokens (id, record) VALUES ($1, $2) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .await?,
            delete: client
                .prepare("DELETE FROM otpkit_tokens WHERE id = $1")
                .await?,
            load: client
                .prepare("SELECT record FROM otpkit_tokens WHERE id = $1")
                .await?,
            swap: client
                .prepare("UPDATE otpkit_tokens SET record = $3 WHERE id = $1 AND record = $2")
                .await?,
            enrol_with_key: client.prepare(ENROL_WITH_KEY).await?,
            reenrol: client.prepare(REENROL).await?,
            client,
        })
    }
}

impl core::fmt::Debug for AsyncPostgresStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AsyncPostgresStore")
            .field("idle_connections", &self.idle().len())
            .finish_non_exhaustive()
    }
}

impl AsyncPostgresStore {
    /// The table, as [`PostgresStore::SCHEMA`](super::PostgresStore::SCHEMA).
    pub const SCHEMA: &'static str = SCHEMA;

    /// Idle connections kept for reuse.
    pub const MAX_IDLE: usize = 16;

    /// How long [`connect`](Self::connect) waits for a connection, unless `params` says
    /// otherwise (`connect_timeout=`).
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

    /// Connects without TLS with libpq-style `params` (`host=… port=… user=… dbname=…`, or a
    /// `postgresql://` URL), spawning each connection's task on the current tokio runtime,
    /// and creates the table if missing.
    ///
    /// # Errors
    ///
    /// [`PostgresError::Postgres`]: `params` malformed, the server unreachable, or the table
    /// not creatable.
    pub async fn connect(params: &str) -> Result<AsyncPostgresStore, PostgresError> {
        let mut config: tokio_postgres::Config = params.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Self::CONNECT_TIMEOUT);
        }
        AsyncPostgresStore::with_connector(move || {
            let config = config.clone();
            async move {
                let (client, connection) = config.connect(NoTls).await?;
                // Ends when the client is dropped or the connection fails.
                tokio::spawn(connection);
                Ok(client)
            }
        })
        .await
    }

    /// A store whose connections `connect` opens (with TLS, say), spawning each connection's
    /// task itself. It is called again for each new connection, also after a lost one. The
    /// table is created if missing.
    ///
    /// # Errors
    ///
    /// [`PostgresError::Postgres`]: the first connection failed, or creating the table did.
    pub async fn with_connector<F, Fut>(connect: F) -> Result<AsyncPostgresStore, PostgresError>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Client, tokio_postgres::Error>> + Send + 'static,
    {
        let connect: Connector = Box::new(move || Box::pin(connect()));
        let client = connect().await?;
        if let Err(e) = client.batch_execute(SCHEMA).await {
            // Two processes creating the table at once: one of them meets the other's type.
            if e.code() != Some(&SqlState::UNIQUE_VIOLATION) {
                return Err(e.into());
            }
        }
        let conn = Conn::prepare(client).await?;
        Ok(AsyncPostgresStore {
            connect,
            idle: Mutex::new(std::vec![conn]),
        })
    }

    /// The idle connections; a panic while the lock was held cannot leave the list invalid.
    /// Never held across an `await`.
    fn idle(&self) -> MutexGuard<'_, Vec<Conn>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An idle connection, or a new one; `true` when new.
    async fn take(&self) -> Result<(Conn, bool), PostgresError> {
        let reused = self.idle().pop();
        Ok(match reused {
            Some(conn) => (conn, false),
            None => (Conn::open(&self.connect).await?, true),
        })
    }

    /// The outcome of a statement run on `conn`, keeping `conn` unless it failed; `None`
    /// when a `read` failed on a reused connection other than by the server's refusal, to be
    /// run again on another (a write never is).
    fn settle<T>(
        &self,
        conn: Conn,
        fresh: bool,
        read: bool,
        result: Result<T, tokio_postgres::Error>,
    ) -> Option<Result<T, PostgresError>> {
        match result {
            Ok(value) => {
                self.put_back(conn);
                Some(Ok(value))
            }
            Err(e) if refused(&e) && !conn.client.is_closed() => {
                self.put_back(conn);
                Some(Err(e.into()))
            }
            Err(_) if read && !fresh => None,
            Err(e) => Some(Err(e.into())),
        }
    }

    fn put_back(&self, conn: Conn) {
        let mut idle = self.idle();
        if idle.len() < Self::MAX_IDLE {
            idle.push(conn);
        }
    }

    /// Runs a write statement once: `Ok(true)` when it changed exactly one row.
    async fn write_one(
        &self,
        pick: fn(&Conn) -> &Statement,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<bool, PostgresError> {
        let (conn, fresh) = self.take().await?;
        let result = conn.client.execute(pick(&conn), params).await;
        match self.settle(conn, fresh, false, result) {
            Some(done) => Ok(done? == 1),
            // Unreachable: a write is never run again.
            None => Ok(false),
        }
    }
}

impl AsyncStore for AsyncPostgresStore {
    type Error = PostgresError;

    // `async fn` here still promises `Send`: the trait's `+ Send` is checked on each body.
    async fn enrol(&self, id: &str, record: &RecordBytes) -> Result<bool, Self::Error> {
        self.write_one(|c| &c.enrol, &[&id, &&record[..]]).await
    }

    async fn delete(&self, id: &str) -> Result<bool, Self::Error> {
        self.write_one(|c| &c.delete, &[&id]).await
    }

    async fn load(&self, id: &str) -> Result<Option<RecordBytes>, Self::Error> {
        let row = loop {
            let (conn, fresh) = self.take().await?;
            let result = conn.client.query_opt(&conn.load, &[&id]).await;
            if let Some(done) = self.settle(conn, fresh, true, result) {
                break done?;
            }
        };
        let Some(row) = row else {
            return Ok(None);
        };
        let bytes: &[u8] = row.try_get(0)?;
        RecordBytes::try_from(bytes)
            .map(Some)
            .map_err(|_| PostgresError::RecordLength(bytes.len()))
    }

    async fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> Result<bool, Self::Error> {
        // `Ok` only with the server's answer: a connection lost before it is an error.
        self.write_one(|c| &c.swap, &[&id, &&old[..], &&new[..]])
            .await
    }
}

/// Each method is one `INSERT … ON CONFLICT` statement, as [`PostgresStore`]'s.
///
/// [`PostgresStore`]: super::PostgresStore
impl AsyncEnrolStore for AsyncPostgresStore {
    type Error = PostgresError;

    async fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<bool, Self::Error> {
        self.write_one(|c| &c.enrol_with_key, &[&id, &&record[..], &sealed_key])
            .await
    }

    async fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<(), Self::Error> {
        self.write_one(|c| &c.reenrol, &[&id, &&record[..], &sealed_key])
            .await
            .map(|_| ())
    }
}
