//! The Resource Servers API: `/resource-servers` and `/resource-servers/{id}` (the path takes
//! the id or the identifier, as Auth0's "ID or audience of the resource server" says).
//! Statuses from the setup OpenAPI document: create 201, update 201, delete 204.
//! `allow_offline_access` is the one attribute the emulator acts on: the password-realm grant
//! issues refresh tokens only for APIs that allow offline access (`sessions::grant`).

use bytes::Bytes;
use http::Response;
use serde_json::{Map, Value, json};
use users_model::Metadata;

use super::{DEFAULT_PER_PAGE, Params, first, page_body, paging};
use crate::auth::Caller;
use crate::handlers::Ctx;
use crate::reply::{ApiError, empty_response, json_response};
use crate::request::ApiRequest;
use crate::state::tenant::{ResourceServer, Scope, resource_server_id};

/// 404 for a resource server that does not exist (**unconfirmed** wording).
fn not_found() -> ApiError {
    ApiError::new(
        404,
        "The resource server does not exist",
        Some("inexistent_resource_server"),
    )
}

/// Settings a new API gets when the body leaves them out (Auth0's documented defaults for a
/// new API: RS256, 24 h tokens, 2 h for browser flows, consent not skipped; no offline access
/// is the typed field's default).
fn defaults() -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("signing_alg".into(), json!("RS256"));
    map.insert("token_lifetime".into(), json!(86_400));
    map.insert("token_lifetime_for_web".into(), json!(7_200));
    map.insert(
        "skip_consent_for_verifiable_first_party_clients".into(),
        json!(false),
    );
    map
}

fn to_json(rs: &ResourceServer) -> Value {
    serde_json::to_value(rs).unwrap_or(Value::Null)
}

fn string_field(
    body: &mut Map<String, Value>,
    key: &str,
    min: usize,
    max: usize,
) -> Result<Option<String>, ApiError> {
    match body.remove(key) {
        None => Ok(None),
        Some(Value::String(s)) => {
            let len = s.chars().count();
            if len < min || len > max || (key == "name" && (s.contains('<') || s.contains('>'))) {
                return Err(ApiError::invalid_body(format!(
                    "Payload validation error: 'String does not meet the schema (length {min}-{max})' on property {key}."
                )));
            }
            Ok(Some(s))
        }
        Some(_) => Err(ApiError::invalid_body(format!(
            "Payload validation error: 'Expected type string' on property {key}."
        ))),
    }
}

/// `allow_offline_access`, a boolean in the setup document's schema.
fn offline_access(body: &mut Map<String, Value>) -> Result<Option<bool>, ApiError> {
    match body.remove("allow_offline_access") {
        None => Ok(None),
        Some(Value::Bool(allow)) => Ok(Some(allow)),
        Some(other) => Err(ApiError::invalid_body(format!(
            "Payload validation error: 'Expected type boolean but found type {}' on property allow_offline_access.",
            json_type(&other)
        ))),
    }
}

/// The JSON-schema name of a value's type, as the server's validation messages use it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn scopes(body: &mut Map<String, Value>) -> Result<Option<Vec<Scope>>, ApiError> {
    let Some(value) = body.remove("scopes") else {
        return Ok(None);
    };
    let scopes: Vec<Scope> =
        serde_json::from_value(value).map_err(|e| super::serde_body_error(&e))?;
    for (i, s) in scopes.iter().enumerate() {
        let len = s.value.chars().count();
        if len == 0 || len > 280 {
            return Err(ApiError::invalid_body(format!(
                "Payload validation error: 'String does not meet the schema (length 1-280)' on property scopes[{i}].value."
            )));
        }
    }
    Ok(Some(scopes))
}

/// `GET /resource-servers` (`identifiers` filter, offset paging).
pub(super) fn list(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    _: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let paging = paging(request, DEFAULT_PER_PAGE)?;
    let wanted: Vec<&str> = request
        .query
        .iter()
        .filter(|(k, _)| k == "identifiers" || k == "identifiers[]")
        .map(|(_, v)| v.as_str())
        .collect();
    let items = ctx
        .state
        .tenant
        .resource_servers
        .iter()
        .filter(|rs| wanted.is_empty() || wanted.contains(&rs.identifier.as_str()))
        .map(to_json)
        .collect();
    Ok(json_response(
        200,
        &page_body(items, "resource_servers", paging, false),
    ))
}

