//! A user's sessions, refresh tokens, federated token sets, connected accounts and risk
//! assessors (`/api/v2/users/{id}/...`). The state and its rules live in `crate::sessions`;
//! DIFFERENCES.md lists the facts and the choices.

use bytes::Bytes;
use http::Response;
use serde_json::{Map, Value, json};
use users_model::{ClearAssessors, validate_clear_assessors};

use super::{Ctx, query_bool, serde_body_error, violation_error};
use crate::reply::{ApiError, empty_response, json_response};
use crate::request::ApiRequest;
use crate::state::sessions::{checkpoint_page, decode_cursor, owned_by};

/// Sessions and refresh tokens: "Defaults to 50." (OAS).
const DEFAULT_TAKE: u64 = 50;
/// Connected accounts: "Defaults to 10 with a maximum of 20" (OAS description).
const CONNECTED_DEFAULT_TAKE: u64 = 10;
const CONNECTED_MAX_PAGE: u64 = 20;
/// `take`'s schema maximum on all three lists.
const MAX_TAKE: u64 = 100;
/// `tokenset_id`'s `maxLength` in the OAS.
const TOKENSET_ID_MAX: usize = 36;

/// The OAS 404 text of the sessions and refresh-token operations.
fn user_not_found_short() -> ApiError {
    ApiError::new(404, "User not found", Some("inexistent_user"))
}

fn require_user(ctx: &Ctx<'_>, id: &str, missing: fn() -> ApiError) -> Result<(), ApiError> {
    ctx.state.user(id).map(|_| ()).ok_or_else(missing)
}

/// `from` and `take` of a checkpoint list: the position to continue after and the page size.
fn checkpoint_query(
    request: &ApiRequest,
    default_take: u64,
) -> Result<(Option<u64>, u64), ApiError> {
    let take = match request.query_param("take") {
        None => default_take,
        Some(text) => {
            let take = text.parse::<u64>().map_err(|_| {
                let found = if text.parse::<f64>().is_ok() { "number" } else { "string" };
                ApiError::invalid_query(format!(
                    "Query validation error: 'Expected type integer but found type {found}' on property take (Number of results per page.)."
                ))
            })?;
            if take == 0 {
                return Err(ApiError::invalid_query(
                    "Query validation error: 'Number is less than the minimum value of 1' on property take (Number of results per page.).",
                ));
            }
            if take > MAX_TAKE {
                return Err(ApiError::invalid_query(format!(
                    "Query validation error: 'Number is greater than the maximum value of {MAX_TAKE}' on property take (Number of results per page.)."
                )));
            }
            take
        }
    };
    let from = match request.query_param("from") {
        None => None,
        Some(cursor) => Some(decode_cursor(cursor).ok_or_else(|| {
            ApiError::invalid_query(
                "Query validation error: 'Invalid checkpoint' on property from (An optional cursor from which to start the selection (exclusive).).",
            )
        })?),
    };
    Ok((from, take))
}

/// `{key: [items], "next"?: cursor, "total"?: n}`.
fn page_json<T: serde::Serialize>(
    key: &str,
    items: Vec<&T>,
    next: Option<String>,
    total: Option<usize>,
) -> Value {
    let mut map = Map::new();
    map.insert(
        key.into(),
        serde_json::to_value(items).unwrap_or(Value::Null),
    );
    if let Some(next) = next {
        map.insert("next".into(), Value::String(next));
    }
    if let Some(total) = total {
        map.insert("total".into(), json!(total));
    }
    Value::Object(map)
}

