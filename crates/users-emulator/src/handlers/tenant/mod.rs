//! Handlers of the tenant's set-up APIs (roles, resource servers, organizations; shapes, scopes
//! and statuses from `fixtures/spec/management-api-setup.oas.json`), of a user's roles,
//! permissions, organizations and logs, and the hooks other handlers call so the log and the
//! assignments follow what happens to users.

pub(crate) mod api_log;
pub(crate) mod hooks;
mod organizations;
mod resource_servers;
mod roles;
pub(crate) mod user_access;

use bytes::Bytes;
use http::{Method, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use users_model::Violations;

use super::{Ctx, query_bool, serde_body_error, violation_error};
use crate::auth::Caller;
use crate::reply::ApiError;
use crate::request::ApiRequest;

/// Path segments of a matched set-up route's parameters, in template order.
type Params<'a> = Vec<&'a str>;

/// The first path parameter (every set-up route with parameters has one): empty when absent,
/// which no stored record matches.
pub(super) fn first<'a>(params: &Params<'a>) -> &'a str {
    params.first().copied().unwrap_or_default()
}

type Handler =
    fn(&mut Ctx<'_>, &ApiRequest, &Caller, &Params<'_>) -> Result<Response<Bytes>, ApiError>;

/// One set-up endpoint, described like the users operations are: method, path template (below
/// `/api/v2`), the scopes that allow it (any one), and its handler.
struct SetupRoute {
    method: Method,
    path: &'static str,
    scopes: &'static [&'static str],
    handler: Handler,
}

/// The set-up endpoints the emulator serves (scopes from the setup OpenAPI document's
/// `security`).
fn routes() -> [SetupRoute; 22] {
    use Method as M;
    let r = |method, path, scopes, handler| SetupRoute {
        method,
        path,
        scopes,
        handler,
    };
    [
        r(M::GET, "/roles", &["read:roles"], roles::list),
        r(M::POST, "/roles", &["create:roles"], roles::create),
        r(M::GET, "/roles/{id}", &["read:roles"], roles::get),
        r(M::PATCH, "/roles/{id}", &["update:roles"], roles::update),
        r(M::DELETE, "/roles/{id}", &["delete:roles"], roles::delete),
        r(
            M::GET,
            "/roles/{id}/permissions",
            &["read:roles"],
            roles::permissions,
        ),
        r(
            M::POST,
            "/roles/{id}/permissions",
            &["update:roles"],
            roles::add_permissions,
        ),
        r(
            M::DELETE,
            "/roles/{id}/permissions",
            &["update:roles"],
            roles::remove_permissions,
        ),
        r(
            M::GET,
            "/roles/{id}/users",
            &["read:users", "read:roles", "read:role_members"],
            roles::users,
        ),
        r(
            M::POST,
            "/roles/{id}/users",
            &["update:roles", "create:role_members"],
            roles::assign_users,
        ),
        r(
            M::GET,
            "/resource-servers",
            &["read:resource_servers"],
            resource_servers::list,
        ),
        r(
            M::POST,
            "/resource-servers",
            &["create:resource_servers"],
            resource_servers::create,
        ),
        r(
            M::GET,
            "/resource-servers/{id}",
            &["read:resource_servers"],
            resource_servers::get,
        ),
        r(
            M::PATCH,
            "/resource-servers/{id}",
            &["update:resource_servers"],
            resource_servers::update,
        ),
        r(
            M::DELETE,
            "/resource-servers/{id}",
            &["delete:resource_servers"],
            resource_servers::delete,
        ),
        r(
            M::GET,
            "/organizations",
            &["read:organizations", "read:organizations_summary"],
            organizations::list,
        ),
        r(
            M::POST,
            "/organizations",
            &["create:organizations", "create:organization_connections"],
            organizations::create,
        ),
        r(
            M::GET,
            "/organizations/{id}",
            &["read:organizations", "read:organizations_summary"],
            organizations::get,
        ),
        r(
            M::PATCH,
            "/organizations/{id}",
            &["update:organizations"],
            organizations::update,
        ),
        r(
            M::DELETE,
            "/organizations/{id}",
            &["delete:organizations"],
            organizations::delete,
        ),
        r(
            M::GET,
            "/organizations/name/{name}",
            &["read:organizations"],
            organizations::by_name,
        ),
        r(
            M::GET,
            "/organizations/{id}/members",
            &["read:organization_members"],
            organizations::members,
        ),
    ]
}

