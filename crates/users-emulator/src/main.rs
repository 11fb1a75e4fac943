//! `users-emulator`: serve the emulator on a port. `--help` lists the flags.

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

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use users_emulator::{
    ClientConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, ImportError,
    ServeLimits, SystemClock, default_scopes,
};

/// A stateful Auth0 Users API emulator, served on a port.
///
/// Every flag can also come from the environment variable named after it. Logs go to stderr,
/// filtered by RUST_LOG (default: info).
#[derive(Debug, Parser)]
#[command(name = "users-emulator", version)]
struct Cli {
    /// Address to listen on.
    #[arg(
        long,
        value_name = "ADDR",
        env = "USERS_EMULATOR_LISTEN",
        default_value = "127.0.0.1:4000"
    )]
    listen: SocketAddr,
    /// A client allowed to get tokens: ID:SECRET[:SCOPES], SCOPES comma-separated (default:
    /// every scope of the served Management API operations, except the current-user ones, and
    /// of the set-up APIs: roles, resource servers, organizations). Repeat for more clients (in
    /// the environment: space-separated). Without it: emulator-client:emulator-secret with
    /// those default scopes.
    #[arg(
        long,
        value_name = "ID:SECRET[:SCOPES]",
        env = "USERS_EMULATOR_CLIENT",
        hide_env_values = true,
        value_delimiter = ' '
    )]
    // Kept as text and checked after parsing, so that no error message repeats a secret.
    client: Vec<String>,
    /// Rate-limit bucket size.
    #[arg(
        long,
        value_name = "N",
        env = "USERS_EMULATOR_BURST",
        default_value_t = 1000
    )]
    burst: u32,
    /// Rate-limit tokens added per second.
    #[arg(long, value_name = "N", env = "USERS_EMULATOR_REFILL", default_value_t = 200.0, value_parser = parse_refill)]
    refill: f64,
    /// Add Retry-After to 429 responses.
    #[arg(long, env = "USERS_EMULATOR_RETRY_AFTER")]
    retry_after: bool,
    /// Users, connections and blocks to load at start (JSON, see README); with --state, only
    /// when the state file does not exist yet.
    #[arg(long, value_name = "FILE", env = "USERS_EMULATOR_SEED")]
    seed: Option<PathBuf>,
    /// A tenant to start with: an export document (GET /__emulator/export, --export-on-exit)
    /// or a seed document. With --state, the store must be new: one that already holds a
    /// tenant is refused, never overwritten or merged.
    #[arg(
        long,
        value_name = "FILE",
        env = "USERS_EMULATOR_IMPORT",
        conflicts_with = "seed"
    )]
    import: Option<PathBuf>,
    /// On Ctrl-C (SIGINT) or SIGTERM, once the server has stopped, write the whole tenant to
    /// FILE as an export document (atomically; a failure makes the exit code non-zero).
    #[arg(long, value_name = "FILE", env = "USERS_EMULATOR_EXPORT_ON_EXIT")]
    export_on_exit: Option<PathBuf>,
    /// Keep the tenant in FILE, a SQLite store, across restarts (each change committed before
    /// it is answered; an older JSON state file is converted).
    #[arg(long, value_name = "FILE", env = "USERS_EMULATOR_STATE")]
    state: Option<PathBuf>,
    /// Fixed token issuer [default: http://<Host header>/].
    #[arg(long, value_name = "URL", env = "USERS_EMULATOR_ISSUER")]
    issuer: Option<String>,
    /// Seed of the id generator.
    #[arg(long, value_name = "N", env = "USERS_EMULATOR_ID_SEED", default_value_t = EmulatorConfig::default().seed)]
    id_seed: u64,
    /// Seconds a connection has to send a complete request head, from its accept and again
    /// after each response: the header-read and the idle keep-alive timeout at once.
    #[arg(long, value_name = "SECS", env = "USERS_EMULATOR_HEADER_TIMEOUT", default_value_t = ServeLimits::default().header_read_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: u64,
    /// Seconds a request body has to arrive once its head is read (slower: 408, closed).
    #[arg(long, value_name = "SECS", env = "USERS_EMULATOR_BODY_TIMEOUT", default_value_t = ServeLimits::default().body_read_timeout.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout: u64,
    /// Connections served at once; more wait to be accepted until one closes.
    #[arg(long, value_name = "N", env = "USERS_EMULATOR_MAX_CONNECTIONS", default_value_t = ServeLimits::default().max_connections, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_connections: usize,
}

fn parse_client(spec: &str) -> Result<ClientConfig, String> {
    let mut parts = spec.splitn(3, ':');
    let id = parts.next().filter(|s| !s.is_empty());
    let secret = parts.next().filter(|s| !s.is_empty());
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err("--client needs ID:SECRET[:SCOPES]".into());
    };
    let scopes: Vec<String> = match parts.next() {
        Some(list) => list
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        None => default_scopes().into_iter().map(str::to_owned).collect(),
    };
    Ok(ClientConfig::new(id, secret, scopes))
}

