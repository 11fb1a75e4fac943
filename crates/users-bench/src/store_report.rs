//! The markdown tables of the store sweep ([`crate::store_sweep`]) and its verdict on each of
//! issue 15's targets. The targets compare the smallest and the largest size of the sweep
//! (1,000 and 100,000 users by default), always with the store.

use std::fmt::Write as _;

use crate::store_sweep::{
    READ_INFLIGHT, READ_ROUNDS, StoreRow, SweepOutcome, WIDE_INFLIGHT, ratio,
};

/// PATCH p50 at 1 in flight on the largest tenant ÷ on the smallest, at most.
pub const PER_WRITE_BAR: f64 = 1.5;
/// PATCH/s at 64 in flight on the largest tenant with the store, at least.
pub const STORE_PATCH_PER_SEC: f64 = 5_000.0;
/// GET p99 under the paced writes ÷ GET p99 alone, at most.
pub const READ_P99_BAR: f64 = 2.0;
/// Spawn to first answer on the largest store, at most, ms.
pub const STARTUP_BAR_MS: f64 = 2_000.0;

/// One target's line: what is compared, the figures, and met or missed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The target as the issue states it, with the sizes of this sweep.
    pub target: String,
    /// The measured figures it was judged on.
    pub measured: String,
    /// `met`, `reported`, or `missed: ...` with by how much or why.
    pub verdict: String,
}

impl Verdict {
    /// Whether the target was missed.
    pub fn missed(&self) -> bool {
        self.verdict.starts_with("missed")
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn store_name(row: &StoreRow) -> &'static str {
    if row.store { "yes" } else { "no" }
}

/// Every table: writes, reads, start-up, then the targets.
pub fn markdown(outcome: &SweepOutcome) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "| users | store | seed s | PATCH×1 p50 µs | PATCH×1 p99 µs | PATCH×1 p50 last µs \
         | PATCH×{WIDE_INFLIGHT} req/s | PATCH×{WIDE_INFLIGHT} p50 µs \
         | PATCH×{WIDE_INFLIGHT} p99 µs | emulator CPU µs/PATCH | emulator peak RSS MiB \
         | errors |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for row in &outcome.rows {
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} | {:.1} | {:.1} | {:.1} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
            row.users,
            store_name(row),
            row.seed_secs,
            row.patch_single.p50_us,
            row.patch_single.p99_us,
            row.patch_single_after.p50_us,
            row.patch_wide.requests_per_sec,
            row.patch_wide.p50_us,
            row.patch_wide.p99_us,
            row.patch_wide.emulator_cpu_us_per_request,
            mib(row.emulator_peak_rss_kib),
            row.errors(),
        );
    }
    let _ = writeln!(
        out,
        "\n| users (reads) | store | GET×{WIDE_INFLIGHT} req/s | GET×{WIDE_INFLIGHT} p50 µs \
         | GET×{WIDE_INFLIGHT} p99 µs | emulator CPU µs/GET | GET×{READ_INFLIGHT} p99 alone µs \
         | GET×{READ_INFLIGHT} p99 under writes µs | p99 ratio (paired) | paced PATCH/s asked | answered \
         | shed |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for row in &outcome.rows {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {} | {:.0} | {} |",
            row.users,
            store_name(row),
            row.get_wide.requests_per_sec,
            row.get_wide.p50_us,
            row.get_wide.p99_us,
            row.get_wide.emulator_cpu_us_per_request,
            row.get_alone.p99_us,
            row.get_under_writes.p99_us,
            row.read_p99_ratio,
            row.writes.target_per_sec,
            row.writes.answered_per_sec,
            row.writes.shed,
        );
    }
    let startup = &outcome.startup;
    let _ = writeln!(
        out,
        "\n| start-up on a store of | spawn → port line ms | spawn → first answer ms \
         | RSS after start-up MiB | peak RSS MiB | last PATCH kept |\n\
         |---:|---:|---:|---:|---:|---|\n\
         | {} | {:.0} | {:.0} | {:.1} | {:.1} | {} |",
        startup.users,
        startup.port_ms,
        startup.first_answer_ms,
        mib(startup.rss_kib),
        mib(startup.peak_rss_kib),
        if startup.kept_last_write { "yes" } else { "no" },
    );
    let _ = writeln!(out, "\n| target | measured | verdict |\n|---|---|---|");
    for verdict in verdicts(outcome) {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            verdict.target, verdict.measured, verdict.verdict
        );
    }
    out
}

