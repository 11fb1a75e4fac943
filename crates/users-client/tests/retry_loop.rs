//! The attempt loop around `retry::decide` and the shared rate-limit gate, with paused time.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;
use support::{FnTransport, Reply, builder, client, json as reply_json, json_h};
use users_client::model::{IdentityUserId, LinkRequest, Provider, UserCreate};
use users_client::transport::TransportErrorKind;
use users_client::{Error, RetryPolicy};

fn rate_limited() -> Reply {
    json(429)
}

fn json(status: u16) -> Reply {
    reply_json(
        status,
        json!({"statusCode": status, "error": "x", "message": "m", "errorCode": "c"}),
    )
}

fn ok() -> Reply {
    reply_json(200, json!({"user_id": "u"}))
}

fn link_req() -> LinkRequest {
    LinkRequest::Identity {
        provider: Provider::Auth0,
        user_id: IdentityUserId::String("2".into()),
        connection_id: None,
    }
}

fn create_req() -> UserCreate {
    let mut c = UserCreate::new("Username-Password-Authentication");
    c.email = Some("a@example.com".into());
    c.password = Some(users_client::model::Password::new(
        "a long enough Passw0rd!",
    ));
    c
}

/// A JSON answer with `status` saying the bucket (limit 10) is empty until `reset_in` seconds
/// from now.
fn bucket_empty(status: u16, reset_in: i64, body: &'static str) -> Reply {
    let reset = (epoch_secs() + reset_in).to_string();
    support::response(
        status,
        &[
            ("content-type", "application/json"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-limit", "10"),
            ("x-ratelimit-reset", &reset),
        ],
        body,
    )
}

fn epoch_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let t = FnTransport::new(|_, i| {
        if i == 0 {
            json_h(429, &[("retry-after", "7")], json!({"statusCode": 429}))
        } else {
            ok()
        }
    });
    let start = tokio::time::Instant::now();
    let r = client(t.clone())
        .users()
        .get("a")
        .with_response()
        .await
        .unwrap();
    assert_eq!(r.attempts, 2);
    let seen = t.requests();
    let gap = seen[1].at - seen[0].at;
    assert!(
        gap >= Duration::from_secs(7) && gap < Duration::from_secs(8),
        "{gap:?}"
    );
    assert!(start.elapsed() >= Duration::from_secs(7));
}

#[tokio::test(start_paused = true)]
async fn rate_limit_reset_is_waited_for() {
    let t = FnTransport::new(|_, i| {
        if i == 0 {
            bucket_empty(429, 4, "{}")
        } else {
            ok()
        }
    });
    client(t.clone()).users().get("a").await.unwrap();
    let seen = t.requests();
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_secs(2), "waited only {gap:?}");
    assert!(gap <= Duration::from_secs(6), "waited {gap:?}");
}

#[tokio::test(start_paused = true)]
async fn rate_limits_are_retried_even_for_posts_and_exhaust_with_attempt_count() {
    let t = FnTransport::new(|_, _| rate_limited());
    let c = client(t.clone());
    let e = c.users().link("auth0|1", &link_req()).await.unwrap_err();
    assert!(e.is_rate_limited());
    assert_eq!(e.attempts(), 4);
    assert_eq!(t.count(), 4);
    assert!(e.to_string().contains("after 4 attempts"), "{e}");
    assert_eq!(e.error_code(), Some("c"));
}

