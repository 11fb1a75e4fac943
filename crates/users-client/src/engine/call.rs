//! Building requests and the attempt loop: gate, token, send, rate-limit bookkeeping, retry.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::uri::{self, PathAndQuery};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;
use users_model::operation::{Operation, RetryClass};
use users_model::{MAX_BODY_BYTES, encode_component_into};
use users_transport::{Transport, TransportError, TransportErrorKind};

use crate::client::{Client, Inner, Target};
use crate::engine::ratelimit::RateLimit;
use crate::engine::retry::{self, Decision, Idempotency, Outcome};
use crate::error::{DecodeError, Error};

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

/// The future of one attempt.
pub(crate) type Attempt<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, TransportError>> + Send + 'a>>;

/// One attempt through the transport, bounded by the client's own timer when it has one
/// (`Inner::timeout`: `None` when the transport enforces a limit at least as tight).
///
/// Without a timer this is the transport's own (already boxed) future, so the caller's state
/// holds a pointer rather than a timer; with one, the timer and that future are boxed together.
pub(crate) fn attempt_once(
    transport: &dyn Transport,
    request: http::Request<Bytes>,
    timeout: Option<Duration>,
) -> Attempt<'_> {
    let send = transport.send(request);
    match timeout {
        Some(limit) => Box::pin(async move {
            match tokio::time::timeout(limit, send).await {
                Ok(result) => result,
                Err(_) => Err(TransportError::new(TransportErrorKind::Timeout)),
            }
        }),
        None => send,
    }
}

/// A request body as JSON: the bytes sent, whose length validation also measures.
pub(crate) fn serialize_json<B: Serialize + ?Sized>(body: &B) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(body).map_err(|_| Error::InvalidArgument {
        argument: "body",
        reason: "could not be serialized as JSON",
    })
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
    /// The request for `op` with its path parameters, in the template's order; refused before
    /// the network when an argument cannot be one path segment.
    pub fn of(op: &'static Operation, args: &[&str]) -> Result<Self, Error> {
        let path = op.render_path(args).map_err(|e| Error::InvalidArgument {
            argument: e.param,
            reason: e.reason,
        })?;
        let method = Method::from_bytes(op.method.as_str().as_bytes()).map_err(|_| {
            Error::InvalidArgument {
                argument: "method",
                reason: "is not an HTTP method",
            }
        })?;
        let mut spec = Self::new(op.id, method, path);
        // A class added later is treated as unsafe to repeat until this learns it.
        spec.idempotency = match op.retry {
            RetryClass::Idempotent => Idempotency::Idempotent,
            _ => Idempotency::NonIdempotent,
        };
        Ok(spec)
    }

    fn new(operation: &'static str, method: Method, path: String) -> Self {
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

    pub fn json<B: Serialize + ?Sized>(self, body: &B) -> Result<Self, Error> {
        self.json_bytes(serialize_json(body)?)
    }

    /// The body as serialized by [`serialize_json`], refused when over the API's limit.
    pub fn json_bytes(mut self, bytes: Vec<u8>) -> Result<Self, Error> {
        if bytes.len() > MAX_BODY_BYTES {
            return Err(Error::InvalidArgument {
                argument: "body",
                reason: "is larger than the API's 1 MiB request limit",
            });
        }
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// The request URI, put together once per call from the client's pre-parsed scheme and
    /// authority and this operation's path and query. The path's buffer becomes the URI's (the
    /// path is left empty).
    fn take_uri(&mut self, target: &Target) -> Result<Uri, Error> {
        let invalid = || Error::Config("the request URI is invalid".into());
        let api = target.api_parts.as_ref().ok_or_else(invalid)?;
        let query_len: usize = self.query.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        let needed = api.path.len() + self.path.len() + query_len;
        let mut path = if self.path.capacity() >= needed {
            let mut path = std::mem::take(&mut self.path);
            path.insert_str(0, &api.path);
            path
        } else {
            // A new buffer rather than growing this one: a realloc always takes the
            // allocator's arena lock, a small allocation usually not.
            let mut path = String::with_capacity(needed);
            path.push_str(&api.path);
            path.push_str(&self.path);
            path
        };
        for (i, (k, v)) in self.query.iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str(k);
            path.push('=');
            encode_component_into(v, &mut path);
        }
        let mut parts = uri::Parts::default();
        parts.scheme = Some(api.scheme.clone());
        parts.authority = Some(api.authority.clone());
        parts.path_and_query =
            Some(PathAndQuery::from_maybe_shared(Bytes::from(path)).map_err(|_| invalid())?);
        Uri::from_parts(parts).map_err(|_| invalid())
    }
}