/// Member changes are described apart to keep `routes` one screen long.
fn member_routes() -> [SetupRoute; 2] {
    [
        SetupRoute {
            method: Method::POST,
            path: "/organizations/{id}/members",
            scopes: &["create:organization_members"],
            handler: organizations::add_members,
        },
        SetupRoute {
            method: Method::DELETE,
            path: "/organizations/{id}/members",
            scopes: &["delete:organization_members"],
            handler: organizations::remove_members,
        },
    ]
}

/// Every scope the set-up endpoints accept, for the default application.
pub fn setup_scopes() -> Vec<&'static str> {
    let mut scopes: Vec<&'static str> = routes()
        .iter()
        .chain(member_routes().iter())
        .flat_map(|r| r.scopes.iter().copied())
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    scopes
}

fn matches<'a>(route: &SetupRoute, method: &Method, segments: &[&'a str]) -> Option<Params<'a>> {
    if route.method != *method {
        return None;
    }
    let template: Vec<&str> = route.path.trim_start_matches('/').split('/').collect();
    if template.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (t, s) in template.iter().zip(segments) {
        if t.starts_with('{') {
            if s.is_empty() {
                return None;
            }
            params.push(*s);
        } else if t != s {
            return None;
        }
    }
    Some(params)
}

/// Whether `rest` (the segments below `/api/v2`) is a set-up endpoint's path (any method).
pub(crate) fn is_setup_path(rest: &[&str]) -> bool {
    matches!(
        rest.first(),
        Some(&("roles" | "resource-servers" | "organizations"))
    )
}

/// Reads the JSON body as `T` and applies `validate`, answering as the server does.
pub(crate) fn typed_body<T: DeserializeOwned>(
    request: &ApiRequest,
    validate: impl FnOnce(&T) -> Result<(), Violations>,
) -> Result<T, ApiError> {
    let map = request.json_object()?;
    let body: T = serde_json::from_value(Value::Object(map)).map_err(|e| serde_body_error(&e))?;
    validate(&body).map_err(|v| violation_error(&v))?;
    Ok(body)
}

/// Offset paging of a list: `page`, `per_page` (1-100), `include_totals`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub page: u64,
    pub per_page: u64,
    pub totals: bool,
}

/// The page size when `per_page` is not sent: 50, what the recorded pages show as `limit` and
/// the users list uses (**unconfirmed** for sub-collections).
pub(crate) const DEFAULT_PER_PAGE: u64 = 50;

fn integer(request: &ApiRequest, name: &str, description: &str) -> Result<Option<u64>, ApiError> {
    match request.query_param(name) {
        None => Ok(None),
        Some(text) => text.parse::<u64>().map(Some).map_err(|_| {
            ApiError::invalid_query(format!(
                "Query validation error: 'Expected type integer but found type string' on property {name} ({description})."
            ))
        }),
    }
}

/// Reads the paging parameters; `default_per_page` when `per_page` is absent.
pub(crate) fn paging(request: &ApiRequest, default_per_page: u64) -> Result<Paging, ApiError> {
    let page = integer(
        request,
        "page",
        "Page index of the results to return. First page is 0.",
    )?
    .unwrap_or(0);
    let per_page = integer(request, "per_page", "Number of results per page.")?;
    if let Some(n) = per_page {
        let reason = if n == 0 {
            Some("Number is less than the minimum value of 1".to_owned())
        } else if n > 100 {
            Some("Number is greater than the maximum value of 100".to_owned())
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(ApiError::invalid_query(format!(
                "Query validation error: '{reason}' on property per_page (Number of results per page.)."
            )));
        }
    }
    Ok(Paging {
        page,
        per_page: per_page.unwrap_or(default_per_page),
        totals: query_bool(request, "include_totals")?.unwrap_or(false),
    })
}

/// One page of `items`: a bare array, or `{<key>: [...], start, limit, total}` (plus `length`
/// for logs) with `include_totals`.
pub(crate) fn page_body(items: Vec<Value>, key: &str, paging: Paging, with_length: bool) -> Value {
    let total = items.len();
    let start = paging.page.saturating_mul(paging.per_page);
    let page: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(paging.per_page).unwrap_or(usize::MAX))
        .collect();
    if !paging.totals {
        return Value::Array(page);
    }
    let mut body = json!({"start": start, "limit": paging.per_page, "total": total});
    if let Some(map) = body.as_object_mut() {
        if with_length {
            map.insert("length".into(), json!(page.len()));
        }
        map.insert(key.into(), Value::Array(page));
    }
    body
}

