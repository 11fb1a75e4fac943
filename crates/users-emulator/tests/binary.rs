//! The `users-emulator` binary: flags, start-up errors, seeding and `--state` across a restart.

mod spawned;

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use spawned::{BIN, spawn, start, transport};

fn temp_path(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "users-emulator-bin-{name}-{}-{nanos}.json",
        std::process::id()
    ))
}

async fn call(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    spawned::call(&transport(), base, method, path, token, body)
        .await
        .expect("response")
}

async fn token(base: &str) -> String {
    spawned::token(&transport(), base).await
}

#[test]
fn help_and_bad_flags() {
    let help = Command::new(BIN).arg("--help").output().expect("run");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--state <FILE>"));
    // The default client's scopes cover the set-up APIs too, not only the users operations.
    assert!(text.contains("set-up APIs"), "{text}");
    assert!(!text.contains("users scope"), "{text}");
    let bad = Command::new(BIN).arg("--frobnicate").output().expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown flag"));
    let bad_client = Command::new(BIN)
        .args(["--client", "only-id"])
        .output()
        .expect("run");
    assert_eq!(bad_client.status.code(), Some(2));
}

#[tokio::test]
async fn every_flag_can_come_from_the_environment() {
    let mut command = Command::new(BIN);
    command
        .env("USERS_EMULATOR_LISTEN", "127.0.0.1:0")
        .env("USERS_EMULATOR_CLIENT", "env-client:env-secret")
        .env("USERS_EMULATOR_BURST", "1")
        .env("USERS_EMULATOR_REFILL", "0");
    let running = spawn(command);
    let base = &running.base;
    let request = |id: &str, secret: &str| {
        json!({"grant_type":"client_credentials","client_id":id,"client_secret":secret,
            "audience":format!("{base}/api/v2/")})
    };
    let (status, _) = call(
        base,
        "POST",
        "/oauth/token",
        None,
        Some(request("emulator-client", "emulator-secret")),
    )
    .await;
    assert_eq!(
        status, 401,
        "the environment's client replaces the default one"
    );
    let (status, body) = call(
        base,
        "POST",
        "/oauth/token",
        None,
        Some(request("env-client", "env-secret")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().expect("token");
    let (first, _) = call(base, "GET", "/api/v2/users", Some(token), None).await;
    let (second, _) = call(base, "GET", "/api/v2/users", Some(token), None).await;
    assert_eq!(
        (first, second),
        (200, 429),
        "a bucket of one that does not refill"
    );
}

#[test]
fn corrupt_state_file_stops_start_up() {
    let path = temp_path("corrupt");
    std::fs::write(&path, b"not json").expect("write");
    let output = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--state"])
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("corrupt"), "{stderr}");
    assert_eq!(std::fs::read(&path).expect("read"), b"not json");
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn seeds_serves_and_keeps_state_across_a_restart() {
    let seed = temp_path("seed");
    let state = temp_path("state");
    std::fs::write(
        &seed,
        json!({"users":[{"connection":"Username-Password-Authentication","email":"seeded@example.com","password":"pw"}]}).to_string(),
    )
    .expect("write seed");
    let seed_arg = seed.to_string_lossy().into_owned();
    let state_arg = state.to_string_lossy().into_owned();

    let first = start(&["--seed", &seed_arg, "--state", &state_arg]);
    let token_1 = token(&first.base).await;
    let (status, _) = call(
        &first.base,
        "POST",
        "/api/v2/users",
        Some(&token_1),
        Some(json!({"connection":"Username-Password-Authentication","email":"made@example.com","password":"pw"})),
    )
    .await;
    assert_eq!(status, 201);
    drop(first);

    let second = start(&["--seed", &seed_arg, "--state", &state_arg]);
    let token_2 = token(&second.base).await;
    let (status, users) = call(
        &second.base,
        "GET",
        "/api/v2/users?sort=email:1",
        Some(&token_2),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let emails: Vec<&str> = users
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|u| u["email"].as_str())
        .collect();
    assert_eq!(
        emails,
        ["made@example.com", "seeded@example.com"],
        "seeded once, state kept"
    );
    drop(second);
    let _ = std::fs::remove_file(&seed);
    let _ = std::fs::remove_file(&state);
}
