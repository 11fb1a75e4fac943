//! "Log this user out everywhere": after an incident, list a user's sessions and refresh tokens,
//! end every session and revoke every refresh token, and see a stolen refresh token stop
//! working.
//!
//! `cargo run --example revoke_everywhere` (embedded emulator only: the logins use the
//! password-realm grant against the emulator's token endpoint).

use std::sync::Arc;

use bytes::Bytes;
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use users_client::model::{CheckpointQuery, Password, UserCreate};
use users_client::transport::Transport;
use users_client::{Client, Walk};
use users_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, PASSWORD_REALM_GRANT,
};

const DB: &str = "Username-Password-Authentication";
const DOMAIN: &str = "tenant.example";

/// `POST /oauth/token` on the emulator: status and body.
async fn token_endpoint(
    emulator: &Emulator,
    body: Value,
) -> Result<(u16, Value), Box<dyn std::error::Error>> {
    let request = http::Request::post(format!("https://{DOMAIN}/oauth/token"))
        .header("content-type", "application/json")
        .body(Bytes::from(body.to_string()))?;
    let response = emulator.send(request).await?;
    Ok((
        response.status().as_u16(),
        serde_json::from_slice(response.body())?,
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::new(EmulatorConfig::default());
    let client = Client::builder()
        .domain(DOMAIN)
        .transport(Arc::new(emulator.clone()))
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .build()?;

    let mut new = UserCreate::new(DB);
    new.email = Some("incident@example.com".into());
    new.password = Some(Password::new("Incident-Pw1!"));
    let user = client.users().create(&new).await?;
    let user_id = user.user_id.unwrap_or_default();

    // The user signs in on two devices, each asking for a refresh token (offline_access).
    let mut refresh_tokens = Vec::new();
    for _ in 0..2 {
        let (_, body) = token_endpoint(
            &emulator,
            json!({"grant_type": PASSWORD_REALM_GRANT, "client_id": DEFAULT_CLIENT_ID,
                   "client_secret": DEFAULT_CLIENT_SECRET, "realm": DB,
                   "username": "incident@example.com", "password": "Incident-Pw1!",
                   "scope": "openid offline_access"}),
        )
        .await?;
        refresh_tokens.push(
            body["refresh_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }

    let api = client.sessions_and_tokens();
    let sessions: Vec<_> = api
        .sessions_stream(&user_id, Walk::all().take(1))
        .try_collect()
        .await?;
    println!("{user_id} has {} sessions", sessions.len());
    let tokens: Vec<_> = api
        .refresh_tokens_stream(&user_id, Walk::all())
        .try_collect()
        .await?;
    for token in &tokens {
        println!(
            "  refresh token {:?} for {:?} in session {:?}",
            token.id,
            token.client_id,
            token.session_id.value()
        );
    }

    let refresh = json!({"grant_type": "refresh_token", "client_id": DEFAULT_CLIENT_ID,
                         "client_secret": DEFAULT_CLIENT_SECRET, "refresh_token": refresh_tokens[0]});
    let (status, _) = token_endpoint(&emulator, refresh.clone()).await?;
    println!("before: refreshing answers {status}");

    // The incident response: end every session, revoke every refresh token.
    api.delete_sessions(&user_id).await?;
    api.delete_refresh_tokens(&user_id).await?;

    let (status, body) = token_endpoint(&emulator, refresh).await?;
    println!(
        "after: refreshing answers {status} {} ({})",
        body["error"], body["error_description"]
    );
    let left = api.sessions(&user_id, &CheckpointQuery::new()).await?;
    println!("sessions left: {}", left.sessions.len());
    client.users().delete(&user_id).await?;
    Ok(())
}
