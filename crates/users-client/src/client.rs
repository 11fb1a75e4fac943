//! The client handle: cheap to clone, shared state behind an `Arc`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::uri::{Authority, Scheme};
use http::{HeaderMap, HeaderValue, Uri};
use users_transport::Transport;

use crate::builder::ClientBuilder;
use crate::engine::auth::TokenProvider;
use crate::engine::ratelimit::{RateLimit, RateLimitGate};
use crate::engine::retry::RetryPolicy;

/// Where the tenant lives.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    /// What `Debug` shows: the domain or the base URL's authority.
    pub display: String,
    /// `{origin}/api/v2` split once: its scheme and authority, parsed, and its path (`/api/v2`
    /// or the base URL's path followed by it), so a request's URI is put together from parts
    /// without parsing the origin again. `None` if it does not parse (the builder's checks make
    /// that impossible), in which case each call reports an invalid request URI.
    pub api_parts: Option<ApiParts>,
}

/// The pre-parsed parts of the API's base URL, `{origin}/api/v2`.
#[derive(Clone, Debug)]
pub(crate) struct ApiParts {
    pub scheme: Scheme,
    pub authority: Authority,
    /// No trailing slash.
    pub path: String,
}

impl ApiParts {
    pub fn parse(api_base: &str) -> Option<ApiParts> {
        let uri: Uri = api_base.parse().ok()?;
        let parts = uri.into_parts();
        let path = parts.path_and_query?;
        if path.query().is_some() {
            return None;
        }
        Some(ApiParts {
            scheme: parts.scheme?,
            authority: parts.authority?,
            path: path.path().trim_end_matches('/').to_owned(),
        })
    }
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
    /// The `Authorization` value of a static token (`ClientBuilder::token`), built once: such a
    /// token never changes and is never refreshed. `None` for every other credential source
    /// (and for a token that is not a valid header value, reported by each call as before).
    pub static_authorization: Option<HeaderValue>,
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
