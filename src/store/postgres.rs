//! The PostgreSQL store: one row per token, the compare-and-swap one conditional `UPDATE`,
//! shared by any number of verifier processes on any number of machines.
//!
//! It uses `tokio-postgres` on a small runtime per connection (as the synchronous `postgres`
//! client does), so the protocol code is the one async servers use, while [`Store`] (and
//! [`Verifier`](super::Verifier)) stay plain blocking calls: each verification is two short
//! statements on an indexed row, and a thread per request is the simplest server that does
//! it. The store drives each connection itself (`pg_conn.rs`): that is how it sees the
//! server's warnings and bounds every statement. `sqlx` 0.9 would need Rust 1.94 and brings
//! its own pool and macros that nothing here uses.

use core::fmt;
use core::time::Duration;
use std::boxed::Box;
use std::string::String;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Config, NoTls, Socket, Statement};

use super::pg_conn::{self, SyncClient};
use super::pg_error::{
    ENROL_WITH_KEY, REENROL, SCHEMA, key_sql, master_key_from_db, refusal, setup_batch,
};
use super::{EnrolStore, KeyStore, KeyWrite, PostgresError, RecordBytes, Store};

/// Opens a connection (with the caller's TLS set-up, if any) whose statements have the given
/// bound.
type Connector = Box<dyn Fn(Duration) -> Result<SyncClient, PostgresError> + Send + Sync>;

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
/// # Replication and failover
///
/// A write is reported only when the server committed it without a warning. PostgreSQL
/// answers a commit whose wait for a synchronous standby was cancelled with success *and* a
/// `WARNING` ("committed locally, but might not have been replicated"): the store turns that
/// into [`PostgresError::NotDurable`]. A statement without an answer within the bound
/// ([`with_statement_bound`](Self::with_statement_bound)) is cancelled and fails with
/// [`PostgresError::Timeout`]. Both mean the code may be spent and nobody was admitted; a
/// failover can never take back an acceptance the store reported.
///
/// With a multi-host string and `target_session_attrs=read-write`
/// (`host=db1,db2,db3 port=5432,5432,5432 ... target_session_attrs=read-write`), every new
/// connection goes to the node that takes writes, so after a failover the store reconnects
/// to the new primary by itself. The string routes connections; it does not fence an old
/// primary. Run a failover manager that does (Patroni in `synchronous_mode_strict`), see
/// `docs/scaling.md`.
///
/// # Examples
///
/// ```no_run
/// use otpkit::store::{PostgresStore, Verifier};
/// use otpkit::{Enrolled, EnrolmentId, Policy, StateRecord, Totp, TotpParams};
///
/// let store = PostgresStore::connect("host=127.0.0.1 user=otp dbname=otp")?;
/// let verifier = Verifier::new(store, Policy::default());
/// let enrolment = EnrolmentId::random()?;
/// verifier.enrol("alice", &StateRecord::time_step().with_enrolment(enrolment))?;
///
/// let totp = Totp::new(b"12345678901234567890", TotpParams::default())?;
/// let totp = Enrolled::new(totp, enrolment);
/// let now = otpkit::clock::unix_now()?;
/// let accepted = verifier.verify_totp("alice", &totp, now, "123456")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PostgresStore {
    connect: Connector,
    idle: Mutex<Vec<Conn>>,
    bound: Duration,
}

/// A connection with the store's statements prepared on it.
struct Conn {
    client: SyncClient,
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
    fn open(connect: &Connector, bound: Duration) -> Result<Conn, PostgresError> {
        Conn::prepare(connect(bound)?)
    }

