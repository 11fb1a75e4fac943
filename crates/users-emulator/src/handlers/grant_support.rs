//! What the token endpoint's grants share (client authentication, parameter errors, ID
//! tokens): a leaf module, so the grants in `token` and `crate::sessions::grant` both use it
//! without depending on each other.

use bytes::Bytes;
use http::Response;
use serde_json::{Map, Value, json};
use users_model::User;

use crate::config::{ClientConfig, EmulatorConfig};
use crate::reply::auth_error;

pub(crate) fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

pub(crate) fn missing(name: &str) -> Response<Bytes> {
    auth_error(
        400,
        "invalid_request",
        &format!("Missing required parameter: {name}"),
    )
}

/// The fields of a successful answer besides its tokens, with `access_token` first as Auth0
/// sends it (filled in when signed).
pub(crate) fn answer_body(config: &EmulatorConfig, scope: String) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("access_token".into(), Value::Null);
    body.insert("expires_in".into(), json!(config.token_lifetime_secs));
    body.insert("scope".into(), Value::String(scope));
    body.insert("token_type".into(), Value::String("Bearer".into()));
    body
}

/// Finds the client and checks its secret; the error response when that fails.
pub(crate) fn client<'c>(
    config: &'c EmulatorConfig,
    body: &Map<String, Value>,
) -> Result<&'c ClientConfig, Box<Response<Bytes>>> {
    let id = text(body, "client_id").ok_or_else(|| Box::new(missing("client_id")))?;
    let secret = text(body, "client_secret");
    config
        .clients
        .iter()
        .find(|c| c.client_id == id && secret == Some(c.client_secret.as_str()))
        .ok_or_else(|| Box::new(auth_error(401, "access_denied", "Unauthorized")))
}

/// The claims of an ID token for `user` and application `client`, with the session id as `sid`
/// when there is a session (signed later, outside the state lock: see `TokenAnswer`).
pub(crate) fn id_claims(
    issuer: &str,
    user: &User,
    client: &str,
    now: i64,
    sid: Option<&str>,
) -> Value {
    let mut id_claims = json!({
        "iss": issuer,
        "sub": user.user_id.as_deref().unwrap_or_default(),
        "aud": client,
        "iat": now,
        "exp": now.saturating_add(36_000),
    });
    let Some(map) = id_claims.as_object_mut() else {
        return id_claims;
    };
    if let Value::Object(profile) = serde_json::to_value(user).unwrap_or(Value::Null) {
        for key in [
            "email",
            "email_verified",
            "name",
            "nickname",
            "picture",
            "updated_at",
        ] {
            if let Some(value) = profile.get(key) {
                map.insert(key.into(), value.clone());
            }
        }
    }
    if let Some(sid) = sid {
        map.insert("sid".into(), Value::String(sid.to_owned()));
    }
    id_claims
}
