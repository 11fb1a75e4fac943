//! The pluggable HTTP transport seam of the Auth0 users client.
//!
//! One [`Transport::send`] call is exactly one attempt: no retries, no authentication and no JSON
//! here. The client composes those on top; the backends only move bytes.

#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod config;
mod error;

#[cfg(any(feature = "reqwest", feature = "hyper"))]
mod body;
#[cfg(any(feature = "reqwest", feature = "hyper"))]
mod classify;
#[cfg(feature = "hyper")]
mod hyper_backend;
#[cfg(feature = "reqwest")]
mod reqwest_backend;
#[cfg(any(feature = "reqwest", feature = "hyper"))]
mod tls;
#[cfg(any(feature = "reqwest", feature = "hyper"))]
mod validate;

#[cfg(feature = "test-util")]
pub mod test_util;

pub use bytes;
pub use config::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_POOL_IDLE_TIMEOUT,
    DEFAULT_POOL_MAX_IDLE_PER_HOST, DEFAULT_REQUEST_TIMEOUT, TlsRoots, TransportConfig,
    TransportConfigBuilder,
};
pub use error::{TransportError, TransportErrorKind};
pub use http;
#[cfg(feature = "hyper")]
pub use hyper_backend::HyperTransport;
#[cfg(feature = "reqwest")]
pub use reqwest_backend::ReqwestTransport;

use bytes::Bytes;

/// Sends one HTTP request and returns its response, buffered.
///
/// Implementations must be cheap to share (`Arc<dyn Transport>`) and must not retry: the client
/// decides what is safe to repeat.
#[async_trait::async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` once and returns the whole response.
    ///
    /// # Errors
    /// A [`TransportError`] when no complete HTTP response was received.
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError>;
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request).await
    }
}