/// `met` when `ok`, else `missed: {why}`; failed requests always miss.
fn judge(errors: usize, ok: bool, why: impl FnOnce() -> String) -> String {
    if errors > 0 {
        format!("missed: {errors} failed requests")
    } else if ok {
        "met".to_owned()
    } else {
        format!("missed: {}", why())
    }
}

/// The verdict on each target, from the store rows of the smallest and largest size.
pub fn verdicts(outcome: &SweepOutcome) -> Vec<Verdict> {
    let stored = || outcome.rows.iter().filter(|row| row.store);
    let (Some(small), Some(large)) = (
        stored().min_by_key(|row| row.users),
        stored().max_by_key(|row| row.users),
    ) else {
        return vec![Verdict {
            target: "every target".to_owned(),
            measured: "no run with the store".to_owned(),
            verdict: "missed: nothing measured".to_owned(),
        }];
    };
    let mut verdicts = Vec::new();

    let per_write = ratio(large.patch_single.p50_us, small.patch_single.p50_us);
    verdicts.push(Verdict {
        target: format!(
            "PATCH p50 at {} users ≤ {PER_WRITE_BAR}× at {} users (1 in flight, store)",
            large.users, small.users
        ),
        measured: format!(
            "{:.1} µs vs {:.1} µs: {per_write:.2}×",
            large.patch_single.p50_us, small.patch_single.p50_us
        ),
        verdict: judge(
            large.patch_single.errors + small.patch_single.errors,
            per_write > 0.0 && per_write <= PER_WRITE_BAR,
            || format!("{:.2}× over the bar", per_write / PER_WRITE_BAR),
        ),
    });

    let rate = large.patch_wide.requests_per_sec;
    verdicts.push(Verdict {
        target: format!(
            "≥ {STORE_PATCH_PER_SEC:.0} PATCH/s at {WIDE_INFLIGHT} in flight, {} users, store",
            large.users
        ),
        measured: format!("{rate:.0}/s (p99 {:.1} µs)", large.patch_wide.p99_us),
        verdict: judge(large.patch_wide.errors, rate >= STORE_PATCH_PER_SEC, || {
            format!("{:.2}× of the bar", rate / STORE_PATCH_PER_SEC)
        }),
    });

    let reads = large.read_p99_ratio;
    verdicts.push(Verdict {
        target: format!(
            "GET p99 under {} paced PATCH/s ≤ {READ_P99_BAR}× alone ({READ_INFLIGHT} in flight, \
             {} users, store)",
            large.writes.target_per_sec, large.users
        ),
        measured: format!(
            "{:.1} µs vs {:.1} µs (medians of {READ_ROUNDS} rounds), paired ratio {reads:.2}× \
             ({:.0} PATCH/s answered meanwhile)",
            large.get_under_writes.p99_us, large.get_alone.p99_us, large.writes.answered_per_sec
        ),
        verdict: judge(
            large.get_alone.errors + large.get_under_writes.errors + large.writes.errors,
            reads > 0.0 && reads <= READ_P99_BAR,
            || format!("{:.2}× over the bar", reads / READ_P99_BAR),
        ),
    });

    let startup = &outcome.startup;
    verdicts.push(Verdict {
        target: format!(
            "start-up on a {}-user store < {:.0} s",
            startup.users,
            STARTUP_BAR_MS / 1e3
        ),
        measured: format!(
            "{:.0} ms to the first answer ({:.0} ms to the port line)",
            startup.first_answer_ms, startup.port_ms
        ),
        verdict: if !startup.kept_last_write {
            "missed: the last PATCH before the restart was not kept".to_owned()
        } else {
            judge(0, startup.first_answer_ms < STARTUP_BAR_MS, || {
                format!("{:.2}× the bar", startup.first_answer_ms / STARTUP_BAR_MS)
            })
        },
    });

    verdicts.push(Verdict {
        target: "resident memory reported".to_owned(),
        measured: format!(
            "{:.1} MiB RSS after start-up ({:.1} MiB peak); {:.1} MiB peak after the {}-user \
             run with the store, {:.1} MiB without",
            mib(startup.rss_kib),
            mib(startup.peak_rss_kib),
            mib(large.emulator_peak_rss_kib),
            large.users,
            outcome
                .rows
                .iter()
                .find(|row| !row.store && row.users == large.users)
                .map_or(0.0, |row| mib(row.emulator_peak_rss_kib)),
        ),
        verdict: "reported".to_owned(),
    });
    verdicts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paced::PacedFigures;
    use crate::store_sweep::{Phase, Startup};

    fn phase(rps: f64, p50: f64, p99: f64) -> Phase {
        Phase {
            inflight: 1,
            requests: 100,
            requests_per_sec: rps,
            p50_us: p50,
            p99_us: p99,
            emulator_cpu_us_per_request: 40.0,
            ..Phase::default()
        }
    }

    fn row(users: usize, store: bool, single_p50: f64, rps: f64, under: f64) -> StoreRow {
        StoreRow {
            users,
            store,
            seed_secs: 1.5,
            patch_single: phase(1000.0, single_p50, single_p50 * 2.0),
            patch_single_after: phase(500.0, single_p50 * 3.0, single_p50 * 4.0),
            patch_wide: phase(rps, 9000.0, 20000.0),
            get_wide: phase(20000.0, 3000.0, 6000.0),
            get_alone: phase(8000.0, 900.0, 1000.0),
            get_under_writes: phase(7000.0, 1000.0, under),
            read_p99_ratio: under / 1000.0,
            writes: PacedFigures {
                target_per_sec: 1000,
                answered_per_sec: 998.0,
                answered: 500,
                ..PacedFigures::default()
            },
            emulator_peak_rss_kib: 2048,
        }
    }

    fn outcome(rows: Vec<StoreRow>, first_answer_ms: f64, kept: bool) -> SweepOutcome {
        SweepOutcome {
            rows,
            startup: Startup {
                users: 100_000,
                port_ms: first_answer_ms - 10.0,
                first_answer_ms,
                rss_kib: 4096,
                peak_rss_kib: 8192,
                kept_last_write: kept,
            },
        }
    }

    #[test]
    fn every_target_is_met_when_the_figures_are_inside_the_bars() {
        let result = outcome(
            vec![
                row(1000, false, 100.0, 9000.0, 1000.0),
                row(1000, true, 200.0, 9000.0, 1500.0),
                row(100_000, false, 100.0, 9000.0, 1000.0),
                row(100_000, true, 290.0, 6000.0, 1900.0),
            ],
            1500.0,
            true,
        );
        let verdicts = verdicts(&result);
        let shown: Vec<&str> = verdicts.iter().map(|v| v.verdict.as_str()).collect();
        assert_eq!(shown, ["met", "met", "met", "met", "reported"]);
        assert!(verdicts[0].measured.contains("1.45×"), "{verdicts:?}");
        assert!(
            verdicts[0].target.contains("at 100000 users"),
            "{verdicts:?}"
        );
        assert!(verdicts[4].measured.contains("4.0 MiB RSS"), "{verdicts:?}");
        let table = markdown(&result);
        assert_eq!(
            table
                .lines()
                .filter(|l| l.starts_with("| 100000 |"))
                .count(),
            5,
            "two rows for writes, two for reads, one for the start-up: {table}"
        );
        assert!(table.contains("| 1.90 |"), "the read ratio: {table}");
    }

    #[test]
    fn misses_say_by_how_much_and_errors_and_lost_writes_always_miss() {
        let mut large = row(100_000, true, 450.0, 4000.0, 3000.0);
        let result = outcome(
            vec![row(1000, true, 200.0, 9000.0, 1000.0), large.clone()],
            2500.0,
            true,
        );
        let shown: Vec<String> = verdicts(&result).into_iter().map(|v| v.verdict).collect();
        assert_eq!(shown[0], "missed: 1.50× over the bar");
        assert_eq!(shown[1], "missed: 0.80× of the bar");
        assert_eq!(shown[2], "missed: 1.50× over the bar");
        assert_eq!(shown[3], "missed: 1.25× the bar");
        assert!(verdicts(&result)[0].missed());

        large.patch_wide.errors = 3;
        large.writes.errors = 1;
        let result = outcome(
            vec![row(1000, true, 200.0, 9000.0, 1000.0), large],
            100.0,
            false,
        );
        let shown: Vec<String> = verdicts(&result).into_iter().map(|v| v.verdict).collect();
        assert_eq!(shown[1], "missed: 3 failed requests");
        assert_eq!(shown[2], "missed: 1 failed requests");
        assert!(shown[3].contains("not kept"), "{shown:?}");
    }

    #[test]
    fn a_sweep_without_the_store_judges_nothing() {
        let result = outcome(vec![row(1000, false, 1.0, 1.0, 1.0)], 1.0, true);
        let verdicts = verdicts(&result);
        assert_eq!(verdicts.len(), 1);
        assert!(verdicts[0].missed());
    }
}
