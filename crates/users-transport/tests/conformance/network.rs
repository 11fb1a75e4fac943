//! Failure modes, the body cap and pooling, against real sockets on 127.0.0.1.

use std::sync::Arc;
use std::time::{Duration, Instant};

use users_transport::bytes::Bytes;
use users_transport::http::{self, Method};
use users_transport::{Transport, TransportConfig, TransportError, TransportErrorKind};

use crate::support::{FullBacklog, RawServer, Script, TestServer, refused_port, tls};

/// Builds the transport under test from a config.
pub type Factory = dyn Fn(TransportConfig) -> Arc<dyn Transport>;

const CAP: usize = 1024;
/// The per-request timeout for the timeout checks, and how late the error may come.
const SHORT_TIMEOUT: Duration = Duration::from_millis(300);
const GENEROUS_MARGIN: Duration = Duration::from_secs(3);

fn config() -> TransportConfig {
    TransportConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .request_timeout(Duration::from_secs(10))
        .max_body_bytes(CAP)
        .build()
}

fn get(uri: &str) -> http::Request<Bytes> {
    let mut request = http::Request::new(Bytes::new());
    *request.uri_mut() = uri.parse().expect("a valid URI");
    request
}

async fn send_err(transport: &dyn Transport, uri: &str) -> TransportError {
    match transport.send(get(uri)).await {
        Ok(response) => panic!("expected an error, got status {}", response.status()),
        Err(error) => error,
    }
}

async fn assert_times_out(factory: &Factory, script: Script) {
    let server = RawServer::start(script).await;
    let transport = factory(
        TransportConfig::builder()
            .request_timeout(SHORT_TIMEOUT)
            .build(),
    );
    let started = Instant::now();
    let error = send_err(&*transport, &server.url("/api/v2/users")).await;
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error:?}");
    assert!(error.is_timeout() && error.may_have_been_sent());
    assert!(elapsed >= SHORT_TIMEOUT, "gave up early: {elapsed:?}");
    assert!(elapsed < GENEROUS_MARGIN, "took {elapsed:?}");
}

pub async fn never_answering_server_times_out(factory: &Factory) {
    assert_times_out(factory, Script::NeverAnswer).await;
    // The timeout covers the body too: a head followed by a stalled body also times out.
    let stalled = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\"".to_vec();
    assert_times_out(factory, Script::SendThenHang(stalled)).await;
}

pub async fn refused_port_is_a_connect_error_never_sent(factory: &Factory) {
    let transport = factory(config());
    let uri = format!("http://127.0.0.1:{}/api/v2/users", refused_port());
    let error = send_err(&*transport, &uri).await;
    assert_eq!(error.kind(), TransportErrorKind::Connect, "{error:?}");
    assert!(error.is_connect());
    assert!(!error.may_have_been_sent());
}

pub async fn connect_timeout_is_a_timeout_never_sent(factory: &Factory) {
    // Built inside the runtime: the listener is a Tokio socket.
    let backlog = FullBacklog::start().expect("a full accept queue makes connects hang");
    let transport = factory(
        TransportConfig::builder()
            .connect_timeout(SHORT_TIMEOUT)
            .request_timeout(Duration::from_secs(20))
            .build(),
    );
    let started = Instant::now();
    let error = send_err(&*transport, &backlog.url("/api/v2/users")).await;
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error:?}");
    assert!(!error.may_have_been_sent(), "{error:?}");
    assert!(elapsed >= SHORT_TIMEOUT, "gave up early: {elapsed:?}");
    assert!(elapsed < GENEROUS_MARGIN, "took {elapsed:?}");
}

async fn assert_io_maybe_sent(factory: &Factory, bytes: &[u8]) {
    let server = RawServer::start(Script::SendThenClose(bytes.to_vec())).await;
    let transport = factory(config());
    let error = send_err(&*transport, &server.url("/api/v2/users")).await;
    assert_eq!(error.kind(), TransportErrorKind::Io, "{error:?}");
    assert!(error.may_have_been_sent());
}

pub async fn close_mid_headers_is_io_maybe_sent(factory: &Factory) {
    assert_io_maybe_sent(factory, b"HTTP/1.1 200 OK\r\nContent-Type: appl").await;
    assert_io_maybe_sent(factory, b"").await;
}

pub async fn close_mid_body_is_io_maybe_sent(factory: &Factory) {
    assert_io_maybe_sent(
        factory,
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"par",
    )
    .await;
    let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"partial\"";
    assert_io_maybe_sent(factory, chunked).await;
}

pub async fn declared_length_over_cap_is_body_too_large(factory: &Factory) {
    let server = TestServer::start().await;
    server.respond_with(&http::Response::new(Bytes::from(vec![b'x'; CAP + 1])));
    let transport = factory(config());
    let error = send_err(&*transport, &server.url("/")).await;
    assert_eq!(error.kind(), TransportErrorKind::BodyTooLarge, "{error:?}");
    assert!(error.may_have_been_sent());

    // A huge declared length fails on the head alone: nothing else is ever sent here, so
    // waiting for the body would end in a timeout instead.
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n".to_vec();
    let hanging = RawServer::start(Script::SendThenHang(head)).await;
    let error = send_err(&*transport, &hanging.url("/")).await;
    assert_eq!(error.kind(), TransportErrorKind::BodyTooLarge, "{error:?}");
}

