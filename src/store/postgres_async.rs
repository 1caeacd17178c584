//! The asynchronous PostgreSQL store: the table and statements of
//! [`PostgresStore`](super::PostgresStore), over `tokio-postgres` on a tokio runtime, for
//! [`AsyncVerifier`](super::AsyncVerifier).

use core::future::Future;
use core::pin::Pin;
use core::time::Duration;
use std::boxed::Box;
use std::string::String;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Config, NoTls, Row, Socket, Statement};

use super::pg_conn::{self, BoundedClient};
use super::pg_error::{
    ENROL_WITH_KEY, REENROL, SCHEMA, key_sql, master_key_from_db, refusal, setup_batch,
};
use super::{AsyncEnrolStore, AsyncKeyStore, AsyncStore, KeyWrite, PostgresError, RecordBytes};

/// A connection being opened.
type Connecting = Pin<Box<dyn Future<Output = Result<BoundedClient, PostgresError>> + Send>>;

/// Opens a connection (with the caller's TLS set-up, if any) whose statements have the given
/// bound, its driver spawned on the current runtime.
type Connector = Box<dyn Fn(Duration) -> Connecting + Send + Sync>;

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
/// and use the store inside one. That task is the store's own: it keeps the server's
/// warnings, so a commit PostgreSQL reports with "canceling wait for synchronous
/// replication" fails with [`PostgresError::NotDurable`]. Every statement is bounded
/// ([`with_statement_bound`](Self::with_statement_bound)); after the bound it is cancelled
/// and fails with [`PostgresError::Timeout`]: the code may be spent, and nobody was
/// admitted. A multi-host string with `target_session_attrs=read-write` makes every new
/// connection go to the current primary, as for [`PostgresStore`](super::PostgresStore).
///
/// # Examples
///
/// ```no_run
/// use otpkit::store::{AsyncPostgresStore, AsyncVerifier};
/// use otpkit::{Enrolled, EnrolmentId, Policy, StateRecord, Totp, TotpParams};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = AsyncPostgresStore::connect("host=127.0.0.1 user=otp dbname=otp").await?;
/// let verifier = AsyncVerifier::new(store, Policy::default());
/// let enrolment = EnrolmentId::random()?;
/// let first = StateRecord::time_step().with_enrolment(enrolment);
/// verifier.enrol("alice", &first).await?;
///
/// let totp = Totp::new(b"12345678901234567890", TotpParams::default())?;
/// let totp = Enrolled::new(totp, enrolment);
/// let now = otpkit::clock::unix_now()?;
/// let accepted = verifier.verify_totp("alice", &totp, now, "123456").await?;
/// # Ok(())
/// # }
/// ```
pub struct AsyncPostgresStore {
    connect: Connector,
    idle: Mutex<Vec<Conn>>,
    bound: Duration,
}

/// A connection with the store's statements prepared on it.
struct Conn {
    client: BoundedClient,
    enrol: Statement,
    delete: Statement,
    load: Statement,
    swap: Statement,
    put_key: Statement,
    key: Statement,
    swap_key: Statement,
    ids_first: Statement,
    ids_after: Statement,
    master: Statement,
    replace_master: Statement,
    enrol_with_key: Statement,
    reenrol: Statement,
}

impl Conn {
    async fn open(connect: &Connector, bound: Duration) -> Result<Conn, PostgresError> {
        Conn::prepare(connect(bound).await?).await
    }

    async fn prepare(client: BoundedClient) -> Result<Conn, PostgresError> {
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
            put_key: client.prepare(key_sql::PUT).await?,
            key: client.prepare(key_sql::GET).await?,
            swap_key: client.prepare(key_sql::SWAP).await?,
            ids_first: client.prepare(key_sql::IDS_FIRST).await?,
            ids_after: client.prepare(key_sql::IDS_AFTER).await?,
            master: client.prepare(key_sql::MASTER).await?,
            replace_master: client.prepare(key_sql::REPLACE_MASTER).await?,
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
    pub const CONNECT_TIMEOUT: Duration = pg_conn::CONNECT_TIMEOUT;

    /// How long a statement, commit wait included, may go without an answer by default.
    pub const STATEMENT_BOUND: Duration = pg_conn::STATEMENT_BOUND;

    /// Connects without TLS with libpq-style `params` (`host=… port=… user=… dbname=…`, or a
    /// `postgresql://` URL; several hosts with `target_session_attrs=read-write` for a
    /// replicated cluster), spawning each connection's task on the current tokio runtime,
    /// and creates the table if missing.
    ///
    /// # Errors
    ///
    /// [`PostgresError::Postgres`]: `params` malformed, the server unreachable, or the table
    /// not creatable; [`PostgresError::Timeout`]: creating the table took longer than the
    /// bound.
    pub async fn connect(params: &str) -> Result<AsyncPostgresStore, PostgresError> {
        AsyncPostgresStore::from_config(params.parse()?).await
    }

    /// Connects without TLS with `config`, adding what it leaves unset as
    /// [`PostgresStore::from_config`](super::PostgresStore::from_config) does (a connect
    /// timeout, TCP keepalive, `tcp_user_timeout`), and creates the table if missing.
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect).
    pub async fn from_config(config: Config) -> Result<AsyncPostgresStore, PostgresError> {
        AsyncPostgresStore::with_tls(config, NoTls).await
    }

