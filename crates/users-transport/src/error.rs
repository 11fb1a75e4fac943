//! The transport's error type.

use std::error::Error as StdError;
use std::fmt;

/// What went wrong while moving one request and its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be established: the request never left.
    Connect,
    /// The connect or per-request timeout elapsed.
    Timeout,
    /// The connection failed after it was established (reset, closed mid-response, malformed response).
    Io,
    /// The TLS handshake or session failed.
    Tls,
    /// The response body was larger than the configured cap.
    BodyTooLarge,
    /// The request could not be sent as given (bad URI, unsupported scheme, ...): it never left.
    InvalidRequest,
    /// Anything else.
    Other,
}

impl TransportErrorKind {
    fn describe(self) -> &'static str {
        match self {
            Self::Connect => "connection failed",
            Self::Timeout => "request timed out",
            Self::Io => "connection error",
            Self::Tls => "TLS error",
            Self::BodyTooLarge => "response body too large",
            Self::InvalidRequest => "invalid request",
            Self::Other => "transport error",
        }
    }
}

/// An opaque transport failure: a kind, predicates and a source chain.
///
/// Its message never contains request or response headers or bodies.
pub struct TransportError {
    kind: TransportErrorKind,
    sent: Option<bool>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl TransportError {
    /// A new error of `kind` with no source.
    pub fn new(kind: TransportErrorKind) -> Self {
        Self {
            kind,
            sent: None,
            source: None,
        }
    }

    /// Attaches the underlying cause. It must not carry headers or bodies in its message.
    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Overrides whether the request may have reached the server (by default derived from the kind).
    #[must_use]
    pub fn with_may_have_been_sent(mut self, sent: bool) -> Self {
        self.sent = Some(sent);
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// True when a timeout elapsed.
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }

    /// True when no connection could be established.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }

    /// False only when the request certainly never left this process (so repeating it is always safe).
    pub fn may_have_been_sent(&self) -> bool {
        self.sent.unwrap_or(!matches!(
            self.kind,
            TransportErrorKind::Connect | TransportErrorKind::InvalidRequest
        ))
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("may_have_been_sent", &self.may_have_been_sent())
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.describe())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}
