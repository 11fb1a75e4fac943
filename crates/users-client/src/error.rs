//! The one error type every client call returns.
//!
//! Mapping from responses follows node-auth0 v4 where that is sensible (a JSON error body becomes
//! [`Error::Api`], anything else [`Error::NonJsonErrorBody`]), with one deliberate difference:
//! [`Error::status`] is always the **HTTP** status. node-auth0 v4 reports the body's `statusCode`
//! when present (`body.statusCode || response.status`, fixture
//! `runtime_error__ManagementApiError_body_statusCode_wins.json`); a proxy or a stale body could
//! then make a 428 look like a 401 and drive retry or re-authentication decisions from text the
//! transport never acted on. The body's value stays available as [`ApiError::body_status_code`].

use std::fmt;

use http::StatusCode;
use users_model::Violations;
use users_transport::TransportError;

use crate::engine::ratelimit::RateLimit;
use crate::engine::retry::{StatusClass, status_class, transient_transport};

/// At most this many bytes of an error response body are kept (as lossy UTF-8).
pub const RAW_BODY_CAP: usize = 4096;

/// Everything that can go wrong in a client call.
///
/// `Display` never shows tokens, secrets, passwords or response bodies; `Debug` shows only
/// lengths of raw bodies.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The Management API answered with an error status and a JSON object body.
    Api(Box<ApiError>),
    /// The server answered with an error status whose body is not a JSON object (an HTML page
    /// from a proxy, an empty body, ...).
    NonJsonErrorBody(Box<NonJsonError>),
    /// No complete HTTP response arrived.
    Transport {
        /// The transport's failure.
        source: TransportError,
        /// How many attempts were made, the failing one included.
        attempts: u32,
    },
    /// A successful response could not be decoded into the expected type.
    Decode(DecodeError),
    /// The token endpoint refused to issue an access token.
    Token(Box<TokenError>),
    /// The request was rejected before the network by `users-model` validation: every
    /// violation found, not just the first.
    Validation(Violations),
    /// A required argument was unusable (empty, or a path segment such as `..`), so nothing was
    /// sent. node-auth0 calls this `RequiredError`.
    InvalidArgument {
        /// The argument's name.
        argument: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The client was configured inconsistently (found by
    /// [`ClientBuilder::build`](crate::ClientBuilder::build)).
    Config(ConfigError),
    /// The call's deadline ([`RetryPolicy::deadline`](crate::RetryPolicy::deadline)) passed
    /// while it waited (for the rate-limit gate or a token) with no attempt outcome to report.
    DeadlineExceeded {
        /// How many attempts were made before the deadline.
        attempts: u32,
    },
    /// A paging stream stopped at the server's 1000-record limit although more records match.
    /// Always the last item of the stream; narrow the query (`q`) or use an export job.
    Truncated {
        /// The server's `total` for the query.
        total: u64,
        /// How many records the stream yielded.
        returned: u64,
    },
}

/// A Management API error response with a JSON object body.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The body's `statusCode`, when it is present and a valid number.
    pub body_status_code: Option<u16>,
    /// The body's `error` (usually the reason phrase, e.g. `Bad Request`).
    pub error: Option<String>,
    /// The body's `message`.
    pub message: Option<String>,
    /// The body's `errorCode` (e.g. `inexistent_user`, `invalid_body`).
    pub error_code: Option<String>,
    /// The response's `x-ratelimit-*` headers.
    pub rate_limit: Option<RateLimit>,
    /// The first [`RAW_BODY_CAP`] bytes of the body.
    pub raw_body: String,
    /// How many attempts were made, the last included.
    pub attempts: u32,
}

/// An error response whose body is not a JSON object.
#[derive(Clone)]
#[non_exhaustive]
pub struct NonJsonError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The response's `x-ratelimit-*` headers.
    pub rate_limit: Option<RateLimit>,
    /// The first [`RAW_BODY_CAP`] bytes of the body.
    pub raw_body: String,
    /// How many attempts were made, the last included.
    pub attempts: u32,
}

/// A failure to obtain an access token from `/oauth/token`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenError {
    /// The token endpoint's HTTP status.
    pub status: StatusCode,
    /// The body's `error` (or `code`), e.g. `access_denied`.
    pub error: Option<String>,
    /// The body's `error_description` (or `description`).
    pub error_description: Option<String>,
    /// How many attempts were made.
    pub attempts: u32,
}

