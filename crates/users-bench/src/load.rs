//! One load run: a target, an operation, a number of requests in flight. A warm-up opens the
//! connections and runs the request path until it is steady, then the measured phase records
//! every request's latency and the process's CPU time around it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::client_target::ClientTarget;
use crate::measure;
use crate::raw_hyper::RawHyper;
use crate::raw_reqwest::RawReqwest;
use crate::stats;
use crate::target::{Exchange, ExchangeError, Op, Target};

/// The shape of one load run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadConfig {
    /// The implementation under test.
    pub target: Target,
    /// What each request does.
    pub op: Op,
    /// Requests kept in flight at once (the number of concurrent workers).
    pub inflight: usize,
    /// Requests in the measured phase.
    pub requests: usize,
    /// Requests before it, not measured.
    pub warmup: usize,
}

/// The figures of one load run; one row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// [`Target::name`].
    pub target: String,
    /// [`Op::name`].
    pub op: String,
    /// Requests in flight.
    pub inflight: usize,
    /// Requests in the measured phase, failed ones included.
    pub requests: usize,
    /// Failed requests in the measured phase (all phases must have none for a valid row).
    pub errors: usize,
    /// The first error seen, if any.
    pub first_error: Option<String>,
    /// Wall-clock seconds of the measured phase.
    pub elapsed_secs: f64,
    /// Requests per second of wall-clock time.
    pub requests_per_sec: f64,
    /// Median latency of successful requests, µs.
    pub p50_us: f64,
    /// 99th percentile latency of successful requests, µs.
    pub p99_us: f64,
    /// User + system CPU time of the whole harness process during the measured phase, divided
    /// by the requests (nanosecond resolution, see [`measure::process_cpu_time`]).
    pub cpu_us_per_request: f64,
    /// Peak resident set size of the harness process (warm-up included), KiB.
    pub peak_rss_kib: u64,
    /// The stub server's CPU time over the whole child run (warm-up included) per request it
    /// answered, µs; filled in by the `all` sweep, which owns the stub.
    #[serde(default)]
    pub stub_cpu_us_per_request: Option<f64>,
    /// Set by the `all` sweep when it ran more than one round: this row's figures divided by its
    /// baseline's *of the same round*, median over the rounds. Pairing each run with the
    /// baseline run made next to it cancels most of the shared machine's drift, which a ratio
    /// of two medians taken far apart does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired: Option<PairedRatios>,
}

/// Ratios of a row to its baseline, paired round by round (see [`Measurement::paired`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedRatios {
    /// Median of (requests/s ÷ the baseline's requests/s of the same round).
    pub throughput: f64,
    /// Median of (CPU µs/request ÷ the baseline's of the same round).
    pub cpu: f64,
    /// How many rounds had both runs.
    pub rounds: usize,
}

/// Builds the target's client for the stub at `base_url` and runs the load.
///
/// # Errors
/// When the client cannot be built or the process cannot be measured. Failed requests are
/// counted in the [`Measurement`], not returned.
pub async fn measure_target(
    base_url: &str,
    config: LoadConfig,
) -> Result<Measurement, ExchangeError> {
    // Adding a target: one arm here building its `Exchange`.
    match config.target {
        Target::RawHyper => measure(Arc::new(RawHyper::new(base_url)?), config).await,
        Target::RawReqwest => measure(Arc::new(RawReqwest::new(base_url)?), config).await,
        Target::ClientHyper => measure(Arc::new(ClientTarget::hyper(base_url)?), config).await,
        Target::ClientReqwest => measure(Arc::new(ClientTarget::reqwest(base_url)?), config).await,
    }
}

