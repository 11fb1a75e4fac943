//! Emulator configuration: clients, connections, rate limit, ids.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::connections::{Connection, default_connections};

/// The scopes the default application is granted: every scope that allows a served operation
/// (from the operation descriptions), except the current-user scopes, which only a user's own
/// token carries, and every scope of the tenant set-up APIs (roles, resource servers,
/// organizations). Sorted, without duplicates.
pub fn default_scopes() -> Vec<&'static str> {
    let mut scopes: Vec<&'static str> = users_model::operation::all()
        .flat_map(|op| op.scopes.iter().copied())
        .filter(|s| !s.contains("current_user"))
        .chain(crate::handlers::tenant::setup_scopes())
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    scopes
}

/// The default client id (documented in the README and printed at start-up).
pub const DEFAULT_CLIENT_ID: &str = "emulator-client";
/// The default client secret. Public on purpose: it only opens the local emulator.
pub const DEFAULT_CLIENT_SECRET: &str = "emulator-secret";

/// A machine-to-machine application allowed to get tokens.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The `client_id`.
    pub client_id: String,
    /// The `client_secret` (never printed by `Debug`).
    pub client_secret: String,
    /// Scopes granted to the client for the Management API audience.
    pub scopes: Vec<String>,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl ClientConfig {
    /// A client with the given credentials and scopes.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        scopes: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }
}

/// The token bucket for Management API requests.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RateLimitConfig {
    /// Bucket size (burst); `x-ratelimit-limit`.
    pub burst: u32,
    /// Tokens added per second.
    pub per_second: f64,
}

impl RateLimitConfig {
    /// A bucket of `burst` tokens refilled at `per_second`.
    pub const fn new(burst: u32, per_second: f64) -> Self {
        Self { burst, per_second }
    }
}

impl Default for RateLimitConfig {
    /// Generous enough for normal use and test suites: burst 1000, 200 per second.
    fn default() -> Self {
        Self {
            burst: 1000,
            per_second: 200.0,
        }
    }
}

/// Everything that shapes an emulator instance.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// Token issuer (`iss`, with trailing slash). `None`: derived from each request's origin
    /// (`https://{host}/` in-process, `http://{Host header}/` when served), like Auth0's
    /// `https://{domain}/`.
    pub issuer: Option<String>,
    /// Applications allowed to get tokens.
    pub clients: Vec<ClientConfig>,
    /// Connections users can belong to.
    pub connections: Vec<Connection>,
    /// The Management API token bucket.
    pub rate_limit: RateLimitConfig,
    /// Add a `Retry-After` header (seconds) to 429 responses.
    pub retry_after: bool,
    /// Seed of the id generator.
    pub seed: u64,
    /// Lifetime of issued tokens in seconds (Auth0's default: 86400).
    pub token_lifetime_secs: i64,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            issuer: None,
            clients: vec![ClientConfig::new(
                DEFAULT_CLIENT_ID,
                DEFAULT_CLIENT_SECRET,
                default_scopes(),
            )],
            connections: default_connections(),
            rate_limit: RateLimitConfig::default(),
            retry_after: false,
            seed: 0x5eed,
            token_lifetime_secs: 86_400,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_debug_hides_the_secret() {
        let client = ClientConfig::new("id", "s3cr3t-value", ["read:users"]);
        let shown = format!("{client:?}");
        assert!(!shown.contains("s3cr3t-value"));
        assert!(shown.contains("id"));
    }
}