/// The kind of problem a [`DecodeError`] found; `Display` gives the lowercase name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeCategory {
    /// Not JSON (`"syntax"`).
    Syntax,
    /// Valid JSON of the wrong shape (`"data"`).
    Data,
    /// The JSON ended early (`"eof"`).
    Eof,
    /// Reading the body failed (`"io"`; serde_json reports it, a body in memory never does).
    Io,
    /// The body was empty where JSON was expected (`"empty"`).
    Empty,
}

impl DecodeCategory {
    /// The lowercase name: `syntax`, `data`, `eof`, `io` or `empty`.
    pub fn as_str(self) -> &'static str {
        match self {
            DecodeCategory::Syntax => "syntax",
            DecodeCategory::Data => "data",
            DecodeCategory::Eof => "eof",
            DecodeCategory::Io => "io",
            DecodeCategory::Empty => "empty",
        }
    }
}

impl fmt::Display for DecodeCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with a client's configuration, found by
/// [`ClientBuilder::build`](crate::ClientBuilder::build). `Display` says what and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither a domain nor a base URL was set.
    MissingTarget,
    /// Both a domain and a base URL were set.
    DomainAndBaseUrl,
    /// The domain is not a bare host name.
    InvalidDomain {
        /// The domain as given.
        domain: String,
    },
    /// The base URL does not parse as an absolute URL with a host.
    BaseUrlNotAUrl,
    /// The base URL's scheme is neither `http` nor `https`.
    BaseUrlScheme,
    /// The base URL has user-info (`user:password@`).
    BaseUrlUserInfo,
    /// The base URL has a query or a fragment.
    BaseUrlQueryOrFragment,
    /// Plain `http://` to a host that is not loopback.
    InsecureHttp,
    /// No credential source was given.
    MissingCredentials,
    /// More than one credential source was given.
    SeveralCredentials,
    /// The client-credentials grant's client id is empty.
    EmptyClientId,
    /// The static token has bytes a header cannot carry (CR, LF, NUL or other controls).
    InvalidToken,
    /// A default header's name is not a valid header name.
    InvalidHeaderName {
        /// The name as given.
        name: String,
    },
    /// A default header's value is not a valid header value.
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },
    /// `Authorization` was given as a default header.
    AuthorizationHeader,
    /// No transport was given and no backend feature is enabled.
    NoTransport,
    /// The default transport could not be built.
    TransportBuild {
        /// `reqwest` or `hyper`.
        backend: &'static str,
        /// The transport's error message.
        message: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingTarget => {
                f.write_str("a domain or a base_url is required: call .domain(..) or .base_url(..)")
            }
            ConfigError::DomainAndBaseUrl => {
                f.write_str("set either domain or base_url, not both")
            }
            ConfigError::InvalidDomain { domain } => write!(
                f,
                "domain {domain:?} is not a bare host name (no scheme, port or path; use base_url for those)"
            ),
            ConfigError::BaseUrlNotAUrl => {
                f.write_str("base_url: not an absolute URL with a host, e.g. https://tenant.example")
            }
            ConfigError::BaseUrlScheme => f.write_str("base_url: the scheme must be http or https"),
            ConfigError::BaseUrlUserInfo => {
                f.write_str("base_url: user info is not allowed; pass credentials with .token(..) or .client_credentials(..)")
            }
            ConfigError::BaseUrlQueryOrFragment => {
                f.write_str("base_url: a query or fragment is not allowed; remove it")
            }
            ConfigError::InsecureHttp => f.write_str(
                "base_url: plain http is only allowed to loopback hosts; use https or allow_insecure_http(true)",
            ),
            ConfigError::MissingCredentials => f.write_str(
                "credentials are required: call .token(..), .client_credentials(..) or .token_provider(..)",
            ),
            ConfigError::SeveralCredentials => f.write_str(
                "more than one credential source (token, client_credentials, token_provider): keep one",
            ),
            ConfigError::EmptyClientId => {
                f.write_str("the client id is empty: pass the application's client id")
            }
            ConfigError::InvalidToken => f.write_str(
                "the token contains bytes not allowed in a header (CR, LF, NUL or controls): check how it was copied",
            ),
            ConfigError::InvalidHeaderName { name } => {
                write!(f, "invalid header name {name:?}: use letters, digits and - only")
            }
            ConfigError::InvalidHeaderValue { name } => write!(
                f,
                "invalid value for header {name}: remove CR, LF, NUL and other control bytes"
            ),
            ConfigError::AuthorizationHeader => f.write_str(
                "Authorization cannot be a default header; use .token(..) or .token_provider(..)",
            ),
            ConfigError::NoTransport => f.write_str(
                "no transport: enable the `reqwest` or `hyper` feature or pass one with .transport(..)",
            ),
            ConfigError::TransportBuild { backend, message } => {
                write!(f, "could not build the {backend} transport: {message}")
            }
        }
    }
}