fn parse_refill(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|refill| refill.is_finite() && *refill >= 0.0)
        .ok_or_else(|| "--refill must be a non-negative number".to_owned())
}

struct Args {
    listen: SocketAddr,
    limits: ServeLimits,
    config: EmulatorConfig,
    seed: Option<PathBuf>,
    state: Option<PathBuf>,
    import: Option<PathBuf>,
    export_on_exit: Option<PathBuf>,
}

impl TryFrom<Cli> for Args {
    type Error = String;

    fn try_from(cli: Cli) -> Result<Self, String> {
        let mut config = EmulatorConfig::default();
        if !cli.client.is_empty() {
            config.clients = cli
                .client
                .iter()
                .map(|spec| parse_client(spec))
                .collect::<Result<_, _>>()?;
        }
        config.rate_limit.burst = cli.burst;
        config.rate_limit.per_second = cli.refill;
        config.retry_after = cli.retry_after;
        config.issuer = cli.issuer;
        config.seed = cli.id_seed;
        if let (Some(state), Some(export)) = (&cli.state, &cli.export_on_exit)
            && same_file(state, export)
        {
            return Err(
                "--export-on-exit must name another file than --state (the export would replace \
                 the store)"
                    .into(),
            );
        }
        Ok(Args {
            listen: cli.listen,
            limits: ServeLimits::new(
                Duration::from_secs(cli.header_timeout),
                Duration::from_secs(cli.body_timeout),
                cli.max_connections,
            ),
            config,
            seed: cli.seed,
            state: cli.state,
            import: cli.import,
            export_on_exit: cli.export_on_exit,
        })
    }
}

/// `println!` that never panics: a closed stdout (the reader went away, `| head -1`) must not
/// stop the emulator, least of all on its way out with an export to write.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`), so state-file write failures and
/// other errors are seen.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Fails only when a subscriber is already set, and then that one logs.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The warning for an address other machines may reach: the admin API is unauthenticated and
/// snapshots hold password hashes. `None` on loopback.
fn exposure_warning(listen: SocketAddr) -> Option<String> {
    (!listen.ip().is_loopback()).then(|| {
        format!(
            "listening on {listen}, not a loopback address: anyone who can reach it can use the \
             unauthenticated admin API under /__emulator/ (reset, seed, faults) and read \
             snapshots and exports holding password hashes; listen on 127.0.0.1 unless that is \
             intended"
        )
    })
}

/// Whether `a` and `b` name the same file (as far as can be told before either exists).
fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |path: &Path| {
        let parent = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        std::fs::canonicalize(parent)
            .map(|dir| dir.join(path.file_name().unwrap_or_default()))
            .unwrap_or_else(|_| path.to_owned())
    };
    resolve(a) == resolve(b)
}

/// A JSON document from `path`; errors name the file as `what`.
fn read_document(what: &str, path: &Path) -> Result<serde_json::Value, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("{what} {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{what} {}: {e}", path.display()))
}

/// The emulator `args` describe: opened from the store, imported, or seeded.
fn emulator(args: &Args) -> Result<Emulator, String> {
    let clock = Arc::new(SystemClock);
    let config = args.config.clone();
    if let Some(path) = &args.import {
        let document = read_document("import file", path)?;
        let failed = |e: ImportError| match &e {
            ImportError::StoreNotNew { .. } => format!(
                "{e} (--import starts a new store only: remove the state file, or start without \
                 --import to keep it)"
            ),
            _ => format!("import file {}: {e}", path.display()),
        };
        let emulator = match &args.state {
            Some(state) => {
                Emulator::open_import(config, clock, state, &document).map_err(failed)?
            }
            None => {
                let emulator = Emulator::with_clock(config, clock);
                emulator.import(&document).map_err(failed)?;
                emulator
            }
        };
        let count = document
            .get("users")
            .and_then(serde_json::Value::as_array)
            .map_or(0, Vec::len);
        say!("imported {count} users from {}", path.display());
        return Ok(emulator);
    }
    let (emulator, loaded) = match &args.state {
        Some(path) => Emulator::open(config, clock, path).map_err(|e| e.to_string())?,
        None => (Emulator::with_clock(config, clock), false),
    };
    if let (Some(path), false) = (&args.seed, loaded) {
        let document = read_document("seed file", path)?;
        let ids = emulator
            .seed(&document)
            .map_err(|e| format!("seed file {}: {e}", path.display()))?;
        say!("seeded {} users from {}", ids.len(), path.display());
    }
    Ok(emulator)
}

