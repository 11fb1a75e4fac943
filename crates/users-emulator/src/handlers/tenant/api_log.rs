//! `sapi` (Successful API Operation) events for the Management API writes of a user's
//! sessions, refresh tokens, token sets, risk assessors, authentication methods and MFA.
//!
//! Auth0's `sapi` schema: "Only emitted by the Management API on POST, DELETE, PATCH, and PUT"
//! ("Log Event Type Codes", tenant-logs `sapi`). Its `description` names the operation: the
//! emulator uses the OpenAPI document's `summary`, as the existing `PATCH /users/{id}` event
//! does ("Update a User"). Like that event, these are filed under the **target** user so
//! `GET /users/{id}/logs` shows them (**unconfirmed**: the real event concerns the caller).
//! `details.request` holds the method and path only: these bodies can carry TOTP secrets and
//! public keys, and the answers recovery codes, none of which belong in a log.

use bytes::Bytes;
use http::Response;
use serde_json::json;
use users_model::operation::{Operation, PathParams};

use super::hooks;
use crate::auth::Caller;
use crate::handlers::Ctx;

/// The operations that write a `sapi` event when they succeed, with the description (the
/// OpenAPI `summary` of the operation; a test compares them with the document).
pub(crate) const LOGGED: &[(&str, &str)] = &[
    ("delete_sessions_for_user", "Delete sessions for user"),
    (
        "delete_refresh_tokens_for_user",
        "Delete refresh tokens for a user",
    ),
    (
        "delete_federated-connections-tokensets_by_tokenset_id",
        "Deletes a tokenset for federated connections by id.",
    ),
    (
        "post_clear_assessors",
        "Clear risk assessment assessors for a specific user",
    ),
    (
        "post_authentication-methods",
        "Creates an authentication method for a given user",
    ),
    (
        "put_authentication-methods",
        "Update all authentication methods by replacing them with the given ones",
    ),
    (
        "patch_authentication-methods_by_authentication_method_id",
        "Update an authentication method",
    ),
    (
        "delete_authentication-methods",
        "Delete all authentication methods for the given user",
    ),
    (
        "delete_authentication-methods_by_authentication_method_id",
        "Delete an authentication method by ID",
    ),
    ("delete_authenticators", "Delete All Authenticators"),
    (
        "delete_multifactor_by_provider",
        "Delete a User's Multi-factor Provider",
    ),
    (
        "post_invalidate-remember-browser",
        "Invalidate All Remembered Browsers for Multi-factor Authentication (MFA)",
    ),
    (
        "post_recovery-code-regeneration",
        "Generate New Multi-factor Authentication (MFA) Recovery Code",
    ),
];

/// After `op` answered `response`: a `sapi` event on the target user when `op` is one of
/// [`LOGGED`], the answer is a success and the user exists (a token-set delete answers 204
/// for a user that does not exist; nothing happened to log).
pub(crate) fn after(
    ctx: &mut Ctx<'_>,
    caller: &Caller,
    op: &Operation,
    params: &PathParams<'_>,
    response: &Response<Bytes>,
) {
    if !response.status().is_success() {
        return;
    }
    let Some((_, description)) = LOGGED.iter().find(|(id, _)| *id == op.id) else {
        return;
    };
    let Some(user_id) = params.get("id").or_else(|| params.get("user_id")) else {
        return;
    };
    let args: Vec<&str> = params.values().collect();
    let path = op.render_path(&args).unwrap_or_else(|_| op.path.to_owned());
    let details = json!({"request": {
        "method": op.method.as_str().to_ascii_lowercase(),
        "path": format!("/api/v2{path}"),
    }});
    hooks::api_operation(
        ctx.state,
        ctx.now_ms,
        &caller.claims.azp,
        user_id,
        description,
        details,
    );
}

#[cfg(test)]
mod tests {
    use super::LOGGED;
    use serde_json::Value;
    use users_model::operation::{self, Method};

    #[test]
    fn every_logged_operation_is_a_served_write() {
        for (id, _) in LOGGED {
            let op = operation::all()
                .find(|op| op.id == *id)
                .unwrap_or_else(|| panic!("{id} is not a served operation"));
            assert_ne!(op.method, Method::Get, "{id}: reads are not logged");
        }
    }

    #[test]
    fn descriptions_are_the_openapi_summaries() {
        let path = users_fixtures::spec_dir().join("management-api-users.oas.json");
        let text = std::fs::read_to_string(&path).expect("the users OpenAPI document");
        let spec: Value = serde_json::from_str(&text).expect("JSON");
        let summaries: Vec<(&str, &str)> = spec["paths"]
            .as_object()
            .expect("paths")
            .values()
            .filter_map(Value::as_object)
            .flat_map(|ops| ops.values())
            .filter_map(|op| Some((op["operationId"].as_str()?, op["summary"].as_str()?)))
            .collect();
        for (id, description) in LOGGED {
            let summary = summaries.iter().find(|(op, _)| op == id).map(|(_, s)| *s);
            assert_eq!(summary, Some(*description), "{id}");
        }
    }
}
