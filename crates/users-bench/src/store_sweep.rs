//! `users-bench emulator --state`: the served emulator with and without its store (`--state`)
//! at several tenant sizes, and its start-up on the largest store. Per (size, store) a fresh
//! `users-bench emulator-server` child is seeded, then measured: PATCH at 1 in flight (the
//! per-write cost), PATCH and GET at 64 in flight, GET at 8 in flight alone and next to a
//! paced PATCH stream ([`crate::paced`]), and PATCH at 1 in flight again, after all those
//! writes (each PATCH adds an event to the tenant's log, which the emulator keeps too). After the largest run with the store, one last PATCH
//! marks a user, the child stops, and a new child is started on the same store: the time to
//! its port line and to its first answer (a token and a GET, which must carry the mark), and
//! its memory.

use std::ffi::OsStr;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::emulator_client::{self, EmulatorExchange};
use crate::emulator_server::EMULATOR_SUBCOMMAND;
use crate::load::{self, ns_to_us, per_second};
use crate::measure;
use crate::paced::{PacedFigures, PacedLoad};
use crate::stats;
use crate::stub_process::StubProcess;
use crate::target::{ExchangeError, Op};

/// Requests in flight for the throughput rows.
pub const WIDE_INFLIGHT: usize = 64;
/// Requests in flight for the read-latency rows (alone and under writes).
pub const READ_INFLIGHT: usize = 8;
/// How many times the read phases alternate (alone, under writes).
pub const READ_ROUNDS: usize = 3;
/// The most paced writes outstanding at once; past it a tick is shed and counted.
pub const WRITE_CAP: usize = 16;
/// How long a stopping server may take to let go of its store.
const STOP_GRACE: Duration = Duration::from_secs(30);

/// What the sweep runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSweepConfig {
    /// Tenant sizes, users seeded, in the order run.
    pub sizes: Vec<usize>,
    /// Users per seed request.
    pub batch: usize,
    /// Measured requests of PATCH at 1 in flight.
    pub single_requests: usize,
    /// Measured requests of PATCH and GET at 64 in flight.
    pub wide_requests: usize,
    /// Measured requests of GET at 8 in flight alone, and as many under writes, split over
    /// [`READ_ROUNDS`].
    pub read_requests: usize,
    /// Warm-up requests before each measured phase.
    pub warmup: usize,
    /// The paced PATCH stream next to the second read phase, requests per second.
    pub write_rate: u32,
    /// The longest the whole sweep may take.
    pub max_seconds: u64,
}

/// One measured phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Phase {
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
    /// The emulator process's CPU time over the phase, per measured request, µs.
    pub emulator_cpu_us_per_request: f64,
}

/// The figures of one tenant size with or without the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreRow {
    /// Users seeded.
    pub users: usize,
    /// Whether the emulator ran with `--state`.
    pub store: bool,
    /// Wall-clock seconds the seeding took.
    pub seed_secs: f64,
    /// PATCH at 1 in flight, first thing after seeding (the tenant's log of events nearly
    /// empty).
    pub patch_single: Phase,
    /// PATCH at 1 in flight again, last (after every other phase's writes were logged).
    pub patch_single_after: Phase,
    /// PATCH at 64 in flight.
    pub patch_wide: Phase,
    /// GET at 64 in flight.
    pub get_wide: Phase,
    /// GET at 8 in flight, nothing else running (medians over [`READ_ROUNDS`]).
    pub get_alone: Phase,
    /// GET at 8 in flight while the paced PATCH stream runs (medians over [`READ_ROUNDS`]).
    pub get_under_writes: Phase,
    /// The median over [`READ_ROUNDS`] of (GET p99 under writes ÷ GET p99 alone of the same
    /// round); 0 when a round had no figure.
    pub read_p99_ratio: f64,
    /// What the paced PATCH stream did meanwhile (counts over every round).
    pub writes: PacedFigures,
    /// The emulator's peak RSS (`VmHWM`) at the end, seeding included, KiB.
    pub emulator_peak_rss_kib: u64,
}

