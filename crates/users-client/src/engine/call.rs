//! The public call: [`Call`] (a prepared operation with per-call overrides) and [`Response`].

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;

use crate::client::Client;
use crate::engine::attempt::own_timer;
use crate::engine::attempts::{Attempts, Raw};
use crate::engine::credentials::Credential;
use crate::engine::ratelimit::RateLimit;
use crate::engine::retry::RetryPolicy;
use crate::engine::state::Inner;
use crate::error::{DecodeError, Error};

pub(crate) use crate::engine::spec::{RequestSpec, serialize_json};

/// The telemetry header's name, parsed once: inserting by `&str` would parse and validate the
/// name again on every attempt.
const AUTH0_CLIENT: HeaderName = HeaderName::from_static("auth0-client");

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

/// What a call changes from the client's configuration (node-auth0's `initOverrides`). Boxed
/// in [`Call`], so a call without overrides carries one pointer.
#[derive(Default)]
pub(crate) struct Overrides {
    bearer: Option<SecretString>,
    headers: HeaderMap,
    retry: Option<RetryPolicy>,
    timeout: Option<Option<Duration>>,
    skip_validation: bool,
    /// The first unusable override, reported when the call is awaited.
    invalid: Option<Error>,
}

impl Clone for Overrides {
    fn clone(&self) -> Self {
        Self {
            bearer: self.bearer.clone(),
            headers: self.headers.clone(),
            retry: self.retry.clone(),
            timeout: self.timeout,
            skip_validation: self.skip_validation,
            invalid: self.invalid.as_ref().map(Error::duplicate),
        }
    }
}

/// One prepared API call. `.await` it for the data, or call
/// [`with_response`](Self::with_response) for the status, headers and rate-limit state too.
///
/// Argument and validation errors found while preparing it are returned when it is awaited,
/// before anything is sent. The builder-style methods change this call only (node-auth0's
/// `initOverrides`). A few operations send more than one request (the metadata helpers read,
/// then patch); the per-call settings apply to each of their requests, and
/// [`with_response`](Self::with_response) describes the last one sent.
///
/// # Example
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = users_doctest::client();
/// use std::time::Duration;
/// use users_client::RetryPolicy;
/// let response = client
///     .users()
///     .get("auth0|123")
///     .header("X-Correlation-ID", "import-2026-11-30")
///     .retry(RetryPolicy::disabled())
///     .timeout(Some(Duration::from_secs(5)))
///     .with_response()
///     .await?;
/// assert_eq!(response.attempts, 1);
/// # Ok(()) }
/// ```
#[must_use = "a Call does nothing until it is awaited"]
pub struct Call<T> {
    client: Client,
    plan: Plan<T>,
    overrides: Option<Box<Overrides>>,
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
    overrides: Option<Box<Overrides>>,
}

