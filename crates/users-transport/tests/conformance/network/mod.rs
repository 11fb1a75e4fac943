//! Checks against real sockets on 127.0.0.1, for the real backends only.

mod body_cap;
mod connections;
mod faults;

pub use body_cap::*;
pub use connections::*;
pub use faults::*;

use std::sync::Arc;
use std::time::Duration;

use users_transport::bytes::Bytes;
use users_transport::http;
use users_transport::{Transport, TransportConfig, TransportError};

/// Builds the transport under test from a config.
pub type Factory = dyn Fn(TransportConfig) -> Arc<dyn Transport>;

pub(crate) const CAP: usize = 1024;
/// The per-request timeout for the timeout checks, and how late the error may come.
pub(crate) const SHORT_TIMEOUT: Duration = Duration::from_millis(300);
pub(crate) const GENEROUS_MARGIN: Duration = Duration::from_secs(3);

pub(crate) fn config() -> TransportConfig {
    TransportConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .request_timeout(Duration::from_secs(10))
        .max_body_bytes(CAP)
        .build()
}

pub(crate) fn get(uri: &str) -> http::Request<Bytes> {
    let mut request = http::Request::new(Bytes::new());
    *request.uri_mut() = uri.parse().expect("a valid URI");
    request
}

pub(crate) async fn send_err(transport: &dyn Transport, uri: &str) -> TransportError {
    match transport.send(get(uri)).await {
        Ok(response) => panic!("expected an error, got status {}", response.status()),
        Err(error) => error,
    }
}
