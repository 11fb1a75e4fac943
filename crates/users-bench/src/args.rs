//! The command line, parsed with clap: `users-bench all | emulator | emulator-server | load |
//! stub-server | model-report` (`users-bench --help` lists them, `users-bench COMMAND --help`
//! their options), resolved into the configurations the runs take.

use clap::{Args, Parser, Subcommand};

use crate::emulator_bench::EmulatorBenchConfig;
use crate::load::LoadConfig;
use crate::store_sweep::StoreSweepConfig;
use crate::suite::{MAX_SECONDS, SuiteConfig};
use crate::target::{Op, Target};

/// Measured requests per row by default.
pub const DEFAULT_REQUESTS: usize = 30_000;
/// Warm-up requests per row by default.
pub const DEFAULT_WARMUP: usize = 2_000;
/// Measured requests per row with `--smoke`.
pub const SMOKE_REQUESTS: usize = 200;
/// Warm-up requests per row with `--smoke`.
pub const SMOKE_WARMUP: usize = 20;
/// Longest a single run may take by default, in seconds.
pub const DEFAULT_MAX_SECONDS: u64 = 300;
/// Users seeded into the emulator by default.
pub const DEFAULT_EMULATOR_USERS: usize = 10_000;
/// Users seeded into the emulator with `--smoke`.
pub const SMOKE_EMULATOR_USERS: usize = 200;
/// Users per seed request by default.
pub const DEFAULT_SEED_BATCH: usize = 500;
/// Requests in flight against the emulator by default.
pub const DEFAULT_EMULATOR_INFLIGHT: usize = 64;
/// Tenant sizes of the store sweep by default (issue 15).
pub const DEFAULT_STORE_SIZES: [usize; 3] = [1_000, 10_000, 100_000];
/// Tenant sizes of the store sweep with `--smoke`.
pub const SMOKE_STORE_SIZES: [usize; 2] = [100, 300];
/// Measured requests of the store sweep's 64-in-flight rows by default (PATCH at 1 in flight
/// runs a fifth of them, GET at 8 in flight half).
pub const DEFAULT_STORE_REQUESTS: usize = 10_000;
/// Warm-up requests before each phase of the store sweep by default.
pub const DEFAULT_STORE_WARMUP: usize = 500;
/// Users per seed request in the store sweep: near the emulator's 1 MiB body limit with
/// ~1 KB users, so that 100,000 users take 125 requests.
pub const STORE_SEED_BATCH: usize = 800;
/// The paced PATCH stream next to the store sweep's second read phase, per second.
pub const DEFAULT_WRITE_RATE: u32 = 1_000;
/// Longest the store sweep may take by default, in seconds.
pub const DEFAULT_STORE_MAX_SECONDS: u64 = 1_200;
const MAX_USERS: usize = 1_000_000;
const MAX_BATCH: usize = 800;
const MAX_REQUESTS: usize = 10_000_000;
const MAX_INFLIGHT: usize = 1024;
const MAX_ROUNDS: usize = 20;
const MAX_WRITE_RATE: usize = 100_000;

/// A resolved command: what `main` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The client-overhead sweep, then (unless `--no-emulator`) the emulator benchmark.
    All(SuiteConfig, Option<EmulatorBenchConfig>),
    /// The emulator benchmark alone.
    Emulator(EmulatorBenchConfig),
    /// The emulator with and without its store at several tenant sizes (`emulator --state`).
    StoreSweep(StoreSweepConfig),
    /// The served emulator as a child process.
    EmulatorServer {
        /// Exit after this many seconds at the latest.
        max_seconds: u64,
        /// The store to serve (`--state`); a fresh in-memory tenant without it.
        state: Option<std::path::PathBuf>,
    },
    /// One run of one target.
    Load {
        /// What to run.
        config: LoadConfig,
        /// A stub already running on loopback; without it the run starts its own.
        stub_url: Option<String>,
        /// Print the measurement as JSON instead of a table row.
        json: bool,
        /// Give up after this many seconds.
        max_seconds: u64,
    },
    /// The stub server as a child process.
    StubServer {
        /// Exit after this many seconds at the latest.
        max_seconds: u64,
    },
    /// The table of the last criterion run of the model benchmarks.
    ModelReport {
        /// Where criterion wrote its results.
        criterion_dir: Option<String>,
    },
}

