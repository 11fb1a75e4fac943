//! Request handlers: functions from (state, request) to response, one file per resource.

pub(crate) mod admin;
mod blocks;
pub(crate) mod grant_support;
mod link;
mod list;
mod mfa;
mod sessions;
pub(crate) mod tenant;
pub(crate) mod token;
mod users;

use bytes::Bytes;
use http::Response;
use serde_json::Value;
use users_model::operation::{self, Operation, PathParams};
use users_model::{
    ConnectionKind, IdentityContext, MAX_PATH_ID_CHARS, TargetContext, User, Violations,
};

use crate::auth::{Access, Caller, authenticate};
use crate::connections::{Connection, StrategyKind};
use crate::reply::{ApiError, bytes_response, json_response};
use crate::request::ApiRequest;
use crate::state::State;

/// What a Management API handler works with.
pub(crate) struct Ctx<'a> {
    pub state: &'a mut State,
    pub now_ms: i64,
    pub issuer: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn now(&self) -> users_model::Timestamp {
        users_model::Timestamp::from_millis(self.now_ms)
    }

    pub(crate) fn now_secs(&self) -> i64 {
        self.now_ms.div_euclid(1000)
    }
}

/// Handles a request under `/api/v2/` (`rest` = the decoded segments after it): finds the
/// operation it is from the operation descriptions, authenticates the caller, checks the path's
/// user id and the operation's scopes, then runs the operation's handler.
pub(crate) fn management(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    rest: &[&str],
) -> Response<Bytes> {
    if let Some(response) = tenant::setup(ctx, request, rest) {
        return response;
    }
    let Some((op, params)) = operation::find(request.method.as_str(), rest) else {
        return ApiError::not_found_path().into_response();
    };
    let result = authenticate(request, ctx.issuer, ctx.now_secs()).and_then(|caller| {
        let target = params.get("id").or_else(|| params.get("user_id"));
        if let Some(id) = target {
            check_path_id(id)?;
        }
        let access = caller.authorize(op, target)?;
        let response = dispatch(ctx, request, &caller, access, op, &params)?;
        tenant::api_log::after(ctx, &caller, op, &params, &response);
        Ok(response)
    });
    result.unwrap_or_else(ApiError::into_response)
}

/// Runs `op`'s handler. Every served operation has an arm: a test sends each described
/// operation and checks none falls through to the 404 below.
fn dispatch(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    caller: &Caller,
    access: Access,
    op: &Operation,
    params: &PathParams<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let param = |name: &str| params.get(name).unwrap_or_default();
    let id = param("id");
    match op.id {
        "get_users" => list::list(ctx, request, caller),
        "post_users" => users::create(ctx, request, caller),
        "get_users_by_id" => users::get(ctx, request, caller, id),
        "patch_users_by_id" => users::update(ctx, request, caller, access, id),
        "delete_users_by_id" => users::delete(ctx, caller, id),
        "post_identities" => link::link(ctx, request, caller, access, id),
        "delete_user_identity_by_user_id" => {
            link::unlink(ctx, caller, id, param("provider"), param("user_id"))
        }
        "get_users-by-email" => list::by_email(ctx, request, caller),
        "get_user-blocks" => blocks::get_by_identifier(ctx, request),
        "delete_user-blocks" => blocks::delete_by_identifier(ctx, request),
        "get_user-blocks_by_id" => blocks::get(ctx, id),
        "delete_user-blocks_by_id" => blocks::delete(ctx, id),
        "get_authentication-methods" => mfa::list(ctx, request, id),
        "get_authentication-methods_by_authentication_method_id" => {
            mfa::get(ctx, id, param("authentication_method_id"))
        }
        "post_authentication-methods" => mfa::create(ctx, request, id),
        "put_authentication-methods" => mfa::replace(ctx, request, id),
        "patch_authentication-methods_by_authentication_method_id" => {
            mfa::update(ctx, request, id, param("authentication_method_id"))
        }
        "delete_authentication-methods" => mfa::delete_all(ctx, id),
        "delete_authentication-methods_by_authentication_method_id" => {
            mfa::delete(ctx, id, param("authentication_method_id"))
        }
        "get_enrollments" => mfa::enrollments(ctx, id),
        "delete_authenticators" => mfa::delete_authenticators(ctx, id),
        "delete_multifactor_by_provider" => mfa::delete_provider(ctx, id, param("provider")),
        "post_invalidate-remember-browser" => mfa::invalidate_remember_browser(ctx, id),
        "post_recovery-code-regeneration" => mfa::regenerate_recovery_code(ctx, id),
        "get_user_roles" => tenant::user_access::list_roles(ctx, request, id),
        "post_user_roles" => tenant::user_access::assign_roles(ctx, request, id),
        "delete_user_roles" => tenant::user_access::remove_roles(ctx, request, id),
        "get_permissions" => tenant::user_access::list_permissions(ctx, request, id),
        "post_permissions" => tenant::user_access::assign_permissions(ctx, request, id),
        "delete_permissions" => tenant::user_access::remove_permissions(ctx, request, id),
        "get_user_organizations" => tenant::user_access::list_organizations(ctx, request, id),
        "get_logs_by_user" => tenant::user_access::list_logs(ctx, request, id),
        "get_sessions_for_user" => sessions::list_sessions(ctx, request, param("user_id")),
        "delete_sessions_for_user" => sessions::delete_sessions(ctx, param("user_id")),
        "get_refresh_tokens_for_user" => {
            sessions::list_refresh_tokens(ctx, request, param("user_id"))
        }
        "delete_refresh_tokens_for_user" => sessions::delete_refresh_tokens(ctx, param("user_id")),
        "get_federated-connections-tokensets" => sessions::list_token_sets(ctx, id),
        "delete_federated-connections-tokensets_by_tokenset_id" => {
            sessions::delete_token_set(ctx, id, param("tokenset_id"))
        }
        "get_connected-accounts" => sessions::list_connected_accounts(ctx, request, id),
        "post_clear_assessors" => sessions::clear_assessors(ctx, request, id),
        _ => Err(ApiError::not_found_path()),
    }
}

