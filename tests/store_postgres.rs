//! `store::PostgresStore` through the shared store suite (`support/store_suite.rs`) against a
//! real server (`bash .ci/postgres start`; see `support/postgres.rs`): one record per token,
//! compare-and-swap, exactly once under threads, exact failure counts, typed errors, sealed
//! keys outside the swap; and a connection lost under a write is an error, never a swap,
//! after which the store reconnects by itself.
//!
//! Every test uses ids of its own (with this process's id), so the tests run in parallel and
//! beside other runs against the same database.

#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/postgres.rs"]
mod pg;
#[cfg(feature = "sealed-keys")]
#[path = "support/rotation_suite.rs"]
mod rotation_suite;
#[path = "support/store_suite.rs"]
mod store_suite;

use otpkit::StateRecord;
use otpkit::store::{PostgresError, PostgresStore, Store};
use postgres::{Client, NoTls};

/// A store whose connections carry `name` as their application name, and an id for the test.
fn store(name: &str) -> Option<(PostgresStore, String)> {
    let params = pg::params(name)?;
    let mut config: tokio_postgres::Config = params.parse().unwrap();
    let app = format!("otpkit-{name}-{}", std::process::id());
    config.application_name(&app);
    let store = PostgresStore::from_config(config).unwrap();
    Some((store, app))
}

/// A store in a PostgreSQL schema of its own, made afresh (the current master-key id is one
/// per table, so tests that set it do not share one), and the schema's name.
fn own_schema(name: &str) -> Option<(PostgresStore, String)> {
    let params = pg::params(name)?;
    let schema = format!("otpkit_{name}_{}", std::process::id());
    Client::connect(&params, NoTls)
        .unwrap()
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
        ))
        .unwrap();
    // Key-value parameters (as `.ci/postgres` writes them), with the schema searched first.
    let store =
        PostgresStore::connect(&format!("{params} options='-c search_path={schema}'")).unwrap();
    Some((store, schema))
}

/// Drops a schema of [`own_schema`].
fn drop_schema(name: &str, schema: &str) {
    let mut admin = admin(name).unwrap();
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}

fn admin(name: &str) -> Option<Client> {
    Some(Client::connect(&pg::params(name)?, NoTls).unwrap())
}

#[test]
fn postgres_store_crud() {
    let Some((store, id)) = store("crud") else {
        return;
    };
    let _ = store.delete(&format!("{id}-other"));
    let _ = store.delete(&id);
    store_suite::crud(&store, &id);
}

#[test]
fn postgres_store_exactly_once_under_threads() {
    let Some((store, id)) = store("once") else {
        return;
    };
    let _ = store.delete(&id);
    store_suite::exactly_once(&store, &id, 8, 200);
}

#[test]
fn postgres_store_failures_counted_exactly() {
    let Some((store, id)) = store("failures") else {
        return;
    };
    let _ = store.delete(&id);
    store_suite::failures_counted_exactly(&store, &id, 8);
}

#[test]
fn postgres_store_corrupt_and_unknown() {
    let Some((store, id)) = store("corrupt") else {
        return;
    };
    let _ = store.delete(&id);
    store_suite::corrupt_and_unknown(&store, &id);
}

#[test]
fn postgres_store_atomic_enrolment() {
    let Some((store, id)) = store("enrol") else {
        return;
    };
    let _ = store.delete(&id);
    let _ = store.delete(&format!("{id}-keyless"));
    store_suite::atomic_enrolment(&store, &id);
}

#[test]
fn postgres_store_v1_record_is_written_back_as_v2() {
    let Some((store, id)) = store("v1") else {
        return;
    };
    let _ = store.delete(&id);
    store_suite::v1_record_is_written_back_as_v2(&store, &id);
}

#[test]
fn postgres_store_sealed_keys() {
    let Some((store, id)) = store("keys") else {
        return;
    };
    let _ = store.delete(&id);
    let _ = store.delete(&format!("{id}-keyless"));
    store_suite::sealed_keys(&store, &id);
}

#[test]
fn postgres_store_sealed_key_swap() {
    let Some((store, id)) = store("key_swap") else {
        return;
    };
    let _ = store.delete(&id);
    store_suite::sealed_key_swap(&store, &id);
}

