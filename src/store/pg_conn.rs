//! The connection layer of the PostgreSQL stores: how a connection is opened (TCP keepalive,
//! `tcp_user_timeout`, a connect timeout), driven (its notices kept, tied to the statement
//! that produced them) and bounded (no statement waits longer than the store's bound; after
//! it the statement is cancelled and the connection dropped).
//!
//! Why the store drives the connection itself: PostgreSQL reports a commit whose wait for
//! synchronous replication was cancelled as a success (`UPDATE 1`) with a `WARNING`
//! ("canceling wait for synchronous replication ... committed locally, but might not have
//! been replicated"). `tokio-postgres` only logs notices when its `Connection` is spawned as
//! a future, so the store polls [`Connection::poll_message`] and records them; a statement
//! during which one arrived is an error, never a success. The notice arrives on the socket
//! before the statement's `CommandComplete`, and `poll_message` hands it over before routing
//! the later messages to the client, so it is recorded before the statement's future
//! resolves.

use core::future::{Future, poll_fn};
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::time::Duration;
use std::boxed::Box;
use std::sync::{Arc, Mutex, PoisonError};
use std::vec::Vec;

use tokio_postgres::config::Host;
use tokio_postgres::error::{DbError, Severity};
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, Client, Config, Connection, Row, Socket, Statement};

use super::PostgresError;

/// The default bound on one statement, commit wait included.
pub(super) const STATEMENT_BOUND: Duration = Duration::from_secs(10);

/// The connect timeout when the caller's configuration sets none.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A task: the connection's driver, or a cancel request.
type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Sends a cancel request for the connection's running statement (with the store's TLS).
type Canceller = Arc<dyn Fn(tokio_postgres::CancelToken) -> Task + Send + Sync>;

/// Sets what the caller left unset: a connect timeout, TCP keepalive (idle 5 s, every 1 s, 3
/// probes: a peer gone without a word is noticed in about 8 s on an idle connection) and
/// `tcp_user_timeout` (data sent and not acknowledged for the statement bound: a partitioned
/// server). A paused server still acknowledges TCP, so only the statement bound ends a
/// statement waiting on it.
pub(super) fn harden(config: &mut Config) {
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    config.keepalives(true);
    // 2 hours is the client's default, so the caller did not choose it.
    if config.get_keepalives_idle() == Duration::from_secs(2 * 60 * 60) {
        config.keepalives_idle(Duration::from_secs(5));
    }
    if config.get_keepalives_interval().is_none() {
        config.keepalives_interval(Duration::from_secs(1));
    }
    if config.get_keepalives_retries().is_none() {
        config.keepalives_retries(3);
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(STATEMENT_BOUND);
    }
}

/// The first notice of a connection that says a write may not be durable, since the
/// statement running began.
#[derive(Default)]
struct Notices(Mutex<Option<DbError>>);

impl Notices {
    /// Keeps `notice` if it is a `WARNING`: PostgreSQL warns when it cancels a commit's wait
    /// for synchronous replication (by `pg_cancel_backend`, a statement cancel, or before
    /// terminating the session), and any other warning during one of the store's statements
    /// is as unexpected; lower levels (`NOTICE`, `INFO`) are not about durability.
    fn record(&self, notice: DbError) {
        if notice.parsed_severity() == Some(Severity::Warning) {
            let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.is_none() {
                *slot = Some(notice);
            }
        }
    }

    fn take(&self) -> Option<DbError> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Drives `connection` until it ends, recording its notices.
async fn drive<S, T>(mut connection: Connection<S, T>, notices: Arc<Notices>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        match poll_fn(|cx| connection.poll_message(cx)).await {
            Some(Ok(AsyncMessage::Notice(notice))) => notices.record(notice),
            Some(Ok(_)) => {}
            // The connection failed or closed: the client's statements fail from now on.
            Some(Err(_)) | None => return,
        }
    }
}

/// A statement's result, and the cancel request to send when it ran past the bound.
type Outcome<R> = (Result<R, PostgresError>, Option<Task>);

/// A client whose statements are bounded and checked for notices.
pub(super) struct BoundedClient {
    client: Client,
    notices: Arc<Notices>,
    cancel: Canceller,
    bound: Duration,
    /// A statement ran past the bound: the connection is not to be reused.
    timed_out: AtomicBool,
}

