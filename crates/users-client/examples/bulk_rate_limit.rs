//! Bulk updates at a tenant's rate limit: the bulk runner against a naive loop.
//!
//! ```sh
//! cargo run --release -p users-client --example bulk_rate_limit -- --n 10000 --scale 20
//! ```
//!
//! The emulator is served on `127.0.0.1:0` and reached over loopback HTTP through the reqwest
//! backend, enforcing a real tenant's limit shape, burst 50 and 16 requests a second, with both
//! numbers multiplied by `--scale` (default 20: burst 1000, 320/s) so that 10,000 updates take
//! about half a minute instead of ten.
//!
//! Two runs of the same `n` nickname updates at the same concurrency (`--concurrency`, default
//! 8), each on a fresh emulator with a full bucket:
//! - **bulk**: `client.bulk().updates(..)`: the shared gate, pacing to `x-ratelimit-remaining`
//!   and the default retry policy (429s retried);
//! - **naive**: what node-auth0 users write, `n` promises through a pool of the same size with
//!   no retries and no gate (the rate-limit headers are stripped before the client sees them).
//!
//! Theoretical throughput for a run lasting `D` seconds is `(burst + refill × D) / D`: the most
//! updates the bucket can admit in that time. A 429 is counted by a transport wrapper that reads
//! every response status.
//!
//! Flags: `--n N` (default 10000), `--scale S` (default 20), `--concurrency C` (default 8).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream;
use users_client::model::{Patch, UserUpdate};
use users_client::transport::{Transport, TransportConfig, TransportError};
use users_client::{Client, RetryPolicy};
use users_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, RateLimitConfig,
    RunningServer,
};

/// A real tenant's Management API bucket (the brief's figures), before scaling.
const BURST: u32 = 50;
const REFILL_PER_SEC: f64 = 16.0;

struct Args {
    n: usize,
    scale: u32,
    concurrency: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        n: 10_000,
        scale: 20,
        concurrency: 8,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--n" => args.n = number()?,
            "--scale" => {
                args.scale = u32::try_from(number()?).map_err(|_| "--scale is too large")?;
            }
            "--concurrency" => args.concurrency = number()?,
            _ => {
                return Err(format!(
                    "unknown flag {flag} (known: --n, --scale, --concurrency)"
                ));
            }
        }
    }
    if args.n == 0 || args.scale == 0 || args.concurrency == 0 {
        return Err("--n, --scale and --concurrency must be at least 1".into());
    }
    Ok(args)
}

/// Counts API requests and 429 answers below the client, where every attempt is visible.
struct Counting<T> {
    inner: T,
    strip_rate_limit: bool,
    requests: AtomicU64,
    too_many: AtomicU64,
}

#[async_trait::async_trait]
impl<T: Transport> Transport for Counting<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let api = request.uri().path().starts_with("/api/v2/");
        let mut result = self.inner.send(request).await;
        if let (true, Ok(response)) = (api, &mut result) {
            self.requests.fetch_add(1, Ordering::Relaxed);
            if response.status() == http::StatusCode::TOO_MANY_REQUESTS {
                self.too_many.fetch_add(1, Ordering::Relaxed);
            }
            if self.strip_rate_limit {
                // The naive loop's client must not learn the limit: no gate, as in node-auth0.
                for name in [
                    "x-ratelimit-limit",
                    "x-ratelimit-remaining",
                    "x-ratelimit-reset",
                ] {
                    response.headers_mut().remove(name);
                }
            }
        }
        result
    }
}

struct Outcome {
    name: &'static str,
    succeeded: usize,
    failed: usize,
    requests: u64,
    too_many: u64,
    elapsed: Duration,
    waits: Option<u64>,
}

/// A served emulator holding `n` users with the scaled bucket.
async fn serve(
    n: usize,
    limit: RateLimitConfig,
) -> Result<RunningServer, Box<dyn std::error::Error>> {
    let mut config = EmulatorConfig::default();
    config.rate_limit = limit;
    let emulator = Emulator::new(config);
    let users: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({"user_id": user_id(i), "connection": "Username-Password-Authentication",
                               "email": format!("bulk{i}@example.com")})
        })
        .collect();
    emulator.seed(&serde_json::json!({ "users": users }))?;
    Ok(emulator.bind(([127, 0, 0, 1], 0).into()).await?)
}

fn user_id(i: usize) -> String {
    format!("auth0|bulk{i:06}")
}

fn updates(n: usize) -> impl Iterator<Item = (String, UserUpdate)> + Send + 'static {
    (0..n).map(|i| {
        let mut update = UserUpdate::default();
        update.nickname = Patch::Set(format!("bulk-{i}"));
        (user_id(i), update)
    })
}

async fn client(
    server: &RunningServer,
    strip: bool,
    retry: RetryPolicy,
) -> Result<
    (
        Client,
        Arc<Counting<users_client::transport::ReqwestTransport>>,
    ),
    Box<dyn std::error::Error>,
> {
    let transport = Arc::new(Counting {
        inner: users_client::transport::ReqwestTransport::new(&TransportConfig::default())?,
        strip_rate_limit: strip,
        requests: AtomicU64::new(0),
        too_many: AtomicU64::new(0),
    });
    let client = Client::builder()
        .base_url(server.base_url())
        .transport(transport.clone())
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .retry(retry)
        .build()?;
    // Fetch the token before the clock starts: the token endpoint has no bucket.
    client.users().get(&user_id(0)).await?;
    transport.requests.store(0, Ordering::Relaxed);
    transport.too_many.store(0, Ordering::Relaxed);
    Ok((client, transport))
}