impl StoreRow {
    /// Every failed request of the row, the paced writes' included.
    pub fn errors(&self) -> usize {
        self.phases().iter().map(|p| p.errors).sum::<usize>() + self.writes.errors
    }

    /// The first failure of the row, if any.
    pub fn first_error(&self) -> Option<&str> {
        self.phases()
            .iter()
            .find_map(|p| p.first_error.as_deref())
            .or(self.writes.first_error.as_deref())
    }

    fn phases(&self) -> [&Phase; 6] {
        [
            &self.patch_single,
            &self.patch_single_after,
            &self.patch_wide,
            &self.get_wide,
            &self.get_alone,
            &self.get_under_writes,
        ]
    }
}

/// `a / b`, or 0 when `b` is not positive.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// A restart on an existing store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Startup {
    /// Users in the store.
    pub users: usize,
    /// From spawning the process to its port line (the store is opened before it), ms.
    pub port_ms: f64,
    /// From spawning the process to the first answered user request (a token, then a GET), ms.
    pub first_answer_ms: f64,
    /// The process's `VmRSS` right after that answer, KiB.
    pub rss_kib: u64,
    /// Its `VmHWM` at the same moment, KiB.
    pub peak_rss_kib: u64,
    /// Whether the GET carried the last PATCH made before the restart.
    pub kept_last_write: bool,
}

/// Everything the sweep measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepOutcome {
    /// One row per (size, store), in the order run.
    pub rows: Vec<StoreRow>,
    /// The restart on the largest store.
    pub startup: Startup,
}

/// Runs the sweep with `exe` (this binary) serving the emulator; the stores live in a
/// temporary directory removed afterwards.
///
/// # Errors
/// When a server cannot start, seeding, the token or a measurement fails, or the sweep exceeds
/// `max_seconds`. Failed measured requests are counted in the rows instead.
pub fn run(exe: &Path, config: &StoreSweepConfig) -> io::Result<SweepOutcome> {
    let limit = Duration::from_secs(config.max_seconds);
    let dir = tempfile::Builder::new()
        .prefix("users-bench-store-")
        .tempdir()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(async {
        tokio::time::timeout(limit, sweep(exe, config, dir.path(), limit)).await
    });
    // The servers are stopped by now; the directory goes with `dir`.
    dir.close()?;
    outcome.map_err(|_| {
        io::Error::other(format!(
            "the store sweep gave up after {} s",
            config.max_seconds
        ))
    })?
}

async fn sweep(
    exe: &Path,
    config: &StoreSweepConfig,
    dir: &Path,
    limit: Duration,
) -> io::Result<SweepOutcome> {
    let largest = config.sizes.iter().copied().max().unwrap_or(0);
    let mut rows = Vec::new();
    let mut startup = None;
    for &users in &config.sizes {
        for store in [false, true] {
            let path = store.then(|| dir.join(format!("tenant-{users}.sqlite")));
            let server = spawn(exe, path.as_deref(), limit)?;
            let (row, exchange) = measure_tenant(&server, users, store, config).await?;
            eprintln!("store sweep: {users} users, store {store}: done");
            rows.push(row);
            if let (Some(path), true, None) = (&path, users == largest, &startup) {
                let mark = exchange.request(Op::Update, 0).await.map_err(other)?;
                let id = exchange_first_id(&exchange)?;
                server.stop(STOP_GRACE)?;
                startup = Some(restart(exe, path, users, &id, mark.seq(), limit).await?);
            }
        }
    }
    let startup = startup.ok_or_else(|| io::Error::other("no sizes to measure"))?;
    Ok(SweepOutcome { rows, startup })
}

fn exchange_first_id(exchange: &EmulatorExchange) -> io::Result<String> {
    exchange
        .ids()
        .first()
        .cloned()
        .ok_or_else(|| io::Error::other("no users"))
}

fn spawn(exe: &Path, state: Option<&Path>, limit: Duration) -> io::Result<StubProcess> {
    let args: Vec<&OsStr> = match state {
        Some(path) => vec![OsStr::new("--state"), path.as_os_str()],
        None => Vec::new(),
    };
    StubProcess::spawn_subcommand_with(exe, EMULATOR_SUBCOMMAND, &args, limit)
}

