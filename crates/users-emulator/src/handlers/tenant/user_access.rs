//! A user's roles, permissions, organizations and logs: `/users/{id}/roles`,
//! `/users/{id}/permissions`, `/users/{id}/organizations`, `/users/{id}/logs`.
//!
//! Facts: shapes and statuses from the recordings `go-auth0__TestUserManager_Roles__*`,
//! `_Permissions__*`, `_Organizations__*`, `_GetUserLogs__*` and the ruby-auth0 ones (POST
//! roles 204, POST permissions 201 `{}`, DELETE 204; pages `{<items>, start, limit, total}`,
//! logs with `length` too), the 404 for an undefined permission
//! (`ruby-auth0__…_add_user_permissions…__00`), and the users OpenAPI document (the logs
//! endpoint has no 404: a missing user's log is just empty).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use bytes::Bytes;
use http::Response;
use serde_json::{Value, json};
use users_model::{PermissionRef, Permissions, RoleIds, SOURCE_DIRECT, SOURCE_ROLE, parse_sort};

use super::roles::permission_json;
use super::{
    DEFAULT_PER_PAGE, Paging, add_missing, page_body, paging, permission_not_found, role_not_found,
    typed_body,
};
use crate::handlers::{Ctx, find_user};
use crate::reply::{ApiError, empty_response, json_response};
use crate::request::ApiRequest;

/// Adds `items` to user `id`'s assignments in `map`, each once.
fn assign<T: PartialEq>(map: &mut BTreeMap<String, Vec<T>>, id: &str, items: Vec<T>) {
    add_missing(map.entry(id.to_owned()).or_default(), items);
}

/// Removes `items` from user `id`'s assignments in `map`; users left with none have no entry.
fn remove_assigned<T: PartialEq>(map: &mut BTreeMap<String, Vec<T>>, id: &str, items: &[T]) {
    if let Some(list) = map.get_mut(id) {
        list.retain(|item| !items.contains(item));
    }
    map.retain(|_, list| !list.is_empty());
}

/// `GET /users/{id}/roles`: the user's roles sorted by name (**unconfirmed** order).
pub(crate) fn list_roles(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let paging = paging(request, DEFAULT_PER_PAGE)?;
    find_user(ctx.state, id)?;
    let tenant = &ctx.state.tenant;
    let mut roles: Vec<_> = tenant
        .roles_of(id)
        .iter()
        .filter_map(|r| tenant.role(r))
        .collect();
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    let items = roles.into_iter().map(|r| r.to_json()).collect();
    Ok(json_response(
        200,
        &page_body(items, "roles", paging, false),
    ))
}

/// `POST /users/{id}/roles` `{roles}`: 204; every role must exist (404 otherwise, nothing
/// assigned). Assigning a role twice keeps one assignment.
pub(crate) fn assign_roles(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let body: RoleIds = typed_body(request, RoleIds::validate)?;
    find_user(ctx.state, id)?;
    if body
        .roles
        .iter()
        .any(|r| ctx.state.tenant.role(r).is_none())
    {
        return Err(role_not_found());
    }
    assign(&mut ctx.state.tenant.user_roles, id, body.roles);
    Ok(empty_response(204))
}

/// `DELETE /users/{id}/roles` `{roles}`: 204; roles the user does not have are ignored.
pub(crate) fn remove_roles(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let body: RoleIds = typed_body(request, RoleIds::validate)?;
    find_user(ctx.state, id)?;
    remove_assigned(&mut ctx.state.tenant.user_roles, id, &body.roles);
    Ok(empty_response(204))
}

