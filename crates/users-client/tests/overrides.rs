//! Per-call overrides (node-auth0's `initOverrides`): extra headers, retry policy, timeout and
//! skipping pre-send validation, each for one call only, seen on the wire through the transport
//! crate's capture and replay doubles.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use users_client::model::UserUpdate;
use users_client::transport::test_util::{CaptureTransport, ReplayEvent, ReplayTransport};
use users_client::transport::{Transport, TransportError};
use users_client::{Client, Error, RetryPolicy};

const USER: &str = r#"{"user_id":"auth0|1","email":"a@example.com"}"#;

fn client(transport: Arc<dyn Transport>) -> Client {
    Client::builder()
        .domain("tenant.auth0.com")
        .transport(transport)
        .token("TOKEN")
        .telemetry(false)
        .default_header("X-Correlation-ID", "client-default")
        .build()
        .expect("valid configuration")
}

fn header<'a>(request: &'a Request<Bytes>, name: &str) -> Vec<&'a str> {
    request
        .headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().expect("ascii"))
        .collect()
}

#[tokio::test]
async fn extra_headers_reach_the_wire_for_that_call_only() {
    let capture = Arc::new(CaptureTransport::responding(StatusCode::OK, USER));
    let c = client(capture.clone());
    c.users()
        .get("auth0|1")
        .header("X-Correlation-ID", "req-42")
        .header("auth0-custom-domain", "login.example.com")
        .await
        .expect("sent");
    c.users().get("auth0|1").await.expect("sent");
    let sent = capture.requests();
    assert_eq!(sent.len(), 2);
    // The call's value replaces the client's default of the same name.
    assert_eq!(header(&sent[0], "x-correlation-id"), ["req-42"]);
    assert_eq!(
        header(&sent[0], "auth0-custom-domain"),
        ["login.example.com"]
    );
    assert_eq!(header(&sent[0], "authorization"), ["Bearer TOKEN"]);
    assert_eq!(header(&sent[1], "x-correlation-id"), ["client-default"]);
    assert!(header(&sent[1], "auth0-custom-domain").is_empty());
}

#[tokio::test]
async fn unusable_headers_fail_the_call_before_sending() {
    let capture = Arc::new(CaptureTransport::responding(StatusCode::OK, USER));
    let c = client(capture.clone());
    for (name, value) in [
        ("Authorization", "Bearer other"),
        ("bad name", "v"),
        ("x-ok", "line\r\nbreak"),
    ] {
        let e = c
            .users()
            .get("auth0|1")
            .header(name, value)
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidArgument {
                    argument: "header",
                    ..
                }
            ),
            "{name}: {e:?}"
        );
        assert!(!format!("{e:?}").contains("Bearer other"));
    }
    assert_eq!(capture.requests().len(), 0);
    // The value of an override stays out of the call's Debug.
    let call = c.users().get("auth0|1").header("x-api-key", "k-secret");
    assert!(!format!("{call:?}").contains("k-secret"));
}

fn unavailable(counter: Arc<AtomicUsize>) -> CaptureTransport {
    CaptureTransport::new(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        let mut response = Response::new(Bytes::from_static(b"{}"));
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        Ok(response)
    })
}

#[tokio::test(start_paused = true)]
async fn a_retry_policy_for_one_call() {
    let count = Arc::new(AtomicUsize::new(0));
    let c = client(Arc::new(unavailable(count.clone())));
    let e = c
        .users()
        .get("auth0|1")
        .retry(RetryPolicy::disabled())
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!((e.attempts(), count.load(Ordering::SeqCst)), (1, 1));
    let e = c
        .users()
        .get("auth0|1")
        .retry(RetryPolicy::default().with_max_attempts(2))
        .await
        .unwrap_err();
    assert_eq!((e.attempts(), count.load(Ordering::SeqCst)), (2, 3));
    // Without an override the client's policy (four attempts) applies.
    let e = c.users().get("auth0|1").await.unwrap_err();
    assert_eq!((e.attempts(), count.load(Ordering::SeqCst)), (4, 7));
}

/// A transport that never answers.
struct Hang;

#[async_trait::async_trait]
impl Transport for Hang {
    async fn send(&self, _: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        std::future::pending().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_timeout_for_one_call() {
    let c = Client::builder()
        .domain("tenant.auth0.com")
        .transport(Arc::new(Hang))
        .token("TOKEN")
        .retry(RetryPolicy::disabled())
        .build()
        .expect("valid configuration");
    let start = tokio::time::Instant::now();
    let e = c
        .users()
        .get("auth0|1")
        .timeout(Some(Duration::from_secs(2)))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Transport { source, .. } if source.is_timeout()),
        "{e:?}"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    let start = tokio::time::Instant::now();
    let e = c.users().get("auth0|1").await.unwrap_err();
    assert!(
        matches!(&e, Error::Transport { source, .. } if source.is_timeout()),
        "{e:?}"
    );
    assert_eq!(start.elapsed(), users_client::DEFAULT_TIMEOUT);
}

#[tokio::test]
async fn skipping_validation_sends_a_field_this_version_does_not_know() {
    let mut update = UserUpdate::default();
    update
        .extra
        .insert("added_later".into(), serde_json::json!(true));
    let expected = Request::patch("https://tenant.auth0.com/api/v2/users/auth0%7C1")
        .header("content-type", "application/json")
        .body(Bytes::from_static(br#"{"added_later":true}"#))
        .expect("request");
    let mut answer = Response::new(Bytes::from_static(USER.as_bytes()));
    *answer.status_mut() = StatusCode::OK;
    let replay = Arc::new(
        ReplayTransport::new([ReplayEvent::new(expected, answer)])
            .ignore_header(http::header::AUTHORIZATION)
            .ignore_header(http::HeaderName::from_static("x-correlation-id")),
    );
    let c = client(replay.clone());
    let refused = c.users().update("auth0|1", &update).await.unwrap_err();
    assert!(matches!(refused, Error::Validation(_)), "{refused:?}");
    assert_eq!(
        replay.requests().len(),
        0,
        "validated calls stop before the network"
    );
    let user = c
        .users()
        .update("auth0|1", &update)
        .skip_validation()
        .await
        .expect("sent as is");
    assert_eq!(user.user_id.as_deref(), Some("auth0|1"));
    replay.assert_requests_match();
    replay.assert_done();
}