/// Parses `args` (without the program name) into a [`Command`].
///
/// # Errors
/// clap's error for anything it does not accept (unknown command or option, a missing or
/// out-of-range value, an option given twice); its `exit()` prints it, or the help text for
/// `--help`.
pub fn parse<I, T>(args: I) -> Result<Command, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let program = std::iter::once(std::ffi::OsString::from("users-bench"));
    let cli = Cli::try_parse_from(program.chain(args.into_iter().map(Into::into)))?;
    Ok(cli.command.resolve())
}

/// Load harness and micro-benchmarks: the users client against raw hyper and reqwest on
/// loopback, and the emulator's throughput. Loopback only.
#[derive(Debug, Parser)]
#[command(name = "users-bench", version, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Every target side by side in a markdown table (each row in its own process), then the
    /// emulator's table.
    All(AllArgs),
    /// PATCH and GET on seeded users against `emulator-server`, a child process; with
    /// --state, the sweep over tenant sizes with and without the emulator's store.
    Emulator(EmulatorArgs),
    /// Serve the emulator on an ephemeral loopback port (prints the port; ends when stdin
    /// closes).
    EmulatorServer(EmulatorServerArgs),
    /// One run of one target: a table row, or JSON with --json.
    Load(LoadArgs),
    /// Serve the stub on an ephemeral loopback port (prints the port; ends when stdin closes).
    StubServer(ServerArgs),
    /// The table of the last `cargo bench -p users-bench --bench model`.
    ModelReport(ModelReportArgs),
}

/// Run sizes shared by the measuring commands.
#[derive(Debug, Args)]
struct Sizes {
    /// Tiny sizes for a quick check (200 requests, 20 warm-up, 200 emulator users).
    #[arg(long)]
    smoke: bool,
    /// Measured requests per row [default: 30000, 200 with --smoke].
    #[arg(long, value_name = "N", value_parser = requests)]
    requests: Option<usize>,
    /// Warm-up requests per row [default: 2000, 20 with --smoke].
    #[arg(long, value_name = "N", value_parser = warmup)]
    warmup: Option<usize>,
    /// Give up after this many seconds [default: 300, 1200 for emulator --state].
    #[arg(long, value_name = "S", value_parser = max_seconds)]
    max_seconds: Option<u64>,
}

#[derive(Debug, Args)]
struct AllArgs {
    #[command(flatten)]
    sizes: Sizes,
    /// Rounds, the order of the targets reversed every other round.
    #[arg(long, value_name = "R", default_value_t = 1, value_parser = rounds)]
    rounds: usize,
    /// Targets to run [default: all four].
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = target)]
    targets: Vec<Target>,
    /// Operations to run [default: update,get].
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = op)]
    ops: Vec<Op>,
    /// Requests in flight [default: 1,8,64].
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = inflight)]
    inflight: Vec<usize>,
    /// Users seeded for the emulator benchmark.
    #[arg(long, value_name = "N", value_parser = users)]
    users: Option<usize>,
    /// Skip the emulator benchmark.
    #[arg(long)]
    no_emulator: bool,
}

