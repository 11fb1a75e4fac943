//! The response-body cap: over it fails early with `BodyTooLarge`, at it succeeds.

use users_transport::bytes::Bytes;
use users_transport::http;
use users_transport::{Transport, TransportConfig, TransportErrorKind};

use super::{CAP, Factory, config, get, send_err};
use crate::support::{RawServer, Script, TestServer};

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

pub async fn lengths_of_bodies_never_sent_do_not_count(factory: &Factory) {
    let transport = factory(config());
    let over = CAP + 1;
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {over}\r\nConnection: close\r\n\r\n");
    let server = RawServer::start(Script::SendThenClose(head.into_bytes())).await;
    let mut request = get(&server.url("/"));
    *request.method_mut() = http::Method::HEAD;
    let response = transport.send(request).await.expect("HEAD has no body");
    let length = response.headers().get(http::header::CONTENT_LENGTH);
    assert_eq!(
        length.map(|v| v.as_bytes().to_vec()),
        Some(over.to_string().into_bytes())
    );
    assert!(response.body().is_empty());

    let not_modified =
        format!("HTTP/1.1 304 Not Modified\r\nContent-Length: {over}\r\nConnection: close\r\n\r\n");
    let server = RawServer::start(Script::SendThenClose(not_modified.into_bytes())).await;
    let response = transport
        .send(get(&server.url("/")))
        .await
        .expect("304 has no body");
    assert_eq!(response.status(), http::StatusCode::NOT_MODIFIED);
    assert!(response.body().is_empty());
}

pub async fn multi_megabyte_bodies_round_trip_under_the_default_cap(factory: &Factory) {
    // Several MiB arrive in many frames: the collected body must be every frame, in order.
    let pattern = |seed: u32| -> Bytes {
        let mut state = seed;
        (0..3 * 1024 * 1024 + 7)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                state.to_be_bytes()[0]
            })
            .collect::<Vec<u8>>()
            .into()
    };
    let (upload, download) = (pattern(1), pattern(2));
    let server = TestServer::start().await;
    server.respond_with(&http::Response::new(download.clone()));
    let transport = factory(TransportConfig::default());
    let mut request = get(&server.url("/api/v2/jobs/users-imports"));
    *request.method_mut() = http::Method::POST;
    *request.body_mut() = upload.clone();
    let response = transport.send(request).await.expect("under 16 MiB");
    assert!(response.body() == &download, "the downloaded body differs");
    let received = server.requests().pop().expect("one request");
    assert!(received.body() == &upload, "the uploaded body differs");
}