/// `POST /resource-servers` `{identifier, name?, scopes?, …}`: 201; 409 for a taken identifier.
pub(super) fn create(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    _: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let mut body = request.json_object()?;
    let identifier = string_field(&mut body, "identifier", 1, 600)?.ok_or_else(|| {
        ApiError::invalid_body("Payload validation error: 'Missing required property: identifier'.")
    })?;
    let name = string_field(&mut body, "name", 1, 200)?;
    let scopes = scopes(&mut body)?.unwrap_or_default();
    let allow_offline_access = offline_access(&mut body)?.unwrap_or(false);
    body.remove("id");
    if ctx.state.tenant.resource_server(&identifier).is_some() {
        return Err(ApiError::new(
            409,
            "A resource server with the same identifier already exists.",
            Some("conflict"),
        ));
    }
    let mut extra: Metadata = defaults();
    extra.extend(body);
    let rs = ResourceServer {
        id: resource_server_id(&mut ctx.state.ids),
        name: Some(name.unwrap_or_else(|| identifier.clone())),
        identifier,
        scopes,
        allow_offline_access,
        extra,
    };
    let json = to_json(&rs);
    ctx.state.tenant.resource_servers.push(rs);
    Ok(json_response(201, &json))
}

fn position(ctx: &Ctx<'_>, id: &str) -> Result<usize, ApiError> {
    ctx.state
        .tenant
        .resource_servers
        .iter()
        .position(|rs| rs.id == id || rs.identifier == id)
        .ok_or_else(not_found)
}

/// The resource server with id or identifier `id`.
fn find<'s>(ctx: &'s Ctx<'_>, id: &str) -> Result<&'s ResourceServer, ApiError> {
    let i = position(ctx, id)?;
    ctx.state
        .tenant
        .resource_servers
        .get(i)
        .ok_or_else(not_found)
}

/// `GET /resource-servers/{id}`.
pub(super) fn get(
    ctx: &mut Ctx<'_>,
    _: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    Ok(json_response(200, &to_json(find(ctx, first(p))?)))
}

/// `PATCH /resource-servers/{id}`: `identifier` cannot change; new `scopes` replace the old
/// ones and assignments of removed scopes go with them. 201, as the setup document says.
pub(super) fn update(
    ctx: &mut Ctx<'_>,
    request: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let i = position(ctx, first(p))?;
    let mut body = request.json_object()?;
    if body.contains_key("identifier") || body.contains_key("id") {
        return Err(ApiError::invalid_body(
            "Payload validation error: 'Additional properties not allowed: identifier'.",
        ));
    }
    let name = string_field(&mut body, "name", 1, 200)?;
    let scopes = scopes(&mut body)?;
    let allow_offline_access = offline_access(&mut body)?;
    let rs = ctx
        .state
        .tenant
        .resource_servers
        .get_mut(i)
        .ok_or_else(not_found)?;
    if let Some(name) = name {
        rs.name = Some(name);
    }
    if let Some(allow) = allow_offline_access {
        rs.allow_offline_access = allow;
    }
    let scopes_changed = scopes.is_some();
    if let Some(scopes) = scopes {
        rs.scopes = scopes;
    }
    rs.extra.extend(body);
    let json = to_json(rs);
    if scopes_changed {
        ctx.state.tenant.prune_undefined_permissions();
    }
    Ok(json_response(201, &json))
}

/// `DELETE /resource-servers/{id}`: removes every assignment of its permissions; 204.
pub(super) fn delete(
    ctx: &mut Ctx<'_>,
    _: &ApiRequest,
    _: &Caller,
    p: &Params<'_>,
) -> Result<Response<Bytes>, ApiError> {
    let id = find(ctx, first(p))?.id.clone();
    ctx.state.tenant.delete_resource_server(&id);
    Ok(empty_response(204))
}
