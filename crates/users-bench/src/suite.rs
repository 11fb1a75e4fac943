//! The `all` run: one stub server, then every (operation, in-flight, target) combination, each
//! in a fresh child process (`users-bench load ... --json`) so each row's CPU time and peak RSS
//! are its own. The targets of one (operation, in-flight) pair run back to back so a row and
//! its baseline see the same machine load; `rounds` repeats the whole sweep and keeps medians.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::load::{Measurement, PairedRatios};
use crate::stats;
use crate::stub_process::StubProcess;
use crate::target::{Op, Target};

/// What `all` sweeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteConfig {
    /// Targets, in table order.
    pub targets: Vec<Target>,
    /// Operations, in table order.
    pub ops: Vec<Op>,
    /// Requests in flight, in table order.
    pub inflights: Vec<usize>,
    /// Measured requests per combination and round.
    pub requests: usize,
    /// Warm-up requests per combination and round.
    pub warmup: usize,
    /// Sweeps; each figure of the table is the median over them.
    pub rounds: usize,
    /// The longest one child run may take before it is abandoned, and the stub's lifetime
    /// bound per combination.
    pub max_seconds: u64,
}

/// The longest any run or child process may be asked to last, in seconds (one day).
pub const MAX_SECONDS: u64 = 86_400;

/// Runs the sweep with `exe` (this binary) for the stub and the children, returning one
/// [`Measurement`] per combination in table order (op, in flight, target).
///
/// # Errors
/// When the stub or a child cannot run, or a child prints no measurement.
pub fn run(exe: &Path, config: &SuiteConfig) -> io::Result<Vec<Measurement>> {
    let combinations = config.ops.len() * config.inflights.len() * config.targets.len();
    let lifetime = config
        .max_seconds
        .saturating_mul((combinations * config.rounds.max(1)) as u64 + 1)
        .min(MAX_SECONDS);
    let stub = StubProcess::spawn(exe, Duration::from_secs(lifetime))?;
    let base_url = stub.base_url();
    let mut samples: HashMap<(Op, usize, Target), Vec<Measurement>> = HashMap::new();
    for round in 1..=config.rounds.max(1) {
        for &op in &config.ops {
            for &inflight in &config.inflights {
                // Every other round runs the targets in reverse, so that no target always
                // runs first (or last) next to its baseline.
                let order: Vec<Target> = if round % 2 == 0 {
                    config.targets.iter().rev().copied().collect()
                } else {
                    config.targets.clone()
                };
                for target in order {
                    eprintln!("round {round}: {op} x{inflight} {target}");
                    let stub_before = stub.cpu_time().ok();
                    let mut measurement = run_child(exe, &base_url, config, target, op, inflight)?;
                    let served = (config.requests + config.warmup) as f64;
                    measurement.stub_cpu_us_per_request = stub_before
                        .zip(stub.cpu_time().ok())
                        .map(|(before, after)| {
                            after.saturating_sub(before).as_secs_f64() * 1e6 / served
                        });
                    samples
                        .entry((op, inflight, target))
                        .or_default()
                        .push(measurement);
                }
            }
        }
    }
    drop(stub);
    let mut rows = Vec::with_capacity(combinations);
    for &op in &config.ops {
        for &inflight in &config.inflights {
            for &target in &config.targets {
                let Some(own) = samples.get(&(op, inflight, target)) else {
                    continue;
                };
                if let Some(mut row) = median_row(own) {
                    row.paired = samples
                        .get(&(op, inflight, target.baseline()))
                        .and_then(|base| paired_ratios(own, base));
                    rows.push(row);
                }
            }
        }
    }
    Ok(rows)
}

fn run_child(
    exe: &Path,
    base_url: &str,
    config: &SuiteConfig,
    target: Target,
    op: Op,
    inflight: usize,
) -> io::Result<Measurement> {
    let output = Command::new(exe)
        .args(["load", "--json", "--stub-url", base_url])
        .args(["--target", target.name(), "--op", op.name()])
        .args(["--inflight", &inflight.to_string()])
        .args(["--requests", &config.requests.to_string()])
        .args(["--warmup", &config.warmup.to_string()])
        .args(["--max-seconds", &config.max_seconds.to_string()])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    // A run whose requests failed still prints its measurement (and exits non-zero): keep it,
    // so the table shows the errors next to the other rows.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    serde_json::from_str(line).map_err(|_| {
        io::Error::other(format!(
            "`load --target {target} --op {op} --inflight {inflight}` printed no measurement ({})",
            output.status
        ))
    })
}

