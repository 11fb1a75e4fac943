//! The client handle: cheap to clone, shared state behind an `Arc`.

use std::fmt;
use std::sync::Arc;

use crate::engine::ratelimit::RateLimit;
use crate::engine::state::Inner;

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
    /// The rate-limit state from the most recent response seen by any clone of this client.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.gate.current()
    }

    /// Whether `users-model` validation runs before requests are sent.
    pub fn validates_before_send(&self) -> bool {
        self.inner.validate
    }
}
