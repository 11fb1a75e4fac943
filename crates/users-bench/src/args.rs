//! The command line, parsed by hand: a handful of `--flag value` options does not justify a
//! parser dependency in the shared build.

use crate::emulator_bench::EmulatorBenchConfig;
use crate::load::LoadConfig;
use crate::suite::SuiteConfig;
use crate::target::{Op, Target};

/// Measured requests per combination unless `--requests` says otherwise.
pub const DEFAULT_REQUESTS: usize = 30_000;
/// Warm-up requests unless `--warmup` says otherwise.
pub const DEFAULT_WARMUP: usize = 2_000;
/// `--smoke`: enough to exercise every path in seconds, too few for meaningful figures.
pub const SMOKE_REQUESTS: usize = 200;
/// `--smoke` warm-up.
pub const SMOKE_WARMUP: usize = 20;
/// The longest one load run may take, unless `--max-seconds` says otherwise.
pub const DEFAULT_MAX_SECONDS: u64 = 300;
/// Users the emulator benchmark seeds unless `--users` says otherwise (the figure).
pub const DEFAULT_EMULATOR_USERS: usize = 10_000;
/// `--smoke` users.
pub const SMOKE_EMULATOR_USERS: usize = 200;
/// Users per seed request unless `--batch` says otherwise: well under the 1 MB body limit.
pub const DEFAULT_SEED_BATCH: usize = 500;
/// In flight for the emulator benchmark unless `--inflight` says otherwise (the figure).
pub const DEFAULT_EMULATOR_INFLIGHT: usize = 64;
const MAX_USERS: usize = 1_000_000;
const MAX_BATCH: usize = 800;
/// Bounds that keep a typo from starting an hours-long run.
const MAX_REQUESTS: usize = 10_000_000;
const MAX_INFLIGHT: usize = 1024;
const MAX_ROUNDS: usize = 20;
/// A day: the stub of a long `all` run lives for the sum of its runs' limits.
pub const MAX_SECONDS: u64 = 86_400;

/// The usage text.
pub const USAGE: &str = "\
usage:
  users-bench all  [--smoke] [--requests N] [--warmup N] [--rounds R]
                   [--targets raw-hyper,raw-reqwest,client-hyper,client-reqwest]
                   [--ops update,get] [--inflight 1,8,64]
                   [--max-seconds S] [--users N] [--no-emulator]
  users-bench emulator [--smoke] [--rounds R] [--users N] [--batch N] [--requests N] [--warmup N]
                   [--inflight K] [--max-seconds S]
  users-bench emulator-server [--max-seconds S]
  users-bench load --target raw-hyper|raw-reqwest|client-hyper|client-reqwest
                   --op update|get --inflight K
                   [--smoke] [--requests N] [--warmup N] [--stub-url http://127.0.0.1:PORT]
                   [--json] [--max-seconds S]
  users-bench stub-server [--max-seconds S]
  users-bench model-report [--criterion-dir DIR]

`all` prints a markdown table, then the emulator's table (unless --no-emulator); `emulator`
prints the emulator's table alone: PATCH and GET on N seeded users (default 10,000) at K in
flight (default 64) against `emulator-server`, a child process. `load` prints one run (JSON with --json); `stub-server` prints
its port and serves until its stdin closes. Loopback only. `model-report` prints the table of
the last `cargo bench -p users-bench --bench model` (DIR defaults to $CARGO_TARGET_DIR/criterion,
else target/criterion).";

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Every combination, side by side, then the emulator benchmark unless it is `None`.
    All(SuiteConfig, Option<EmulatorBenchConfig>),
    /// The emulator benchmark alone.
    Emulator(EmulatorBenchConfig),
    /// Serve the emulator for the benchmark.
    EmulatorServer {
        /// Exit after this long even if stdin stays open.
        max_seconds: u64,
    },
    /// One combination.
    Load {
        /// What to run.
        config: LoadConfig,
        /// A running stub to use; without it the run starts its own.
        stub_url: Option<String>,
        /// Print the [`crate::load::Measurement`] as one JSON line.
        json: bool,
        /// Give up after this long.
        max_seconds: u64,
    },
    /// Serve the stub.
    StubServer {
        /// Exit after this long even if stdin stays open.
        max_seconds: u64,
    },
    /// Print the model benchmarks' table.
    ModelReport {
        /// Where criterion wrote its results; `None` for the default.
        criterion_dir: Option<String>,
    },
    /// Print the usage.
    Help,
}