/// Why a successful response could not be decoded.
///
/// It keeps only the position and the category of the problem, never serde's message, which
/// can quote parts of the body (such as an access token).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// True when the body was empty where JSON was expected.
    pub empty_body: bool,
    /// The 1-based line of the problem (0 for an empty body).
    pub line: usize,
    /// The 1-based column of the problem (0 for an empty body).
    pub column: usize,
    /// What kind of problem it was.
    pub category: DecodeCategory,
    /// How many attempts the call took before this response arrived.
    pub attempts: u32,
}

impl DecodeError {
    pub(crate) fn empty(status: StatusCode) -> Self {
        Self {
            status,
            empty_body: true,
            line: 0,
            column: 0,
            category: DecodeCategory::Empty,
            attempts: 1,
        }
    }

    pub(crate) fn from_serde(status: StatusCode, e: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        Self {
            status,
            empty_body: false,
            line: e.line(),
            column: e.column(),
            category: match e.classify() {
                Category::Io => DecodeCategory::Io,
                Category::Syntax => DecodeCategory::Syntax,
                Category::Data => DecodeCategory::Data,
                Category::Eof => DecodeCategory::Eof,
            },
            attempts: 1,
        }
    }
}

/// Keeps at most [`RAW_BODY_CAP`] bytes of `body` as text; a character cut in half becomes U+FFFD.
pub(crate) fn capped_body(body: &[u8]) -> String {
    let end = body.len().min(RAW_BODY_CAP);
    String::from_utf8_lossy(body.get(..end).unwrap_or_default()).into_owned()
}

impl Error {
    /// Maps an error response (status >= 400 or otherwise unexpected) to an error.
    pub(crate) fn from_response(
        status: StatusCode,
        body: &[u8],
        rate_limit: Option<RateLimit>,
        attempts: u32,
    ) -> Self {
        let raw_body = capped_body(body);
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(map)) => {
                let text = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                Error::Api(Box::new(ApiError {
                    status,
                    body_status_code: map
                        .get("statusCode")
                        .and_then(serde_json::Value::as_u64)
                        .and_then(|n| u16::try_from(n).ok()),
                    error: text("error"),
                    message: text("message"),
                    error_code: text("errorCode"),
                    rate_limit,
                    raw_body,
                    attempts,
                }))
            }
            _ => Error::NonJsonErrorBody(Box::new(NonJsonError {
                status,
                rate_limit,
                raw_body,
                attempts,
            })),
        }
    }

    /// Records the attempt count on errors that do not know it when created.
    pub(crate) fn with_attempts(self, attempts: u32) -> Self {
        match self {
            Error::Decode(mut d) => {
                d.attempts = attempts;
                Error::Decode(d)
            }
            other => other,
        }
    }

    /// The HTTP status of the response this error came from, if one arrived.
    ///
    /// This is the status line's value even when the body carries a different `statusCode`
    /// (see the module documentation).
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::NonJsonErrorBody(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::Token(e) => Some(e.status),
            _ => None,
        }
    }

    /// The machine-readable code: the API's `errorCode`, the token endpoint's `error`, or the
    /// first validation violation's code.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.error_code.as_deref(),
            Error::Token(e) => e.error.as_deref(),
            Error::Validation(v) => v.first().map(|v| v.error_code()),
            _ => None,
        }
    }

    /// True for a 404 from the API.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api(_) | Error::NonJsonErrorBody(_))
            && self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// True for a 429, from the API or the token endpoint.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// True for a 401 or 403 from the API (bad token or missing scope).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Api(_) | Error::NonJsonErrorBody(_))
            && matches!(
                self.status(),
                Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
            )
    }

    /// True when the failure is transient by nature (429, 408, 5xx other than 501, timeouts,
    /// connection failures), so trying again later may succeed. The client's own retries have
    /// already been spent when this is returned; whether a repeat is *safe* also depends on the
    /// operation (see [`Idempotency`](crate::Idempotency)).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(_) | Error::NonJsonErrorBody(_) | Error::Token(_) => self
                .status()
                .is_some_and(|s| status_class(s) != StatusClass::Final),
            Error::Transport { source, .. } => transient_transport(source.kind()),
            Error::DeadlineExceeded { .. } => true,
            _ => false,
        }
    }

    /// A copy of this error for another caller of the same shared outcome (the callers of one
    /// token fetch). A transport failure keeps its kind but not its underlying source.
    pub(crate) fn duplicate(&self) -> Error {
        match self {
            Error::Api(e) => Error::Api(e.clone()),
            Error::NonJsonErrorBody(e) => Error::NonJsonErrorBody(e.clone()),
            Error::Transport { source, attempts } => Error::Transport {
                source: TransportError::new(source.kind())
                    .with_may_have_been_sent(source.may_have_been_sent()),
                attempts: *attempts,
            },
            Error::Decode(e) => Error::Decode(e.clone()),
            Error::Token(e) => Error::Token(e.clone()),
            Error::Validation(v) => Error::Validation(v.clone()),
            Error::InvalidArgument { argument, reason } => {
                Error::InvalidArgument { argument, reason }
            }
            Error::Config(c) => Error::Config(c.clone()),
            Error::DeadlineExceeded { attempts } => Error::DeadlineExceeded {
                attempts: *attempts,
            },
            Error::Truncated { total, returned } => Error::Truncated {
                total: *total,
                returned: *returned,
            },
        }
    }

    /// How many HTTP attempts were made for the call (0 when it failed before the network).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::NonJsonErrorBody(e) => e.attempts,
            Error::Transport { attempts, .. } => *attempts,
            Error::Token(e) => e.attempts,
            Error::Decode(e) => e.attempts,
            Error::DeadlineExceeded { attempts } => *attempts,
            _ => 0,
        }
    }

    /// The rate-limit state reported with an API error response.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        match self {
            Error::Api(e) => e.rate_limit,
            Error::NonJsonErrorBody(e) => e.rate_limit,
            _ => None,
        }
    }
}

