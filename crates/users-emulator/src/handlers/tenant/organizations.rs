//! The Organizations API: `/organizations`, `/organizations/{id}`, `/organizations/name/{name}`
//! and `/organizations/{id}/members`. Statuses from the setup OpenAPI document: create 201,
//! delete 204, add and remove members 204.

use bytes::Bytes;
use http::Response;
use serde::Deserialize;
use serde_json::Value;
use users_model::Organization;

use super::{Params, add_missing, first, offset_or_checkpoint_body, typed_body, user_summary};
use crate::auth::Caller;
use crate::handlers::Ctx;
use crate::reply::{ApiError, empty_response, json_response};
use crate::request::ApiRequest;
use crate::state::tenant::{StoredOrganization, prefixed_id};

/// 404 for an organization that does not exist (**unconfirmed** wording).
fn not_found() -> ApiError {
    ApiError::new(
        404,
        "No organization found by that id or name",
        Some("inexistent_organization"),
    )
}

#[derive(Deserialize)]
struct MembersBody {
    members: Vec<String>,
}

/// `format: organization-name`: 1-50 lower-case letters, digits, `-` and `_`, starting with a
/// letter or digit (Auth0's organization name rule as the Dashboard states it; **unconfirmed**
/// as a pattern).
fn valid_name(name: &str) -> bool {
    let len = name.chars().count();
    (1..=50).contains(&len)
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn check(organization: &Organization) -> Result<(), ApiError> {
    if let Some(name) = organization.name.as_deref().filter(|n| !valid_name(n)) {
        return Err(ApiError::invalid_body(format!(
            "Payload validation error: 'Object didn't pass validation for format organization-name: {name}' on property name (The name of this organization.)."
        )));
    }
    if organization
        .display_name
        .as_deref()
        .is_some_and(|d| d.is_empty() || d.chars().count() > 255)
    {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'String does not meet the schema (length 1-255)' on property display_name (Friendly name of this organization.).",
        ));
    }
    if organization.metadata.as_ref().is_some_and(|m| m.len() > 25) {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'Too many properties defined, maximum 25' on property metadata.",
        ));
    }
    Ok(())
}

fn to_json(stored: &StoredOrganization) -> Value {
    serde_json::to_value(&stored.organization).unwrap_or(Value::Null)
}

fn conflict() -> ApiError {
    ApiError::new(
        409,
        "An organization with this name already exists.",
        Some("conflict"),
    )
}

/// `GET /organizations`: offset or checkpoint paging, in creation order.
pub(super) fn list(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    _: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let items: Vec<Value> = ctx.state.tenant.organizations.iter().map(to_json).collect();
    let body = offset_or_checkpoint_body(items, "organizations", request)?;
    Ok(json_response(200, &body))
}

/// `POST /organizations` `{name, display_name?, branding?, metadata?, …}`: 201.
pub(super) fn create(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    _: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let mut organization: Organization = typed_body(request, |_| Ok(()))?;
    let name = organization.name.clone().ok_or_else(|| {
        ApiError::invalid_body("Payload validation error: 'Missing required property: name'.")
    })?;
    check(&organization)?;
    if ctx
        .state
        .tenant
        .organizations
        .iter()
        .any(|o| o.name() == name)
    {
        return Err(conflict());
    }
    organization.id = Some(prefixed_id(&mut ctx.state.ids, "org_"));
    let stored = StoredOrganization {
        organization,
        members: Vec::new(),
    };
    let json = to_json(&stored);
    ctx.state.tenant.organizations.push(stored);
    Ok(json_response(201, &json))
}

fn organization<'s>(ctx: &'s Ctx<'_>, id: &str) -> Result<&'s StoredOrganization, ApiError> {
    ctx.state.tenant.organization(id).ok_or_else(not_found)
}

fn organization_mut<'s>(
    ctx: &'s mut Ctx<'_>,
    id: &str,
) -> Result<&'s mut StoredOrganization, ApiError> {
    ctx.state.tenant.organization_mut(id).ok_or_else(not_found)
}

/// `GET /organizations/{id}`.
pub(super) fn get(
    ctx: &mut Ctx<'_>,
    _: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let stored = organization(ctx, first(p))?;
    Ok(json_response(200, &to_json(stored)))
}

/// `GET /organizations/name/{name}`.
pub(super) fn by_name(
    ctx: &mut Ctx<'_>,
    _: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let stored = ctx
        .state
        .tenant
        .organizations
        .iter()
        .find(|o| o.name() == first(p))
        .ok_or_else(not_found)?;
    Ok(json_response(200, &to_json(stored)))
}

/// `PATCH /organizations/{id}`: the attributes sent replace the stored ones.
pub(super) fn update(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let change: Organization = typed_body(request, |_| Ok(()))?;
    check(&change)?;
    organization(ctx, first(p))?;
    if let Some(name) = &change.name
        && ctx
            .state
            .tenant
            .organizations
            .iter()
            .any(|o| o.name() == name && o.id() != first(p))
    {
        return Err(conflict());
    }
    let stored = organization_mut(ctx, first(p))?;
    let current = &mut stored.organization;
    if change.name.is_some() {
        current.name = change.name;
    }
    if change.display_name.is_some() {
        current.display_name = change.display_name;
    }
    if change.branding.is_some() {
        current.branding = change.branding;
    }
    if change.metadata.is_some() {
        current.metadata = change.metadata;
    }
    current
        .extra
        .extend(change.extra.into_iter().filter(|(k, _)| k != "id"));
    Ok(json_response(200, &to_json(stored)))
}

/// `DELETE /organizations/{id}`: its memberships go with it; 204.
pub(super) fn delete(
    ctx: &mut Ctx<'_>,
    _: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    if !ctx.state.tenant.delete_organization(first(p)) {
        return Err(not_found());
    }
    Ok(empty_response(204))
}

/// `GET /organizations/{id}/members`: `{user_id, email, picture, name}` in the order added.
pub(super) fn members(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let stored = organization(ctx, first(p))?;
    let items: Vec<Value> = stored
        .members
        .iter()
        .filter_map(|id| ctx.state.user(id))
        .map(|u| user_summary(&u.user))
        .collect();
    let body = offset_or_checkpoint_body(items, "members", request)?;
    Ok(json_response(200, &body))
}

fn members_body(request: &ApiRequest) -> Result<MembersBody, ApiError> {
    let body: MembersBody = typed_body(request, |_| Ok(()))?;
    if body.members.is_empty() {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'Array is too short (0), minimum 1' on property members.",
        ));
    }
    Ok(body)
}

/// `POST /organizations/{id}/members` `{members}`: 204; 404 when a user does not exist
/// (**unconfirmed**: the status of an unknown member).
pub(super) fn add_members(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let body = members_body(request)?;
    organization(ctx, first(p))?;
    if body.members.iter().any(|m| ctx.state.user(m).is_none()) {
        return Err(ApiError::user_not_found());
    }
    let stored = organization_mut(ctx, first(p))?;
    add_missing(&mut stored.members, body.members);
    Ok(empty_response(204))
}

/// `DELETE /organizations/{id}/members` `{members}`: 204.
pub(super) fn remove_members(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let body = members_body(request)?;
    let stored = organization_mut(ctx, first(p))?;
    stored.members.retain(|m| !body.members.contains(m));
    Ok(empty_response(204))
}