fn other(error: ExchangeError) -> io::Error {
    io::Error::other(error)
}

async fn measure_tenant(
    server: &StubProcess,
    users: usize,
    store: bool,
    config: &StoreSweepConfig,
) -> io::Result<(StoreRow, Arc<EmulatorExchange>)> {
    let base_url = server.base_url();
    let client = crate::raw_hyper::hyper_client();
    let seeding = Instant::now();
    let ids = emulator_client::seed(&client, &base_url, users, config.batch)
        .await
        .map_err(other)?;
    let seed_secs = seeding.elapsed().as_secs_f64();
    eprintln!("store sweep: {users} users, store {store}: seeded in {seed_secs:.1} s");
    let authorization = emulator_client::bearer(&client, &base_url)
        .await
        .map_err(other)?;
    let exchange =
        Arc::new(EmulatorExchange::new(client, &base_url, &ids, authorization).map_err(other)?);
    let run = |op, inflight, requests, warmup| {
        measure_phase(server, &exchange, op, inflight, requests, warmup)
    };
    let patch_single = run(Op::Update, 1, config.single_requests, config.warmup).await?;
    let patch_wide = run(
        Op::Update,
        WIDE_INFLIGHT,
        config.wide_requests,
        config.warmup,
    )
    .await?;
    let get_wide = run(Op::Get, WIDE_INFLIGHT, config.wide_requests, config.warmup).await?;
    let reads = measure_reads(server, &exchange, config).await?;
    let patch_single_after = run(Op::Update, 1, config.single_requests, config.warmup).await?;
    let row = StoreRow {
        users: ids.len(),
        store,
        seed_secs,
        patch_single,
        patch_single_after,
        patch_wide,
        get_wide,
        get_alone: reads.alone,
        get_under_writes: reads.under_writes,
        read_p99_ratio: reads.ratio,
        writes: reads.writes,
        emulator_peak_rss_kib: server.peak_rss_kib()?,
    };
    Ok((row, exchange))
}

/// The read phases of a row, combined over [`READ_ROUNDS`].
struct Reads {
    alone: Phase,
    under_writes: Phase,
    ratio: f64,
    writes: PacedFigures,
}

/// [`READ_ROUNDS`] times: GET at 8 in flight alone, then again next to the paced PATCH
/// stream. Alternating keeps each pair close in time, so the ratio of a pair is not the
/// shared machine's drift; the figures are medians over the rounds, the ratio the median of
/// the rounds' ratios.
async fn measure_reads(
    server: &StubProcess,
    exchange: &Arc<EmulatorExchange>,
    config: &StoreSweepConfig,
) -> io::Result<Reads> {
    let requests = (config.read_requests / READ_ROUNDS).max(1);
    let mut alone = Vec::new();
    let mut under_writes = Vec::new();
    let mut writes = Vec::new();
    for _ in 0..READ_ROUNDS {
        alone.push(
            measure_phase(
                server,
                exchange,
                Op::Get,
                READ_INFLIGHT,
                requests,
                config.warmup,
            )
            .await?,
        );
        let paced = PacedLoad::start(
            Arc::clone(exchange),
            Op::Update,
            config.write_rate,
            WRITE_CAP,
        );
        let phase = measure_phase(
            server,
            exchange,
            Op::Get,
            READ_INFLIGHT,
            requests,
            config.warmup,
        )
        .await;
        writes.push(paced.finish().await);
        under_writes.push(phase?);
    }
    let ratios: Vec<f64> = alone
        .iter()
        .zip(&under_writes)
        .map(|(a, u)| ratio(u.p99_us, a.p99_us))
        .collect();
    Ok(Reads {
        alone: median_phase(&alone),
        under_writes: median_phase(&under_writes),
        ratio: stats::median(&ratios).unwrap_or(0.0),
        writes: sum_paced(&writes),
    })
}

