//! Building requests and the attempt loop: gate, token, send, rate-limit bookkeeping, retry.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;
use users_model::{MAX_BODY_BYTES, encode_component};
use users_transport::{Transport, TransportError, TransportErrorKind};

use crate::client::{Client, Inner};
use crate::error::{DecodeError, Error};
use crate::ratelimit::RateLimit;
use crate::retry::{self, Decision, Idempotency, Outcome};

/// Milliseconds since the Unix epoch by the wall clock (what `x-ratelimit-reset` is measured in).
pub(crate) fn epoch_ms_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The telemetry header's name, parsed once: inserting by `&str` would parse and validate the
/// name again on every attempt.
const AUTH0_CLIENT: HeaderName = HeaderName::from_static("auth0-client");

pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// One attempt through the transport, bounded by the client's own timer when it has one
/// (`Inner::timeout`: `None` when the transport enforces a limit at least as tight).
pub(crate) async fn attempt_once(
    transport: &dyn Transport,
    request: http::Request<Bytes>,
    timeout: Option<Duration>,
) -> Result<http::Response<Bytes>, TransportError> {
    match timeout {
        Some(limit) => match tokio::time::timeout(limit, transport.send(request)).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::new(TransportErrorKind::Timeout)),
        },
        None => transport.send(request).await,
    }
}

/// Percent-encodes one path segment, refusing values that would not stay a single segment
/// after the server normalises the path (empty, `.` and `..`).
pub(crate) fn segment(argument: &'static str, value: &str) -> Result<String, Error> {
    let reason = match value {
        "" => "must not be empty",
        "." | ".." => "must not be `.` or `..`",
        _ => return Ok(encode_component(value)),
    };
    Err(Error::InvalidArgument { argument, reason })
}

/// Everything needed to send one operation, independent of the attempt.
#[derive(Debug)]
pub(crate) struct RequestSpec {
    pub operation: &'static str,
    pub method: Method,
    /// Already-encoded path below `/api/v2`, starting with `/`.
    pub path: String,
    /// Query pairs, values not yet encoded.
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Bytes>,
    pub idempotency: Idempotency,
}

impl RequestSpec {
    pub fn new(operation: &'static str, method: Method, path: String) -> Self {
        let idempotency = if method == Method::POST {
            Idempotency::NonIdempotent
        } else {
            Idempotency::Idempotent
        };
        Self {
            operation,
            method,
            path,
            query: Vec::new(),
            body: None,
            idempotency,
        }
    }

    pub fn query(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.query = pairs;
        self
    }

    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|_| Error::InvalidArgument {
            argument: "body",
            reason: "could not be serialized as JSON",
        })?;
        if bytes.len() > MAX_BODY_BYTES {
            return Err(Error::InvalidArgument {
                argument: "body",
                reason: "is larger than the API's 1 MiB request limit",
            });
        }
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    fn uri(&self, api_base: &str) -> String {
        let mut uri = format!("{api_base}{}", self.path);
        for (i, (k, v)) in self.query.iter().enumerate() {
            uri.push(if i == 0 { '?' } else { '&' });
            uri.push_str(k);
            uri.push('=');
            uri.push_str(&encode_component(v));
        }
        uri
    }
}

const BEARER: &[u8] = b"Bearer ";

fn build_request(
    inner: &Inner,
    spec: &RequestSpec,
    token: &SecretString,
) -> Result<http::Request<Bytes>, Error> {
    let mut request = http::Request::builder()
        .method(spec.method.clone())
        .uri(spec.uri(&inner.target.api_base))
        .body(spec.body.clone().unwrap_or_default())
        .map_err(|_| Error::Config("the request URI is invalid".into()))?;
    let headers = request.headers_mut();
    for (name, value) in &inner.default_headers {
        headers.append(name, value.clone());
    }
    if let Some(t) = &inner.telemetry {
        headers.insert(AUTH0_CLIENT, t.clone());
    }
    if spec.body.is_some() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    // `from_bytes` (not `from_str`) so a token with non-ASCII bytes is sent as-is, like node.
    // Built in one buffer that the header value takes over: `from_bytes` would copy it again.
    let secret = token.expose_secret();
    let mut value = Vec::with_capacity(BEARER.len() + secret.len());
    value.extend_from_slice(BEARER);
    value.extend_from_slice(secret.as_bytes());
    let mut auth = HeaderValue::from_maybe_shared(Bytes::from(value)).map_err(|_| {
        Error::Config("the access token contains bytes not allowed in a header".into())
    })?;
    auth.set_sensitive(true);
    headers.insert(header::AUTHORIZATION, auth);
    Ok(request)
}

/// A successful exchange before decoding.
pub(crate) struct Raw {
    pub response: http::Response<Bytes>,
    pub attempts: u32,
    pub rate_limit: Option<RateLimit>,
}

