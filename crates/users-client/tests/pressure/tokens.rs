//! The token endpoint under pressure: single flight for failures too, waits within the deadline,
//! values that used to panic or stick.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::future::join_all;
use tokio::time::Instant;
use users_client::{Client, DEFAULT_TIMEOUT, Error, RetryPolicy};

use crate::scenarios::USER;
use crate::scripted::{Scripted, Step, answer};

const TOKEN_PATH: &str = "/oauth/token";

fn grant_client(server: Arc<Scripted>, policy: RetryPolicy) -> Client {
    Client::builder()
        .domain("tenant.example")
        .transport(server)
        .client_credentials("id", "secret")
        .retry(policy)
        .build()
        .unwrap()
}

/// Token requests answered by `token`, API requests with a user.
fn with_token_endpoint(token: impl Fn(usize) -> Step + Send + Sync + 'static) -> Arc<Scripted> {
    let fetches = AtomicUsize::new(0);
    Scripted::new(move |request, _| {
        if request.uri().path() == TOKEN_PATH {
            token(fetches.fetch_add(1, Ordering::SeqCst))
        } else {
            Step::Answer(Duration::from_millis(10), answer(200, &[], USER))
        }
    })
}

async fn concurrent(client: &Client, n: usize) -> Vec<(Result<(), Error>, Duration)> {
    let tasks = (0..n).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            let start = Instant::now();
            let result = client.users().get(&format!("auth0|{i}")).await.map(drop);
            (result, start.elapsed())
        })
    });
    join_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

/// Ten callers against a token endpoint that never answers: each fails by its deadline plus
/// one attempt's timeout, and the endpoint sees one fetch (at most four attempts) for all.
#[tokio::test(start_paused = true)]
async fn a_dead_token_endpoint_fails_every_caller_within_its_deadline() {
    let server = with_token_endpoint(|_| Step::Hang);
    let policy = RetryPolicy::default();
    let deadline = policy.deadline.unwrap();
    let client = grant_client(server.clone(), policy);
    let results = concurrent(&client, 10).await;
    for (result, took) in &results {
        let e = result.as_ref().unwrap_err();
        assert!(
            matches!(e, Error::DeadlineExceeded { .. }) || e.is_retryable(),
            "{e:?}"
        );
        assert!(*took <= deadline + DEFAULT_TIMEOUT, "{took:?}");
    }
    let fetches = server.server.requests_to(TOKEN_PATH);
    assert!(fetches <= 4, "{fetches} token requests; {results:?}");
    assert_eq!(server.server.requests_to("/api/v2/users/auth0%7C0"), 0);
}

/// Twenty callers against a token endpoint answering 503: one fetch of at most four attempts,
/// whose error every caller of that generation receives.
#[tokio::test(start_paused = true)]
async fn a_failing_token_endpoint_is_asked_once_per_generation() {
    let server = with_token_endpoint(|_| {
        Step::Answer(
            Duration::from_millis(20),
            answer(503, &[], r#"{"error":"temporarily_unavailable"}"#),
        )
    });
    let client = grant_client(server.clone(), RetryPolicy::default());
    let results = concurrent(&client, 20).await;
    for (result, _) in &results {
        let e = result.as_ref().unwrap_err();
        assert!(matches!(e, Error::Token(t) if t.status == 503), "{e:?}");
        assert_eq!(e.error_code(), Some("temporarily_unavailable"));
    }
    assert!(
        server.server.requests_to(TOKEN_PATH) <= 4,
        "{}",
        server.server.requests_to(TOKEN_PATH)
    );
    // The next caller starts a new generation.
    assert!(client.users().get("auth0|x").await.is_err());
    assert!(server.server.requests_to(TOKEN_PATH) <= 8);
}

/// `expires_in` = u64::MAX used to overflow `Instant + Duration` on every call.
#[tokio::test(start_paused = true)]
async fn an_endless_token_lifetime_is_cached_not_a_panic() {
    let server = with_token_endpoint(|_| {
        let body = format!(r#"{{"access_token":"T","expires_in":{}}}"#, u64::MAX);
        Step::Answer(Duration::ZERO, answer(200, &[], &body))
    });
    let client = grant_client(server.clone(), RetryPolicy::default());
    for i in 0..3 {
        client.users().get(&format!("auth0|{i}")).await.unwrap();
    }
    assert_eq!(server.server.requests_to(TOKEN_PATH), 1);
}

/// A token with CR LF or NUL cannot be sent: it is the token endpoint's error, never cached, so
/// the next call asks again and gets the good token.
#[tokio::test(start_paused = true)]
async fn a_token_a_header_cannot_carry_is_never_cached() {
    for bad in ["bad\r\ntoken", "nul\u{0}token"] {
        let server = with_token_endpoint(move |fetch| {
            let token = if fetch == 0 { bad } else { "GOOD" };
            let body = serde_json::json!({"access_token": token, "expires_in": 86400}).to_string();
            Step::Answer(Duration::ZERO, answer(200, &[], &body))
        });
        let client = grant_client(server.clone(), RetryPolicy::default());
        let e = client.users().get("auth0|1").await.unwrap_err();
        assert_eq!(e.error_code(), Some("invalid_access_token"), "{e:?}");
        assert!(
            !format!("{e} {e:?}").contains("token\u{0}") && !format!("{e:?}").contains("bad\r")
        );
        client.users().get("auth0|1").await.unwrap();
        client.users().get("auth0|2").await.unwrap();
        assert_eq!(server.server.requests_to(TOKEN_PATH), 2);
    }
}