#[tokio::test(start_paused = true)]
async fn server_errors_retry_idempotent_calls_only() {
    let t = FnTransport::new(|_, i| if i < 2 { json(503) } else { ok() });
    let r = client(t.clone())
        .users()
        .get("a")
        .with_response()
        .await
        .unwrap();
    assert_eq!(r.attempts, 3);

    for status in [500, 502, 503, 504] {
        let t = FnTransport::new(move |_, _| json(status));
        let e = client(t.clone())
            .users()
            .create(&create_req())
            .await
            .unwrap_err();
        assert_eq!(
            t.count(),
            1,
            "POST /users must not be repeated after {status}"
        );
        assert_eq!(e.status().unwrap().as_u16(), status);
        assert!(e.is_retryable());
        let t = FnTransport::new(move |_, _| json(status));
        client(t.clone())
            .users()
            .link("auth0|1", &link_req())
            .await
            .unwrap_err();
        assert_eq!(
            t.count(),
            1,
            "a link with unknown outcome must not be repeated"
        );
    }

    let t = FnTransport::new(|_, _| json(501));
    let e = client(t.clone()).users().get("a").await.unwrap_err();
    assert_eq!(t.count(), 1, "501 is not retried");
    assert!(!e.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn transport_failures_follow_idempotency() {
    // An I/O failure after sending: GET retried, POST not.
    let t = FnTransport::new(|_, i| {
        if i == 0 {
            Reply::Error(TransportErrorKind::Io)
        } else {
            ok()
        }
    });
    client(t.clone()).users().get("a").await.unwrap();
    assert_eq!(t.count(), 2);
    let t = FnTransport::new(|_, _| Reply::Error(TransportErrorKind::Io));
    let e = client(t.clone())
        .users()
        .link("auth0|1", &link_req())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { attempts: 1, .. }), "{e:?}");
    assert_eq!(t.count(), 1);
    // A refused connection never reached the server: safe to repeat even a POST.
    let t = FnTransport::new(|_, i| {
        if i == 0 {
            Reply::Error(TransportErrorKind::Connect)
        } else {
            reply_json(201, json!({"user_id": "n"}))
        }
    });
    client(t.clone())
        .users()
        .create(&create_req())
        .await
        .unwrap();
    assert_eq!(t.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn per_attempt_timeout_is_enforced_and_retried_for_get() {
    let t = FnTransport::new(|_, _| Reply::Hang);
    let c = builder(t.clone())
        .token("T")
        .timeout(Some(Duration::from_secs(2)))
        .build()
        .unwrap();
    let e = c.users().get("a").await.unwrap_err();
    match &e {
        Error::Transport { source, attempts } => {
            assert!(source.is_timeout());
            assert_eq!(*attempts, 4);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.is_retryable());
    let t = FnTransport::new(|_, _| Reply::Hang);
    let c = builder(t.clone())
        .token("T")
        .timeout(Some(Duration::from_secs(2)))
        .build()
        .unwrap();
    c.users().create(&create_req()).await.unwrap_err();
    assert_eq!(
        t.count(),
        1,
        "a timed-out create may have happened: not repeated"
    );
}

#[tokio::test(start_paused = true)]
async fn policy_attempts_and_deadline_are_respected() {
    let t = FnTransport::new(|_, _| rate_limited());
    let policy = RetryPolicy::default().with_max_attempts(7);
    let c = builder(t.clone()).token("T").retry(policy).build().unwrap();
    let e = c.users().get("a").await.unwrap_err();
    assert_eq!(e.attempts(), 7);

    let t = FnTransport::new(|_, _| json_h(429, &[("retry-after", "30")], json!({})));
    let policy = RetryPolicy::default()
        .with_max_attempts(10)
        .with_deadline(Some(Duration::from_secs(45)));
    let c = builder(t.clone()).token("T").retry(policy).build().unwrap();
    let start = tokio::time::Instant::now();
    let e = c.users().get("a").await.unwrap_err();
    assert_eq!(
        e.attempts(),
        2,
        "a second 30 s wait would pass the 45 s deadline"
    );
    assert!(start.elapsed() < Duration::from_secs(45));

    let t = FnTransport::new(|_, _| rate_limited());
    let c = builder(t.clone())
        .token("T")
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    c.users().get("a").await.unwrap_err();
    assert_eq!(t.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn gate_holds_new_requests_of_every_clone_until_reset() {
    let t = FnTransport::new(|_, i| {
        if i == 0 {
            bucket_empty(200, 3, "{\"user_id\":\"u\"}")
        } else {
            support::response(
                200,
                &[
                    ("content-type", "application/json"),
                    ("x-ratelimit-remaining", "9"),
                    ("x-ratelimit-limit", "10"),
                ],
                "{\"user_id\":\"u\"}",
            )
        }
    });
    let c = client(t.clone());
    let r = c.users().get("a").with_response().await.unwrap();
    assert_eq!(r.rate_limit.unwrap().remaining, Some(0));
    assert_eq!(c.rate_limit().unwrap().remaining, Some(0));
    let other = c.clone();
    other.users().get("b").await.unwrap();
    let seen = t.requests();
    let gap = seen[1].at - seen[0].at;
    assert!(
        gap >= Duration::from_secs(2),
        "the clone did not wait: {gap:?}"
    );
    // remaining > 0 released the hold: the next call goes straight out.
    let before = tokio::time::Instant::now();
    c.users().get("c").await.unwrap();
    assert_eq!(t.requests()[2].at, before);
    assert_eq!(c.rate_limit().unwrap().remaining, Some(9));
}

#[tokio::test(start_paused = true)]
async fn node_v4_retry_sequences() {
    // runtime.test.ts retry cases that apply (retryWhen is not offered; see the report).
    let fx = support::fixture("v4-tests/runtime_retry__sequences.json");
    for case in fx["cases"].as_array().unwrap() {
        let it = case["it"].as_str().unwrap();
        let statuses: Vec<Option<u16>> = case["responses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_u64()
                    .or_else(|| r["status"].as_u64())
                    .map(|s| s as u16)
            })
            .collect();
        let config = &case["config"];
        if config.get("middleware").is_some()
            || config["retry"].get("retryWhen").is_some()
            || case["responses"][0].get("delayConnection_ms").is_some()
        {
            continue;
        }
        let policy = if config["retry"]["enabled"] == json!(false) {
            RetryPolicy::disabled()
        } else {
            RetryPolicy::default().with_max_attempts(
                config["retry"]["maxRetries"]
                    .as_u64()
                    .map_or(4, |n| n as u32 + 1),
            )
        };
        let s2 = statuses.clone();
        let t = FnTransport::new(move |_, i| {
            let st = s2[i.min(s2.len() - 1)].unwrap();
            if st == 200 {
                reply_json(200, json!({"user_id": "123"}))
            } else {
                json(st)
            }
        });
        let c = builder(t.clone())
            .token("TOKEN")
            .retry(policy)
            .build()
            .unwrap();
        let got = c.users().get("x").await;
        let expect = &case["expect"];
        assert_eq!(
            t.count() as u64,
            expect["total_requests"].as_u64().unwrap(),
            "{it}"
        );
        match expect["rejects_with_statusCode"].as_u64() {
            Some(code) => assert_eq!(
                got.unwrap_err().status().unwrap().as_u16() as u64,
                code,
                "{it}"
            ),
            None => assert!(got.is_ok(), "{it}"),
        }
    }
}