/// One configuration per host of a multi-host `config`, tried in order by [`open`], each
/// with its own time limit: the client's `connect_timeout` covers only the TCP connect, and
/// a paused server accepts that and then never answers the start-up, which would hang the
/// connection attempt instead of moving on to the next host.
pub(super) fn per_host(config: &Config) -> Vec<Config> {
    let hosts = config.get_hosts();
    if hosts.len() <= 1 {
        return std::vec![config.clone()];
    }
    let (ports, addrs) = (config.get_ports(), config.get_hostaddrs());
    hosts
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let mut one = Config::new();
            match host {
                Host::Tcp(name) => one.host(name),
                Host::Unix(path) => one.host_path(path),
            };
            if let Some(addr) = addrs.get(i) {
                one.hostaddr(*addr);
            }
            // One port for all hosts, or one each (the client's own rule).
            if let Some(port) = ports.get(i).or(ports.first()) {
                one.port(*port);
            }
            if let Some(user) = config.get_user() {
                one.user(user);
            }
            if let Some(password) = config.get_password() {
                one.password(password);
            }
            if let Some(dbname) = config.get_dbname() {
                one.dbname(dbname);
            }
            if let Some(options) = config.get_options() {
                one.options(options);
            }
            if let Some(name) = config.get_application_name() {
                one.application_name(name);
            }
            if let Some(timeout) = config.get_connect_timeout() {
                one.connect_timeout(*timeout);
            }
            if let Some(timeout) = config.get_tcp_user_timeout() {
                one.tcp_user_timeout(*timeout);
            }
            if let Some(interval) = config.get_keepalives_interval() {
                one.keepalives_interval(interval);
            }
            if let Some(retries) = config.get_keepalives_retries() {
                one.keepalives_retries(retries);
            }
            one.ssl_mode(config.get_ssl_mode())
                .ssl_negotiation(config.get_ssl_negotiation())
                .keepalives(config.get_keepalives())
                .keepalives_idle(config.get_keepalives_idle())
                .target_session_attrs(config.get_target_session_attrs())
                .channel_binding(config.get_channel_binding());
            one
        })
        .collect()
}

/// Opens a connection with `tls` to the first of `hosts` (from [`per_host`]) that accepts
/// one within its connect timeout and has the session attributes asked for: the client, and
/// the driver to spawn.
pub(super) async fn open<T>(
    hosts: &[Config],
    tls: T,
    bound: Duration,
) -> Result<(BoundedClient, Task), PostgresError>
where
    T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
    T::Stream: Send + 'static,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let mut last = None;
    let mut connected = None;
    for config in hosts {
        let limit = config
            .get_connect_timeout()
            .copied()
            .unwrap_or(CONNECT_TIMEOUT);
        match tokio::time::timeout(limit, config.connect(tls.clone())).await {
            Ok(Ok(pair)) => {
                connected = Some(pair);
                break;
            }
            Ok(Err(e)) => last = Some(PostgresError::Postgres(e)),
            Err(_) => last = Some(PostgresError::Timeout(limit)),
        }
    }
    let Some((client, connection)) = connected else {
        return Err(last.unwrap_or(PostgresError::Timeout(CONNECT_TIMEOUT)));
    };
    let notices = Arc::new(Notices::default());
    let driver: Task = Box::pin(drive(connection, notices.clone()));
    let cancel: Canceller = Arc::new(move |token: tokio_postgres::CancelToken| -> Task {
        let tls = tls.clone();
        Box::pin(async move {
            // Best effort, and bounded too: a paused server never answers it.
            let _ = tokio::time::timeout(CONNECT_TIMEOUT, token.cancel_query(tls)).await;
        })
    });
    Ok((
        BoundedClient {
            client,
            notices,
            cancel,
            bound,
            timed_out: AtomicBool::new(false),
        },
        driver,
    ))
}

impl BoundedClient {
    /// Whether the connection is closed or was given up after a timeout.
    pub(super) fn is_closed(&self) -> bool {
        self.timed_out.load(Ordering::Relaxed) || self.client.is_closed()
    }

    pub(super) fn set_bound(&mut self, bound: Duration) {
        self.bound = bound;
    }

    /// Runs `statement` within the bound: its result, unless a warning arrived meanwhile
    /// ([`PostgresError::NotDurable`]) or the bound passed ([`PostgresError::Timeout`], with
    /// the cancel request to send).
    async fn bounded<R>(
        &self,
        statement: impl Future<Output = Result<R, tokio_postgres::Error>>,
    ) -> Outcome<R> {
        // A notice left over from an earlier statement is not this one's.
        let _ = self.notices.take();
        match tokio::time::timeout(self.bound, statement).await {
            Err(_) => {
                self.timed_out.store(true, Ordering::Relaxed);
                let cancel = (self.cancel)(self.client.cancel_token());
                (Err(PostgresError::Timeout(self.bound)), Some(cancel))
            }
            Ok(Err(e)) => (Err(e.into()), None),
            Ok(Ok(value)) => match self.notices.take() {
                Some(notice) => (Err(PostgresError::NotDurable(Box::new(notice))), None),
                None => (Ok(value), None),
            },
        }
    }

