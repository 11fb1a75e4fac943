//! A hyper 1.x server that records requests byte for byte and counts connections.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use users_transport::bytes::Bytes;
use users_transport::http;

use super::{clone_request, clone_response, tls};

#[derive(Default)]
struct State {
    connections: AtomicUsize,
    requests: Mutex<Vec<http::Request<Bytes>>>,
    response: Mutex<Option<http::Response<Bytes>>>,
    delay: Mutex<Duration>,
}

/// A recording hyper server. Answers every request with the canned response (200 and an empty
/// body until one is set) or, when none is set and the path starts with `/echo/`, with the path.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    accept_loop: JoinHandle<()>,
}

impl TestServer {
    /// Binds 127.0.0.1:0 and starts accepting plain HTTP.
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// Binds 127.0.0.1:0 and starts accepting HTTPS with the test certificate for 127.0.0.1
    /// (see `tls/README.md`); clients must trust [`tls::ca_der`].
    pub async fn start_tls() -> Self {
        Self::start_with(Some(tls::acceptor())).await
    }

    async fn start_with(acceptor: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State::default());
        let accept_state = Arc::clone(&state);
        let accept_loop = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accept_state.connections.fetch_add(1, Ordering::SeqCst);
                let state = Arc::clone(&accept_state);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| answer(Arc::clone(&state), request));
                    // Errors here are the client hanging up (or failing the handshake), which
                    // some tests do on purpose.
                    match acceptor {
                        None => {
                            let io = TokioIo::new(stream);
                            let _ = http1::Builder::new().serve_connection(io, service).await;
                        }
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let io = TokioIo::new(stream);
                                let _ = http1::Builder::new().serve_connection(io, service).await;
                            }
                        }
                    }
                });
            }
        });
        Self {
            addr,
            state,
            accept_loop,
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{path_and_query}", self.addr)
    }

    /// `https://127.0.0.1:PORT` followed by `path_and_query` (for [`TestServer::start_tls`]).
    pub fn https_url(&self, path_and_query: &str) -> String {
        format!("https://{}{path_and_query}", self.addr)
    }

    /// Answers every following request with a copy of `response`.
    pub fn respond_with(&self, response: &http::Response<Bytes>) {
        *lock(&self.state.response) = Some(clone_response(response));
    }

    /// Waits `delay` before answering, so concurrent requests overlap.
    pub fn delay_answers(&self, delay: Duration) {
        *lock(&self.state.delay) = delay;
    }

    /// Requests received so far, as hyper parsed them, bodies complete.
    pub fn requests(&self) -> Vec<http::Request<Bytes>> {
        lock(&self.state.requests)
            .iter()
            .map(clone_request)
            .collect()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

async fn answer(
    state: Arc<State>,
    request: http::Request<Incoming>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::from_static(b"<body read failed>"),
    };
    let path = parts.uri.path().to_owned();
    lock(&state.requests).push(http::Request::from_parts(parts, body));
    let delay = *lock(&state.delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let canned = lock(&state.response).as_ref().map(clone_response);
    let response = canned.unwrap_or_else(|| match path.strip_prefix("/echo/") {
        Some(rest) => http::Response::new(Bytes::from(rest.to_owned())),
        None => http::Response::new(Bytes::new()),
    });
    Ok(response.map(Full::new))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