    /// Connects with `config` over `tls` (any `tokio_postgres` TLS connector), as
    /// [`from_config`](Self::from_config) does. Each new connection, also after a lost one,
    /// is opened with the same `config` and `tls`.
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect).
    pub async fn with_tls<T>(
        mut config: Config,
        tls: T,
    ) -> Result<AsyncPostgresStore, PostgresError>
    where
        T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
        T::Stream: Send + 'static,
        T::TlsConnect: Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        pg_conn::harden(&mut config);
        let hosts = std::sync::Arc::new(pg_conn::per_host(&config));
        let connect: Connector = Box::new(move |bound| {
            let (hosts, tls) = (hosts.clone(), tls.clone());
            Box::pin(async move {
                let (client, driver) = pg_conn::open(&hosts, tls, bound).await?;
                // Ends when the client is dropped or the connection fails.
                tokio::spawn(driver);
                Ok(client)
            })
        });
        let bound = Self::STATEMENT_BOUND;
        let client = connect(bound).await?;
        // Servers opening the database at once take turns (see `setup_batch`).
        client.batch_execute(&setup_batch()).await?;
        let conn = Conn::prepare(client).await?;
        Ok(AsyncPostgresStore {
            connect,
            idle: Mutex::new(std::vec![conn]),
            bound,
        })
    }

    /// The store with every statement bounded by `bound` instead of
    /// [`STATEMENT_BOUND`](Self::STATEMENT_BOUND); what a timeout means is said at
    /// [`PostgresStore::with_statement_bound`](super::PostgresStore::with_statement_bound).
    #[must_use]
    pub fn with_statement_bound(mut self, bound: Duration) -> AsyncPostgresStore {
        self.bound = bound;
        for conn in self.idle().iter_mut() {
            conn.client.set_bound(bound);
        }
        self
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
            None => (Conn::open(&self.connect, self.bound).await?, true),
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
        result: Result<T, PostgresError>,
    ) -> Option<Result<T, PostgresError>> {
        match result {
            Ok(value) => {
                self.put_back(conn);
                Some(Ok(value))
            }
            Err(e) if e.keeps_connection() && !conn.client.is_closed() => {
                self.put_back(conn);
                Some(Err(e))
            }
            Err(e) if read && !fresh && e.read_retryable() => None,
            Err(e) => Some(Err(e)),
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

impl AsyncPostgresStore {
    /// Runs a read statement, again on another connection if it failed on a reused one (as
    /// [`load`](AsyncStore::load) does): its rows.
    async fn read_rows(
        &self,
        pick: fn(&Conn) -> &Statement,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Row>, PostgresError> {
        loop {
            let (conn, fresh) = self.take().await?;
            let result = conn.client.query(pick(&conn), params).await;
            if let Some(done) = self.settle(conn, fresh, true, result) {
                return done;
            }
        }
    }
}

impl AsyncKeyStore for AsyncPostgresStore {
    type Error = PostgresError;

    async fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> Result<KeyWrite, Self::Error> {
        let master = i64::from(master_key);
        if self
            .write_one(|c| &c.put_key, &[&id, &sealed, &master])
            .await?
        {
            return Ok(KeyWrite::Stored);
        }
        Ok(match AsyncKeyStore::current_master_key(self).await? {
            Some(current) if current != master_key => KeyWrite::RetiredMasterKey { current },
            _ => KeyWrite::UnknownToken,
        })
    }

    async fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error> {
        let rows = self.read_rows(|c| &c.key, &[&id]).await?;
        Ok(match rows.first() {
            Some(row) => row.try_get::<_, Option<Vec<u8>>>(0)?,
            None => None,
        })
    }

    async fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, Self::Error> {
        self.write_one(|c| &c.swap_key, &[&id, &old, &new]).await
    }

    async fn ids_with_keys(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, Self::Error> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = match after {
            None => self.read_rows(|c| &c.ids_first, &[&limit]).await?,
            Some(after) => self.read_rows(|c| &c.ids_after, &[&after, &limit]).await?,
        };
        rows.iter()
            .map(|row| row.try_get::<_, String>(0).map_err(PostgresError::from))
            .collect()
    }

    async fn current_master_key(&self) -> Result<Option<u32>, Self::Error> {
        let rows = self.read_rows(|c| &c.master, &[]).await?;
        master_key_from_db(match rows.first() {
            Some(row) => row.try_get::<_, Option<i64>>(0)?,
            None => None,
        })
    }

    async fn replace_current_master_key(
        &self,
        old: Option<u32>,
        new: u32,
    ) -> Result<bool, Self::Error> {
        let (old, new) = (old.map(i64::from), i64::from(new));
        self.write_one(|c| &c.replace_master, &[&old, &new]).await
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
    ) -> Result<KeyWrite, Self::Error> {
        if super::unbound(record) {
            return Ok(KeyWrite::Unbound);
        }
        let master_key = sealed_key.and_then(super::sealed_master_key);
        let master = master_key.map(i64::from);
        if self
            .write_one(
                |c| &c.enrol_with_key,
                &[&id, &&record[..], &sealed_key, &master],
            )
            .await?
        {
            return Ok(KeyWrite::Stored);
        }
        let current = AsyncKeyStore::current_master_key(self).await?;
        Ok(refusal(master_key, current, KeyWrite::AlreadyEnrolled))
    }

    async fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error> {
        if super::unbound(record) {
            return Ok(KeyWrite::Unbound);
        }
        let master_key = sealed_key.and_then(super::sealed_master_key);
        let master = master_key.map(i64::from);
        if self
            .write_one(|c| &c.reenrol, &[&id, &&record[..], &sealed_key, &master])
            .await?
        {
            return Ok(KeyWrite::Stored);
        }
        let current = AsyncKeyStore::current_master_key(self).await?;
        Ok(refusal(master_key, current, KeyWrite::Stored))
    }
}
