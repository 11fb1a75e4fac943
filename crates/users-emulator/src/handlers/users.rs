//! `POST /users`, `GET|PATCH|DELETE /users/{id}`.

use bytes::Bytes;
use http::Response;
use serde_json::Value;
use users_model::{
    Identity, IdentityUserId, Patch, Provider, User, UserCreate, UserUpdate, apply_update,
    apply_update_in_place, validate_create, validate_update,
};

use super::{
    Ctx, connection_kind, find_user, query_bool, serde_body_error, target_context, user_json,
    user_response, violation_error,
};
use crate::auth::{Access, Caller};
use crate::connections::StrategyKind;
use crate::profile::{gravatar, hash_password};
use crate::reply::{ApiError, empty_response, json_response};
use crate::request::ApiRequest;
use crate::search::project;
use crate::state::StoredUser;

fn conflict() -> ApiError {
    ApiError::new(409, "The user already exists.", Some("auth0_idp_error"))
}

/// `POST /api/v2/users` (scope `create:users`): 201 with the new user.
pub(super) fn create(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    caller: &Caller,
) -> Result<Response<Bytes>, ApiError> {
    let body = request.json_object()?;
    if !body.contains_key("connection") {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'Missing required property: connection'.",
        ));
    }
    let create: UserCreate =
        serde_json::from_value(Value::Object(body)).map_err(|e| serde_body_error(&e))?;
    validate_create(&create, None).map_err(|v| violation_error(&v))?;
    let connection = ctx
        .state
        .connection_by_name(&create.connection)
        .cloned()
        .ok_or_else(|| ApiError::invalid_body("Connection does not exist."))?;
    validate_create(&create, Some(&connection_kind(&connection)))
        .map_err(|v| violation_error(&v))?;
    let database = connection.kind() == StrategyKind::Database;
    if database && create.email.is_none() {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'Missing required property: email'.",
        ));
    }
    if connection.kind() == StrategyKind::PasswordlessSms && create.phone_number.is_none() {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'Missing required property: phone_number'.",
        ));
    }
    if connection.kind() == StrategyKind::PasswordlessEmail && create.email.is_none() {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'Missing required property: email'.",
        ));
    }
    if database && connection.requires_username && create.username.is_none() {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'Missing required property: username'.",
        ));
    }
    if database && create.password.is_none() {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'Missing required property: password'.",
        ));
    }

    let provider = connection.provider().to_owned();
    let email = create.email.as_ref().map(|e| {
        if database {
            e.to_lowercase()
        } else {
            e.clone()
        }
    });
    let username = create.username.as_ref().map(|u| u.to_lowercase());
    let bare_id = match &create.user_id {
        Some(custom) if !custom.is_empty() => custom.clone(),
        _ => ctx.state.ids.user_id(ctx.now_secs()),
    };
    let user_id = format!("{provider}|{bare_id}");
    let duplicate = ctx.state.users().iter().any(|stored| {
        let other = &stored.user;
        let same_connection = other
            .identities
            .iter()
            .flatten()
            .any(|i| i.connection.as_deref() == Some(connection.name.as_str()));
        other.user_id.as_deref() == Some(user_id.as_str())
            || (same_connection
                && ((email.is_some()
                    && other.email.as_ref().map(|e| e.to_lowercase())
                        == email.as_ref().map(|e| e.to_lowercase()))
                    || (username.is_some() && other.username == username)
                    || (connection.kind() == StrategyKind::PasswordlessSms
                        && other.phone_number == create.phone_number)))
    });
    if duplicate || ctx.state.holder_of_identity(&provider, &bare_id).is_some() {
        return Err(conflict());
    }

    let now = ctx.now().to_string();
    let handle = email
        .clone()
        .or_else(|| create.phone_number.clone())
        .or_else(|| username.clone())
        .unwrap_or_else(|| bare_id.clone());
    let local_part = handle.split('@').next().unwrap_or(&handle).to_owned();
    let name = create.name.clone().unwrap_or_else(|| handle.clone());
    let mut identity = Identity::default();
    identity.connection = Some(connection.name.clone());
    identity.user_id = Some(IdentityUserId::String(bare_id));
    identity.provider = Some(Provider::from(provider.as_str()));
    identity.is_social = Some(false);
    let mut user = User::default();
    user.user_id = Some(user_id.clone());
    user.email = email.clone();
    user.email_verified = email
        .as_ref()
        .map(|_| create.email_verified.unwrap_or(false));
    user.username = username.clone();
    user.phone_number = create.phone_number.clone();
    user.phone_verified = create
        .phone_number
        .as_ref()
        .map(|_| create.phone_verified.unwrap_or(false));
    user.created_at = Some(now.clone());
    user.updated_at = Some(now);
    user.identities = Some(vec![identity]);
    user.app_metadata = create.app_metadata.clone().filter(|m| !m.is_empty());
    user.user_metadata = create.user_metadata.clone();
    user.picture = Some(
        create
            .picture
            .clone()
            .unwrap_or_else(|| gravatar(email.as_deref().unwrap_or(""), &name)),
    );
    user.name = Some(name.clone());
    user.nickname = Some(create.nickname.clone().unwrap_or(local_part));
    user.blocked = create.blocked;
    user.given_name = create.given_name.clone();
    user.family_name = create.family_name.clone();
    let password_hash = create
        .password
        .as_ref()
        .map(|p| hash_password(&user_id, p.expose()));
    let body = user_json(&user, caller);
    ctx.state.push_user(StoredUser {
        user,
        password_hash,
    });
    super::tenant::hooks::user_created(
        ctx.state,
        ctx.now_ms,
        &caller.claims.azp,
        &user_id,
        &create,
    );
    Ok(json_response(201, &body))
}

