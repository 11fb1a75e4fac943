//! Project automation.
//!
//! - `cargo xtask ci`: exactly what CI runs (format, clippy, tests, docs, feature matrix, the
//!   fuzz crate, dependency checks), all with `--locked`.
//! - `cargo xtask bench [--smoke]`: the client-overhead load table, the emulator's throughput
//!   and store sweep, and the model benchmarks.
//! - `cargo xtask fuzz [SECONDS]`: the emulator router fuzz target for a bounded time (default 60 s).
//! - `cargo xtask emulator [ARGS...]`: serve the emulator (`--listen 127.0.0.1:4000` by default).
//! - `cargo xtask node-peer [FILTER]`: the official node-auth0 v4 SDK drives the served emulator
//!   (`xtask/node-peer/README.md`).

// Nothing here may panic on a value from a server, a file or a caller: checked access and
// arithmetic instead (tests may unwrap).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod node_peer;

use std::process::{Command, ExitCode};

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs one step, printing it first; returns whether it succeeded.
fn step(name: &str, mut cmd: Command) -> bool {
    eprintln!("==> {name}");
    match cmd.status() {
        Ok(status) if status.success() => true,
        Ok(status) => {
            eprintln!("xtask: step '{name}' failed with {status}");
            false
        }
        Err(err) => {
            eprintln!("xtask: step '{name}' could not start: {err}");
            false
        }
    }
}

/// The normal dependency tree of `package`, one crate name per line.
fn dependency_names(package: &str, features: &[&str]) -> Option<Vec<String>> {
    let output = cargo()
        .args([
            "tree", "--locked", "-p", package, "-e", "normal", "--prefix", "none", "--format",
            "{p}",
        ])
        .args(features)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Some(
        text.lines()
            .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
            .collect(),
    )
}

/// Checks that `package`'s tree holds none of `forbidden` (e.g. no async runtime in the model).
fn forbid_dependencies(package: &str, features: &[&str], forbidden: &[&str]) -> bool {
    eprintln!("==> dependency check: {package} has none of {forbidden:?}");
    let Some(names) = dependency_names(package, features) else {
        eprintln!("xtask: cargo tree failed for {package}");
        return false;
    };
    let found: Vec<&String> = names
        .iter()
        .filter(|n| forbidden.contains(&n.as_str()))
        .collect();
    if found.is_empty() {
        true
    } else {
        eprintln!("xtask: {package} depends on forbidden crates: {found:?}");
        false
    }
}

/// A cargo command with `args`, resolving dependencies only from `Cargo.lock` (`--locked`), so
/// CI builds exactly the versions the lock file records.
fn locked(args: &[&str]) -> Command {
    let mut cmd = cargo();
    if let Some((subcommand, rest)) = args.split_first() {
        cmd.arg(subcommand).arg("--locked").args(rest);
    }
    cmd
}

