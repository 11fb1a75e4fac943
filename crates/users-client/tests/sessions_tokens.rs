//! Sessions and refresh tokens with a life cycle, end to end against the emulator: in-process,
//! and served on 127.0.0.1:0 through the reqwest and hyper backends. A login with
//! `offline_access` yields a listed refresh token and a session; refreshing works until each
//! revocation path (delete refresh tokens, delete sessions, user deleted, user blocked, password
//! changed) makes it fail with the real error; checkpoint streams walk every size and survive
//! concurrent inserts and deletes.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use users_client::model::{
    Assessor, CheckpointQuery, ClearAssessors, Nullable, Password, Patch, UserUpdate,
};
use users_client::transport::Transport;
use users_client::{Client, Error, Walk};
use users_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, ManualClock,
    PASSWORD_REALM_GRANT,
};

mod emulated;
use emulated::{BACKENDS, Backend, Reached};

const DB: &str = "Username-Password-Authentication";
const PASSWORD: &str = "Passw0rd!x-long";

struct Env {
    emulator: Emulator,
    client: Client,
    reached: Reached,
}

impl Env {
    async fn start(backend: Backend, clock: Arc<ManualClock>) -> Env {
        let emulator = emulated::emulator_with_clock(EmulatorConfig::default(), clock);
        let reached = backend.reach(&emulator).await;
        Env {
            client: reached.client(reached.transport.clone()),
            emulator,
            reached,
        }
    }

    /// `POST /oauth/token` with a JSON body: status and body.
    async fn token(&self, body: Value) -> (u16, Value) {
        let request = http::Request::post(format!("{}/oauth/token", self.reached.base))
            .header("content-type", "application/json")
            .body(Bytes::from(body.to_string()))
            .expect("a request");
        let response = self
            .reached
            .transport
            .send(request)
            .await
            .expect("an answer");
        let status = response.status().as_u16();
        let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
        (status, body)
    }

    async fn login(&self, email: &str, scope: &str) -> (u16, Value) {
        self.token(json!({
            "grant_type": PASSWORD_REALM_GRANT, "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET, "realm": DB,
            "username": email, "password": PASSWORD, "scope": scope,
        }))
        .await
    }

    /// A fresh refresh token of `email`'s user (login with `openid offline_access`).
    async fn refresh_token(&self, email: &str) -> String {
        let (status, body) = self.login(email, "openid offline_access").await;
        assert_eq!(status, 200, "{body}");
        body["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned()
    }

    async fn refresh(&self, token: &str) -> (u16, Value) {
        self.token(json!({
            "grant_type": "refresh_token", "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET, "refresh_token": token,
        }))
        .await
    }

    fn seed_user(&self, id: &str, email: &str) {
        self.emulator
            .seed(
                &json!({"users": [{"user_id": id, "connection": DB, "email": email,
                                      "password": PASSWORD}]}),
            )
            .expect("seed");
    }
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(1_700_000_000_000))
}

fn assert_invalid_grant(answer: &(u16, Value), description: &str) {
    assert_eq!(answer.0, 403, "{}", answer.1);
    assert_eq!(answer.1["error"], "invalid_grant");
    assert_eq!(answer.1["error_description"], description);
}

const REVOKED: &str = "Unknown or invalid refresh token.";

