//! `users-emulator`: serve the emulator on a port. `--help` lists the flags.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use users_emulator::{
    ClientConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, SystemClock,
    default_scopes,
};

const USAGE: &str = "\
users-emulator: a stateful Auth0 Users API emulator

USAGE: users-emulator [FLAGS]

  --listen ADDR            address to listen on (default 127.0.0.1:4000)
  --client ID:SECRET[:S]   a client allowed to get tokens; S = comma-separated scopes
                           (default: all users scopes). Repeat for more clients. Without it:
                           emulator-client:emulator-secret with every users scope
  --burst N                rate-limit bucket size (default 1000)
  --refill N               rate-limit tokens added per second (default 200)
  --retry-after            add Retry-After to 429 responses
  --seed FILE              users/connections/blocks to load at start (JSON, see README);
                           with --state, only when the state file does not exist yet
  --state FILE             keep state in FILE across restarts (written atomically)
  --issuer URL             fixed token issuer (default: http://<Host header>/)
  --id-seed N              seed of the id generator (default 24301)
  -h, --help               this text
";

struct Args {
    listen: SocketAddr,
    config: EmulatorConfig,
    seed: Option<PathBuf>,
    state: Option<PathBuf>,
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

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut listen: SocketAddr = "127.0.0.1:4000"
        .parse()
        .map_err(|e| format!("default address: {e}"))?;
    let mut config = EmulatorConfig::default();
    let mut clients = Vec::new();
    let (mut seed, mut state) = (None, None);
    while let Some(flag) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--listen" => {
                listen = value("--listen")?
                    .parse()
                    .map_err(|e| format!("--listen: {e}"))?;
            }
            "--client" => clients.push(parse_client(&value("--client")?)?),
            "--burst" => {
                config.rate_limit.burst = value("--burst")?
                    .parse()
                    .map_err(|e| format!("--burst: {e}"))?;
            }
            "--refill" => {
                let refill: f64 = value("--refill")?
                    .parse()
                    .map_err(|e| format!("--refill: {e}"))?;
                if !(refill.is_finite() && refill >= 0.0) {
                    return Err("--refill must be a non-negative number".into());
                }
                config.rate_limit.per_second = refill;
            }
            "--retry-after" => config.retry_after = true,
            "--seed" => seed = Some(PathBuf::from(value("--seed")?)),
            "--state" => state = Some(PathBuf::from(value("--state")?)),
            "--issuer" => config.issuer = Some(value("--issuer")?),
            "--id-seed" => {
                config.seed = value("--id-seed")?
                    .parse()
                    .map_err(|e| format!("--id-seed: {e}"))?;
            }
            other => return Err(format!("unknown flag {other}; see --help")),
        }
    }
    if !clients.is_empty() {
        config.clients = clients;
    }
    Ok(Some(Args {
        listen,
        config,
        seed,
        state,
    }))
}

fn start(args: Args) -> Result<(), String> {
    let clock = Arc::new(SystemClock);
    let (emulator, loaded) = match &args.state {
        Some(path) => Emulator::open(args.config, clock, path).map_err(|e| e.to_string())?,
        None => (Emulator::with_clock(args.config, clock), false),
    };
    if let (Some(path), false) = (&args.seed, loaded) {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("seed file {}: {e}", path.display()))?;
        let document: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("seed file {}: {e}", path.display()))?;
        let ids = emulator
            .seed(&document)
            .map_err(|e| format!("seed file {}: {e}", path.display()))?;
        println!("seeded {} users from {}", ids.len(), path.display());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(async move {
        let server = emulator
            .bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let base = server.base_url();
        let client = &emulator.config().clients.first().map(|c| c.client_id.clone());
        println!("users-emulator listening on {base}");
        println!("Management API: {base}/api/v2/   admin API: {base}/__emulator/");
        println!("Get a token:");
        println!(
            "  curl -s {base}/oauth/token -H 'content-type: application/json' -d '{{\"grant_type\":\"client_credentials\",\"client_id\":\"{}\",\"client_secret\":\"{}\",\"audience\":\"{base}/api/v2/\"}}'",
            client.as_deref().unwrap_or(DEFAULT_CLIENT_ID),
            if client.as_deref() == Some(DEFAULT_CLIENT_ID) {
                DEFAULT_CLIENT_SECRET
            } else {
                "<your secret>"
            },
        );
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| format!("waiting for Ctrl-C: {e}"))?;
        server.shutdown().await;
        Ok(())
    })
}

fn main() -> ExitCode {
    // `env::args` panics on arguments that are not UTF-8; refuse them cleanly instead.
    let args: Result<Vec<String>, String> = std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string()
                .map_err(|a| format!("argument {} is not valid UTF-8", a.to_string_lossy()))
        })
        .collect();
    let parsed = args.and_then(|args| parse_args(args.into_iter()));
    match parsed {
        Ok(None) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some(args)) => match start(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("users-emulator: {message}");
                ExitCode::FAILURE
            }
        },
        Err(message) => {
            eprintln!("users-emulator: {message}");
            ExitCode::from(2)
        }
    }
}
