//! The client-credentials grant: tokens from `/oauth/token` through the client's own transport
//! and attempt loop, cached and fetched by one caller at a time for everyone (single flight).

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, StatusCode, Uri, header};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::time::Instant;
use tracing::Instrument;
use users_model::encode_component;
use users_transport::Transport;

use crate::engine::attempts::{Attempts, Stopped};
use crate::engine::credentials::{TokenProvider, authorization_value};
use crate::engine::retry::{Idempotency, RetryPolicy};
use crate::engine::time::{self, WallClock};
use crate::error::{DecodeError, Error, TokenError};

/// A token is refreshed this long before the server says it expires, as node-auth0 does, so a
/// request never leaves with a token that dies in flight.
pub const EXPIRY_LEEWAY: Duration = Duration::from_secs(10);

const AUTH0_CLIENT: HeaderName = HeaderName::from_static("auth0-client");

/// The client-credentials grant, sent through the client's own transport.
pub(crate) struct ClientCredentials {
    pub transport: Arc<dyn Transport>,
    /// `{origin}/oauth/token`, parsed at build.
    pub token_uri: Uri,
    pub client_id: String,
    pub client_secret: SecretString,
    pub audience: String,
    pub telemetry: Option<HeaderValue>,
    /// The client's own per-attempt timer (see `engine::attempt::own_timer`).
    pub timeout: Option<Duration>,
    pub retry: RetryPolicy,
    pub clock: WallClock,
    pub state: Mutex<TokenState>,
    /// Held by the one caller fetching; the others queue here in arrival order and take that
    /// fetch's result, token or error.
    pub fetching: tokio::sync::Mutex<()>,
}

/// The cache and the last fetch's result.
#[derive(Default)]
pub(crate) struct TokenState {
    cached: Option<CachedToken>,
    /// Fetches finished so far.
    generation: u64,
    /// The latest fetch's result, for the callers that queued behind it.
    last: Option<Result<SecretString, Error>>,
}

struct CachedToken {
    token: SecretString,
    refresh_at: Instant,
}

impl TokenState {
    fn fresh(&self, now: Instant) -> Option<SecretString> {
        self.cached
            .as_ref()
            .filter(|c| now < c.refresh_at)
            .map(|c| c.token.clone())
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_uri", &self.token_uri)
            .field("client_id", &self.client_id)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize, Default)]
struct TokenErrorBody {
    error: Option<String>,
    error_description: Option<String>,
    code: Option<String>,
    description: Option<String>,
}

impl ClientCredentials {
    fn lock(&self) -> MutexGuard<'_, TokenState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The form body, in node-auth0's key order (fixture `client_credentials_two_calls.json`).
    fn form_body(&self) -> Bytes {
        let body = format!(
            "client_id={}&audience={}&client_secret={}&grant_type=client_credentials",
            encode_component(&self.client_id),
            encode_component(&self.audience),
            encode_component(self.client_secret.expose_secret()),
        );
        Bytes::from(body)
    }

    fn request(&self) -> Request<Bytes> {
        let mut request = Request::new(self.form_body());
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.token_uri.clone();
        let headers = request.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        if let Some(t) = &self.telemetry {
            headers.insert(AUTH0_CLIENT, t.clone());
        }
        request
    }

    async fn fetch(&self) -> Result<(SecretString, Option<u64>), Error> {
        let attempts = Attempts {
            transport: &*self.transport,
            timeout: self.timeout,
            policy: &self.retry,
            // Asking for a token twice is harmless, so every transient failure may be repeated.
            idempotency: Idempotency::Idempotent,
            gate: None,
            clock: self.clock,
            started: Instant::now(),
        };
        let run = attempts.run(None, |_| self.request());
        match run
            .instrument(tracing::debug_span!("users_client.token_request"))
            .await
        {
            Ok(raw) => parse_token(raw.response.status(), raw.response.body(), raw.attempts),
            Err(Stopped::Answered {
                response, attempts, ..
            }) => {
                let body: TokenErrorBody =
                    serde_json::from_slice(response.body()).unwrap_or_default();
                Err(Error::Token(Box::new(TokenError {
                    status: response.status(),
                    error: body.error.or(body.code),
                    error_description: body.error_description.or(body.description),
                    attempts,
                })))
            }
            Err(Stopped::Failed { source, attempts }) => Err(Error::Transport { source, attempts }),
            Err(Stopped::Error(e)) => Err(e),
        }
    }
}