#[tokio::test]
async fn a_login_yields_a_listed_refresh_token_and_session_and_every_revocation_ends_it() {
    for backend in BACKENDS {
        let env = Env::start(backend, clock()).await;
        let user = "auth0|lifecycle";
        env.seed_user(user, "life@example.com");
        let api = env.client.sessions_and_tokens();

        // Without offline_access: no refresh token, no session.
        let (status, plain) = env.login("life@example.com", "openid").await;
        assert_eq!(status, 200);
        assert!(plain.get("refresh_token").is_none(), "{backend:?}");
        let none = api
            .sessions(user, &CheckpointQuery::new())
            .await
            .expect("list");
        assert!(none.sessions.is_empty());

        let token = env.refresh_token("life@example.com").await;
        let sessions = api
            .sessions(user, &CheckpointQuery::new())
            .await
            .expect("list");
        assert_eq!(sessions.sessions.len(), 1, "{backend:?}");
        let session_id = sessions.sessions[0].id.clone().expect("a session id");
        let listed = api
            .refresh_tokens(user, &CheckpointQuery::new())
            .await
            .expect("list");
        assert_eq!(listed.tokens.len(), 1);
        let info = &listed.tokens[0];
        assert_eq!(info.user_id.as_deref(), Some(user));
        assert_eq!(info.client_id.as_deref(), Some(DEFAULT_CLIENT_ID));
        assert_eq!(info.session_id, Nullable::Value(session_id.clone()));
        assert_eq!(info.rotating, Some(false));
        assert_eq!(info.expires_at, Nullable::Null);
        assert_eq!(info.idle_expires_at, Nullable::Null);
        assert!(
            info.created_at
                .value()
                .and_then(|d| d.timestamp())
                .is_some()
        );
        let servers = info.resource_servers.as_ref().expect("resource servers");
        assert_eq!(servers[0].scopes.as_deref(), Some("openid offline_access"));
        // The listing describes the token, never contains it.
        assert!(!serde_json::to_string(&listed).unwrap().contains(&token));

        // Refreshing works, with an ID token carrying the session id.
        let (status, refreshed) = env.refresh(&token).await;
        assert_eq!(status, 200, "{refreshed}");
        assert!(refreshed["access_token"].is_string());
        assert!(refreshed.get("refresh_token").is_none(), "not rotating");
        let id_token = refreshed["id_token"].as_str().expect("an ID token");
        let claims = id_token.split('.').nth(1).expect("a payload");
        use base64::Engine as _;
        let claims: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(claims)
                .expect("base64url"),
        )
        .expect("json");
        assert_eq!(claims["sid"], session_id.as_str());

        // 1. Deleting the refresh tokens revokes them; the session stays.
        api.delete_refresh_tokens(user).await.expect("delete");
        assert_invalid_grant(&env.refresh(&token).await, REVOKED);
        let left = api
            .sessions(user, &CheckpointQuery::new())
            .await
            .expect("list");
        assert_eq!(left.sessions.len(), 1);

        // 2. Deleting the sessions revokes the tokens bound to them.
        let token = env.refresh_token("life@example.com").await;
        api.delete_sessions(user).await.expect("delete");
        assert_invalid_grant(&env.refresh(&token).await, REVOKED);
        let gone = api
            .refresh_tokens(user, &CheckpointQuery::new())
            .await
            .expect("list");
        assert!(gone.tokens.is_empty(), "{backend:?}");

        // 3. A blocked user's token is refused while blocked, and works again after.
        let token = env.refresh_token("life@example.com").await;
        let block = |blocked| {
            let mut v = UserUpdate::default();
            v.blocked = Some(blocked);
            v
        };
        env.client
            .users()
            .update(user, &block(true))
            .await
            .expect("block");
        assert_invalid_grant(&env.refresh(&token).await, "user is blocked");
        env.client
            .users()
            .update(user, &block(false))
            .await
            .expect("unblock");
        assert_eq!(env.refresh(&token).await.0, 200);

        // 4. A password change ends the sessions and their refresh tokens.
        let mut change = UserUpdate::default();
        change.password = Patch::Set(Password::new(PASSWORD));
        change.connection = Some(DB.into());
        env.client
            .users()
            .update(user, &change)
            .await
            .expect("new password");
        assert_invalid_grant(&env.refresh(&token).await, REVOKED);
        let ended = api
            .sessions(user, &CheckpointQuery::new())
            .await
            .expect("list");
        assert!(ended.sessions.is_empty(), "{backend:?}");

        // 5. Deleting the user revokes its tokens.
        let token = env.refresh_token("life@example.com").await;
        env.client.users().delete(user).await.expect("delete user");
        assert_invalid_grant(&env.refresh(&token).await, REVOKED);
        let err = api
            .sessions(user, &CheckpointQuery::new())
            .await
            .expect_err("no such user");
        assert!(err.is_not_found(), "{err}");
    }
}

