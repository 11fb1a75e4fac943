//! Settings shared by the built-in backends.

use std::time::Duration;

/// The default cap on a response body: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The default time allowed to open a TCP connection (and finish the TLS handshake).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default time allowed for one whole exchange: connect, send, response head and body.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time an idle pooled connection is kept before it is closed.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// The default number of idle connections kept per host.
pub const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = 32;

/// Which certificate authorities HTTPS connections trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TlsRoots {
    /// Mozilla's root store compiled into the binary (`webpki-roots`): the same everywhere.
    #[default]
    WebPki,
    /// The operating system's trust store, read once when the transport is built.
    #[cfg(feature = "native-roots")]
    Native,
}

/// Timeouts, the response-body cap and pool settings for the built-in backends
/// (`ReqwestTransport`, `HyperTransport`).
///
/// Build it with [`TransportConfig::builder`]; [`TransportConfig::default`] gives the documented
/// defaults (`DEFAULT_*` constants of this crate).
///
/// ```
/// use std::time::Duration;
/// use users_transport::{DEFAULT_MAX_BODY_BYTES, TransportConfig};
///
/// let config = TransportConfig::builder()
///     .connect_timeout(Duration::from_secs(2))
///     .request_timeout(Duration::from_secs(15))
///     .max_body_bytes(1024 * 1024)
///     .pool_max_idle_per_host(8)
///     .build();
/// assert_eq!(config.request_timeout(), Duration::from_secs(15));
/// assert_eq!(TransportConfig::default().max_body_bytes(), DEFAULT_MAX_BODY_BYTES);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportConfig {
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body_bytes: usize,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: usize,
    tls_roots: TlsRoots,
    extra_roots: Vec<Vec<u8>>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            pool_idle_timeout: Some(DEFAULT_POOL_IDLE_TIMEOUT),
            pool_max_idle_per_host: DEFAULT_POOL_MAX_IDLE_PER_HOST,
            tls_roots: TlsRoots::default(),
            extra_roots: Vec::new(),
        }
    }
}

impl TransportConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> TransportConfigBuilder {
        TransportConfigBuilder {
            config: Self::default(),
        }
    }

    /// Time allowed to establish a connection (TCP and TLS).
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Time allowed for one whole exchange, including reading the response body.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// Largest response body accepted, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// How long an idle pooled connection is kept (`None`: until the server closes it).
    pub fn pool_idle_timeout(&self) -> Option<Duration> {
        self.pool_idle_timeout
    }

    /// How many idle connections are kept per host.
    pub fn pool_max_idle_per_host(&self) -> usize {
        self.pool_max_idle_per_host
    }

    /// Which certificate authorities are trusted.
    pub fn tls_roots(&self) -> TlsRoots {
        self.tls_roots
    }

    /// Extra trusted certificate authorities (DER), on top of [`tls_roots`](Self::tls_roots).
    pub fn extra_root_certificates(&self) -> &[Vec<u8>] {
        &self.extra_roots
    }
}

/// Builds a [`TransportConfig`]; every setting starts at its default.
#[derive(Debug, Clone)]
#[must_use]
pub struct TransportConfigBuilder {
    config: TransportConfig,
}

impl TransportConfigBuilder {
    /// Sets the time allowed to establish a connection (TCP and TLS). Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Sets the time allowed for one whole exchange, including the response body. Default 30 s.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// Sets the largest response body accepted, in bytes. Default 16 MiB.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.config.max_body_bytes = bytes;
        self
    }

    /// Sets how long an idle pooled connection is kept; `None` keeps it until the server closes
    /// it. Default 90 s.
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.pool_idle_timeout = timeout;
        self
    }

    /// Sets how many idle connections are kept per host; 0 disables keep-alive reuse. Default 32.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.config.pool_max_idle_per_host = max;
        self
    }

    /// Sets which certificate authorities are trusted. Default [`TlsRoots::WebPki`].
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.config.tls_roots = roots;
        self
    }

    /// Also trusts this certificate authority (DER-encoded X.509), e.g. a corporate or test CA.
    /// An unparsable certificate makes building the transport fail with a `Tls` error.
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.config.extra_roots.push(der.into());
        self
    }

    /// The finished configuration.
    pub fn build(self) -> TransportConfig {
        self.config
    }
}
