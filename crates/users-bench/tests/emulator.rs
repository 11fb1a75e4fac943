//! The emulator benchmark end to end at smoke size: what CI runs so it cannot rot. Figures
//! are only checked to be present and sane, never against a speed.

mod common;

use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_users-bench");

fn number(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("`{cell}` is not a number"))
}

#[test]
fn a_smoke_run_seeds_patches_and_reads_without_errors() {
    let output = Command::new(EXE)
        .args(["emulator", "--smoke", "--users", "120", "--batch", "50"])
        .args([
            "--requests",
            "300",
            "--warmup",
            "10",
            "--max-seconds",
            "120",
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("seeded 120 users"), "{stderr}");
    let rows = common::table_rows(&stdout, "emulator op");
    assert_eq!(rows.len(), 2, "{stdout}");
    for row in &rows {
        assert_eq!(row.len(), 12, "{row:?}");
        assert_eq!((row[1].as_str(), row[2].as_str()), ("120", "64"), "{row:?}");
        assert!(number(&row[3]) > 0.0, "req/s in {row:?}");
        assert!(number(&row[5]) >= number(&row[4]), "p99 < p50 in {row:?}");
        assert!(number(&row[6]) > 0.0, "emulator CPU in {row:?}");
        assert!(number(&row[7]) > 1.0, "the emulator's peak RSS in {row:?}");
        assert_eq!(row[9], "0", "errors in {row:?}");
    }
    assert_eq!(rows[0][0], "update");
    assert_eq!(rows[0][10], "≥ 15000 req/s");
    assert!(
        rows[0][11] == "pass" || rows[0][11].starts_with("miss: "),
        "{:?}",
        rows[0]
    );
    assert_eq!((rows[1][0].as_str(), rows[1][10].as_str()), ("get", "—"));
}

#[test]
fn the_emulator_server_serves_until_its_stdin_closes() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;
    use std::process::Stdio;

    let mut child = Command::new(EXE)
        .args(["emulator-server", "--max-seconds", "60"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("prints its port");
    let port: u16 = line.trim().parse().expect("a port");
    // The admin API answers without a token: the server is the emulator.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("listens on loopback");
    stream
        .write_all(b"GET /__emulator/faults HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .expect("writes");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("reads");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\r\n[]\r\n"), "{answer}");
    drop(child.stdin.take());
    let status = child.wait().expect("exits once stdin is closed");
    assert!(status.success(), "{status}");
}