/// Runs the warm-up and the measured phase of `config` against `exchange`.
///
/// # Errors
/// When the CPU clock or procfs cannot be read.
pub async fn measure<E: Exchange>(
    exchange: Arc<E>,
    config: LoadConfig,
) -> Result<Measurement, ExchangeError> {
    let inflight = config.inflight.max(1);
    let warm = drive(Arc::clone(&exchange), config.op, inflight, config.warmup).await;
    let cpu_before = measure::process_cpu_time().map_err(procfs_error)?;
    let started = Instant::now();
    let phase = drive(exchange, config.op, inflight, config.requests).await;
    let elapsed = started.elapsed();
    let cpu = measure::process_cpu_time()
        .map_err(procfs_error)?
        .saturating_sub(cpu_before);
    let peak_rss_kib = measure::peak_rss_kib().map_err(procfs_error)?;

    let mut latencies = phase.latencies_ns;
    latencies.sort_unstable();
    let requests = config.requests;
    Ok(Measurement {
        target: config.target.name().to_owned(),
        op: config.op.name().to_owned(),
        inflight,
        requests,
        errors: phase.errors + warm.errors,
        first_error: warm.first_error.or(phase.first_error),
        elapsed_secs: elapsed.as_secs_f64(),
        requests_per_sec: per_second(requests, elapsed),
        p50_us: stats::percentile_sorted(&latencies, 50.0).map_or(0.0, ns_to_us),
        p99_us: stats::percentile_sorted(&latencies, 99.0).map_or(0.0, ns_to_us),
        cpu_us_per_request: if requests == 0 {
            0.0
        } else {
            cpu.as_secs_f64() * 1e6 / requests as f64
        },
        peak_rss_kib,
        stub_cpu_us_per_request: None,
        paired: None,
    })
}

fn procfs_error(error: std::io::Error) -> ExchangeError {
    ExchangeError::new(format!("measuring the process: {error}"))
}

pub(crate) fn per_second(requests: usize, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        requests as f64 / secs
    } else {
        0.0
    }
}

pub(crate) fn ns_to_us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

/// What one phase produced.
#[derive(Debug, Default)]
pub(crate) struct Phase {
    /// Latency of every successful request, in completion order per worker.
    pub(crate) latencies_ns: Vec<u64>,
    /// Failed requests.
    pub(crate) errors: usize,
    /// The first failure's description.
    pub(crate) first_error: Option<String>,
}

/// `requests` calls with `inflight` workers, each taking the next request as soon as its last
/// one is answered, so exactly `inflight` are outstanding until the tail.
pub(crate) async fn drive<E: Exchange>(
    exchange: Arc<E>,
    op: Op,
    inflight: usize,
    requests: usize,
) -> Phase {
    let next = Arc::new(AtomicUsize::new(0));
    let per_worker = requests / inflight + 1;
    let workers: Vec<_> = (0..inflight)
        .map(|_| {
            let exchange = Arc::clone(&exchange);
            let next = Arc::clone(&next);
            tokio::spawn(async move {
                let mut phase = Phase {
                    latencies_ns: Vec::with_capacity(per_worker),
                    ..Phase::default()
                };
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    let sent = Instant::now();
                    match exchange.call(op).await {
                        Ok(user) => {
                            std::hint::black_box(user);
                            let ns = u64::try_from(sent.elapsed().as_nanos()).unwrap_or(u64::MAX);
                            phase.latencies_ns.push(ns);
                        }
                        Err(error) => {
                            phase.errors += 1;
                            phase.first_error.get_or_insert_with(|| error.to_string());
                        }
                    }
                }
                phase
            })
        })
        .collect();
    let mut total = Phase {
        latencies_ns: Vec::with_capacity(requests),
        ..Phase::default()
    };
    for worker in workers {
        match worker.await {
            Ok(phase) => {
                total.latencies_ns.extend(phase.latencies_ns);
                total.errors += phase.errors;
                if total.first_error.is_none() {
                    total.first_error = phase.first_error;
                }
            }
            Err(join_error) => {
                total.errors += 1;
                total
                    .first_error
                    .get_or_insert_with(|| format!("worker failed: {join_error}"));
            }
        }
    }
    total
}
