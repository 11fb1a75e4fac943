//! The markdown table of an `all` run, with each row's ratios against its baseline row of the
//! same run (same operation and in-flight count), and the verdict for client rows.

use std::fmt::Write as _;

use crate::load::Measurement;
use crate::target::{Goal, Target};

/// The table, one row per measurement, in the order given.
pub fn markdown_table(rows: &[Measurement]) -> String {
    let mut out = String::from(
        "| op | in flight | target | req/s | p50 µs | p99 µs | CPU µs/req | peak RSS MiB \
         | req/s vs base | CPU vs base | errors | goal | stub CPU µs/req |\n\
         |---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n",
    );
    for row in rows {
        let target = Target::from_name(&row.target);
        let base = target.and_then(|t| baseline_row(rows, row, t));
        // Paired per-round ratios when the sweep had several rounds; else the rows' own.
        let (throughput, cpu) = match row.paired {
            Some(p) => (Some(p.throughput), Some(p.cpu)),
            None => (
                base.and_then(|b| ratio(row.requests_per_sec, b.requests_per_sec)),
                base.and_then(|b| ratio(row.cpu_us_per_request, b.cpu_us_per_request)),
            ),
        };
        let verdict = match target {
            Some(t) if t.baseline() == t => "baseline".to_owned(),
            Some(t) => t
                .goal()
                .map_or_else(|| "—".to_owned(), |g| verdict(&g, row, throughput, cpu)),
            None => "unknown target".to_owned(),
        };
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} | {} | {} |",
            row.op,
            row.inflight,
            row.target,
            row.requests_per_sec,
            row.p50_us,
            row.p99_us,
            row.cpu_us_per_request,
            row.peak_rss_kib as f64 / 1024.0,
            format_ratio(throughput),
            format_ratio(cpu),
            row.errors,
            verdict,
            row.stub_cpu_us_per_request
                .map_or_else(|| "n/a".to_owned(), |us| format!("{us:.1}")),
        );
    }
    out
}

fn baseline_row<'a>(
    rows: &'a [Measurement],
    row: &Measurement,
    target: Target,
) -> Option<&'a Measurement> {
    let base = target.baseline().name();
    rows.iter()
        .find(|r| r.target == base && r.op == row.op && r.inflight == row.inflight)
}

fn ratio(value: f64, base: f64) -> Option<f64> {
    (base > 0.0 && value.is_finite()).then(|| value / base)
}

fn format_ratio(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "n/a".to_owned(), |r| format!("{r:.2}×"))
}

/// "met", or every missed bar with the figure and the bar.
fn verdict(goal: &Goal, row: &Measurement, throughput: Option<f64>, cpu: Option<f64>) -> String {
    let mut missed = Vec::new();
    if row.errors > 0 {
        missed.push(format!("{} errors", row.errors));
    }
    match cpu {
        Some(c) if c > goal.max_cpu_ratio => {
            missed.push(format!("CPU {c:.2}× > {:.2}×", goal.max_cpu_ratio));
        }
        Some(_) => {}
        None => missed.push("no CPU baseline".to_owned()),
    }
    match throughput {
        Some(t) if t < goal.min_throughput_ratio => {
            missed.push(format!("req/s {t:.2}× < {:.2}×", goal.min_throughput_ratio));
        }
        Some(_) => {}
        None => missed.push("no req/s baseline".to_owned()),
    }
    if row.inflight == 64 && row.peak_rss_kib >= goal.max_peak_rss_kib_at_64 {
        missed.push(format!(
            "RSS {:.1} MiB ≥ {:.1} MiB",
            row.peak_rss_kib as f64 / 1024.0,
            goal.max_peak_rss_kib_at_64 as f64 / 1024.0
        ));
    }
    if missed.is_empty() {
        "met".to_owned()
    } else {
        format!("missed: {}", missed.join("; "))
    }
}

/// A line describing the machine (cores, CPU model, kernel) for the report's header.
pub fn machine_summary() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, name)| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "unknown kernel".to_owned(), |k| k.trim().to_owned());
    format!("{cores} cores ({model}), Linux {kernel}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(target: &str, inflight: usize, rps: f64, cpu: f64) -> Measurement {
        Measurement {
            target: target.into(),
            op: "update".into(),
            inflight,
            requests: 1000,
            errors: 0,
            first_error: None,
            elapsed_secs: 1.0,
            requests_per_sec: rps,
            p50_us: 100.0,
            p99_us: 300.0,
            cpu_us_per_request: cpu,
            peak_rss_kib: 8 * 1024,
            stub_cpu_us_per_request: None,
            paired: None,
        }
    }

    #[test]
    fn ratios_are_against_the_baseline_of_the_same_op_and_inflight() {
        let table = markdown_table(&[
            row("raw-hyper", 8, 40_000.0, 20.0),
            row("raw-reqwest", 8, 30_000.0, 25.0),
            row("raw-hyper", 64, 10_000.0, 50.0),
        ]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 5, "{table}");
        assert!(
            lines[2].contains("| 1.00× | 1.00× |") && lines[2].ends_with("| baseline | n/a |"),
            "{table}"
        );
        assert!(lines[3].contains("| 0.75× | 1.25× |"), "{table}");
        assert!(
            !lines[3].contains("| 40000 |") && lines[3].contains("| 30000 |"),
            "{table}"
        );
    }

    #[test]
    fn a_row_without_its_baseline_shows_no_ratio() {
        let table = markdown_table(&[row("raw-reqwest", 1, 1000.0, 10.0)]);
        assert!(table.contains("| n/a | n/a |"), "{table}");
    }

    #[test]
    fn client_goals_name_every_missed_bar() {
        let goal = Goal::CLIENT;
        let mut r = row("client-hyper", 64, 1000.0, 10.0);
        assert_eq!(verdict(&goal, &r, Some(0.9), Some(1.2)), "met");
        r.peak_rss_kib = 30 * 1024;
        r.errors = 3;
        let v = verdict(&goal, &r, Some(0.5), Some(2.0));
        for part in [
            "3 errors",
            "CPU 2.00× > 1.25×",
            "req/s 0.50× < 0.85×",
            "RSS 30.0 MiB",
        ] {
            assert!(v.contains(part), "{v}");
        }
        r.inflight = 8;
        assert!(!verdict(&goal, &r, Some(1.0), Some(1.0)).contains("RSS"));
    }
}
