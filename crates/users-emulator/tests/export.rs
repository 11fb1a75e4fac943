//! Export and import: a varied tenant exported (`GET /__emulator/export`, in-process and through
//! both real backends) and imported into a fresh emulator is the same tenant, logins and
//! refresh tokens still work; imports into stores; the atomic export file.

mod common;

use std::path::PathBuf;

use common::{Api, BACKENDS, Backend, enc, uid};
use serde_json::{Value, json};
use users_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, ImportError, SystemClock,
};

const API: &str = "https://reports.example/";
const PASSWORD: &str = "Passw0rd!x";

fn temp_dir(name: &str) -> PathBuf {
    users_fixtures::temp_dir(&format!("export-{name}"))
}

/// Fills the tenant through the API: users with passwords and metadata, a linked identity, a
/// block, a role with a permission, a direct permission, an organization membership, an
/// authentication method, log events, and a session with a refresh token. Returns the refresh
/// token.
async fn fill(api: &Api) -> String {
    let seeded = api.call("POST", "/__emulator/seed", None, Some(json!({
        "resource_servers": [{"identifier": API, "name": "Reports",
                              "scopes": [{"value": "read:reports"}], "allow_offline_access": true}],
        "users": [{"connection": "google-oauth2", "user_id": "google-oauth2|77", "email": "g@example.com"}],
        "blocks": [{"user_id": "google-oauth2|77", "identifier": "g@example.com", "ip": "10.0.0.9"}]
    }))).await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    let token = api.token(None).await;
    let t = Some(token.as_str());
    let jane = uid(&api
        .create_user(
            &token,
            "jane@example.com",
            json!({"user_metadata": {"theme": "dark"}, "app_metadata": {"plan": "gold"}}),
        )
        .await);
    let other = uid(&api
        .create_user(&token, "other@example.com", json!({}))
        .await);
    let base = format!("/api/v2/users/{}", enc(&jane));
    let bare = other.split_once('|').map(|(_, b)| b).unwrap_or_default();
    let linked = api
        .call(
            "POST",
            &format!("{base}/identities"),
            t,
            Some(json!({"provider": "auth0", "user_id": bare})),
        )
        .await;
    assert_eq!(linked.status, 201, "{}", linked.body);
    let role = api
        .call("POST", "/api/v2/roles", t, Some(json!({"name": "analyst"})))
        .await;
    assert_eq!(role.status, 200, "{}", role.body);
    let role_id = role.body["id"].as_str().expect("role id").to_owned();
    let permission = json!({"permissions": [{"resource_server_identifier": API, "permission_name": "read:reports"}]});
    for (path, body) in [
        (
            format!("/api/v2/roles/{role_id}/permissions"),
            permission.clone(),
        ),
        (format!("{base}/roles"), json!({"roles": [role_id]})),
        (format!("{base}/permissions"), permission),
    ] {
        let reply = api.call("POST", &path, t, Some(body)).await;
        assert!(
            reply.status < 300,
            "{path}: {} {}",
            reply.status,
            reply.body
        );
    }
    let org = api
        .call(
            "POST",
            "/api/v2/organizations",
            t,
            Some(json!({"name": "acme"})),
        )
        .await;
    assert_eq!(org.status, 201, "{}", org.body);
    let members = format!(
        "/api/v2/organizations/{}/members",
        org.body["id"].as_str().expect("org id")
    );
    let added = api
        .call("POST", &members, t, Some(json!({"members": [jane]})))
        .await;
    assert_eq!(added.status, 204, "{}", added.body);
    let method = api
        .call(
            "POST",
            &format!("{base}/authentication-methods"),
            t,
            Some(json!({"type": "email", "name": "Mail", "email": "jane@example.com"})),
        )
        .await;
    assert_eq!(method.status, 201, "{}", method.body);
    let wrong = api.login("jane@example.com", "wrong", "openid").await;
    assert_eq!(wrong.status, 403, "{}", wrong.body);
    let login = api
        .login("jane@example.com", PASSWORD, "openid offline_access")
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
    login.body["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned()
}

async fn refresh(api: &Api, token: &str) -> u16 {
    api.call(
        "POST",
        "/oauth/token",
        None,
        Some(json!({"grant_type": "refresh_token",
        "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET,
        "refresh_token": token})),
    )
    .await
    .status
}

#[tokio::test]
async fn an_export_imported_into_a_fresh_emulator_is_the_same_tenant() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let refresh_token = fill(&api).await;
        let reply = api.call("GET", "/__emulator/export", None, None).await;
        assert_eq!(reply.status, 200, "{backend:?}");
        assert!(
            reply
                .header("content-type")
                .is_some_and(|ct| ct.starts_with("application/json"))
        );
        let export = reply.body;
        assert_eq!(export["format"], "users-emulator-export");
        let snapshot = api.get("/__emulator/snapshot", None).await;
        // Everything the test made is in it, so the comparisons below compare something.
        // Linking folded `other` into jane: the google user and jane remain.
        assert_eq!(
            export["users"].as_array().map(Vec::len),
            Some(2),
            "{backend:?}"
        );
        assert!(export["users"][1]["password_hash"].is_string());
        assert_eq!(
            export["users"][1]["identities"].as_array().map(Vec::len),
            Some(2)
        );
        assert_eq!(export["blocks"].as_array().map(Vec::len), Some(1));
        assert!(
            !export["tenant"]["logs"]
                .as_array()
                .expect("logs")
                .is_empty()
        );
        assert_eq!(
            export["sessions"]["refresh_tokens"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        assert!(
            export["mfa"]["users"]
                .as_object()
                .is_some_and(|m| !m.is_empty())
        );

        let fresh = Emulator::new(EmulatorConfig::default());
        assert_eq!(fresh.import(&export).expect("imports"), 2);
        let copy = Api::attach(Backend::InProcess, fresh).await;
        assert_eq!(
            copy.get("/__emulator/snapshot", None).await,
            snapshot,
            "{backend:?}"
        );
        assert_eq!(
            copy.get("/__emulator/export", None).await,
            export,
            "{backend:?}"
        );

        // The password and the refresh token still work, the block still holds.
        let login = copy.login("jane@example.com", PASSWORD, "openid").await;
        assert_eq!(login.status, 200, "{backend:?}: {}", login.body);
        assert_eq!(refresh(&copy, &refresh_token).await, 200, "{backend:?}");
        let token = copy.token(None).await;
        let blocks = copy
            .get(
                &format!("/api/v2/user-blocks/{}", enc("google-oauth2|77")),
                Some(&token),
            )
            .await;
        assert_eq!(
            blocks["blocked_for"].as_array().map(Vec::len),
            Some(1),
            "{blocks}"
        );
    }
}

#[tokio::test]
async fn an_import_replaces_the_tenant_whole_or_not_at_all() {
    let api = Api::default(Backend::InProcess).await;
    fill(&api).await;
    let export = api.emulator.export();
    let other = Emulator::new(EmulatorConfig::default());
    other
        .seed(&json!({"users": [{"connection": "sms", "user_id": "sms|1", "phone_number": "+14155550100"}]}))
        .expect("seed");
    let before = other.export();
    let mut broken = export.clone();
    broken["users"][1] = broken["users"][0].clone();
    let error = other.import(&broken).expect_err("duplicate ids");
    assert_eq!(error.entry_path(), Some("users[1]"), "{error}");
    assert!(error.to_string().contains("duplicate user_id"), "{error}");
    assert_eq!(
        other.export(),
        before,
        "nothing of a refused import is kept"
    );
    other.import(&export).expect("imports");
    assert_eq!(
        other.export(),
        export,
        "the old tenant is gone, the imported one is whole"
    );
}

#[tokio::test]
async fn imports_into_stores_are_committed_and_never_overwrite_a_tenant() {
    let api = Api::default(Backend::InProcess).await;
    fill(&api).await;
    let export = api.emulator.export();
    let dir = temp_dir("store");
    let path = dir.join("state.db");
    let clock = std::sync::Arc::new(SystemClock);
    let config = EmulatorConfig::default;

    let bad = json!({"format": "users-emulator-export", "version": 9});
    let error = Emulator::open_import(config(), clock.clone(), &path, &bad).expect_err("version");
    assert_eq!(error.entry_path(), Some("version"));
    assert!(
        !path.exists(),
        "an invalid document does not touch the store"
    );

    let imported =
        Emulator::open_import(config(), clock.clone(), &path, &export).expect("new store");
    assert_eq!(imported.export(), export);
    drop(imported);
    let (reopened, loaded) = Emulator::open(config(), clock.clone(), &path).expect("reopen");
    assert!(loaded);
    assert_eq!(reopened.export(), export, "the store holds the import");
    drop(reopened);

    let error =
        Emulator::open_import(config(), clock.clone(), &path, &json!({})).expect_err("kept");
    assert!(matches!(error, ImportError::StoreNotNew { .. }), "{error}");
    assert!(
        error.to_string().contains("already holds a tenant"),
        "{error}"
    );
    let (reopened, _) = Emulator::open(config(), clock.clone(), &path).expect("reopen");
    assert_eq!(
        reopened.export(),
        export,
        "a refused import changed nothing"
    );

    // Replacing the tenant of a running store goes through its commits.
    reopened
        .import(&json!({"users": [{"connection": "sms", "user_id": "sms|1", "phone_number": "+14155550100"}]}))
        .expect("imports a seed document");
    let replaced = reopened.export();
    assert_eq!(replaced["users"].as_array().map(Vec::len), Some(1));
    assert_eq!(replaced["tenant"]["logs"], json!([]));
    drop(reopened);
    let (reopened, _) = Emulator::open(config(), clock, &path).expect("reopen");
    assert_eq!(reopened.export(), replaced);
    drop(reopened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_export_file_is_written_whole_or_not_at_all() {
    let emulator = Emulator::new(EmulatorConfig::default());
    emulator
        .seed(
            &json!({"users": [{"connection": "Username-Password-Authentication",
            "user_id": "auth0|1", "email": "a@example.com", "password": "pw"}]}),
        )
        .expect("seed");
    let dir = temp_dir("file");
    let path = dir.join("tenant.json");
    assert_eq!(emulator.export_to(&path).expect("written"), 1);
    let text = std::fs::read_to_string(&path).expect("read");
    let written: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(written, emulator.export());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "password hashes are for the owner only: {mode:o}"
        );
    }
    // A directory in the way: the rename fails, and no temporary file stays behind.
    let blocked = dir.join("taken");
    std::fs::create_dir(&blocked).expect("dir");
    std::fs::write(blocked.join("x"), b"x").expect("fill it");
    assert!(emulator.export_to(&blocked).is_err());
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, ["taken", "tenant.json"], "{names:?}");
    assert!(
        emulator
            .export_to(dir.join("missing").join("t.json"))
            .is_err()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An export document of `logs` and no users.
fn with_logs(logs: Value) -> Value {
    let mut document = Emulator::new(EmulatorConfig::default()).export();
    document["tenant"]["logs"] = logs;
    document
}

#[tokio::test]
async fn an_import_into_a_running_store_rewrites_its_log_even_when_event_ids_recur() {
    let dir = temp_dir("log");
    let path = dir.join("state.db");
    let clock = std::sync::Arc::new(SystemClock);
    let first =
        with_logs(json!([{"log_id": "L1", "type": "s", "date": "2024-01-01T00:00:00.000Z"}]));
    let emulator = Emulator::open_import(EmulatorConfig::default(), clock.clone(), &path, &first)
        .expect("new store");
    // The same last id with another history before it (ids come from a seeded generator, so two
    // tenants can hold the same one).
    let second = with_logs(json!([
        {"log_id": "L0", "type": "f", "date": "2024-01-01T00:00:00.000Z"},
        {"log_id": "L1", "type": "sdu", "date": "2024-01-02T00:00:00.000Z"}
    ]));
    emulator.import(&second).expect("imports");
    assert_eq!(emulator.export(), second);
    drop(emulator);
    let (reopened, _) = Emulator::open(EmulatorConfig::default(), clock, &path).expect("reopen");
    assert_eq!(
        reopened.export()["tenant"]["logs"],
        second["tenant"]["logs"]
    );
    drop(reopened);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A tenant built write by write on a store (users, a link, a block, roles, permissions, an
/// organization, MFA, logins with a session and a refresh token, log events) reads back from
/// the store as the same tenant: every group's row followed every write that changed it.
#[tokio::test]
async fn a_tenant_built_write_by_write_on_a_store_reopens_the_same() {
    let dir = temp_dir("incremental");
    let path = dir.join("state.db");
    let clock = std::sync::Arc::new(SystemClock);
    let (emulator, _) =
        Emulator::open(EmulatorConfig::default(), clock.clone(), &path).expect("a new store");
    let api = Api::attach(Backend::InProcess, emulator).await;
    let refresh_token = fill(&api).await;
    let before = api.emulator.export();
    drop(api);
    let (reopened, loaded) =
        Emulator::open(EmulatorConfig::default(), clock, &path).expect("reopen");
    assert!(loaded);
    assert_eq!(reopened.export(), before, "the store holds every write");
    let api = Api::attach(Backend::InProcess, reopened).await;
    assert_eq!(
        refresh(&api, &refresh_token).await,
        200,
        "the refresh token works"
    );
    drop(api);
    let _ = std::fs::remove_dir_all(dir);
}
