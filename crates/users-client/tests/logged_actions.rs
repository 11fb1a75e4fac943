//! The Management API writes of the sessions and MFA groups leave a `sapi` event in the user's
//! log, read back through `GET /users/{id}/logs` with the client, in-process and through the
//! reqwest and hyper backends against the served emulator. Secrets the calls carry (a TOTP
//! secret, a new recovery code) never reach the log; a refused call writes nothing.

mod emulated;
#[allow(dead_code)]
#[path = "every_operation/env.rs"]
mod env;

use env::{BACKENDS, Env};
use serde_json::json;
use users_client::model::{
    Assessor, ClearAssessors, LogEvent, NewAuthenticationMethod, NewTotpMethod, TotpSecret,
    UserLogsQuery,
};

const USER: &str = "auth0|logged";
const DB: &str = "Username-Password-Authentication";
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";

fn seed(env: &Env) {
    env.emulator
        .seed(&json!({
            "users": [{"user_id": USER, "connection": DB, "email": "logged@example.com",
                       "password": "Passw0rd!x-long"}],
            "sessions": [{"user_id": USER}],
            "refresh_tokens": [{"user_id": USER, "client_id": "emulator-client"}],
            "federated_connections_tokensets": [{"user_id": USER, "id": "ts_1",
                                                 "connection": "google-oauth2"}]
        }))
        .expect("seed");
}

/// The user's events, oldest first.
async fn events(env: &Env) -> Vec<LogEvent> {
    let mut events = env
        .client
        .users()
        .logs(USER, &UserLogsQuery::default())
        .await
        .expect("logs");
    events.reverse();
    events
}

/// `(type, description, details.request.method, details.request.path)` of each event.
fn summary(events: &[LogEvent]) -> Vec<(String, String, String, String)> {
    events
        .iter()
        .map(|e| {
            let request = e
                .details
                .as_ref()
                .and_then(|d| d.get("request"))
                .cloned()
                .unwrap_or_default();
            (
                e.event_type.clone().unwrap_or_default(),
                e.description.clone().flatten().unwrap_or_default(),
                request["method"].as_str().unwrap_or_default().to_owned(),
                request["path"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn sapi(description: &str, method: &str, rest: &str) -> (String, String, String, String) {
    (
        "sapi".into(),
        description.into(),
        method.into(),
        format!("/api/v2/users/auth0%7Clogged{rest}"),
    )
}

#[tokio::test]
async fn session_and_token_writes_are_logged_on_the_user() {
    for backend in BACKENDS {
        let env = Env::start(backend).await;
        seed(&env);
        let api = env.client.sessions_and_tokens();
        api.delete_refresh_tokens(USER).await.expect("revoke");
        api.delete_sessions(USER).await.expect("end sessions");
        api.delete_federated_tokenset(USER, "ts_1")
            .await
            .expect("delete token set");
        let body = ClearAssessors::new(DB, [Assessor::NewDevice]);
        api.clear_risk_assessors(USER, &body)
            .await
            .expect("clear assessors");
        // Refused: no such connection. Nothing is logged for it.
        let refused = ClearAssessors::new("no-such-connection", [Assessor::NewDevice]);
        let err = api
            .clear_risk_assessors(USER, &refused)
            .await
            .expect_err("404");
        assert!(err.is_not_found(), "{err}");
        // A token set of a user that does not exist: 204, and nobody's log changes.
        api.delete_federated_tokenset("auth0|nobody", "ts_1")
            .await
            .expect("204");

        let events = events(&env).await;
        assert_eq!(
            summary(&events),
            [
                sapi(
                    "Delete refresh tokens for a user",
                    "delete",
                    "/refresh-tokens"
                ),
                sapi("Delete sessions for user", "delete", "/sessions"),
                sapi(
                    "Deletes a tokenset for federated connections by id.",
                    "delete",
                    "/federated-connections-tokensets/ts_1"
                ),
                sapi(
                    "Clear risk assessment assessors for a specific user",
                    "post",
                    "/risk-assessments/clear"
                ),
            ],
            "{backend:?}"
        );
        for event in &events {
            assert_eq!(event.user_id.as_deref(), Some(USER));
            assert_eq!(event.client_id.as_deref(), Some("emulator-client"));
            assert_eq!(event.connection.as_deref(), Some(DB));
        }
        let nobody = env
            .client
            .users()
            .logs("auth0|nobody", &UserLogsQuery::default())
            .await
            .expect("logs");
        assert!(nobody.is_empty(), "{backend:?}");
    }
}

#[tokio::test]
async fn mfa_writes_are_logged_without_their_secrets() {
    for backend in BACKENDS {
        let env = Env::start(backend).await;
        seed(&env);
        let totp = NewAuthenticationMethod::Totp(NewTotpMethod {
            totp_secret: TotpSecret::new(TOTP_SECRET),
            name: None,
        });
        let methods = env.client.authentication_methods();
        let created = methods.create(USER, &totp).await.expect("create");
        let id = created.id().expect("an id").to_owned();
        let mfa = env.client.mfa();
        let code = mfa
            .regenerate_recovery_code(USER)
            .await
            .expect("recovery code");
        mfa.invalidate_remember_browser(USER)
            .await
            .expect("invalidate");
        methods.delete(USER, &id).await.expect("delete one");
        mfa.delete_authenticators(USER)
            .await
            .expect("delete authenticators");
        methods.delete_all(USER).await.expect("delete all");
        // Refused: the method is gone. Nothing is logged for it.
        let err = methods.delete(USER, &id).await.expect_err("404");
        assert!(err.is_not_found(), "{err}");

        let events = events(&env).await;
        let method_path = format!(
            "/authentication-methods/{}",
            users_client::model::encode_component(&id)
        );
        assert_eq!(
            summary(&events),
            [
                sapi(
                    "Creates an authentication method for a given user",
                    "post",
                    "/authentication-methods"
                ),
                sapi(
                    "Generate New Multi-factor Authentication (MFA) Recovery Code",
                    "post",
                    "/recovery-code-regeneration"
                ),
                sapi(
                    "Invalidate All Remembered Browsers for Multi-factor Authentication (MFA)",
                    "post",
                    "/multifactor/actions/invalidate-remember-browser"
                ),
                sapi(
                    "Delete an authentication method by ID",
                    "delete",
                    &method_path
                ),
                sapi("Delete All Authenticators", "delete", "/authenticators"),
                sapi(
                    "Delete all authentication methods for the given user",
                    "delete",
                    "/authentication-methods"
                ),
            ],
            "{backend:?}"
        );
        let text = serde_json::to_string(&events).expect("serializes");
        assert!(!text.contains(TOTP_SECRET), "{backend:?}");
        assert!(!text.contains(code.expose()), "{backend:?}");
    }
}
