//! One list of APIs: a resource server's `allow_offline_access` (set through the Resource
//! Servers API or the seed) decides whether the password-realm grant with `offline_access`
//! issues a refresh token for its audience; the Management API always allows it. Older seed
//! documents (`apis`) and state files (`sessions.apis`) keep their settings.

mod common;

use std::sync::Arc;

use common::{Api, BACKENDS, assert_error};
use serde_json::{Value, json};
use users_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, PASSWORD_REALM_GRANT,
    SystemClock,
};

const EMAIL: &str = "offline@example.com";
const PASSWORD: &str = "Passw0rd!x-long";
const API: &str = "https://reports.example/";

fn seed_user(api: &Api) {
    api.emulator
        .seed(
            &json!({"users": [{"user_id": "auth0|offline", "email": EMAIL, "password": PASSWORD,
                                 "connection": "Username-Password-Authentication"}]}),
        )
        .expect("seed");
}

/// Whether a password-realm login for `audience` with `offline_access` gets a refresh token.
async fn gets_refresh_token(api: &Api, audience: &str) -> bool {
    let reply = api
        .call(
            "POST",
            "/oauth/token",
            None,
            Some(
                json!({"grant_type": PASSWORD_REALM_GRANT, "client_id": DEFAULT_CLIENT_ID,
                        "client_secret": DEFAULT_CLIENT_SECRET, "audience": audience,
                        "username": EMAIL, "password": PASSWORD,
                        "realm": "Username-Password-Authentication",
                        "scope": "openid offline_access"}),
            ),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body.get("refresh_token").is_some()
}

#[tokio::test]
async fn the_resource_servers_api_sets_offline_access_and_the_grant_follows_it() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        seed_user(&api);
        let token = api.token(None).await;
        let management = format!("{}/api/v2/", api.base.trim_end_matches('/'));
        assert!(gets_refresh_token(&api, &management).await, "{backend:?}");

        // A new API does not allow offline access (Auth0's default).
        let created = api
            .call(
                "POST",
                "/api/v2/resource-servers",
                Some(&token),
                Some(json!({"identifier": API, "name": "Reports"})),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.body["allow_offline_access"], false);
        assert!(!gets_refresh_token(&api, API).await, "{backend:?}");

        let path = format!(
            "/api/v2/resource-servers/{}",
            created.body["id"].as_str().unwrap()
        );
        let updated = api
            .call(
                "PATCH",
                &path,
                Some(&token),
                Some(json!({"allow_offline_access": true})),
            )
            .await;
        assert_eq!(updated.status, 201, "{}", updated.body);
        assert_eq!(updated.body["allow_offline_access"], true);
        let got = api.call("GET", &path, Some(&token), None).await;
        assert_eq!(got.body["allow_offline_access"], true);
        assert_eq!(got.body["signing_alg"], "RS256", "the other defaults stay");
        assert!(gets_refresh_token(&api, API).await, "{backend:?}");

        // A name change leaves the setting alone; switching it off stops new refresh tokens.
        let renamed = api
            .call(
                "PATCH",
                &path,
                Some(&token),
                Some(json!({"name": "Reports v2"})),
            )
            .await;
        assert_eq!(renamed.body["allow_offline_access"], true);
        api.call(
            "PATCH",
            &path,
            Some(&token),
            Some(json!({"allow_offline_access": false})),
        )
        .await;
        assert!(!gets_refresh_token(&api, API).await, "{backend:?}");

        // Created with it on.
        let second = api
            .call(
                "POST",
                "/api/v2/resource-servers",
                Some(&token),
                Some(json!({"identifier": "https://second.example/",
                            "allow_offline_access": true})),
            )
            .await;
        assert_eq!(second.body["allow_offline_access"], true);
        assert!(gets_refresh_token(&api, "https://second.example/").await);
        // Deleting the API ends it.
        api.call(
            "DELETE",
            &format!(
                "/api/v2/resource-servers/{}",
                users_model::encode_component("https://second.example/")
            ),
            Some(&token),
            None,
        )
        .await;
        assert!(!gets_refresh_token(&api, "https://second.example/").await);
    }
}

