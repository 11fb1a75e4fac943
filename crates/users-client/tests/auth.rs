//! Token acquisition: client credentials through the client's transport, cached until
//! `expires_in - 10 s`, single flight, failures not cached, one refresh on a 401, and the
//! per-call bearer override. Time is paused, so these are instant and deterministic.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use support::{FnTransport, Reply, Seen, builder, fixture, json as reply_json, token_reply};
use users_client::{Client, Error, RetryPolicy};

fn cc_client(t: Arc<FnTransport>) -> Client {
    builder(t)
        .client_credentials("CID", "SECRET")
        .build()
        .unwrap()
}

/// Token endpoint issues AT1, AT2, ... (one per request); the API answers 200 to anything.
fn counting_tokens(expires_in: u64, delay: Duration) -> Arc<FnTransport> {
    let issued = Arc::new(AtomicUsize::new(0));
    FnTransport::new(move |s: &Seen, _| {
        if s.is_token_request() {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            Reply::Delayed(delay, Box::new(token_reply(&format!("AT{n}"), expires_in)))
        } else {
            reply_json(200, json!({"user_id": "u"}))
        }
    })
}

#[tokio::test(start_paused = true)]
async fn token_request_matches_node_form_body() {
    let fx = fixture("v4-tests/token_provider__client_credentials.json");
    let t = counting_tokens(86_400, Duration::ZERO);
    let opts = &fx["options"];
    let c = Client::builder()
        .domain(opts["domain"].as_str().unwrap())
        .transport(t.clone())
        .telemetry(false)
        .client_credentials(
            opts["clientId"].as_str().unwrap(),
            opts["clientSecret"].as_str().unwrap(),
        )
        .audience(opts["audience"].as_str().unwrap())
        .build()
        .unwrap();
    c.users().get("a").await.unwrap();
    let token_req = &t.requests()[0];
    assert_eq!(token_req.method, http::Method::POST);
    assert_eq!(token_req.uri, fx["request"]["url"].as_str().unwrap());
    assert_eq!(
        token_req.header("content-type"),
        fx["request"]["content_type"].as_str()
    );
    assert_eq!(
        std::str::from_utf8(&token_req.body).unwrap(),
        fx["request"]["body_raw"].as_str().unwrap()
    );
    assert!(token_req.header("authorization").is_none());
    assert_eq!(t.requests()[1].header("authorization"), Some("Bearer AT1"));
}

#[tokio::test(start_paused = true)]
async fn default_audience_uses_domain_or_base_url() {
    let t = counting_tokens(86_400, Duration::ZERO);
    cc_client(t.clone()).users().get("a").await.unwrap();
    let body = String::from_utf8(t.requests()[0].body.to_vec()).unwrap();
    assert!(
        body.contains("audience=https%3A%2F%2Ftenant.auth0.com%2Fapi%2Fv2%2F"),
        "{body}"
    );

    let t = counting_tokens(86_400, Duration::ZERO);
    let c = Client::builder()
        .base_url("http://127.0.0.1:9/prefix/")
        .transport(t.clone())
        .client_credentials("CID", "SECRET")
        .build()
        .unwrap();
    c.users().get("a").await.unwrap();
    let req = &t.requests()[0];
    assert_eq!(req.uri, "http://127.0.0.1:9/prefix/oauth/token");
    let body = String::from_utf8(req.body.to_vec()).unwrap();
    assert!(
        body.contains("audience=http%3A%2F%2F127.0.0.1%3A9%2Fprefix%2Fapi%2Fv2%2F"),
        "{body}"
    );
    assert_eq!(
        t.requests()[1].uri,
        "http://127.0.0.1:9/prefix/api/v2/users/a"
    );
}

#[tokio::test(start_paused = true)]
async fn token_cached_until_expiry_leeway() {
    let t = counting_tokens(100, Duration::ZERO);
    let c = cc_client(t.clone());
    c.users().get("a").await.unwrap();
    c.clone().users().get("b").await.unwrap();
    assert_eq!(
        t.token_requests(),
        1,
        "second call (and a clone) reuse the token"
    );
    tokio::time::advance(Duration::from_secs(89)).await;
    c.users().get("c").await.unwrap();
    assert_eq!(t.token_requests(), 1, "89 s < 100 s - 10 s leeway");
    tokio::time::advance(Duration::from_millis(1_500)).await;
    c.users().get("d").await.unwrap();
    assert_eq!(t.token_requests(), 2, "inside the 10 s leeway: refreshed");
    let api = t.api_requests();
    assert_eq!(api[2].header("authorization"), Some("Bearer AT1"));
    assert_eq!(api[3].header("authorization"), Some("Bearer AT2"));
}