/// The signals that stop the server: SIGINT (Ctrl-C) and SIGTERM. Registered at once, before
/// the server announces itself, so a signal sent as soon as it has is never missed.
#[cfg(unix)]
struct StopSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl StopSignals {
    fn register() -> Result<Self, String> {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|e| format!("cannot listen for {name}: {e}"))
        };
        Ok(Self {
            interrupt: listen(SignalKind::interrupt(), "SIGINT")?,
            terminate: listen(SignalKind::terminate(), "SIGTERM")?,
        })
    }

    /// Waits for one of them; returns its name.
    async fn next(mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

/// Elsewhere only Ctrl-C.
#[cfg(not(unix))]
struct StopSignals;

#[cfg(not(unix))]
impl StopSignals {
    fn register() -> Result<Self, String> {
        Ok(Self)
    }

    async fn next(self) -> &'static str {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "Ctrl-C",
            Err(error) => {
                tracing::error!(%error, "cannot wait for Ctrl-C; stopping");
                "an error"
            }
        }
    }
}

/// Writes the export on exit, when asked to.
fn export_on_exit(emulator: &Emulator, path: Option<&Path>) -> Result<(), String> {
    let Some(path) = path else {
        return Ok(());
    };
    let count = emulator
        .export_to(path)
        .map_err(|e| format!("could not export the tenant to {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), users = count, "exported the tenant");
    say!("exported {count} users to {}", path.display());
    Ok(())
}

fn start(args: Args) -> Result<(), String> {
    let emulator = emulator(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    if let Some(warning) = exposure_warning(args.listen) {
        tracing::warn!("{warning}");
    }
    let (served, listen, limits) = (emulator.clone(), args.listen, args.limits);
    runtime.block_on(async move {
        let emulator = served;
        let signals = StopSignals::register()?;
        let server = emulator
            .bind_with_limits(listen, limits)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let base = server.base_url();
        let client = &emulator.config().clients.first().map(|c| c.client_id.clone());
        say!("users-emulator listening on {base}");
        say!("Management API: {base}/api/v2/   admin API: {base}/__emulator/");
        say!("Get a token:");
        say!(
            "  curl -s {base}/oauth/token -H 'content-type: application/json' -d '{{\"grant_type\":\"client_credentials\",\"client_id\":\"{}\",\"client_secret\":\"{}\",\"audience\":\"{base}/api/v2/\"}}'",
            client.as_deref().unwrap_or(DEFAULT_CLIENT_ID),
            if client.as_deref() == Some(DEFAULT_CLIENT_ID) {
                DEFAULT_CLIENT_SECRET
            } else {
                "<your secret>"
            },
        );
        let signal = signals.next().await;
        tracing::info!("{signal}: shutting down");
        server.shutdown().await;
        Ok::<_, String>(())
    })?;
    export_on_exit(&emulator, args.export_on_exit.as_deref())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            if error.kind() == clap::error::ErrorKind::UnknownArgument {
                eprintln!("users-emulator: unknown flag; see --help");
            }
            // Prints the help or version text (exit 0) or the error with a usage line (exit 2).
            error.exit()
        }
    };
    let args = match Args::try_from(cli) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("users-emulator: {message}");
            return ExitCode::from(2);
        }
    };
    init_logging();
    match start(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("users-emulator: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_listens_without_a_warning() {
        for quiet in ["127.0.0.1:4000", "[::1]:4000", "127.8.9.10:0"] {
            assert_eq!(exposure_warning(quiet.parse().unwrap()), None, "{quiet}");
        }
        for exposed in ["0.0.0.0:4000", "[::]:4000", "192.168.1.5:80"] {
            let warning = exposure_warning(exposed.parse().unwrap()).unwrap_or_default();
            assert!(warning.contains("/__emulator/"), "{exposed}: {warning}");
            assert!(warning.contains("password hashes"), "{exposed}: {warning}");
        }
    }

    #[test]
    fn the_command_line_is_well_formed_and_keeps_its_defaults() {
        <Cli as clap::CommandFactory>::command().debug_assert();
        let args = Args::try_from(Cli::parse_from(["users-emulator"])).unwrap();
        assert_eq!(args.listen, "127.0.0.1:4000".parse().unwrap());
        assert_eq!(args.config.rate_limit, EmulatorConfig::default().rate_limit);
        assert_eq!(args.config.clients.len(), 1);
        let cli = Cli::parse_from([
            "users-emulator",
            "--client",
            "a:b:read:users",
            "--client",
            "c:d",
        ]);
        let args = Args::try_from(cli).unwrap();
        let ids: Vec<&str> = args
            .config
            .clients
            .iter()
            .map(|c| c.client_id.as_str())
            .collect();
        assert_eq!(ids, ["a", "c"]);
        assert!(Cli::try_parse_from(["users-emulator", "--refill", "-1"]).is_err());
        assert!(Cli::try_parse_from(["users-emulator", "--refill", "NaN"]).is_err());
        let secret_only = Cli::parse_from(["users-emulator", "--client", ":s3cret"]);
        let error = Args::try_from(secret_only).err().unwrap_or_default();
        assert!(!error.contains("s3cret"), "{error}");
    }
}
