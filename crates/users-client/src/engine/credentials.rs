//! Where an attempt's `Authorization` value comes from: the client's static token, a per-call
//! bearer, or a [`TokenProvider`] asked before every attempt.

use std::fmt;

use bytes::Bytes;
use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::error::Error;

/// Supplies the bearer token for Management API calls.
///
/// Implement it to plug in any other source (a secrets manager, a token minted elsewhere).
/// The client calls [`access_token`](Self::access_token) before every attempt, so an
/// implementation should cache. The time a caller waits for it counts against the call's
/// deadline ([`RetryPolicy::deadline`](crate::RetryPolicy::deadline)).
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

const BEARER: &[u8] = b"Bearer ";

/// `Bearer {token}` as a sensitive header value; `None` when the token holds bytes a header
/// cannot carry (CR, LF, NUL, other controls).
///
/// `from_maybe_shared` (not `from_str`) so a token with non-ASCII bytes is sent as-is, like
/// node. Built in one buffer that the header value takes over.
pub(crate) fn authorization_value(token: &SecretString) -> Option<HeaderValue> {
    let secret = token.expose_secret();
    let mut value = Vec::with_capacity(BEARER.len() + secret.len());
    value.extend_from_slice(BEARER);
    value.extend_from_slice(secret.as_bytes());
    let mut auth = HeaderValue::from_maybe_shared(Bytes::from(value)).ok()?;
    auth.set_sensitive(true);
    Some(auth)
}

/// The `Authorization` value for the next attempt, rebuilt only when the token changed.
pub(crate) enum Credential<'a> {
    /// The client's static token: its value was built (and checked) with the client.
    Static(&'a HeaderValue),
    /// A per-call bearer ([`Call::bearer`](crate::Call::bearer)): built on the first attempt.
    Bearer(&'a SecretString, Option<HeaderValue>),
    /// The client's token provider, asked before every attempt: the token last sent and its
    /// value, reused while the provider returns the same token.
    Provider(&'a dyn TokenProvider, Option<(SecretString, HeaderValue)>),
}

impl<'a> Credential<'a> {
    pub fn new(
        static_authorization: Option<&'a HeaderValue>,
        provider: &'a dyn TokenProvider,
        bearer: Option<&'a SecretString>,
    ) -> Self {
        match (bearer, static_authorization) {
            (Some(token), _) => Credential::Bearer(token, None),
            (None, Some(value)) => Credential::Static(value),
            (None, None) => Credential::Provider(provider, None),
        }
    }

    /// The value to send. Waiting for the provider ends at `deadline`
    /// ([`Error::DeadlineExceeded`] with `attempts` made so far).
    pub async fn authorization(
        &mut self,
        deadline: Option<Instant>,
        attempts: u32,
    ) -> Result<HeaderValue, Error> {
        match self {
            Credential::Static(value) => Ok((*value).clone()),
            Credential::Bearer(_, Some(value)) => Ok(value.clone()),
            Credential::Bearer(token, built) => {
                let value = authorization_value(token).ok_or(Error::InvalidArgument {
                    argument: "bearer",
                    reason: "contains bytes not allowed in a header (CR, LF, NUL or controls)",
                })?;
                *built = Some(value.clone());
                Ok(value)
            }
            Credential::Provider(provider, last) => {
                let asking = provider.access_token();
                let token = match deadline {
                    // The deadline is looked at first: a caller whose deadline has passed must
                    // not start a fetch it will not wait for (a queue of them would each send
                    // one request as they are let through).
                    Some(at) => tokio::select! {
                        biased;
                        () = tokio::time::sleep_until(at) => {
                            return Err(Error::DeadlineExceeded { attempts });
                        }
                        token = asking => token?,
                    },
                    None => asking.await?,
                };
                match last {
                    Some((sent, value)) if sent.expose_secret() == token.expose_secret() => {
                        Ok(value.clone())
                    }
                    _ => {
                        let value = authorization_value(&token).ok_or(Error::InvalidArgument {
                            argument: "access_token",
                            reason: "the token provider's token contains bytes not allowed in a header",
                        })?;
                        *last = Some((token, value.clone()));
                        Ok(value)
                    }
                }
            }
        }
    }

    /// The provider's token that the last attempt sent, which a 401 rejected. A static token or
    /// a per-call bearer has nothing to refresh.
    pub fn refreshable(&self) -> Option<(&'a dyn TokenProvider, &SecretString)> {
        match self {
            Credential::Provider(provider, Some((token, _))) => Some((*provider, token)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_a_header_cannot_carry_have_no_value() {
        for bad in ["a\r\nb", "a\nb", "a\0b", "a\x7fb"] {
            assert!(
                authorization_value(&SecretString::from(bad)).is_none(),
                "{bad:?}"
            );
        }
        let value = authorization_value(&SecretString::from("tok-é")).expect("non-ASCII is sent");
        assert!(value.is_sensitive());
        assert_eq!(value.as_bytes(), "Bearer tok-é".as_bytes());
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_for_a_provider_ends_at_the_deadline() {
        struct Never;
        #[async_trait::async_trait]
        impl TokenProvider for Never {
            async fn access_token(&self) -> Result<SecretString, Error> {
                std::future::pending().await
            }
        }
        let mut credential = Credential::new(None, &Never, None);
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        let e = credential
            .authorization(Some(deadline), 2)
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::DeadlineExceeded { attempts: 2 }),
            "{e:?}"
        );
        assert_eq!(Instant::now(), deadline);
    }
}
