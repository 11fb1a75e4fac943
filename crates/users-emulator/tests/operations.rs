//! The emulator routes and authorizes every served operation from its description
//! (`users_model::operation`): each one is reached (never the unknown-path 404), and a token
//! without any of its scopes gets the spec's 403.

mod common;

use common::{Api, BACKENDS, Backend};
use users_emulator::default_scopes;
use users_model::operation;

/// A path for `op` with placeholder arguments.
fn path_of(op: &operation::Operation) -> String {
    let args: Vec<&str> = op
        .path_params()
        .map(|name| match name {
            "provider" => "auth0",
            _ => "auth0|nobody",
        })
        .collect();
    format!(
        "/api/v2{}",
        op.render_path(&args).expect("placeholder arguments render")
    )
}

fn is_unknown_path(reply: &common::Reply) -> bool {
    reply.status == 404 && reply.body["message"] == "Not Found"
}

#[tokio::test]
async fn every_served_operation_is_routed_on_every_backend() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        let mut routed = 0;
        for op in operation::all() {
            let body = matches!(
                op.method,
                operation::Method::Post | operation::Method::Put | operation::Method::Patch
            )
            .then(|| serde_json::json!({}));
            let reply = api
                .call(op.method.as_str(), &path_of(op), Some(&token), body)
                .await;
            assert!(
                !is_unknown_path(&reply),
                "{backend:?}: {} {} was not routed",
                op.method,
                op.path
            );
            assert_ne!(
                reply.status, 403,
                "{backend:?}: {} refused a full-scope token: {}",
                op.id, reply.body
            );
            routed += 1;
        }
        assert!(routed >= 12, "{routed} operations");
    }
}

#[tokio::test]
async fn a_token_without_the_operations_scopes_is_refused_with_insufficient_scope() {
    let api = Api::default(Backend::InProcess).await;
    let granted = default_scopes();
    for op in operation::all() {
        let Some(other) = granted.iter().find(|s| !op.scopes.contains(s)) else {
            continue;
        };
        let token = api.token(Some(other)).await;
        let body = matches!(
            op.method,
            operation::Method::Post | operation::Method::Put | operation::Method::Patch
        )
        .then(|| serde_json::json!({}));
        let reply = api
            .call(op.method.as_str(), &path_of(op), Some(&token), body)
            .await;
        assert_eq!(
            reply.status, 403,
            "{} with only {other}: {}",
            op.id, reply.body
        );
        assert_eq!(reply.body["errorCode"], "insufficient_scope", "{}", op.id);
        let message = reply.body["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("Insufficient scope"),
            "{}: {message}",
            op.id
        );
        // The server's texts do not always list every scope (GET /users names only
        // read:users), but always at least one that allows the operation.
        assert!(
            op.scopes.iter().any(|s| message.contains(s)),
            "{}: {message} names none of {:?}",
            op.id,
            op.scopes
        );
    }
}

#[test]
fn the_default_application_holds_every_administrative_scope_of_the_served_operations() {
    let granted = default_scopes();
    for op in operation::all() {
        assert!(
            op.scopes.iter().any(|s| granted.contains(s)),
            "{} cannot be called by the default application",
            op.id
        );
    }
    assert!(granted.iter().all(|s| !s.contains("current_user")));
    assert!(granted.contains(&"read:users") && granted.contains(&"update:users_app_metadata"));
}
