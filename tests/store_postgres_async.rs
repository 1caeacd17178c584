//! `store::AsyncPostgresStore` against a real server (`bash .ci/postgres start`; see
//! `support/postgres.rs`): the shared store suite through the same `Store` trait (each call
//! run to completion on a multi-threaded tokio runtime), `AsyncVerifier` tasks racing on that
//! runtime (which needs `Send` futures), and a connection lost under a write is an error,
//! after which the store reconnects by itself.

#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/postgres.rs"]
mod pg;
#[cfg(feature = "sealed-keys")]
#[path = "support/rotation_suite.rs"]
mod rotation_suite;
#[path = "support/store_suite.rs"]
mod store_suite;

use std::sync::Arc;

use otpkit::store::{
    AsyncKeyStore, AsyncPostgresStore, AsyncStore, AsyncVerifier, KeyStore, KeyWrite,
    PostgresError, RecordBytes, Store, VerifyError,
};
use otpkit::{Error, Hotp, HotpParams, Policy, StateRecord};
use tokio::runtime::{Builder, Runtime};
use tokio_postgres::{Config, NoTls};

/// The asynchronous store seen through `Store`: each call blocks on the runtime.
struct Blocking {
    rt: Runtime,
    store: AsyncPostgresStore,
}

impl Store for Blocking {
    type Error = PostgresError;

    fn enrol(&self, id: &str, record: &RecordBytes) -> Result<bool, Self::Error> {
        self.rt.block_on(self.store.enrol(id, record))
    }

    fn delete(&self, id: &str) -> Result<bool, Self::Error> {
        self.rt.block_on(self.store.delete(id))
    }

    fn load(&self, id: &str) -> Result<Option<RecordBytes>, Self::Error> {
        self.rt.block_on(self.store.load(id))
    }

    fn compare_and_swap(
        &self,
        id: &str,
        old: &RecordBytes,
        new: &RecordBytes,
    ) -> Result<bool, Self::Error> {
        self.rt.block_on(self.store.compare_and_swap(id, old, new))
    }
}

impl KeyStore for Blocking {
    type Error = PostgresError;

    fn put_sealed_key(
        &self,
        id: &str,
        sealed: &[u8],
        master_key: u32,
    ) -> Result<KeyWrite, Self::Error> {
        self.rt.block_on(AsyncKeyStore::put_sealed_key(
            &self.store,
            id,
            sealed,
            master_key,
        ))
    }

    fn sealed_key(&self, id: &str) -> Result<Option<Vec<u8>>, Self::Error> {
        self.rt.block_on(AsyncKeyStore::sealed_key(&self.store, id))
    }

    fn compare_and_swap_sealed_key(
        &self,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, Self::Error> {
        self.rt.block_on(AsyncKeyStore::compare_and_swap_sealed_key(
            &self.store,
            id,
            old,
            new,
        ))
    }

    fn ids_with_keys(&self, after: Option<&str>, limit: usize) -> Result<Vec<String>, Self::Error> {
        self.rt
            .block_on(AsyncKeyStore::ids_with_keys(&self.store, after, limit))
    }

    fn current_master_key(&self) -> Result<Option<u32>, Self::Error> {
        self.rt
            .block_on(AsyncKeyStore::current_master_key(&self.store))
    }

    fn replace_current_master_key(&self, old: Option<u32>, new: u32) -> Result<bool, Self::Error> {
        self.rt.block_on(AsyncKeyStore::replace_current_master_key(
            &self.store,
            old,
            new,
        ))
    }
}

impl otpkit::store::EnrolStore for Blocking {
    type Error = PostgresError;

    fn enrol_with_key(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error> {
        self.rt
            .block_on(otpkit::store::AsyncEnrolStore::enrol_with_key(
                &self.store,
                id,
                record,
                sealed_key,
            ))
    }

    fn reenrol(
        &self,
        id: &str,
        record: &RecordBytes,
        sealed_key: Option<&[u8]>,
    ) -> Result<KeyWrite, Self::Error> {
        self.rt.block_on(otpkit::store::AsyncEnrolStore::reenrol(
            &self.store,
            id,
            record,
            sealed_key,
        ))
    }
}

fn runtime() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

/// A store whose connections carry `name` as their application name (also the test's id).
fn blocking(name: &str) -> Option<(Blocking, String)> {
    let params = pg::params(name)?;
    let app = format!("otpkit-async-{name}-{}", std::process::id());
    let rt = runtime();
    let mut config: Config = params.parse().unwrap();
    config.application_name(&app);
    let store = rt
        .block_on(AsyncPostgresStore::from_config(config))
        .unwrap();
    Some((Blocking { rt, store }, app))
}

/// A blocking view of a store in a PostgreSQL schema of its own, made afresh (the current
/// master-key id is one per table), and the schema's name.
fn own_schema(name: &str) -> Option<(Blocking, String)> {
    let params = pg::params(name)?;
    let schema = format!("otpkit_async_{name}_{}", std::process::id());
    postgres::Client::connect(&params, NoTls)
        .unwrap()
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
        ))
        .unwrap();
    let rt = runtime();
    // Key-value parameters (as `.ci/postgres` writes them), with the schema searched first.
    let params = format!("{params} options='-c search_path={schema}'");
    let store = rt.block_on(AsyncPostgresStore::connect(&params)).unwrap();
    Some((Blocking { rt, store }, schema))
}