const BEARER: &[u8] = b"Bearer ";

/// `Bearer {token}` as a sensitive header value.
///
/// `from_maybe_shared` (not `from_str`) so a token with non-ASCII bytes is sent as-is, like
/// node. Built in one buffer that the header value takes over: `from_bytes` would copy it again.
pub(crate) fn authorization_value(token: &SecretString) -> Result<HeaderValue, Error> {
    let secret = token.expose_secret();
    let mut value = Vec::with_capacity(BEARER.len() + secret.len());
    value.extend_from_slice(BEARER);
    value.extend_from_slice(secret.as_bytes());
    let mut auth = HeaderValue::from_maybe_shared(Bytes::from(value)).map_err(|_| {
        Error::Config("the access token contains bytes not allowed in a header".into())
    })?;
    auth.set_sensitive(true);
    Ok(auth)
}

/// One attempt's request: the call's URI and `Authorization` value (built once per call) and
/// the client's headers.
fn build_request(
    inner: &Inner,
    spec: &RequestSpec,
    uri: Uri,
    authorization: HeaderValue,
) -> http::Request<Bytes> {
    let mut request = http::Request::new(spec.body.clone().unwrap_or_default());
    *request.method_mut() = spec.method.clone();
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    // Room for the client's headers and those the HTTP stack adds below (host,
    // content-length, reqwest's accept), so the map is allocated once and never grows.
    headers.reserve(inner.default_headers.len() + 6);
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
    headers.insert(header::AUTHORIZATION, authorization);
    request
}