    fn prepare(mut client: SyncClient) -> Result<Conn, PostgresError> {
        Ok(Conn {
            enrol: client.prepare(
                "INSERT INTO otpkit_tokens (id, record) VALUES ($1, $2) \
                 ON CONFLICT (id) DO NOTHING",
            )?,
            delete: client.prepare("DELETE FROM otpkit_tokens WHERE id = $1")?,
            load: client.prepare("SELECT record FROM otpkit_tokens WHERE id = $1")?,
            swap: client
                .prepare("UPDATE otpkit_tokens SET record = $3 WHERE id = $1 AND record = $2")?,
            put_key: client.prepare(key_sql::PUT)?,
            key: client.prepare(key_sql::GET)?,
            swap_key: client.prepare(key_sql::SWAP)?,
            ids_first: client.prepare(key_sql::IDS_FIRST)?,
            ids_after: client.prepare(key_sql::IDS_AFTER)?,
            master: client.prepare(key_sql::MASTER)?,
            replace_master: client.prepare(key_sql::REPLACE_MASTER)?,
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
    /// key. Run by [`connect`](Self::connect), [`from_config`](Self::from_config) and
    /// [`with_tls`](Self::with_tls).
    pub const SCHEMA: &'static str = SCHEMA;

    /// Idle connections kept for reuse; more are opened while more threads verify at once.
    pub const MAX_IDLE: usize = 16;

    /// How long [`connect`](Self::connect) waits for a connection, unless `params` says
    /// otherwise (`connect_timeout=`).
    pub const CONNECT_TIMEOUT: Duration = pg_conn::CONNECT_TIMEOUT;

    /// How long a statement, commit wait included, may go without an answer by default.
    pub const STATEMENT_BOUND: Duration = pg_conn::STATEMENT_BOUND;

    /// Connects without TLS (a server on the same host or a private network) with
    /// libpq-style `params` (`host=… port=… user=… dbname=…`, or a `postgresql://` URL),
    /// and creates the table if missing. A multi-host string with
    /// `target_session_attrs=read-write` (`host=a,b,c port=p,q,r ...`) connects to whichever
    /// listed node takes writes, again for each new connection, so after a failover the store
    /// follows the new primary. See [`from_config`](Self::from_config) for the connection
    /// settings the store adds.
    ///
    /// # Errors
    ///
    /// [`PostgresError::Postgres`]: `params` malformed, the server unreachable, or the table
    /// not creatable; [`PostgresError::Timeout`], [`PostgresError::Io`] as for
    /// [`from_config`](Self::from_config).
    pub fn connect(params: &str) -> Result<PostgresStore, PostgresError> {
        PostgresStore::from_config(params.parse()?)
    }

    /// Connects without TLS with `config`, and creates the table if missing.
    ///
    /// The store adds what `config` leaves unset: a connect timeout of
    /// [`CONNECT_TIMEOUT`](Self::CONNECT_TIMEOUT), TCP keepalive (after 5 s idle, every
    /// second, 3 probes) and a `tcp_user_timeout` of
    /// [`STATEMENT_BOUND`](Self::STATEMENT_BOUND). Every statement is bounded by
    /// [`STATEMENT_BOUND`](Self::STATEMENT_BOUND) (see
    /// [`with_statement_bound`](Self::with_statement_bound)), and a `WARNING` from the
    /// server during a statement makes it fail with [`PostgresError::NotDurable`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use otpkit::store::PostgresStore;
    ///
    /// let mut config = tokio_postgres::Config::new();
    /// config.host("10.0.0.1").host("10.0.0.2").port(5432).port(5432);
    /// config.user("otp").dbname("otp");
    /// config.target_session_attrs(tokio_postgres::config::TargetSessionAttrs::ReadWrite);
    /// let store = PostgresStore::from_config(config)?;
    /// # Ok::<(), otpkit::store::PostgresError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`PostgresError::Postgres`]: the server unreachable, or the table not creatable;
    /// [`PostgresError::Timeout`]: creating the table took longer than the bound;
    /// [`PostgresError::Io`]: the connection's runtime could not be created.
    pub fn from_config(config: Config) -> Result<PostgresStore, PostgresError> {
        PostgresStore::with_tls(config, NoTls)
    }

    /// Connects with `config` over `tls` (`postgres-native-tls`, `postgres-openssl`,
    /// `tokio-postgres-rustls`: any `tokio_postgres` TLS connector), as
    /// [`from_config`](Self::from_config) does. Each new connection, also after a lost one,
    /// is opened with the same `config` and `tls`; the cancel request after a timeout uses
    /// `tls` too.
    ///
    /// # Errors
    ///
    /// As [`from_config`](Self::from_config).
    pub fn with_tls<T>(mut config: Config, tls: T) -> Result<PostgresStore, PostgresError>
    where
        T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
        T::Stream: Send + 'static,
        T::TlsConnect: Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        pg_conn::harden(&mut config);
        let hosts = pg_conn::per_host(&config);
        let connect: Connector =
            Box::new(move |bound| SyncClient::connect(&hosts, tls.clone(), bound));
        let bound = Self::STATEMENT_BOUND;
        let mut client = connect(bound)?;
        // Servers opening the database at once take turns (see `setup_batch`).
        client.batch_execute(&setup_batch())?;
        Ok(PostgresStore {
            connect,
            idle: Mutex::new(std::vec![Conn::prepare(client)?]),
            bound,
        })
    }

    /// The store with every statement bounded by `bound` instead of
    /// [`STATEMENT_BOUND`](Self::STATEMENT_BOUND).
    ///
    /// A statement without an answer after `bound` (a paused primary, a commit waiting for
    /// a synchronous standby that is down, a network partition) is cancelled, its
    /// connection dropped, and it fails with [`PostgresError::Timeout`]. For a
    /// compare-and-swap that means the write may have committed: **the code may be spent,
    /// and nobody was admitted** (the verifier reports no acceptance). Choose a bound above
    /// the commit latency under load and below what a user waits; PostgreSQL's own
    /// `statement_timeout` does not end a commit's wait for a standby.
    #[must_use]
    pub fn with_statement_bound(mut self, bound: Duration) -> PostgresStore {
        self.bound = bound;
        for conn in self.idle().iter_mut() {
            conn.client.set_bound(bound);
        }
        self
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
        op: impl Fn(&mut Conn) -> Result<T, PostgresError>,
    ) -> Result<T, PostgresError> {
        let reused = self.idle().pop();
        let fresh = reused.is_none();
        let mut conn = match reused {
            Some(conn) => conn,
            None => Conn::open(&self.connect, self.bound)?,
        };
        match op(&mut conn) {
            Ok(value) => {
                self.put_back(conn);
                Ok(value)
            }
            Err(e) if e.keeps_connection() && !conn.client.is_closed() => {
                // The server refused or warned about the statement; the connection is fine.
                self.put_back(conn);
                Err(e)
            }
            Err(e) if read && !fresh && e.read_retryable() => {
                drop(conn);
                self.run(read, op)
            }
            Err(e) => Err(e),
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
    ) -> Result<KeyWrite, Self::Error> {
        if super::unbound(record) {
            return Ok(KeyWrite::Unbound);
        }
        let master_key = sealed_key.and_then(super::sealed_master_key);
        let master = master_key.map(i64::from);
        if self.run(false, |c| {
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
                [&id, &&record[..], &sealed_key, &master];
            Ok(c.client.execute(&c.enrol_with_key, &params)? == 1)
        })? {
            return Ok(KeyWrite::Stored);
        }
        let current = KeyStore::current_master_key(self)?;
        Ok(refusal(master_key, current, KeyWrite::AlreadyEnrolled))
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
        let master = master_key.map(i64::from);
        if self.run(false, |c| {
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
                [&id, &&record[..], &sealed_key, &master];
            Ok(c.client.execute(&c.reenrol, &params)? == 1)
        })? {
            return Ok(KeyWrite::Stored);
        }
        let current = KeyStore::current_master_key(self)?;
        Ok(refusal(master_key, current, KeyWrite::Stored))
    }
}

impl KeyStore for PostgresStore {
    type Error = PostgresError;

    fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> Result<KeyWrite, Self::Error> {
        let master = i64::from(master_key);
        if self.run(false, |c| {
            Ok(c.client.execute(&c.put_key, &[&id, &sealed, &master])? == 1)
        })? {
            return Ok(KeyWrite::Stored);
        }
        Ok(match self.current_master_key()? {
            Some(current) if current != master_key => KeyWrite::RetiredMasterKey { current },
            _ => KeyWrite::UnknownToken,
        })
    }

    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error> {
        let row = self.run(true, |c| c.client.query_opt(&c.key, &[&id]))?;
        Ok(match row {
            Some(row) => row.try_get::<_, Option<Vec<u8>>>(0)?,
            None => None,
        })
    }

    fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, Self::Error> {
        self.run(false, |c| {
            Ok(c.client.execute(&c.swap_key, &[&id, &old, &new])? == 1)
        })
    }

    fn ids_with_keys(&self, after: Option<&str>, limit: usize) -> Result<Vec<String>, Self::Error> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.run(true, |c| match after {
            None => c.client.query(&c.ids_first, &[&limit]),
            Some(after) => c.client.query(&c.ids_after, &[&after, &limit]),
        })?;
        rows.iter()
            .map(|row| row.try_get::<_, String>(0).map_err(PostgresError::from))
            .collect()
    }

    fn current_master_key(&self) -> Result<Option<u32>, Self::Error> {
        let row = self.run(true, |c| c.client.query_opt(&c.master, &[]))?;
        master_key_from_db(match row {
            Some(row) => row.try_get::<_, Option<i64>>(0)?,
            None => None,
        })
    }

    fn replace_current_master_key(&self, old: Option<u32>, new: u32) -> Result<bool, Self::Error> {
        let (old, new) = (old.map(i64::from), i64::from(new));
        self.run(false, |c| {
            Ok(c.client.execute(&c.replace_master, &[&old, &new])? == 1)
        })
    }
}
