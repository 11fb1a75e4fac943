//! A user's sessions, refresh tokens, token sets, connected accounts and risk assessors, end to
//! end: seeded, listed, walked and removed.

use futures_util::TryStreamExt;
use serde_json::json;
use users_client::Walk;
use users_client::model::{Assessor, CheckpointQuery, ClearAssessors};

use crate::env::Env;

pub async fn exercise(env: &Env) {
    let user = "auth0|sessions-owner";
    env.emulator
        .seed(&json!({
            "users": [{"user_id": user, "connection": "Username-Password-Authentication",
                       "email": "owner@example.com", "password": "Passw0rd!x-long"}],
            "sessions": [{"user_id": user}, {"user_id": user}, {"user_id": user}],
            "refresh_tokens": [{"user_id": user, "client_id": "app", "session_id": null}],
            "federated_connections_tokensets": [{"user_id": user, "id": "ts_1",
                                                 "connection": "google-oauth2"}],
            "connected_accounts": [{"user_id": user, "connection": "google-oauth2",
                                    "access_type": "offline"}]
        }))
        .expect("seed");
    let api = env.client.sessions_and_tokens();
    let first = api
        .sessions(user, &CheckpointQuery::new().take(2))
        .await
        .expect("sessions");
    assert_eq!(first.sessions.len(), 2);
    let walked: Vec<_> = api
        .sessions_stream(user, Walk::all().take(2))
        .try_collect()
        .await
        .expect("walk");
    assert_eq!(walked.len(), 3);
    let tokens = api
        .refresh_tokens(user, &CheckpointQuery::new())
        .await
        .expect("refresh tokens");
    assert_eq!(tokens.tokens.len(), 1);
    let sets = api.federated_tokensets(user).await.expect("token sets");
    assert_eq!(sets.len(), 1);
    api.delete_federated_tokenset(user, "ts_1")
        .await
        .expect("delete token set");
    let accounts = api
        .connected_accounts(user, &CheckpointQuery::new())
        .await
        .expect("connected accounts");
    assert_eq!(accounts.connected_accounts.len(), 1);
    let body = ClearAssessors::new("Username-Password-Authentication", [Assessor::NewDevice]);
    api.clear_risk_assessors(user, &body)
        .await
        .expect("clear assessors");
    api.delete_refresh_tokens(user)
        .await
        .expect("delete refresh tokens");
    api.delete_sessions(user).await.expect("delete sessions");
    assert!(
        api.sessions(user, &CheckpointQuery::new())
            .await
            .expect("sessions")
            .sessions
            .is_empty()
    );
}
