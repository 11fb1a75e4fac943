//! The operation descriptions against Auth0's OpenAPI document: every operation this project
//! serves is in the document with the same method and path, exactly the document's scopes, and a
//! success status the document lists; every described operation (served or not yet) is too.

use std::collections::BTreeSet;

use serde_json::Value;
use users_model::operation::{self, Operation};

fn spec() -> Value {
    let path = users_fixtures::spec_dir().join("management-api-users.oas.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("the OpenAPI document is JSON")
}

/// The document's operation for `op`'s method and path.
fn spec_operation<'a>(spec: &'a Value, op: &Operation) -> &'a Value {
    let method = op.method.as_str().to_ascii_lowercase();
    let found = &spec["paths"][op.path][method.as_str()];
    assert!(
        found.is_object(),
        "{} {} is not in the OpenAPI document",
        op.method,
        op.path
    );
    found
}

fn check(spec: &Value, op: &Operation) {
    let documented = spec_operation(spec, op);
    assert_eq!(
        documented["operationId"], op.id,
        "{} {}",
        op.method, op.path
    );
    let scopes: BTreeSet<&str> = documented["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_object())
        .flat_map(|s| s.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let described: BTreeSet<&str> = op.scopes.iter().copied().collect();
    assert_eq!(described, scopes, "scopes of {}", op.id);
    let success = op.success.to_string();
    assert!(
        documented["responses"].get(&success).is_some(),
        "{} answers {success}, which the document does not list",
        op.id
    );
}

/// The described operations the client and emulator do not serve yet.
fn not_yet_served() -> Vec<&'static Operation> {
    let all = [
        &operation::LIST_USER_ROLES,
        &operation::ASSIGN_USER_ROLES,
        &operation::REMOVE_USER_ROLES,
        &operation::LIST_USER_PERMISSIONS,
        &operation::ASSIGN_USER_PERMISSIONS,
        &operation::REMOVE_USER_PERMISSIONS,
        &operation::LIST_USER_ORGANIZATIONS,
        &operation::LIST_USER_LOGS,
        &operation::LIST_AUTHENTICATION_METHODS,
        &operation::GET_AUTHENTICATION_METHOD,
        &operation::CREATE_AUTHENTICATION_METHOD,
        &operation::REPLACE_AUTHENTICATION_METHODS,
        &operation::UPDATE_AUTHENTICATION_METHOD,
        &operation::DELETE_AUTHENTICATION_METHODS,
        &operation::DELETE_AUTHENTICATION_METHOD,
        &operation::LIST_ENROLLMENTS,
        &operation::DELETE_AUTHENTICATORS,
        &operation::DELETE_MULTIFACTOR_PROVIDER,
        &operation::INVALIDATE_REMEMBER_BROWSER,
        &operation::REGENERATE_RECOVERY_CODE,
        &operation::LIST_USER_SESSIONS,
        &operation::DELETE_USER_SESSIONS,
        &operation::LIST_USER_REFRESH_TOKENS,
        &operation::DELETE_USER_REFRESH_TOKENS,
        &operation::LIST_FEDERATED_TOKENSETS,
        &operation::DELETE_FEDERATED_TOKENSET,
        &operation::LIST_CONNECTED_ACCOUNTS,
        &operation::CLEAR_RISK_ASSESSORS,
    ];
    all.into_iter()
        .filter(|op| operation::all().all(|served| served.id != op.id))
        .collect()
}

#[test]
fn every_served_operation_is_the_documents() {
    let spec = spec();
    let served: Vec<&Operation> = operation::all().collect();
    assert!(
        served.len() >= 12,
        "only {} operations served",
        served.len()
    );
    for op in &served {
        check(&spec, op);
    }
}

#[test]
fn every_described_operation_is_the_documents() {
    let spec = spec();
    let described = not_yet_served();
    for op in described.iter().copied().chain(operation::all()) {
        check(&spec, op);
    }
    let ids: BTreeSet<&str> = described
        .iter()
        .copied()
        .chain(operation::all())
        .map(|op| op.id)
        .collect();
    assert_eq!(
        ids.len(),
        40,
        "node-auth0 v4's users, users-by-email and user-blocks managers have 40 operations"
    );
}

#[test]
fn paging_styles_follow_the_documents_query_parameters() {
    let spec = spec();
    for op in not_yet_served().into_iter().chain(operation::all()) {
        let documented = spec_operation(&spec, op);
        let params: BTreeSet<&str> = documented["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        let expected = match op.paging {
            operation::Paging::Offset => params.contains("page") && params.contains("per_page"),
            operation::Paging::Checkpoint => params.contains("from") && params.contains("take"),
            _ => !params.contains("per_page") && !params.contains("take"),
        };
        assert!(
            expected,
            "{} is described as {:?} but takes {params:?}",
            op.id, op.paging
        );
    }
}
