//! `POST /users/{id}/identities` (link) and `DELETE /users/{id}/identities/{provider}/{user_id}`.

use bytes::Bytes;
use http::Response;
use jsonwebtoken::Algorithm;
use serde_json::Value;
use users_model::{
    LinkError, LinkRequest, User, link as link_users, unlink as unlink_users, validate_link,
};

use super::{Ctx, find_user, serde_body_error, strip_idp_tokens, violation_error};
use crate::auth::{Access, Caller};
use crate::reply::{ApiError, json_response};
use crate::request::ApiRequest;
use crate::tokens::{algorithm_of, verify};

fn link_error(error: &LinkError) -> ApiError {
    ApiError::new(error.status(), error.message(), error.error_code())
}

fn bad(message: &str) -> ApiError {
    ApiError::invalid_body(message)
}

/// The identities array a link or unlink answers with.
fn identities_body(user: &User, caller: &Caller) -> Value {
    let mut value = serde_json::to_value(user.identities.clone().unwrap_or_default())
        .unwrap_or_else(|_| Value::Array(Vec::new()));
    if !caller.has("read:user_idp_tokens")
        && let Some(items) = value.as_array_mut()
    {
        items.iter_mut().for_each(strip_idp_tokens);
    }
    value
}

/// Checks a `link_with` ID token as the server does and returns the secondary's user id.
fn secondary_from_token(token: &str, caller: &Caller, now_secs: i64) -> Result<String, ApiError> {
    match algorithm_of(token) {
        None => return Err(bad("Invalid token (link_with).")),
        Some(Algorithm::RS256) => {}
        Some(_) => return Err(bad("JWT (link_with) must have an alg of RS256.")),
    }
    let claims: Value = verify(token, now_secs).map_err(|_| bad("Invalid token (link_with)."))?;
    if claims.get("iss").and_then(Value::as_str) != Some(caller.claims.iss.as_str()) {
        return Err(bad(
            "JWT (link_with) must have the same issuer as the calling user.",
        ));
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.as_str()],
        Some(Value::Array(items)) if !items.is_empty() => {
            let strings: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            strings.ok_or_else(|| bad("JWT (link_with) contains an invalid aud claim."))?
        }
        _ => return Err(bad("JWT (link_with) contains an invalid aud claim.")),
    };
    if !audiences.contains(&caller.claims.azp.as_str()) {
        return Err(bad(
            "JWT (link_with) must have an aud claim that matches that of the calling token's azp.",
        ));
    }
    let sub = match claims.get("sub") {
        None | Some(Value::Null) => return Err(bad("JWT (link_with) must contains sub claim.")),
        Some(Value::String(sub)) if sub.contains('|') && !sub.starts_with('|') => sub.clone(),
        Some(_) => return Err(bad("JWT (link_with) contains an invalid sub claim.")),
    };
    Ok(sub)
}

/// `POST /api/v2/users/{id}/identities`: 201 with the primary's identities.
pub(super) fn link(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    caller: &Caller,
    access: Access,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let body = request.json_object()?;
    if body.is_empty() {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'Too few properties defined (0), minimum 1'.",
        ));
    }
    let parsed: LinkRequest =
        serde_json::from_value(Value::Object(body)).map_err(|e| serde_body_error(&e))?;
    validate_link(&parsed).map_err(|v| violation_error(&v))?;
    let primary = find_user(ctx.state, id)?.clone();
    let secondary_id = match &parsed {
        LinkRequest::Token { link_with } => {
            secondary_from_token(link_with.expose(), caller, ctx.now_secs())?
        }
        LinkRequest::Identity {
            provider,
            user_id,
            connection_id,
        } => {
            if access == Access::Own {
                return Err(ApiError::forbidden(
                    "Insufficient scope; expected any of: update:users.",
                    Some("insufficient_scope"),
                ));
            }
            let provider = provider.as_str();
            let text = user_id.to_string();
            let bare = text
                .strip_prefix(&format!("{provider}|"))
                .unwrap_or(&text)
                .to_owned();
            if let Some(connection_id) = connection_id {
                let known = ctx
                    .state
                    .connection_by_id(connection_id)
                    .is_some_and(|c| c.provider() == provider);
                if !known {
                    return Err(bad("The provider/connection is not configured."));
                }
            }
            format!("{provider}|{bare}")
        }
    };
    if secondary_id == id {
        return Err(link_error(&LinkError::SameIdentity));
    }
    let (provider, bare) = secondary_id.split_once('|').unwrap_or(("", &secondary_id));
    // Already linked into this or another primary: the server reports it as existing.
    if ctx.state.holder_of_identity(provider, bare).is_some() {
        return Err(link_error(&LinkError::AlreadyLinked));
    }
    let Some(secondary_index) = ctx.state.user_index(&secondary_id) else {
        return Err(link_error(&LinkError::SecondaryNotFound));
    };
    let secondary = ctx
        .state
        .users()
        .get(secondary_index)
        .map(|s| s.user.clone())
        .ok_or_else(|| link_error(&LinkError::SecondaryNotFound))?;
    let linked = link_users(&primary, &secondary).map_err(|e| link_error(&e))?;
    let body = identities_body(&linked, caller);
    if let Some(index) = ctx.state.user_index(id) {
        ctx.state.update_user(index, |stored| stored.user = linked);
    }
    ctx.state
        .retain_users(|s| s.user.user_id.as_deref() != Some(secondary_id.as_str()));
    Ok(json_response(201, &body))
}

/// `DELETE /api/v2/users/{id}/identities/{provider}/{user_id}`: 200 with the remaining
/// identities; an id that matches nothing changes nothing.
pub(super) fn unlink(
    ctx: &mut Ctx<'_>,
    caller: &Caller,
    id: &str,
    provider: &str,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let primary = find_user(ctx.state, id)?.clone();
    let outcome =
        unlink_users(&primary, provider, user_id, ctx.now()).map_err(|e| link_error(&e))?;
    let body = identities_body(&outcome.primary, caller);
    if let Some(index) = ctx.state.user_index(id) {
        ctx.state
            .update_user(index, |stored| stored.user = outcome.primary);
    }
    if let Some(detached) = outcome.detached {
        let detached_id = detached.user_id.clone().unwrap_or_default();
        if ctx.state.user_index(&detached_id).is_none() {
            ctx.state.push_user(crate::state::StoredUser {
                user: detached,
                password_hash: None,
            });
        }
    }
    Ok(json_response(200, &body))
}
