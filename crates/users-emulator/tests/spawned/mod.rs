//! The `users-emulator` binary as a child process, for the tests of its flags and of `--state`
//! across restarts and `kill -9`.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use users_transport::{ReqwestTransport, Transport, TransportConfig};

pub const BIN: &str = env!("CARGO_BIN_EXE_users-emulator");

/// A started emulator process, killed and reaped on drop.
pub struct Running {
    child: Child,
    pub base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// SIGKILL: no chance to clean up or flush anything.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// Sends `signal` (`TERM`, `INT`, ...) with `kill(1)` and waits for the exit.
    pub fn signal(mut self, signal: &str) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -{signal}");
        self.child.wait().expect("reaped")
    }
}

/// Starts the binary on a fresh loopback port with `args` after `--listen`.
pub fn start<I>(args: I) -> Running
where
    I: IntoIterator,
    I::Item: AsRef<OsStr>,
{
    let mut command = Command::new(BIN);
    command.args(["--listen", "127.0.0.1:0"]).args(args);
    spawn(command)
}

/// Starts `command` (the binary with its flags and environment) and waits for its base URL.
pub fn spawn(mut command: Command) -> Running {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    // Owned by `Running` at once, so the process is killed and reaped on every path.
    let mut running = Running {
        child,
        base: String::new(),
    };
    let stdout = running.child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Reads to the end even when nobody listens any more, so the process never writes
        // into a closed pipe.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    while running.base.is_empty() {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the emulator starts and prints its base URL");
        if let Some(base) = line.strip_prefix("users-emulator listening on ") {
            running.base = base.trim().to_owned();
        }
    }
    running
}

pub fn transport() -> ReqwestTransport {
    ReqwestTransport::new(&TransportConfig::builder().build()).expect("reqwest")
}

/// One JSON exchange; `None` when the connection failed (the process was killed).
pub async fn call(
    transport: &ReqwestTransport,
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Option<(u16, Value)> {
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
    let response = transport
        .send(request.body(body).expect("request"))
        .await
        .ok()?;
    let status = response.status().as_u16();
    Some((
        status,
        serde_json::from_slice(response.body()).unwrap_or(Value::Null),
    ))
}

/// A Management API token of the default application.
pub async fn token(transport: &ReqwestTransport, base: &str) -> String {
    let body = json!({"grant_type":"client_credentials","client_id":"emulator-client",
        "client_secret":"emulator-secret","audience":format!("{base}/api/v2/")});
    let (status, body) = call(transport, base, "POST", "/oauth/token", None, Some(body))
        .await
        .expect("token");
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("token").to_owned()
}