/// Parses the arguments after the program name.
///
/// # Errors
/// A message for the user when an argument is unknown, missing or out of bounds.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    let options = Options::parse(rest)?;
    let max_seconds = options.bounded_u64("--max-seconds", DEFAULT_MAX_SECONDS, MAX_SECONDS)?;
    let smoke = options.flag("--smoke");
    let (default_requests, default_warmup) = if smoke {
        (SMOKE_REQUESTS, SMOKE_WARMUP)
    } else {
        (DEFAULT_REQUESTS, DEFAULT_WARMUP)
    };
    let requests = options.bounded("--requests", default_requests, 1, MAX_REQUESTS)?;
    let warmup = options.bounded("--warmup", default_warmup, 0, MAX_REQUESTS)?;
    let emulator = || -> Result<EmulatorBenchConfig, String> {
        let default_users = if smoke {
            SMOKE_EMULATOR_USERS
        } else {
            DEFAULT_EMULATOR_USERS
        };
        Ok(EmulatorBenchConfig {
            users: options.bounded("--users", default_users, 1, MAX_USERS)?,
            batch: options.bounded("--batch", DEFAULT_SEED_BATCH, 1, MAX_BATCH)?,
            inflight: DEFAULT_EMULATOR_INFLIGHT,
            requests,
            warmup,
            rounds: options.bounded("--rounds", 1, 1, MAX_ROUNDS)?,
            max_seconds,
        })
    };
    let parsed = match command.as_str() {
        "all" => Command::All(
            SuiteConfig {
                targets: options.list("--targets", Target::ALL, Target::from_name)?,
                ops: options.list("--ops", Op::ALL, Op::from_name)?,
                inflights: options.list("--inflight", &[1, 8, 64], parse_inflight)?,
                requests,
                warmup,
                rounds: options.bounded("--rounds", 1, 1, MAX_ROUNDS)?,
                max_seconds,
            },
            (!options.flag("--no-emulator"))
                .then(emulator)
                .transpose()?,
        ),
        "emulator" => Command::Emulator(EmulatorBenchConfig {
            inflight: options
                .value("--inflight")
                .map(|text| {
                    parse_inflight(text).ok_or_else(|| format!("invalid --inflight `{text}`"))
                })
                .transpose()?
                .unwrap_or(DEFAULT_EMULATOR_INFLIGHT),
            ..emulator()?
        }),
        "emulator-server" => Command::EmulatorServer { max_seconds },
        "load" => Command::Load {
            config: LoadConfig {
                target: options.one("--target", Target::from_name)?,
                op: options.one("--op", Op::from_name)?,
                inflight: options.one("--inflight", parse_inflight)?,
                requests,
                warmup,
            },
            stub_url: options.value("--stub-url").map(loopback_url).transpose()?,
            json: options.flag("--json"),
            max_seconds,
        },
        "stub-server" => Command::StubServer { max_seconds },
        "model-report" => Command::ModelReport {
            criterion_dir: options.value("--criterion-dir").map(str::to_owned),
        },
        "help" | "--help" | "-h" => Command::Help,
        other => return Err(format!("unknown command `{other}`")),
    };
    options.check_all_used(&parsed)?;
    Ok(parsed)
}

fn parse_inflight(text: &str) -> Option<usize> {
    text.parse().ok().filter(|k| (1..=MAX_INFLIGHT).contains(k))
}

/// Accepts only `http://` on a loopback host with a port, so the harness can never be pointed
/// at another machine; returns it without a trailing slash.
fn loopback_url(text: &str) -> Result<String, String> {
    let refuse =
        || format!("--stub-url must be http://127.0.0.1:PORT (or localhost, [::1]); got `{text}`");
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

/// `--name value` pairs and `--flag`s, each allowed once.
struct Options<'a> {
    pairs: Vec<(&'a str, Option<&'a str>)>,
}

const FLAGS: &[&str] = &["--smoke", "--json", "--no-emulator"];

