//! The client handle: cheap to clone, shared state behind an `Arc`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use users_transport::Transport;

use crate::auth::TokenProvider;
use crate::builder::ClientBuilder;
use crate::ratelimit::{RateLimit, RateLimitGate};
use crate::retry::RetryPolicy;

/// Where the tenant lives.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    /// What `Debug` shows: the domain or the base URL's authority.
    pub display: String,
    /// `{origin}/api/v2`, no trailing slash.
    pub api_base: String,
}

#[derive(Clone)]
pub(crate) struct Inner {
    pub target: Target,
    pub transport: Arc<dyn Transport>,
    pub auth: Arc<dyn TokenProvider>,
    pub retry: RetryPolicy,
    /// The client's own timer per attempt: the configured timeout, or `None` when the transport
    /// enforces one no longer than it (see `ClientBuilder::timeout`).
    pub timeout: Option<Duration>,
    pub default_headers: HeaderMap,
    pub telemetry: Option<HeaderValue>,
    pub validate: bool,
    pub gate: RateLimitGate,
}

/// An Auth0 Management API client for the Users resource.
///
/// Cloning is cheap and every clone shares the token cache and the rate-limit gate. Build one
/// with [`Client::builder`]; operations live on [`Client::users`] and [`Client::user_blocks`].
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("domain", &self.inner.target.display)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The rate-limit state from the most recent response seen by any clone of this client.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.gate.current()
    }

    /// Whether `users-model` validation runs before requests are sent.
    pub fn validates_before_send(&self) -> bool {
        self.inner.validate
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }
}
