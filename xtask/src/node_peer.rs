//! `cargo xtask node-peer`: the official node-auth0 v4 SDK, unchanged, drives the served
//! emulator. Installs the pinned SDK with `npm ci` into the ignored `xtask/node-peer/node_modules`,
//! then for each `xtask/node-peer/checks/*.mjs` starts a fresh emulator on 127.0.0.1 (a free
//! port) and runs the check with `node`, failing when any check exits non-zero.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The domain the SDK is configured with. A reserved `.test` name that never resolves: the
/// checks' `fetch` sends every `https://{AUTH0_DOMAIN}/...` request to the emulator instead,
/// and the emulator issues tokens for `https://{AUTH0_DOMAIN}/` so the SDK's default audience
/// (`https://{domain}/api/v2/`) is the one it expects.
const AUTH0_DOMAIN: &str = "emulator.node-peer.test";
/// The emulator's default application (`users_emulator::DEFAULT_CLIENT_ID` / `_SECRET`): the
/// checks get exactly the scopes the emulator grants by default.
const CLIENT_ID: &str = "emulator-client";
const CLIENT_SECRET: &str = "emulator-secret";
/// How long the emulator may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs every check; `filter` keeps only checks whose file name contains it.
pub(crate) fn run(root: &Path, filter: Option<&str>) -> bool {
    let dir = root.join("xtask").join("node-peer");
    if !install(&dir) {
        return false;
    }
    let Some(binary) = build_emulator(root) else {
        return false;
    };
    let checks = match checks(&dir, filter) {
        Ok(checks) if !checks.is_empty() => checks,
        Ok(_) => {
            eprintln!("xtask node-peer: no checks/*.mjs matched");
            return false;
        }
        Err(err) => {
            eprintln!("xtask node-peer: reading checks/: {err}");
            return false;
        }
    };
    let mut failed = Vec::new();
    for check in &checks {
        let name = check
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        eprintln!("==> node-peer {name}");
        if !run_check(&binary, &dir, check) {
            failed.push(name);
        }
    }
    if failed.is_empty() {
        eprintln!("node-peer: {} checks passed", checks.len());
        true
    } else {
        eprintln!("node-peer: failed: {}", failed.join(", "));
        false
    }
}

/// `npm ci` when the pinned SDK is not installed yet (package-lock.json pins it).
fn install(dir: &Path) -> bool {
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules").join(".package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(lock), Ok(installed)) => match (lock.modified(), installed.modified()) {
            (Ok(l), Ok(i)) => i >= l,
            _ => false,
        },
        _ => false,
    };
    if fresh {
        return true;
    }
    let mut npm = Command::new("npm");
    npm.current_dir(dir)
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"]);
    crate::step("npm ci (node-auth0 v4, pinned)", npm)
}

/// Builds the emulator binary and returns its path.
fn build_emulator(root: &Path) -> Option<PathBuf> {
    let mut build = crate::cargo();
    build.args(["build", "-p", "users-emulator", "--bin", "users-emulator"]);
    if !crate::step("build users-emulator", build) {
        return None;
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let binary = target
        .join("debug")
        .join(format!("users-emulator{}", std::env::consts::EXE_SUFFIX));
    if binary.exists() {
        Some(binary)
    } else {
        eprintln!("xtask node-peer: {} was not built", binary.display());
        None
    }
}

/// The `.mjs` files of `checks/`, sorted.
fn checks(dir: &Path, filter: Option<&str>) -> std::io::Result<Vec<PathBuf>> {
    let mut checks: Vec<PathBuf> = std::fs::read_dir(dir.join("checks"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "mjs"))
        .filter(|path| {
            filter.is_none_or(|f| {
                path.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(f))
            })
        })
        .collect();
    checks.sort();
    Ok(checks)
}

/// The emulator child, killed when dropped so a failing check never leaves it running.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a fresh emulator on a free loopback port and returns it with its base URL.
fn serve(binary: &Path) -> Option<(Served, String)> {
    let client = format!("{CLIENT_ID}:{CLIENT_SECRET}");
    let issuer = format!("https://{AUTH0_DOMAIN}/");
    let child = Command::new(binary)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--client",
            &client,
            "--issuer",
            &issuer,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(err) => {
            eprintln!("xtask node-peer: starting {}: {err}", binary.display());
            return None;
        }
    };
    let stdout = child.stdout.take()?;
    let served = Served(child);
    let (tx, rx) = mpsc::channel();
    // Reads the address line, then keeps draining stdout so the emulator never blocks on it.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("users-emulator listening on ") {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    match rx.recv_timeout(START_TIMEOUT) {
        Ok(url) => Some((served, url)),
        Err(_) => {
            eprintln!("xtask node-peer: the emulator did not report its address");
            None
        }
    }
}

fn run_check(binary: &Path, dir: &Path, check: &Path) -> bool {
    let Some((_served, url)) = serve(binary) else {
        return false;
    };
    let mut node = Command::new("node");
    node.current_dir(dir)
        .arg(check)
        .env("EMULATOR_URL", &url)
        .env("AUTH0_DOMAIN", AUTH0_DOMAIN)
        .env("CLIENT_ID", CLIENT_ID)
        .env("CLIENT_SECRET", CLIENT_SECRET);
    match node.status() {
        Ok(status) if status.success() => true,
        Ok(status) => {
            eprintln!("xtask node-peer: {} exited with {status}", check.display());
            false
        }
        Err(err) => {
            eprintln!("xtask node-peer: running node: {err}");
            false
        }
    }
}
