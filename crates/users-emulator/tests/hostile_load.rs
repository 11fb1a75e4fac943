//! The served emulator under hostile load: idle and slow connections, a full connection table
//! and the costliest accepted search never lock other clients out; a search over the cost
//! bound is refused with the spec's 503.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{Api, BACKENDS, Backend, assert_error, enc, uid};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use users_emulator::{Emulator, EmulatorConfig, ServeLimits};

const QUERY_TIMEOUT: &str = "The query exceeded the timeout. Please try refining your search \
                             criteria. See https://auth0.com/docs/best-practices/search-best-practices.";

/// The longest and widest query the emulator evaluates: [`TERMS`] infix-wildcard terms.
const TERMS: usize = 256;

fn costly_query(terms: usize) -> String {
    (0..terms)
        .map(|i| format!("name:*q{:02}*", i % 100))
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn addr(api: &Api) -> SocketAddr {
    api.server.as_ref().expect("served").local_addr()
}

/// Reads until the peer closes (or fails); `Ok(bytes)` when it closed within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Result<Vec<u8>, ()> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return Err(()),
            Ok(Ok(0) | Err(_)) => return Ok(seen),
            Ok(Ok(n)) => seen.extend_from_slice(buf.get(..n).unwrap_or_default()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_and_a_costly_search_do_not_delay_a_get() {
    for &backend in &[Backend::Reqwest, Backend::Hyper] {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        let mut id = String::new();
        for i in 0..30 {
            id = uid(&api
                .create_user(&token, &format!("load{i}@example.com"), json!({}))
                .await);
        }
        let q = costly_query(TERMS);
        assert!(
            q.chars().count() <= 4096,
            "the query is within the size bound"
        );
        let search = format!("/api/v2/users?q={}", enc(&q));
        let reply = api.call("GET", &search, Some(&token), None).await;
        assert_eq!(
            reply.status, 200,
            "the bounded query is accepted: {}",
            reply.body
        );

        // 300 connections that never finish a request: half silent, half mid-head.
        let mut idle = Vec::new();
        for i in 0..300 {
            let mut stream = TcpStream::connect(addr(&api)).await.expect("connect");
            if i % 2 == 1 {
                stream
                    .write_all(b"GET /api/v2/users HTTP/1.1\r\nhost: x\r\n")
                    .await
                    .expect("partial head");
            }
            idle.push(stream);
        }
        let searching = {
            let transport = api.transport.clone();
            let url = format!("{}{search}", api.base);
            let token = token.clone();
            tokio::spawn(async move {
                for _ in 0..5 {
                    let request = http::Request::get(&url)
                        .header("authorization", format!("Bearer {token}"))
                        .body(bytes::Bytes::new())
                        .expect("request");
                    let response = transport.send(request).await.expect("search answered");
                    assert_eq!(response.status(), 200);
                }
            })
        };
        let started = Instant::now();
        let got = api
            .call(
                "GET",
                &format!("/api/v2/users/{}", enc(&id)),
                Some(&token),
                None,
            )
            .await;
        let took = started.elapsed();
        assert_eq!(got.status, 200, "{}", got.body);
        assert!(
            took < Duration::from_secs(1),
            "{backend:?}: GET took {took:?}"
        );
        searching.await.expect("searches done");
        drop(idle);
    }
}

#[tokio::test]
async fn a_full_connection_table_waits_for_a_slot_and_idle_clients_free_theirs() {
    let limits = ServeLimits::new(Duration::from_secs(60), Duration::from_secs(60), 1);
    let api = Api::attach_with_limits(
        Backend::Reqwest,
        Emulator::new(EmulatorConfig::default()),
        limits,
    )
    .await;
    let idle = TcpStream::connect(addr(&api)).await.expect("connect");
    let mut waiting = TcpStream::connect(addr(&api)).await.expect("connect");
    waiting
        .write_all(b"GET /.well-known/jwks.json HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .expect("request");
    // The only slot is held: the request is not served while the idle connection lasts.
    assert!(
        closed_within(&mut waiting, Duration::from_millis(300))
            .await
            .is_err()
    );
    drop(idle);
    let answer = closed_within(&mut waiting, Duration::from_secs(10))
        .await
        .expect("served once the slot is free");
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn silent_and_trickling_clients_are_disconnected_after_the_header_timeout() {
    let limits = ServeLimits::new(Duration::from_secs(1), Duration::from_secs(60), 8);
    let api = Api::attach_with_limits(
        Backend::Hyper,
        Emulator::new(EmulatorConfig::default()),
        limits,
    )
    .await;
    let mut silent = TcpStream::connect(addr(&api)).await.expect("connect");
    let mut trickling = TcpStream::connect(addr(&api)).await.expect("connect");
    trickling
        .write_all(b"GET /.well-known/jwks.json HTTP/1.1\r\n")
        .await
        .expect("partial head");
    for stream in [&mut silent, &mut trickling] {
        let seen = closed_within(stream, Duration::from_secs(10))
            .await
            .expect("closed by the server");
        assert!(!seen.starts_with(b"HTTP/1.1 200"));
    }
    // A keep-alive connection idle after its answer is closed the same way.
    let mut kept = TcpStream::connect(addr(&api)).await.expect("connect");
    kept.write_all(b"GET /.well-known/jwks.json HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .expect("request");
    let seen = closed_within(&mut kept, Duration::from_secs(10))
        .await
        .expect("idle keep-alive closed");
    assert!(seen.starts_with(b"HTTP/1.1 200"), "answered first");
}

#[tokio::test]
async fn a_stalled_body_is_answered_408_and_closed() {
    let limits = ServeLimits::new(Duration::from_secs(60), Duration::from_secs(1), 8);
    let api = Api::attach_with_limits(
        Backend::Reqwest,
        Emulator::new(EmulatorConfig::default()),
        limits,
    )
    .await;
    let mut stream = TcpStream::connect(addr(&api)).await.expect("connect");
    stream
        .write_all(
            b"POST /oauth/token HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
              content-length: 100\r\n\r\n{\"grant_type\"",
        )
        .await
        .expect("partial body");
    let seen = closed_within(&mut stream, Duration::from_secs(10))
        .await
        .expect("answered and closed");
    let text = String::from_utf8_lossy(&seen);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        text.contains("Request body not received within the allowed time."),
        "{text}"
    );
}

#[tokio::test]
async fn a_search_over_the_cost_bound_is_refused_with_503() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        let search = |q: &str| format!("/api/v2/users?q={}", enc(q));
        let widest = api
            .call("GET", &search(&costly_query(TERMS)), Some(&token), None)
            .await;
        assert_eq!(widest.status, 200, "{}", widest.body);
        let too_wide = api
            .call("GET", &search(&costly_query(TERMS + 1)), Some(&token), None)
            .await;
        assert_error(&too_wide, 503, QUERY_TIMEOUT, None);
        // Over the size bound: refused before it is parsed.
        let too_long = format!("name:{}", "a".repeat(4096));
        let reply = api
            .call("GET", &search(&too_long), Some(&token), None)
            .await;
        assert_error(&reply, 503, QUERY_TIMEOUT, None);
        let just_fits = format!("name:{}", "a".repeat(4096 - 5));
        let reply = api
            .call("GET", &search(&just_fits), Some(&token), None)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
}
