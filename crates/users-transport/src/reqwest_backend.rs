//! The transport over a `reqwest::Client`.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;

use crate::body::CappedBody;
use crate::classify::{causes, classify, timed_out};
use crate::{Transport, TransportConfig, TransportError, TransportErrorKind, tls, validate};

/// A [`Transport`] over a [`reqwest::Client`].
///
/// [`ReqwestTransport::new`] builds a client with rustls and the ring provider, HTTP/1.1 only,
/// keep-alive pooling, no redirects and no proxies, from a [`TransportConfig`]. Bring your own
/// client with [`ReqwestTransport::from_client`] for proxies or custom TLS; configure it without
/// redirects, since one `send` must be one exchange.
///
/// ```
/// use users_transport::{ReqwestTransport, TransportConfig};
/// use std::time::Duration;
///
/// let config = TransportConfig::builder()
///     .request_timeout(Duration::from_secs(10))
///     .build();
/// let transport = ReqwestTransport::new(&config)?;
/// # Ok::<(), users_transport::TransportError>(())
/// ```
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    request_timeout: Duration,
    max_body_bytes: usize,
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestTransport")
            .field("request_timeout", &self.request_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

impl ReqwestTransport {
    /// Builds a client from `config`.
    ///
    /// # Errors
    /// A [`TransportError`] of kind `Tls` when the trust roots cannot be loaded, or `Other` when
    /// reqwest refuses the settings.
    pub fn new(config: &TransportConfig) -> Result<Self, TransportError> {
        let mut tls = tls::client_config(config)?;
        // HTTP/1.1 only, like the hyper backend, so both pool and behave the same.
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .http1_only()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(config.connect_timeout())
            .pool_idle_timeout(config.pool_idle_timeout())
            .pool_max_idle_per_host(config.pool_max_idle_per_host())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| TransportError::new(TransportErrorKind::Other).with_source(e))?;
        Ok(Self::from_client(client, config))
    }

    /// Uses a caller's client. Only `request_timeout` and `max_body_bytes` of `config` apply;
    /// everything else is the client's own.
    pub fn from_client(client: reqwest::Client, config: &TransportConfig) -> Self {
        Self {
            client,
            request_timeout: config.request_timeout(),
            max_body_bytes: config.max_body_bytes(),
        }
    }

    /// The underlying client.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The rest of one exchange once reqwest's client has the request: the response head, then
    /// the body chunk by chunk under the cap.
    async fn receive(
        pending: impl Future<Output = Result<reqwest::Response, reqwest::Error>>,
        method: http::Method,
        max_body_bytes: usize,
    ) -> SendResult {
        let mut response = pending.await.map_err(map)?;
        let mut body = CappedBody::new(
            max_body_bytes,
            &method,
            response.status(),
            response.headers(),
        )?;
        while let Some(chunk) = response.chunk().await.map_err(map)? {
            body.push(chunk)?;
        }
        let mut out = http::Response::new(body.finish());
        *out.status_mut() = response.status();
        *out.version_mut() = response.version();
        *out.headers_mut() = std::mem::take(response.headers_mut());
        Ok(out)
    }
}

/// What one `send` returns.
type SendResult = Result<http::Response<Bytes>, TransportError>;

#[async_trait::async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: http::Request<Bytes>) -> SendResult {
        validate::check(&request)?;
        let method = request.method().clone();
        // reqwest parses the URI into its own URL type here; a builder error (a URI it cannot
        // take) maps to `InvalidRequest`, before anything is sent.
        let converted =
            reqwest::Request::try_from(request.map(reqwest::Body::from)).map_err(map)?;
        let exchange = Self::receive(self.client.execute(converted), method, self.max_body_bytes);
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

/// Maps a reqwest error. The URL is dropped from it: query strings can carry user data.
fn map(error: reqwest::Error) -> TransportError {
    let error = error.without_url();
    let (kind, sent) = if error.is_builder() {
        (TransportErrorKind::InvalidRequest, false)
    } else {
        let mut found = causes(&error);
        found.timed_out |= error.is_timeout();
        classify(error.is_connect(), found)
    };
    TransportError::new(kind)
        .with_may_have_been_sent(sent)
        .with_source(error)
}
