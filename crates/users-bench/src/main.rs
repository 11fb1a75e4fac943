//! `users-bench`: `users-bench --help` lists the commands (see [`users_bench::args`]).

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

use std::process::ExitCode;
use std::time::Duration;

use users_bench::args::{self, Command};
use users_bench::load::{self, LoadConfig};
use users_bench::stub_process::{self, StubProcess};
use users_bench::{
    emulator_bench, emulator_report, emulator_server, model_report, report, store_report,
    store_sweep, suite,
};

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    let command = match args::parse(std::env::args_os().skip(1)) {
        Ok(command) => command,
        // Prints the help or version text (exit 0) or the error with a usage line (exit 2).
        Err(error) => error.exit(),
    };
    let outcome = match command {
        Command::StubServer { max_seconds } => {
            stub_process::run_server(Duration::from_secs(max_seconds)).map_err(|e| e.to_string())
        }
        Command::Load {
            config,
            stub_url,
            json,
            max_seconds,
        } => run_load(config, stub_url, json, max_seconds),
        Command::All(config, emulator) => run_all(&argv, &config, emulator.as_ref()),
        Command::Emulator(config) => {
            println!("Command: `users-bench {}`", argv.join(" "));
            println!("Machine: {}\n", report::machine_summary());
            run_emulator(&config)
        }
        Command::StoreSweep(config) => {
            println!("Command: `users-bench {}`", argv.join(" "));
            println!("Machine: {}\n", report::machine_summary());
            run_store_sweep(&config)
        }
        Command::EmulatorServer { max_seconds, state } => {
            emulator_server::run_server(Duration::from_secs(max_seconds), state.as_deref())
                .map_err(|e| e.to_string())
        }
        Command::ModelReport { criterion_dir } => model_report(criterion_dir),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("users-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_load(
    config: LoadConfig,
    stub_url: Option<String>,
    json: bool,
    max_seconds: u64,
) -> Result<(), String> {
    let limit = Duration::from_secs(max_seconds);
    // Kept alive for the run when this process started its own stub.
    let (_own_stub, base_url) = match stub_url {
        Some(url) => (None, url),
        None => {
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let stub =
                StubProcess::spawn(&exe, limit).map_err(|e| format!("starting the stub: {e}"))?;
            let url = stub.base_url();
            (Some(stub), url)
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let measurement = runtime
        .block_on(async {
            tokio::time::timeout(limit, load::measure_target(&base_url, config)).await
        })
        .map_err(|_| format!("gave up after {max_seconds} s"))?
        .map_err(|e| e.to_string())?;
    if json {
        println!(
            "{}",
            serde_json::to_string(&measurement).map_err(|e| e.to_string())?
        );
    } else {
        print!(
            "{}",
            report::markdown_table(std::slice::from_ref(&measurement))
        );
    }
    if measurement.errors > 0 {
        return Err(format!(
            "{} requests failed; first: {}",
            measurement.errors,
            measurement.first_error.as_deref().unwrap_or("?")
        ));
    }
    Ok(())
}

fn run_all(
    argv: &[String],
    config: &suite::SuiteConfig,
    emulator: Option<&emulator_bench::EmulatorBenchConfig>,
) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let rows = suite::run(&exe, config).map_err(|e| e.to_string())?;
    println!("Command: `users-bench {}`", argv.join(" "));
    println!("Machine: {}", report::machine_summary());
    println!(
        "Per row: {} measured requests after {} warm-up, median of {} round(s){}; each row in its \
         own process. CPU time is the process CPU clock (nanosecond resolution).\n",
        config.requests,
        config.warmup,
        config.rounds,
        if config.rounds > 1 {
            " (the order of the targets reversed every other round); the ratio columns are \
             medians of per-round ratios, each run divided by its baseline's run of the same round"
        } else {
            ""
        },
    );
    print!("{}", report::markdown_table(&rows));
    let errors: usize = rows.iter().map(|row| row.errors).sum();
    if let Some(emulator) = emulator {
        println!();
        run_emulator(emulator)?;
    }
    if errors > 0 {
        return Err(format!("{errors} requests failed"));
    }
    Ok(())
}

/// The emulator benchmark and its table; an error when any request failed.
fn run_emulator(config: &emulator_bench::EmulatorBenchConfig) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let rows = emulator_bench::run(&exe, config).map_err(|e| format!("emulator: {e}"))?;
    println!(
        "Emulator: {} users seeded ({} per seed request), rate limit out of the way; per \
         operation {} measured requests after {} warm-up, each on a pseudo-random user; PATCH \
         then GET, {} round(s) on the same emulator, medians shown. The load client decodes only \
         the id and the sequence number it checks. Emulator CPU is its process's CPU clock \
         (nanosecond resolution, reported by the emulator process itself).\n",
        config.users, config.batch, config.requests, config.warmup, config.rounds,
    );
    print!("{}", emulator_report::markdown_table(&rows));
    let errors: usize = rows.iter().map(|row| row.errors).sum();
    if errors > 0 {
        let first = rows.iter().find_map(|row| row.first_error.as_deref());
        return Err(format!(
            "emulator: {errors} requests failed; first: {}",
            first.unwrap_or("?")
        ));
    }
    Ok(())
}

/// The store sweep and its tables; an error when a request failed or the restart lost a write.
fn run_store_sweep(config: &store_sweep::StoreSweepConfig) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let outcome = store_sweep::run(&exe, config).map_err(|e| format!("store sweep: {e}"))?;
    println!(
        "Store sweep: sizes {:?}, each with and without --state (a fresh emulator-server child \
         per run, the store in a temporary directory), seeded {} users per request; per run \
         {} PATCH at 1 in flight, {} PATCH and {} GET at {} in flight, {} GET at {} in flight \
         alone and again next to a paced stream of {} PATCH/s (at most {} outstanding), each \
         after {} warm-up requests, on pseudo-random users. Start-up: the largest store \
         reopened by a new child. Emulator CPU is its process's CPU clock.\n",
        config.sizes,
        config.batch,
        config.single_requests,
        config.wide_requests,
        config.wide_requests,
        store_sweep::WIDE_INFLIGHT,
        config.read_requests,
        store_sweep::READ_INFLIGHT,
        config.write_rate,
        store_sweep::WRITE_CAP,
        config.warmup,
    );
    print!("{}", store_report::markdown(&outcome));
    let errors: usize = outcome.rows.iter().map(store_sweep::StoreRow::errors).sum();
    if errors > 0 {
        let first = outcome
            .rows
            .iter()
            .find_map(store_sweep::StoreRow::first_error);
        return Err(format!(
            "store sweep: {errors} requests failed; first: {}",
            first.unwrap_or("?")
        ));
    }
    if !outcome.startup.kept_last_write {
        return Err("store sweep: the restarted emulator lost the last PATCH".to_owned());
    }
    Ok(())
}

fn model_report(criterion_dir: Option<String>) -> Result<(), String> {
    let dir = criterion_dir.map_or_else(
        || {
            let target = std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into());
            std::path::PathBuf::from(target).join("criterion")
        },
        std::path::PathBuf::from,
    );
    let estimates = model_report::read(&dir);
    if estimates.is_empty() {
        return Err(format!(
            "no model benchmark results under {}; run `cargo bench -p users-bench --bench model` first",
            dir.display()
        ));
    }
    println!("Criterion results from {}; medians.\n", dir.display());
    print!("{}", model_report::markdown_table(&estimates));
    Ok(())
}
