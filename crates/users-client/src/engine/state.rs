//! The engine's shared state: everything a call needs from the client, checked at build.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use users_transport::Transport;

use crate::engine::credentials::TokenProvider;
use crate::engine::gate::RateLimitGate;
use crate::engine::retry::RetryPolicy;
use crate::engine::spec::ApiParts;
use crate::engine::time::WallClock;

/// Where the tenant lives.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    /// What `Debug` shows: the domain or the base URL's authority (never its user-info).
    pub display: String,
    /// `{origin}/api/v2`, parsed at build.
    pub api: ApiParts,
}

/// A client's state, shared by its clones.
pub(crate) struct Inner {
    pub target: Target,
    pub transport: Arc<dyn Transport>,
    pub auth: Arc<dyn TokenProvider>,
    pub retry: RetryPolicy,
    /// What the transport enforces itself ([`Transport::request_timeout`]).
    pub transport_timeout: Option<Duration>,
    /// The client's own timer per attempt: the configured timeout, or `None` when the transport
    /// enforces one no longer than it.
    pub own_timer: Option<Duration>,
    pub default_headers: HeaderMap,
    pub telemetry: Option<HeaderValue>,
    /// The `Authorization` value of a static token, built and checked at build: such a token
    /// never changes and is never refreshed. `None` for every other credential source.
    pub static_authorization: Option<HeaderValue>,
    pub validate: bool,
    pub gate: RateLimitGate,
    pub clock: WallClock,
}
