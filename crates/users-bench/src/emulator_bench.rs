//! `users-bench emulator`: the served emulator's throughput with many stored users. The
//! emulator runs in its own process (`users-bench emulator-server`); this process seeds it
//! through the admin API, gets a token, then drives `PATCH` (a `user_metadata` change) and
//! `GET` on pseudo-random users with the raw hyper client, measuring the emulator's CPU time
//! (reported by the emulator process itself) and peak memory (procfs).

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::emulator_client::{self, EmulatorExchange};
use crate::emulator_server::EMULATOR_SUBCOMMAND;
use crate::load::{self, ns_to_us, per_second};
use crate::measure;
use crate::stats;
use crate::stub_process::StubProcess;
use crate::target::Op;

/// The bar: PATCH throughput with 10,000 users at 64 in flight.
pub const TARGET_PATCH_PER_SEC: f64 = 15_000.0;

/// What the emulator benchmark runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmulatorBenchConfig {
    /// Users seeded before measuring.
    pub users: usize,
    /// Users per seed request.
    pub batch: usize,
    /// Requests in flight.
    pub inflight: usize,
    /// Measured requests per operation.
    pub requests: usize,
    /// Warm-up requests per operation.
    pub warmup: usize,
    /// How many times PATCH then GET are measured on the same seeded emulator; each figure is
    /// the median over the rounds (errors are summed, peak RSS is the largest).
    pub rounds: usize,
    /// The longest the whole run may take.
    pub max_seconds: u64,
}

/// One operation's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmulatorRow {
    /// [`Op::name`].
    pub op: String,
    /// Users stored in the emulator.
    pub users: usize,
    /// Requests in flight.
    pub inflight: usize,
    /// Measured requests, failed ones included.
    pub requests: usize,
    /// Failed requests, warm-up included.
    pub errors: usize,
    /// The first failure, if any.
    pub first_error: Option<String>,
    /// Requests per second of wall-clock time.
    pub requests_per_sec: f64,
    /// Median latency, µs.
    pub p50_us: f64,
    /// 99th percentile latency, µs.
    pub p99_us: f64,
    /// The emulator process's user + system CPU time over the measured phase, per request.
    pub emulator_cpu_us_per_request: f64,
    /// The emulator process's peak RSS (`VmHWM`) at the end of this operation's run, KiB.
    pub emulator_peak_rss_kib: u64,
    /// This (client) process's CPU time over the measured phase, per request.
    pub client_cpu_us_per_request: f64,
}

impl EmulatorRow {
    /// The target for this row, if it has one (PATCH only).
    pub fn target_per_sec(&self) -> Option<f64> {
        (self.op == Op::Update.name()).then_some(TARGET_PATCH_PER_SEC)
    }
}

/// Runs the benchmark with `exe` (this binary) serving the emulator: one row per operation,
/// PATCH first (so GET reads users that PATCH changed).
///
/// # Errors
/// When the emulator cannot start, seeding or the token fails, a measurement cannot be read, or the
/// run exceeds `max_seconds`. Failed measured requests are counted in the rows instead.
pub fn run(exe: &Path, config: &EmulatorBenchConfig) -> io::Result<Vec<EmulatorRow>> {
    let limit = Duration::from_secs(config.max_seconds);
    let server = StubProcess::spawn_subcommand(exe, EMULATOR_SUBCOMMAND, limit)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome =
        runtime.block_on(async { tokio::time::timeout(limit, measure_all(&server, config)).await });
    match outcome {
        Ok(rows) => rows,
        Err(_) => Err(io::Error::other(format!(
            "the emulator benchmark gave up after {} s",
            config.max_seconds
        ))),
    }
}

async fn measure_all(
    server: &StubProcess,
    config: &EmulatorBenchConfig,
) -> io::Result<Vec<EmulatorRow>> {
    let base_url = server.base_url();
    let client = crate::raw_hyper::hyper_client();
    let seeding = Instant::now();
    let ids = emulator_client::seed(&client, &base_url, config.users, config.batch)
        .await
        .map_err(io::Error::other)?;
    eprintln!(
        "emulator: seeded {} users in {:.1} s",
        ids.len(),
        seeding.elapsed().as_secs_f64()
    );
    let authorization = emulator_client::bearer(&client, &base_url)
        .await
        .map_err(io::Error::other)?;
    let exchange = Arc::new(
        EmulatorExchange::new(client, &base_url, &ids, authorization).map_err(io::Error::other)?,
    );
    let mut samples: Vec<(Op, Vec<EmulatorRow>)> =
        vec![(Op::Update, Vec::new()), (Op::Get, Vec::new())];
    for round in 1..=config.rounds.max(1) {
        for (op, rows) in &mut samples {
            eprintln!("emulator round {round}: {op} x{}", config.inflight);
            rows.push(measure_op(server, &exchange, *op, ids.len(), config).await?);
        }
    }
    Ok(samples
        .iter()
        .filter_map(|(_, rows)| median_row(rows))
        .collect())
}

