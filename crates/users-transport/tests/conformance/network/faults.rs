//! Timeouts, refused and broken connections, malformed responses, TLS failures and invalid
//! requests: the error kind and `may_have_been_sent` each must give.

use std::time::{Duration, Instant};

use users_transport::bytes::Bytes;
use users_transport::http::{self, Method};
use users_transport::{TransportConfig, TransportErrorKind};

use super::{CAP, Factory, GENEROUS_MARGIN, SHORT_TIMEOUT, config, get, send_err};
use crate::support::{FullBacklog, RawServer, Script, TestServer, refused_port};

async fn assert_times_out(factory: &Factory, script: Script) {
    let server = RawServer::start(script).await;
    let transport = factory(
        TransportConfig::builder()
            .request_timeout(SHORT_TIMEOUT)
            .build(),
    );
    // The limit it reports (which lets the client skip a timer of its own) is the one enforced.
    assert_eq!(transport.request_timeout(), Some(SHORT_TIMEOUT));
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

pub async fn invalid_requests_never_leave(factory: &Factory) {
    let server = TestServer::start().await;
    let transport = factory(config());
    let origin = server.url("");
    let mut connect = get(&server.url("/"));
    *connect.method_mut() = Method::CONNECT;
    let mut h2 = get(&server.url("/"));
    *h2.version_mut() = http::Version::HTTP_2;
    let with_credentials = origin.replacen("http://", "http://user:pw@", 1);
    let requests = [
        get("/api/v2/users"),
        get(&format!("{with_credentials}/api/v2/users")),
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