#[derive(Debug, Args)]
struct EmulatorArgs {
    #[command(flatten)]
    sizes: Sizes,
    /// Rounds on the same emulator.
    #[arg(long, value_name = "R", default_value_t = 1, value_parser = rounds, conflicts_with = "state")]
    rounds: usize,
    /// Users seeded [default: 10000, 200 with --smoke].
    #[arg(long, value_name = "N", value_parser = users, conflicts_with = "state")]
    users: Option<usize>,
    /// Users per seed request [default: 500, 800 with --state].
    #[arg(long, value_name = "N", value_parser = batch)]
    batch: Option<usize>,
    /// Requests in flight.
    #[arg(long, value_name = "K", default_value_t = DEFAULT_EMULATOR_INFLIGHT, value_parser = inflight, conflicts_with = "state")]
    inflight: usize,
    /// The store sweep: each size with and without the emulator's store (in a temporary
    /// directory), PATCH at 1 and 64 in flight, GET at 64, GET at 8 alone and under paced
    /// writes, then the start-up on the largest store. --requests sizes the 64-in-flight rows
    /// [default: 10000, 200 with --smoke]; PATCH at 1 runs a fifth, GET at 8 half of them.
    #[arg(long)]
    state: bool,
    /// Tenant sizes of the store sweep [default: 1000,10000,100000; 100,300 with --smoke].
    #[arg(long = "sizes", value_name = "LIST", value_delimiter = ',', value_parser = users, requires = "state")]
    tenant_sizes: Vec<usize>,
    /// The paced PATCH stream next to the second read phase, per second.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_WRITE_RATE, value_parser = write_rate, requires = "state")]
    write_rate: u32,
}

#[derive(Debug, Args)]
struct EmulatorServerArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Serve the tenant kept in this store (created when missing), as the emulator's own
    /// --state does.
    #[arg(long, value_name = "PATH")]
    state: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
struct ServerArgs {
    /// Exit after this many seconds at the latest.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_MAX_SECONDS, value_parser = max_seconds)]
    max_seconds: u64,
}

#[derive(Debug, Args)]
struct LoadArgs {
    #[command(flatten)]
    sizes: Sizes,
    /// raw-hyper, raw-reqwest, client-hyper or client-reqwest.
    #[arg(long, value_parser = target)]
    target: Target,
    /// update or get.
    #[arg(long, value_parser = op)]
    op: Op,
    /// Requests in flight.
    #[arg(long, value_name = "K", value_parser = inflight)]
    inflight: usize,
    /// A stub already running: http://127.0.0.1:PORT (or localhost, [::1]).
    #[arg(long, value_name = "URL", value_parser = loopback_url)]
    stub_url: Option<String>,
    /// Print the measurement as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ModelReportArgs {
    /// Where criterion wrote its results [default: $CARGO_TARGET_DIR/criterion, else
    /// target/criterion].
    #[arg(long, value_name = "DIR")]
    criterion_dir: Option<String>,
}

impl Sizes {
    fn max_seconds(&self) -> u64 {
        self.max_seconds.unwrap_or(DEFAULT_MAX_SECONDS)
    }

    /// (requests, warm-up), the defaults depending on `--smoke`.
    fn resolve(&self) -> (usize, usize) {
        let (requests, warmup) = if self.smoke {
            (SMOKE_REQUESTS, SMOKE_WARMUP)
        } else {
            (DEFAULT_REQUESTS, DEFAULT_WARMUP)
        };
        (
            self.requests.unwrap_or(requests),
            self.warmup.unwrap_or(warmup),
        )
    }

    fn emulator(&self, users: Option<usize>, rounds: usize) -> EmulatorBenchConfig {
        let (requests, warmup) = self.resolve();
        let default_users = if self.smoke {
            SMOKE_EMULATOR_USERS
        } else {
            DEFAULT_EMULATOR_USERS
        };
        EmulatorBenchConfig {
            users: users.unwrap_or(default_users),
            batch: DEFAULT_SEED_BATCH,
            inflight: DEFAULT_EMULATOR_INFLIGHT,
            requests,
            warmup,
            rounds,
            max_seconds: self.max_seconds(),
        }
    }
}

impl EmulatorArgs {
    fn store_sweep(self) -> StoreSweepConfig {
        let smoke = self.sizes.smoke;
        let (sizes, requests, warmup): (&[usize], _, _) = if smoke {
            (&SMOKE_STORE_SIZES, SMOKE_REQUESTS, SMOKE_WARMUP)
        } else {
            (
                &DEFAULT_STORE_SIZES,
                DEFAULT_STORE_REQUESTS,
                DEFAULT_STORE_WARMUP,
            )
        };
        let wide = self.sizes.requests.unwrap_or(requests);
        let max_seconds = self.sizes.max_seconds.unwrap_or(DEFAULT_STORE_MAX_SECONDS);
        StoreSweepConfig {
            sizes: or_all(self.tenant_sizes, sizes),
            batch: self.batch.unwrap_or(STORE_SEED_BATCH),
            single_requests: (wide / 5).max(1),
            wide_requests: wide,
            read_requests: (wide / 2).max(1),
            warmup: self.sizes.warmup.unwrap_or(warmup),
            write_rate: self.write_rate,
            max_seconds,
        }
    }
}