async fn bulk_run(
    args: &Args,
    limit: RateLimitConfig,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let server = serve(args.n, limit).await?;
    let (client, counts) = client(&server, false, RetryPolicy::default()).await?;
    // The warm-up GET took one token: wait for the bucket to be full again.
    tokio::time::sleep(
        Duration::from_secs_f64(2.0 / limit.per_second).max(Duration::from_millis(50)),
    )
    .await;
    let step = (args.n / 10).max(1);
    let waits = Arc::new(AtomicU64::new(0));
    let seen_waits = Arc::clone(&waits);
    let started = Instant::now();
    let items = client
        .bulk()
        .concurrency(args.concurrency)
        .on_progress(move |p| {
            seen_waits.store(p.rate_limited_waits, Ordering::Relaxed);
            if p.done % step == 0 {
                eprintln!(
                    "bulk: {}/{} done, {} failed",
                    p.done,
                    p.total.unwrap_or(0),
                    p.failed
                );
            }
        })
        .updates(updates(args.n))
        .run()
        .await;
    let elapsed = started.elapsed();
    let requests = counts.requests.load(Ordering::Relaxed);
    let too_many = counts.too_many.load(Ordering::Relaxed);
    let failed = items.iter().filter(|i| i.result.is_err()).count();
    if let Some(item) = items.iter().find(|i| i.result.is_err()) {
        eprintln!(
            "bulk: first failure: #{} {}: {:?}",
            item.index, item.user_id, item.result
        );
    }
    // Nothing dropped and every update stored: spot-check the first and the last user.
    for i in [0, args.n - 1] {
        let stored = client.users().get(&user_id(i)).await?;
        if stored.nickname.as_deref() != Some(format!("bulk-{i}").as_str()) {
            return Err(format!("update of {} was not stored", user_id(i)).into());
        }
    }
    server.shutdown().await;
    Ok(Outcome {
        name: "bulk (gate + pacing + retries)",
        succeeded: items.len() - failed,
        failed,
        requests,
        too_many,
        elapsed,
        waits: Some(waits.load(Ordering::Relaxed)),
    })
}

async fn naive_run(
    args: &Args,
    limit: RateLimitConfig,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let server = serve(args.n, limit).await?;
    let (client, counts) = client(&server, true, RetryPolicy::disabled()).await?;
    tokio::time::sleep(
        Duration::from_secs_f64(2.0 / limit.per_second).max(Duration::from_millis(50)),
    )
    .await;
    let started = Instant::now();
    let results: Vec<bool> = stream::iter(updates(args.n))
        .map(|(id, update)| {
            let client = client.clone();
            async move { client.users().update(&id, &update).await.is_ok() }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    server.shutdown().await;
    let succeeded = results.iter().filter(|ok| **ok).count();
    Ok(Outcome {
        name: "naive loop (no gate, no retries)",
        succeeded,
        failed: results.len() - succeeded,
        requests: counts.requests.load(Ordering::Relaxed),
        too_many: counts.too_many.load(Ordering::Relaxed),
        elapsed,
        waits: None,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let limit = RateLimitConfig::new(BURST * args.scale, REFILL_PER_SEC * f64::from(args.scale));
    eprintln!(
        "{} updates, concurrency {}, bucket burst {} refill {}/s (tenant 50, 16/s × {})",
        args.n, args.concurrency, limit.burst, limit.per_second, args.scale
    );
    let bulk = bulk_run(&args, limit).await?;
    let naive = naive_run(&args, limit).await?;

    println!(
        "\n{} updates, concurrency {}, served emulator over loopback (reqwest backend), bucket burst {} + {}/s (a tenant's 50 + 16/s × {})\n",
        args.n, args.concurrency, limit.burst, limit.per_second, args.scale
    );
    println!(
        "| run | succeeded | failed | requests | 429s | 429 % | seconds | updates/s | theoretical/s | % of theoretical | paced waits |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for run in [&bulk, &naive] {
        let secs = run.elapsed.as_secs_f64().max(f64::MIN_POSITIVE);
        // The most updates the bucket admits in `secs`: the burst plus what refills meanwhile.
        let theoretical = (f64::from(limit.burst) + limit.per_second * secs) / secs;
        let rate = run.succeeded as f64 / secs;
        let share_429 = 100.0 * run.too_many as f64 / (run.requests.max(1)) as f64;
        let waits = run.waits.map_or_else(|| "-".to_owned(), |w| w.to_string());
        println!(
            "| {} | {} | {} | {} | {} | {:.2} | {:.2} | {:.0} | {:.0} | {:.1} | {} |",
            run.name,
            run.succeeded,
            run.failed,
            run.requests,
            run.too_many,
            share_429,
            secs,
            rate,
            theoretical,
            100.0 * rate / theoretical,
            waits
        );
    }
    if args.n <= limit.burst as usize {
        println!(
            "\nNote: n ≤ burst, so the bucket never binds and % of theoretical is not meaningful."
        );
    }
    Ok(())
}