/// Runs the attempt loop for `spec`.
pub(crate) async fn execute(
    inner: &Inner,
    spec: &RequestSpec,
    bearer: Option<&SecretString>,
) -> Result<Raw, Error> {
    let started = Instant::now();
    let mut attempt = 0u32;
    let mut sends = 0u32;
    let mut refreshed = false;
    loop {
        attempt += 1;
        sends += 1;
        inner.gate.wait().await;
        let token = match bearer {
            Some(b) => b.clone(),
            None => inner.auth.access_token().await?,
        };
        let request = build_request(inner, spec, &token)?;
        let span = tracing::debug_span!(
            "attempt",
            attempt = sends,
            status = tracing::field::Empty,
            delay_ms = tracing::field::Empty
        );
        let result = attempt_once(&*inner.transport, request, inner.timeout)
            .instrument(span.clone())
            .await;
        let mut rate_limit = None;
        let now_epoch_ms = epoch_ms_now();
        let outcome = match &result {
            Ok(resp) => {
                span.record("status", resp.status().as_u16());
                rate_limit = RateLimit::from_headers(resp.headers());
                if let Some(rl) = &rate_limit {
                    inner.gate.observe(rl, now_epoch_ms);
                }
                Outcome::Response {
                    status: resp.status(),
                    headers: resp.headers(),
                }
            }
            Err(e) => Outcome::Transport(e),
        };
        // A 401 means the token was rejected: a fresh one may work, so repeat once outside the
        // retry budget. A per-call bearer has nothing to refresh.
        if let (Ok(resp), None, false) = (&result, bearer, refreshed) {
            if resp.status() == StatusCode::UNAUTHORIZED && inner.auth.invalidate(&token).await {
                refreshed = true;
                attempt -= 1;
                tracing::debug!(parent: &span, "401: retrying once with a fresh token");
                continue;
            }
        }
        // The jitter only spreads retry delays and a success is never retried, so a success
        // skips the draw (and the wall clock is read once per attempt, not twice).
        let jitter = match &result {
            Ok(resp) if resp.status().is_success() => 0.0,
            _ => rand::random::<f64>(),
        };
        let decision = retry::decide(
            &inner.retry,
            attempt,
            spec.idempotency,
            &outcome,
            now_epoch_ms,
            jitter,
            started.elapsed(),
        );
        if let Decision::Retry(delay) = decision {
            span.record("delay_ms", millis(delay));
            tracing::debug!(parent: &span, "retrying");
            tokio::time::sleep(delay).await;
            continue;
        }
        return match result {
            Ok(response) if response.status().is_success() => Ok(Raw {
                response,
                attempts: sends,
                rate_limit,
            }),
            Ok(response) => Err(Error::from_response(
                response.status(),
                response.body(),
                rate_limit,
                sends,
            )),
            Err(source) => Err(Error::Transport {
                source,
                attempts: sends,
            }),
        };
    }
}

/// Decodes a JSON body; an empty body is an error, never a panic.
pub(crate) fn decode_json<T: DeserializeOwned>(
    status: StatusCode,
    body: &Bytes,
) -> Result<T, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Decode(DecodeError::empty(status)));
    }
    serde_json::from_slice(body).map_err(|e| Error::Decode(DecodeError::from_serde(status, &e)))
}

/// For operations without a result (DELETE): the body is not read.
pub(crate) fn decode_unit(_status: StatusCode, _body: &Bytes) -> Result<(), Error> {
    Ok(())
}

type DecodeFn<T> = fn(StatusCode, &Bytes) -> Result<T, Error>;

/// The result of a call together with what the response said about it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub data: T,
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The parsed `x-ratelimit-*` headers, when present.
    pub rate_limit: Option<RateLimit>,
    /// How many attempts the call took.
    pub attempts: u32,
}

impl<T> Response<T> {
    /// The decoded body, dropping the metadata.
    pub fn into_data(self) -> T {
        self.data
    }
}

/// One prepared API call. `.await` it for the data, or call
/// [`with_response`](Self::with_response) for the status, headers and rate-limit state too.
///
/// Argument and validation errors found while preparing it are returned when it is awaited,
/// before anything is sent.
#[must_use = "a Call does nothing until it is awaited"]
pub struct Call<T> {
    client: Client,
    spec: Result<RequestSpec, Error>,
    bearer: Option<SecretString>,
    decode: DecodeFn<T>,
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field(
                "operation",
                &self.spec.as_ref().map(|s| s.operation).unwrap_or("invalid"),
            )
            .field("bearer_override", &self.bearer.is_some())
            .finish()
    }
}

impl<T: Send + 'static> Call<T> {
    pub(crate) fn new(
        client: &Client,
        spec: Result<RequestSpec, Error>,
        decode: DecodeFn<T>,
    ) -> Self {
        Self {
            client: client.clone(),
            spec,
            bearer: None,
            decode,
        }
    }

    /// Sends this call with `token` instead of the client's token, e.g. the primary user's own
    /// access token for a `link_with` request. It is not refreshed on a 401.
    pub fn bearer(mut self, token: impl Into<SecretString>) -> Self {
        self.bearer = Some(token.into());
        self
    }

    /// Sends the call and returns the data with the status, headers and rate-limit state.
    ///
    /// # Errors
    /// See [`Error`]: validation and argument errors before sending, then API, transport and
    /// decode errors.
    pub async fn with_response(self) -> Result<Response<T>, Error> {
        let spec = self.spec?;
        let span = tracing::info_span!(
            "users_client",
            operation = spec.operation,
            method = %spec.method,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        let inner = &self.client.inner;
        let raw = execute(inner, &spec, self.bearer.as_ref())
            .instrument(span.clone())
            .await;
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => {
                span.record("attempts", e.attempts());
                if let Some(s) = e.status() {
                    span.record("status", s.as_u16());
                }
                return Err(e);
            }
        };
        span.record("attempts", raw.attempts);
        let (parts, body) = raw.response.into_parts();
        span.record("status", parts.status.as_u16());
        let data = (self.decode)(parts.status, &body).map_err(|e| e.with_attempts(raw.attempts))?;
        Ok(Response {
            data,
            status: parts.status,
            headers: parts.headers,
            rate_limit: raw.rate_limit,
            attempts: raw.attempts,
        })
    }
}

impl<T: Send + 'static> IntoFuture for Call<T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.with_response().await.map(Response::into_data) })
    }
}
