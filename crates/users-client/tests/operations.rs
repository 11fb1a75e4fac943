//! Operation behaviour beyond encoding: validation before the network, metadata helpers,
//! decoding, responses with metadata, and error mapping.

mod support;

use std::sync::Arc;

use serde_json::{Value, json};
use support::{FnTransport, Seen, builder, client, empty, json as reply_json};
use users_client::model::{
    MetadataPatch, Password, Patch, Timestamp, User, UserCreate, UserUpdate, ViolationKind,
};
use users_client::{Error, MetadataKind, RAW_BODY_CAP, preview_update};

fn meta(v: Value) -> users_client::model::Metadata {
    v.as_object().unwrap().clone()
}

/// GET returns `current`; PATCH echoes what a server would store (via preview_update).
fn user_store(current: Value) -> Arc<FnTransport> {
    FnTransport::new(move |s: &Seen, _| {
        let user: User = serde_json::from_value(current.clone()).unwrap();
        if s.method == http::Method::PATCH {
            let update: UserUpdate = serde_json::from_slice(&s.body).unwrap();
            let stored = preview_update(&user, &update, Timestamp::from_millis(0)).unwrap();
            reply_json(200, serde_json::to_value(stored).unwrap())
        } else {
            reply_json(200, current.clone())
        }
    })
}

#[tokio::test]
async fn update_metadata_sends_only_the_difference() {
    let t = user_store(json!({
        "user_id": "auth0|1",
        "user_metadata": {"profileCode": 1479, "addresses": {"work_address": "100 Industrial Way"}, "old": true},
        "app_metadata": {"plan": "free"}
    }));
    let c = client(t.clone());
    let stored = c
        .users()
        .update_metadata("auth0|1", MetadataKind::User, |current| {
            let mut next = current.cloned().unwrap();
            next.remove("old");
            next["addresses"]
                .as_object_mut()
                .unwrap()
                .insert("home_address".into(), json!("742 Evergreen Terrace"));
            next
        })
        .await
        .unwrap();
    let seen = t.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, http::Method::GET);
    assert_eq!(
        seen[1].json(),
        json!({"user_metadata": {
            "addresses": {"work_address": "100 Industrial Way", "home_address": "742 Evergreen Terrace"},
            "old": null
        }})
    );
    let m = stored.user_metadata.unwrap();
    assert_eq!(m["profileCode"], 1479, "untouched key kept");
    assert!(!m.contains_key("old"));
    assert_eq!(stored.app_metadata.unwrap()["plan"], "free");
}

#[tokio::test]
async fn set_metadata_without_changes_sends_no_patch() {
    let t = user_store(json!({"user_id": "auth0|1", "app_metadata": {"plan": "free"}}));
    let c = client(t.clone());
    let u = c
        .users()
        .set_app_metadata("auth0|1", meta(json!({"plan": "free"})))
        .await
        .unwrap();
    assert_eq!(u.app_metadata.unwrap()["plan"], "free");
    assert_eq!(t.count(), 1);
    c.users()
        .set_app_metadata("auth0|1", meta(json!({"plan": "pro"})))
        .await
        .unwrap();
    assert_eq!(
        t.requests()[2].json(),
        json!({"app_metadata": {"plan": "pro"}})
    );
    c.users()
        .set_user_metadata("auth0|1", meta(json!({"a": 1})))
        .await
        .unwrap();
    assert_eq!(t.requests()[4].json(), json!({"user_metadata": {"a": 1}}));
}

/// The metadata helpers are calls like every operation: a per-call bearer goes on both the read
/// and the patch, and `with_response` describes the last request sent (the PATCH, or the GET
/// when nothing changed).
#[tokio::test]
async fn metadata_helpers_are_calls_with_bearer_and_response() {
    let t = FnTransport::new(|s: &Seen, _| {
        let user = json!({"user_id": "auth0|1", "app_metadata": {"plan": "free"}});
        let marker = if s.method == http::Method::PATCH {
            "patch"
        } else {
            "get"
        };
        support::json_h(200, &[("x-answered", marker)], user)
    });
    let c = client(t.clone());
    let changed = c
        .users()
        .set_app_metadata("auth0|1", meta(json!({"plan": "pro"})))
        .bearer("user-token")
        .with_response()
        .await
        .unwrap();
    assert_eq!(changed.headers["x-answered"], "patch");
    assert_eq!(changed.attempts, 1);
    let seen = t.requests();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.header("authorization"), Some("Bearer user-token"));
    }
    let unchanged = c
        .users()
        .update_metadata("auth0|1", MetadataKind::App, |current| {
            current.cloned().unwrap_or_default()
        })
        .with_response()
        .await
        .unwrap();
    assert_eq!(unchanged.headers["x-answered"], "get");
    assert_eq!(unchanged.data.app_metadata.unwrap()["plan"], "free");
    assert_eq!(t.count(), 3, "no PATCH when nothing changes");
    assert_ne!(
        t.requests()[2].header("authorization"),
        Some("Bearer user-token"),
        "the bearer was for one call only"
    );
}

