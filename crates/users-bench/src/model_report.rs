//! The model table: reads what `cargo bench -p users-bench --bench model` left in criterion's
//! directory and prints each benchmark's median time next to the serde_json parse + serialize
//! of the same document, which is the issue's yardstick (≤ 2× at every size, linear in size).

use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use crate::sized::SIZES;

/// The benchmark group every other is compared with.
pub const REFERENCE: &str = "baseline_serde_json_value";

/// The groups of `benches/model.rs`, in table order; a group not run yet is left out.
pub const GROUPS: &[&str] = &[
    REFERENCE,
    "baseline_typed_user",
    "apply_update",
    "metadata_patch",
    "validate_update",
];

/// The issue's bar: a model operation costs at most this multiple of the reference.
pub const MAX_RATIO: f64 = 2.0;

/// One benchmark's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The criterion group, e.g. `apply_update`.
    pub group: String,
    /// The size label, e.g. `10KB`.
    pub size: String,
    /// Median time per iteration, ns.
    pub median_ns: f64,
    /// Bytes of the document, as the bench declared its throughput.
    pub bytes: Option<u64>,
}

#[derive(Deserialize)]
struct Estimates {
    median: PointEstimate,
}

#[derive(Deserialize)]
struct PointEstimate {
    point_estimate: f64,
}

#[derive(Deserialize)]
struct Benchmark {
    throughput: Option<Throughput>,
}

#[derive(Deserialize)]
struct Throughput {
    #[serde(rename = "Bytes")]
    bytes: Option<u64>,
}

/// Reads the latest estimates of every [`GROUPS`] × [`SIZES`] under `criterion_dir`
/// (`$CARGO_TARGET_DIR/criterion`); missing or unreadable ones are skipped.
pub fn read(criterion_dir: &Path) -> Vec<Estimate> {
    let mut found = Vec::new();
    for group in GROUPS {
        for (size, _) in SIZES {
            let dir = criterion_dir.join(group).join(size).join("new");
            let Some(estimates) = read_json::<Estimates>(&dir.join("estimates.json")) else {
                continue;
            };
            let bytes = read_json::<Benchmark>(&dir.join("benchmark.json"))
                .and_then(|b| b.throughput)
                .and_then(|t| t.bytes);
            found.push(Estimate {
                group: (*group).to_owned(),
                size: (*size).to_owned(),
                median_ns: estimates.median.point_estimate,
                bytes,
            });
        }
    }
    found
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// The table: time, ns per byte, ratio to the reference at the same size, and the verdict for
/// the model's operations.
pub fn markdown_table(estimates: &[Estimate]) -> String {
    let mut out = String::from(
        "| benchmark | metadata | doc bytes | median | ns/byte | vs serde_json | goal |\n\
         |---|---|---:|---:|---:|---:|---|\n",
    );
    for estimate in estimates {
        let reference = estimates
            .iter()
            .find(|e| e.group == REFERENCE && e.size == estimate.size)
            .map(|e| e.median_ns)
            .filter(|ns| *ns > 0.0);
        let ratio = reference.map(|r| estimate.median_ns / r);
        let goal = if estimate.group.starts_with("baseline_") {
            "—".to_owned()
        } else {
            match ratio {
                Some(r) if r <= MAX_RATIO => "met".to_owned(),
                Some(r) => format!("missed: {r:.2}× > {MAX_RATIO:.0}×"),
                None => "no baseline".to_owned(),
            }
        };
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            estimate.group,
            estimate.size,
            estimate
                .bytes
                .map_or_else(|| "?".to_owned(), |b| b.to_string()),
            format_ns(estimate.median_ns),
            estimate.bytes.filter(|b| *b > 0).map_or_else(
                || "?".to_owned(),
                |b| format!("{:.2}", estimate.median_ns / b as f64)
            ),
            ratio.map_or_else(|| "n/a".to_owned(), |r| format!("{r:.2}×")),
            goal,
        );
    }
    out
}

fn format_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(group: &str, size: &str, ns: f64) -> Estimate {
        Estimate {
            group: group.into(),
            size: size.into(),
            median_ns: ns,
            bytes: Some(2000),
        }
    }

    #[test]
    fn model_rows_are_judged_against_the_reference_of_their_size() {
        let table = markdown_table(&[
            estimate(REFERENCE, "1KB", 10_000.0),
            estimate(REFERENCE, "1MB", 4_000_000.0),
            estimate("apply_update", "1KB", 15_000.0),
            estimate("apply_update", "1MB", 12_000_000.0),
            estimate("metadata_patch", "10KB", 1.0),
        ]);
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[2].contains("| 10.00 µs | 5.00 | 1.00× | — |"),
            "{table}"
        );
        assert!(lines[4].contains("| 1.50× | met |"), "{table}");
        assert!(
            lines[5].contains("| 12.00 ms |") && lines[5].contains("missed: 3.00× > 2×"),
            "{table}"
        );
        assert!(lines[6].ends_with("| n/a | no baseline |"), "{table}");
    }

    #[test]
    fn criterion_output_is_read_and_gaps_are_skipped() {
        let dir =
            std::env::temp_dir().join(format!("users-bench-model-report-{}", std::process::id()));
        let new = dir.join(REFERENCE).join("10KB").join("new");
        std::fs::create_dir_all(&new).expect("temp dir");
        std::fs::write(
            new.join("estimates.json"),
            r#"{"mean":{"point_estimate":9.0},"median":{"point_estimate":7.5}}"#,
        )
        .expect("write");
        std::fs::write(
            new.join("benchmark.json"),
            r#"{"throughput":{"Bytes":10400}}"#,
        )
        .expect("write");
        let broken = dir.join("apply_update").join("1KB").join("new");
        std::fs::create_dir_all(&broken).expect("temp dir");
        std::fs::write(broken.join("estimates.json"), "{").expect("write");
        let found = read(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            found,
            vec![Estimate {
                group: REFERENCE.into(),
                size: "10KB".into(),
                median_ns: 7.5,
                bytes: Some(10400)
            }]
        );
    }
}