fn drop_schema(name: &str, schema: &str) {
    postgres::Client::connect(&pg::params(name).unwrap(), NoTls)
        .unwrap()
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}

#[test]
fn async_postgres_store_sealed_keys() {
    let Some((store, id)) = blocking("keys") else {
        return;
    };
    let _ = Store::delete(&store, &id);
    let _ = Store::delete(&store, &format!("{id}-keyless"));
    store_suite::sealed_keys(&store, &id);
}

#[test]
fn async_postgres_store_sealed_key_swap() {
    let Some((store, id)) = blocking("key_swap") else {
        return;
    };
    let _ = Store::delete(&store, &id);
    store_suite::sealed_key_swap(&store, &id);
}

#[test]
fn async_postgres_store_ids_in_pages() {
    let Some((store, id)) = blocking("pages") else {
        return;
    };
    for i in 0..11 {
        let _ = Store::delete(&store, &format!("{id}-{i:02}"));
    }
    store_suite::ids_in_pages(&store, &id);
}

#[test]
fn async_postgres_store_current_master_key() {
    let Some((store, schema)) = own_schema("master_key") else {
        return;
    };
    store_suite::current_master_key(&store, "alice");
    drop_schema("master_key", &schema);
}

#[test]
fn async_postgres_store_enrolment_under_a_retired_master_key() {
    let Some((store, schema)) = own_schema("retired") else {
        return;
    };
    store_suite::enrolment_under_a_retired_master_key(&store, "alice");
    drop_schema("retired", &schema);
}

/// The blocking rotation over the async store's `AsyncKeyStore` (through `Blocking`), and the
/// asynchronous rotation itself on the runtime.
#[cfg(feature = "sealed-keys")]
#[test]
fn async_postgres_store_master_key_rotation() {
    use otpkit::sealed::{RotateOptions, rotate_master_key_async};
    let Some((store, schema)) = own_schema("rotation") else {
        return;
    };
    rotation_suite::all_and_threads(&store, "user");
    // The old key current again; the async rotation, on the runtime.
    let (old, new) = (rotation_suite::old(), rotation_suite::new());
    assert!(KeyStore::replace_current_master_key(&store, Some(new.id()), old.id()).unwrap());
    let ids = rotation_suite::enrol_all(&store, "async", 7, &old);
    let options = RotateOptions {
        page_size: 3,
        ..RotateOptions::default()
    };
    let mut pages = 0;
    let done = store
        .rt
        .block_on(rotate_master_key_async(
            &store.store,
            &old,
            &new,
            options,
            |_| pages += 1,
        ))
        .unwrap();
    assert_eq!(
        (done.resealed, done.passes, done.old_key_remains),
        (7, 2, false)
    );
    assert_eq!(pages, 6);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(
            rotation_suite::opened(&store, id, &new),
            rotation_suite::key(i, 0)
        );
    }
    let late = old.seal(&ids[0], &[5; 20]).unwrap();
    assert_eq!(
        KeyStore::put_sealed_key(&store, &ids[0], &late, old.id()).unwrap(),
        KeyWrite::RetiredMasterKey { current: new.id() }
    );
    drop_schema("rotation", &schema);
}

#[test]
fn async_postgres_store_crud() {
    let Some((store, id)) = blocking("crud") else {
        return;
    };
    let _ = store.delete(&format!("{id}-other"));
    let _ = store.delete(&id);
    store_suite::crud(&store, &id);
}

#[test]
fn async_postgres_store_exactly_once_under_threads() {
    let Some((store, id)) = blocking("once") else {
        return;
    };
    let _ = store.delete(&id);
    store_suite::exactly_once(&store, &id, 8, 100);
}

#[test]
fn async_postgres_store_failures_counted_exactly() {
    let Some((store, id)) = blocking("failures") else {
        return;
    };
    let _ = store.delete(&id);
    store_suite::failures_counted_exactly(&store, &id, 8);
}

#[test]
fn async_postgres_store_v1_record_is_written_back_as_v2() {
    let Some((store, id)) = blocking("v1") else {
        return;
    };
    let _ = store.delete(&id);
    store_suite::v1_record_is_written_back_as_v2(&store, &id);
}