/// `list`, or every item when it is empty.
fn or_all<T: Clone>(list: Vec<T>, all: &[T]) -> Vec<T> {
    if list.is_empty() { all.to_vec() } else { list }
}

impl CliCommand {
    fn resolve(self) -> Command {
        match self {
            CliCommand::All(all) => {
                let (requests, warmup) = all.sizes.resolve();
                let emulator =
                    (!all.no_emulator).then(|| all.sizes.emulator(all.users, all.rounds));
                Command::All(
                    SuiteConfig {
                        targets: or_all(all.targets, Target::ALL),
                        ops: or_all(all.ops, Op::ALL),
                        inflights: or_all(all.inflight, &[1, 8, 64]),
                        requests,
                        warmup,
                        rounds: all.rounds,
                        max_seconds: all.sizes.max_seconds(),
                    },
                    emulator,
                )
            }
            CliCommand::Emulator(emulator) if emulator.state => {
                Command::StoreSweep(emulator.store_sweep())
            }
            CliCommand::Emulator(emulator) => Command::Emulator(EmulatorBenchConfig {
                batch: emulator.batch.unwrap_or(DEFAULT_SEED_BATCH),
                inflight: emulator.inflight,
                ..emulator.sizes.emulator(emulator.users, emulator.rounds)
            }),
            CliCommand::EmulatorServer(server) => Command::EmulatorServer {
                max_seconds: server.server.max_seconds,
                state: server.state,
            },
            CliCommand::Load(load) => {
                let (requests, warmup) = load.sizes.resolve();
                Command::Load {
                    config: LoadConfig {
                        target: load.target,
                        op: load.op,
                        inflight: load.inflight,
                        requests,
                        warmup,
                    },
                    stub_url: load.stub_url,
                    json: load.json,
                    max_seconds: load.sizes.max_seconds(),
                }
            }
            CliCommand::StubServer(server) => Command::StubServer {
                max_seconds: server.max_seconds,
            },
            CliCommand::ModelReport(report) => Command::ModelReport {
                criterion_dir: report.criterion_dir,
            },
        }
    }
}

/// A whole number in `min..=max`.
fn bounded(text: &str, min: usize, max: usize) -> Result<usize, String> {
    text.parse()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("must be a number from {min} to {max}"))
}

fn requests(text: &str) -> Result<usize, String> {
    bounded(text, 1, MAX_REQUESTS)
}

fn warmup(text: &str) -> Result<usize, String> {
    bounded(text, 0, MAX_REQUESTS)
}

fn rounds(text: &str) -> Result<usize, String> {
    bounded(text, 1, MAX_ROUNDS)
}

fn users(text: &str) -> Result<usize, String> {
    bounded(text, 1, MAX_USERS)
}

fn batch(text: &str) -> Result<usize, String> {
    bounded(text, 1, MAX_BATCH)
}

fn inflight(text: &str) -> Result<usize, String> {
    bounded(text.trim(), 1, MAX_INFLIGHT)
}

