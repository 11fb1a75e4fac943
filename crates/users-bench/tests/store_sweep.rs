//! The store sweep (`users-bench emulator --state`) end to end at smoke size: what CI runs so
//! it cannot rot. Figures are only checked to be present and sane, never against a speed.

use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_users-bench");

/// The body rows of the markdown table in `text` whose first header cell is `header`.
fn table(text: &str, header: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with('|') {
            if inside {
                break;
            }
            continue;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect();
        if !inside {
            inside = cells.first().map(String::as_str) == Some(header);
        } else if !cells.iter().all(|c| c.starts_with("---")) {
            rows.push(cells);
        }
    }
    rows
}

fn number(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("`{cell}` is not a number"))
}

#[test]
fn a_smoke_sweep_measures_every_size_with_and_without_the_store_and_restarts() {
    let output = Command::new(EXE)
        .args(["emulator", "--state", "--smoke", "--sizes", "60,150"])
        .args(["--requests", "100", "--warmup", "10", "--batch", "50"])
        .args(["--write-rate", "200", "--max-seconds", "120"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");

    let writes = table(&stdout, "users");
    let keys: Vec<(&str, &str)> = writes
        .iter()
        .map(|row| (row[0].as_str(), row[1].as_str()))
        .collect();
    assert_eq!(
        keys,
        [("60", "no"), ("60", "yes"), ("150", "no"), ("150", "yes")],
        "{stdout}"
    );
    for row in &writes {
        assert_eq!(row.len(), 12, "{row:?}");
        assert!(number(&row[2]) > 0.0, "seed time in {row:?}");
        assert!(
            number(&row[4]) >= number(&row[3]),
            "PATCH×1 p99 < p50 in {row:?}"
        );
        assert!(number(&row[5]) > 0.0, "the last PATCH×1 p50 in {row:?}");
        assert!(number(&row[6]) > 0.0, "PATCH×64 req/s in {row:?}");
        assert!(
            number(&row[8]) >= number(&row[7]),
            "PATCH×64 p99 < p50 in {row:?}"
        );
        assert!(number(&row[9]) > 0.0, "emulator CPU in {row:?}");
        assert!(number(&row[10]) > 1.0, "the emulator's peak RSS in {row:?}");
        assert_eq!(row[11], "0", "errors in {row:?}");
    }

    let reads = table(&stdout, "users (reads)");
    assert_eq!(reads.len(), 4, "{stdout}");
    for row in &reads {
        assert_eq!(row.len(), 12, "{row:?}");
        assert!(number(&row[2]) > 0.0, "GET×64 req/s in {row:?}");
        assert!(number(&row[6]) > 0.0 && number(&row[7]) > 0.0, "{row:?}");
        assert!(number(&row[8]) > 0.0, "the p99 ratio in {row:?}");
        assert_eq!(row[9], "200", "the paced rate asked in {row:?}");
        assert!(number(&row[10]) > 0.0, "paced writes answered in {row:?}");
    }

    let startup = table(&stdout, "start-up on a store of");
    assert_eq!(startup.len(), 1, "{stdout}");
    let startup = &startup[0];
    assert_eq!(startup[0], "150", "{startup:?}");
    assert!(number(&startup[2]) >= number(&startup[1]), "{startup:?}");
    assert!(
        number(&startup[3]) > 1.0,
        "RSS after start-up in {startup:?}"
    );
    assert!(number(&startup[4]) >= number(&startup[3]), "{startup:?}");
    assert_eq!(startup[5], "yes", "the restart kept the last PATCH");

    let targets = table(&stdout, "target");
    assert_eq!(targets.len(), 5, "{stdout}");
    assert!(targets[0][0].contains("at 150 users") && targets[0][0].contains("at 60 users"));
    for row in &targets[..4] {
        assert!(
            row[2] == "met" || row[2].starts_with("missed: ") && !row[2].contains("failed"),
            "{row:?}"
        );
    }
    assert_eq!(targets[4][2], "reported");
    assert!(stderr.contains("seeded in"), "{stderr}");
}

#[test]
fn the_emulator_server_keeps_its_tenant_in_the_store_across_restarts() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;
    use std::process::Stdio;

    fn exchange(port: u16, request: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("listens on loopback");
        stream.write_all(request.as_bytes()).expect("writes");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("reads");
        answer
    }

    fn serve(store: &std::path::Path) -> (std::process::Child, u16) {
        let mut child = Command::new(EXE)
            .arg("emulator-server")
            .arg("--state")
            .arg(store)
            .args(["--max-seconds", "60"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("prints its port");
        (child, line.trim().parse().expect("a port"))
    }

    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = dir.path().join("tenant.sqlite");
    let seed = r#"{"users":[{"connection":"Username-Password-Authentication","user_id":"auth0|kept","email":"kept@example.com"}]}"#;
    let (mut first, port) = serve(&store);
    let seeded = exchange(
        port,
        &format!(
            "POST /__emulator/seed HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{seed}",
            seed.len()
        ),
    );
    assert!(seeded.starts_with("HTTP/1.1 200"), "{seeded}");
    drop(first.stdin.take());
    assert!(first.wait().expect("exits").success());

    let (mut second, port) = serve(&store);
    let snapshot = exchange(
        port,
        "GET /__emulator/snapshot HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    drop(second.stdin.take());
    assert!(second.wait().expect("exits").success());
    assert!(snapshot.starts_with("HTTP/1.1 200"), "{snapshot}");
    assert!(snapshot.contains("auth0|kept"), "{snapshot}");
}