/// One row from several rounds: the median of each figure, the sum of errors.
pub fn median_row(samples: &[Measurement]) -> Option<Measurement> {
    let first = samples.first()?;
    let median_of = |f: fn(&Measurement) -> f64| {
        stats::median(&samples.iter().map(f).collect::<Vec<_>>()).unwrap_or(0.0)
    };
    let rss: Vec<f64> = samples.iter().map(|m| m.peak_rss_kib as f64).collect();
    Some(Measurement {
        target: first.target.clone(),
        op: first.op.clone(),
        inflight: first.inflight,
        requests: samples.iter().map(|m| m.requests).sum(),
        errors: samples.iter().map(|m| m.errors).sum(),
        first_error: samples.iter().find_map(|m| m.first_error.clone()),
        elapsed_secs: samples.iter().map(|m| m.elapsed_secs).sum(),
        requests_per_sec: median_of(|m| m.requests_per_sec),
        p50_us: median_of(|m| m.p50_us),
        p99_us: median_of(|m| m.p99_us),
        cpu_us_per_request: median_of(|m| m.cpu_us_per_request),
        peak_rss_kib: stats::median(&rss).unwrap_or(0.0) as u64,
        stub_cpu_us_per_request: stats::median(
            &samples
                .iter()
                .filter_map(|m| m.stub_cpu_us_per_request)
                .collect::<Vec<_>>(),
        ),
        paired: None,
    })
}

/// Ratios of `samples` to `baseline`, pairing the two runs of each round (same index), as
/// medians over the rounds; `None` with fewer than two rounds, where they add nothing to the
/// ratio of the row's figures.
pub fn paired_ratios(samples: &[Measurement], baseline: &[Measurement]) -> Option<PairedRatios> {
    let pairs: Vec<(&Measurement, &Measurement)> = samples.iter().zip(baseline).collect();
    if pairs.len() < 2 {
        return None;
    }
    let ratios = |f: fn(&Measurement) -> f64| {
        pairs
            .iter()
            .filter(|(_, b)| f(b) > 0.0)
            .map(|(m, b)| f(m) / f(b))
            .collect::<Vec<_>>()
    };
    Some(PairedRatios {
        throughput: stats::median(&ratios(|m| m.requests_per_sec))?,
        cpu: stats::median(&ratios(|m| m.cpu_us_per_request))?,
        rounds: pairs.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rps: f64, cpu: f64, errors: usize) -> Measurement {
        Measurement {
            target: "raw-hyper".into(),
            op: "get".into(),
            inflight: 8,
            requests: 100,
            errors,
            first_error: (errors > 0).then(|| "status 500".to_owned()),
            elapsed_secs: 1.0,
            requests_per_sec: rps,
            p50_us: 10.0,
            p99_us: 20.0,
            cpu_us_per_request: cpu,
            peak_rss_kib: 5000,
            stub_cpu_us_per_request: Some(cpu / 2.0),
            paired: None,
        }
    }

    #[test]
    fn paired_ratios_divide_within_a_round_then_take_the_median() {
        // The machine got twice as slow in round 2: the medians of the rows would say the
        // target costs 5/3 of its baseline, the pairs say what each round saw.
        let base = [
            sample(100.0, 2.0, 0),
            sample(50.0, 4.0, 0),
            sample(100.0, 3.0, 0),
        ];
        let row = [
            sample(90.0, 2.2, 0),
            sample(45.0, 4.4, 0),
            sample(80.0, 6.0, 0),
        ];
        let paired = paired_ratios(&row, &base).expect("three rounds");
        assert!((paired.cpu - 1.1).abs() < 1e-9, "{paired:?}");
        assert!((paired.throughput - 0.9).abs() < 1e-9, "{paired:?}");
        assert_eq!(paired.rounds, 3);
        assert!(paired_ratios(&row[..1], &base[..1]).is_none());
    }

    #[test]
    fn rounds_combine_into_medians_and_keep_every_error() {
        let row = median_row(&[
            sample(100.0, 9.0, 0),
            sample(300.0, 1.0, 2),
            sample(200.0, 5.0, 0),
        ])
        .expect("a row");
        assert_eq!(row.requests_per_sec, 200.0);
        assert_eq!(row.cpu_us_per_request, 5.0);
        assert_eq!(row.stub_cpu_us_per_request, Some(2.5));
        assert_eq!(row.requests, 300);
        assert_eq!(row.errors, 2);
        assert_eq!(row.first_error.as_deref(), Some("status 500"));
        assert!(median_row(&[]).is_none());
    }
}
