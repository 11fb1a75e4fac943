//! Bulk runs against the in-process emulator: one result per input in order, failures per item,
//! the concurrency bound, the progress hook, and 429s from a tight bucket absorbed.
//!
//! The emulator runs on its real clock here (the gate compares `x-ratelimit-reset` with the wall
//! clock), so buckets are small and fast to keep each test well under a few seconds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream;
use serde_json::json;
use users_client::model::{IdentityUserId, LinkRequest, Patch, Provider, UserUpdate};
use users_client::transport::{Transport, TransportError};
use users_client::{Client, MetadataKind, Progress, RetryPolicy};
use users_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, RateLimitConfig,
};

/// Wraps a transport to count API requests in flight (their maximum) and 429 answers, and
/// optionally to hold each API request a little so that concurrency can build up.
struct Counting {
    inner: Emulator,
    delay: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    too_many: AtomicUsize,
    api_requests: AtomicUsize,
}

impl Counting {
    fn new(inner: Emulator, delay: Duration) -> Arc<Self> {
        Arc::new(Self {
            inner,
            delay,
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            too_many: AtomicUsize::new(0),
            api_requests: AtomicUsize::new(0),
        })
    }
}

#[async_trait::async_trait]
impl Transport for Counting {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let api = request.uri().path().starts_with("/api/v2/");
        if !api {
            return self.inner.send(request).await;
        }
        self.api_requests.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let result = self.inner.send(request).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Ok(response) = &result
            && response.status() == http::StatusCode::TOO_MANY_REQUESTS
        {
            self.too_many.fetch_add(1, Ordering::SeqCst);
        }
        result
    }
}

fn id(i: usize) -> String {
    format!("auth0|bulk{i:04}")
}

/// An emulator with `n` users `auth0|bulk0000..` and the given bucket.
fn emulator(n: usize, rate_limit: RateLimitConfig) -> Emulator {
    let mut config = EmulatorConfig::default();
    config.rate_limit = rate_limit;
    let emulator = Emulator::new(config);
    let users: Vec<_> = (0..n)
        .map(|i| {
            json!({"user_id": id(i), "connection": "Username-Password-Authentication",
                   "email": format!("bulk{i}@example.com"), "user_metadata": {"keep": i}})
        })
        .collect();
    emulator.seed(&json!({ "users": users })).expect("seed");
    emulator
}

fn client(transport: Arc<dyn Transport>, retry: RetryPolicy) -> Client {
    Client::builder()
        .domain("tenant.example")
        .transport(transport)
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .retry(retry)
        .build()
        .expect("client")
}

fn nickname(value: &str) -> UserUpdate {
    let mut update = UserUpdate::default();
    update.nickname = Patch::Set(value.into());
    update
}

const GENEROUS: RateLimitConfig = RateLimitConfig::new(1000, 1000.0);

#[tokio::test]
async fn every_input_gets_a_result_in_order_and_failures_do_not_stop_the_rest() {
    let n = 30;
    let emulator = emulator(n, GENEROUS);
    let client = client(Arc::new(emulator), RetryPolicy::default());
    // Every seventh id does not exist: those must fail with 404 and nothing else.
    let missing = |i: usize| i % 7 == 3;
    let inputs: Vec<_> = (0..n)
        .map(|i| {
            let user = if missing(i) {
                format!("auth0|nobody{i}")
            } else {
                id(i)
            };
            (user, nickname(&format!("nick{i}")))
        })
        .collect();
    let expected_ids: Vec<String> = inputs.iter().map(|(u, _)| u.clone()).collect();

    // Spawned: a run is `Send + 'static`, so it can go to a background task.
    let run = client.bulk().concurrency(5).updates(inputs).run();
    let results = tokio::spawn(run).await.expect("bulk task");

    assert_eq!(results.len(), n);
    for (i, item) in results.iter().enumerate() {
        assert_eq!(item.index, i);
        assert_eq!(item.user_id, expected_ids[i]);
        match &item.result {
            Ok(user) => {
                assert!(!missing(i), "item {i} should have failed");
                assert_eq!(user.nickname.as_deref(), Some(format!("nick{i}").as_str()));
            }
            Err(e) => assert!(missing(i) && e.is_not_found(), "item {i}: {e}"),
        }
    }
    // The updates really were stored, including those after the first failure.
    for i in [0, 4, n - 1] {
        let stored = client.users().get(&id(i)).await.expect("get");
        assert_eq!(
            stored.nickname.as_deref(),
            Some(format!("nick{i}").as_str())
        );
    }
}

