//! The binary's `--export-on-exit` (SIGTERM and SIGINT) and `--import`, with and without
//! `--state`, and the refusals around them.

mod spawned;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use spawned::{BIN, call, start, token, transport};

fn temp_dir(name: &str) -> PathBuf {
    users_fixtures::temp_dir(&format!("export-bin-{name}"))
}

fn arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn emails(users: &Value) -> Vec<String> {
    let mut emails: Vec<String> = users
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["email"].as_str().map(str::to_owned))
        .collect();
    emails.sort();
    emails
}

#[tokio::test]
async fn a_terminated_server_exports_and_the_export_starts_a_new_one() {
    let dir = temp_dir("roundtrip");
    let (seed, state, export) = (
        dir.join("seed.json"),
        dir.join("state.db"),
        dir.join("out.json"),
    );
    std::fs::write(
        &seed,
        json!({"users": [{"connection": "Username-Password-Authentication",
            "email": "seeded@example.com", "password": "pw"}]})
        .to_string(),
    )
    .expect("seed");
    let first = start([
        "--seed",
        &arg(&seed),
        "--state",
        &arg(&state),
        "--export-on-exit",
        &arg(&export),
    ]);
    let t = transport();
    let access = token(&t, &first.base).await;
    let made = json!({"connection": "Username-Password-Authentication",
        "email": "made@example.com", "password": "Passw0rd!x"});
    let (status, _) = call(
        &t,
        &first.base,
        "POST",
        "/api/v2/users",
        Some(&access),
        Some(made),
    )
    .await
    .expect("answered");
    assert_eq!(status, 201);
    let served = call(&t, &first.base, "GET", "/__emulator/export", None, None)
        .await
        .expect("answered")
        .1;
    assert!(!export.exists());
    let exit = first.signal("TERM");
    assert!(exit.success(), "{exit:?}");

    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&export).expect("exported")).expect("JSON");
    assert_eq!(written["format"], "users-emulator-export");
    assert_eq!(
        emails(&written["users"]),
        ["made@example.com", "seeded@example.com"]
    );
    assert_eq!(
        written["users"], served["users"],
        "the export on exit is the tenant served"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Imported without a store; SIGINT exports too.
    let again = dir.join("again.json");
    let second = start(["--import", &arg(&export), "--export-on-exit", &arg(&again)]);
    let access = token(&t, &second.base).await;
    let (status, users) = call(
        &t,
        &second.base,
        "GET",
        "/api/v2/users",
        Some(&access),
        None,
    )
    .await
    .expect("answered");
    assert_eq!(status, 200);
    assert_eq!(emails(&users), ["made@example.com", "seeded@example.com"]);
    let login = json!({"grant_type": users_emulator::PASSWORD_REALM_GRANT,
        "client_id": "emulator-client", "client_secret": "emulator-secret",
        "username": "made@example.com", "password": "Passw0rd!x",
        "realm": "Username-Password-Authentication", "scope": "openid"});
    let (status, body) = call(&t, &second.base, "POST", "/oauth/token", None, Some(login))
        .await
        .expect("answered");
    assert_eq!(status, 200, "the imported password works: {body}");
    assert!(second.signal("INT").success());
    let again: Value =
        serde_json::from_str(&std::fs::read_to_string(&again).expect("exported")).expect("JSON");
    assert_eq!(again["users"], written["users"]);

    // Into the store that already holds a tenant: refused, the store untouched.
    let before = std::fs::read(&state).expect("store");
    let refused = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--import",
            &arg(&export),
            "--state",
            &arg(&state),
        ])
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("already holds a tenant"), "{stderr}");
    assert!(stderr.contains("--import"), "{stderr}");
    assert_eq!(std::fs::read(&state).expect("store"), before);

    // Into a new store: kept across a restart without --import.
    let fresh = dir.join("fresh.db");
    let third = start(["--import", &arg(&export), "--state", &arg(&fresh)]);
    drop(third);
    let fourth = start(["--state", &arg(&fresh)]);
    let access = token(&t, &fourth.base).await;
    let (_, users) = call(
        &t,
        &fourth.base,
        "GET",
        "/api/v2/users",
        Some(&access),
        None,
    )
    .await
    .expect("answered");
    assert_eq!(emails(&users), ["made@example.com", "seeded@example.com"]);
    drop(fourth);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_export_on_exit_is_reported_with_a_failing_exit_code() {
    let dir = temp_dir("fail");
    let target = dir.join("missing-dir").join("out.json");
    let running = start(["--export-on-exit", &arg(&target)]);
    let exit = running.signal("TERM");
    assert_eq!(exit.code(), Some(1), "{exit:?}");
    assert!(!target.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn conflicting_flags_and_bad_import_files_stop_start_up() {
    let dir = temp_dir("flags");
    let (doc, state) = (dir.join("doc.json"), dir.join("state.db"));
    std::fs::write(
        &doc,
        json!({"format": "users-emulator-export", "version": 2}).to_string(),
    )
    .expect("write");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .output()
            .expect("run")
    };
    let both = run(&["--import", &arg(&doc), "--seed", &arg(&doc)]);
    assert_eq!(both.status.code(), Some(2), "--import and --seed conflict");
    let same = run(&["--state", &arg(&state), "--export-on-exit", &arg(&state)]);
    assert_eq!(same.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&same.stderr).contains("--export-on-exit"));
    let newer = run(&["--import", &arg(&doc), "--state", &arg(&state)]);
    assert_eq!(newer.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&newer.stderr);
    assert!(stderr.contains("version"), "{stderr}");
    assert!(!state.exists(), "a refused document creates no store");
    let _ = std::fs::remove_dir_all(&dir);
}