/// Path ids: non-empty and at most [`MAX_PATH_ID_CHARS`] (255) characters, like the server's
/// path schema. Create refuses a custom `user_id` whose prefixed id would not fit.
fn check_path_id(id: &str) -> Result<(), ApiError> {
    let chars = id.chars().count();
    if chars == 0 {
        return Err(ApiError::invalid_uri(
            "Path validation error: 'String is too short (0 chars), minimum 1' on property id (ID of the user).",
        ));
    }
    if chars > MAX_PATH_ID_CHARS {
        return Err(ApiError::invalid_uri(format!(
            "Path validation error: 'String is too long ({chars} chars), maximum {MAX_PATH_ID_CHARS}' on property id (ID of the user)."
        )));
    }
    Ok(())
}

/// The first violation as the server's error.
pub(crate) fn violation_error(violations: &Violations) -> ApiError {
    match violations.first() {
        Some(v) => ApiError::new(v.status(), v.message.clone(), Some(v.error_code())),
        None => ApiError::invalid_body("Invalid request body."),
    }
}

/// A body that serde could not read into the operation's type. serde quotes the offending
/// value ("invalid type: integer `123`, expected a string"), which may be a password, so only
/// the kinds are kept.
pub(crate) fn serde_body_error(error: &serde_json::Error) -> ApiError {
    let text = error.to_string();
    let expected = text
        .split_once(", expected ")
        .map(|(_, e)| e.to_owned())
        .unwrap_or_default();
    let reason = if let Some(rest) = text.strip_prefix("invalid type: ") {
        let found = rest.split([' ', ',']).next().unwrap_or("value");
        format!("Expected {expected} but found type {found}")
    } else if text.starts_with("invalid value: ") || text.starts_with("invalid length ") {
        format!("Invalid value, expected {expected}")
    } else {
        // Missing or unknown fields name only the field.
        text
    };
    ApiError::invalid_body(format!("Payload validation error: '{reason}'."))
}

/// The user as the API returns it: IdP tokens only for callers with `read:user_idp_tokens`.
pub(crate) fn user_json(user: &User, caller: &Caller) -> Value {
    let mut value = serde_json::to_value(user).unwrap_or(Value::Null);
    if !caller.has("read:user_idp_tokens")
        && let Some(identities) = value.get_mut("identities").and_then(Value::as_array_mut)
    {
        identities.iter_mut().for_each(strip_idp_tokens);
    }
    value
}

/// The response carrying `user` as the API returns it: the same bytes as
/// `json_response(status, &user_json(user, caller))`, serialized straight from the struct when
/// no IdP token has to be removed, which spares building a `Value` tree per request.
pub(crate) fn user_response(status: u16, user: &User, caller: &Caller) -> Response<Bytes> {
    let holds_idp_tokens = user.identities.iter().flatten().any(|identity| {
        identity.access_token.is_some()
            || identity.access_token_secret.is_some()
            || identity.refresh_token.is_some()
    });
    if holds_idp_tokens && !caller.has("read:user_idp_tokens") {
        return json_response(status, &user_json(user, caller));
    }
    match serde_json::to_vec(user) {
        Ok(bytes) => bytes_response(
            status,
            "application/json; charset=utf-8",
            Bytes::from(bytes),
        ),
        Err(_) => json_response(status, &user_json(user, caller)),
    }
}