/// Keeps server text short in `Display`.
fn short(s: &str) -> String {
    const MAX: usize = 200;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => {
                write!(f, "Management API error {}", e.status.as_u16())?;
                if let Some(code) = &e.error_code {
                    write!(f, " ({})", short(code))?;
                }
                if let Some(m) = &e.message {
                    write!(f, ": {}", short(m))?;
                }
                attempts_suffix(f, e.attempts)
            }
            Error::NonJsonErrorBody(e) => {
                write!(
                    f,
                    "HTTP {} with a non-JSON error body ({} bytes kept)",
                    e.status.as_u16(),
                    e.raw_body.len()
                )?;
                attempts_suffix(f, e.attempts)
            }
            Error::Transport { source, attempts } => {
                write!(f, "transport failure: {source}")?;
                attempts_suffix(f, *attempts)
            }
            Error::Decode(e) if e.empty_body => write!(
                f,
                "the {} response had an empty body where JSON was expected",
                e.status.as_u16()
            ),
            Error::Decode(e) => write!(
                f,
                "could not decode the {} response body ({} error at line {}, column {})",
                e.status.as_u16(),
                e.category,
                e.line,
                e.column
            ),
            Error::Token(e) => {
                write!(f, "token request failed with HTTP {}", e.status.as_u16())?;
                if let Some(code) = &e.error {
                    write!(f, " ({})", short(code))?;
                }
                if let Some(d) = &e.error_description {
                    write!(f, ": {}", short(d))?;
                }
                attempts_suffix(f, e.attempts)
            }
            Error::Validation(v) => write!(f, "request rejected before sending: {v}"),
            Error::InvalidArgument { argument, reason } => {
                write!(f, "invalid argument `{argument}`: {reason}")
            }
            Error::Config(c) => write!(f, "invalid client configuration: {c}"),
            Error::DeadlineExceeded { attempts } => {
                write!(f, "the call's deadline passed while it waited")?;
                attempts_suffix(f, *attempts)
            }
            Error::Truncated { total, returned } => write!(
                f,
                "listing stopped at the server's 1000-record paging limit after {returned} of {total} users"
            ),
        }
    }
}

fn attempts_suffix(f: &mut fmt::Formatter<'_>, attempts: u32) -> fmt::Result {
    if attempts > 1 {
        write!(f, " after {attempts} attempts")?;
    }
    Ok(())
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Validation(v) => Some(v),
            _ => None,
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("body_status_code", &self.body_status_code)
            .field("error", &self.error)
            .field("message", &self.message)
            .field("error_code", &self.error_code)
            .field("rate_limit", &self.rate_limit)
            .field("raw_body_len", &self.raw_body.len())
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl fmt::Debug for NonJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonJsonError")
            .field("status", &self.status)
            .field("rate_limit", &self.rate_limit)
            .field("raw_body_len", &self.raw_body.len())
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl From<ConfigError> for Error {
    fn from(c: ConfigError) -> Self {
        Error::Config(c)
    }
}

impl From<Violations> for Error {
    fn from(v: Violations) -> Self {
        Error::Validation(v)
    }
}
