//! Test doubles shared by the integration tests: a closure transport that records every
//! request, response helpers and the node-auth0 fixture loader.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde_json::Value;
use users_client::transport::{Transport, TransportError, TransportErrorKind};
use users_client::{Client, ClientBuilder, RetryPolicy};

/// One request as the transport saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: tokio::time::Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
    pub fn path(&self) -> String {
        self.uri
            .parse::<http::Uri>()
            .expect("valid uri")
            .path()
            .to_owned()
    }
    pub fn is_token_request(&self) -> bool {
        self.uri.ends_with("/oauth/token")
    }
}

/// What the closure answers.
pub enum Reply {
    Response(http::Response<Bytes>),
    Error(TransportErrorKind),
    /// Never answers (for timeouts).
    Hang,
    /// Answers after a (virtual) delay.
    Delayed(Duration, Box<Reply>),
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A transport answering from a closure `(request, index of this request) -> Reply`.
pub struct FnTransport {
    handler: Box<Handler>,
    log: Mutex<Vec<Seen>>,
}

impl FnTransport {
    pub fn new(f: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Self {
            handler: Box::new(f),
            log: Mutex::new(Vec::new()),
        })
    }

    /// Answers with `replies` in order (the last one repeats).
    pub fn sequence(replies: Vec<fn() -> Reply>) -> Arc<Self> {
        Self::new(move |_, i| replies[i.min(replies.len() - 1)]())
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    pub fn api_requests(&self) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|s| !s.is_token_request())
            .collect()
    }

    pub fn token_requests(&self) -> usize {
        self.requests()
            .iter()
            .filter(|s| s.is_token_request())
            .count()
    }

    pub fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

#[async_trait::async_trait]
impl Transport for FnTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let (parts, body) = request.into_parts();
        let seen = Seen {
            method: parts.method,
            uri: parts.uri.to_string(),
            headers: parts.headers,
            body,
            at: tokio::time::Instant::now(),
        };
        let index = {
            let mut log = self.log.lock().unwrap();
            log.push(seen.clone());
            log.len() - 1
        };
        let mut reply = (self.handler)(&seen, index);
        loop {
            match reply {
                Reply::Response(r) => return Ok(r),
                Reply::Error(kind) => return Err(TransportError::new(kind)),
                Reply::Hang => std::future::pending::<()>().await,
                Reply::Delayed(d, inner) => {
                    tokio::time::sleep(d).await;
                    reply = *inner;
                }
            }
        }
    }
}

pub fn response(status: u16, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Reply {
    let mut b = http::Response::builder().status(StatusCode::from_u16(status).unwrap());
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    Reply::Response(b.body(body.into()).unwrap())
}

pub fn json(status: u16, value: Value) -> Reply {
    response(
        status,
        &[("content-type", "application/json")],
        value.to_string(),
    )
}

pub fn json_h(status: u16, headers: &[(&str, &str)], value: Value) -> Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    response(status, &all, value.to_string())
}

pub fn empty(status: u16) -> Reply {
    response(status, &[], Bytes::new())
}

/// A token-endpoint answer issuing `token` for `expires_in` seconds.
pub fn token_reply(token: &str, expires_in: u64) -> Reply {
    json(
        200,
        serde_json::json!({"access_token": token, "expires_in": expires_in, "token_type": "Bearer"}),
    )
}

/// A builder for `https://tenant.auth0.com` with token `TOKEN`, telemetry off.
pub fn builder(transport: Arc<FnTransport>) -> ClientBuilder {
    Client::builder()
        .domain("tenant.auth0.com")
        .transport(transport)
        .telemetry(false)
}

pub fn client(transport: Arc<FnTransport>) -> Client {
    builder(transport).token("TOKEN").build().unwrap()
}

pub fn client_no_retry(transport: Arc<FnTransport>) -> Client {
    builder(transport)
        .token("TOKEN")
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

/// The node-auth0 fixtures directory, inside the repository.
pub fn fixtures_dir() -> PathBuf {
    users_fixtures::node_auth0_dir()
}

pub fn fixture(rel: &str) -> Value {
    let path = fixtures_dir().join(rel);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Turns a fixture's `response_given` (status, headers, body) into a reply. A JSON string body
/// is raw text, `null` an empty body; "hang" and "neterr" are the transport failures.
pub fn reply_from_fixture(given: &Value) -> Reply {
    match given {
        Value::String(s) if s == "hang" => return Reply::Hang,
        Value::String(s) if s == "neterr" => return Reply::Error(TransportErrorKind::Io),
        _ => {}
    }
    let status = given["status"].as_u64().unwrap() as u16;
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(map) = given.get("headers").and_then(Value::as_object) {
        for (k, v) in map {
            headers.push((k.clone(), v.as_str().unwrap().to_owned()));
        }
    }
    let body = match given.get("body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(s)) => Bytes::from(s.clone()),
        Some(v) => Bytes::from(v.to_string()),
    };
    let h: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    response(status, &h, body)
}

/// A transport replaying a fixture's exchanges in order.
pub fn replay(exchanges: &[Value]) -> Arc<FnTransport> {
    let givens: Vec<Value> = exchanges
        .iter()
        .map(|e| e["response_given"].clone())
        .collect();
    FnTransport::new(move |_, i| {
        reply_from_fixture(
            givens
                .get(i)
                .unwrap_or_else(|| panic!("unexpected extra request #{i}")),
        )
    })
}