/// `GET /users/{id}/permissions`: direct permissions and those of the user's roles, each once
/// with its `sources` (`DIRECT` recorded with empty id and name; `ROLE` with the role's id and
/// name, **unconfirmed**), sorted by resource server identifier then name (**unconfirmed**).
pub(crate) fn list_permissions(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let paging = paging(request, DEFAULT_PER_PAGE)?;
    find_user(ctx.state, id)?;
    let tenant = &ctx.state.tenant;
    let mut found: Vec<(PermissionRef, Vec<Value>)> = Vec::new();
    let mut add = |p: &PermissionRef, source: Value| match found.iter_mut().find(|(q, _)| q == p) {
        Some((_, sources)) => sources.push(source),
        None => found.push((p.clone(), vec![source])),
    };
    for p in tenant.user_permissions.get(id).into_iter().flatten() {
        add(
            p,
            json!({"source_id": "", "source_name": "", "source_type": SOURCE_DIRECT}),
        );
    }
    for role in tenant.roles_of(id).iter().filter_map(|r| tenant.role(r)) {
        for p in &role.permissions {
            add(
                p,
                json!({"source_id": role.id, "source_name": role.name, "source_type": SOURCE_ROLE}),
            );
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let items = found
        .into_iter()
        .map(|(p, sources)| {
            let mut item = permission_json(ctx, &p);
            if let Some(map) = item.as_object_mut() {
                map.insert("sources".into(), Value::Array(sources));
            }
            item
        })
        .collect();
    Ok(json_response(
        200,
        &page_body(items, "permissions", paging, false),
    ))
}

/// `POST /users/{id}/permissions` `{permissions}`: 201 `{}` (recorded); each permission must
/// be defined by a resource server, else the recorded 404 and nothing is assigned.
pub(crate) fn assign_permissions(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let body: Permissions = typed_body(request, Permissions::validate)?;
    find_user(ctx.state, id)?;
    if let Some(missing) = ctx.state.tenant.missing_permission(&body.permissions) {
        return Err(permission_not_found(missing));
    }
    assign(&mut ctx.state.tenant.user_permissions, id, body.permissions);
    Ok(json_response(201, &json!({})))
}

/// `DELETE /users/{id}/permissions` `{permissions}`: 204, also for permissions that do not
/// exist (recorded: `ruby-auth0__…_remove_user_permissions…__00` answers 204 for the
/// permission the add recording calls nonexistent).
pub(crate) fn remove_permissions(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let body: Permissions = typed_body(request, Permissions::validate)?;
    find_user(ctx.state, id)?;
    remove_assigned(
        &mut ctx.state.tenant.user_permissions,
        id,
        &body.permissions,
    );
    Ok(empty_response(204))
}

/// `GET /users/{id}/organizations`: the organizations the user is a member of, in creation
/// order (`page` at most 1000, as the OpenAPI document says).
pub(crate) fn list_organizations(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let paging = paging(request, DEFAULT_PER_PAGE)?;
    if paging.page > 1000 {
        return Err(ApiError::invalid_query(
            "Query validation error: 'Number is greater than the maximum value of 1000' on property page (Page index of the results to return. First page is 0.).",
        ));
    }
    find_user(ctx.state, id)?;
    let items = ctx
        .state
        .tenant
        .organizations
        .iter()
        .filter(|o| o.members.iter().any(|m| m == id))
        .map(|o| serde_json::to_value(&o.organization).unwrap_or(Value::Null))
        .collect();
    Ok(json_response(
        200,
        &page_body(items, "organizations", paging, false),
    ))
}

/// Logs can be paged through the first 1000 results only (OpenAPI description of the logs
/// endpoint).
const LOG_WINDOW: u64 = 1000;

/// `GET /users/{id}/logs`: the user's events, newest first unless `sort` says otherwise. With
/// no `per_page` ("paging is disabled") the first 100 are returned (the per-request limit).
pub(crate) fn list_logs(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    id: &str,
) -> Result<Response<Bytes>, ApiError> {
    let paging: Paging = paging(request, 100)?;
    if paging
        .page
        .saturating_add(1)
        .saturating_mul(paging.per_page)
        > LOG_WINDOW
    {
        return Err(ApiError::invalid_query(
            "You can only page through the first 1000 records. Please refine your search.",
        ));
    }
    let sort = match request.query_param("sort") {
        None => None,
        Some(text) => Some(parse_sort(text).ok_or_else(|| {
            ApiError::invalid_query(format!(
                "Query validation error: 'String does not match pattern ^[a-z_.]+:(1|-1)$: {text}' on property sort (Field to sort by. Use field:1 for ascending order and field:-1 for descending.)."
            ))
        })?),
    };
    let mut events: Vec<Value> = ctx
        .state
        .tenant
        .logs_of(id)
        .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
        .collect();
    // Oldest first, sorted stably, then reversed for descending order: events equal on the
    // field stay in the order they happened (newest first when descending, the default).
    let (field, ascending) = sort.unwrap_or(("", false));
    if !field.is_empty() {
        events.sort_by(|a, b| compare(field_value(a, field), field_value(b, field)));
    }
    if !ascending {
        events.reverse();
    }
    Ok(json_response(200, &page_body(events, "logs", paging, true)))
}

fn field_value<'v>(event: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(event, |v, key| v.get(key))
}

/// Orders two field values: absent first, then numbers, then strings, then anything else.
fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => rank(x).cmp(&rank(y)),
    }
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}