fn usize_of(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// How a checkpoint-paged list answers: the page size when `take` is absent and its most, and
/// whether `include_totals` adds `total`.
struct Paging {
    default_take: u64,
    max_take: u64,
    totals: bool,
}

/// A checkpoint-paged answer, `{"<key>": [...], "next": ..., "total": ...}`, over the user's
/// `items` (made twice when the total is asked for).
fn paged<'a, T, I>(
    request: &ApiRequest,
    paging: &Paging,
    key: &str,
    items: impl Fn() -> I,
) -> Result<Response<Bytes>, ApiError>
where
    T: serde::Serialize + 'a,
    I: Iterator<Item = (u64, &'a T)>,
{
    let (from, take) = checkpoint_query(request, paging.default_take)?;
    let take = take.min(paging.max_take);
    let totals = paging.totals && query_bool(request, "include_totals")?.unwrap_or(false);
    let (page, next) = checkpoint_page(items(), from, usize_of(take));
    let total = totals.then(|| items().count());
    Ok(json_response(200, &page_json(key, page, next, total)))
}

/// Sessions and refresh tokens: pages of up to [`DEFAULT_TAKE`] by default, with totals.
const USER_RECORDS: Paging = Paging {
    default_take: DEFAULT_TAKE,
    max_take: u64::MAX,
    totals: true,
};

/// `GET /users/{user_id}/sessions`.
pub(crate) fn list_sessions(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    require_user(ctx, user_id, user_not_found_short)?;
    let sessions = &ctx.state.sessions.sessions;
    paged(request, &USER_RECORDS, "sessions", || {
        owned_by(sessions, user_id)
    })
}

/// `DELETE /users/{user_id}/sessions`: ends them and revokes their refresh tokens.
pub(crate) fn delete_sessions(
    ctx: &mut Ctx<'_>,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    require_user(ctx, user_id, user_not_found_short)?;
    ctx.state.sessions.end_sessions(user_id);
    Ok(json_response(202, &json!({})))
}

/// `GET /users/{user_id}/refresh-tokens`.
pub(crate) fn list_refresh_tokens(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    require_user(ctx, user_id, user_not_found_short)?;
    let store = &ctx.state.sessions;
    paged(request, &USER_RECORDS, "tokens", || {
        store.refresh_tokens_of(user_id)
    })
}

/// `DELETE /users/{user_id}/refresh-tokens`.
pub(crate) fn delete_refresh_tokens(
    ctx: &mut Ctx<'_>,
    user_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    require_user(ctx, user_id, user_not_found_short)?;
    ctx.state.sessions.revoke_refresh_tokens(user_id);
    Ok(json_response(202, &json!({})))
}

/// `GET /users/{id}/federated-connections-tokensets`: a bare array.
pub(crate) fn list_token_sets(ctx: &mut Ctx<'_>, id: &str) -> Result<Response<Bytes>, ApiError> {
    require_user(ctx, id, ApiError::user_not_found)?;
    let sets: Vec<_> = owned_by(&ctx.state.sessions.token_sets, id)
        .map(|(_, set)| set)
        .collect();
    Ok(json_response(
        200,
        &serde_json::to_value(sets).unwrap_or(Value::Null),
    ))
}

/// `DELETE /users/{id}/federated-connections-tokensets/{tokenset_id}`: 204 whether or not it
/// exists (recorded for an id that does not).
pub(crate) fn delete_token_set(
    ctx: &mut Ctx<'_>,
    id: &str,
    tokenset_id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let chars = tokenset_id.chars().count();
    if chars > TOKENSET_ID_MAX {
        return Err(ApiError::invalid_uri(format!(
            "Path validation error: 'String is too long ({chars} chars), maximum {TOKENSET_ID_MAX}' on property tokenset_id (The tokenset id)."
        )));
    }
    ctx.state.sessions.delete_token_set(id, tokenset_id);
    Ok(empty_response(204))
}

/// `GET /users/{id}/connected-accounts`: no totals.
pub(crate) fn list_connected_accounts(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    require_user(ctx, id, ApiError::user_not_found)?;
    let accounts = &ctx.state.sessions.connected_accounts;
    let paging = Paging {
        default_take: CONNECTED_DEFAULT_TAKE,
        max_take: CONNECTED_MAX_PAGE,
        totals: false,
    };
    paged(request, &paging, "connected_accounts", || {
        owned_by(accounts, id)
    })
}

/// `POST /users/{id}/risk-assessments/clear`.
pub(crate) fn clear_assessors(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let body = request.json_object()?;
    let body: ClearAssessors =
        serde_json::from_value(Value::Object(body)).map_err(|e| serde_body_error(&e))?;
    validate_clear_assessors(&body).map_err(|v| violation_error(&v))?;
    require_user(ctx, id, ApiError::user_not_found)?;
    if ctx.state.connection_by_name(&body.connection).is_none() {
        return Err(ApiError::new(
            404,
            "The connection does not exist.",
            Some("inexistent_connection"),
        ));
    }
    Ok(empty_response(204))
}