#[tokio::test]
async fn refresh_tokens_expire_and_only_apis_allowing_offline_access_get_them() {
    let clock = clock();
    let env = Env::start(Backend::InProcess, clock.clone()).await;
    env.seed_user("auth0|exp", "exp@example.com");
    env.emulator
        .seed(&json!({
            "refresh_token_policy": {"idle_lifetime_secs": 60, "lifetime_secs": 150},
            "apis": [{"identifier": "https://offline.example/", "allow_offline_access": true},
                     {"identifier": "https://online.example/"}]
        }))
        .expect("policy");
    let token = env.refresh_token("exp@example.com").await;
    clock.advance(50_000);
    assert_eq!(env.refresh(&token).await.0, 200, "within the idle lifetime");
    clock.advance(50_000);
    assert_eq!(env.refresh(&token).await.0, 200, "idle expiry slid forward");
    clock.advance(61_000);
    assert_invalid_grant(&env.refresh(&token).await, REVOKED);
    let idle = env.refresh_token("exp@example.com").await;
    clock.advance(61_000);
    assert_invalid_grant(&env.refresh(&idle).await, REVOKED);

    for (audience, offline) in [
        ("https://offline.example/", true),
        ("https://online.example/", false),
        ("https://unknown.example/", false),
    ] {
        let (status, body) = env
            .token(json!({
                "grant_type": PASSWORD_REALM_GRANT, "client_id": DEFAULT_CLIENT_ID,
                "client_secret": DEFAULT_CLIENT_SECRET, "realm": DB, "audience": audience,
                "username": "exp@example.com", "password": PASSWORD,
                "scope": "offline_access",
            }))
            .await;
        assert_eq!(status, 200);
        assert_eq!(body.get("refresh_token").is_some(), offline, "{audience}");
    }
}

#[tokio::test]
async fn checkpoint_streams_walk_every_size_and_stop_at_a_limit() {
    for backend in BACKENDS {
        let env = Env::start(backend, clock()).await;
        let take = 3u32;
        for (n, count) in [0usize, 1, 3, 7].into_iter().enumerate() {
            let user = format!("auth0|walk{n}");
            env.seed_user(&user, &format!("walk{n}@example.com"));
            let accounts: Vec<Value> = (0..count)
                .map(|i| {
                    json!({"user_id": user, "connection": format!("c{i}"),
                                "access_type": "offline"})
                })
                .collect();
            let sessions: Vec<Value> = (0..count).map(|_| json!({"user_id": user})).collect();
            let tokens: Vec<Value> = (0..count)
                .map(|i| json!({"user_id": user, "client_id": format!("app{i}")}))
                .collect();
            env.emulator
                .seed(
                    &json!({"connected_accounts": accounts, "sessions": sessions,
                               "refresh_tokens": tokens}),
                )
                .expect("seed");
            let api = env.client.sessions_and_tokens();
            let walk = Walk::all().take(take);
            let accounts: Vec<_> = api
                .connected_accounts_stream(&user, walk)
                .try_collect()
                .await
                .expect("walk");
            let names: Vec<String> = accounts
                .iter()
                .filter_map(|a| a.connection.clone())
                .collect();
            let expected: Vec<String> = (0..count).map(|i| format!("c{i}")).collect();
            assert_eq!(names, expected, "{backend:?} {count}");
            let sessions: Vec<_> = api
                .sessions_stream(&user, walk)
                .try_collect()
                .await
                .expect("walk");
            assert_eq!(sessions.len(), count);
            let tokens: Vec<_> = api
                .refresh_tokens_stream(&user, walk)
                .try_collect()
                .await
                .expect("walk");
            assert_eq!(tokens.len(), count);
            let limited: Vec<_> = api
                .sessions_stream(&user, walk.limit(2))
                .try_collect()
                .await
                .expect("walk");
            assert_eq!(limited.len(), count.min(2));
        }
    }
}