/// Removes `access_token`, `access_token_secret` and `refresh_token` from an identity.
pub(crate) fn strip_idp_tokens(identity: &mut Value) {
    if let Some(map) = identity.as_object_mut() {
        for key in ["access_token", "access_token_secret", "refresh_token"] {
            map.remove(key);
        }
    }
}

/// The model's view of a connection.
pub(crate) fn connection_kind(connection: &Connection) -> ConnectionKind {
    match connection.kind() {
        StrategyKind::Database => ConnectionKind::Database {
            requires_username: connection.requires_username,
        },
        StrategyKind::Social => ConnectionKind::Social,
        StrategyKind::Enterprise => ConnectionKind::Enterprise,
        StrategyKind::PasswordlessSms => ConnectionKind::PasswordlessSms,
        StrategyKind::PasswordlessEmail => ConnectionKind::PasswordlessEmail,
        StrategyKind::Other => ConnectionKind::Other,
    }
}

/// What the update validator needs to know about `user`'s identities.
pub(crate) fn target_context(state: &State, user: &User) -> TargetContext {
    let identities = user
        .identities
        .iter()
        .flatten()
        .enumerate()
        .map(|(index, identity)| {
            let name = identity.connection.clone().unwrap_or_default();
            let connection = state.connection_by_name(&name);
            let provider = identity.provider.as_ref().map(|p| p.as_str().to_owned());
            let kind = connection.map_or(ConnectionKind::Other, connection_kind);
            IdentityContext::new(provider.unwrap_or_default(), name, kind)
                .with_sync_root_attributes(connection.is_none_or(|c| c.sync_user_profile))
                .with_primary(index == 0)
        })
        .collect();
    TargetContext::new(identities)
}

/// The user `id`, or 404.
pub(crate) fn find_user<'s>(state: &'s State, id: &str) -> Result<&'s User, ApiError> {
    state
        .user(id)
        .map(|stored| &stored.user)
        .ok_or_else(ApiError::user_not_found)
}

/// Parses a boolean query value as the server does (`true`/`false`).
pub(crate) fn query_bool(request: &ApiRequest, name: &str) -> Result<Option<bool>, ApiError> {
    match request.query_param(name) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(ApiError::invalid_query(format!(
            "Query validation error: 'Invalid type: string (expected boolean)' on property {name}."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(scope: &str) -> Caller {
        Caller {
            claims: crate::tokens::AccessClaims {
                iss: "https://t.example/".into(),
                sub: "c@clients".into(),
                aud: Value::String("https://t.example/api/v2/".into()),
                iat: 0,
                exp: i64::MAX,
                azp: "c".into(),
                scope: scope.into(),
                gty: Some("client-credentials".into()),
                jti: None,
            },
        }
    }

    #[test]
    fn user_responses_are_the_bytes_of_user_json() {
        let user: User = serde_json::from_value(serde_json::json!({
            "user_id": "google-oauth2|1", "email": "a@b.c", "name": "A", "logins_count": 3,
            "user_metadata": {"z": 1, "a": {"n": [1.5, null, "x"]}},
            "app_metadata": {"roles": ["r"]},
            "identities": [{"connection": "google-oauth2", "provider": "google-oauth2",
                "user_id": "1", "isSocial": true, "access_token": "tok-AAA",
                "profileData": {"k": "v"}}],
            "custom_field": true
        }))
        .expect("a user");
        let mut plain = user.clone();
        for identity in plain.identities.iter_mut().flatten() {
            identity.access_token = None;
        }
        for (user, scope) in [
            (&user, "read:users"),
            (&user, "read:users read:user_idp_tokens"),
            (&plain, "read:users"),
        ] {
            let caller = caller(scope);
            let fast = user_response(200, user, &caller);
            let slow = json_response(200, &user_json(user, &caller));
            assert_eq!(fast.body(), slow.body(), "{scope}");
            assert_eq!(fast.headers(), slow.headers());
        }
        let hidden = user_response(200, &user, &caller("read:users"));
        assert!(!String::from_utf8_lossy(hidden.body()).contains("tok-AAA"));
    }

    #[test]
    fn serde_errors_never_echo_values() {
        let err = serde_json::from_value::<users_model::UserCreate>(serde_json::json!({
            "connection": "db", "password": 987654321
        }))
        .expect_err("a number is not a password");
        let message = serde_body_error(&err).message;
        assert!(!message.contains("987654321"), "{message}");
        assert!(
            message.starts_with("Payload validation error: 'Expected "),
            "{message}"
        );
        let missing = serde_json::from_value::<users_model::UserCreate>(serde_json::json!({}))
            .expect_err("connection is required");
        assert!(serde_body_error(&missing).message.contains("connection"));
    }
}
