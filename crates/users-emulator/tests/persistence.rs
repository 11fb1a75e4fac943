//! `--state FILE`: state survives a restart; a corrupt file is a clear error, never a reset.

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

        let (second, loaded) = open(&path).expect("reload");
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
        let _ = std::fs::remove_file(&path);
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
