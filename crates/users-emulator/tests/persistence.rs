//! `--state FILE`: state survives a restart; a corrupt file is a clear error, never a reset; the
//! store is locked by one emulator at a time; a failed commit changes nothing; an older JSON
//! state file is converted.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::{Api, BACKENDS, enc, uid};
use serde_json::json;
use users_emulator::{Emulator, EmulatorConfig, StateFileError, SystemClock};

fn temp_path(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "users-emulator-{name}-{}-{nanos}.json",
        std::process::id()
    ))
}

fn open(path: &PathBuf) -> Result<(Emulator, bool), StateFileError> {
    Emulator::open(EmulatorConfig::default(), Arc::new(SystemClock), path)
}

/// Opens `path` again once the previous emulator is gone: a served one lives until its
/// connections have closed, and holds the store's lock until then.
async fn reopen(path: &PathBuf) -> (Emulator, bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match open(path) {
            Err(StateFileError::Locked { .. }) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            other => return other.expect("reopen"),
        }
    }
}

fn remove_store(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm", ".v1.json"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

#[tokio::test]
async fn state_survives_a_restart() {
    for &backend in BACKENDS {
        let path = temp_path("restart");
        let (first, loaded) = open(&path).expect("fresh state file");
        assert!(!loaded);
        let api = Api::attach(backend, first).await;
        let token = api.token(None).await;
        let user = api
            .create_user(&token, "kept@example.com", json!({"user_metadata":{"a":1}}))
            .await;
        let id = uid(&user);
        api.call(
            "PATCH",
            &format!("/api/v2/users/{}", enc(&id)),
            Some(&token),
            Some(json!({"user_metadata":{"b":2}})),
        )
        .await;
        drop(api);

        let (second, loaded) = reopen(&path).await;
        assert!(loaded);
        let api = Api::attach(backend, second).await;
        let token = api.token(None).await;
        let got = api
            .call(
                "GET",
                &format!("/api/v2/users/{}", enc(&id)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body["user_metadata"], json!({"a":1,"b":2}));
        let other = api.create_user(&token, "new@example.com", json!({})).await;
        assert_ne!(uid(&other), id, "the id counter is persisted too");
        drop(api);
        remove_store(&path);
    }
}

#[test]
fn corrupt_or_unreadable_files_are_errors() {
    let path = temp_path("corrupt");
    std::fs::write(&path, b"{ not a snapshot").expect("write");
    match open(&path) {
        Err(StateFileError::Corrupt { .. }) => {}
        other => panic!(
            "expected Corrupt, got {:?}",
            other.map(|(_, loaded)| loaded)
        ),
    }
    assert_eq!(
        std::fs::read(&path).expect("read"),
        b"{ not a snapshot",
        "never overwritten"
    );
    let _ = std::fs::remove_file(&path);

    let dir = temp_path("dir");
    std::fs::create_dir_all(&dir).expect("dir");
    let error = open(&dir)
        .map(|_| ())
        .expect_err("a directory is not a state file");
    assert!(error.to_string().contains("state file"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_second_emulator_cannot_open_a_store_in_use() {
    let path = temp_path("locked");
    let (first, _) = open(&path).expect("first");
    match open(&path) {
        Err(error @ StateFileError::Locked { .. }) => {
            assert!(
                error
                    .to_string()
                    .contains("in use by another emulator process")
            );
        }
        other => panic!("expected Locked, got {:?}", other.map(|(_, l)| l)),
    }
    drop(first);
    let (_again, loaded) = open(&path).expect("free again once the first is gone");
    assert!(loaded);
    remove_store(&path);
}

#[tokio::test]
async fn a_failed_commit_answers_500_and_keeps_nothing() {
    for &backend in BACKENDS {
        let path = temp_path("failed-commit");
        let (emulator, _) = open(&path).expect("fresh");
        let api = Api::attach(backend, emulator).await;
        let token = api.token(None).await;
        // Another connection (as a sqlite3 shell could) holds the write lock: commits fail.
        let blocker = rusqlite::Connection::open(&path).expect("second connection");
        blocker
            .execute_batch("BEGIN IMMEDIATE")
            .expect("write lock");
        let body = json!({"connection": "Username-Password-Authentication",
            "email": "retry@example.com", "password": "Passw0rd!x", "user_id": "retry1"});
        let failed = api
            .call("POST", "/api/v2/users", Some(&token), Some(body.clone()))
            .await;
        assert_eq!(failed.status, 500, "{:?}", failed.body);
        blocker.execute_batch("ROLLBACK").expect("release");
        let missing = api
            .call("GET", "/api/v2/users/auth0%7Cretry1", Some(&token), None)
            .await;
        assert_eq!(missing.status, 404, "the failed create is not in memory");
        let retried = api
            .call("POST", "/api/v2/users", Some(&token), Some(body))
            .await;
        assert_eq!(
            retried.status, 201,
            "a retry is not a conflict: {:?}",
            retried.body
        );
        drop(api);
        let (again, _) = reopen(&path).await;
        let api = Api::attach(common::Backend::InProcess, again).await;
        let token = api.token(None).await;
        let kept = api
            .call("GET", "/api/v2/users/auth0%7Cretry1", Some(&token), None)
            .await;
        assert_eq!(kept.status, 200);
        drop(api);
        remove_store(&path);
    }
}

#[tokio::test]
async fn an_older_json_state_file_is_converted_and_kept_as_a_backup() {
    let api = Api::default(common::Backend::InProcess).await;
    let token = api.token(None).await;
    let user = api
        .create_user(
            &token,
            "old@example.com",
            json!({"app_metadata": {"plan": "x"}}),
        )
        .await;
    let snapshot = api.call("GET", "/__emulator/snapshot", None, None).await;
    assert_eq!(snapshot.status, 200);
    let path = temp_path("legacy");
    let text = serde_json::to_vec_pretty(&snapshot.body).expect("json");
    std::fs::write(&path, &text).expect("write the old format");

    let (emulator, loaded) = open(&path).expect("converted");
    assert!(loaded);
    let mut backup = path.as_os_str().to_owned();
    backup.push(".v1.json");
    assert_eq!(std::fs::read(PathBuf::from(backup)).expect("backup"), text);
    assert!(
        std::fs::read(&path)
            .expect("store")
            .starts_with(b"SQLite format 3\0")
    );
    let api = Api::attach(common::Backend::InProcess, emulator).await;
    let got = api.call("GET", "/__emulator/snapshot", None, None).await;
    assert_eq!(
        got.body, snapshot.body,
        "nothing lost or changed by the conversion"
    );
    let token = api.token(None).await;
    let read = api
        .call(
            "GET",
            &format!("/api/v2/users/{}", enc(&uid(&user))),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(read.body["app_metadata"], json!({"plan": "x"}));
    drop(api);
    remove_store(&path);
}

#[test]
fn a_sqlite_database_of_something_else_is_refused_untouched() {
    let path = temp_path("foreign");
    {
        let conn = rusqlite::Connection::open(&path).expect("create");
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY);")
            .expect("table");
    }
    let before = std::fs::read(&path).expect("read");
    match open(&path) {
        Err(StateFileError::Corrupt { reason, .. }) => {
            assert!(reason.contains("not an emulator store"), "{reason}");
        }
        other => panic!("expected Corrupt, got {:?}", other.map(|(_, l)| l)),
    }
    assert!(
        std::fs::read(&path).expect("read") == before,
        "the file was changed"
    );
    remove_store(&path);
}

/// Concurrent writes are committed in groups: every acknowledged one is in the store after a
/// restart; and when a group's commit fails, every write in it answers 500 and none is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_are_committed_together_and_fail_together() {
    let path = temp_path("group-commit");
    let (emulator, _) = open(&path).expect("fresh");
    let api = std::sync::Arc::new(Api::attach(common::Backend::InProcess, emulator).await);
    let token = api.token(None).await;
    let create = |n: usize| {
        json!({"connection": "Username-Password-Authentication",
            "email": format!("group{n}@example.com"), "password": "Passw0rd!x",
            "user_id": format!("group{n}")})
    };
    let run = |range: std::ops::Range<usize>| {
        let tasks: Vec<_> = range
            .map(|n| {
                let (api, token, body) = (api.clone(), token.clone(), create(n));
                tokio::spawn(async move {
                    api.call("POST", "/api/v2/users", Some(&token), Some(body))
                        .await
                        .status
                })
            })
            .collect();
        async move {
            let mut statuses = Vec::new();
            for task in tasks {
                statuses.push(task.await.expect("task"));
            }
            statuses
        }
    };
    let statuses = run(0..120).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");

    let blocker = rusqlite::Connection::open(&path).expect("second connection");
    blocker
        .execute_batch("BEGIN IMMEDIATE")
        .expect("write lock");
    let failed = run(200..232).await;
    blocker.execute_batch("ROLLBACK").expect("release");
    assert!(failed.iter().all(|s| *s == 500), "{failed:?}");
    for n in [200, 215, 231] {
        let id = format!("/api/v2/users/auth0%7Cgroup{n}");
        let missing = api.call("GET", &id, Some(&token), None).await;
        assert_eq!(missing.status, 404, "a failed write is not kept in memory");
    }
    drop(api);
    let (again, loaded) = reopen(&path).await;
    assert!(loaded);
    let api = Api::attach(common::Backend::InProcess, again).await;
    let token = api.token(None).await;
    for n in 0..120 {
        let id = format!("/api/v2/users/auth0%7Cgroup{n}");
        assert_eq!(
            api.call("GET", &id, Some(&token), None).await.status,
            200,
            "{id}"
        );
    }
    let missing = api
        .call("GET", "/api/v2/users/auth0%7Cgroup200", Some(&token), None)
        .await;
    assert_eq!(missing.status, 404);
    drop(api);
    remove_store(&path);
}

/// Under a continuous stream of concurrent writes, the WAL is checkpointed into the database
/// and reused: it stays a few MiB instead of growing with every write (a checkpoint that never
/// catches up with the writer would let it grow until the disk is full).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_stays_bounded_under_continuous_concurrent_writes() {
    let path = temp_path("wal-bounded");
    let mut config = EmulatorConfig::default();
    config.rate_limit = users_emulator::RateLimitConfig::new(1_000_000, 1.0e6);
    let (emulator, _) = Emulator::open(config, Arc::new(SystemClock), &path).expect("fresh");
    let api = std::sync::Arc::new(Api::attach(common::Backend::InProcess, emulator).await);
    let token = api.token(None).await;
    let body = json!({"connection": "Username-Password-Authentication",
        "email": "wal@example.com", "password": "Passw0rd!x", "user_id": "wal"});
    let created = api
        .call("POST", "/api/v2/users", Some(&token), Some(body))
        .await;
    assert_eq!(created.status, 201);
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let (api, token) = (api.clone(), token.clone());
            tokio::spawn(async move {
                for n in 0..200 {
                    let patch =
                        json!({"user_metadata": {"writer": w, "n": n, "pad": "x".repeat(512)}});
                    let reply = api
                        .call(
                            "PATCH",
                            "/api/v2/users/auth0%7Cwal",
                            Some(&token),
                            Some(patch),
                        )
                        .await;
                    assert_eq!(reply.status, 200);
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer");
    }
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_bytes = std::fs::metadata(PathBuf::from(wal))
        .map(|m| m.len())
        .unwrap_or(0);
    let db_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    // 3,200 commits of a user row, its log event and the id counter: tens of MiB of WAL frames
    // if nothing were checkpointed; SQLite's checkpoint every 1,000 pages keeps ~4 MiB.
    assert!(
        wal_bytes < 12 * 1024 * 1024,
        "the WAL grew to {wal_bytes} bytes (database {db_bytes} bytes)"
    );
    assert!(
        db_bytes > 32 * 1024,
        "nothing reached the database file: {db_bytes} bytes"
    );
    drop(api);
    remove_store(&path);
}