/// Applies `fields` / `include_fields` from the query.
pub(super) fn projected(request: &ApiRequest, value: Value) -> Result<Value, ApiError> {
    let include = query_bool(request, "include_fields")?.unwrap_or(true);
    Ok(match request.query_param("fields") {
        Some(fields) if !fields.trim().is_empty() => project(&value, fields, include),
        _ => value,
    })
}

/// `GET /api/v2/users/{id}` (scopes `read:users`, `read:current_user`, `read:user_idp_tokens`).
pub(super) fn get(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    caller: &Caller,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let user = find_user(ctx.state, id)?;
    match request.query_param("fields") {
        Some(fields) if !fields.trim().is_empty() => {
            let body = projected(request, user_json(user, caller))?;
            Ok(json_response(200, &body))
        }
        _ => {
            // Still checked when there are no fields to apply it to, as `projected` does.
            query_bool(request, "include_fields")?;
            Ok(user_response(200, user, caller))
        }
    }
}

/// `DELETE /api/v2/users/{id}` (scopes `delete:users`, `delete:current_user`): 204, also when
/// the user is already gone. Linked secondaries live inside the primary and go with it.
pub(super) fn delete(
    ctx: &mut Ctx<'_>,
    caller: &Caller,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    super::tenant::hooks::user_deleted(ctx.state, ctx.now_ms, &caller.claims.azp, id);
    ctx.state.delete_user(id);
    Ok(empty_response(204))
}

