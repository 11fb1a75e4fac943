//! The markdown table of the emulator benchmark, with the target and its verdict.

use std::fmt::Write as _;

use crate::emulator_bench::EmulatorRow;

/// The table, one row per operation.
pub fn markdown_table(rows: &[EmulatorRow]) -> String {
    let mut out = String::from(
        "| emulator op | users | in flight | req/s | p50 µs | p99 µs | emulator CPU µs/req \
         | emulator peak RSS MiB | client CPU µs/req | errors | target | verdict |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n",
    );
    for row in rows {
        let (target, verdict) = match row.target_per_sec() {
            Some(bar) => (format!("≥ {bar:.0} req/s"), verdict(row, bar)),
            None => ("—".to_owned(), "—".to_owned()),
        };
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} |",
            row.op,
            row.users,
            row.inflight,
            row.requests_per_sec,
            row.p50_us,
            row.p99_us,
            row.emulator_cpu_us_per_request,
            row.emulator_peak_rss_kib as f64 / 1024.0,
            row.client_cpu_us_per_request,
            row.errors,
            target,
            verdict,
        );
    }
    out
}

/// "pass", or "miss" with the shortfall; errors always miss.
fn verdict(row: &EmulatorRow, bar: f64) -> String {
    if row.errors > 0 {
        format!("miss: {} errors", row.errors)
    } else if row.requests_per_sec >= bar {
        "pass".to_owned()
    } else {
        format!("miss: {:.2}× of the target", row.requests_per_sec / bar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(op: &str, rps: f64, errors: usize) -> EmulatorRow {
        EmulatorRow {
            op: op.into(),
            users: 10_000,
            inflight: 64,
            requests: 1000,
            errors,
            first_error: None,
            requests_per_sec: rps,
            p50_us: 1.0,
            p99_us: 2.0,
            emulator_cpu_us_per_request: 30.0,
            emulator_peak_rss_kib: 20 * 1024,
            client_cpu_us_per_request: 15.0,
        }
    }

    #[test]
    fn patch_rows_are_judged_against_the_target_and_get_rows_are_not() {
        let table = markdown_table(&[
            row("update", 16_000.0, 0),
            row("update", 12_000.0, 0),
            row("update", 20_000.0, 3),
            row("get", 1.0, 0),
        ]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 6, "{table}");
        assert!(lines[2].ends_with("| ≥ 15000 req/s | pass |"), "{table}");
        assert!(
            lines[3].ends_with("| miss: 0.80× of the target |"),
            "{table}"
        );
        assert!(lines[4].ends_with("| miss: 3 errors |"), "{table}");
        assert!(lines[5].ends_with("| — | — |"), "{table}");
        assert!(lines[2].contains("| 20.0 |"), "{table}");
    }
}