#[tokio::test]
async fn the_concurrency_bound_is_respected_and_used() {
    for limit in [1, 4] {
        let transport = Counting::new(emulator(24, GENEROUS), Duration::from_millis(5));
        let client = client(transport.clone(), RetryPolicy::default());
        let inputs = (0..24).map(|i| (id(i), nickname("c")));
        let results = client.bulk().concurrency(limit).updates(inputs).run().await;
        assert!(results.iter().all(|r| r.result.is_ok()));
        assert_eq!(transport.api_requests.load(Ordering::SeqCst), 24);
        // Never above the bound, and the bound is actually reached (the run is concurrent).
        assert_eq!(transport.max_in_flight.load(Ordering::SeqCst), limit);
    }
}

#[tokio::test]
async fn progress_counts_up_by_one_to_the_total() {
    let n = 12;
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let log = Arc::clone(&seen);
    let client = client(Arc::new(emulator(n, GENEROUS)), RetryPolicy::default());
    // Two unknown ids so that the failure counter moves too.
    let inputs = (0..n).map(|i| {
        let user = if i < 2 {
            format!("auth0|ghost{i}")
        } else {
            id(i)
        };
        (user, nickname("p"))
    });
    let results = client
        .bulk()
        .concurrency(3)
        .on_progress(move |p| log.lock().expect("log").push(*p))
        .updates(inputs)
        .run()
        .await;
    let seen = seen.lock().expect("log").clone();
    assert_eq!(seen.len(), n);
    for (k, p) in seen.iter().enumerate() {
        assert_eq!(p.done, k + 1);
        assert_eq!(p.succeeded + p.failed, p.done);
        assert_eq!(p.total, Some(n));
    }
    let last = seen.last().expect("at least one call");
    assert_eq!((last.succeeded, last.failed), (n - 2, 2));
    assert!(results[0].result.as_ref().is_err_and(|e| e.is_not_found()));
}

#[tokio::test]
async fn deletes_remove_each_user() {
    let n = 5;
    let client = client(Arc::new(emulator(n, GENEROUS)), RetryPolicy::default());
    let results = client.bulk().deletes((0..n).map(id)).run().await;
    assert_eq!(results.len(), n);
    for (i, item) in results.iter().enumerate() {
        assert_eq!((item.index, item.user_id.as_str()), (i, id(i).as_str()));
        assert!(item.result.is_ok(), "{item:?}");
        let gone = client.users().get(&id(i)).await.expect_err("deleted");
        assert!(gone.is_not_found());
    }
}

/// Small and fast: 30 requests through a bucket of 10 refilling 100 a second. The reset header
/// has whole-second resolution, so each emptying costs up to 1.2 s of waiting; the bucket is big
/// enough that refills are not lost meanwhile, keeping this to two or three rounds.
const TIGHT: RateLimitConfig = RateLimitConfig::new(10, 100.0);

/// Held per request so that requests overlap: in-process, an undelayed request completes
/// before the next one starts, and the gate alone would then prevent every 429.
const OVERLAP: Duration = Duration::from_millis(3);

/// Enough attempts that an unlucky item is never given up on within the test.
fn patient() -> RetryPolicy {
    RetryPolicy::default().with_max_attempts(20)
}

/// The shared gate keeps one client's requests within the bucket, so the 429s here come from
/// what it cannot see: a second client (another process, in real life) draining the same
/// tenant's bucket at the same time.
#[tokio::test]
async fn without_pacing_429s_from_a_tight_bucket_are_retried_to_success() {
    let n = 30;
    let transport = Counting::new(emulator(n, TIGHT), OVERLAP);
    let run = |client: Client, label: &'static str| async move {
        let inputs = (0..n).map(move |i| (id(i), nickname(label)));
        client
            .bulk()
            .concurrency(8)
            .pace(false)
            .updates(inputs)
            .run()
            .await
    };
    let (first, second) = tokio::join!(
        run(client(transport.clone(), patient()), "tight-a"),
        run(client(transport.clone(), patient()), "tight-b"),
    );
    let failures: Vec<_> = first
        .iter()
        .chain(&second)
        .filter(|r| r.result.is_err())
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    // The bucket really pushed back, so the retries above were exercised.
    assert!(transport.too_many.load(Ordering::SeqCst) > 0);
}