#[tokio::test]
async fn validation_reports_every_violation_before_the_network() {
    let t = FnTransport::new(|_, _| reply_json(200, json!({})));
    let c = client(t.clone());
    let e = c
        .users()
        .update("auth0|1", &UserUpdate::default())
        .await
        .unwrap_err();
    match &e {
        Error::Validation(v) => assert_eq!(v.first().unwrap().kind, ViolationKind::EmptyUpdate),
        other => panic!("{other:?}"),
    }
    let mut update = UserUpdate::default();
    update.email = Patch::Set("bad".into());
    update.password = Patch::Set(Password::new("hunter2-but-longer"));
    let e = c.users().update("auth0|1", &update).await.unwrap_err();
    let Error::Validation(v) = &e else {
        panic!("{e:?}")
    };
    assert!(v.len() >= 2, "all violations at once: {v}");
    assert_eq!(e.error_code(), Some("invalid_body"));
    assert_eq!(e.attempts(), 0);
    assert!(!e.to_string().contains("hunter2"));
    let e = c.users().create(&UserCreate::new("")).await.unwrap_err();
    assert!(matches!(e, Error::Validation(_)), "{e:?}");
    assert_eq!(t.count(), 0, "nothing was sent");

    // Turned off, the same update goes to the server.
    let c = builder(t.clone())
        .token("T")
        .validate_before_send(false)
        .build()
        .unwrap();
    assert!(!c.validates_before_send());
    c.users()
        .update("auth0|1", &UserUpdate::default())
        .await
        .unwrap();
    assert_eq!(t.requests()[0].json(), json!({}));
}

/// A body over the API's 1 MB limit: with validation on, a `BodyTooLarge` violation naming the
/// size of the body that would have been sent, with the other violations; with it off, an
/// argument error. Nothing is sent either way.
#[tokio::test]
async fn bodies_over_the_limit_are_refused_before_the_network() {
    let t = FnTransport::new(|_, _| reply_json(200, json!({})));
    let c = client(t.clone());
    let mut big = MetadataPatch::new();
    big.set("big", "x".repeat(users_client::model::MAX_BODY_BYTES));
    let mut update = UserUpdate::default();
    update.email = Patch::Set("not-an-email".into());
    update.user_metadata = Some(big.clone());
    let sent_len = serde_json::to_vec(&update).unwrap().len();
    let e = c.users().update("auth0|1", &update).await.unwrap_err();
    let Error::Validation(v) = &e else {
        panic!("{e:?}")
    };
    let kinds: Vec<_> = v.iter().map(|v| v.kind).collect();
    assert_eq!(kinds, [ViolationKind::Format, ViolationKind::BodyTooLarge]);
    let too_large = v.iter().last().unwrap();
    assert!(
        too_large
            .message
            .ends_with(&format!("(body is {sent_len} bytes)")),
        "{}",
        too_large.message
    );

    let mut create = UserCreate::new("Username-Password-Authentication");
    create.user_metadata = Some(big.as_map().clone());
    let e = c.users().create(&create).await.unwrap_err();
    let Error::Validation(v) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(v.first().unwrap().kind, ViolationKind::BodyTooLarge);

    let unchecked = builder(t.clone())
        .token("T")
        .validate_before_send(false)
        .build()
        .unwrap();
    let e = unchecked
        .users()
        .update("auth0|1", &update)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidArgument {
                argument: "body",
                ..
            }
        ),
        "{e:?}"
    );
    let e = unchecked.users().create(&create).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidArgument {
                argument: "body",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(t.count(), 0, "nothing was sent");
}

#[tokio::test]
async fn empty_or_wrong_2xx_bodies_are_decode_errors() {
    let t = FnTransport::new(|_, i| match i {
        0 => empty(200),
        1 => support::response(200, &[], "   "),
        2 => reply_json(200, json!([1, 2])),
        _ => support::response(200, &[], "{\"user_id\":"),
    });
    let c = client(t.clone());
    let mut update = UserUpdate::default();
    update.name = Patch::Set("x".into());
    for want in ["empty", "empty", "data", "eof"] {
        let e = c.users().update("a", &update).await.unwrap_err();
        let Error::Decode(d) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(d.category.as_str(), want);
        assert_eq!(e.status().unwrap().as_u16(), 200);
    }
    let t = FnTransport::new(|_, i| {
        if i == 0 {
            reply_json(503, json!({}))
        } else {
            empty(200)
        }
    });
    let e = client(t).users().get("a").await.unwrap_err();
    assert!(matches!(&e, Error::Decode(d) if d.empty_body), "{e:?}");
    assert_eq!(e.attempts(), 2);
    // A 204 to a DELETE is fine: its body is never read.
    let t = FnTransport::new(|_, _| empty(204));
    client(t).users().delete("a").await.unwrap();
}

