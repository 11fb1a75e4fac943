//! `--state` under `kill -9`: the served binary is killed at random moments while clients write
//! (and while a seed runs); after a restart every acknowledged write is there, a seed is all or
//! nothing, and the store opens with no leftover files.

mod spawned;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use spawned::{Running, call, token, transport};

fn temp_dir(name: &str) -> PathBuf {
    users_fixtures::temp_dir(&format!("crash-{name}"))
}

/// A small xorshift generator seeded from the clock; the seed is printed so a failure can be
/// replayed with `CRASH_SEED`.
struct Random(u64);

impl Random {
    fn new() -> Self {
        let seed = std::env::var("CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            })
            | 1;
        eprintln!("CRASH_SEED={seed}");
        Self(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn start(state: &Path) -> Running {
    spawned::start([OsStr::new("--state"), state.as_os_str()])
}

/// Only the store and SQLite's own WAL files may exist next to it.
fn assert_no_leftovers(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("list") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            ["state.db", "state.db-wal", "state.db-shm"].contains(&name.as_ref()),
            "leftover file {name}"
        );
    }
}

/// What the writers had acknowledged: created ids and, per user, the last acknowledged counter.
type Acked = Arc<Mutex<Vec<(String, u64)>>>;

async fn writer(base: String, token: String, round: usize, task: usize, acked: Acked) {
    let transport = transport();
    for n in 0.. {
        let id = format!("r{round}t{task}n{n}");
        let body = json!({"connection":"Username-Password-Authentication","user_id":id,
            "email":format!("{id}@example.com"),"password":"Passw0rd!x"});
        let Some((status, _)) = call(
            &transport,
            &base,
            "POST",
            "/api/v2/users",
            Some(&token),
            Some(body),
        )
        .await
        else {
            return;
        };
        assert_eq!(status, 201);
        let slot = {
            let mut acked = acked.lock().expect("lock");
            acked.push((format!("auth0|{id}"), 0));
            acked.len() - 1
        };
        for count in 1..=2u64 {
            let path = format!("/api/v2/users/auth0%7C{id}");
            let body = json!({"user_metadata":{"count":count}});
            let Some((status, _)) =
                call(&transport, &base, "PATCH", &path, Some(&token), Some(body)).await
            else {
                return;
            };
            assert_eq!(status, 200);
            if let Some(entry) = acked.lock().expect("lock").get_mut(slot) {
                entry.1 = count;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_kill_9() {
    let dir = temp_dir("writes");
    let state = dir.join("state.db");
    let mut random = Random::new();
    let acked: Acked = Arc::default();
    for round in 0..4 {
        let running = start(&state);
        let base = running.base.clone();
        let token = token(&transport(), &base).await;
        let tasks: Vec<_> = (0..8)
            .map(|task| {
                tokio::spawn(writer(
                    base.clone(),
                    token.clone(),
                    round,
                    task,
                    acked.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(100 + random.below(400))).await;
        running.kill();
        for task in tasks {
            task.await.expect("writer");
        }
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() > 20, "the writers got going: {}", acked.len());
    let running = start(&state);
    let transport = transport();
    let token = token(&transport, &running.base).await;
    for (id, count) in &acked {
        let path = format!("/api/v2/users/{}", id.replace('|', "%7C"));
        let (status, user) = call(&transport, &running.base, "GET", &path, Some(&token), None)
            .await
            .expect("get");
        assert_eq!(status, 200, "acknowledged user {id} is missing");
        let stored = user["user_metadata"]["count"].as_u64().unwrap_or(0);
        assert!(
            stored >= *count,
            "{id}: acknowledged count {count}, stored {stored}"
        );
    }
    drop(running);
    assert_no_leftovers(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_killed_midway_is_all_or_nothing() {
    let dir = temp_dir("seed");
    let state = dir.join("state.db");
    let mut random = Random::new();
    let size = 3000;
    let mut acknowledged = Vec::new();
    for round in 0..4 {
        let running = start(&state);
        let base = running.base.clone();
        let users: Vec<Value> = (0..size)
            .map(|i| json!({"user_id":format!("s{round}-{i}"),"email":format!("s{round}-{i}@example.com"),
                "connection":"Username-Password-Authentication"}))
            .collect();
        let seed = tokio::spawn(async move {
            call(
                &transport(),
                &base,
                "POST",
                "/__emulator/seed",
                None,
                Some(json!({"users":users})),
            )
            .await
            .map(|(status, _)| status)
        });
        tokio::time::sleep(Duration::from_millis(random.below(400))).await;
        running.kill();
        if seed.await.expect("seed task") == Some(200) {
            acknowledged.push(round);
        }
    }
    let running = start(&state);
    let (status, snapshot) = call(
        &transport(),
        &running.base,
        "GET",
        "/__emulator/snapshot",
        None,
        None,
    )
    .await
    .expect("snapshot");
    assert_eq!(status, 200);
    let users = snapshot["users"].as_array().expect("users");
    for round in 0..4 {
        let prefix = format!("auth0|s{round}-");
        let present = users
            .iter()
            .filter(|u| {
                u["user"]["user_id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with(&prefix))
            })
            .count();
        assert!(
            present == 0 || present == size,
            "round {round}: {present} of {size} seeded users"
        );
        if acknowledged.contains(&round) {
            assert_eq!(present, size, "round {round} was acknowledged");
        }
    }
    drop(running);
    assert_no_leftovers(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}
