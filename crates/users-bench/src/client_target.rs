//! The client under test: `users-client` on one of `users-transport`'s backends, called the way
//! a user would, through `client.users().update(id, &update)` and `.get(id)`.
//!
//! The client is built once per row with the defaults a user gets (retries, per-attempt
//! timeout, telemetry header, validation before send, the transport's default configuration)
//! and a static token. The stub is on loopback, so its `http://` base URL is accepted without
//! `allow_insecure_http`. All in-flight workers share it; every call holds its own clone of the
//! handle (a `Call` owns a `Client`, an `Arc`), as tasks spawned by a user would.

use std::sync::Arc;

use users_client::Client;
use users_client::transport::{HyperTransport, ReqwestTransport, Transport, TransportConfig};
use users_model::{User, UserUpdate};

use crate::fixture;
use crate::target::{Exchange, ExchangeError, Op};

/// A `users-client` target.
#[derive(Debug, Clone)]
pub struct ClientTarget {
    client: Client,
    update: UserUpdate,
}

impl ClientTarget {
    /// The client on [`HyperTransport`] for the stub at `base_url` (`http://127.0.0.1:port`).
    ///
    /// # Errors
    /// When the transport or the client cannot be built.
    pub fn hyper(base_url: &str) -> Result<ClientTarget, ExchangeError> {
        let transport = HyperTransport::new(&TransportConfig::default())
            .map_err(|error| ExchangeError::new(format!("build hyper transport: {error}")))?;
        ClientTarget::on(base_url, Arc::new(transport))
    }

    /// The client on [`ReqwestTransport`] for the stub at `base_url`.
    ///
    /// # Errors
    /// When the transport or the client cannot be built.
    pub fn reqwest(base_url: &str) -> Result<ClientTarget, ExchangeError> {
        let transport = ReqwestTransport::new(&TransportConfig::default())
            .map_err(|error| ExchangeError::new(format!("build reqwest transport: {error}")))?;
        ClientTarget::on(base_url, Arc::new(transport))
    }

    fn on(base_url: &str, transport: Arc<dyn Transport>) -> Result<ClientTarget, ExchangeError> {
        let client = Client::builder()
            .base_url(base_url)
            .transport(transport)
            .token(fixture::BEARER_TOKEN)
            .build()
            .map_err(|error| ExchangeError::new(format!("build client: {error}")))?;
        Ok(ClientTarget {
            client,
            update: fixture::update(),
        })
    }
}

impl Exchange for ClientTarget {
    type Answer = User;

    async fn call(&self, op: Op) -> Result<User, ExchangeError> {
        let users = self.client.users();
        let result = match op {
            Op::Update => users.update(fixture::USER_ID, &self.update).await,
            Op::Get => users.get(fixture::USER_ID).await,
        };
        // The client's errors never carry the token, so they can be shown as they are.
        result.map_err(|error| ExchangeError::new(error.to_string()))
    }
}