#[tokio::test]
async fn with_response_exposes_status_headers_and_rate_limit() {
    let t = FnTransport::new(|_, _| {
        support::response(
            201,
            &[
                ("content-type", "application/json"),
                ("x-ratelimit-limit", "50"),
                ("x-ratelimit-remaining", "49"),
                ("x-ratelimit-reset", "1700000000"),
            ],
            "{\"user_id\":\"auth0|new\"}",
        )
    });
    let mut create = UserCreate::new("Username-Password-Authentication");
    create.email = Some("new@example.com".into());
    create.password = Some(Password::new("Str0ng passphrase!"));
    let r = client(t)
        .users()
        .create(&create)
        .with_response()
        .await
        .unwrap();
    assert_eq!(r.status.as_u16(), 201);
    assert_eq!(r.attempts, 1);
    assert_eq!(r.headers.get("x-ratelimit-limit").unwrap(), "50");
    let rl = r.rate_limit.unwrap();
    assert_eq!(
        (rl.limit, rl.remaining, rl.reset_epoch_secs),
        (Some(50), Some(49), Some(1_700_000_000))
    );
    assert_eq!(r.data.user_id.as_deref(), Some("auth0|new"));
}

#[tokio::test]
async fn error_mapping_keeps_http_status_and_body_fields() {
    // node-auth0 reports the body's statusCode (401) here; we report the HTTP status and keep
    // the body's value separately (see the error module docs).
    let fx =
        support::fixture("v4-tests/runtime_error__ManagementApiError_body_statusCode_wins.json");
    let body = fx["response"]["body"].clone();
    let status = fx["response"]["status"].as_u64().unwrap() as u16;
    let t = FnTransport::new(move |_, _| reply_json(status, body.clone()));
    let e = client(t).users().get("x").await.unwrap_err();
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.status.as_u16(), 428);
    assert_eq!(api.body_status_code, Some(401));
    assert_eq!(api.error.as_deref(), fx["expect"]["error"].as_str());
    assert_eq!(
        api.error_code.as_deref(),
        fx["expect"]["errorCode"].as_str()
    );
    assert_eq!(api.message.as_deref(), fx["expect"]["message"].as_str());
    assert!(
        !e.is_unauthorized(),
        "decided by the HTTP status, not the body"
    );

    let fx =
        support::fixture("v4-tests/runtime_error__ManagementApiError_fallback_http_status.json");
    let body = fx["response"]["body"].clone();
    let t = FnTransport::new(move |_, _| reply_json(428, body.clone()));
    let e = client(t).users().get("x").await.unwrap_err();
    assert_eq!(
        e.status().unwrap().as_u16() as u64,
        fx["expect"]["statusCode"].as_u64().unwrap()
    );

    let fx = support::fixture("v4-tests/runtime_error__ResponseError_no_payload.json");
    let st = fx["response"]["status"].as_u64().unwrap() as u16;
    let t = FnTransport::new(move |_, _| empty(st));
    let e = support::client_no_retry(t)
        .users()
        .get("x")
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::NonJsonErrorBody(n) if n.status.as_u16() == 428 && n.raw_body.is_empty()),
        "{e:?}"
    );

    // 404 predicate, non-object JSON, and the raw-body cap.
    let t = FnTransport::new(|_, _| {
        reply_json(
            404,
            json!({"statusCode": 404, "error": "Not Found", "message": "The user does not exist.", "errorCode": "inexistent_user"}),
        )
    });
    let e = client(t).users().get("x").await.unwrap_err();
    assert!(e.is_not_found() && !e.is_retryable() && !e.is_rate_limited());
    assert_eq!(e.error_code(), Some("inexistent_user"));
    assert_eq!(
        e.to_string(),
        "Management API error 404 (inexistent_user): The user does not exist."
    );
    let t = FnTransport::new(|_, _| reply_json(400, json!(["not", "an", "object"])));
    let e = client(t).users().get("x").await.unwrap_err();
    assert!(matches!(e, Error::NonJsonErrorBody(_)));
    let big = "x".repeat(10_000);
    let t = FnTransport::new(move |_, _| support::response(400, &[], big.clone()));
    let e = client(t).users().get("x").await.unwrap_err();
    let Error::NonJsonErrorBody(n) = &e else {
        panic!()
    };
    assert_eq!(n.raw_body.len(), RAW_BODY_CAP);
    assert!(!e.to_string().contains("xxxx"), "Display carries no body");
}

#[test]
fn preview_update_is_pure_and_validates() {
    let user: User = serde_json::from_value(json!({
        "user_id": "auth0|1",
        "identities": [{"provider": "auth0", "connection": "db", "user_id": "1", "isSocial": false}],
        "user_metadata": {"profileCode": 1479}
    }))
    .unwrap();
    let mut patch = MetadataPatch::new();
    patch.set("addresses", json!({"work_address": "100 Industrial Way"}));
    let mut update = UserUpdate::default();
    update.email = Patch::Set("Jane@Example.COM".into());
    update.user_metadata = Some(patch);
    let stored = preview_update(&user, &update, Timestamp::from_millis(1_700_000_000_000)).unwrap();
    assert_eq!(stored.email.as_deref(), Some("jane@example.com"));
    let m = stored.user_metadata.unwrap();
    assert_eq!(m["profileCode"], 1479);
    assert_eq!(m["addresses"]["work_address"], "100 Industrial Way");
    assert!(preview_update(&user, &UserUpdate::default(), Timestamp::from_millis(0)).is_err());
}
