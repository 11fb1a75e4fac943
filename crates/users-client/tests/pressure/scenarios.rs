//! Rate-limit scenarios, shared by the in-process and the real-backend runs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use tokio::time::Instant;
use users_client::transport::Transport;
use users_client::{Client, Error, RetryPolicy};

use crate::scripted::{Bucket, Scripted, Step, answer};

pub const USER: &str = r#"{"user_id":"auth0|1"}"#;

/// The storm of issue 16: every API request answered 429 (`limit` 10, `remaining` 0, reset two
/// seconds ahead) for `outage`, then a token bucket of `capacity` refilled at `per_sec`; each
/// answer `latency` late.
pub struct Storm {
    pub outage: Duration,
    pub capacity: u32,
    pub per_sec: f64,
    pub latency: Duration,
}

pub fn storm(s: Storm) -> Arc<Scripted> {
    let bucket = Mutex::new(None::<Bucket>);
    Scripted::new(move |_, server| {
        if server.elapsed() < s.outage {
            let reset = server.now_epoch_ms() / 1000 + 2;
            let headers = [
                ("x-ratelimit-limit", "10".to_owned()),
                ("x-ratelimit-remaining", "0".to_owned()),
                ("x-ratelimit-reset", reset.to_string()),
            ];
            return Step::Answer(s.latency, answer(429, &headers, r#"{"statusCode":429}"#));
        }
        let mut bucket = bucket.lock().unwrap();
        let bucket = bucket.get_or_insert_with(|| Bucket::full(s.capacity, s.per_sec));
        let (status, headers) = bucket.take(server);
        let body = if status == 200 {
            USER
        } else {
            r#"{"statusCode":429}"#
        };
        Step::Answer(s.latency, answer(status, &headers, body))
    })
}

/// A fixed bucket of `capacity` refilled at `per_sec`, each answer `latency` late.
pub fn fixed_bucket(capacity: u32, per_sec: f64, latency: Duration) -> Arc<Scripted> {
    let bucket = Mutex::new(None::<Bucket>);
    Scripted::new(move |_, server| {
        let mut bucket = bucket.lock().unwrap();
        let bucket = bucket.get_or_insert_with(|| Bucket::full(capacity, per_sec));
        let (status, headers) = bucket.take(server);
        let body = if status == 200 {
            USER
        } else {
            r#"{"statusCode":429}"#
        };
        Step::Answer(latency, answer(status, &headers, body))
    })
}

/// What a run of concurrent calls came to.
#[derive(Debug)]
pub struct Outcome {
    pub calls: usize,
    pub succeeded: usize,
    pub requests: usize,
    pub too_many: usize,
    pub slowest: Duration,
    pub errors: Vec<String>,
}

impl Outcome {
    pub fn too_many_share(&self) -> f64 {
        self.too_many as f64 / self.requests.max(1) as f64
    }
}

pub fn client(
    transport: Arc<dyn Transport>,
    base_url: Option<String>,
    policy: RetryPolicy,
) -> Client {
    let b = Client::builder()
        .transport(transport)
        .token("TOKEN")
        .retry(policy);
    match base_url {
        Some(url) => b.base_url(url),
        None => b.domain("tenant.example"),
    }
    .build()
    .unwrap()
}

/// `calls` concurrent `get`s on clones of `client`, each from its own task.
pub async fn concurrent_gets(client: &Client, server: &Scripted, calls: usize) -> Outcome {
    let tasks = (0..calls).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            let start = Instant::now();
            let result = client.users().get(&format!("auth0|{i}")).await;
            (result, start.elapsed())
        })
    });
    let results: Vec<(Result<_, Error>, Duration)> = join_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    Outcome {
        calls,
        succeeded: results.iter().filter(|(r, _)| r.is_ok()).count(),
        requests: server.server.total(),
        too_many: server.server.answers(429),
        slowest: results.iter().map(|(_, d)| *d).max().unwrap_or_default(),
        errors: results
            .iter()
            .filter_map(|(r, _)| r.as_ref().err().map(ToString::to_string))
            .take(5)
            .collect(),
    }
}

/// The same inputs through `bulk()` (for the comparison in BENCHMARKS.md).
pub async fn bulk_gets(client: &Client, server: &Scripted, calls: usize) -> Outcome {
    let start = Instant::now();
    let inputs = futures_util::stream::iter((0..calls).map(|i| (format!("auth0|{i}"), ())));
    let items = client
        .bulk()
        .concurrency(64)
        .each(inputs, |client, id, ()| async move {
            client.users().get(&id).await
        })
        .run()
        .await;
    Outcome {
        calls,
        succeeded: items.iter().filter(|i| i.result.is_ok()).count(),
        requests: server.server.total(),
        too_many: server.server.answers(429),
        slowest: start.elapsed(),
        errors: Vec::new(),
    }
}

pub const STORM: Storm = Storm {
    outage: Duration::from_secs(10),
    capacity: 100,
    per_sec: 50.0,
    latency: Duration::from_millis(100),
};

/// 2,000 concurrent calls, 10 s of 429s, 100 ms latency: every call succeeds once the server
/// recovers, within its deadline, and the server sees at most 10% more requests than calls.
#[tokio::test(start_paused = true)]
async fn a_429_storm_on_2000_concurrent_calls() {
    let server = storm(STORM);
    let client = client(server.clone(), None, RetryPolicy::default());
    let run = concurrent_gets(&client, &server, 2000).await;
    eprintln!("storm, concurrent calls: {run:?}");
    assert_eq!(run.succeeded, run.calls, "{:?}", run.errors);
    assert!(
        run.requests <= 2200,
        "{} requests for 2000 calls",
        run.requests
    );
    assert!(run.slowest <= Duration::from_secs(120), "{:?}", run.slowest);
}

