//! A scripted test server: answers from a closure after a (Tokio-clock) latency, counts what it
//! saw, and runs in-process as a `Transport` or on 127.0.0.1:0 over HTTP/1.1 for the real
//! backends. Its wall clock is Tokio's clock anchored at the system clock, like the client's, so
//! `x-ratelimit-reset` values agree under `tokio::time::pause`.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tokio::time::Instant;
use users_client::transport::{Transport, TransportError, TransportErrorKind};

/// What the server does with one request.
pub enum Step {
    /// Answer this after the delay.
    Answer(Duration, Response<Bytes>),
    /// Never answer.
    Hang,
}

type Script = dyn Fn(&Request<Bytes>, &Server) -> Step + Send + Sync;

/// The server's clock and counters, passed to the script.
pub struct Server {
    start: Instant,
    epoch_ms_at_start: i64,
    /// Requests received, by path.
    pub seen: Mutex<BTreeMap<String, usize>>,
    /// Answers sent, by status.
    pub statuses: Mutex<BTreeMap<u16, usize>>,
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
}

impl Server {
    /// Time since the server started.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// The server's wall clock in epoch milliseconds.
    pub fn now_epoch_ms(&self) -> i64 {
        self.epoch_ms_at_start + self.start.elapsed().as_millis() as i64
    }

    pub fn requests_to(&self, path: &str) -> usize {
        self.seen.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    pub fn answers(&self, status: u16) -> usize {
        self.statuses
            .lock()
            .unwrap()
            .get(&status)
            .copied()
            .unwrap_or(0)
    }

    pub fn total(&self) -> usize {
        self.seen.lock().unwrap().values().sum()
    }
}

pub struct Scripted {
    script: Box<Script>,
    pub server: Server,
}

impl Scripted {
    pub fn new(
        script: impl Fn(&Request<Bytes>, &Server) -> Step + Send + Sync + 'static,
    ) -> Arc<Self> {
        let epoch_ms_at_start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        Arc::new(Self {
            script: Box::new(script),
            server: Server {
                start: Instant::now(),
                epoch_ms_at_start,
                seen: Mutex::default(),
                statuses: Mutex::default(),
                in_flight: AtomicUsize::new(0),
                max_in_flight: AtomicUsize::new(0),
            },
        })
    }
}

#[async_trait::async_trait]
impl Transport for Scripted {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        let s = &self.server;
        *s.seen
            .lock()
            .unwrap()
            .entry(request.uri().path().to_owned())
            .or_default() += 1;
        let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        s.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let step = (self.script)(&request, s);
        let result = match step {
            Step::Answer(delay, response) => {
                tokio::time::sleep(delay).await;
                *s.statuses
                    .lock()
                    .unwrap()
                    .entry(response.status().as_u16())
                    .or_default() += 1;
                Ok(response)
            }
            Step::Hang => std::future::pending().await,
        };
        s.in_flight.fetch_sub(1, Ordering::SeqCst);
        result
    }
}

/// A JSON answer with headers.
pub fn answer(status: u16, headers: &[(&str, String)], body: &str) -> Response<Bytes> {
    let mut b = Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, v.as_str());
    }
    b.body(Bytes::from(body.to_owned())).unwrap()
}

/// A token bucket on the server's clock: `capacity` requests, refilled continuously at
/// `per_sec`. Reports `x-ratelimit-*` as Auth0 documents them: the bucket size, what is left and
/// when requests will next be added (epoch seconds, rounded up).
pub struct Bucket {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn full(capacity: u32, per_sec: f64) -> Self {
        Self {
            capacity: f64::from(capacity),
            per_sec,
            tokens: f64::from(capacity),
            at: Instant::now(),
        }
    }

    /// Takes one request if there is one; the answer's status and rate-limit headers.
    pub fn take(&mut self, server: &Server) -> (u16, Vec<(&'static str, String)>) {
        let now = Instant::now();
        let gained = now.duration_since(self.at).as_secs_f64() * self.per_sec;
        self.tokens = (self.tokens + gained).min(self.capacity);
        self.at = now;
        let status = if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            200
        } else {
            429
        };
        let next_token_in = if self.tokens >= self.capacity {
            0.0
        } else {
            (1.0 - self.tokens.fract()) / self.per_sec
        };
        let reset_ms = server.now_epoch_ms() as f64 + next_token_in * 1000.0;
        let headers = vec![
            ("x-ratelimit-limit", format!("{}", self.capacity as u64)),
            (
                "x-ratelimit-remaining",
                format!("{}", self.tokens.floor() as u64),
            ),
            (
                "x-ratelimit-reset",
                format!("{}", (reset_ms / 1000.0).ceil() as i64),
            ),
        ];
        (status, headers)
    }
}

/// Serves `transport` on 127.0.0.1:0 over HTTP/1.1; the task ends with the runtime.
pub async fn serve(transport: Arc<dyn Transport>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let transport = transport.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                        let transport = transport.clone();
                        async move {
                            let (parts, body) = request.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let response =
                                match transport.send(Request::from_parts(parts, body)).await {
                                    Ok(r) => r,
                                    Err(_) => {
                                        Response::builder().status(502).body(Bytes::new()).unwrap()
                                    }
                                };
                            Ok::<_, Infallible>(response.map(Full::new))
                        }
                    });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    addr
}

/// The real backends, for the scaled-down runs over loopback.
pub fn backends() -> Vec<(&'static str, Arc<dyn Transport>)> {
    let config = users_client::transport::TransportConfig::default();
    vec![
        (
            "reqwest",
            Arc::new(users_client::transport::ReqwestTransport::new(&config).unwrap()),
        ),
        (
            "hyper",
            Arc::new(users_client::transport::HyperTransport::new(&config).unwrap()),
        ),
    ]
}

/// An error kind for scripts that fail the transport.
#[allow(dead_code)]
pub fn fail(kind: TransportErrorKind) -> TransportError {
    TransportError::new(kind)
}
