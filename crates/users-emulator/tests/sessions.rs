//! Sessions, refresh tokens, token sets, connected accounts and risk assessors on the wire, on
//! every backend: the recorded shapes and statuses, query and body validation, the refresh
//! grant's errors, seed all-or-nothing, and the state file keeping what logins create.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::{Api, BACKENDS, assert_error, enc};
use serde_json::{Value, json};
use users_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, SystemClock,
};

const USER: &str = "auth0|68879d2f642594e5c03deaa2";
const EMAIL: &str = "chuck979@example.com";
const PASSWORD: &str = "Passw0rd!x-long";

fn seed(api: &Api, extra: Value) {
    let mut doc = json!({"users": [{"user_id": USER, "connection": "Username-Password-Authentication",
                                     "email": EMAIL, "password": PASSWORD}]});
    if let (Some(map), Value::Object(extra)) = (doc.as_object_mut(), extra) {
        map.extend(extra);
    }
    api.emulator.seed(&doc).expect("seed");
}

fn path(rest: &str) -> String {
    format!("/api/v2/users/{}/{rest}", enc(USER))
}

async fn refresh(api: &Api, token: &str) -> common::Reply {
    api.call(
        "POST",
        "/oauth/token",
        None,
        Some(
            json!({"grant_type": "refresh_token", "client_id": DEFAULT_CLIENT_ID,
                    "client_secret": DEFAULT_CLIENT_SECRET, "refresh_token": token}),
        ),
    )
    .await
}

#[tokio::test]
async fn recorded_shapes_and_statuses() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        seed(&api, json!({}));
        let token = api.token(None).await;
        for (query, recorded) in [
            // go-auth0__TestUserManager_ListUserSessions__01.
            (
                format!("{}?take=50", path("sessions")),
                json!({"sessions": []}),
            ),
            // go-auth0__TestUserManager_DeleteRefreshTokens__02.
            (
                format!("{}?include_totals=true&per_page=50", path("refresh-tokens")),
                json!({"tokens": [], "total": 0}),
            ),
            // ..._ListFederatedConnectionTokenSets__01: a bare array.
            (path("federated-connections-tokensets"), json!([])),
            // ..._ListConnectedAccounts__01.
            (
                format!("{}?take=50", path("connected-accounts")),
                json!({"connected_accounts": []}),
            ),
        ] {
            let listed = api.call("GET", &query, Some(&token), None).await;
            assert_eq!((listed.status, listed.body), (200, recorded), "{query}");
        }
        // ..._DeleteUserSessions__01 and _DeleteRefreshTokens__01: 202 {}.
        for rest in ["sessions", "refresh-tokens"] {
            let deleted = api.call("DELETE", &path(rest), Some(&token), None).await;
            assert_eq!(
                (deleted.status, deleted.body.clone()),
                (202, json!({})),
                "{rest}"
            );
        }
        // ..._DeleteFederatedConnectionTokenSet__01: 204 for an id that does not exist.
        let missing = api
            .call(
                "DELETE",
                &path("federated-connections-tokensets/non-existent-token-set-id"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!((missing.status, missing.raw.len()), (204, 0));
        // ..._ClearRiskAssessmentAssessors__01: 204.
        let cleared = api
            .call("POST", &path("risk-assessments/clear"), Some(&token),
                  Some(json!({"connection": "Username-Password-Authentication", "assessors": ["new-device"]})))
            .await;
        assert_eq!((cleared.status, cleared.raw.len()), (204, 0));
    }
}

