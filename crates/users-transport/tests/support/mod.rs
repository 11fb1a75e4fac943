//! Servers on 127.0.0.1:0 for the conformance suite: a hyper server that records what arrives and
//! answers with a canned response, and a raw TCP server for faults hyper would never produce.

// Each test binary uses a different part of this module.
#![allow(dead_code, unused_imports)]

mod backlog;
mod peer;
mod raw;
mod server;
pub mod tls;

pub use backlog::FullBacklog;
pub use peer::{NetworkPeer, Peer};
pub use raw::{RawServer, Script};
pub use server::TestServer;

use users_transport::bytes::Bytes;
use users_transport::http;

/// A port nothing listens on: bound once to reserve a free number, then released.
pub fn refused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    port
}

/// A copy of a request (extensions left out).
pub fn clone_request(request: &http::Request<Bytes>) -> http::Request<Bytes> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// A copy of a response (extensions left out).
pub fn clone_response(response: &http::Response<Bytes>) -> http::Response<Bytes> {
    let mut copy = http::Response::new(response.body().clone());
    *copy.status_mut() = response.status();
    *copy.headers_mut() = response.headers().clone();
    copy
}