/// One row from several rounds of the same operation: the median of each figure, the errors
/// of all of them, the largest peak RSS.
pub fn median_row(rounds: &[EmulatorRow]) -> Option<EmulatorRow> {
    let first = rounds.first()?;
    let median_of = |f: fn(&EmulatorRow) -> f64| {
        stats::median(&rounds.iter().map(f).collect::<Vec<_>>()).unwrap_or(0.0)
    };
    Some(EmulatorRow {
        op: first.op.clone(),
        users: first.users,
        inflight: first.inflight,
        requests: rounds.iter().map(|r| r.requests).sum(),
        errors: rounds.iter().map(|r| r.errors).sum(),
        first_error: rounds.iter().find_map(|r| r.first_error.clone()),
        requests_per_sec: median_of(|r| r.requests_per_sec),
        p50_us: median_of(|r| r.p50_us),
        p99_us: median_of(|r| r.p99_us),
        emulator_cpu_us_per_request: median_of(|r| r.emulator_cpu_us_per_request),
        emulator_peak_rss_kib: rounds
            .iter()
            .map(|r| r.emulator_peak_rss_kib)
            .max()
            .unwrap_or(0),
        client_cpu_us_per_request: median_of(|r| r.client_cpu_us_per_request),
    })
}

async fn measure_op(
    server: &StubProcess,
    exchange: &Arc<EmulatorExchange>,
    op: Op,
    users: usize,
    config: &EmulatorBenchConfig,
) -> io::Result<EmulatorRow> {
    let inflight = config.inflight.max(1);
    let warm = load::drive(Arc::clone(exchange), op, inflight, config.warmup).await;
    let server_before = server.cpu_time()?;
    let client_before = measure::process_cpu_time()?;
    let started = Instant::now();
    let phase = load::drive(Arc::clone(exchange), op, inflight, config.requests).await;
    let elapsed = started.elapsed();
    let server_cpu = server.cpu_time()?.saturating_sub(server_before);
    let client_cpu = measure::process_cpu_time()?.saturating_sub(client_before);
    let mut latencies = phase.latencies_ns;
    latencies.sort_unstable();
    let per_request = |cpu: Duration| cpu.as_secs_f64() * 1e6 / config.requests.max(1) as f64;
    Ok(EmulatorRow {
        op: op.name().to_owned(),
        users,
        inflight,
        requests: config.requests,
        errors: warm.errors + phase.errors,
        first_error: warm.first_error.or(phase.first_error),
        requests_per_sec: per_second(config.requests, elapsed),
        p50_us: stats::percentile_sorted(&latencies, 50.0).map_or(0.0, ns_to_us),
        p99_us: stats::percentile_sorted(&latencies, 99.0).map_or(0.0, ns_to_us),
        emulator_cpu_us_per_request: per_request(server_cpu),
        emulator_peak_rss_kib: server.peak_rss_kib()?,
        client_cpu_us_per_request: per_request(client_cpu),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(rps: f64, cpu: f64, rss: u64, errors: usize) -> EmulatorRow {
        EmulatorRow {
            op: "update".into(),
            users: 10,
            inflight: 64,
            requests: 100,
            errors,
            first_error: (errors > 0).then(|| "status 500".to_owned()),
            requests_per_sec: rps,
            p50_us: rps / 10.0,
            p99_us: rps / 5.0,
            emulator_cpu_us_per_request: cpu,
            emulator_peak_rss_kib: rss,
            client_cpu_us_per_request: cpu / 2.0,
        }
    }

    #[test]
    fn rounds_combine_into_medians_with_every_error_and_the_largest_rss() {
        let row = median_row(&[
            round(12_000.0, 50.0, 60, 0),
            round(20_000.0, 40.0, 70, 1),
            round(18_000.0, 45.0, 65, 0),
        ])
        .expect("a row");
        assert_eq!(row.requests_per_sec, 18_000.0);
        assert_eq!(row.emulator_cpu_us_per_request, 45.0);
        assert_eq!(row.client_cpu_us_per_request, 22.5);
        assert_eq!(row.emulator_peak_rss_kib, 70);
        assert_eq!((row.requests, row.errors), (300, 1));
        assert_eq!(row.first_error.as_deref(), Some("status 500"));
        assert!(median_row(&[]).is_none());
    }
}