#[tokio::test(start_paused = true)]
async fn node_leeway_case_refreshes() {
    // token-provider.test.ts: "should get a new access token if token expires in leeway"
    let t = counting_tokens(86_400, Duration::ZERO);
    let c = cc_client(t.clone());
    c.users().get("a").await.unwrap();
    tokio::time::advance(Duration::from_millis(86_395_000)).await;
    c.users().get("a").await.unwrap();
    assert_eq!(t.token_requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn fifty_concurrent_callers_share_one_token_request() {
    let t = counting_tokens(86_400, Duration::from_secs(1));
    let c = cc_client(t.clone());
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let c = c.clone();
            tokio::spawn(async move { c.users().get(&format!("u{i}")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(t.token_requests(), 1);
    let api = t.api_requests();
    assert_eq!(api.len(), 50);
    assert!(
        api.iter()
            .all(|s| s.header("authorization") == Some("Bearer AT1"))
    );
}

#[tokio::test(start_paused = true)]
async fn token_failure_is_not_cached() {
    let t = FnTransport::new(|s: &Seen, i| {
        if !s.is_token_request() {
            reply_json(200, json!({"user_id": "u"}))
        } else if i == 0 {
            reply_json(
                401,
                json!({"error": "access_denied", "error_description": "Unauthorized"}),
            )
        } else {
            token_reply("GOOD", 86_400)
        }
    });
    let c = cc_client(t.clone());
    let e = c.users().get("a").await.unwrap_err();
    match &e {
        Error::Token(tok) => {
            assert_eq!(tok.status.as_u16(), 401);
            assert_eq!(tok.error.as_deref(), Some("access_denied"));
            assert_eq!(tok.error_description.as_deref(), Some("Unauthorized"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.error_code(), Some("access_denied"));
    c.users().get("a").await.unwrap();
    assert_eq!(t.token_requests(), 2);
    assert_eq!(
        t.api_requests()[0].header("authorization"),
        Some("Bearer GOOD")
    );
}

#[tokio::test(start_paused = true)]
async fn node_failed_then_ok_case() {
    // token-provider.test.ts "should not cache failed requests": 500 then 200. With retries
    // off (node's token requests are not retried) the first call fails, the second succeeds.
    let t = FnTransport::new(|s: &Seen, i| {
        if !s.is_token_request() {
            reply_json(200, json!({}))
        } else if i == 0 {
            reply_json(500, json!({}))
        } else {
            token_reply("my-access-token", 86_400)
        }
    });
    let c = builder(t.clone())
        .client_credentials("CID", "SECRET")
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    let e = c.users().get("a").await.unwrap_err();
    assert!(
        matches!(&e, Error::Token(tok) if tok.status.as_u16() == 500),
        "{e:?}"
    );
    assert!(e.is_retryable());
    c.users().get("a").await.unwrap();
    assert_eq!(
        t.api_requests()[0].header("authorization"),
        Some("Bearer my-access-token")
    );
}

#[tokio::test(start_paused = true)]
async fn transient_token_endpoint_failure_is_retried() {
    let t = FnTransport::new(|s: &Seen, i| {
        if !s.is_token_request() {
            reply_json(200, json!({}))
        } else if i == 0 {
            support::json_h(
                429,
                &[("retry-after", "2")],
                json!({"error": "too_many_requests"}),
            )
        } else {
            token_reply("T2", 86_400)
        }
    });
    let c = cc_client(t.clone());
    let start = tokio::time::Instant::now();
    c.users().get("a").await.unwrap();
    assert_eq!(t.token_requests(), 2);
    assert!(start.elapsed() >= Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_401_refreshes_the_token_once() {
    let t = FnTransport::new({
        let issued = AtomicUsize::new(0);
        move |s: &Seen, _| {
            if s.is_token_request() {
                let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                token_reply(&format!("AT{n}"), 86_400)
            } else if s.header("authorization") == Some("Bearer AT1") {
                reply_json(
                    401,
                    json!({"statusCode": 401, "error": "Unauthorized", "message": "Invalid token."}),
                )
            } else {
                reply_json(200, json!({"user_id": "u"}))
            }
        }
    });
    let c = cc_client(t.clone());
    let r = c.users().get("a").with_response().await.unwrap();
    assert_eq!(r.attempts, 2);
    let all: Vec<String> = t
        .requests()
        .iter()
        .map(|s| format!("{} {}", s.method, s.header("authorization").unwrap_or("-")))
        .collect();
    assert_eq!(
        all,
        ["POST -", "GET Bearer AT1", "POST -", "GET Bearer AT2"]
    );
    // The fresh token is cached for later calls.
    c.users().get("b").await.unwrap();
    assert_eq!(t.token_requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_second_401_is_returned_not_looped() {
    let t = FnTransport::new(|s: &Seen, _| {
        if s.is_token_request() {
            token_reply("AT", 86_400)
        } else {
            reply_json(
                401,
                json!({"statusCode": 401, "error": "Unauthorized", "message": "Invalid token."}),
            )
        }
    });
    let c = cc_client(t.clone());
    let e = c.users().get("a").await.unwrap_err();
    assert!(e.is_unauthorized());
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(t.api_requests().len(), 2);
    assert_eq!(t.token_requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn static_token_401_is_not_repeated() {
    let t = FnTransport::new(|_, _| reply_json(401, json!({"message": "Invalid token."})));
    let c = support::client(t.clone());
    let e = c.users().get("a").await.unwrap_err();
    assert!(e.is_unauthorized());
    assert_eq!(t.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn per_call_bearer_overrides_and_skips_the_grant() {
    let t = counting_tokens(86_400, Duration::ZERO);
    let c = cc_client(t.clone());
    let req = users_client::model::LinkRequest::Token {
        link_with: users_client::model::LinkToken::new("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"),
    };
    let t2 = FnTransport::new(|_, _| reply_json(200, json!([])));
    let c2 = builder(t2.clone()).token("MGMT").build().unwrap();
    c2.users()
        .link("auth0|primary", &req)
        .bearer("PRIMARY_USER_TOKEN")
        .await
        .unwrap();
    assert_eq!(
        t2.requests()[0].header("authorization"),
        Some("Bearer PRIMARY_USER_TOKEN")
    );
    c.users().get("x").bearer("OTHER").await.unwrap();
    assert_eq!(
        t.token_requests(),
        0,
        "no grant needed for an overridden call"
    );
    assert_eq!(
        t.requests()[0].header("authorization"),
        Some("Bearer OTHER")
    );
}

#[tokio::test(start_paused = true)]
async fn empty_or_garbled_token_responses_are_errors() {
    for body in [
        "",
        "{\"access_token\": 5}",
        "[]",
        "{\"access_token\": \"\"}",
    ] {
        let body = body.to_owned();
        let t = FnTransport::new(move |s: &Seen, _| {
            if s.is_token_request() {
                support::response(200, &[], body.clone())
            } else {
                reply_json(200, json!({}))
            }
        });
        let e = cc_client(t.clone()).users().get("a").await.unwrap_err();
        assert!(matches!(e, Error::Decode(_) | Error::Token(_)), "{e:?}");
        assert!(t.api_requests().is_empty());
    }
}

/// A provider asked before every attempt: each attempt sends the token it returned, whether the
/// token stayed the same (the header value is reused) or changed between retries.
#[tokio::test(start_paused = true)]
async fn every_attempt_sends_the_providers_current_token() {
    struct Rotating(AtomicUsize);

    #[async_trait::async_trait]
    impl users_client::TokenProvider for Rotating {
        async fn access_token(&self) -> Result<users_client::SecretString, Error> {
            // T1, T1, T2, T2: the same token twice in a row, then a new one.
            let n = self.0.fetch_add(1, Ordering::SeqCst) / 2 + 1;
            Ok(format!("T{n}").into())
        }
    }

    let t = FnTransport::new(|_, i| {
        if i < 3 {
            reply_json(503, json!({"statusCode": 503}))
        } else {
            reply_json(200, json!({"user_id": "u"}))
        }
    });
    let c = builder(t.clone())
        .token_provider(Arc::new(Rotating(AtomicUsize::new(0))))
        .build()
        .unwrap();
    let r = c.users().get("a").with_response().await.unwrap();
    assert_eq!(r.attempts, 4);
    let sent: Vec<_> = t
        .requests()
        .iter()
        .map(|s| s.header("authorization").unwrap_or("-").to_owned())
        .collect();
    assert_eq!(sent, ["Bearer T1", "Bearer T1", "Bearer T2", "Bearer T2"]);
}

/// A per-call bearer and a static token are sent unchanged on every attempt of a retried call.
#[tokio::test(start_paused = true)]
async fn bearer_and_static_tokens_are_sent_on_every_attempt() {
    let t = FnTransport::new(|_, i| {
        if i % 2 == 0 {
            reply_json(503, json!({"statusCode": 503}))
        } else {
            reply_json(200, json!({"user_id": "u"}))
        }
    });
    let c = builder(t.clone()).token("MGMT").build().unwrap();
    c.users().get("a").await.unwrap();
    c.users().get("b").bearer("OVERRIDE").await.unwrap();
    let sent: Vec<_> = t
        .requests()
        .iter()
        .map(|s| s.header("authorization").unwrap_or("-").to_owned())
        .collect();
    assert_eq!(
        sent,
        [
            "Bearer MGMT",
            "Bearer MGMT",
            "Bearer OVERRIDE",
            "Bearer OVERRIDE"
        ]
    );
}

/// A static token that cannot be a header value is refused by `build()`; a per-call bearer
/// that cannot be is refused by its call, before anything is sent.
#[tokio::test(start_paused = true)]
async fn a_token_that_is_not_a_header_value_is_refused_before_sending() {
    let t = FnTransport::new(|_, _| reply_json(200, json!({"user_id": "u"})));
    let e = builder(t.clone()).token("bad\ntoken").build().unwrap_err();
    assert!(
        matches!(e, Error::Config(users_client::ConfigError::InvalidToken)),
        "{e:?}"
    );
    assert!(!format!("{e} {e:?}").contains("bad\ntoken"));
    let good = builder(t.clone()).token("MGMT").build().unwrap();
    for _ in 0..2 {
        let e = good
            .users()
            .get("a")
            .bearer("bad\rbearer")
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidArgument {
                    argument: "bearer",
                    ..
                }
            ),
            "{e:?}"
        );
    }
    assert_eq!(t.count(), 0);
}