impl<'a> Options<'a> {
    fn parse(args: &'a [String]) -> Result<Options<'a>, String> {
        let mut pairs: Vec<(&str, Option<&str>)> = Vec::new();
        let mut iter = args.iter();
        while let Some(name) = iter.next() {
            let name = name.as_str();
            if !name.starts_with("--") {
                return Err(format!("unexpected argument `{name}`"));
            }
            if pairs.iter().any(|(seen, _)| *seen == name) {
                return Err(format!("`{name}` given twice"));
            }
            let value = if FLAGS.contains(&name) {
                None
            } else {
                Some(
                    iter.next()
                        .map(String::as_str)
                        .ok_or_else(|| format!("`{name}` needs a value"))?,
                )
            };
            pairs.push((name, value));
        }
        Ok(Options { pairs })
    }

    fn flag(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, _)| *n == name)
    }

    fn value(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| *v)
    }

    fn one<T>(&self, name: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, String> {
        let text = self
            .value(name)
            .ok_or_else(|| format!("`{name}` is required"))?;
        parse(text).ok_or_else(|| format!("invalid {name} `{text}`"))
    }

    fn list<T: Clone>(
        &self,
        name: &str,
        all: &[T],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, String> {
        match self.value(name) {
            None => Ok(all.to_vec()),
            Some(text) => text
                .split(',')
                .map(|item| {
                    parse(item.trim()).ok_or_else(|| format!("invalid {name} item `{item}`"))
                })
                .collect(),
        }
    }

    fn bounded(&self, name: &str, default: usize, min: usize, max: usize) -> Result<usize, String> {
        match self.value(name) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    format!("{name} must be a number from {min} to {max}; got `{text}`")
                }),
        }
    }

    fn bounded_u64(&self, name: &str, default: u64, max: u64) -> Result<u64, String> {
        let max_usize = usize::try_from(max).unwrap_or(usize::MAX);
        let default_usize = usize::try_from(default).unwrap_or(usize::MAX);
        self.bounded(name, default_usize, 1, max_usize)
            .map(|n| n as u64)
    }

    /// Rejects options the command does not take, so a typo is not silently ignored.
    fn check_all_used(&self, command: &Command) -> Result<(), String> {
        let allowed: &[&str] = match command {
            Command::All(..) => &[
                "--smoke",
                "--requests",
                "--warmup",
                "--rounds",
                "--targets",
                "--ops",
                "--inflight",
                "--max-seconds",
                "--users",
                "--no-emulator",
            ],
            Command::Emulator(_) => &[
                "--smoke",
                "--rounds",
                "--users",
                "--batch",
                "--requests",
                "--warmup",
                "--inflight",
                "--max-seconds",
            ],
            Command::EmulatorServer { .. } => &["--max-seconds"],
            Command::Load { .. } => &[
                "--smoke",
                "--requests",
                "--warmup",
                "--target",
                "--op",
                "--inflight",
                "--stub-url",
                "--json",
                "--max-seconds",
            ],
            Command::StubServer { .. } => &["--max-seconds"],
            Command::ModelReport { .. } => &["--criterion-dir"],
            Command::Help => &[],
        };
        match self.pairs.iter().find(|(name, _)| !allowed.contains(name)) {
            Some((name, _)) => Err(format!("`{name}` is not an option of this command")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn load_takes_its_target_op_and_inflight() {
        let parsed = parse(&args(
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
        let Ok(Command::All(suite, Some(emulator))) = parse(&args("all")) else {
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
        let Ok(Command::All(suite, None)) = parse(&args(
            "all --inflight 8 --ops get --rounds 3 --requests 5 --no-emulator",
        )) else {
            panic!("all with options did not parse");
        };
        assert_eq!(
            (suite.inflights, suite.ops, suite.rounds, suite.requests),
            (vec![8], vec![Op::Get], 3, 5)
        );
    }

    #[test]
    fn emulator_takes_its_sizes_and_smoke_shrinks_them() {
        let Ok(Command::Emulator(config)) = parse(&args("emulator")) else {
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
        let Ok(Command::Emulator(config)) =
            parse(&args("emulator --smoke --inflight 8 --batch 50"))
        else {
            panic!("emulator with options did not parse");
        };
        assert_eq!(
            (config.users, config.inflight, config.batch, config.requests),
            (SMOKE_EMULATOR_USERS, 8, 50, SMOKE_REQUESTS)
        );
        let Ok(Command::All(_, Some(config))) = parse(&args("all --smoke --users 7")) else {
            panic!("all with --users did not parse");
        };
        assert_eq!(config.users, 7);
        let Ok(Command::All(_, Some(config))) = parse(&args("all --rounds 4")) else {
            panic!("all with --rounds did not parse");
        };
        assert_eq!(
            config.rounds, 4,
            "the emulator runs as many rounds as the sweep"
        );
        let Ok(Command::Emulator(config)) = parse(&args("emulator --rounds 3")) else {
            panic!("emulator with --rounds did not parse");
        };
        assert_eq!(config.rounds, 3);
    }

    #[test]
    fn mistakes_are_reported_not_ignored() {
        for line in [
            "load --op get --inflight 1",
            "load --target raw-hyper --op get --inflight 0",
            "load --target raw-hyper --op get --inflight 1 --requests 0",
            "load --target raw-hyper --op get --inflight 1 --rounds 2",
            "all --inflight 1,x",
            "all --requests",
            "all --smoke --smoke",
            "all extra",
            "bench",
            "emulator --users 0",
            "emulator --batch 100000",
            "emulator --inflight 1,8",
            "emulator --target raw-hyper",
            "load --target raw-hyper --op get --inflight 1 --users 5",
        ] {
            assert!(parse(&args(line)).is_err(), "{line}");
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