    async fn prepare_raw(&self, query: &str) -> Outcome<Statement> {
        self.bounded(self.client.prepare(query)).await
    }

    async fn batch_execute_raw(&self, query: &str) -> Outcome<()> {
        self.bounded(self.client.batch_execute(query)).await
    }

    async fn execute_raw(
        &self,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Outcome<u64> {
        self.bounded(self.client.execute(statement, params)).await
    }

    async fn query_opt_raw(
        &self,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Outcome<Option<Row>> {
        self.bounded(self.client.query_opt(statement, params)).await
    }

    async fn query_raw(
        &self,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Outcome<Vec<Row>> {
        self.bounded(self.client.query(statement, params)).await
    }
}

/// The asynchronous store's statements: a cancel request after a timeout is spawned on the
/// current tokio runtime.
#[cfg(feature = "store-postgres-async")]
impl BoundedClient {
    fn spawn_cancel<R>((result, cancel): Outcome<R>) -> Result<R, PostgresError> {
        if let Some(cancel) = cancel {
            tokio::spawn(cancel);
        }
        result
    }

    pub(super) async fn prepare(&self, query: &str) -> Result<Statement, PostgresError> {
        Self::spawn_cancel(self.prepare_raw(query).await)
    }

    pub(super) async fn batch_execute(&self, query: &str) -> Result<(), PostgresError> {
        Self::spawn_cancel(self.batch_execute_raw(query).await)
    }

    pub(super) async fn execute(
        &self,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, PostgresError> {
        Self::spawn_cancel(self.execute_raw(statement, params).await)
    }

    pub(super) async fn query_opt(
        &self,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, PostgresError> {
        Self::spawn_cancel(self.query_opt_raw(statement, params).await)
    }

    pub(super) async fn query(
        &self,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, PostgresError> {
        Self::spawn_cancel(self.query_raw(statement, params).await)
    }
}

/// A blocking client: a [`BoundedClient`] on a runtime of its own, which runs the
/// connection's driver while a statement runs (as the `postgres` crate's client does).
#[cfg(feature = "store-postgres")]
pub(super) struct SyncClient {
    runtime: tokio::runtime::Runtime,
    inner: BoundedClient,
}

#[cfg(feature = "store-postgres")]
impl SyncClient {
    /// Opens a connection with `tls`.
    pub(super) fn connect<T>(
        hosts: &[Config],
        tls: T,
        bound: Duration,
    ) -> Result<SyncClient, PostgresError>
    where
        T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
        T::Stream: Send + 'static,
        T::TlsConnect: Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(PostgresError::Io)?;
        let (inner, driver) = runtime.block_on(open(hosts, tls, bound))?;
        runtime.spawn(driver);
        Ok(SyncClient { runtime, inner })
    }

    pub(super) fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    pub(super) fn set_bound(&mut self, bound: Duration) {
        self.inner.set_bound(bound);
    }

    /// Blocks on a statement; after a timeout, the cancel request goes from a thread of its
    /// own (this connection's runtime is dropped with it).
    fn block<R>(&self, statement: impl Future<Output = Outcome<R>>) -> Result<R, PostgresError> {
        let (result, cancel) = self.runtime.block_on(statement);
        if let Some(cancel) = cancel {
            std::thread::spawn(move || {
                if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_io()
                    .enable_time()
                    .build()
                {
                    runtime.block_on(cancel);
                }
            });
        }
        result
    }

    pub(super) fn prepare(&mut self, query: &str) -> Result<Statement, PostgresError> {
        self.block(self.inner.prepare_raw(query))
    }

    pub(super) fn batch_execute(&mut self, query: &str) -> Result<(), PostgresError> {
        self.block(self.inner.batch_execute_raw(query))
    }

    pub(super) fn execute(
        &mut self,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, PostgresError> {
        self.block(self.inner.execute_raw(statement, params))
    }

    pub(super) fn query_opt(
        &mut self,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, PostgresError> {
        self.block(self.inner.query_opt_raw(statement, params))
    }

    pub(super) fn query(
        &mut self,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, PostgresError> {
        self.block(self.inner.query_raw(statement, params))
    }
}
