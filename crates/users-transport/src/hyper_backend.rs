//! The transport over hyper 1.x and hyper-util's pooled client.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::{Client, ResponseFuture};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};

use crate::body::CappedBody;
use crate::classify::{causes, classify, timed_out};
use crate::{Transport, TransportConfig, TransportError, tls, validate};

type Stream = MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>;

/// A [`Transport`] over hyper-util's pooled HTTP/1.1 client with a rustls (ring) HTTPS
/// connector. Plain `http://` URIs are allowed; the client layer decides where that is safe.
///
/// ```
/// use users_transport::{HyperTransport, TransportConfig};
///
/// let transport = HyperTransport::new(&TransportConfig::default())?;
/// # Ok::<(), users_transport::TransportError>(())
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<TimeoutConnector, Full<Bytes>>,
    request_timeout: Duration,
    max_body_bytes: usize,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("request_timeout", &self.request_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// Builds a pooled client from `config`. Needs a Tokio runtime when requests are sent, not
    /// when it is built.
    ///
    /// # Errors
    /// A [`TransportError`] of kind `Tls` when the trust roots cannot be loaded.
    pub fn new(config: &TransportConfig) -> Result<Self, TransportError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls::client_config(config)?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let connector = TimeoutConnector {
            inner: https,
            timeout: config.connect_timeout(),
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(config.pool_idle_timeout())
            .pool_max_idle_per_host(config.pool_max_idle_per_host())
            .build(connector);
        Ok(Self {
            client,
            request_timeout: config.request_timeout(),
            max_body_bytes: config.max_body_bytes(),
        })
    }

    /// The rest of one exchange once hyper-util has the request: the response head, then the
    /// body frame by frame under the cap.
    async fn receive(
        pending: ResponseFuture,
        method: http::Method,
        max_body_bytes: usize,
    ) -> SendResult {
        let response = pending.await.map_err(|e| {
            let (kind, sent) = classify(e.is_connect(), causes(&e));
            TransportError::new(kind)
                .with_may_have_been_sent(sent)
                .with_source(e)
        })?;
        let (mut parts, mut incoming) = response.into_parts();
        // hyper's extensions (reason phrase, connection info) are dropped, as reqwest does.
        parts.extensions = http::Extensions::new();
        let mut body = CappedBody::new(max_body_bytes, &method, parts.status, &parts.headers)?;
        while let Some(frame) = incoming.frame().await {
            let frame = frame.map_err(|e| {
                let (kind, sent) = classify(false, causes(&e));
                TransportError::new(kind)
                    .with_may_have_been_sent(sent)
                    .with_source(e)
            })?;
            if let Ok(data) = frame.into_data() {
                body.push(data)?;
            }
        }
        Ok(http::Response::from_parts(parts, body.finish()))
    }
}

/// What one `send` returns.
type SendResult = Result<http::Response<Bytes>, TransportError>;

#[async_trait::async_trait]
impl Transport for HyperTransport {
    async fn send(&self, request: http::Request<Bytes>) -> SendResult {
        validate::check(&request)?;
        let method = request.method().clone();
        let exchange = Self::receive(
            self.client.request(request.map(Full::new)),
            method,
            self.max_body_bytes,
        );
        match tokio::time::timeout(self.request_timeout, exchange).await {
            Ok(result) => result,
            Err(elapsed) => Err(timed_out(elapsed)),
        }
    }

    /// The configured [`TransportConfig::request_timeout`]: every `send` is bounded by it.
    fn request_timeout(&self) -> Option<Duration> {
        Some(self.request_timeout)
    }
}

/// Bounds TCP connect *and* the TLS handshake by the connect timeout, as reqwest does (hyper's
/// `HttpConnector` timeout covers TCP only).
#[derive(Clone)]
struct TimeoutConnector {
    inner: HttpsConnector<HttpConnector>,
    timeout: Duration,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl tower_service::Service<http::Uri> for TimeoutConnector {
    type Response = Stream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Stream, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result,
                Err(elapsed) => Err(Box::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    elapsed,
                )) as BoxError),
            }
        })
    }
}
