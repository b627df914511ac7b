//! Desks on one PostgreSQL database see each other's writes through `LISTEN`/`NOTIFY` (not
//! their own), and a store whose connection the server ended refuses writes cleanly, then
//! connects again and works. Skipped without a server (see tests/common/pg.rs).

mod common;

use std::time::{Duration, Instant};

use common::pg::PgDb;
use complaint_desk::store::{IfMissing, Store};

/// How long a wait for the server may take before the test fails (a loaded machine).
const PATIENCE: Duration = Duration::from_secs(120);

/// Waits until `ready` holds, failing the test after [`PATIENCE`].
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < PATIENCE, "waited too long for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn open(db: &PgDb) -> Store {
    Store::open_postgres(&db.url, Some(&db.password), IfMissing::Create).expect("open")
}

fn write(store: &mut Store, form: &str) -> complaint_desk::error::Result<()> {
    store.save_draft("坐席甲", form, chrono::Utc::now())
}

#[test]
fn desks_hear_each_others_writes_and_not_their_own() {
    let Some(db) = PgDb::new() else { return };
    let mut a = open(&db);
    let b = open(&db);
    let (a0, b0) = (
        a.data_version().expect("a's version"),
        b.data_version().expect("b's version"),
    );
    write(&mut a, "{}").expect("a writes");
    wait_for("b to hear a's write", || {
        b.data_version().expect("b's version") > b0
    });
    // A read goes to the server and back: a's own notification has come by then.
    assert_eq!(a.draft("坐席甲").expect("read").as_deref(), Some("{}"));
    assert_eq!(a.data_version().expect("a's version"), a0, "its own write");
}

#[test]
fn a_store_whose_connection_was_ended_refuses_writes_and_reconnects() {
    let Some(db) = PgDb::new() else { return };
    let mut a = open(&db);
    let mut b = open(&db);
    write(&mut a, "{\"n\":1}").expect("a writes");

    // The server ends both desks' connections (as a restart would).
    let mut admin = db.client();
    let killed = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                  WHERE datname = current_database() AND application_name = 'complaint-desk'";
    let n: i64 = admin.query_one(killed, &[]).expect("terminate").get(0);
    assert_eq!(n, 2, "both desks' connections");
    wait_for("the connections to end", || {
        let left: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND application_name = 'complaint-desk'",
                &[],
            )
            .expect("count")
            .get(0);
        left == 0
    });

    // A write fails cleanly, saying why; nothing is written.
    let err = write(&mut a, "{\"n\":2}").expect_err("no connection");
    assert_eq!(err.key, "error.pg_lost", "{err:?}");
    assert!(a.connection_lost());
    // The desk polling its version finds out too.
    let err = b.data_version().expect_err("no connection");
    assert_eq!(err.key, "error.pg_lost", "{err:?}");
    assert!(b.connection_lost());

    // Waiting for it.
    a.reconnect().expect("a reconnects");
    assert!(!a.connection_lost());
    assert_eq!(
        a.draft("坐席甲").expect("read").as_deref(),
        Some("{\"n\":1}")
    );
    // Without waiting: tried on another thread until it is done.
    wait_for("b to reconnect", || {
        b.try_reconnect().expect("b reconnects")
    });
    assert!(!b.connection_lost());
    let b0 = b.data_version().expect("b's version");

    // Both work again, and hear each other.
    write(&mut a, "{\"n\":3}").expect("a writes again");
    wait_for("b to hear a's write", || {
        b.data_version().expect("b's version") > b0
    });
    write(&mut b, "{\"n\":4}").expect("b writes again");
    assert_eq!(
        a.draft("坐席甲").expect("read").as_deref(),
        Some("{\"n\":4}")
    );
}

#[test]
fn a_reconnection_changes_the_data_version() {
    let Some(db) = PgDb::new() else { return };
    let a = open(&db);
    let before = a.data_version().expect("version");
    a.reconnect().expect("reconnect");
    assert_ne!(a.data_version().expect("version"), before);
}
