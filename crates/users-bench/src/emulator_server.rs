//! `users-bench emulator-server`: the served emulator in its own process, so that its CPU time
//! and memory are measured apart from the load client. Same protocol as the stub server (port
//! on the first line of stdout, exit when stdin closes), with a rate limit far above anything
//! a loopback run can reach so that the bucket never answers 429. With `--state PATH` it
//! serves a tenant kept in the emulator's store at `PATH`, opened (and, when it exists, read)
//! before the port is printed, so the port line means the tenant is loaded.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use users_emulator::{Emulator, EmulatorConfig, RateLimitConfig, SystemClock};

use crate::stub_process::serve_child;

/// The subcommand that runs the emulator server.
pub const EMULATOR_SUBCOMMAND: &str = "emulator-server";

/// The rate limit the benchmarked emulator runs with: a billion-token bucket refilled at a
/// billion a second, i.e. never limiting. The bucket is still consulted on every request, so
/// its cost is part of the figures.
pub const UNLIMITED: RateLimitConfig = RateLimitConfig::new(1_000_000_000, 1.0e9);

/// The configuration of the benchmarked emulator: the defaults (one client with every users
/// scope, the default connections), with [`UNLIMITED`] as rate limit.
pub fn config() -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    config.rate_limit = UNLIMITED;
    config
}

/// Serves an emulator on 127.0.0.1 with an ephemeral port until stdin closes or
/// `max_lifetime` passes: a fresh one, or with `state` the one kept in that store
/// ([`Emulator::open`]). Blocks the calling thread.
///
/// # Errors
/// When the store cannot be opened, or the runtime or the socket cannot be set up.
pub fn run_server(max_lifetime: Duration, state: Option<&Path>) -> io::Result<()> {
    let emulator = match state {
        None => Emulator::new(config()),
        Some(path) => {
            Emulator::open(config(), Arc::new(SystemClock), path)
                .map_err(|error| io::Error::other(format!("opening {}: {error}", path.display())))?
                .0
        }
    };
    serve_child(max_lifetime, move |listener| async move {
        // Kept alive until this future is dropped: dropping the handle stops the accept loop.
        let _server = emulator.serve(listener)?;
        std::future::pending::<io::Result<()>>().await
    })
}