#[test]
fn postgres_store_ids_in_pages() {
    let Some((store, id)) = store("pages") else {
        return;
    };
    for i in 0..11 {
        let _ = store.delete(&format!("{id}-{i:02}"));
    }
    store_suite::ids_in_pages(&store, &id);
}

#[test]
fn postgres_store_current_master_key() {
    let Some((store, schema)) = own_schema("master_key") else {
        return;
    };
    store_suite::current_master_key(&store, "alice");
    drop_schema("master_key", &schema);
}

#[test]
fn postgres_store_enrolment_under_a_retired_master_key() {
    let Some((store, schema)) = own_schema("retired") else {
        return;
    };
    store_suite::enrolment_under_a_retired_master_key(&store, "alice");
    drop_schema("retired", &schema);
}

#[cfg(feature = "sealed-keys")]
#[test]
fn postgres_store_master_key_rotation() {
    let Some((store, schema)) = own_schema("rotation") else {
        return;
    };
    rotation_suite::all_and_threads(&store, "user");
    drop_schema("rotation", &schema);
}

#[test]
fn postgres_store_refuses_a_record_of_another_length() {
    let Some(mut admin) = admin("length") else {
        return;
    };
    let id = format!("short-{}", std::process::id());
    // The schema forbids it.
    let (store, _) = store("length").unwrap();
    let err = admin
        .execute(
            "INSERT INTO otpkit_tokens (id, record) VALUES ($1, '\\x0102')",
            &[&id],
        )
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&postgres::error::SqlState::CHECK_VIOLATION),
        "{err:?}"
    );
    drop(store);
    // A table made without the CHECK (in a schema of its own): a store error on load.
    let schema = format!("otpkit_nocheck_{}", std::process::id());
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
             CREATE TABLE {schema}.otpkit_tokens (id text PRIMARY KEY, record bytea NOT NULL,
                 sealed_key bytea);"
        ))
        .unwrap();
    let mut config: tokio_postgres::Config = pg::params("length").unwrap().parse().unwrap();
    config.options(format!("-c search_path={schema}"));
    let store = PostgresStore::from_config(config).unwrap();
    store_suite::bad_length_is_an_error(&store, &id, || {
        admin
            .execute(
                &format!("INSERT INTO {schema}.otpkit_tokens (id, record) VALUES ($1, '\\x0102')"),
                &[&id],
            )
            .unwrap();
    });
    assert!(matches!(store.load(&id), Ok(None)));
    let mut admin = Client::connect(&pg::params("length").unwrap(), NoTls).unwrap();
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}

/// A table of an earlier release (34-byte `CHECK`, in a schema of its own) gets the new
/// constraint when a store opens over it, keeping its rows; its version-1 record then
/// verifies and is written back as version 2, which the old table refused. Opening again
/// changes nothing.
#[test]
fn postgres_store_migrates_a_table_of_record_format_1() {
    let Some(mut admin) = admin("migrate") else {
        return;
    };
    let schema = format!("otpkit_v1_{}", std::process::id());
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
             CREATE TABLE {schema}.otpkit_tokens (
                 id text PRIMARY KEY,
                 record bytea NOT NULL CHECK (octet_length(record) = 34),
                 sealed_key bytea);"
        ))
        .unwrap();
    admin
        .execute(
            &format!(
                "INSERT INTO {schema}.otpkit_tokens (id, record, sealed_key) \
                 VALUES ('alice', $1, '\\x0a0b')"
            ),
            &[&&store_suite::V1_COUNTER_0[..]],
        )
        .unwrap();
    let v2 = StateRecord::counter(5).to_bytes();
    let insert_v2 = format!("INSERT INTO {schema}.otpkit_tokens (id, record) VALUES ('bob', $1)");
    let err = admin.execute(&insert_v2, &[&&v2[..]]).unwrap_err();
    assert_eq!(
        err.code(),
        Some(&postgres::error::SqlState::CHECK_VIOLATION)
    );

    let open = || {
        let mut config: tokio_postgres::Config = pg::params("migrate").unwrap().parse().unwrap();
        config.options(format!("-c search_path={schema}"));
        PostgresStore::from_config(config).unwrap()
    };
    let store = open();
    let store = {
        drop(store);
        open()
    };
    let def: String = admin
        .query_one(
            &format!(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE conrelid = '{schema}.otpkit_tokens'::regclass AND contype = 'c'"
            ),
            &[],
        )
        .unwrap()
        .get(0);
    assert!(def.contains("50") && def.contains("34"), "{def}");
    assert_eq!(
        otpkit::store::KeyStore::sealed_key(&store, "alice").unwrap(),
        Some(vec![0x0a, 0x0b])
    );
    assert_eq!(admin.execute(&insert_v2, &[&&v2[..]]).unwrap(), 1);
    let verifier = otpkit::store::Verifier::new(&store, otpkit::Policy::default());
    let hotp = otpkit::Hotp::new(b"12345678901234567890", otpkit::HotpParams::default()).unwrap();
    assert_eq!(
        verifier
            .verify_hotp("alice", &hotp, 0, "755224")
            .unwrap()
            .matched,
        0
    );
    assert_eq!(
        store.load("alice").unwrap().unwrap().len(),
        StateRecord::ENCODED_LEN
    );
    drop(store);
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}

