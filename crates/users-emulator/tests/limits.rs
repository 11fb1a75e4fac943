//! Anything the emulator accepts can be stored, reloaded and addressed: metadata at the nesting
//! limit survives a `--state` restart and one level more is a 400; a custom `user_id` is
//! refused at create when its prefixed id could never fit a path.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::{Api, BACKENDS, assert_error, enc, uid};
use serde_json::{Value, json};
use users_emulator::{Emulator, EmulatorConfig, StateFileError, SystemClock};
use users_model::{MAX_METADATA_DEPTH, MAX_PATH_ID_CHARS};

fn temp_path(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "users-emulator-{name}-{}-{nanos}.db",
        std::process::id()
    ))
}

fn remove_store(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// Opens `path` once the previous emulator (whose connections may still be closing) is gone.
async fn open(path: &PathBuf) -> Emulator {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match Emulator::open(EmulatorConfig::default(), Arc::new(SystemClock), path) {
            Err(StateFileError::Locked { .. }) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            other => return other.expect("open the store").0,
        }
    }
}

/// A metadata object whose deepest container is at `depth` (the object itself is level 1).
fn nested(depth: usize, leaf: &str) -> Value {
    let mut value = json!({ "leaf": leaf });
    for level in 2..depth {
        value = if level % 2 == 0 {
            json!({ "k": value })
        } else {
            json!([value])
        };
    }
    json!({ "k": value })
}

const TOO_DEEP: &str = "Metadata is nested too deeply (more than 100 levels)";

#[tokio::test]
async fn metadata_at_the_limit_survives_a_restart_and_deeper_is_refused() {
    for &backend in BACKENDS {
        let path = temp_path("deep");
        let api = Api::attach(backend, open(&path).await).await;
        let token = api.token(None).await;
        let deepest = nested(MAX_METADATA_DEPTH, "u");
        let user = api
            .create_user(
                &token,
                "deep@example.com",
                json!({"user_metadata": deepest, "app_metadata": nested(MAX_METADATA_DEPTH, "a")}),
            )
            .await;
        let id = uid(&user);
        let path_of_user = format!("/api/v2/users/{}", enc(&id));
        let patched = api
            .call(
                "PATCH",
                &path_of_user,
                Some(&token),
                Some(json!({"user_metadata": {"second": nested(MAX_METADATA_DEPTH - 1, "p")}})),
            )
            .await;
        assert_eq!(patched.status, 200, "{}", patched.body);

        let deeper = nested(MAX_METADATA_DEPTH + 1, "x");
        let refused = api
            .call(
                "PATCH",
                &path_of_user,
                Some(&token),
                Some(json!({"app_metadata": deeper})),
            )
            .await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert_eq!(refused.body["errorCode"], "invalid_body");
        let message = refused.body["message"].as_str().unwrap_or_default();
        assert!(message.contains(TOO_DEEP), "{message}");
        let refused = api
            .call(
                "POST",
                "/api/v2/users",
                Some(&token),
                Some(json!({
                    "connection": "Username-Password-Authentication",
                    "email": "deeper@example.com",
                    "password": "Passw0rd!x",
                    "user_metadata": nested(MAX_METADATA_DEPTH + 1, "x"),
                })),
            )
            .await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(
            refused.body["message"]
                .as_str()
                .unwrap_or_default()
                .contains(TOO_DEEP)
        );
        let before = api.call("GET", &path_of_user, Some(&token), None).await;
        assert_eq!(before.status, 200);
        drop(api);

        let api = Api::attach(backend, open(&path).await).await;
        let token = api.token(None).await;
        let after = api.call("GET", &path_of_user, Some(&token), None).await;
        assert_eq!(after.status, 200, "{}", after.body);
        assert_eq!(after.body["user_metadata"], before.body["user_metadata"]);
        assert_eq!(after.body["app_metadata"], before.body["app_metadata"]);
        assert_eq!(
            after.body["user_metadata"]["k"],
            nested(MAX_METADATA_DEPTH, "u")["k"]
        );
        drop(api);
        remove_store(&path);
    }
}

#[tokio::test]
async fn a_custom_user_id_that_is_created_can_be_addressed() {
    let room = MAX_PATH_ID_CHARS - "auth0|".len();
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        // The longest accepted id, with characters that need percent-encoding in the path.
        let custom = format!("ü/?{}", "x".repeat(room - 3));
        let user = api
            .create_user(&token, "longid@example.com", json!({"user_id": custom}))
            .await;
        let id = uid(&user);
        assert_eq!(id.chars().count(), MAX_PATH_ID_CHARS);
        let path = format!("/api/v2/users/{}", enc(&id));
        let got = api.call("GET", &path, Some(&token), None).await;
        assert_eq!(got.status, 200, "{}", got.body);
        assert_eq!(got.body["user_id"], id.as_str());
        let deleted = api.call("DELETE", &path, Some(&token), None).await;
        assert_eq!(deleted.status, 204, "{}", deleted.body);

        let refused = api
            .call(
                "POST",
                "/api/v2/users",
                Some(&token),
                Some(json!({
                    "connection": "Username-Password-Authentication",
                    "email": "toolong@example.com",
                    "password": "Passw0rd!x",
                    "user_id": "x".repeat(room + 1),
                })),
            )
            .await;
        assert_error(
            &refused,
            400,
            &format!(
                "Payload validation error: 'String is too long ({} chars), maximum {room}' on \
                 property user_id (with the \"auth0|\" prefix the user id must fit the 255 \
                 characters of a path id).",
                room + 1
            ),
            Some("invalid_body"),
        );
    }
}
