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

/// The normal dependency tree of `package`, one crate name per line.
fn dependency_names(package: &str, features: &[&str]) -> Option<Vec<String>> {
    let output = cargo()
        .args([
            "tree", "-p", package, "-e", "normal", "--prefix", "none", "--format", "{p}",
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
        ("fmt".to_owned(), fmt),
        ("clippy".to_owned(), clippy),
        ("test".to_owned(), test),
        ("doc".to_owned(), doc),
    ];
    // The transport backends are additive features: each must build on its own, and so must none.
    for features in [
        &[][..],
        &["--features", "reqwest"],
        &["--features", "hyper"],
    ] {
        let mut build = cargo();
        build
            .args(["build", "-p", "users-transport", "--no-default-features"])
            .args(features);
        steps.push((
            format!(
                "build users-transport --no-default-features {}",
                features.join(" ")
            ),
            build,
        ));
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