fn write_rate(text: &str) -> Result<u32, String> {
    bounded(text, 1, MAX_WRITE_RATE).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn max_seconds(text: &str) -> Result<u64, String> {
    let max = usize::try_from(MAX_SECONDS).unwrap_or(usize::MAX);
    bounded(text, 1, max).map(|n| u64::try_from(n).unwrap_or(MAX_SECONDS))
}

fn target(text: &str) -> Result<Target, String> {
    Target::from_name(text.trim()).ok_or_else(|| {
        "must be one of raw-hyper, raw-reqwest, client-hyper, client-reqwest".to_owned()
    })
}

fn op(text: &str) -> Result<Op, String> {
    Op::from_name(text.trim()).ok_or_else(|| "must be update or get".to_owned())
}

fn loopback_url(text: &str) -> Result<String, String> {
    let refuse = || "must be http://127.0.0.1:PORT (or localhost, [::1])".to_owned();
    let uri: http::Uri = text.parse().map_err(|_| refuse())?;
    let loopback = matches!(
        uri.host(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    let bare = matches!(uri.path(), "" | "/") && uri.query().is_none();
    if uri.scheme_str() == Some("http") && loopback && uri.port_u16().is_some() && bare {
        Ok(text.trim_end_matches('/').to_owned())
    } else {
        Err(refuse())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_command_line_is_well_formed() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }

    #[test]
    fn load_takes_its_target_op_and_inflight() {
        let parsed = parse(args(
            "load --target raw-reqwest --op get --inflight 64 --smoke --json",
        ));
        let Ok(Command::Load {
            config,
            stub_url,
            json,
            ..
        }) = parsed
        else {
            panic!("{parsed:?}");
        };
        assert_eq!(config.target, Target::RawReqwest);
        assert_eq!(config.op, Op::Get);
        assert_eq!(config.inflight, 64);
        assert_eq!(config.requests, SMOKE_REQUESTS);
        assert_eq!(stub_url, None);
        assert!(json);
    }

    #[test]
    fn all_defaults_to_every_combination() {
        let Ok(Command::All(suite, Some(emulator))) = parse(args("all")) else {
            panic!("all did not parse");
        };
        assert_eq!(suite.targets, Target::ALL);
        assert_eq!(suite.ops, Op::ALL);
        assert_eq!(suite.inflights, vec![1, 8, 64]);
        assert_eq!(
            (suite.requests, suite.warmup, suite.rounds),
            (DEFAULT_REQUESTS, DEFAULT_WARMUP, 1)
        );
        assert_eq!(
            (emulator.users, emulator.inflight, emulator.requests),
            (DEFAULT_EMULATOR_USERS, 64, DEFAULT_REQUESTS)
        );
        let Ok(Command::All(suite, None)) = parse(args(
            "all --inflight 8 --ops get --rounds 3 --requests 5 --no-emulator",
        )) else {
            panic!("all with options did not parse");
        };
        assert_eq!(
            (suite.inflights, suite.ops, suite.rounds, suite.requests),
            (vec![8], vec![Op::Get], 3, 5)
        );
        let Ok(Command::All(suite, _)) = parse(args("all --inflight 1,8 --targets raw-hyper"))
        else {
            panic!("all with lists did not parse");
        };
        assert_eq!(
            (suite.inflights, suite.targets),
            (vec![1, 8], vec![Target::RawHyper])
        );
    }

    #[test]
    fn emulator_takes_its_sizes_and_smoke_shrinks_them() {
        let Ok(Command::Emulator(config)) = parse(args("emulator")) else {
            panic!("emulator did not parse");
        };
        assert_eq!(
            (config.users, config.inflight, config.batch, config.requests),
            (
                DEFAULT_EMULATOR_USERS,
                64,
                DEFAULT_SEED_BATCH,
                DEFAULT_REQUESTS
            )
        );
        let Ok(Command::Emulator(config)) = parse(args("emulator --smoke --inflight 8 --batch 50"))
        else {
            panic!("emulator with options did not parse");
        };
        assert_eq!(
            (config.users, config.inflight, config.batch, config.requests),
            (SMOKE_EMULATOR_USERS, 8, 50, SMOKE_REQUESTS)
        );
        let Ok(Command::All(_, Some(config))) = parse(args("all --smoke --users 7")) else {
            panic!("all with --users did not parse");
        };
        assert_eq!(config.users, 7);
        let Ok(Command::All(_, Some(config))) = parse(args("all --rounds 4")) else {
            panic!("all with --rounds did not parse");
        };
        assert_eq!(
            config.rounds, 4,
            "the emulator runs as many rounds as the sweep"
        );
        let Ok(Command::Emulator(config)) = parse(args("emulator --rounds 3")) else {
            panic!("emulator with --rounds did not parse");
        };
        assert_eq!(config.rounds, 3);
    }

    #[test]
    fn emulator_state_runs_the_store_sweep() {
        let Ok(Command::StoreSweep(config)) = parse(args("emulator --state")) else {
            panic!("emulator --state did not parse");
        };
        assert_eq!(config.sizes, DEFAULT_STORE_SIZES);
        assert_eq!(
            (
                config.single_requests,
                config.wide_requests,
                config.read_requests
            ),
            (2_000, DEFAULT_STORE_REQUESTS, 5_000)
        );
        assert_eq!(
            (config.batch, config.write_rate, config.max_seconds),
            (
                STORE_SEED_BATCH,
                DEFAULT_WRITE_RATE,
                DEFAULT_STORE_MAX_SECONDS
            )
        );
        let Ok(Command::StoreSweep(config)) = parse(args("emulator --state --smoke")) else {
            panic!("emulator --state --smoke did not parse");
        };
        assert_eq!(config.sizes, SMOKE_STORE_SIZES);
        assert_eq!(
            (config.wide_requests, config.warmup),
            (SMOKE_REQUESTS, SMOKE_WARMUP)
        );
        let Ok(Command::StoreSweep(config)) = parse(args(
            "emulator --state --sizes 50,70 --requests 9 --write-rate 300 --batch 10 --max-seconds 60",
        )) else {
            panic!("emulator --state with options did not parse");
        };
        assert_eq!(config.sizes, vec![50, 70]);
        assert_eq!(
            (
                config.single_requests,
                config.wide_requests,
                config.read_requests
            ),
            (1, 9, 4)
        );
        assert_eq!(
            (config.write_rate, config.batch, config.max_seconds),
            (300, 10, 60)
        );
        let Ok(Command::EmulatorServer { state, .. }) =
            parse(args("emulator-server --state /tmp/x.sqlite"))
        else {
            panic!("emulator-server --state did not parse");
        };
        assert_eq!(state, Some("/tmp/x.sqlite".into()));
    }

    #[test]
    fn mistakes_are_reported_not_ignored() {
        for line in [
            "",
            "load --op get --inflight 1",
            "load --target raw-hyper --op get --inflight 0",
            "load --target raw-hyper --op get --inflight 1 --requests 0",
            "load --target raw-hyper --op get --inflight 1 --rounds 2",
            "load --target raw-hyper --op get --inflight 1 --stub-url http://10.0.0.1:80",
            "all --inflight 1,x",
            "all --requests",
            "all --smoke --smoke",
            "all --max-seconds 0",
            "all extra",
            "bench",
            "emulator --users 0",
            "emulator --batch 100000",
            "emulator --inflight 1,8",
            "emulator --target raw-hyper",
            "load --target raw-hyper --op get --inflight 1 --users 5",
            "emulator --sizes 100",
            "emulator --write-rate 10",
            "emulator --state --users 100",
            "emulator --state --rounds 2",
            "emulator --state --inflight 8",
            "emulator --state --sizes 0",
            "emulator --state --write-rate 0",
            "emulator-server --state",
            "stub-server --state /tmp/x",
        ] {
            assert!(parse(args(line)).is_err(), "{line}");
        }
    }

    #[test]
    fn the_stub_url_must_be_loopback_http_with_a_port() {
        assert_eq!(
            loopback_url("http://127.0.0.1:4000/").as_deref(),
            Ok("http://127.0.0.1:4000")
        );
        assert!(loopback_url("http://localhost:4000").is_ok());
        assert!(loopback_url("http://[::1]:4000").is_ok());
        for bad in [
            "http://10.0.0.1:4000",
            "https://127.0.0.1:4000",
            "http://127.0.0.1",
            "http://127.0.0.1:1/x",
            "127.0.0.1:80",
        ] {
            assert!(loopback_url(bad).is_err(), "{bad}");
        }
    }
}