/// `PATCH /api/v2/users/{id}`: 200 with the whole updated user.
pub(super) fn update(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    caller: &Caller,
    access: Access,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let body = request.json_object()?;
    let allowed: &[&str] = match access {
        Access::Full => &[],
        Access::Partial => &["app_metadata"],
        Access::Own => &["user_metadata"],
    };
    if access != Access::Full {
        let refused: Vec<&str> = body
            .keys()
            .map(String::as_str)
            .filter(|k| !allowed.contains(k))
            .collect();
        if !refused.is_empty() {
            return Err(ApiError::forbidden(
                format!(
                    "You cannot update the following fields: {}",
                    refused.join(", ")
                ),
                Some("insufficient_scope"),
            ));
        }
    }
    let update: UserUpdate =
        serde_json::from_value(Value::Object(body)).map_err(|e| serde_body_error(&e))?;
    let index = ctx
        .state
        .user_index(id)
        .ok_or_else(ApiError::user_not_found)?;
    let now = ctx.now();
    let current = &ctx
        .state
        .users()
        .get(index)
        .ok_or_else(ApiError::user_not_found)?
        .user;
    let context = target_context(ctx.state, current);
    validate_update(&update, Some(&context)).map_err(|v| violation_error(&v))?;
    let targets_secondary = update.connection.as_deref().is_some_and(|name| {
        current
            .identities
            .iter()
            .flatten()
            .skip(1)
            .any(|i| i.connection.as_deref() == Some(name))
    });
    // A new email or username has to be checked against the other users before anything is
    // stored, so that update is worked out on a copy. Every other update (metadata, names,
    // flags: nearly all PATCHes) is applied to the stored user itself, which spares copying
    // the whole user per request; `apply_update_in_place` leaves it untouched when it refuses.
    if !update.email.is_keep() || !update.username.is_keep() {
        let updated = apply_update(current, &update, now).map_err(|v| violation_error(&v))?;
        check_unique_in_connection(ctx, current, &updated)?;
        let response = user_response(200, &updated, caller);
        ctx.state.update_user(index, |stored| {
            set_password_hash(stored, &update, targets_secondary, id);
            stored.user = updated;
        });
        super::tenant::hooks::user_updated(ctx.state, ctx.now_ms, &caller.claims.azp, id, &update);
        end_sessions_on_password_change(ctx, &update, targets_secondary, id);
        return Ok(response);
    }
    let mut applied = Ok(());
    ctx.state.update_user(index, |stored| {
        applied = apply_update_in_place(&mut stored.user, &update, now);
        if applied.is_ok() {
            set_password_hash(stored, &update, targets_secondary, id);
        }
    });
    applied.map_err(|v| violation_error(&v))?;
    super::tenant::hooks::user_updated(ctx.state, ctx.now_ms, &caller.claims.azp, id, &update);
    end_sessions_on_password_change(ctx, &update, targets_secondary, id);
    let stored = ctx
        .state
        .users()
        .get(index)
        .ok_or_else(ApiError::user_not_found)?;
    Ok(user_response(200, &stored.user, caller))
}

/// A new password ends the user's sessions and the refresh tokens bound to them (users-api.md
/// §1.1: "the user's sessions expire", Auth0's password-change document).
fn end_sessions_on_password_change(
    ctx: &mut Ctx<'_>,
    update: &UserUpdate,
    targets_secondary: bool,
    id: &str,
) {
    if update.password.is_set() && !targets_secondary {
        ctx.state.sessions.end_sessions(id);
    }
}

/// A new password (for the main identity) is stored as its hash, never as given.
fn set_password_hash(
    stored: &mut StoredUser,
    update: &UserUpdate,
    targets_secondary: bool,
    id: &str,
) {
    if let (Patch::Set(password), false) = (&update.password, targets_secondary) {
        stored.password_hash = Some(hash_password(id, password.expose()));
    }
}

/// A new email or username must stay unique within the user's database connection, as it is
/// on create ([UNCONFIRMED] text, see DIFFERENCES.md).
fn check_unique_in_connection(
    ctx: &Ctx<'_>,
    current: &User,
    updated: &User,
) -> Result<(), ApiError> {
    let Some(connection) = ctx.state.primary_connection(current) else {
        return Ok(());
    };
    if connection.kind() != StrategyKind::Database {
        return Ok(());
    }
    let lower = |v: &Option<String>| v.as_ref().map(|s| s.to_lowercase());
    let taken = |pick: &dyn Fn(&User) -> Option<String>| {
        let wanted = pick(updated);
        wanted.is_some()
            && wanted != pick(current)
            && ctx.state.users().iter().any(|stored| {
                stored.user.user_id != current.user_id
                    && ctx.state.primary_connection(&stored.user).map(|c| &c.name)
                        == Some(&connection.name)
                    && pick(&stored.user) == wanted
            })
    };
    if taken(&|u: &User| lower(&u.email)) {
        return Err(ApiError::bad_request_idp(
            "The specified new email already exists",
        ));
    }
    if taken(&|u: &User| lower(&u.username)) {
        return Err(ApiError::bad_request_idp(
            "The specified new username already exists",
        ));
    }
    Ok(())
}
