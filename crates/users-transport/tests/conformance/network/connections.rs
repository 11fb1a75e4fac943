//! Pooling, keep-alive, HTTPS, and headers as real servers spell them.

use std::sync::Arc;
use std::time::Duration;

use users_transport::http;
use users_transport::{TransportConfig, TransportErrorKind};

use super::{Factory, config, get, send_err};
use crate::support::{RawServer, Script, TestServer, tls};

pub async fn https_works_with_a_trusted_root_and_fails_without(factory: &Factory) {
    let server = TestServer::start_tls().await;
    let trusting = factory(
        TransportConfig::builder()
            .add_root_certificate(tls::ca_der())
            .build(),
    );
    for i in 0..3 {
        let response = trusting
            .send(get(&server.https_url(&format!("/echo/{i}"))))
            .await;
        assert_eq!(
            response.expect("a response").body().as_ref(),
            i.to_string().as_bytes()
        );
    }
    assert!(server.connections() < 3, "keep-alive over TLS");

    // With webpki roots only, the test CA is unknown: the handshake fails before any request.
    let default = factory(TransportConfig::default());
    let before = server.requests().len();
    let error = send_err(&*default, &server.https_url("/echo/x")).await;
    assert_eq!(error.kind(), TransportErrorKind::Tls, "{error:?}");
    assert!(!error.may_have_been_sent());
    assert_eq!(server.requests().len(), before);
}

pub async fn concurrent_requests_use_bounded_pooled_connections(factory: &Factory) {
    const CONCURRENT: usize = 64;
    let server = TestServer::start().await;
    // Answers overlap, so the pool has to open more than one connection but never more than
    // one per in-flight request.
    server.delay_answers(Duration::from_millis(20));
    let transport = factory(config());
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CONCURRENT {
        let transport = Arc::clone(&transport);
        let uri = server.url(&format!("/echo/{i}"));
        tasks.spawn(async move { (i, transport.send(get(&uri)).await) });
    }
    let mut answered = 0;
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.expect("the task finished");
        let response = result.expect("a response");
        assert_eq!(response.body().as_ref(), i.to_string().as_bytes());
        answered += 1;
    }
    assert_eq!(answered, CONCURRENT);
    assert_eq!(server.requests().len(), CONCURRENT);
    let connections = server.connections();
    eprintln!("{CONCURRENT} concurrent requests used {connections} connections");
    assert!((1..=CONCURRENT).contains(&connections), "{connections}");

    // The pool is kept: more requests reuse idle connections instead of opening new ones (at
    // most one, for the hand-back race described in `sequential_requests_reuse_a_connection`).
    for i in 0..8 {
        let response = transport
            .send(get(&server.url(&format!("/echo/{i}"))))
            .await;
        assert_eq!(
            response.expect("a response").body().as_ref(),
            i.to_string().as_bytes()
        );
    }
    let after = server.connections();
    assert!(
        after <= connections + 1,
        "{after} connections after reuse, {connections} before"
    );
}

pub async fn sequential_requests_reuse_a_connection(factory: &Factory) {
    const SEQUENTIAL: usize = 8;
    let server = TestServer::start().await;
    let transport = factory(config());
    for i in 0..SEQUENTIAL {
        let response = transport
            .send(get(&server.url(&format!("/echo/{i}"))))
            .await;
        assert_eq!(
            response.expect("a response").body().as_ref(),
            i.to_string().as_bytes()
        );
    }
    let connections = server.connections();
    eprintln!("{SEQUENTIAL} sequential requests used {connections} connections");
    // hyper-util (under both backends) hands a connection back to its pool from a background
    // task once the body has been read, so the very next request can race it and open a second
    // connection; after that the idle ones are reused. "Fewer connections than requests" is
    // what reuse guarantees.
    assert!(
        (1..SEQUENTIAL).contains(&connections),
        "no keep-alive reuse: {connections} connections"
    );

    // With no idle connections kept, every request needs its own connection: the setting is
    // honoured and the count above really measures reuse.
    let server = TestServer::start().await;
    let transport = factory(TransportConfig::builder().pool_max_idle_per_host(0).build());
    for i in 0..SEQUENTIAL {
        let response = transport
            .send(get(&server.url(&format!("/echo/{i}"))))
            .await;
        assert!(response.is_ok(), "{response:?}");
    }
    assert_eq!(server.connections(), SEQUENTIAL);
}

pub async fn mixed_case_rate_limit_headers_read_lower_case(factory: &Factory) {
    let bytes = b"HTTP/1.1 429 Too Many Requests\r\nX-RateLimit-Limit: 50\r\nX-RATELIMIT-REMAINING: 0\r\nx-ratelimit-reset: 1700000000\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    let server = RawServer::start(Script::SendThenClose(bytes.to_vec())).await;
    let transport = factory(config());
    let response = transport
        .send(get(&server.url("/")))
        .await
        .expect("a response");
    assert_eq!(response.status(), http::StatusCode::TOO_MANY_REQUESTS);
    let header = |name: &str| response.headers().get(name).map(|v| v.as_bytes().to_vec());
    assert_eq!(header("x-ratelimit-limit"), Some(b"50".to_vec()));
    assert_eq!(header("x-ratelimit-remaining"), Some(b"0".to_vec()));
    assert_eq!(header("x-ratelimit-reset"), Some(b"1700000000".to_vec()));
    assert_eq!(response.body().as_ref(), b"{}");
}
