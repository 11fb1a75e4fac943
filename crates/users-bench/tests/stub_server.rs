//! The stub server as the harness uses it: a separate process that answers like Auth0 and goes
//! away with its parent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use users_bench::fixture;
use users_bench::stub_process::StubProcess;
use users_model::User;

const EXE: &str = env!("CARGO_BIN_EXE_users-bench");

/// One HTTP/1.1 exchange with `Connection: close`: (status, lower-cased head, body).
fn exchange(port: u16, request_line: &str, body: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout set");
    write!(
        stream,
        "{request_line} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("writes");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("reads");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    (status, head, response[split + 4..].to_vec())
}

#[test]
fn patch_and_get_answer_the_user_with_auth0_headers() {
    let stub = StubProcess::spawn(Path::new(EXE), Duration::from_secs(120)).expect("stub starts");
    let path = fixture::user_path();
    let update = serde_json::to_string(&fixture::update()).expect("serializes");
    for (request_line, body) in [
        (format!("PATCH {path}"), update.as_str()),
        (format!("GET {path}"), ""),
    ] {
        let (status, head, body) = exchange(stub.port(), &request_line, body);
        assert_eq!(status, 200, "{request_line}");
        assert!(head.contains("content-type: application/json"), "{head}");
        for header in [
            "x-ratelimit-limit: 1000",
            "x-ratelimit-remaining: ",
            "x-ratelimit-reset: ",
        ] {
            assert!(head.contains(header), "{header} missing from {head}");
        }
        let user: User = serde_json::from_slice(&body).expect("a user");
        assert_eq!(user, fixture::user().expect("fixture user"));
    }
    let (status, _, body) = exchange(stub.port(), "POST /oauth/token", "{}");
    assert_eq!(status, 200);
    let token: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(token["token_type"], "Bearer");
    let (status, _, _) = exchange(stub.port(), "DELETE /api/v2/users/x", "");
    assert_eq!(status, 404);
}

#[test]
fn dropping_the_handle_ends_the_server() {
    let stub = StubProcess::spawn(Path::new(EXE), Duration::from_secs(120)).expect("stub starts");
    let port = stub.port();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(stub);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "still listening on {port}"
    );
}

#[test]
fn the_server_exits_by_itself_when_its_stdin_closes() {
    let mut child = Command::new(EXE)
        .arg("stub-server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("prints its port");
    assert!(line.trim().parse::<u16>().is_ok(), "{line:?}");
    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waitable") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("stub still running 30 s after its stdin closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}
