//! Project automation. `cargo xtask ci` runs exactly what CI runs.

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

fn ci() -> bool {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    let mut test = cargo();
    test.args(["test", "--workspace"]);
    let mut doc = cargo();
    doc.args(["doc", "--workspace", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings");
    let mut steps = vec![
        ("fmt", fmt),
        ("clippy", clippy),
        ("test", test),
        ("doc", doc),
    ];
    // The transport backends are additive features: each must build on its own.
    for features in ["reqwest", "hyper"] {
        let mut build = cargo();
        build.args([
            "build",
            "-p",
            "users-transport",
            "--no-default-features",
            "--features",
            features,
        ]);
        steps.push((
            if features == "reqwest" {
                "build reqwest-only"
            } else {
                "build hyper-only"
            },
            build,
        ));
    }
    steps.into_iter().all(|(name, cmd)| step(name, cmd))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ok = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        _ => {
            eprintln!("usage: cargo xtask ci");
            false
        }
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