#[tokio::test]
async fn pacing_waits_for_the_reset_instead_of_collecting_429s() {
    let n = 30;
    let transport = Counting::new(emulator(n, TIGHT), OVERLAP);
    let client = client(transport.clone(), patient());
    let last = Arc::new(Mutex::new(None::<Progress>));
    let log = Arc::clone(&last);
    let inputs = (0..n).map(|i| (id(i), nickname("paced")));
    let results = client
        .bulk()
        .concurrency(8)
        .on_progress(move |p| *log.lock().expect("log") = Some(*p))
        .updates(inputs)
        .run()
        .await;
    assert!(results.iter().all(|r| r.result.is_ok()));
    let too_many = transport.too_many.load(Ordering::SeqCst);
    // 30 requests through a bucket of 10 cannot all pass at once: the run waited, and it
    // provoked at most a stray 429 where answers overtook each other (unpaced, with 8 in
    // flight, every drained bucket costs several).
    let last = last.lock().expect("log").expect("progress");
    assert!(last.rate_limited_waits > 0);
    assert!(too_many <= 2, "{too_many} answers were 429");
    assert_eq!(transport.api_requests.load(Ordering::SeqCst), n + too_many);
}

#[tokio::test]
async fn the_streaming_variant_yields_every_input_once_from_a_slow_source() {
    let n = 15;
    let client = client(Arc::new(emulator(n, GENEROUS)), RetryPolicy::default());
    let inputs = stream::iter(0..n).then(|i| async move {
        tokio::time::sleep(Duration::from_millis(1)).await;
        (id(i), i)
    });
    let run = client
        .bulk()
        .concurrency(4)
        .each(inputs, |client, id, i| async move {
            let stored = client
                .users()
                .update(&id, &nickname(&format!("s{i}")))
                .await?;
            Ok((i, stored.nickname))
        });
    let items: Vec<_> = run.collect().await;
    let mut indexes: Vec<usize> = items.iter().map(|item| item.index).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..n).collect::<Vec<_>>());
    for item in &items {
        let (i, nick) = item.result.as_ref().expect("updated");
        assert_eq!(item.index, *i);
        assert_eq!(item.user_id, id(*i));
        assert_eq!(nick.as_deref(), Some(format!("s{i}").as_str()));
    }
}

#[tokio::test]
async fn metadata_changes_go_through_the_read_modify_write_helper() {
    let n = 6;
    let client = client(Arc::new(emulator(n, GENEROUS)), RetryPolicy::default());
    let results = client
        .bulk()
        .update_metadata(MetadataKind::User, (0..n).map(id), |current| {
            let mut next = current.cloned().unwrap_or_default();
            next.insert("migrated".into(), json!(true));
            next
        })
        .run()
        .await;
    for (i, item) in results.iter().enumerate() {
        let meta = item.result.as_ref().expect("stored").user_metadata.clone();
        let meta = meta.expect("metadata");
        // The existing key survives: only the difference was sent.
        assert_eq!(meta.get("keep"), Some(&json!(i)));
        assert_eq!(meta.get("migrated"), Some(&json!(true)));
    }

    let desired = (0..2).map(|i| {
        let mut m = serde_json::Map::new();
        m.insert("only".into(), json!(i));
        (id(i), m)
    });
    let results = client
        .bulk()
        .set_metadata(MetadataKind::App, desired)
        .run()
        .await;
    let stored = results[1].result.as_ref().expect("stored");
    assert_eq!(
        stored.app_metadata.as_ref().and_then(|m| m.get("only")),
        Some(&json!(1))
    );
}

#[tokio::test]
async fn links_attach_each_secondary_to_its_primary() {
    let emulator = emulator(2, GENEROUS);
    emulator
        .seed(&json!({"users": [
            {"user_id": "google-oauth2|1150", "connection": "google-oauth2", "email": "g0@example.com"},
            {"user_id": "google-oauth2|1151", "connection": "google-oauth2", "email": "g1@example.com"}
        ]}))
        .expect("seed");
    let client = client(Arc::new(emulator), RetryPolicy::default());
    let link = |secondary: &str| LinkRequest::Identity {
        provider: Provider::GoogleOauth2,
        user_id: IdentityUserId::String(secondary.into()),
        connection_id: None,
    };
    let inputs = vec![
        (id(0), link("1150")),
        (id(1), link("1151")),
        (id(1), link("9999")),
    ];
    let results = client.bulk().links(inputs).run().await;
    assert_eq!(results[0].result.as_ref().map(Vec::len).ok(), Some(2));
    assert_eq!(results[1].result.as_ref().map(Vec::len).ok(), Some(2));
    assert!(
        results[2].result.is_err(),
        "an unknown secondary cannot be linked"
    );
}