#[tokio::test]
async fn queries_bodies_and_missing_users_are_refused_with_the_servers_errors() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        seed(&api, json!({}));
        let token = api.token(None).await;
        for query in [
            "take=0",
            "take=101",
            "take=x",
            "from=not-a-cursor",
            "include_totals=maybe",
        ] {
            let reply = api
                .call(
                    "GET",
                    &format!("{}?{query}", path("sessions")),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(reply.status, 400, "{query}: {}", reply.body);
            assert_eq!(reply.body["errorCode"], "invalid_query_string", "{query}");
        }
        let long = "x".repeat(37);
        let reply = api
            .call(
                "DELETE",
                &path(&format!("federated-connections-tokensets/{long}")),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(
            (reply.status, reply.body["errorCode"].as_str()),
            (400, Some("invalid_uri"))
        );
        for (body, message) in [
            (
                json!({"connection": "Username-Password-Authentication", "assessors": []}),
                "Payload validation error: 'Array is too short (0), minimum 1' on property assessors (List of assessors to clear.).",
            ),
            (
                json!({"connection": "bad name", "assessors": ["new-device"]}),
                "Payload validation error: 'String does not match pattern ^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$: bad name' on property connection (The name of the connection containing the user whose assessors should be cleared.).",
            ),
        ] {
            let reply = api
                .call(
                    "POST",
                    &path("risk-assessments/clear"),
                    Some(&token),
                    Some(body),
                )
                .await;
            assert_error(&reply, 400, message, Some("invalid_body"));
        }
        let reply = api
            .call(
                "POST",
                &path("risk-assessments/clear"),
                Some(&token),
                Some(json!({"connection": "x"})),
            )
            .await;
        assert_eq!(reply.status, 400, "{}", reply.body);
        let reply = api
            .call(
                "POST",
                &path("risk-assessments/clear"),
                Some(&token),
                Some(json!({"connection": "nope", "assessors": ["new-device"]})),
            )
            .await;
        assert_error(
            &reply,
            404,
            "The connection does not exist.",
            Some("inexistent_connection"),
        );
        let nobody = enc("auth0|nobody");
        for rest in ["sessions", "refresh-tokens"] {
            let reply = api
                .call(
                    "GET",
                    &format!("/api/v2/users/{nobody}/{rest}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_error(&reply, 404, "User not found", Some("inexistent_user"));
        }
        for rest in ["federated-connections-tokensets", "connected-accounts"] {
            let reply = api
                .call(
                    "GET",
                    &format!("/api/v2/users/{nobody}/{rest}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_error(
                &reply,
                404,
                "The user does not exist.",
                Some("inexistent_user"),
            );
        }
        // A token without the scope: 403 with the OAS text.
        let narrow = api.token(Some("read:users")).await;
        let reply = api
            .call("GET", &path("sessions"), Some(&narrow), None)
            .await;
        assert_error(
            &reply,
            403,
            "Insufficient scope; expected any of: read:sessions.",
            Some("insufficient_scope"),
        );
    }
}

#[tokio::test]
async fn the_refresh_grant_refuses_what_it_cannot_exchange() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        seed(
            &api,
            json!({"refresh_tokens": [{"user_id": USER, "client_id": DEFAULT_CLIENT_ID,
                                             "token": "v1.seeded-token"}]}),
        );
        assert_eq!(refresh(&api, "v1.seeded-token").await.status, 200);
        let reply = refresh(&api, "v1.unknown").await;
        assert_eq!(
            (reply.status, reply.body.clone()),
            (
                403,
                json!({"error": "invalid_grant",
            "error_description": "Unknown or invalid refresh token."})
            )
        );
        let reply = api
            .call(
                "POST",
                "/oauth/token",
                None,
                Some(json!({"grant_type": "refresh_token",
                "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET})),
            )
            .await;
        assert_eq!(
            (reply.status, reply.body["error"].as_str()),
            (400, Some("invalid_request"))
        );
        let reply = api
            .call("POST", "/oauth/token", None, Some(json!({"grant_type": "refresh_token",
                "client_id": DEFAULT_CLIENT_ID, "client_secret": "wrong", "refresh_token": "v1.seeded-token"})))
            .await;
        assert_eq!(reply.status, 401);
        // The exchange is listed as `last_exchanged_at`; the seeded secret never is.
        let token = api.token(None).await;
        let listed = api
            .call("GET", &path("refresh-tokens"), Some(&token), None)
            .await;
        assert!(
            listed.body["tokens"][0]["last_exchanged_at"].is_string(),
            "{}",
            listed.body
        );
        assert!(!listed.body.to_string().contains("seeded-token"));
        let snapshot = api.call("GET", "/__emulator/snapshot", None, None).await;
        assert!(!snapshot.body.to_string().contains("seeded-token"));
    }
}

#[tokio::test]
async fn a_bad_seed_section_changes_nothing() {
    let api = Api::default(common::Backend::InProcess).await;
    let before = api.get("/__emulator/snapshot", None).await;
    for doc in [
        json!({"users": [{"user_id": "auth0|new", "connection": "Username-Password-Authentication",
                          "email": "n@example.com"}],
               "sessions": [{"user_id": "auth0|nobody"}]}),
        json!({"connected_accounts": [{"connection": "x"}]}),
        json!({"refresh_tokens": [{"user_id": "auth0|new", "token": 5}]}),
        json!({"federated_connections_tokensets": {"not": "a list"}}),
    ] {
        assert!(api.emulator.seed(&doc).is_err(), "{doc}");
        let after = api.get("/__emulator/snapshot", None).await;
        assert_eq!(after, before, "{doc}");
    }
}

fn temp_path() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "users-emulator-sessions-{}-{nanos}.json",
        std::process::id()
    ))
}

#[tokio::test]
async fn the_state_file_keeps_what_a_login_creates_and_older_snapshots_load() {
    let file = temp_path();
    let open = || Emulator::open(EmulatorConfig::default(), Arc::new(SystemClock), &file);
    let (first, _) = open().expect("fresh");
    let api = Api::attach(common::Backend::InProcess, first).await;
    seed(
        &api,
        json!({"connected_accounts": [{"user_id": USER, "connection": "google-oauth2"}]}),
    );
    let login = api.login(EMAIL, PASSWORD, "openid offline_access").await;
    let refresh_token = login.body["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned();
    drop(api);
    let (second, loaded) = open().expect("reload");
    assert!(loaded);
    let api = Api::attach(common::Backend::InProcess, second).await;
    assert_eq!(
        refresh(&api, &refresh_token).await.status,
        200,
        "the token survived"
    );
    let token = api.token(None).await;
    let sessions = api.call("GET", &path("sessions"), Some(&token), None).await;
    assert_eq!(sessions.body["sessions"].as_array().map(Vec::len), Some(1));
    let accounts = api
        .call("GET", &path("connected-accounts"), Some(&token), None)
        .await;
    assert_eq!(
        accounts.body["connected_accounts"].as_array().map(Vec::len),
        Some(1)
    );
    // A JSON state file (the older emulator's format, which is the snapshot) written before
    // this group existed has no `sessions` field: it is converted and loads.
    let mut text: Value = api.get("/__emulator/snapshot", None).await;
    drop(api);
    for suffix in ["-wal", "-shm", ""] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
    text.as_object_mut().expect("object").remove("sessions");
    std::fs::write(&file, serde_json::to_vec(&text).expect("json")).expect("write");
    let (third, loaded) = open().expect("an older snapshot loads");
    assert!(loaded);
    drop(third);
    for suffix in ["", "-wal", "-shm", ".v1.json"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
}