/// Checkpoint paging (`from`, `take`): the items after cursor `from` and the `next` cursor
/// while more follow. The cursor is the position as text (opaque to clients).
pub(crate) fn checkpoint_body(
    items: Vec<Value>,
    key: &str,
    request: &ApiRequest,
) -> Result<Value, ApiError> {
    let from = match request.query_param("from") {
        None | Some("") => 0,
        Some(text) => text.parse::<usize>().map_err(|_| {
            ApiError::invalid_query("Query validation error: invalid `from` cursor.")
        })?,
    };
    let take = integer(
        request,
        "take",
        "Number of results per page. Defaults to 50.",
    )?
    .unwrap_or(50);
    if take == 0 || take > 100 {
        return Err(ApiError::invalid_query(
            "Query validation error: 'Number is greater than the maximum value of 100' on property take (Number of results per page. Defaults to 50.).",
        ));
    }
    let take = usize::try_from(take).unwrap_or(50);
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(from).take(take).collect();
    let mut body = json!({ key: page });
    if from.saturating_add(take) < total
        && let Some(map) = body.as_object_mut()
    {
        map.insert("next".into(), json!(from.saturating_add(take).to_string()));
    }
    Ok(body)
}

/// Whether the request asks for checkpoint paging.
fn is_checkpoint(request: &ApiRequest) -> bool {
    request.query_param("from").is_some() || request.query_param("take").is_some()
}

/// One page of `items` as the request asks: checkpoint paging when it sends `from` or `take`,
/// offset paging otherwise.
pub(crate) fn offset_or_checkpoint_body(
    items: Vec<Value>,
    key: &str,
    request: &ApiRequest,
) -> Result<Value, ApiError> {
    if is_checkpoint(request) {
        checkpoint_body(items, key, request)
    } else {
        Ok(page_body(
            items,
            key,
            paging(request, DEFAULT_PER_PAGE)?,
            false,
        ))
    }
}

/// Appends each of `items` that `list` does not hold yet, keeping `list`'s order: assigning
/// twice keeps one assignment.
pub(crate) fn add_missing<T: PartialEq>(list: &mut Vec<T>, items: impl IntoIterator<Item = T>) {
    for item in items {
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

/// 404 for a role that does not exist (**unconfirmed** wording).
pub(crate) fn role_not_found() -> ApiError {
    ApiError::new(404, "The role does not exist.", Some("inexistent_role"))
}

/// 404 for a permission no resource server defines: the recorded text and code
/// (`ruby-auth0__…_add_user_permissions…__00`).
pub(crate) fn permission_not_found(p: &users_model::PermissionRef) -> ApiError {
    ApiError::new(
        404,
        format!(
            "This permission does not exist: '{} - {}'",
            p.resource_server_identifier, p.permission_name
        ),
        Some("inexistent_resource_server_permission"),
    )
}

/// A user as role and member lists show it: `user_id`, `email`, `picture`, `name`.
pub(crate) fn user_summary(user: &users_model::User) -> Value {
    let mut summary = serde_json::Map::new();
    for (key, value) in [
        ("user_id", &user.user_id),
        ("email", &user.email),
        ("picture", &user.picture),
        ("name", &user.name),
    ] {
        if let Some(value) = value {
            summary.insert(key.into(), Value::String(value.clone()));
        }
    }
    Value::Object(summary)
}

/// The 403 of a set-up endpoint the caller holds no scope for, in the form the users
/// operations use (`auth.rs`'s common form).
fn insufficient_scope(scopes: &[&str]) -> ApiError {
    ApiError::forbidden(
        format!("Insufficient scope; expected any of: {}.", scopes.join(",")),
        Some("insufficient_scope"),
    )
}

/// Handles a set-up request (roles, resource servers, organizations); `None` when `rest` is
/// not a set-up path, so the users operations are routed as usual.
pub(crate) fn setup(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    rest: &[&str],
) -> Option<Response<Bytes>> {
    if !is_setup_path(rest) {
        return None;
    }
    let all = routes();
    let members = member_routes();
    let Some((route, params)) = all
        .iter()
        .chain(members.iter())
        .find_map(|r| matches(r, &request.method, rest).map(|p| (r, p)))
    else {
        return Some(ApiError::not_found_path().into_response());
    };
    let result =
        crate::auth::authenticate(request, ctx.issuer, ctx.now_secs()).and_then(|caller| {
            if !route.scopes.iter().any(|s| caller.has(s)) {
                return Err(insufficient_scope(route.scopes));
            }
            (route.handler)(ctx, request, &caller, &params)
        });
    Some(result.unwrap_or_else(ApiError::into_response))
}
