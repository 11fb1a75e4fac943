//! The socket front end: a hyper HTTP/1.1 server on a `TcpListener`, same handlers.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::emulator::{Action, Emulator};
use crate::request::{MAX_BODY_BYTES, payload_too_large};

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

/// A running emulator server. Dropping it stops accepting connections.
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

    /// Stops accepting connections and waits for the accept loop to end.
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
    /// Serves the emulator on `listener` until the returned handle is shut down or dropped.
    /// Must be called from within a Tokio runtime (the accept loop is spawned on it).
    ///
    /// # Errors
    /// When the listener's address cannot be read, or there is no current Tokio runtime.
    pub fn serve(&self, listener: TcpListener) -> io::Result<RunningServer> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| io::Error::other(format!("Emulator::serve needs a Tokio runtime: {e}")))?;
        let addr = listener.local_addr()?;
        let (tx, mut rx) = oneshot::channel::<()>();
        let emulator = self.clone();
        let task = runtime.spawn(async move {
            loop {
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
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let emulator = emulator.clone();
                        async move { handle(emulator, request).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(RunningServer {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Binds `addr` and serves the emulator on it.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(&self, addr: SocketAddr) -> io::Result<RunningServer> {
        let listener = TcpListener::bind(addr).await?;
        self.serve(listener)
    }
}

async fn handle(
    emulator: Emulator,
    request: Request<Incoming>,
) -> Result<Response<ServerBody>, io::Error> {
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            // Too large (or the client broke off): answer and close, the rest is unread.
            let mut response = payload_too_large().into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return Ok(response.map(ServerBody::full));
        }
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
