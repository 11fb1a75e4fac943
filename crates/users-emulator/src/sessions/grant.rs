//! The token endpoint's part in the refresh-token life cycle: the password-realm grant with
//! `offline_access` starts a session and issues a refresh token, and `grant_type=refresh_token`
//! exchanges one for new tokens until it is revoked, expires, or its user is deleted or blocked.
//!
//! Facts: Auth0's "Use refresh tokens" / "Get refresh tokens" documents (an API must "Allow
//! Offline Access"; `grant_type=refresh_token` with `client_id`, `client_secret`,
//! `refresh_token`; the answer has `access_token`, `expires_in`, `scope`, `id_token` with
//! `openid`, `token_type`, and no new refresh token when rotation is off, as for the recorded
//! `rotating: false` tokens). A revoked, expired or unknown token answers 403
//! `{"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}`
//! (Auth0 support article "Troubleshoot Refresh Token Unknown or Invalid Before Expiry"); a
//! blocked user's token answers 403 `invalid_grant` / `user is blocked` (the body auth0-spa-js
//! handles, auth0/auth0-spa-js#1525).

use http::HeaderMap;
use serde_json::{Map, Value, json};

use crate::auth::management_audience;
use crate::config::EmulatorConfig;
use crate::handlers::grant_support::{answer_body, client, id_claims, missing, text};
use crate::handlers::tenant::hooks;
use crate::reply::auth_error;
use crate::state::State;
use crate::state::sessions::{ExchangeRefusal, Login};
use crate::tokens::{AccessClaims, Claims, TokenAnswer};

/// The answer for a token that is unknown, revoked, expired or another application's.
const INVALID: &str = "Unknown or invalid refresh token.";

/// Starts a session and issues a refresh token for a password-realm login that asked for
/// `offline_access`, when `audience` allows offline access: `(session id, refresh token)`.
pub(crate) fn on_login(
    state: &mut State,
    user_id: &str,
    client_id: &str,
    audience: &str,
    scope: &str,
    issuer: &str,
    now_secs: i64,
) -> Option<(String, String)> {
    if !state
        .tenant
        .allows_offline_access(audience, &management_audience(issuer))
    {
        return None;
    }
    let login = Login {
        user_id,
        client_id,
        audience,
        scope,
        now_ms: now_secs.saturating_mul(1000),
    };
    Some(state.sessions.login(&mut state.ids, &login))
}

/// `grant_type=refresh_token`.
///
/// Every answer about the token itself is logged (`hooks::refresh_exchanged` /
/// `hooks::refresh_refused`); a request refused before the token is looked at (unknown
/// application, no `refresh_token`) is not an exchange and writes nothing.
pub(crate) fn refresh(
    state: &mut State,
    config: &EmulatorConfig,
    headers: &HeaderMap,
    body: &Map<String, Value>,
    issuer: &str,
    now_ms: i64,
) -> TokenAnswer {
    let client_id = match client(config, body) {
        Ok(c) => c.client_id.clone(),
        Err(response) => return (*response).into(),
    };
    let Some(token) = text(body, "refresh_token") else {
        return missing("refresh_token").into();
    };
    let refuse = |state: &mut State, user_id: Option<String>, reason: &str| {
        hooks::refresh_refused(
            state,
            now_ms,
            &client_id,
            headers,
            user_id.as_deref(),
            reason,
        );
        TokenAnswer::from(auth_error(403, "invalid_grant", reason))
    };
    let grant = match state.sessions.exchange(token, &client_id, now_ms) {
        Ok(grant) => grant,
        Err(ExchangeRefusal::Invalid) => {
            let owner = state.sessions.owner_of(token).map(str::to_owned);
            return refuse(state, owner, INVALID);
        }
    };
    // A deleted user's tokens are removed with it; this only guards a state edited by hand.
    let Some(user) = state.user(&grant.user_id).map(|s| s.user.clone()) else {
        return refuse(state, None, INVALID);
    };
    if user.blocked == Some(true) {
        return refuse(state, Some(grant.user_id), "user is blocked");
    }
    let now = now_ms.div_euclid(1000);
    let claims = AccessClaims {
        iss: issuer.to_owned(),
        sub: grant.user_id.clone(),
        aud: json!([grant.audience, format!("{issuer}userinfo")]),
        iat: now,
        exp: now.saturating_add(config.token_lifetime_secs),
        azp: client_id.clone(),
        scope: grant.scope.clone(),
        gty: Some("refresh_token".into()),
        jti: Some(state.ids.token_id()),
    };
    let mut answer = TokenAnswer::unsigned(answer_body(config, grant.scope.clone()))
        .with_token("access_token", Claims::Access(claims));
    if grant.scope.split_whitespace().any(|s| s == "openid") {
        let sid = grant.session_id.as_deref();
        let id = id_claims(issuer, &user, &client_id, now, sid);
        answer = answer.with_token("id_token", Claims::Id(id));
    }
    hooks::refresh_exchanged(
        state,
        now_ms,
        &client_id,
        headers,
        &grant.user_id,
        &grant.audience,
    );
    answer
}
