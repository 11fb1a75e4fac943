//! Requests arrive and responses come back byte for byte.

use users_transport::bytes::Bytes;
use users_transport::http::{self, HeaderName, HeaderValue, Method, StatusCode};

use crate::support::Peer;

/// A path with a percent-encoded `|`, and a query with encoded quotes, spaces and a `+`.
const PATH_AND_QUERY: &str = "/api/v2/users/auth0%7C123/roles?per_page=5&q=name%3A%22J%C3%BCrgen%20A%22&sort=created_at%3A-1&x=a+b";

fn raw(bytes: &'static [u8]) -> HeaderValue {
    HeaderValue::from_bytes(bytes).expect("a valid header value")
}

fn request(
    peer: &dyn Peer,
    method: Method,
    path_and_query: &str,
    body: Bytes,
) -> http::Request<Bytes> {
    let mut request = http::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = format!("{}{path_and_query}", peer.origin())
        .parse()
        .expect("a valid URI");
    request
}

/// Every header the caller set arrives with the same values in the same order, and the
/// transport added only headers it is allowed to add.
fn assert_headers_arrived(peer: &dyn Peer, sent: &http::HeaderMap, received: &http::HeaderMap) {
    for name in sent.keys() {
        let want: Vec<&HeaderValue> = sent.get_all(name).iter().collect();
        let got: Vec<&HeaderValue> = received.get_all(name).iter().collect();
        assert_eq!(got, want, "header `{name}`");
    }
    for name in received.keys() {
        assert!(
            sent.contains_key(name) || peer.added_headers().contains(&name.as_str()),
            "the transport added header `{name}`"
        );
    }
}

/// Transports that frame bodies themselves send `content-length` exactly when there is a body
/// (both backends omit it for empty bodies, whatever the method); doubles add nothing.
fn assert_content_length_if_any(peer: &dyn Peer, received: &http::Request<Bytes>) {
    let length = received.headers().get(http::header::CONTENT_LENGTH);
    if let Some(length) = length {
        assert_eq!(
            length.as_bytes(),
            received.body().len().to_string().as_bytes()
        );
    }
    if peer.added_headers().contains(&"content-length") {
        assert_eq!(
            length.is_some(),
            !received.body().is_empty(),
            "{}",
            received.method()
        );
    }
}

pub async fn request_arrives_byte_exact(peer: &dyn Peer) {
    let body = Bytes::from_static("{\"name\":\"Jürgen\",\"bin\":\"\u{0}\u{7f}\"}".as_bytes());
    let mut sent = request(peer, Method::POST, PATH_AND_QUERY, body.clone());
    let headers = sent.headers_mut();
    headers.insert("content-type", raw(b"application/json; charset=utf-8"));
    headers.insert("authorization", raw(b"Bearer a.b.c"));
    headers.append("x-repeated", raw(b"first"));
    headers.append("x-repeated", raw(b"second, with comma"));
    headers.insert("x-spaces", raw(b"a  b\tc"));
    let expected_headers = headers.clone();

    let (result, received) = peer
        .exchange(sent, &http::Response::new(Bytes::new()))
        .await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(received.method(), Method::POST);
    let path_and_query = received.uri().path_and_query().map(|p| p.as_str());
    assert_eq!(path_and_query, Some(PATH_AND_QUERY));
    assert_headers_arrived(peer, &expected_headers, received.headers());
    assert_content_length_if_any(peer, &received);
    assert_eq!(received.body(), &body);
}

pub async fn every_method_arrives(peer: &dyn Peer) {
    let with_body = [Method::POST, Method::PUT, Method::PATCH];
    let without_body = [Method::GET, Method::DELETE, Method::HEAD, Method::OPTIONS];
    for method in with_body.into_iter().chain(without_body.clone()) {
        let body = if without_body.contains(&method) {
            Bytes::new()
        } else {
            Bytes::from(format!("{{\"method\":\"{method}\"}}"))
        };
        let path = format!("/api/v2/users/auth0%7C{method}");
        let sent = request(peer, method.clone(), &path, body.clone());
        let (result, received) = peer
            .exchange(sent, &http::Response::new(Bytes::new()))
            .await;
        assert!(result.is_ok(), "{method}: {result:?}");
        assert_eq!(received.method(), method);
        assert_eq!(received.uri().path(), path);
        assert_eq!(received.uri().query(), None, "{method}");
        assert_content_length_if_any(peer, &received);
        assert_eq!(received.body(), &body, "{method}");
    }

    // A caller that wants `content-length: 0` on an empty POST (some servers insist) gets it.
    let mut sent = request(peer, Method::POST, "/api/v2/jobs", Bytes::new());
    sent.headers_mut()
        .insert(http::header::CONTENT_LENGTH, raw(b"0"));
    let (result, received) = peer
        .exchange(sent, &http::Response::new(Bytes::new()))
        .await;
    assert!(result.is_ok(), "{result:?}");
    let length = received.headers().get(http::header::CONTENT_LENGTH);
    assert_eq!(length.map(HeaderValue::as_bytes), Some(&b"0"[..]));
}

