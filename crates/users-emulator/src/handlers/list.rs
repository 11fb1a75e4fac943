//! `GET /users` (list and search) and `GET /users-by-email`.

use bytes::Bytes;
use http::Response;
use serde_json::{Value, json};

use super::users::projected;
use super::{Ctx, query_bool, user_json};
use crate::auth::Caller;
use crate::reply::{ApiError, json_response};
use crate::request::ApiRequest;
use crate::search::{MAX_QUERY_CHARS, MAX_QUERY_TERMS, Query, parse, parse_sort};

/// Search results can be paged only through the first 1000 users.
const SEARCH_WINDOW: u64 = 1000;
const DEFAULT_PER_PAGE: u64 = 50;
const MAX_PER_PAGE: u64 = 100;

pub(super) fn number_param(
    request: &ApiRequest,
    name: &str,
    description: &str,
) -> Result<Option<u64>, ApiError> {
    match request.query_param(name) {
        None => Ok(None),
        Some(text) => text.parse::<u64>().map(Some).map_err(|_| {
            let found = if text.parse::<f64>().is_ok() {
                "number"
            } else {
                "string"
            };
            ApiError::invalid_query(format!(
                "Query validation error: 'Expected type integer but found type {found}' on property {name} ({description})."
            ))
        }),
    }
}

/// `GET /api/v2/users` (scope `read:users`).
pub(super) fn list(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    caller: &Caller,
) -> Result<Response<Bytes>, ApiError> {
    let page = number_param(
        request,
        "page",
        "Page index of the results to return. First page is 0.",
    )?
    .unwrap_or(0);
    let per_page = number_param(request, "per_page", "Number of results per page.")?
        .unwrap_or(DEFAULT_PER_PAGE);
    if per_page > MAX_PER_PAGE {
        return Err(ApiError::invalid_query(format!(
            "Query validation error: 'Number is greater than the maximum value of {MAX_PER_PAGE}' on property per_page (Number of results per page.)."
        )));
    }
    let include_totals = query_bool(request, "include_totals")?.unwrap_or(false);
    query_bool(request, "include_fields")?;
    query_bool(request, "primary_order")?;
    match request.query_param("search_engine") {
        None | Some("v2" | "v3") => {}
        Some("v1") => {
            return Err(ApiError::invalid_query(
                "You are not allowed to use search_engine=v1.",
            ));
        }
        Some(other) => {
            return Err(ApiError::invalid_query(format!(
                "Query validation error: 'No enum match for: \"{other}\"' on property search_engine (The version of the search engine)."
            )));
        }
    }
    let start = page.saturating_mul(per_page);
    if start.saturating_add(per_page) > SEARCH_WINDOW {
        return Err(ApiError::invalid_query(
            "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation.",
        ));
    }
    let query = match request.query_param("q") {
        Some(q) if !q.trim().is_empty() => Some(bounded_query(q)?),
        _ => None,
    };
    let sort = match request.query_param("sort") {
        Some(s) if !s.trim().is_empty() => {
            Some(parse_sort(s).map_err(|e| ApiError::invalid_query(e.message))?)
        }
        _ => None,
    };

    let mut matched: Vec<Value> = ctx
        .state
        .users()
        .iter()
        .map(|stored| user_json(&stored.user, caller))
        .filter(|value| query.as_ref().is_none_or(|q| q.matches(value)))
        .collect();
    if let Some(sort) = &sort {
        matched.sort_by(|a, b| sort.compare(a, b));
    }
    let total = matched.len();
    let users = matched
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(per_page).unwrap_or(0))
        .map(|value| projected(request, value))
        .collect::<Result<Vec<Value>, ApiError>>()?;
    let body = if include_totals {
        json!({
            "start": start,
            "limit": per_page,
            "length": users.len(),
            "users": users,
            "total": total,
        })
    } else {
        Value::Array(users)
    };
    Ok(json_response(200, &body))
}

/// `GET /api/v2/users-by-email` (scope `read:users`): a bare array, exact stored email.
pub(super) fn by_email(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    caller: &Caller,
) -> Result<Response<Bytes>, ApiError> {
    let email = request.query_param("email").ok_or_else(|| {
        ApiError::invalid_query(
            "Query validation error: 'Missing required property: email' on property email (Email address to search for (case-sensitive)).",
        )
    })?;
    query_bool(request, "include_fields")?;
    let users = ctx
        .state
        .users()
        .iter()
        .filter(|stored| stored.user.email.as_deref() == Some(email))
        .map(|stored| projected(request, user_json(&stored.user, caller)))
        .collect::<Result<Vec<Value>, ApiError>>()?;
    Ok(json_response(200, &Value::Array(users)))
}

/// The spec's 503 of `get_users`, answered to a query over the emulator's cost bound.
fn query_timeout() -> ApiError {
    ApiError::new(
        503,
        "The query exceeded the timeout. Please try refining your search criteria. See https://auth0.com/docs/best-practices/search-best-practices.",
        None,
    )
}

/// Parses `q`, refusing with [`query_timeout`] a query over [`MAX_QUERY_CHARS`] characters
/// (checked before any parsing) or [`MAX_QUERY_TERMS`] terms.
fn bounded_query(q: &str) -> Result<Query, ApiError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(query_timeout());
    }
    let query = parse(q).map_err(|e| ApiError::invalid_query(e.message))?;
    if query.terms() > MAX_QUERY_TERMS {
        return Err(query_timeout());
    }
    Ok(query)
}