pub async fn chunked_body_over_cap_stops_early(factory: &Factory) {
    // Two 1000-byte chunks and no final chunk: only a transport that stops at the cap returns
    // before the 10 s request timeout.
    let mut bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..2 {
        bytes.extend_from_slice(b"3e8\r\n");
        bytes.extend_from_slice(&[b'y'; 1000]);
        bytes.extend_from_slice(b"\r\n");
    }
    let server = RawServer::start(Script::SendThenHang(bytes)).await;
    let transport = factory(config());
    let error = send_err(&*transport, &server.url("/")).await;
    assert_eq!(error.kind(), TransportErrorKind::BodyTooLarge, "{error:?}");
}

pub async fn body_at_cap_is_accepted(factory: &Factory) {
    let transport = factory(config());
    let server = TestServer::start().await;
    let body = Bytes::from(vec![b'z'; CAP]);
    server.respond_with(&http::Response::new(body.clone()));
    let response = transport
        .send(get(&server.url("/")))
        .await
        .expect("at the cap");
    assert_eq!(response.body(), &body);

    let mut chunked =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..4 {
        chunked.extend_from_slice(b"100\r\n");
        chunked.extend_from_slice(&[b'z'; 256]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let raw = RawServer::start(Script::SendThenClose(chunked)).await;
    let response = transport
        .send(get(&raw.url("/")))
        .await
        .expect("at the cap");
    assert_eq!(response.body(), &body);
}

pub async fn malformed_responses_are_errors(factory: &Factory) {
    let transport = factory(config());
    let malformed: [&[u8]; 7] = [
        b"this is not http\r\n\r\n",
        b"HTTP/1.1 abc OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\nbody",
        b"HTTP/1.1 200 OK\r\nno colon in this header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
        b"\x00\xff\xfe\x01 binary garbage\r\n\r\n",
    ];
    for bytes in malformed {
        let server = RawServer::start(Script::SendThenClose(bytes.to_vec())).await;
        let shown = bytes.escape_ascii();
        match transport.send(get(&server.url("/"))).await {
            Ok(response) => panic!("accepted {shown} as {}", response.status()),
            Err(error) => {
                assert_eq!(error.kind(), TransportErrorKind::Io, "{shown}: {error:?}");
                assert!(error.may_have_been_sent(), "{shown}");
            }
        }
    }
}

pub async fn tls_handshake_failure_is_tls_never_sent(factory: &Factory) {
    let reply = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec();
    let server = RawServer::start(Script::SendThenClose(reply)).await;
    let transport = factory(config());
    let error = send_err(&*transport, &server.https_url("/")).await;
    assert_eq!(error.kind(), TransportErrorKind::Tls, "{error:?}");
    assert!(!error.may_have_been_sent());
}

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

pub async fn invalid_requests_never_leave(factory: &Factory) {
    let server = TestServer::start().await;
    let transport = factory(config());
    let origin = server.url("");
    let mut connect = get(&server.url("/"));
    *connect.method_mut() = Method::CONNECT;
    let mut h2 = get(&server.url("/"));
    *h2.version_mut() = http::Version::HTTP_2;
    let requests = [
        get("/api/v2/users"),
        get(&origin.replacen("http", "ftp", 1)),
        connect,
        h2,
    ];
    for request in requests {
        let shown = format!(
            "{} {} {:?}",
            request.method(),
            request.uri(),
            request.version()
        );
        let error = transport.send(request).await.expect_err(&shown);
        assert_eq!(error.kind(), TransportErrorKind::InvalidRequest, "{shown}");
        assert!(!error.may_have_been_sent(), "{shown}");
    }
    assert_eq!(server.connections(), 0);
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
    // hyper-util hands a connection back to its pool from a background task once the body has
    // been read, so the very next request can race it and open a second connection; after that
    // the idle ones are reused. "Fewer connections than requests" is what reuse guarantees.
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

pub async fn errors_never_echo_the_request(factory: &Factory) {
    const SECRET: &str = "s3cr3t-value";
    let transport = factory(
        TransportConfig::builder()
            .request_timeout(SHORT_TIMEOUT)
            .max_body_bytes(CAP)
            .build(),
    );
    let hanging = RawServer::start(Script::NeverAnswer).await;
    let garbage = RawServer::start(Script::SendThenClose(b"garbage\r\n\r\n".to_vec())).await;
    let refused = format!("http://127.0.0.1:{}", refused_port());
    let hanging_origin = hanging.url("");
    let garbage_origin = garbage.url("");
    for origin in [refused.as_str(), &hanging_origin, &garbage_origin] {
        let mut request = get(&format!("{origin}/api/v2/users/{SECRET}?q={SECRET}"));
        *request.method_mut() = Method::POST;
        *request.body_mut() = Bytes::from(format!("{{\"password\":\"{SECRET}\"}}"));
        let value = format!("Bearer {SECRET}");
        let value = http::HeaderValue::from_str(&value).expect("a valid header value");
        request
            .headers_mut()
            .insert(http::header::AUTHORIZATION, value);
        let error = transport.send(request).await.expect_err("fails");
        let mut shown = format!("{error} {error:?}");
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            shown.push_str(&format!(" {cause} {cause:?}"));
            source = cause.source();
        }
        assert!(!shown.contains(SECRET), "{origin}: {shown}");
    }
}
