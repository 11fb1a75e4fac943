//! The conformance suite against `ReqwestTransport`.
#![cfg(feature = "reqwest")]

mod support;
#[macro_use]
mod conformance;

use std::sync::Arc;

use users_transport::bytes::Bytes;
use users_transport::{ReqwestTransport, Transport, TransportConfig, TransportErrorKind, http};

use support::{NetworkPeer, TestServer};

/// reqwest adds `accept: */*` when the caller set none; hyper adds nothing but these two.
const ADDED: &[&str] = &["host", "content-length", "accept"];

fn reqwest(config: TransportConfig) -> Arc<dyn Transport> {
    Arc::new(ReqwestTransport::new(&config).expect("the default TLS setup builds"))
}

async fn peer() -> NetworkPeer {
    NetworkPeer::start(reqwest(TransportConfig::default()), ADDED).await
}

byte_exact_suite!(peer());
network_suite!(reqwest);

#[tokio::test]
async fn a_callers_client_gets_the_body_cap_and_timeout_too() {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the defaults")
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .no_proxy()
        .build()
        .expect("a client");
    let config = TransportConfig::builder().max_body_bytes(4).build();
    let transport = ReqwestTransport::from_client(client, &config);

    let server = TestServer::start().await;
    server.respond_with(&http::Response::new(Bytes::from_static(b"four")));
    let request = http::Request::get(server.url("/"))
        .body(Bytes::new())
        .expect("valid");
    let response = transport.send(request).await.expect("at the cap");
    assert_eq!(response.body().as_ref(), b"four");

    server.respond_with(&http::Response::new(Bytes::from_static(b"five!")));
    let request = http::Request::get(server.url("/"))
        .body(Bytes::new())
        .expect("valid");
    let error = transport.send(request).await.expect_err("over the cap");
    assert_eq!(error.kind(), TransportErrorKind::BodyTooLarge);
}

#[test]
fn builds_outside_a_runtime() {
    let transport = ReqwestTransport::new(&TransportConfig::default());
    assert!(transport.is_ok(), "{transport:?}");
}