pub async fn response_comes_back_byte_exact(peer: &dyn Peer) {
    let body = Bytes::from_static(b"{\"ok\":true}\x00\xff\xfe binary tail\r\n");
    let mut canned = http::Response::new(body.clone());
    *canned.status_mut() = StatusCode::CREATED;
    let headers = canned.headers_mut();
    headers.insert("content-type", raw(b"application/json; charset=utf-8"));
    headers.insert("x-ratelimit-limit", raw(b"50"));
    headers.insert("x-ratelimit-remaining", raw(b"49"));
    headers.insert("x-ratelimit-reset", raw(b"1700000000"));
    headers.append("set-cookie", raw(b"a=1; Path=/"));
    headers.append("set-cookie", raw(b"b=2; Path=/"));
    headers.append("x-multi", raw(b"one"));
    headers.append("x-multi", raw(b"two"));
    headers.append("x-multi", raw(b"three"));

    let sent = request(peer, Method::GET, "/api/v2/users", Bytes::new());
    let (result, _) = peer.exchange(sent, &canned).await;
    let response = result.expect("a response");

    assert_eq!(response.status(), StatusCode::CREATED);
    for name in canned.headers().keys() {
        let want: Vec<&HeaderValue> = canned.headers().get_all(name).iter().collect();
        let got: Vec<&HeaderValue> = response.headers().get_all(name).iter().collect();
        assert_eq!(got, want, "header `{name}`");
    }
    let remaining = response
        .headers()
        .get(HeaderName::from_static("x-ratelimit-remaining"));
    assert_eq!(remaining.map(HeaderValue::as_bytes), Some(&b"49"[..]));
    assert_eq!(response.body(), &body);
}

pub async fn no_content_and_empty_bodies_survive(peer: &dyn Peer) {
    let mut canned = http::Response::new(Bytes::new());
    *canned.status_mut() = StatusCode::NO_CONTENT;
    let sent = request(
        peer,
        Method::DELETE,
        "/api/v2/users/auth0%7C123",
        Bytes::new(),
    );
    let (result, received) = peer.exchange(sent, &canned).await;
    let response = result.expect("a response");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.body().is_empty());
    assert!(received.body().is_empty());

    // 200 with an explicit empty body is not the same as 204 and must come back as sent.
    let sent = request(peer, Method::GET, "/api/v2/users", Bytes::new());
    let (result, _) = peer
        .exchange(sent, &http::Response::new(Bytes::new()))
        .await;
    let response = result.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.body().is_empty());
}

pub async fn non_utf8_header_values_survive(peer: &dyn Peer) {
    let latin1 = raw(b"J\xfcrgen caf\xe9");
    let high = raw(b"\x80\xff obs-text");
    let mut sent = request(peer, Method::GET, "/api/v2/users", Bytes::new());
    sent.headers_mut().insert("x-latin1", latin1.clone());
    sent.headers_mut().insert("x-high", high.clone());
    let mut canned = http::Response::new(Bytes::new());
    canned.headers_mut().insert("x-latin1", latin1.clone());
    canned.headers_mut().append("x-high", high.clone());

    let (result, received) = peer.exchange(sent, &canned).await;

    assert_eq!(received.headers().get("x-latin1"), Some(&latin1));
    assert_eq!(received.headers().get("x-high"), Some(&high));
    let response = result.expect("a response");
    assert_eq!(response.headers().get("x-latin1"), Some(&latin1));
    assert_eq!(response.headers().get("x-high"), Some(&high));
}

pub async fn error_statuses_are_responses_not_errors(peer: &dyn Peer) {
    for (status, body) in [
        (StatusCode::TOO_MANY_REQUESTS, &b"{\"statusCode\":429}"[..]),
        (StatusCode::NOT_FOUND, b"{\"statusCode\":404}"),
        (StatusCode::INTERNAL_SERVER_ERROR, b"oops"),
        (StatusCode::SERVICE_UNAVAILABLE, b""),
    ] {
        let mut canned = http::Response::new(Bytes::from_static(body));
        *canned.status_mut() = status;
        canned.headers_mut().insert("retry-after", raw(b"2"));
        let sent = request(peer, Method::GET, "/api/v2/users", Bytes::new());
        let (result, _) = peer.exchange(sent, &canned).await;
        let response = result.expect("an error status is still a response");
        assert_eq!(response.status(), status);
        assert_eq!(response.headers().get("retry-after"), Some(&raw(b"2")));
        assert_eq!(response.body().as_ref(), body);
    }
}

pub async fn redirects_are_returned_not_followed(peer: &dyn Peer) {
    for status in [StatusCode::FOUND, StatusCode::TEMPORARY_REDIRECT] {
        let mut canned = http::Response::new(Bytes::new());
        *canned.status_mut() = status;
        let location = format!("{}/api/v2/elsewhere", peer.origin());
        let location = HeaderValue::from_str(&location).expect("a valid header value");
        canned
            .headers_mut()
            .insert(http::header::LOCATION, location.clone());
        let sent = request(peer, Method::GET, "/api/v2/users", Bytes::new());
        // `exchange` also checks the far side saw exactly one request.
        let (result, received) = peer.exchange(sent, &canned).await;
        let response = result.expect("a redirect is a response");
        assert_eq!(response.status(), status);
        assert_eq!(
            response.headers().get(http::header::LOCATION),
            Some(&location)
        );
        assert_eq!(received.uri().path(), "/api/v2/users");
    }
}