/// The `Authorization` value for the next attempt, rebuilt only when the token changed.
enum Credential<'a> {
    /// The client's static token: its value was built with the client.
    Static(&'a HeaderValue),
    /// A per-call bearer ([`Call::bearer`]): built on the first attempt.
    Bearer(&'a SecretString, Option<HeaderValue>),
    /// The client's token provider, asked before every attempt: the token last sent and its
    /// value, reused while the provider returns the same token.
    Provider(Option<(SecretString, HeaderValue)>),
}

impl<'a> Credential<'a> {
    fn new(inner: &'a Inner, bearer: Option<&'a SecretString>) -> Self {
        match (bearer, &inner.static_authorization) {
            (Some(token), _) => Credential::Bearer(token, None),
            (None, Some(value)) => Credential::Static(value),
            (None, None) => Credential::Provider(None),
        }
    }

    async fn authorization(&mut self, inner: &Inner) -> Result<HeaderValue, Error> {
        match self {
            Credential::Static(value) => Ok((*value).clone()),
            Credential::Bearer(_, Some(value)) => Ok(value.clone()),
            Credential::Bearer(token, built) => {
                let value = authorization_value(token)?;
                *built = Some(value.clone());
                Ok(value)
            }
            Credential::Provider(last) => {
                let token = inner.auth.access_token().await?;
                match last {
                    Some((sent, value)) if sent.expose_secret() == token.expose_secret() => {
                        Ok(value.clone())
                    }
                    _ => {
                        let value = authorization_value(&token)?;
                        *last = Some((token, value.clone()));
                        Ok(value)
                    }
                }
            }
        }
    }

    /// The provider's token that the last attempt sent, which a 401 rejected. A static token or
    /// a per-call bearer has nothing to refresh.
    fn refreshable(&self) -> Option<&SecretString> {
        match self {
            Credential::Provider(Some((token, _))) => Some(token),
            _ => None,
        }
    }
}

/// A successful exchange before decoding.
pub(crate) struct Raw {
    pub response: http::Response<Bytes>,
    pub attempts: u32,
    pub rate_limit: Option<RateLimit>,
}

/// Runs the attempt loop for `spec`, sent to `uri`.
pub(crate) async fn execute(
    inner: &Inner,
    spec: &RequestSpec,
    uri: Uri,
    bearer: Option<&SecretString>,
) -> Result<Raw, Error> {
    let started = Instant::now();
    let mut credential = Credential::new(inner, bearer);
    let mut attempt = 0u32;
    let mut sends = 0u32;
    let mut refreshed = false;
    loop {
        attempt += 1;
        sends += 1;
        inner.gate.wait().await;
        let authorization = credential.authorization(inner).await?;
        let request = build_request(inner, spec, uri.clone(), authorization);
        let span = tracing::debug_span!(
            "attempt",
            attempt = sends,
            status = tracing::field::Empty,
            delay_ms = tracing::field::Empty
        );
        let sending = attempt_once(&*inner.transport, request, inner.timeout);
        // A disabled span (no subscriber, or filtered out) records nothing when entered: the
        // attempt is awaited as it is rather than moved into an `Instrumented` wrapper.
        let result = if span.is_disabled() {
            sending.await
        } else {
            sending.instrument(span.clone()).await
        };
        let next = settle(
            inner,
            spec,
            result,
            &span,
            Settle {
                attempt,
                sends,
                refreshable: !refreshed && credential.refreshable().is_some(),
                started,
            },
        );
        match next {
            Next::Done(done) => return done,
            Next::Refresh(rejected) => {
                if let Some(token) = credential.refreshable()
                    && inner.auth.invalidate(token).await
                {
                    refreshed = true;
                    attempt -= 1;
                    tracing::debug!(parent: &span, "401: retrying once with a fresh token");
                    continue;
                }
                return Err(rejected);
            }
            Next::Retry(delay) => {
                // Boxed: the timer is only needed on this path, so the call's state does not
                // carry room for it on every attempt.
                Box::pin(tokio::time::sleep(delay)).await;
            }
        }
    }
}

/// What the attempt loop does after an attempt.
enum Next {
    /// Return this.
    Done(Result<Raw, Error>),
    /// A 401 with a provider's token: ask the provider to invalidate it, and return this error
    /// if it cannot offer another.
    Refresh(Error),
    /// Wait this long, then make another attempt.
    Retry(Duration),
}

/// The attempt loop's counters that [`settle`] reads.
struct Settle {
    attempt: u32,
    sends: u32,
    /// A 401 may still be answered with a fresh token.
    refreshable: bool,
    started: Instant,
}

/// Everything the attempt loop does with an attempt's result that needs no waiting: the
/// rate-limit bookkeeping, the 401 rule and the retry decision. Kept out of the loop's
/// `async fn` so the response is never part of the call's state across a wait.
fn settle(
    inner: &Inner,
    spec: &RequestSpec,
    result: Result<http::Response<Bytes>, TransportError>,
    span: &tracing::Span,
    at: Settle,
) -> Next {
    let mut rate_limit = None;
    let success = matches!(&result, Ok(r) if r.status().is_success());
    if let Ok(resp) = &result {
        span.record("status", resp.status().as_u16());
        rate_limit = RateLimit::from_headers(resp.headers());
    }
    // The wall clock is read only when something needs it: a hold from an empty bucket, or the
    // retry decision after a failure (a success is never retried).
    let holds = rate_limit.is_some_and(|rl| rl.remaining == Some(0));
    let now_epoch_ms = if holds || !success { epoch_ms_now() } else { 0 };
    if let Some(rl) = &rate_limit {
        inner.gate.observe(rl, now_epoch_ms);
    }
    let result = match result {
        Ok(response) if success => {
            return Next::Done(Ok(Raw {
                response,
                attempts: at.sends,
                rate_limit,
            }));
        }
        other => other,
    };
    // A 401 means the token was rejected: a fresh one may work, so the call is repeated once
    // outside the retry budget. A static token or a per-call bearer has nothing to refresh. A
    // 401 is never retried otherwise (`retry::decide` stops on it), so its error is made now,
    // for the case the provider has no other token.
    let unauthorized = matches!(&result, Ok(r) if r.status() == StatusCode::UNAUTHORIZED);
    if unauthorized && at.refreshable {
        return Next::Refresh(failure(result, rate_limit, at.sends));
    }
    let outcome = Outcome::of(&result);
    let decision = retry::decide(
        &inner.retry,
        at.attempt,
        spec.idempotency,
        &outcome,
        now_epoch_ms,
        rand::random::<f64>(),
        at.started.elapsed(),
    );
    match decision {
        Decision::Retry(delay) => {
            span.record("delay_ms", millis(delay));
            tracing::debug!(parent: span, "retrying");
            Next::Retry(delay)
        }
        Decision::Stop => Next::Done(Err(failure(result, rate_limit, at.sends))),
    }
}

/// The error of a final attempt that did not succeed.
fn failure(
    result: Result<http::Response<Bytes>, TransportError>,
    rate_limit: Option<RateLimit>,
    sends: u32,
) -> Error {
    match result {
        Ok(response) => Error::from_response(response.status(), response.body(), rate_limit, sends),
        Err(source) => Error::Transport {
            source,
            attempts: sends,
        },
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
/// before anything is sent. A few operations send more than one request (the metadata
/// helpers read, then patch); the per-call settings apply to each of their requests, and
/// [`with_response`](Self::with_response) describes the last one sent.
#[must_use = "a Call does nothing until it is awaited"]
pub struct Call<T> {
    client: Client,
    plan: Plan<T>,
    bearer: Option<SecretString>,
}

/// What a [`Call`] sends.
enum Plan<T> {
    /// One request, decoded by `decode`.
    One(Result<RequestSpec, Error>, DecodeFn<T>),
    /// Other calls, run by an operation (e.g. a read-modify-write).
    Steps(Steps<T>),
}

/// A call made of other calls: given the client and the per-call settings, it runs its calls
/// (each with those settings, see [`Inherited::onto`]) and returns the last one's response.
pub(crate) struct Steps<T> {
    operation: &'static str,
    run: Box<dyn FnOnce(Client, Inherited) -> BoxedResponse<T> + Send>,
}

type BoxedResponse<T> = Pin<Box<dyn Future<Output = Result<Response<T>, Error>> + Send>>;

/// The per-call settings of a composed call, handed on to each call it makes.
#[derive(Clone)]
pub(crate) struct Inherited {
    bearer: Option<SecretString>,
}

impl Inherited {
    /// `call` with these settings.
    pub(crate) fn onto<U>(&self, mut call: Call<U>) -> Call<U> {
        call.bearer.clone_from(&self.bearer);
        call
    }
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operation = match &self.plan {
            Plan::One(spec, _) => spec.as_ref().map(|s| s.operation).unwrap_or("invalid"),
            Plan::Steps(steps) => steps.operation,
        };
        f.debug_struct("Call")
            .field("operation", &operation)
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
            plan: Plan::One(spec, decode),
            bearer: None,
        }
    }

    /// A call that runs `steps` with the client and this call's settings when awaited.
    pub(crate) fn steps<F, Fut>(client: &Client, operation: &'static str, steps: F) -> Self
    where
        F: FnOnce(Client, Inherited) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Response<T>, Error>> + Send + 'static,
    {
        Self {
            client: client.clone(),
            plan: Plan::Steps(Steps {
                operation,
                run: Box::new(move |client, inherited| Box::pin(steps(client, inherited))),
            }),
            bearer: None,
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
        let (spec, decode) = match self.plan {
            Plan::One(spec, decode) => (spec?, decode),
            Plan::Steps(steps) => {
                let inherited = Inherited {
                    bearer: self.bearer,
                };
                return (steps.run)(self.client, inherited).await;
            }
        };
        send(
            self.client,
            spec,
            self.bearer,
            decode,
            |data, parts, rate_limit, attempts| Response {
                data,
                status: parts.status,
                headers: parts.headers,
                rate_limit,
                attempts,
            },
        )
        .await
    }
}

/// Sends a prepared call and hands the decoded data and what the response said to `finish`:
/// `with_response` keeps it all, `.await` only the data (which is then moved once less).
///
/// Takes the call's parts rather than the `Call`, whose `spec` is checked first: a future
/// keeps its arguments for its whole life, so this one holds the request's description once,
/// not once as a `Result` and again unwrapped.
async fn send<T, R>(
    client: Client,
    mut spec: RequestSpec,
    bearer: Option<SecretString>,
    decode: DecodeFn<T>,
    finish: fn(T, http::response::Parts, Option<RateLimit>, u32) -> R,
) -> Result<R, Error> {
    let span = tracing::info_span!(
        "users_client",
        operation = spec.operation,
        method = %spec.method,
        attempts = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    let inner = &client.inner;
    let uri = spec.take_uri(&inner.target)?;
    let attempts = execute(inner, &spec, uri, bearer.as_ref());
    // As for each attempt: a disabled span is not worth wrapping the whole loop for.
    let raw = if span.is_disabled() {
        attempts.await
    } else {
        attempts.instrument(span.clone()).await
    };
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
    let data = decode(parts.status, &body).map_err(|e| e.with_attempts(raw.attempts))?;
    Ok(finish(data, parts, raw.rate_limit, raw.attempts))
}

impl<T: Send + 'static> IntoFuture for Call<T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        match self.plan {
            Plan::One(Ok(spec), decode) => Box::pin(send(
                self.client,
                spec,
                self.bearer,
                decode,
                |data, _, _, _| data,
            )),
            Plan::One(Err(e), _) => Box::pin(std::future::ready(Err(e))),
            Plan::Steps(steps) => {
                let inherited = Inherited {
                    bearer: self.bearer,
                };
                let running = (steps.run)(self.client, inherited);
                Box::pin(async move { running.await.map(Response::into_data) })
            }
        }
    }
}
