//! The socket front end: a hyper HTTP/1.1 server on a `TcpListener`, same handlers.
//!
//! Slow, idle or numerous clients cannot lock others out: see [`ServeLimits`].

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::emulator::{Action, Emulator};
use crate::request::{MAX_BODY_BYTES, payload_too_large, request_timeout};

/// How the served emulator protects itself from slow, idle or too many clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServeLimits {
    /// Time a connection has to deliver a complete request head once it is ready for one: from
    /// its accept, and again after each response. hyper runs one timer for both, so this is the
    /// header-read timeout (a client trickling header bytes) and the idle keep-alive timeout
    /// (a client holding a connection open between requests) at once. At expiry the
    /// connection is closed without an answer.
    pub header_read_timeout: Duration,
    /// Time a request body has to arrive completely once its head is read; a slower body is
    /// answered 408 and its connection closed.
    pub body_read_timeout: Duration,
    /// Connections served at once. At the limit the server stops accepting (new connections
    /// wait in the listen backlog) until one closes; the timeouts above make sure one does.
    pub max_connections: usize,
}

impl ServeLimits {
    /// The given limits; `max_connections` is at least 1.
    pub fn new(
        header_read_timeout: Duration,
        body_read_timeout: Duration,
        max_connections: usize,
    ) -> Self {
        Self {
            header_read_timeout,
            body_read_timeout,
            max_connections: max_connections.max(1),
        }
    }
}

impl Default for ServeLimits {
    /// 10 s to deliver a request head (or be idle), 30 s for a body, 1024 connections.
    fn default() -> Self {
        Self::new(Duration::from_secs(10), Duration::from_secs(30), 1024)
    }
}

/// A response body that can break on purpose (truncate and reset faults).
pub(crate) struct ServerBody {
    chunk: Option<Bytes>,
    fail: bool,
}

impl ServerBody {
    fn full(bytes: Bytes) -> Self {
        Self {
            chunk: (!bytes.is_empty()).then_some(bytes),
            fail: false,
        }
    }

    fn broken_after(bytes: Bytes) -> Self {
        Self {
            chunk: (!bytes.is_empty()).then_some(bytes),
            fail: true,
        }
    }
}

impl Body for ServerBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(chunk) = self.chunk.take() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if self.fail {
            self.fail = false;
            return Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "emulated fault: body truncated",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.chunk.is_none() && !self.fail
    }
}

/// A running emulator server. Dropping it stops accepting connections and closes the open
/// ones once their requests are answered (without waiting for that, as
/// [`RunningServer::shutdown`] does).
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{addr}`: the base URL clients use (the token audience is `{base}/api/v2/`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits until the open ones have closed: a request being
    /// served is answered first, then its connection closes; idle keep-alive connections close
    /// at once. So once this returns, every answered write is in the state and none follows.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Emulator {
    /// Serves the emulator on `listener` with the default [`ServeLimits`] until the returned
    /// handle is shut down or dropped. Must be called from within a Tokio runtime (the accept
    /// loop is spawned on it).
    ///
    /// # Errors
    /// When the listener's address cannot be read, or there is no current Tokio runtime.
    pub fn serve(&self, listener: TcpListener) -> io::Result<RunningServer> {
        self.serve_with_limits(listener, ServeLimits::default())
    }

    /// [`Emulator::serve`] with the given limits.
    ///
    /// # Errors
    /// When the listener's address cannot be read, or there is no current Tokio runtime.
    pub fn serve_with_limits(
        &self,
        listener: TcpListener,
        limits: ServeLimits,
    ) -> io::Result<RunningServer> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| io::Error::other(format!("Emulator::serve needs a Tokio runtime: {e}")))?;
        let addr = listener.local_addr()?;
        let (tx, mut rx) = oneshot::channel::<()>();
        let emulator = self.clone();
        let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
        // Connections watch `stop` (it changes or is dropped when the accept loop ends) and
        // each holds a clone of `open`: `closed` reports once all of them have finished.
        let (stop, stopped) = watch::channel(());
        let (open, mut closed) = mpsc::channel::<()>(1);
        let task = runtime.spawn(async move {
            loop {
                // A slot first: at the limit nothing more is accepted until a connection ends.
                let permit = tokio::select! {
                    _ = &mut rx => break,
                    permit = Arc::clone(&slots).acquire_owned() => permit,
                };
                let Ok(permit) = permit else { break };
                let accepted = tokio::select! {
                    _ = &mut rx => break,
                    accepted = listener.accept() => accepted,
                };
                let Ok((stream, _)) = accepted else {
                    // Accept errors (e.g. too many open files) are transient: back off briefly.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let emulator = emulator.clone();
                let mut stopped = stopped.clone();
                let open = open.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let emulator = emulator.clone();
                        async move { handle(emulator, request, limits.body_read_timeout).await }
                    });
                    let mut builder = hyper::server::conn::http1::Builder::new();
                    builder
                        .timer(TokioTimer::new())
                        .header_read_timeout(limits.header_read_timeout);
                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(connection);
                    tokio::select! {
                        _ = connection.as_mut() => {}
                        _ = stopped.changed() => {
                            connection.as_mut().graceful_shutdown();
                            let _ = connection.await;
                        }
                    }
                    drop(permit);
                    drop(open);
                });
            }
            drop(stop);
            drop(open);
            let _ = closed.recv().await;
        });
        Ok(RunningServer {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Binds `addr` and serves the emulator on it with the default [`ServeLimits`].
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(&self, addr: SocketAddr) -> io::Result<RunningServer> {
        self.bind_with_limits(addr, ServeLimits::default()).await
    }

    /// [`Emulator::bind`] with the given limits.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind_with_limits(
        &self,
        addr: SocketAddr,
        limits: ServeLimits,
    ) -> io::Result<RunningServer> {
        let listener = TcpListener::bind(addr).await?;
        self.serve_with_limits(listener, limits)
    }
}

/// An answer that also closes the connection (the rest of the request is left unread).
fn closing(response: Response<Bytes>) -> Response<ServerBody> {
    let mut response = response.map(ServerBody::full);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

async fn handle(
    emulator: Emulator,
    request: Request<Incoming>,
    body_read_timeout: Duration,
) -> Result<Response<ServerBody>, io::Error> {
    let (parts, body) = request.into_parts();
    let collected = tokio::time::timeout(
        body_read_timeout,
        Limited::new(body, MAX_BODY_BYTES).collect(),
    )
    .await;
    let bytes = match collected {
        Ok(Ok(collected)) => collected.to_bytes(),
        // Too large (or the client broke off).
        Ok(Err(_)) => return Ok(closing(payload_too_large().into_response())),
        Err(_) => return Ok(closing(request_timeout().into_response())),
    };
    let dispatched = emulator
        .dispatch_off_workers(Request::from_parts(parts, bytes))
        .await?;
    if dispatched.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(dispatched.latency_ms)).await;
    }
    match dispatched.action {
        Action::Respond(response) => Ok(response.map(ServerBody::full)),
        // A service error makes hyper drop the connection without a response.
        Action::Reset => Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "emulated fault: connection reset",
        )),
        Action::Truncate(response) => {
            let (mut parts, body) = response.into_parts();
            if let Ok(value) = HeaderValue::from_str(&body.len().to_string()) {
                parts.headers.insert(header::CONTENT_LENGTH, value);
            }
            let half = body.slice(..body.len() / 2);
            Ok(Response::from_parts(parts, ServerBody::broken_after(half)))
        }
    }
}
