//! Access tokens: a static token, the client-credentials grant with a shared cache, or any
//! [`TokenProvider`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::Instrument;
use users_model::encode_component;
use users_transport::Transport;

use crate::engine::call::{attempt_once, epoch_ms_now, millis};
use crate::engine::retry::{self, Decision, Idempotency, Outcome, RetryPolicy};
use crate::error::{DecodeError, Error, TokenError};

/// A token is refreshed this long before the server says it expires, as node-auth0 does, so a
/// request never leaves with a token that dies in flight.
pub const EXPIRY_LEEWAY: Duration = Duration::from_secs(10);

/// Supplies the bearer token for Management API calls.
///
/// Implement it to plug in any other source (a secrets manager, a token minted elsewhere).
/// The client calls [`access_token`](Self::access_token) before every attempt, so an
/// implementation should cache.
#[async_trait::async_trait]
pub trait TokenProvider: Send + Sync + 'static {
    /// Returns a token to send as `Authorization: Bearer <token>`.
    ///
    /// # Errors
    /// Whatever prevented obtaining a token, typically [`Error::Token`] or [`Error::Transport`].
    async fn access_token(&self) -> Result<SecretString, Error>;

    /// Called when the API answered 401 to `rejected`. Returns true when a *different* token
    /// can now be obtained, so the client repeats the call once; the default returns false.
    async fn invalidate(&self, rejected: &SecretString) -> bool {
        let _ = rejected;
        false
    }
}

/// A fixed token, e.g. one copied from the dashboard or a user's own access token.
#[derive(Clone)]
pub struct StaticToken(SecretString);

impl StaticToken {
    /// Wraps `token`.
    pub fn new(token: impl Into<SecretString>) -> Self {
        Self(token.into())
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(***)")
    }
}

#[async_trait::async_trait]
impl TokenProvider for StaticToken {
    async fn access_token(&self) -> Result<SecretString, Error> {
        Ok(self.0.clone())
    }
}

/// The client-credentials grant, sent through the client's own transport.
pub(crate) struct ClientCredentials {
    pub transport: Arc<dyn Transport>,
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub audience: String,
    pub telemetry: Option<HeaderValue>,
    pub timeout: Option<Duration>,
    pub retry: RetryPolicy,
    /// Held across the token request: concurrent callers queue here and find the token the
    /// first one fetched (single flight). Failures leave it empty, so nothing bad is cached.
    pub cache: Mutex<Option<CachedToken>>,
}

pub(crate) struct CachedToken {
    token: SecretString,
    refresh_at: Instant,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
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

    fn request(&self) -> Result<Request<Bytes>, Error> {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(&self.token_url)
            .header(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
        if let Some(t) = &self.telemetry {
            builder = builder.header("auth0-client", t.clone());
        }
        builder
            .body(self.form_body())
            .map_err(|_| Error::Config("the token URL is not a valid URI".into()))
    }

    async fn fetch(&self) -> Result<(SecretString, Option<u64>), Error> {
        self.fetch_attempts()
            .instrument(tracing::debug_span!("users_client.token_request"))
            .await
    }

    async fn fetch_attempts(&self) -> Result<(SecretString, Option<u64>), Error> {
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = attempt_once(&*self.transport, self.request()?, self.timeout).await;
            let outcome = Outcome::of(&result);
            // Asking for a token twice is harmless, so every transient failure may be repeated.
            let decision = retry::decide(
                &self.retry,
                attempt,
                Idempotency::Idempotent,
                &outcome,
                epoch_ms_now(),
                rand::random::<f64>(),
                started.elapsed(),
            );
            let status = result.as_ref().ok().map(|r| r.status().as_u16());
            tracing::debug!(attempt, status, "token attempt finished");
            if let Decision::Retry(delay) = decision {
                tracing::debug!(delay_ms = millis(delay), "retrying token request");
                tokio::time::sleep(delay).await;
                continue;
            }
            let resp = result.map_err(|source| Error::Transport {
                source,
                attempts: attempt,
            })?;
            let status = resp.status();
            if !status.is_success() {
                let body: TokenErrorBody = serde_json::from_slice(resp.body()).unwrap_or_default();
                return Err(Error::Token(Box::new(TokenError {
                    status,
                    error: body.error.or(body.code),
                    error_description: body.error_description.or(body.description),
                    attempts: attempt,
                })));
            }
            return parse_token(status, resp.body());
        }
    }
}

fn parse_token(status: StatusCode, body: &[u8]) -> Result<(SecretString, Option<u64>), Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Decode(DecodeError::empty(status)));
    }
    let parsed: TokenResponse = serde_json::from_slice(body)
        .map_err(|e| Error::Decode(DecodeError::from_serde(status, &e)))?;
    if parsed.access_token.is_empty() {
        return Err(Error::Token(Box::new(TokenError {
            status,
            error: Some("empty_access_token".into()),
            error_description: Some("the token endpoint returned an empty access_token".into()),
            attempts: 1,
        })));
    }
    Ok((SecretString::from(parsed.access_token), parsed.expires_in))
}

#[async_trait::async_trait]
impl TokenProvider for ClientCredentials {
    async fn access_token(&self) -> Result<SecretString, Error> {
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref()
            && Instant::now() < c.refresh_at
        {
            return Ok(c.token.clone());
        }
        *cache = None;
        let (token, expires_in) = self.fetch().await?;
        // Without `expires_in` the token's life is unknown: use it for this call only.
        if let Some(secs) = expires_in {
            let life = Duration::from_secs(secs).saturating_sub(EXPIRY_LEEWAY);
            if !life.is_zero() {
                *cache = Some(CachedToken {
                    token: token.clone(),
                    refresh_at: Instant::now() + life,
                });
            }
        }
        Ok(token)
    }

    async fn invalidate(&self, rejected: &SecretString) -> bool {
        let mut cache = self.cache.lock().await;
        // Another caller may already have replaced the rejected token: keep the fresh one.
        if cache
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == rejected.expose_secret())
        {
            *cache = None;
        }
        true
    }
}