/// Enrolment with a key and re-enrolment, each one statement: record and key are written
/// together (read back through a client of its own), a taken id changes nothing, and a
/// re-enrolment without a key leaves no old key beside the new record.
#[test]
fn async_postgres_store_atomic_enrolment() {
    use otpkit::EnrolmentId;
    use otpkit::store::AsyncEnrolStore;
    let Some((store, id)) = blocking("enrol") else {
        return;
    };
    let _ = store.delete(&id);
    let mut admin = postgres::Client::connect(&pg::params("enrol").unwrap(), NoTls).unwrap();
    let mut row = |id: &str| -> (Vec<u8>, Option<Vec<u8>>) {
        let r = admin
            .query_one(
                "SELECT record, sealed_key FROM otpkit_tokens WHERE id = $1",
                &[&id],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    let record = |n: u8| {
        StateRecord::time_step()
            .with_enrolment(EnrolmentId::from_bytes([n; 16]))
            .to_bytes()
    };
    let (r1, r2) = (record(1), record(2));
    let rt = &store.rt;
    let s = &store.store;
    assert_eq!(
        rt.block_on(s.enrol_with_key(&id, &r1, Some(b"key 1")))
            .unwrap(),
        KeyWrite::Stored
    );
    assert_eq!(
        rt.block_on(s.enrol_with_key(&id, &r2, Some(b"key 2")))
            .unwrap(),
        KeyWrite::AlreadyEnrolled
    );
    assert_eq!(row(&id), (r1.to_vec(), Some(b"key 1".to_vec())));
    rt.block_on(s.reenrol(&id, &r2, Some(b"key 2"))).unwrap();
    assert_eq!(row(&id), (r2.to_vec(), Some(b"key 2".to_vec())));
    assert!(!rt.block_on(s.compare_and_swap(&id, &r1, &r1)).unwrap());
    rt.block_on(s.reenrol(&id, &r1, None)).unwrap();
    assert_eq!(row(&id), (r1.to_vec(), None));
    assert!(store.delete(&id).unwrap());
}

#[test]
fn async_postgres_store_corrupt_and_unknown() {
    let Some((store, id)) = blocking("corrupt") else {
        return;
    };
    let _ = store.delete(&id);
    store_suite::corrupt_and_unknown(&store, &id);
}

#[test]
fn async_verifier_tasks_on_a_multithreaded_runtime_accept_once() {
    const TASKS: usize = 8;
    const ROUNDS: u64 = 100;
    let Some(params) = pg::params("async_verifier") else {
        return;
    };
    let rt = runtime();
    let id = format!("otpkit-async-verifier-{}", std::process::id());
    rt.block_on(async {
        let store = AsyncPostgresStore::connect(&params).await.unwrap();
        let _ = store.delete(&id).await;
        let verifier = Arc::new(AsyncVerifier::new(store, Policy::default()));
        let enrolment = otpkit::EnrolmentId::from_bytes([0xe1; 16]);
        let first = StateRecord::counter(0).with_enrolment(enrolment);
        assert!(verifier.enrol(&id, &first).await.unwrap());
        let hotp = Hotp::new(b"12345678901234567890", HotpParams::default()).unwrap();
        let hotp = otpkit::Enrolled::new(hotp, enrolment);
        for round in 0..ROUNDS {
            let code = hotp.generate(round);
            // `tokio::spawn` takes only `Send` futures: the verifier's are.
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| {
                    let (verifier, id, hotp) = (verifier.clone(), id.clone(), hotp.clone());
                    tokio::spawn(async move { verifier.verify_hotp(&id, &hotp, 0, code).await })
                })
                .collect();
            let mut accepted = 0;
            for task in tasks {
                match task.await.unwrap() {
                    Ok(a) => {
                        assert_eq!(a.matched, round);
                        accepted += 1;
                    }
                    Err(VerifyError::Rejected(Error::Replay)) => {}
                    Err(e) => panic!("round {round}: {e:?}"),
                }
            }
            assert_eq!(accepted, 1, "round {round}: exactly one acceptance");
        }
        let stored = verifier.store().load(&id).await.unwrap().unwrap();
        assert_eq!(
            StateRecord::from_bytes(&stored).unwrap().next_counter(),
            ROUNDS
        );
        assert!(verifier.delete(&id).await.unwrap());
    });
}

#[test]
fn async_postgres_store_lost_connection_is_an_error_never_a_swap() {
    let Some((store, app)) = blocking("lost") else {
        return;
    };
    let mut admin = postgres::Client::connect(&pg::params("lost").unwrap(), NoTls).unwrap();
    let id = app.clone();
    let _ = store.delete(&id);
    let (a, b) = (
        StateRecord::counter(0).to_bytes(),
        StateRecord::counter(1).to_bytes(),
    );
    assert!(store.enrol(&id, &a).unwrap());
    let kill = |admin: &mut postgres::Client| {
        let killed: i64 = admin
            .query_one(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = $1) AS t",
                &[&app],
            )
            .unwrap()
            .get(0);
        assert!(killed >= 1, "the store's connection was found and ended");
    };
    kill(&mut admin);
    match store.compare_and_swap(&id, &a, &b) {
        Err(PostgresError::Postgres(_)) => {}
        other => panic!("a write on a lost connection gave {other:?}"),
    }
    assert_eq!(store.load(&id).unwrap(), Some(a), "nothing was written");
    kill(&mut admin);
    assert_eq!(store.load(&id).unwrap(), Some(a), "a read is retried");
    assert!(store.compare_and_swap(&id, &a, &b).unwrap(), "reconnected");
    assert!(store.delete(&id).unwrap());
}

#[test]
fn store_postgres_async_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<otpkit::store::AsyncPostgresStore>();
}
