//! The authentication-methods and MFA operations of a user: list, get, create, replace, update
//! and delete methods; enrollments; authenticators; legacy providers; remembered browsers;
//! recovery codes. The rules live in `crate::state::mfa`; request bodies are read and checked by the
//! `users_model` functions the client uses too. Facts and choices: DIFFERENCES.md,
//! "Authentication methods and MFA".

use bytes::Bytes;
use http::Response;
use serde_json::{Value, json};
use users_model::{
    MultifactorProvider, ViolationKind, Violations, parse_method_update, parse_new_method,
    parse_replacement,
};

use super::list::number_param;
use super::{Ctx, find_user, violation_error};
use crate::reply::{ApiError, empty_response, json_response};
use crate::request::ApiRequest;
use crate::state::mfa::{MfaError, method_json};

const DEFAULT_PER_PAGE: u64 = 50;
const MAX_PER_PAGE: u64 = 100;

fn refused(error: MfaError) -> ApiError {
    match error {
        MfaError::MethodNotFound => {
            ApiError::new(404, "The authentication method could not be found.", None)
        }
        MfaError::Exists => ApiError::new(409, users_model::METHOD_EXISTS_MESSAGE, None),
        MfaError::PasskeyRegistered => ApiError::forbidden(
            "Operation not permitted when the user has registered at least 1 passkey",
            None,
        ),
    }
}

/// The first violation as the server's error; a duplicate is the spec's 409 without a code.
fn invalid(violations: &Violations) -> ApiError {
    match violations
        .iter()
        .find(|v| v.kind == ViolationKind::Duplicate)
    {
        Some(duplicate) => ApiError::new(409, duplicate.message.clone(), None),
        None => violation_error(violations),
    }
}

fn now(ctx: &Ctx<'_>) -> String {
    ctx.now().to_string()
}

/// `GET /users/{id}/authentication-methods` (`page`, `per_page`, `include_totals`): masked,
/// with `confirmed`; the totals page has no `total` when it is empty (recordings `__07`).
pub(super) fn list(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    let page = number_param(
        request,
        "page",
        "Page index of the results to return. First page is 0.",
    )?
    .unwrap_or(0);
    let per_page = number_param(
        request,
        "per_page",
        "Number of results per page. Default is 50.",
    )?
    .unwrap_or(DEFAULT_PER_PAGE);
    if per_page > MAX_PER_PAGE {
        return Err(ApiError::invalid_query(format!(
            "Query validation error: 'Number is greater than the maximum value of {MAX_PER_PAGE}' on property per_page (Number of results per page. Default is 50.)."
        )));
    }
    let totals = super::query_bool(request, "include_totals")?.unwrap_or(false);
    let methods = ctx.state.mfa.methods(user_id);
    let start = page.saturating_mul(per_page);
    let items: Vec<Value> = methods
        .iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(per_page).unwrap_or(0))
        .map(|m| method_json(m, true, true))
        .collect();
    if !totals {
        return Ok(json_response(200, &Value::Array(items)));
    }
    let mut body = serde_json::Map::new();
    body.insert("authenticators".into(), Value::Array(items));
    body.insert("start".into(), json!(start));
    body.insert("limit".into(), json!(per_page));
    if !methods.is_empty() {
        body.insert("total".into(), json!(methods.len()));
    }
    let body = Value::Object(body);
    Ok(json_response(200, &body))
}

/// `GET /users/{id}/authentication-methods/{authentication_method_id}`: masked, with
/// `confirmed`; a query string is ignored (`go-auth0-hist-9fef632f__…__03`).
pub(super) fn get(
    ctx: &mut Ctx<'_>,
    user_id: &str,
    method_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    let method = ctx
        .state
        .mfa
        .method(user_id, method_id)
        .ok_or_else(|| refused(MfaError::MethodNotFound))?;
    Ok(json_response(200, &method_json(method, true, true)))
}

/// `POST /users/{id}/authentication-methods`: 201, masked, without `confirmed` (`__01`).
pub(super) fn create(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    let new = parse_new_method(&request.json_value()?).map_err(|v| invalid(&v))?;
    let now = now(ctx);
    let state = &mut *ctx.state;
    let method = state
        .mfa
        .create(user_id, &new, &mut state.ids, &now)
        .map_err(refused)?;
    Ok(json_response(201, &method_json(&method, true, false)))
}