fn ci() -> bool {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    let clippy = locked(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    let test = locked(&["test", "--workspace"]);
    let mut doc = locked(&["doc", "--workspace", "--no-deps"]);
    doc.env("RUSTDOCFLAGS", "-D warnings");
    // Each criterion benchmark once, so the benchmarks cannot rot (the load harness itself has
    // a tiny end-to-end run among the workspace tests).
    let bench_smoke = locked(&["test", "-p", "users-bench", "--benches"]);
    // The fuzz crate is its own workspace (cargo-fuzz builds it alone) with its own lock file;
    // checking it on stable keeps the target compiling. Its target directory sits under the
    // main one so the shared dependencies are not rebuilt by every clone.
    let fuzz_target_dir = workspace_root().join("target").join("fuzz");
    let mut fuzz = locked(&["clippy", "--manifest-path"]);
    fuzz.arg(workspace_root().join("fuzz").join("Cargo.toml"))
        .arg("--target-dir")
        .arg(fuzz_target_dir)
        .args(["--", "-D", "warnings"]);
    // The replay and end-to-end suites again, every emulator on a `--state` store, so both
    // modes run the same behaviour (users_fixtures::test_store_path).
    let mut store_emulator = locked(&["test", "-p", "users-emulator"]);
    store_emulator.args(["--test", "replay", "--test", "users", "--test", "tenant"]);
    store_emulator.args([
        "--test",
        "mfa",
        "--test",
        "sessions",
        "--test",
        "refresh_logs",
    ]);
    store_emulator.env(users_fixtures::STORE_MODE_VAR, "1");
    let mut store_client = locked(&["test", "-p", "users-client"]);
    store_client.args([
        "--test",
        "e2e_emulator",
        "--test",
        "e2e_access",
        "--test",
        "e2e_mfa",
    ]);
    store_client.args(["--test", "sessions_tokens"]);
    store_client.env(users_fixtures::STORE_MODE_VAR, "1");
    let mut steps = vec![
        ("fmt".to_owned(), fmt),
        ("clippy".to_owned(), clippy),
        ("test".to_owned(), test),
        (
            "emulator suites on a --state store".to_owned(),
            store_emulator,
        ),
        (
            "client end-to-end suites on a --state store".to_owned(),
            store_client,
        ),
        ("benchmark smoke".to_owned(), bench_smoke),
        ("doc".to_owned(), doc),
        ("fuzz crate compiles (clippy)".to_owned(), fuzz),
    ];
    // Backends are additive features; workspace feature unification would hide a combination
    // that does not compile, so each crate is built alone with each backend, and with none.
    for package in ["users-transport", "users-client"] {
        for features in [
            &[][..],
            &["--features", "reqwest"],
            &["--features", "hyper"],
        ] {
            let mut build = locked(&["build", "-p", package, "--no-default-features"]);
            build.args(features);
            steps.push((
                format!(
                    "build {package} --no-default-features {}",
                    features.join(" ")
                ),
                build,
            ));
        }
    }
    let steps_ok = steps.into_iter().all(|(name, cmd)| step(&name, cmd));
    steps_ok
        // The model is pure: no async runtime, HTTP or I/O crate.
        && forbid_dependencies(
            "users-model",
            &[],
            &["tokio", "mio", "hyper", "reqwest", "http", "async-trait", "futures-util", "socket2"],
        )
        // rustls with ring only: aws-lc-rs is a slow C build (cmake) on a 2-core machine.
        && forbid_dependencies("users-transport", &["--all-features"], &["aws-lc-rs", "aws-lc-sys", "cmake"])
        // The official node-auth0 v4 SDK, unchanged, against the served emulator.
        && node_peer::run(&workspace_root(), None)
}

/// The benchmarks: the client-overhead table (each row in its own process, ratios against raw
/// clients of the same run) and the emulator's throughput, the emulator's store sweep, bulk updates at a rate limit against
/// a naive loop, then the model micro-benchmarks and their table.
fn bench(smoke: bool) -> bool {
    let mut load = cargo();
    load.args(["run", "--release", "-p", "users-bench", "--", "all"]);
    if smoke {
        load.arg("--smoke");
    } else {
        load.args(["--rounds", "5"]);
    }
    if !step(
        "client overhead and emulator throughput (users-bench all)",
        load,
    ) {
        return false;
    }
    // The emulator with and without its store at 1,000 to 100,000 users, and its start-up.
    let mut store = cargo();
    store.args([
        "run",
        "--release",
        "-p",
        "users-bench",
        "--",
        "emulator",
        "--state",
    ]);
    if smoke {
        store.arg("--smoke");
    }
    if !step("emulator store sweep (users-bench emulator --state)", store) {
        return false;
    }
    // Bulk updates at a tenant's rate limit (scaled up in rate), against a naive loop.
    let mut bulk = cargo();
    bulk.args([
        "run",
        "--release",
        "-p",
        "users-client",
        "--example",
        "bulk_rate_limit",
    ]);
    if smoke {
        bulk.args(["--", "--n", "1500"]);
    }
    if !step("bulk at the rate limit (bulk_rate_limit)", bulk) {
        return false;
    }
    if smoke {
        let mut model = cargo();
        model.args(["test", "-p", "users-bench", "--benches"]);
        return step("model benchmarks, once each", model);
    }
    let mut model = cargo();
    model.args(["bench", "-p", "users-bench", "--bench", "model"]);
    let mut report = cargo();
    report.args([
        "run",
        "--release",
        "-p",
        "users-bench",
        "--",
        "model-report",
    ]);
    step("model benchmarks (criterion)", model) && step("model report", report)
}

/// Runs the cargo-fuzz target over the emulator's router for `seconds`, installing cargo-fuzz
/// from the package registry when it is missing. `-s none` builds without a sanitizer, so it
/// works on the stable toolchain; a crash fails the run and leaves its input in
/// `fuzz/artifacts/router/` to turn into a regression test.
fn fuzz(seconds: u64) -> bool {
    let installed = cargo()
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !installed {
        let mut install = cargo();
        install.args(["install", "cargo-fuzz", "--locked"]);
        if !step("install cargo-fuzz", install) {
            return false;
        }
    }
    let mut run = cargo();
    run.current_dir(workspace_root().join("fuzz"))
        .args(["fuzz", "run", "router", "-s", "none", "--"])
        .arg(format!("-max_total_time={seconds}"));
    step(&format!("fuzz router for {seconds} s"), run)
}

/// Serves the emulator on a port, passing `args` through (see crates/users-emulator/README.md).
fn emulator(args: &[String]) -> bool {
    let mut serve = cargo();
    serve.args(["run", "--release", "-p", "users-emulator", "--"]);
    if args.is_empty() {
        serve.args(["--listen", "127.0.0.1:4000"]);
    } else {
        serve.args(args);
    }
    step("users-emulator", serve)
}

/// The parent of xtask's directory. `cargo run` sets CARGO_MANIFEST_DIR at run time, which is
/// preferred: a build reused from another checkout sharing the target directory would carry
/// that checkout's compile-time path.
fn workspace_root() -> std::path::PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        Into::into,
    );
    manifest_dir
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or(manifest_dir)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ok = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("bench") => bench(args.iter().any(|a| a == "--smoke")),
        Some("fuzz") => match args.get(1).map(|s| s.parse::<u64>()) {
            None => fuzz(60),
            Some(Ok(seconds)) if seconds > 0 => fuzz(seconds),
            Some(_) => {
                eprintln!("usage: cargo xtask fuzz [SECONDS > 0]");
                false
            }
        },
        Some("emulator") => emulator(args.get(1..).unwrap_or_default()),
        Some("node-peer") => node_peer::run(&workspace_root(), args.get(1).map(String::as_str)),
        _ => {
            eprintln!(
                "usage: cargo xtask ci | bench [--smoke] | fuzz [SECONDS] | emulator [ARGS...] | node-peer [FILTER]"
            );
            false
        }
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