/// Servers opening a table of an earlier release at once all succeed, and leave the new
/// constraint and every row.
#[test]
fn postgres_store_migrates_when_opened_at_once() {
    let Some(mut admin) = admin("migrate-race") else {
        return;
    };
    let schema = format!("otpkit_v1_race_{}", std::process::id());
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
             CREATE TABLE {schema}.otpkit_tokens (
                 id text PRIMARY KEY,
                 record bytea NOT NULL CHECK (octet_length(record) = 34),
                 sealed_key bytea);"
        ))
        .unwrap();
    for i in 0..20 {
        admin
            .execute(
                &format!("INSERT INTO {schema}.otpkit_tokens (id, record) VALUES ($1, $2)"),
                &[&format!("t{i}"), &&store_suite::V1_COUNTER_0[..]],
            )
            .unwrap();
    }
    let barrier = std::sync::Barrier::new(4);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let mut config: tokio_postgres::Config =
                    pg::params("migrate-race").unwrap().parse().unwrap();
                config.options(format!("-c search_path={schema}"));
                barrier.wait();
                let store = PostgresStore::from_config(config).unwrap();
                assert!(store.load("t0").unwrap().is_some());
            });
        }
    });
    let def: String = admin
        .query_one(
            &format!(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE conrelid = '{schema}.otpkit_tokens'::regclass AND contype = 'c'"
            ),
            &[],
        )
        .unwrap()
        .get(0);
    assert!(def.contains("50"), "{def}");
    let rows: i64 = admin
        .query_one(&format!("SELECT count(*) FROM {schema}.otpkit_tokens"), &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 20);
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}

#[test]
fn postgres_store_lost_connection_is_an_error_never_a_swap() {
    let Some((store, app)) = store("lost") else {
        return;
    };
    let mut admin = admin("lost").unwrap();
    let id = app.clone();
    let _ = store.delete(&id);
    let (a, b) = (
        StateRecord::counter(0).to_bytes(),
        StateRecord::counter(1).to_bytes(),
    );
    assert!(store.enrol(&id, &a).unwrap());
    let kill = |admin: &mut Client| {
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
    // The connection the swap will use is gone: an error, not `Ok(true)` nor `Ok(false)`.
    kill(&mut admin);
    match store.compare_and_swap(&id, &a, &b) {
        Err(PostgresError::Postgres(_)) => {}
        other => panic!("a write on a lost connection gave {other:?}"),
    }
    assert_eq!(store.load(&id).unwrap(), Some(a), "nothing was written");
    // A read on a lost idle connection is retried on a fresh one.
    kill(&mut admin);
    assert_eq!(store.load(&id).unwrap(), Some(a));
    // And the store works again: reconnected.
    assert!(store.compare_and_swap(&id, &a, &b).unwrap());
    assert_eq!(store.load(&id).unwrap(), Some(b));
    assert!(store.delete(&id).unwrap());
}

#[test]
fn store_postgres_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<otpkit::store::PostgresStore>();
}