#[tokio::test]
async fn a_setting_that_is_not_a_boolean_is_refused_and_changes_nothing() {
    let api = Api::default(common::Backend::InProcess).await;
    let token = api.token(None).await;
    for bad in [json!("yes"), json!(1), Value::Null] {
        let reply = api
            .call(
                "POST",
                "/api/v2/resource-servers",
                Some(&token),
                Some(json!({"identifier": API, "allow_offline_access": bad})),
            )
            .await;
        assert_eq!(reply.status, 400, "{bad}");
        assert_eq!(reply.body["errorCode"], "invalid_body");
    }
    let list = api
        .call("GET", "/api/v2/resource-servers", Some(&token), None)
        .await;
    assert_eq!(list.body, json!([]));
    api.call(
        "POST",
        "/api/v2/resource-servers",
        Some(&token),
        Some(json!({"identifier": API})),
    )
    .await;
    let path = format!(
        "/api/v2/resource-servers/{}",
        users_model::encode_component(API)
    );
    let reply = api
        .call(
            "PATCH",
            &path,
            Some(&token),
            Some(json!({"allow_offline_access": "true"})),
        )
        .await;
    assert_error(
        &reply,
        400,
        "Payload validation error: 'Expected type boolean but found type string' on property allow_offline_access.",
        Some("invalid_body"),
    );
    let got = api.call("GET", &path, Some(&token), None).await;
    assert_eq!(got.body["allow_offline_access"], false);
}

#[tokio::test]
async fn seeds_old_and_new_set_the_resource_servers() {
    let api = Api::default(common::Backend::InProcess).await;
    seed_user(&api);
    api.emulator
        .seed(&json!({
            "resource_servers": [{"identifier": API, "allow_offline_access": true},
                                 {"identifier": "https://online.example/"}],
            // The older form: sets the flag of an existing resource server or adds one.
            "apis": [{"identifier": "https://online.example/", "allow_offline_access": true},
                     {"identifier": "https://legacy.example/", "allow_offline_access": true}]
        }))
        .expect("seed");
    for audience in [API, "https://online.example/", "https://legacy.example/"] {
        assert!(gets_refresh_token(&api, audience).await, "{audience}");
    }
    let token = api.token(None).await;
    let list = api
        .call("GET", "/api/v2/resource-servers", Some(&token), None)
        .await;
    let identifiers: Vec<&str> = list
        .body
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|rs| rs["identifier"].as_str())
        .collect();
    assert_eq!(
        identifiers,
        [API, "https://online.example/", "https://legacy.example/"]
    );
    // A malformed older section is refused as a whole.
    let before = api
        .call("GET", "/__emulator/snapshot", None, None)
        .await
        .body;
    let err = api
        .emulator
        .seed(&json!({"apis": [{"identifier": "https://x.example/", "offline": true}]}))
        .expect_err("unknown field");
    assert!(err.to_string().contains("apis"), "{err}");
    let after = api
        .call("GET", "/__emulator/snapshot", None, None)
        .await
        .body;
    assert_eq!(after, before);
}

#[tokio::test]
async fn a_state_file_with_the_older_apis_list_keeps_its_settings() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let file = std::env::temp_dir().join(format!(
        "users-emulator-offline-{}-{nanos}.json",
        std::process::id()
    ));
    let open = || Emulator::open(EmulatorConfig::default(), Arc::new(SystemClock), &file);
    let api = Api::attach(
        common::Backend::InProcess,
        Emulator::new(EmulatorConfig::default()),
    )
    .await;
    seed_user(&api);
    // A JSON state file (the older emulator's format, which is the snapshot) written before APIs
    // were resource servers: the offline-access setting lived in `sessions.apis`.
    let mut state: Value = api
        .call("GET", "/__emulator/snapshot", None, None)
        .await
        .body;
    drop(api);
    state["sessions"]["apis"] = json!([{"identifier": API, "allow_offline_access": true}]);
    std::fs::write(&file, serde_json::to_vec(&state).expect("json")).expect("write");

    let (second, loaded) = open().expect("the older file loads");
    assert!(loaded);
    let api = Api::attach(common::Backend::InProcess, second).await;
    assert!(gets_refresh_token(&api, API).await);
    let snapshot = api
        .call("GET", "/__emulator/snapshot", None, None)
        .await
        .body;
    assert!(
        snapshot["sessions"].get("apis").is_none(),
        "{}",
        snapshot["sessions"]
    );
    let servers = snapshot["tenant"]["resource_servers"]
        .as_array()
        .expect("a list");
    assert_eq!(servers.len(), 1);
    assert_eq!(servers[0]["identifier"], API);
    assert_eq!(servers[0]["allow_offline_access"], true);
    drop(api);
    for suffix in ["", "-wal", "-shm", ".v1.json"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
}
