//! The harness end to end, with tiny sizes: what CI's smoke run relies on.

mod common;

use std::net::TcpListener;
use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_users-bench");

#[test]
fn all_runs_every_combination_side_by_side_without_errors() {
    let output = Command::new(EXE)
        .args([
            "all",
            "--smoke",
            "--requests",
            "40",
            "--warmup",
            "4",
            "--inflight",
            "1,8",
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The client table, then the emulator's (checked in tests/emulator.rs).
    let (clients, emulator) = stdout
        .split_once("\nEmulator: ")
        .expect("all prints the emulator table after the client table");
    let emulator_ops: Vec<String> = common::table_rows(emulator, "emulator op")
        .into_iter()
        .filter_map(|row| row.into_iter().next())
        .filter(|op| op != "emulator op")
        .collect();
    assert_eq!(emulator_ops, ["update", "get"], "{stdout}");
    let rows = common::table_rows(clients, "op");
    // 2 ops x 2 in-flight counts x 4 targets.
    assert_eq!(rows.len(), 16, "{stdout}");
    for row in &rows {
        assert_eq!(row.len(), 13, "{row:?}");
        let stub_cpu: f64 = row[12].parse().expect("the sweep measures the stub's CPU");
        // The CPU clock has nanosecond resolution: answering requests always costs some.
        assert!(stub_cpu > 0.0, "{row:?}");
        let requests_per_sec: f64 = row[3].parse().expect("req/s is a number");
        assert!(requests_per_sec > 0.0, "{row:?}");
        assert_eq!(row[10], "0", "errors in {row:?}");
        if row[2] == "raw-hyper" {
            assert_eq!(
                (row[8].as_str(), row[11].as_str()),
                ("1.00×", "baseline"),
                "{row:?}"
            );
        }
        if row[2].starts_with("client-") {
            // Compared with its raw baseline of the same run: ratios, and a verdict either way.
            // The CPU clock has nanosecond resolution, so even a 40-request baseline reads
            // more than zero and there is always a CPU ratio.
            let base_name = if row[2] == "client-hyper" {
                "raw-hyper"
            } else {
                "raw-reqwest"
            };
            let base = rows
                .iter()
                .find(|r| r[2] == base_name && r[0] == row[0] && r[1] == row[1])
                .expect("every client row has its baseline in the table");
            let base_cpu: f64 = base[6].parse().expect("CPU µs/req is a number");
            assert!(base_cpu > 0.0, "baseline {base:?}");
            assert!(row[8].ends_with('×'), "{row:?}");
            assert!(row[9].ends_with('×'), "{row:?}");
            assert!(
                row[11] == "met" || row[11].starts_with("missed: "),
                "{row:?}"
            );
            assert!(!row[11].contains("baseline"), "{row:?}");
        }
    }
    let combos: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(combos[0], ("update", "1", "raw-hyper"));
    assert_eq!(combos[1], ("update", "1", "raw-reqwest"));
    assert_eq!(combos[2], ("update", "1", "client-hyper"));
    assert_eq!(combos[3], ("update", "1", "client-reqwest"));
    assert_eq!(combos[15], ("get", "8", "client-reqwest"));
}

#[test]
fn failed_requests_are_reported_and_fail_the_run() {
    // A port nobody listens on any more: every request fails to connect.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a port")
        .port();
    for target in ["raw-hyper", "raw-reqwest", "client-hyper", "client-reqwest"] {
        let url = format!("http://127.0.0.1:{port}");
        let output = Command::new(EXE)
            .args([
                "load",
                "--target",
                target,
                "--op",
                "update",
                "--inflight",
                "2",
            ])
            .args([
                "--requests",
                "10",
                "--warmup",
                "0",
                "--json",
                "--stub-url",
                &url,
            ])
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{target}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let measurement: serde_json::Value =
            serde_json::from_str(stdout.trim()).expect("a measurement");
        assert_eq!(measurement["errors"], 10, "{stdout}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("10 requests failed"));
    }
}

#[test]
fn a_non_loopback_stub_url_is_refused_before_any_request() {
    let output = Command::new(EXE)
        .args([
            "load",
            "--target",
            "raw-hyper",
            "--op",
            "get",
            "--inflight",
            "1",
        ])
        .args(["--stub-url", "http://192.0.2.1:80"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--stub-url") && stderr.contains("must be http://127.0.0.1:PORT"),
        "{stderr}"
    );
}