impl Inherited {
    /// `call` with these settings.
    pub(crate) fn onto<U>(&self, mut call: Call<U>) -> Call<U> {
        call.overrides.clone_from(&self.overrides);
        call
    }
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operation = match &self.plan {
            Plan::One(spec, _) => spec.as_ref().map(|s| s.operation).unwrap_or("invalid"),
            Plan::Steps(steps) => steps.operation,
        };
        let o = self.overrides.as_deref();
        f.debug_struct("Call")
            .field("operation", &operation)
            .field("bearer_override", &o.is_some_and(|o| o.bearer.is_some()))
            .field("extra_headers", &o.map_or(0, |o| o.headers.len()))
            .field("retry_override", &o.and_then(|o| o.retry.as_ref()))
            .field("timeout_override", &o.and_then(|o| o.timeout))
            .field("skip_validation", &o.is_some_and(|o| o.skip_validation))
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
            overrides: None,
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
            overrides: None,
        }
    }

    fn overrides(&mut self) -> &mut Overrides {
        self.overrides.get_or_insert_with(Box::default)
    }

    /// Sends this call with `token` instead of the client's token, e.g. the primary user's own
    /// access token for a `link_with` request. It is not refreshed on a 401.
    pub fn bearer(mut self, token: impl Into<SecretString>) -> Self {
        self.overrides().bearer = Some(token.into());
        self
    }

    /// Adds a header to this call's requests, e.g. `X-Correlation-ID` or
    /// `auth0-custom-domain`; it replaces a client default header of the same name.
    /// `Authorization` cannot be set this way (use [`bearer`](Self::bearer)).
    ///
    /// An invalid name or value, or `Authorization`, fails the call with
    /// [`Error::InvalidArgument`] before anything is sent. The value is kept out of `Debug`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let parsed = HeaderName::try_from(name)
            .map_err(|_| "is not a valid header name")
            .and_then(|n| {
                if n == header::AUTHORIZATION {
                    return Err("cannot be Authorization; use .bearer(..)");
                }
                let mut v = HeaderValue::try_from(value)
                    .map_err(|_| "has a value not allowed in a header")?;
                v.set_sensitive(true);
                Ok((n, v))
            });
        let overrides = self.overrides();
        match parsed {
            Ok((n, v)) => {
                overrides.headers.append(n, v);
            }
            Err(reason) => {
                overrides.invalid.get_or_insert(Error::InvalidArgument {
                    argument: "header",
                    reason,
                });
            }
        }
        self
    }

    /// Uses `policy` for this call instead of the client's retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.overrides().retry = Some(policy);
        self
    }

    /// Bounds each attempt of this call by `timeout` instead of the client's timeout (`None`
    /// leaves it to the transport), as [`ClientBuilder::timeout`](crate::ClientBuilder::timeout)
    /// does for every call.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.overrides().timeout = Some(timeout);
        self
    }

    /// Sends this call without `users-model`'s pre-send validation, e.g. to send a field the
    /// server accepts but this version's rules do not know yet. The server still validates.
    pub fn skip_validation(mut self) -> Self {
        self.overrides().skip_validation = true;
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
                    overrides: self.overrides,
                };
                return (steps.run)(self.client, inherited).await;
            }
        };
        send(
            self.client,
            spec,
            self.overrides,
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

/// One attempt's request: the call's URI and `Authorization` value, the client's headers and
/// this call's.
fn build_request(
    inner: &Inner,
    spec: &RequestSpec,
    extra: Option<&HeaderMap>,
    uri: &Uri,
    authorization: Option<HeaderValue>,
) -> http::Request<Bytes> {
    let mut request = http::Request::new(spec.body.clone().unwrap_or_default());
    *request.method_mut() = spec.method.clone();
    *request.uri_mut() = uri.clone();
    let headers = request.headers_mut();
    // Room for the client's headers and those the HTTP stack adds below (host,
    // content-length, reqwest's accept), so the map is allocated once and never grows.
    headers.reserve(inner.default_headers.len() + extra.map_or(0, HeaderMap::len) + 6);
    for (name, value) in &inner.default_headers {
        headers.append(name, value.clone());
    }
    if let Some(extra) = extra {
        for name in extra.keys() {
            headers.remove(name);
        }
        for (name, value) in extra {
            headers.append(name, value.clone());
        }
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
    if let Some(authorization) = authorization {
        headers.insert(header::AUTHORIZATION, authorization);
    }
    request
}

/// Sends a prepared call and hands the decoded data and what the response said to `finish`:
/// `with_response` keeps it all, `.await` only the data.
async fn send<T, R>(
    client: Client,
    mut spec: RequestSpec,
    overrides: Option<Box<Overrides>>,
    decode: DecodeFn<T>,
    finish: fn(T, http::response::Parts, Option<RateLimit>, u32) -> R,
) -> Result<R, Error> {
    let started = Instant::now();
    let inner = &*client.inner;
    let o = overrides.as_deref();
    if let Some(e) = overrides.as_ref().and_then(|o| o.invalid.as_ref()) {
        return Err(e.duplicate());
    }
    if let Some(violations) = spec.violations.take()
        && !o.is_some_and(|o| o.skip_validation)
    {
        return Err(Error::Validation(violations));
    }
    let span = tracing::info_span!(
        "users_client",
        operation = spec.operation,
        method = %spec.method,
        attempts = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    let uri = spec.take_uri(&inner.target.api)?;
    let timeout = match o.and_then(|o| o.timeout) {
        Some(wanted) => own_timer(wanted, inner.transport_timeout),
        None => inner.own_timer,
    };
    let attempts = Attempts {
        transport: &*inner.transport,
        timeout,
        policy: o.and_then(|o| o.retry.as_ref()).unwrap_or(&inner.retry),
        idempotency: spec.idempotency,
        gate: Some(&inner.gate),
        clock: inner.clock,
        started,
    };
    let credential = Credential::new(
        inner.static_authorization.as_ref(),
        &*inner.auth,
        o.and_then(|o| o.bearer.as_ref()),
    );
    let extra = o.map(|o| &o.headers).filter(|h| !h.is_empty());
    let run = attempts.run(Some(credential), |authorization| {
        build_request(inner, &spec, extra, &uri, authorization)
    });
    // A disabled span is not worth wrapping the whole loop for.
    let raw = if span.is_disabled() {
        run.await
    } else {
        run.instrument(span.clone()).await
    };
    let raw: Raw = match raw {
        Ok(raw) => raw,
        Err(stopped) => {
            let e = stopped.into_api_error();
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
                self.overrides,
                decode,
                |data, _, _, _| data,
            )),
            Plan::One(Err(e), _) => Box::pin(std::future::ready(Err(e))),
            Plan::Steps(steps) => {
                let inherited = Inherited {
                    overrides: self.overrides,
                };
                let running = (steps.run)(self.client, inherited);
                Box::pin(async move { running.await.map(Response::into_data) })
            }
        }
    }
}
