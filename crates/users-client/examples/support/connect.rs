//! Shared by the examples: a client for the tenant named in the environment, or for an
//! embedded emulator when none is.
// Not every example uses every part of this module.
#![allow(dead_code)]

use std::sync::Arc;

use users_client::Client;
use users_emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig};

/// Where the example runs.
pub enum Target {
    /// A real tenant from `AUTH0_DOMAIN` and credentials.
    Tenant(String),
    /// The in-process emulator (kept alive for the example's run).
    Emulator(Emulator),
}

/// `AUTH0_DOMAIN` with `AUTH0_CLIENT_ID`/`AUTH0_CLIENT_SECRET` or `AUTH0_TOKEN` selects a
/// tenant; otherwise an embedded emulator answers, so the example runs anywhere.
pub fn connect() -> Result<(Client, Target), users_client::Error> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let Some(domain) = env("AUTH0_DOMAIN") {
        let builder = Client::builder().domain(domain.clone());
        let builder = match (
            env("AUTH0_CLIENT_ID"),
            env("AUTH0_CLIENT_SECRET"),
            env("AUTH0_TOKEN"),
        ) {
            (Some(id), Some(secret), _) => builder.client_credentials(id, secret),
            (_, _, Some(token)) => builder.token(token),
            _ => {
                // AUTH0_DOMAIN needs AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET, or AUTH0_TOKEN.
                return Err(users_client::ConfigError::MissingCredentials.into());
            }
        };
        return Ok((builder.build()?, Target::Tenant(domain)));
    }
    let emulator = Emulator::new(EmulatorConfig::default());
    let client = Client::builder()
        .domain("tenant.example")
        .transport(Arc::new(emulator.clone()))
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .build()?;
    Ok((client, Target::Emulator(emulator)))
}

/// A suffix that keeps repeated runs against a tenant from colliding.
pub fn run_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{nanos:08x}")
}