/// The token of a successful answer. A token that cannot be sent (a byte a header cannot carry)
/// is the token endpoint's error, so it is never cached.
fn parse_token(
    status: StatusCode,
    body: &[u8],
    attempts: u32,
) -> Result<(SecretString, Option<u64>), Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        let mut e = DecodeError::empty(status);
        e.attempts = attempts;
        return Err(Error::Decode(e));
    }
    let parsed: TokenResponse = serde_json::from_slice(body).map_err(|e| {
        let mut e = DecodeError::from_serde(status, &e);
        e.attempts = attempts;
        Error::Decode(e)
    })?;
    let refused = |error: &str, description: &str| {
        Err(Error::Token(Box::new(TokenError {
            status,
            error: Some(error.into()),
            error_description: Some(description.into()),
            attempts,
        })))
    };
    if parsed.access_token.is_empty() {
        return refused(
            "empty_access_token",
            "the token endpoint returned an empty access_token",
        );
    }
    let token = SecretString::from(parsed.access_token);
    if authorization_value(&token).is_none() {
        return refused(
            "invalid_access_token",
            "the token endpoint returned an access_token with bytes not allowed in a header",
        );
    }
    Ok((token, parsed.expires_in))
}

#[async_trait::async_trait]
impl TokenProvider for ClientCredentials {
    async fn access_token(&self) -> Result<SecretString, Error> {
        let seen = {
            let state = self.lock();
            if let Some(token) = state.fresh(Instant::now()) {
                return Ok(token);
            }
            state.generation
        };
        let _fetching = self.fetching.lock().await;
        {
            let state = self.lock();
            if let Some(token) = state.fresh(Instant::now()) {
                return Ok(token);
            }
            // A fetch finished while this caller queued: its result is this caller's too.
            if state.generation != seen {
                match &state.last {
                    Some(Ok(token)) => return Ok(token.clone()),
                    Some(Err(e)) => return Err(e.duplicate()),
                    None => {}
                }
            }
        }
        let result = self.fetch().await;
        let mut state = self.lock();
        state.generation = state.generation.wrapping_add(1);
        match result {
            Ok((token, expires_in)) => {
                // Without `expires_in` the token's life is unknown: it serves this generation's
                // callers only.
                let life = expires_in
                    .map(|secs| Duration::from_secs(secs).saturating_sub(EXPIRY_LEEWAY))
                    .filter(|life| !life.is_zero());
                state.cached = life.map(|life| CachedToken {
                    token: token.clone(),
                    refresh_at: time::after(Instant::now(), life),
                });
                state.last = Some(Ok(token.clone()));
                Ok(token)
            }
            Err(e) => {
                state.last = Some(Err(e.duplicate()));
                Err(e)
            }
        }
    }

    async fn invalidate(&self, rejected: &SecretString) -> bool {
        let mut state = self.lock();
        // Another caller may already have replaced the rejected token: keep the fresh one.
        let is_rejected = |t: &SecretString| t.expose_secret() == rejected.expose_secret();
        if state.cached.as_ref().is_some_and(|c| is_rejected(&c.token)) {
            state.cached = None;
        }
        if matches!(&state.last, Some(Ok(t)) if is_rejected(t)) {
            state.last = None;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_that_cannot_be_sent_are_the_endpoints_error() {
        for bad in ["a\r\nb", "nul\u{0}", "lf\n"] {
            let body = serde_json::json!({"access_token": bad, "expires_in": 86400}).to_string();
            let e = parse_token(StatusCode::OK, body.as_bytes(), 1).unwrap_err();
            assert_eq!(e.error_code(), Some("invalid_access_token"), "{bad:?}");
            assert!(
                !format!("{e} {e:?}").contains(bad),
                "the token is not echoed"
            );
        }
    }

    #[test]
    fn extreme_lifetimes_parse() {
        let body = format!(r#"{{"access_token":"t","expires_in":{}}}"#, u64::MAX);
        let (_, expires_in) = parse_token(StatusCode::OK, body.as_bytes(), 1).expect("parses");
        assert_eq!(expires_in, Some(u64::MAX));
    }
}
