//! `POST /oauth/token`: client credentials, and the password-realm grant for database users.

use serde_json::{Map, Value, json};

use super::tenant::hooks;
use crate::auth::management_audience;
use crate::config::EmulatorConfig;
use crate::connections::StrategyKind;
use crate::profile::password_matches;
use crate::reply::auth_error;
use crate::request::ApiRequest;
use crate::state::State;
use crate::tokens::{AccessClaims, Claims, TokenAnswer};

use super::grant_support::{answer_body, client, id_claims, missing, text};

/// The password-realm grant type.
pub(crate) const PASSWORD_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";

/// Scopes a user token may carry (OIDC plus the current-user Management API scopes).
const USER_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "offline_access",
    "read:current_user",
    "update:current_user_metadata",
    "create:current_user_metadata",
    "delete:current_user",
    "update:current_user_identities",
];

/// Handles `POST /oauth/token`: everything but the signatures, which the caller makes with
/// [`TokenAnswer::into_response`] once the state lock is released.
pub(crate) fn issue(
    state: &mut State,
    config: &EmulatorConfig,
    request: &ApiRequest,
    issuer: &str,
    now_ms: i64,
) -> TokenAnswer {
    let body = match request.json_object() {
        Ok(body) => body,
        Err(e) => return auth_error(e.status, "invalid_request", &e.message).into(),
    };
    let now = now_ms.div_euclid(1000);
    match text(&body, "grant_type") {
        None => missing("grant_type").into(),
        Some("client_credentials") => {
            let response = client_credentials(state, config, &body, issuer, now);
            if matches!(response, TokenAnswer::Unsigned { .. }) {
                let client = text(&body, "client_id").unwrap_or_default();
                let audience = management_audience(issuer);
                hooks::client_token(state, now_ms, client, &request.headers, &audience);
            }
            response
        }
        Some(PASSWORD_REALM) => {
            password_realm(state, config, &body, issuer, (now_ms, &request.headers))
        }
        Some("refresh_token") => {
            crate::sessions::grant::refresh(state, config, &request.headers, &body, issuer, now_ms)
        }
        Some(other) => auth_error(
            400,
            "unsupported_grant_type",
            &format!("Unsupported grant type: {other}"),
        )
        .into(),
    }
}

fn client_credentials(
    state: &mut State,
    config: &EmulatorConfig,
    body: &Map<String, Value>,
    issuer: &str,
    now: i64,
) -> TokenAnswer {
    let client = match client(config, body) {
        Ok(c) => c,
        Err(response) => return (*response).into(),
    };
    let expected = management_audience(issuer);
    let Some(audience) = text(body, "audience") else {
        return auth_error(
            403,
            "access_denied",
            "No audience parameter was provided, and no default audience has been configured",
        )
        .into();
    };
    if audience != expected {
        return auth_error(
            403,
            "access_denied",
            &format!("Service not found: {audience}"),
        )
        .into();
    }
    let granted: Vec<&str> = match text(body, "scope") {
        None => client.scopes.iter().map(String::as_str).collect(),
        Some(requested) => {
            let denied: Vec<&str> = requested
                .split_whitespace()
                .filter(|s| !client.scopes.iter().any(|g| g == s))
                .collect();
            if !denied.is_empty() {
                return auth_error(
                    403,
                    "access_denied",
                    &format!("Client has not been granted scopes: {}", denied.join(", ")),
                )
                .into();
            }
            requested.split_whitespace().collect()
        }
    };
    let scope = granted.join(" ");
    let claims = AccessClaims {
        iss: issuer.to_owned(),
        sub: format!("{}@clients", client.client_id),
        aud: Value::String(expected),
        iat: now,
        exp: now.saturating_add(config.token_lifetime_secs),
        azp: client.client_id.clone(),
        scope: scope.clone(),
        gty: Some("client-credentials".into()),
        jti: Some(state.ids.token_id()),
    };
    TokenAnswer::unsigned(answer_body(config, scope))
        .with_token("access_token", Claims::Access(claims))
}

