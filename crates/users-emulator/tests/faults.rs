//! Fault injection through `/__emulator/faults`: every kind, in every front end.

mod common;

use std::time::Instant;

use common::{Api, BACKENDS, uid};
use serde_json::json;

async fn add(api: &Api, rule: serde_json::Value) {
    let reply = api
        .call("POST", "/__emulator/faults", None, Some(rule))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[tokio::test]
async fn status_fault_answers_n_times_then_stops() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        add(&api, json!({"method":"GET","path_prefix":"/api/v2/users","count":2,
            "action":{"kind":"status","status":503,"body":{"statusCode":503,"error":"Service Unavailable","message":"try later"},"headers":{"x-test":"1"}}}))
        .await;
        for _ in 0..2 {
            let reply = api.call("GET", "/api/v2/users", Some(&token), None).await;
            assert_eq!(reply.status, 503);
            assert_eq!(reply.body["message"], "try later");
            assert_eq!(reply.header("x-test"), Some("1"));
        }
        let normal = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(normal.status, 200);
        let pending = api.call("GET", "/__emulator/faults", None, None).await;
        assert_eq!(pending.body, json!([]));
    }
}

#[tokio::test]
async fn method_and_prefix_must_match() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        add(&api, json!({"method":"POST","path_prefix":"/api/v2/users","action":{"kind":"status","status":500}})).await;
        let get = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(get.status, 200, "GET does not match a POST rule");
        let cleared = api.call("DELETE", "/__emulator/faults", None, None).await;
        assert_eq!(cleared.status, 204);
        let invalid = api
            .call(
                "POST",
                "/__emulator/faults",
                None,
                Some(json!({"path_prefix":"/x","count":0,"action":{"kind":"reset"}})),
            )
            .await;
        assert_eq!(invalid.status, 400);
    }
}

#[tokio::test]
async fn latency_delays_then_answers() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        add(
            &api,
            json!({"path_prefix":"/api/v2/users","action":{"kind":"latency","ms":150}}),
        )
        .await;
        let started = Instant::now();
        let reply = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(reply.status, 200);
        assert!(
            started.elapsed().as_millis() >= 150,
            "the delay is at least the configured one"
        );
    }
}

#[tokio::test]
async fn reset_and_truncate_break_the_exchange_after_processing() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        add(
            &api,
            json!({"method":"POST","path_prefix":"/api/v2/users","action":{"kind":"reset"}}),
        )
        .await;
        let body = json!({"connection":"Username-Password-Authentication","email":"r@example.com","password":"pw"});
        let reset = api
            .raw(
                "POST",
                "/api/v2/users",
                Some(&token),
                Some("application/json"),
                serde_json::to_vec(&body).expect("json").into(),
            )
            .await;
        let error = reset.expect_err("connection reset");
        assert!(error.may_have_been_sent());
        let listed = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(
            listed.body.as_array().map(Vec::len),
            Some(1),
            "the request was processed"
        );

        add(
            &api,
            json!({"method":"GET","path_prefix":"/api/v2/users","action":{"kind":"truncate"}}),
        )
        .await;
        let truncated = api
            .raw(
                "GET",
                "/api/v2/users",
                Some(&token),
                None,
                bytes::Bytes::new(),
            )
            .await;
        assert!(truncated.is_err(), "a truncated body is a transport error");
        let again = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(uid(&again.body[0]), uid(&listed.body[0]));
    }
}

#[tokio::test]
async fn malformed_json_is_a_200_that_does_not_parse() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        add(
            &api,
            json!({"path_prefix":"/api/v2/users","action":{"kind":"malformed_json"}}),
        )
        .await;
        let reply = api
            .raw(
                "GET",
                "/api/v2/users",
                Some(&token),
                None,
                bytes::Bytes::new(),
            )
            .await
            .expect("a complete response");
        assert_eq!(reply.status, 200);
        assert!(serde_json::from_slice::<serde_json::Value>(&reply.raw).is_err());
    }
}
