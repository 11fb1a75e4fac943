//! The far side of an exchange, so one byte-exactness check runs against real backends (far
//! side: a hyper server) and test doubles (far side: what the double recorded) alike.

use std::sync::Arc;

use users_transport::bytes::Bytes;
use users_transport::http;
use users_transport::{Transport, TransportError};

use super::TestServer;

/// A transport under test plus a way to see what it delivered.
#[async_trait::async_trait]
pub trait Peer: Send + Sync {
    /// The scheme and authority to put in request URIs, e.g. `http://127.0.0.1:4000`.
    fn origin(&self) -> String;

    /// Sends `request` through the transport under test while the far side answers with
    /// `response`. Returns the transport's result and the request as the far side received it.
    async fn exchange(
        &self,
        request: http::Request<Bytes>,
        response: &http::Response<Bytes>,
    ) -> (
        Result<http::Response<Bytes>, TransportError>,
        http::Request<Bytes>,
    );

    /// Headers this transport may add on its own (beyond what the caller set).
    fn added_headers(&self) -> &'static [&'static str];
}

/// A real backend talking to a [`TestServer`].
pub struct NetworkPeer {
    pub transport: Arc<dyn Transport>,
    pub server: TestServer,
    pub added: &'static [&'static str],
}

impl NetworkPeer {
    /// Starts a server for `transport`.
    pub async fn start(transport: Arc<dyn Transport>, added: &'static [&'static str]) -> Self {
        Self {
            transport,
            server: TestServer::start().await,
            added,
        }
    }
}

#[async_trait::async_trait]
impl Peer for NetworkPeer {
    fn origin(&self) -> String {
        self.server.url("")
    }

    async fn exchange(
        &self,
        request: http::Request<Bytes>,
        response: &http::Response<Bytes>,
    ) -> (
        Result<http::Response<Bytes>, TransportError>,
        http::Request<Bytes>,
    ) {
        self.server.respond_with(response);
        let before = self.server.requests().len();
        let result = self.transport.send(request).await;
        let received = self.server.requests();
        assert_eq!(
            received.len(),
            before + 1,
            "the server should have received exactly one request"
        );
        let last = received.last().map(super::clone_request);
        (result, last.expect("one request was received"))
    }

    fn added_headers(&self) -> &'static [&'static str] {
        self.added
    }
}