#[tokio::test(start_paused = true)]
async fn the_storm_through_bulk_for_comparison() {
    let server = storm(STORM);
    let client = client(server.clone(), None, RetryPolicy::default());
    let run = bulk_gets(&client, &server, 2000).await;
    eprintln!("storm, bulk(): {run:?}");
    // Pacing keeps one operation in flight while the bucket is empty, so that one is the probe
    // of every reset and may spend its four attempts inside the 10 s outage.
    assert!(run.succeeded >= run.calls - 4, "{run:?}");
    assert!(run.requests <= 2200, "{}", run.requests);
}

/// 500 concurrent calls against a fixed 50 req/s bucket: all succeed, 429s under 5% of requests.
#[tokio::test(start_paused = true)]
async fn a_fixed_50_per_second_bucket_with_500_concurrent_calls() {
    let server = fixed_bucket(50, 50.0, Duration::from_millis(50));
    let client = client(server.clone(), None, RetryPolicy::default());
    let run = concurrent_gets(&client, &server, 500).await;
    eprintln!("fixed bucket, concurrent calls: {run:?}");
    assert_eq!(run.succeeded, run.calls, "{:?}", run.errors);
    assert!(run.too_many_share() < 0.05, "{run:?}");
    assert!(run.slowest <= Duration::from_secs(120), "{:?}", run.slowest);
}

#[tokio::test(start_paused = true)]
async fn the_fixed_bucket_through_bulk_for_comparison() {
    let server = fixed_bucket(50, 50.0, Duration::from_millis(50));
    let client = client(server.clone(), None, RetryPolicy::default());
    let run = bulk_gets(&client, &server, 500).await;
    eprintln!("fixed bucket, bulk(): {run:?}");
    assert_eq!(run.succeeded, run.calls);
    assert!(run.too_many_share() < 0.05, "{run:?}");
}

/// The server keeps the bucket empty, resetting ten seconds ahead; with a 12 s deadline and a
/// 10 s cap on any one wait, every caller returns by its deadline plus one attempt's latency.
#[tokio::test(start_paused = true)]
async fn the_deadline_covers_gate_holds() {
    let latency = Duration::from_millis(100);
    let server = Scripted::new(move |_, server| {
        let reset = server.now_epoch_ms() / 1000 + 10;
        let headers = [
            ("x-ratelimit-limit", "10".to_owned()),
            ("x-ratelimit-remaining", "0".to_owned()),
            ("x-ratelimit-reset", reset.to_string()),
        ];
        Step::Answer(latency, answer(429, &headers, "{}"))
    });
    let deadline = Duration::from_secs(12);
    let policy = RetryPolicy::default()
        .with_deadline(Some(deadline))
        .with_max_rate_limit_wait(Duration::from_secs(10));
    let client = client(server.clone(), None, policy);
    let run = concurrent_gets(&client, &server, 20).await;
    assert_eq!(run.succeeded, 0);
    assert!(run.slowest <= deadline + latency, "{:?}", run.slowest);
    // Held callers do not each provoke a 429: one probe per reset.
    assert!(run.requests <= 4, "{run:?}");
}

/// Values that used to panic: a wait cap of `Duration::MAX` after `remaining: 0`, and a reset
/// or `Retry-After` far beyond any clock.
#[tokio::test(start_paused = true)]
async fn extreme_waits_from_the_policy_or_the_server_do_not_panic() {
    for (reset, retry_after) in [
        ("9223372036854775807", "18446744073709551615"),
        ("18446744073709551615", "Fri, 31 Dec 9999 23:59:59 GMT"),
        ("-1", "-5"),
        ("garbage", "1e999"),
    ] {
        let server = Scripted::new(move |_, _| {
            let headers = [
                ("x-ratelimit-limit", "10".to_owned()),
                ("x-ratelimit-remaining", "0".to_owned()),
                ("x-ratelimit-reset", reset.to_owned()),
                ("retry-after", retry_after.to_owned()),
            ];
            Step::Answer(Duration::ZERO, answer(429, &headers, "{}"))
        });
        let policy = RetryPolicy::default()
            .with_max_rate_limit_wait(Duration::MAX)
            .with_max_backoff(Duration::MAX)
            .with_base_delay(Duration::MAX)
            .with_deadline(Some(Duration::from_secs(30)));
        let client = client(server.clone(), None, policy);
        for _ in 0..2 {
            let e = client.users().get("auth0|1").await.unwrap_err();
            assert!(
                e.is_rate_limited() || matches!(e, Error::DeadlineExceeded { .. }),
                "{e:?}"
            );
        }
        let unbounded = client_with(
            server.clone(),
            RetryPolicy::default()
                .with_deadline(None)
                .with_max_attempts(1),
        );
        let e = unbounded
            .users()
            .get("auth0|1")
            .timeout(Some(Duration::MAX))
            .await
            .unwrap_err();
        assert!(e.is_rate_limited(), "{e:?}");
    }
}

fn client_with(server: Arc<Scripted>, policy: RetryPolicy) -> Client {
    client(server, None, policy)
}
