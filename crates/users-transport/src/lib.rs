//! The pluggable HTTP transport seam of the Auth0 users client.
//!
//! One [`Transport::send`] call is exactly one attempt: no retries, no authentication and no JSON
//! here. The client composes those on top; the backends only move bytes. `http` and `bytes` are
//! re-exported so your code and this crate always agree on their versions.
//!
//! # Backends
//!
//! | feature | type | what it is |
//! |---|---|---|
//! | `reqwest` (default) | `ReqwestTransport` | a `reqwest::Client`, built here or yours |
//! | `hyper` | `HyperTransport` | hyper 1.x with hyper-util's pooled client |
//! | `native-roots` | [`TlsRoots`]`::Native` | trust the OS certificate store |
//! | `test-util` | `test_util` | replay, capture and closure doubles for your tests |
//!
//! Both backends use rustls with the ring provider, installed explicitly in the TLS config they
//! build (no aws-lc-rs, no cmake, no process-global provider needed), webpki roots by default,
//! HTTP/1.1 with keep-alive pooling, a connect timeout (TCP and TLS), a per-request timeout over
//! the whole exchange including the body, and a response-body cap (16 MiB by default) enforced
//! frame by frame, so an oversized body fails with `BodyTooLarge` without being buffered. Plain
//! `http://` is allowed here; the client decides where it is safe. Configure them with
//! [`TransportConfig`].
//!
//! Both pass the same conformance suite (`tests/conformance/`). Where they still differ:
//! - reqwest adds `accept: */*` to requests that have no `accept` header; hyper adds only
//!   `host` and, when there is a body, `content-length`.
//! - A caller's own `reqwest::Client` keeps its own TLS, proxy, redirect and pool settings;
//!   only the per-request timeout and the body cap of the config apply to it.
//!
//! Both share hyper-util's pool (reqwest uses it underneath), which hands a connection back
//! from a background task once its response has been read: a request sent immediately after
//! another may open a second connection; from then on idle connections are reused.
//!
//! # Errors
//!
//! A [`TransportError`] says what failed ([`TransportErrorKind`]) and whether the request may
//! have reached the server. Both backends map failures the same way: refused or unreachable
//! connections are `Connect`; a connect or request timeout is `Timeout`; TLS failures are `Tls`;
//! a connection that fails after it was established (reset, closed early, malformed response)
//! is `Io`; a request that cannot be sent as given (relative URI, scheme other than http/https,
//! credentials in the URI, `CONNECT`, HTTP/2) is `InvalidRequest`. `may_have_been_sent` is
//! false for anything that failed before a connection existed and true from then on; an elapsed
//! per-request timeout always counts as possibly sent, since it cannot tell how far the exchange
//! got. Messages never contain the URI, headers or bodies. The source chain differs by backend
//! (a `reqwest::Error` around hyper's errors, or hyper-util's and hyper's errors directly); rely
//! on the kind and predicates, not on the chain.
//!
//! # Plugging in your own transport
//!
//! Implement [`Transport`] for your HTTP stack and hand the client an `Arc<dyn Transport>`:
//!
//! ```
//! use std::sync::Arc;
//! use users_transport::bytes::Bytes;
//! use users_transport::http::{Request, Response, StatusCode};
//! use users_transport::{Transport, TransportError, TransportErrorKind, async_trait};
//!
//! /// Your own stack behind the seam: here, one that serves from memory.
//! struct InMemory;
//!
//! #[async_trait]
//! impl Transport for InMemory {
//!     async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
//!         if request.uri().host().is_none() {
//!             // Failed before anything left: safe for the client to repeat after fixing it.
//!             return Err(TransportError::new(TransportErrorKind::InvalidRequest));
//!         }
//!         let mut response = Response::new(Bytes::from_static(br#"{"user_id":"auth0|1"}"#));
//!         *response.status_mut() = StatusCode::OK;
//!         Ok(response)
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let transport: Arc<dyn Transport> = Arc::new(InMemory);
//! let request = Request::get("https://tenant.example/api/v2/users/auth0%7C1")
//!     .body(Bytes::new())
//!     .expect("a valid request");
//! let response = transport.send(request).await.expect("served from memory");
//! assert_eq!(response.status(), StatusCode::OK);
//!
//! let relative = Request::get("/api/v2/users").body(Bytes::new()).expect("a valid request");
//! let error = transport.send(relative).await.expect_err("no host");
//! assert!(!error.may_have_been_sent());
//! # }
//! ```
//!
//! # Testing code that uses a transport
//!
//! Enable `test-util` in your `[dev-dependencies]` and use the doubles in `test_util`; its
//! module docs show a replay test end to end.
//!
//! # Public surface
//!
//! [`Transport`] (declared with [`async_trait`](macro@async_trait), re-exported so implementations use the same
//! macro), [`TransportError`] and [`TransportErrorKind`], [`TransportConfig`] and its builder,
//! the two backends behind their features, `test_util` behind `test-util`, the `http`, `bytes`
//! and `reqwest` crates this one speaks, and [`header_number`] (the one reader of whole numbers
//! in header values, shared with the client so `content-length` and `x-ratelimit-*` parse
//! alike). Body capping, error classification, TLS setup and request checks are private.
//!
//! Both backends implement `send` as a plain `async fn` under `#[async_trait]` and hand the
//! URI to their HTTP stack as it is; `BENCHMARKS.md` in the repository shows this costs
//! nothing measurable against the stack's own floor.

// Nothing here may panic on a value from a server, a file or a caller: checked access and
// arithmetic instead (tests may unwrap).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod config;
mod error;
mod number;

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

pub use async_trait::async_trait;
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
pub use number::header_number;
/// The reqwest version `ReqwestTransport::from_client` expects, for building your own client.
#[cfg(feature = "reqwest")]
pub use reqwest;
#[cfg(feature = "reqwest")]
pub use reqwest_backend::ReqwestTransport;

use bytes::Bytes;

/// Sends one HTTP request and returns its response, buffered.
///
/// Implementations must be cheap to share (`Arc<dyn Transport>`) and must neither retry nor
/// follow redirects: the client decides what is safe to repeat. Every HTTP status, 4xx and 5xx
/// included, is a response, not an error.
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

    /// The time limit this transport itself enforces on every [`send`](Self::send), over the
    /// whole exchange (connecting, sending, the response head and the whole body), failing it
    /// with a [`TransportErrorKind::Timeout`] error that may have been sent; `None` (the
    /// default) when it enforces none, or not over the whole exchange.
    ///
    /// A caller that bounds each attempt itself may rely on this instead of starting a timer of
    /// its own when the limit is no longer than its own: the users client does so when it is
    /// built, so a transport that enforces its limit saves one timer per attempt. Return
    /// `Some` only for a limit that is always enforced, and never longer than stated; a
    /// wrapper around another transport should return `None` unless it bounds its own whole
    /// `send` (the wrapper's work included). The built-in backends return their
    /// [`TransportConfig::request_timeout`].
    fn request_timeout(&self) -> Option<std::time::Duration> {
        None
    }
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (**self).send(request).await
    }

    fn request_timeout(&self) -> Option<std::time::Duration> {
        (**self).request_timeout()
    }
}
