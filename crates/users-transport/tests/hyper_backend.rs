//! The conformance suite against `HyperTransport`.
#![cfg(feature = "hyper")]

mod support;
#[macro_use]
mod conformance;

use std::sync::Arc;

use users_transport::{HyperTransport, Transport, TransportConfig};

use support::NetworkPeer;

/// hyper adds only what HTTP/1.1 framing needs.
const ADDED: &[&str] = &["host", "content-length"];

fn hyper(config: TransportConfig) -> Arc<dyn Transport> {
    Arc::new(HyperTransport::new(&config).expect("the default TLS setup builds"))
}

async fn peer() -> NetworkPeer {
    NetworkPeer::start(hyper(TransportConfig::default()), ADDED).await
}

byte_exact_suite!(peer());
network_suite!(hyper);

#[test]
fn builds_outside_a_runtime() {
    let transport = HyperTransport::new(&TransportConfig::default());
    assert!(transport.is_ok(), "{transport:?}");
}