/// `PUT /users/{id}/authentication-methods`: 200 with the new methods, unmasked, without
/// `confirmed` (`__08`); a refused list changes nothing.
pub(super) fn replace(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    let list = parse_replacement(&request.json_value()?).map_err(|v| invalid(&v))?;
    let now = now(ctx);
    let state = &mut *ctx.state;
    let created = state
        .mfa
        .replace(user_id, &list, &mut state.ids, &now)
        .map_err(refused)?;
    let body: Vec<Value> = created
        .iter()
        .map(|m| method_json(m, false, false))
        .collect();
    Ok(json_response(200, &Value::Array(body)))
}

/// `PATCH /users/{id}/authentication-methods/{authentication_method_id}`: 200, masked,
/// without `confirmed` (`__04`).
pub(super) fn update(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    user_id: &str,
    method_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    let kind = ctx
        .state
        .mfa
        .method(user_id, method_id)
        .map(|m| m.type_name().to_owned())
        .ok_or_else(|| refused(MfaError::MethodNotFound))?;
    let change =
        parse_method_update(&request.json_value()?, Some(&kind)).map_err(|v| invalid(&v))?;
    let method = ctx
        .state
        .mfa
        .update(user_id, method_id, &change)
        .map_err(refused)?;
    Ok(json_response(200, &method_json(&method, true, false)))
}

/// `DELETE /users/{id}/authentication-methods/{authentication_method_id}`: 204.
pub(super) fn delete(
    ctx: &mut Ctx<'_>,
    user_id: &str,
    method_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    ctx.state.mfa.delete(user_id, method_id).map_err(refused)?;
    Ok(empty_response(204))
}

/// `DELETE /users/{id}/authentication-methods`: 204; 403 with a passkey.
pub(super) fn delete_all(ctx: &mut Ctx<'_>, user_id: &str) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    ctx.state.mfa.delete_all(user_id).map_err(refused)?;
    Ok(empty_response(204))
}

/// `GET /users/{id}/enrollments`: a bare array (`_Enrollments__01`).
pub(super) fn enrollments(ctx: &mut Ctx<'_>, user_id: &str) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    let list = ctx.state.mfa.enrollments(user_id);
    Ok(json_response(
        200,
        &serde_json::to_value(list).unwrap_or(Value::Null),
    ))
}

/// `DELETE /users/{id}/authenticators`: 204.
pub(super) fn delete_authenticators(
    ctx: &mut Ctx<'_>,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    ctx.state.mfa.delete_authenticators(user_id);
    Ok(empty_response(204))
}

/// `DELETE /users/{id}/multifactor/{provider}`: 204 (ruby `delete_user_provider`); a provider
/// outside the OpenAPI enum is 400.
pub(super) fn delete_provider(
    ctx: &mut Ctx<'_>,
    user_id: &str,
    provider: &str,
) -> Result<Response<Bytes>, ApiError> {
    let Some(provider) = MultifactorProvider::from_wire(provider) else {
        return Err(ApiError::invalid_uri(format!(
            "Path validation error: 'No enum match for: \"{provider}\"' on property provider (The multi-factor provider. Supported values 'duo' or 'google-authenticator')."
        )));
    };
    find_user(ctx.state, user_id)?;
    ctx.state.mfa.delete_provider(user_id, provider);
    Ok(empty_response(204))
}

/// `POST /users/{id}/multifactor/actions/invalidate-remember-browser`: 204, with or without a
/// body (node-auth0 sends none, ruby-auth0 `{}`); recorded in the state and logged.
pub(super) fn invalidate_remember_browser(
    ctx: &mut Ctx<'_>,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    let now = now(ctx);
    ctx.state.mfa.invalidate_remember_browser(user_id, &now);
    tracing::info!(target: "users_emulator::mfa", user_id, at = %now, "remembered MFA browsers invalidated");
    Ok(empty_response(204))
}

/// `POST /users/{id}/recovery-code-regeneration`: 200 `{"recovery_code"}`, also for a user
/// without MFA (`_RegenerateRecoveryCode__01`).
pub(super) fn regenerate_recovery_code(
    ctx: &mut Ctx<'_>,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, user_id)?;
    let now = now(ctx);
    let state = &mut *ctx.state;
    let code = state
        .mfa
        .regenerate_recovery_code(user_id, &mut state.ids, &now);
    Ok(json_response(200, &json!({"recovery_code": code.expose()})))
}
