//! `GET|DELETE /user-blocks/{id}` and `GET|DELETE /user-blocks?identifier=`: brute-force blocks.
//!
//! These are separate from the `blocked` attribute: `PATCH {"blocked": false}` leaves them.

use bytes::Bytes;
use http::Response;
use serde_json::{Value, json};

use super::{Ctx, find_user};
use crate::reply::{ApiError, empty_response, json_response};
use crate::request::ApiRequest;
use crate::state::BruteForceBlock;

fn blocked_for<'a>(blocks: impl Iterator<Item = &'a BruteForceBlock>) -> Value {
    let items: Vec<Value> = blocks
        .map(|b| {
            let mut item = json!({"identifier": b.identifier});
            if let Some(map) = item.as_object_mut() {
                if let Some(ip) = &b.ip {
                    map.insert("ip".into(), json!(ip));
                }
                if let Some(connection) = &b.connection {
                    map.insert("connection".into(), json!(connection));
                }
            }
            item
        })
        .collect();
    json!({ "blocked_for": items })
}

fn identifier(request: &ApiRequest) -> Result<String, ApiError> {
    request
        .query_param("identifier")
        .filter(|i| !i.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::invalid_query(
                "Query validation error: 'Missing required property: identifier' on property identifier (Should be any of a username, phone number, or email.).",
            )
        })
}

fn same_identifier(block: &BruteForceBlock, identifier: &str) -> bool {
    block.identifier.eq_ignore_ascii_case(identifier)
}

/// `GET /api/v2/user-blocks/{id}` (scope `read:users`).
pub(super) fn get(ctx: &mut Ctx<'_>, id: &str) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, id)?;
    let body = blocked_for(ctx.state.blocks.iter().filter(|b| b.user_id == id));
    Ok(json_response(200, &body))
}

/// `DELETE /api/v2/user-blocks/{id}` (scope `update:users`): 204.
pub(super) fn delete(ctx: &mut Ctx<'_>, id: &str) -> Result<Response<Bytes>, ApiError> {
    find_user(ctx.state, id)?;
    super::tenant::hooks::unblocking(ctx.state, |b| b.user_id == id);
    ctx.state.blocks.retain(|b| b.user_id != id);
    Ok(empty_response(204))
}

/// `GET /api/v2/user-blocks?identifier=` (scope `read:users`).
pub(super) fn get_by_identifier(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
) -> Result<Response<Bytes>, ApiError> {
    let identifier = identifier(request)?;
    let body = blocked_for(
        ctx.state
            .blocks
            .iter()
            .filter(|b| same_identifier(b, &identifier)),
    );
    Ok(json_response(200, &body))
}

/// `DELETE /api/v2/user-blocks?identifier=` (scope `update:users`): 204.
pub(super) fn delete_by_identifier(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
) -> Result<Response<Bytes>, ApiError> {
    let identifier = identifier(request)?;
    super::tenant::hooks::unblocking(ctx.state, |b| same_identifier(b, &identifier));
    ctx.state
        .blocks
        .retain(|b| !same_identifier(b, &identifier));
    Ok(empty_response(204))
}