/// The median of each figure, every request and error, the first failure.
fn median_phase(rounds: &[Phase]) -> Phase {
    let median_of = |f: fn(&Phase) -> f64| {
        stats::median(&rounds.iter().map(f).collect::<Vec<_>>()).unwrap_or(0.0)
    };
    Phase {
        inflight: rounds.first().map_or(0, |p| p.inflight),
        requests: rounds.iter().map(|p| p.requests).sum(),
        errors: rounds.iter().map(|p| p.errors).sum(),
        first_error: rounds.iter().find_map(|p| p.first_error.clone()),
        requests_per_sec: median_of(|p| p.requests_per_sec),
        p50_us: median_of(|p| p.p50_us),
        p99_us: median_of(|p| p.p99_us),
        emulator_cpu_us_per_request: median_of(|p| p.emulator_cpu_us_per_request),
    }
}

/// The paced loads of every round: counts summed, the answered rate their median.
fn sum_paced(rounds: &[PacedFigures]) -> PacedFigures {
    PacedFigures {
        target_per_sec: rounds.first().map_or(0, |p| p.target_per_sec),
        answered_per_sec: stats::median(
            &rounds
                .iter()
                .map(|p| p.answered_per_sec)
                .collect::<Vec<_>>(),
        )
        .unwrap_or(0.0),
        answered: rounds.iter().map(|p| p.answered).sum(),
        shed: rounds.iter().map(|p| p.shed).sum(),
        errors: rounds.iter().map(|p| p.errors).sum(),
        first_error: rounds.iter().find_map(|p| p.first_error.clone()),
    }
}

/// A warm-up of `warmup` requests, then `requests` measured ones of `op` at `inflight`.
async fn measure_phase(
    server: &StubProcess,
    exchange: &Arc<EmulatorExchange>,
    op: Op,
    inflight: usize,
    requests: usize,
    warmup: usize,
) -> io::Result<Phase> {
    let warm = load::drive(Arc::clone(exchange), op, inflight, warmup).await;
    let cpu_before = server.cpu_time()?;
    let started = Instant::now();
    let phase = load::drive(Arc::clone(exchange), op, inflight, requests).await;
    let elapsed = started.elapsed();
    let cpu = server.cpu_time()?.saturating_sub(cpu_before);
    let mut latencies = phase.latencies_ns;
    latencies.sort_unstable();
    Ok(Phase {
        inflight,
        requests,
        errors: warm.errors + phase.errors,
        first_error: warm.first_error.or(phase.first_error),
        requests_per_sec: per_second(requests, elapsed),
        p50_us: stats::percentile_sorted(&latencies, 50.0).map_or(0.0, ns_to_us),
        p99_us: stats::percentile_sorted(&latencies, 99.0).map_or(0.0, ns_to_us),
        emulator_cpu_us_per_request: cpu.as_secs_f64() * 1e6 / requests.max(1) as f64,
    })
}

/// Starts a server on the existing store at `path` and times it to its first answer: a token,
/// then a GET of `id`, which must carry `mark` (the last PATCH before the restart).
async fn restart(
    exe: &Path,
    path: &Path,
    users: usize,
    id: &str,
    mark: Option<u64>,
    limit: Duration,
) -> io::Result<Startup> {
    let started = Instant::now();
    let server = spawn(exe, Some(path), limit)?;
    let port_ms = started.elapsed().as_secs_f64() * 1e3;
    let base_url = server.base_url();
    let client = crate::raw_hyper::hyper_client();
    let authorization = emulator_client::bearer(&client, &base_url)
        .await
        .map_err(other)?;
    let exchange =
        EmulatorExchange::new(client, &base_url, &[id.to_owned()], authorization).map_err(other)?;
    let echo = exchange.request(Op::Get, 0).await.map_err(other)?;
    let first_answer_ms = started.elapsed().as_secs_f64() * 1e3;
    let startup = Startup {
        users,
        port_ms,
        first_answer_ms,
        rss_kib: measure::rss_kib_of(server.pid())?,
        peak_rss_kib: server.peak_rss_kib()?,
        kept_last_write: mark.is_some() && echo.seq() == mark,
    };
    server.stop(STOP_GRACE)?;
    Ok(startup)
}