#[tokio::test]
async fn a_walk_during_inserts_and_deletes_lists_every_lasting_item_once() {
    for backend in BACKENDS {
        let env = Env::start(backend, clock()).await;
        let user = "auth0|busy";
        env.seed_user(user, "busy@example.com");
        // Unbound tokens (no session) last; tokens bound to sessions come and go.
        let lasting: Vec<Value> = (0..5)
            .map(|i| json!({"user_id": user, "client_id": format!("lasting{i}"), "session_id": null}))
            .collect();
        env.emulator
            .seed(&json!({"refresh_tokens": lasting}))
            .expect("seed");
        for _ in 0..3 {
            env.refresh_token("busy@example.com").await;
        }
        env.emulator
            .seed(&json!({"refresh_tokens": [{"user_id": user, "client_id": "lasting5", "session_id": null}]}))
            .expect("seed");
        let api = env.client.sessions_and_tokens();
        let mut walk = std::pin::pin!(api.refresh_tokens_stream(user, Walk::all().take(2)));
        let mut seen = Vec::new();
        let mut step = 0;
        while let Some(token) = walk.next().await {
            let token = token.expect("an item");
            seen.push(token.id.clone().expect("an id"));
            // Between pages: new bound tokens appear, and every bound token goes.
            if step % 2 == 0 {
                env.refresh_token("busy@example.com").await;
            } else {
                api.delete_sessions(user).await.expect("delete sessions");
            }
            step += 1;
            assert!(step < 100, "the walk must end");
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{backend:?}: an item was repeated"
        );
        let now = api
            .refresh_tokens(user, &CheckpointQuery::new().take(100))
            .await
            .expect("list");
        let lasting: Vec<String> = now
            .tokens
            .iter()
            .filter(|t| {
                t.client_id
                    .as_deref()
                    .is_some_and(|c| c.starts_with("lasting"))
            })
            .filter_map(|t| t.id.clone())
            .collect();
        assert_eq!(lasting.len(), 6);
        for id in &lasting {
            assert!(seen.contains(id), "{backend:?}: {id} skipped");
        }
    }
}

#[tokio::test]
async fn missing_token_sets_delete_and_bad_input_is_refused() {
    for backend in BACKENDS {
        let env = Env::start(backend, clock()).await;
        env.seed_user("auth0|one", "one@example.com");
        let api = env.client.sessions_and_tokens();
        // Recorded: 204 for a token set that does not exist.
        api.delete_federated_tokenset("auth0|one", "non-existent-token-set-id")
            .await
            .expect("204");
        for err in [
            api.refresh_tokens("auth0|nobody", &CheckpointQuery::new())
                .await
                .err(),
            api.federated_tokensets("auth0|nobody").await.err(),
            api.connected_accounts("auth0|nobody", &CheckpointQuery::new())
                .await
                .err(),
            api.delete_sessions("auth0|nobody").await.err(),
        ] {
            let err = err.expect("404");
            assert!(err.is_not_found(), "{backend:?}: {err}");
        }
        let unknown = ClearAssessors::new("no-such-connection", [Assessor::NewDevice]);
        let err = api
            .clear_risk_assessors("auth0|one", &unknown)
            .await
            .expect_err("unknown connection");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
        // Refused before the network, every violation at once.
        let bad = ClearAssessors::new("bad--name", [Assessor::from("old-device")]);
        match api.clear_risk_assessors("auth0|one", &bad).await {
            Err(Error::Validation(v)) => assert_eq!(v.len(), 2),
            other => panic!("{other:?}"),
        }
        match api
            .sessions("auth0|one", &CheckpointQuery::new().take(0))
            .await
        {
            Err(Error::Validation(v)) => {
                assert_eq!(v.first().map(|v| v.path.as_str()), Some("take"))
            }
            other => panic!("{other:?}"),
        }
        let err = api
            .sessions("", &CheckpointQuery::new())
            .await
            .expect_err("empty id");
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    }
}
