//! The Roles API: `/roles`, `/roles/{id}`, `/roles/{id}/permissions`, `/roles/{id}/users`.
//! Statuses from the setup OpenAPI document: create 200, delete 200, add permissions 201,
//! remove permissions 200, assign users 200.

use bytes::Bytes;
use http::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use users_model::{PermissionRef, Permissions};

use super::{
    DEFAULT_PER_PAGE, Params, add_missing, first, offset_or_checkpoint_body, page_body, paging,
    permission_not_found, role_not_found, typed_body, user_summary,
};
use crate::auth::Caller;
use crate::handlers::Ctx;
use crate::reply::{ApiError, empty_response, json_response};
use crate::request::ApiRequest;
use crate::state::tenant::{StoredRole, prefixed_id};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersBody {
    users: Vec<String>,
}

fn name_taken(ctx: &Ctx<'_>, name: &str, except: Option<&str>) -> bool {
    ctx.state
        .tenant
        .roles
        .iter()
        .any(|r| r.name == name && Some(r.id.as_str()) != except)
}

/// 409 for a second role of the same name (**unconfirmed** wording).
fn conflict() -> ApiError {
    ApiError::new(409, "Role name already exists.", Some("conflict"))
}

fn non_empty(name: &str, field: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(ApiError::invalid_body(format!(
            "Payload validation error: 'String is too short (0 chars), minimum 1' on property {field}."
        )));
    }
    Ok(())
}

/// `GET /roles` (`name_filter`: case-insensitive substring, **unconfirmed**; sorted by name).
pub(super) fn list(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    _: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let paging = paging(request, DEFAULT_PER_PAGE)?;
    let filter = request.query_param("name_filter").map(str::to_lowercase);
    let mut roles: Vec<&StoredRole> = ctx
        .state
        .tenant
        .roles
        .iter()
        .filter(|r| {
            filter
                .as_ref()
                .is_none_or(|f| r.name.to_lowercase().contains(f))
        })
        .collect();
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    let items = roles.into_iter().map(StoredRole::to_json).collect();
    Ok(json_response(
        200,
        &page_body(items, "roles", paging, false),
    ))
}

/// `POST /roles` `{name, description?}`: 200 with the role.
pub(super) fn create(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    _: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let body: RoleBody = typed_body(request, |_| Ok(()))?;
    let name = body.name.ok_or_else(|| {
        ApiError::invalid_body("Payload validation error: 'Missing required property: name'.")
    })?;
    non_empty(&name, "name")?;
    if name_taken(ctx, &name, None) {
        return Err(conflict());
    }
    let role = StoredRole {
        id: prefixed_id(&mut ctx.state.ids, "rol_"),
        name,
        description: body.description,
        permissions: Vec::new(),
    };
    let json = role.to_json();
    ctx.state.tenant.roles.push(role);
    Ok(json_response(200, &json))
}

fn role<'s>(ctx: &'s Ctx<'_>, id: &str) -> Result<&'s StoredRole, ApiError> {
    ctx.state.tenant.role(id).ok_or_else(role_not_found)
}

fn role_mut<'s>(ctx: &'s mut Ctx<'_>, id: &str) -> Result<&'s mut StoredRole, ApiError> {
    ctx.state.tenant.role_mut(id).ok_or_else(role_not_found)
}

/// `GET /roles/{id}`.
pub(super) fn get(
    ctx: &mut Ctx<'_>,
    _: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    Ok(json_response(200, &role(ctx, first(p))?.to_json()))
}

/// `PATCH /roles/{id}` `{name?, description?}`.
pub(super) fn update(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let body: RoleBody = typed_body(request, |_| Ok(()))?;
    role(ctx, first(p))?;
    if let Some(name) = &body.name {
        non_empty(name, "name")?;
        if name_taken(ctx, name, Some(first(p))) {
            return Err(conflict());
        }
    }
    let stored = role_mut(ctx, first(p))?;
    if let Some(name) = body.name {
        stored.name = name;
    }
    if let Some(description) = body.description {
        stored.description = Some(description);
    }
    Ok(json_response(200, &stored.to_json()))
}

/// `DELETE /roles/{id}`: removes its assignments to users too; 200.
pub(super) fn delete(
    ctx: &mut Ctx<'_>,
    _: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    if !ctx.state.tenant.delete_role(first(p)) {
        return Err(role_not_found());
    }
    Ok(empty_response(200))
}

/// A permission as role permission lists show it (`PermissionsResponsePayload`).
pub(crate) fn permission_json(ctx: &Ctx<'_>, p: &PermissionRef) -> Value {
    let rs = ctx
        .state
        .tenant
        .resource_server(&p.resource_server_identifier);
    let mut item = json!({
        "resource_server_identifier": p.resource_server_identifier,
        "permission_name": p.permission_name,
    });
    if let Some(map) = item.as_object_mut() {
        if let Some(name) = rs.and_then(|rs| rs.name.clone()) {
            map.insert("resource_server_name".into(), json!(name));
        }
        if let Some(description) = rs
            .and_then(|rs| rs.scope(&p.permission_name))
            .and_then(|s| s.description.clone())
        {
            map.insert("description".into(), json!(description));
        }
    }
    item
}

/// `GET /roles/{id}/permissions`.
pub(super) fn permissions(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let paging = paging(request, DEFAULT_PER_PAGE)?;
    let items = role(ctx, first(p))?
        .permissions
        .iter()
        .map(|perm| permission_json(ctx, perm))
        .collect();
    Ok(json_response(
        200,
        &page_body(items, "permissions", paging, false),
    ))
}

/// `POST /roles/{id}/permissions` `{permissions}`: 201; 404 for an undefined permission.
pub(super) fn add_permissions(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let body: Permissions = typed_body(request, Permissions::validate)?;
    role(ctx, first(p))?;
    if let Some(missing) = ctx.state.tenant.missing_permission(&body.permissions) {
        return Err(permission_not_found(missing));
    }
    let stored = role_mut(ctx, first(p))?;
    add_missing(&mut stored.permissions, body.permissions);
    Ok(json_response(201, &json!({})))
}

/// `DELETE /roles/{id}/permissions` `{permissions}`: 200.
pub(super) fn remove_permissions(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let body: Permissions = typed_body(request, Permissions::validate)?;
    let stored = role_mut(ctx, first(p))?;
    stored
        .permissions
        .retain(|perm| !body.permissions.contains(perm));
    Ok(empty_response(200))
}

/// `GET /roles/{id}/users`: offset or checkpoint paging.
pub(super) fn users(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let id = role(ctx, first(p))?.id.clone();
    let items: Vec<Value> = ctx
        .state
        .users()
        .iter()
        .filter(|u| {
            u.user
                .user_id
                .as_deref()
                .is_some_and(|uid| ctx.state.tenant.roles_of(uid).contains(&id))
        })
        .map(|u| user_summary(&u.user))
        .collect();
    let body = offset_or_checkpoint_body(items, "users", request)?;
    Ok(json_response(200, &body))
}

/// `POST /roles/{id}/users` `{users}`: 200; 404 when a user does not exist.
pub(super) fn assign_users(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let body: UsersBody = typed_body(request, |_| Ok(()))?;
    let id = role(ctx, first(p))?.id.clone();
    if body.users.iter().any(|u| ctx.state.user(u).is_none()) {
        return Err(ApiError::user_not_found());
    }
    for user in body.users {
        let roles = ctx.state.tenant.user_roles.entry(user).or_default();
        add_missing(roles, [id.clone()]);
    }
    Ok(empty_response(200))
}
