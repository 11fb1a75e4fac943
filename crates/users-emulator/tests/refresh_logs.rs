//! Refresh-token exchanges in the tenant log, on every backend: `sertft` for an exchange,
//! `fertft` for a refusal, filed under the token's user when the token is still known, read
//! back through `GET /users/{id}/logs`.

mod common;

use common::{Api, BACKENDS, enc};
use serde_json::{Value, json};
use users_emulator::{ClientConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig};

const USER: &str = "auth0|refresher";
const EMAIL: &str = "refresher@example.com";
const PASSWORD: &str = "Passw0rd!x-long";
const OTHER_APP: &str = "other-app";
const INVALID: &str = "Unknown or invalid refresh token.";

async fn refresh(api: &Api, client: (&str, &str), token: &str) -> u16 {
    api.call(
        "POST",
        "/oauth/token",
        None,
        Some(json!({"grant_type": "refresh_token", "client_id": client.0,
                    "client_secret": client.1, "refresh_token": token})),
    )
    .await
    .status
}

/// `(type, description, client_id)` of the user's events, oldest first.
async fn events(api: &Api, token: &str) -> Vec<(String, String, String)> {
    let path = format!("/api/v2/users/{}/logs?sort=date:1", enc(USER));
    let reply = api.call("GET", &path, Some(token), None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply
        .body
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (text("type"), text("description"), text("client_id"))
        })
        .collect()
}

fn event(code: &str, description: &str, client: &str) -> (String, String, String) {
    (code.into(), description.into(), client.into())
}

#[tokio::test]
async fn exchanges_and_refusals_are_logged() {
    for &backend in BACKENDS {
        let mut config = EmulatorConfig::default();
        config
            .clients
            .push(ClientConfig::new(OTHER_APP, "other-secret", ["read:users"]));
        let api = Api::start(backend, config).await;
        api.emulator
            .seed(
                &json!({"users": [{"user_id": USER, "email": EMAIL, "password": PASSWORD,
                                     "connection": "Username-Password-Authentication"}]}),
            )
            .expect("seed");
        let login = api.login(EMAIL, PASSWORD, "offline_access").await;
        let refresh_token = login.body["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned();
        let ours = (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
        assert_eq!(refresh(&api, ours, &refresh_token).await, 200);
        // Another application's token, and a token nobody issued.
        assert_eq!(
            refresh(&api, (OTHER_APP, "other-secret"), &refresh_token).await,
            403
        );
        assert_eq!(refresh(&api, ours, "v1.never-issued").await, 403);
        // A blocked user's token.
        let admin = api.token(None).await;
        let blocked = api
            .call(
                "PATCH",
                &format!("/api/v2/users/{}", enc(USER)),
                Some(&admin),
                Some(json!({"blocked": true})),
            )
            .await;
        assert_eq!(blocked.status, 200);
        assert_eq!(refresh(&api, ours, &refresh_token).await, 403);
        // Refused before the token is looked at: not an exchange, not logged.
        assert_eq!(
            refresh(&api, (DEFAULT_CLIENT_ID, "wrong"), &refresh_token).await,
            401
        );

        assert_eq!(
            events(&api, &admin).await,
            [
                event("s", "", DEFAULT_CLIENT_ID),
                event("sepft", "Password for Access Token", DEFAULT_CLIENT_ID),
                event(
                    "sertft",
                    "Refresh Token for Access Token",
                    DEFAULT_CLIENT_ID
                ),
                event("fertft", INVALID, OTHER_APP),
                event("sapi", "Update a User", DEFAULT_CLIENT_ID),
                event("fertft", "user is blocked", DEFAULT_CLIENT_ID),
            ],
            "{backend:?}"
        );

        // The exchange names the token's audience; no event holds a token.
        let path = format!("/api/v2/users/{}/logs", enc(USER));
        let all = api.call("GET", &path, Some(&admin), None).await.body;
        let exchange = all
            .as_array()
            .and_then(|list| list.iter().find(|e| e["type"] == "sertft"))
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(
            exchange["details"]["audience"],
            format!("{}/api/v2/", api.base.trim_end_matches('/')),
            "{backend:?}"
        );
        assert_eq!(exchange["user_id"], USER);
        assert_eq!(exchange["ip"], "127.0.0.1");
        assert!(!all.to_string().contains(&refresh_token), "{backend:?}");
    }
}