/// The password-realm grant. Each attempt is logged and counted for brute-force protection
/// (`handlers/tenant/hooks.rs`): an IP blocked for the user is refused before the password is
/// checked.
fn password_realm(
    state: &mut State,
    config: &EmulatorConfig,
    body: &Map<String, Value>,
    issuer: &str,
    (now_ms, headers): (i64, &http::HeaderMap),
) -> TokenAnswer {
    let now = now_ms.div_euclid(1000);
    let client = match client(config, body) {
        Ok(c) => c.client_id.clone(),
        Err(response) => return (*response).into(),
    };
    let (Some(username), Some(password)) = (text(body, "username"), text(body, "password")) else {
        return missing("username and password").into();
    };
    let Some(realm) = text(body, "realm") else {
        return missing("realm").into();
    };
    let is_database = state
        .connection_by_name(realm)
        .is_some_and(|c| c.kind() == StrategyKind::Database);
    if !is_database {
        return auth_error(
            400,
            "invalid_request",
            "Unknown realm or not a database connection",
        )
        .into();
    }
    let wanted = username.to_lowercase();
    let found = state.users().iter().find(|stored| {
        let user = &stored.user;
        let in_realm = user
            .identities
            .as_ref()
            .and_then(|ids| ids.first())
            .and_then(|i| i.connection.as_deref())
            == Some(realm);
        in_realm
            && (user.email.as_ref().map(|e| e.to_lowercase()) == Some(wanted.clone())
                || user.username.as_ref().map(|u| u.to_lowercase()) == Some(wanted.clone()))
    });
    let Some(stored) = found else {
        hooks::login_unknown_user(state, now_ms, &client, headers, username);
        return auth_error(403, "invalid_grant", "Wrong email or password.").into();
    };
    let user_id = stored.user.user_id.clone().unwrap_or_default();
    let verified = stored
        .password_hash
        .as_deref()
        .is_some_and(|hash| password_matches(&user_id, password, hash));
    let user = stored.user.clone();
    if let hooks::Gate::Blocked = hooks::login_gate(state, now_ms, &client, headers, &user) {
        return auth_error(
            429,
            "too_many_attempts",
            "Your account has been blocked after multiple consecutive login attempts.",
        )
        .into();
    }
    if !verified {
        hooks::login_wrong_password(state, now_ms, &client, headers, &user, username);
        return auth_error(403, "invalid_grant", "Wrong email or password.").into();
    }
    if user.blocked == Some(true) {
        hooks::login_blocked_user(state, now_ms, &client, headers, &user);
        return auth_error(401, "unauthorized", "user is blocked").into();
    }
    hooks::login_succeeded(state, now_ms, &client, headers, &user);
    let requested = text(body, "scope").unwrap_or("openid");
    let scopes: Vec<&str> = requested
        .split_whitespace()
        .filter(|s| USER_SCOPES.contains(s))
        .collect();
    let scope = scopes.join(" ");
    let audience = text(body, "audience")
        .map(str::to_owned)
        .unwrap_or_else(|| management_audience(issuer));
    let claims = AccessClaims {
        iss: issuer.to_owned(),
        sub: user_id.clone(),
        aud: json!([audience, format!("{issuer}userinfo")]),
        iat: now,
        exp: now.saturating_add(config.token_lifetime_secs),
        azp: client.clone(),
        scope: scope.clone(),
        gty: Some("password".into()),
        jti: Some(state.ids.token_id()),
    };
    let mut answer = TokenAnswer::unsigned(answer_body(config, scope.clone()))
        .with_token("access_token", Claims::Access(claims));
    // `offline_access` for an API that allows it: a session and a refresh token bound to it.
    let offline = scopes.contains(&"offline_access").then(|| {
        crate::sessions::grant::on_login(state, &user_id, &client, &audience, &scope, issuer, now)
    });
    let offline = offline.flatten();
    if let (Some((_, refresh_token)), TokenAnswer::Unsigned { body, .. }) = (&offline, &mut answer)
    {
        body.insert("refresh_token".into(), Value::String(refresh_token.clone()));
    }
    if scopes.contains(&"openid") {
        let sid = offline.as_ref().map(|(sid, _)| sid.as_str());
        answer = answer.with_token(
            "id_token",
            Claims::Id(id_claims(issuer, &user, &client, now, sid)),
        );
    }
    answer
}
