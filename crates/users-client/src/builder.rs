//! `ClientBuilder`: a plain consuming builder that validates everything in `build()`.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::header::{AUTHORIZATION, HeaderName};
use http::{HeaderMap, HeaderValue, Uri};
use secrecy::SecretString;
use tokio::sync::Mutex;
use users_transport::Transport;

use crate::client::{ApiParts, Client, Inner, Target};
use crate::engine::auth::{ClientCredentials, StaticToken, TokenProvider};
use crate::engine::call::authorization_value;
use crate::engine::ratelimit::RateLimitGate;
use crate::engine::retry::RetryPolicy;
use crate::engine::telemetry;
use crate::error::Error;

/// The default per-attempt timeout: between node-auth0 v4's 10 s (too short for a slow search
/// under load) and v7's 60 s (long enough to hide a hung connection).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

enum Credentials {
    Token(SecretString),
    Grant { id: String, secret: SecretString },
    Provider(Arc<dyn TokenProvider>),
}

/// Configures a [`Client`]. Nothing is checked until [`build`](Self::build), which reports the
/// first problem as [`Error::Config`].
///
/// ```no_run
/// # async fn f() -> Result<(), users_client::Error> {
/// let client = users_client::Client::builder()
///     .domain("tenant.eu.auth0.com")
///     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
///     .build()?;
/// # Ok(()) }
/// ```
pub struct ClientBuilder {
    domain: Option<String>,
    base_url: Option<String>,
    allow_insecure_http: bool,
    transport: Option<Arc<dyn Transport>>,
    credentials: Vec<Credentials>,
    audience: Option<String>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    headers: Vec<(String, String)>,
    telemetry: bool,
    validate: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("domain", &self.domain)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// A builder with the defaults: retries per [`RetryPolicy::default`], a
    /// [`DEFAULT_TIMEOUT`] per attempt, telemetry on, validation on.
    pub fn new() -> Self {
        Self {
            domain: None,
            base_url: None,
            allow_insecure_http: false,
            transport: None,
            credentials: Vec::new(),
            audience: None,
            retry: RetryPolicy::default(),
            timeout: Some(DEFAULT_TIMEOUT),
            headers: Vec::new(),
            telemetry: true,
            validate: true,
        }
    }

    /// The tenant's domain, a bare host name such as `tenant.eu.auth0.com` (no scheme, port or
    /// path). Requests go to `https://{domain}/api/v2`.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// A full base URL instead of a domain, e.g. the emulator's `http://127.0.0.1:8080`.
    /// Plain `http://` is accepted only for loopback hosts unless
    /// [`allow_insecure_http`](Self::allow_insecure_http) is set, so a bearer token never
    /// travels in clear text by accident.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Permits `http://` base URLs to non-loopback hosts.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The transport every request (the token request included) goes through. Without one,
    /// `build` uses the enabled backend feature's transport (`reqwest` by default, else `hyper`).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// A fixed Management API token.
    pub fn token(mut self, token: impl Into<SecretString>) -> Self {
        self.credentials.push(Credentials::Token(token.into()));
        self
    }

    /// Client-credentials grant: tokens are fetched from `/oauth/token` through the client's
    /// transport, cached until 10 s before expiry and shared by all clones.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        self.credentials.push(Credentials::Grant {
            id: client_id.into(),
            secret: client_secret.into(),
        });
        self
    }

    /// The audience for the client-credentials grant; defaults to `https://{domain}/api/v2/`
    /// (or `{base_url}/api/v2/`).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Any other source of tokens.
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.credentials.push(Credentials::Provider(provider));
        self
    }

    /// The retry policy ([`RetryPolicy::disabled`] for a single attempt).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The per-attempt timeout (`None` leaves it to the transport).
    ///
    /// Every attempt is bounded by it. When the transport enforces a limit of its own over the
    /// whole exchange ([`Transport::request_timeout`], as the built-in backends do with their
    /// `TransportConfig::request_timeout`) that is no longer than this one, the client relies on
    /// it instead of starting a second timer per attempt; a transport that reports none (the
    /// trait's default, e.g. your own) is always bounded by the client's timer. A timed-out
    /// attempt is a [`TransportErrorKind::Timeout`](users_transport::TransportErrorKind::Timeout)
    /// error either way.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// A header added to every request. `Authorization` cannot be set this way.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends the `Auth0-Client` telemetry header (default true).
    pub fn telemetry(mut self, enabled: bool) -> Self {
        self.telemetry = enabled;
        self
    }

    /// Runs `users-model` validation before sending (default true).
    pub fn validate_before_send(mut self, enabled: bool) -> Self {
        self.validate = enabled;
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] when the domain or base URL is missing, both are set or either is
    /// malformed; when `http://` points at a non-loopback host without
    /// `allow_insecure_http(true)`; when no or more than one credential source is given; when a
    /// default header is invalid; when no transport is given and none can be built (no backend
    /// feature enabled).
    pub fn build(self) -> Result<Client, Error> {
        let (target, origin) = match (&self.domain, &self.base_url) {
            (Some(_), Some(_)) => return Err(config("set either domain or base_url, not both")),
            (None, None) => return Err(config("a domain or a base_url is required")),
            (Some(d), None) => {
                validate_hostname(d)?;
                (d.clone(), format!("https://{d}"))
            }
            (None, Some(u)) => parse_base_url(u, self.allow_insecure_http)?,
        };
        let transport = match self.transport {
            Some(t) => t,
            None => default_transport()?,
        };
        let timeout = own_timer(self.timeout, transport.request_timeout());
        let telemetry = self.telemetry.then(telemetry::header_value);
        let default_headers = parse_headers(&self.headers)?;
        let mut credentials = self.credentials;
        if credentials.len() > 1 {
            return Err(config(
                "more than one credential source (token, client_credentials, token_provider)",
            ));
        }
        let mut static_authorization = None;
        let auth: Arc<dyn TokenProvider> = match credentials.pop() {
            None => {
                return Err(config(
                    "credentials are required: token, client_credentials or token_provider",
                ));
            }
            Some(Credentials::Token(t)) => {
                // A token that is not a valid header value is reported by each call, as before.
                static_authorization = authorization_value(&t).ok();
                Arc::new(StaticToken::new(t))
            }
            Some(Credentials::Provider(p)) => p,
            Some(Credentials::Grant { id, secret }) => {
                if id.is_empty() {
                    return Err(config("the client id is empty"));
                }
                Arc::new(ClientCredentials {
                    transport: transport.clone(),
                    token_url: format!("{origin}/oauth/token"),
                    client_id: id,
                    client_secret: secret,
                    audience: self.audience.unwrap_or_else(|| format!("{origin}/api/v2/")),
                    telemetry: telemetry.clone(),
                    timeout,
                    retry: self.retry.clone(),
                    cache: Mutex::new(None),
                })
            }
        };
        Ok(Client::from_inner(Inner {
            target: Target {
                display: target,
                api_parts: ApiParts::parse(&format!("{origin}/api/v2")),
            },
            transport,
            auth,
            gate: RateLimitGate::new(self.retry.max_rate_limit_wait),
            retry: self.retry,
            timeout,
            default_headers,
            telemetry,
            static_authorization,
            validate: self.validate,
        }))
    }
}

/// The timer the client starts per attempt for a per-attempt limit of `wanted`: none when the
/// transport already bounds every exchange by `enforced` and that is no longer than `wanted`
/// (the transport's timer fires first or together with the client's, with the same kind of
/// error), else `wanted`.
fn own_timer(wanted: Option<Duration>, enforced: Option<Duration>) -> Option<Duration> {
    match (wanted, enforced) {
        (Some(wanted), Some(enforced)) if enforced <= wanted => None,
        (wanted, _) => wanted,
    }
}

fn config(message: &str) -> Error {
    Error::Config(message.to_owned())
}

/// The transport of the enabled backend feature (reqwest preferred when both are on), with the
/// transport crate's default configuration (rustls + ring, webpki roots, connect and request
/// timeouts, body cap).
fn default_transport() -> Result<Arc<dyn Transport>, Error> {
    #[cfg(feature = "reqwest")]
    {
        let config = users_transport::TransportConfig::default();
        users_transport::ReqwestTransport::new(&config)
            .map(|t| Arc::new(t) as Arc<dyn Transport>)
            .map_err(|e| Error::Config(format!("could not build the reqwest transport: {e}")))
    }
    #[cfg(all(feature = "hyper", not(feature = "reqwest")))]
    {
        let config = users_transport::TransportConfig::default();
        users_transport::HyperTransport::new(&config)
            .map(|t| Arc::new(t) as Arc<dyn Transport>)
            .map_err(|e| Error::Config(format!("could not build the hyper transport: {e}")))
    }
    #[cfg(not(any(feature = "reqwest", feature = "hyper")))]
    {
        Err(config(
            "no transport: enable the `reqwest` or `hyper` feature or pass one with .transport(..)",
        ))
    }
}

/// A bare DNS host name: dot-separated labels of letters, digits and inner hyphens.
fn validate_hostname(host: &str) -> Result<(), Error> {
    let ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "domain {host:?} is not a bare host name (no scheme, port or path; use base_url for those)"
        )))
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Returns (what Debug shows, origin + path prefix without a trailing slash).
fn parse_base_url(url: &str, allow_insecure_http: bool) -> Result<(String, String), Error> {
    // The URL itself is not echoed: it could carry credentials in its user-info part.
    let bad = |why: &str| Error::Config(format!("base_url: {why}"));
    let uri: Uri = url.parse().map_err(|_| bad("not a valid URL"))?;
    let scheme = uri.scheme_str().ok_or_else(|| bad("missing scheme"))?;
    let authority = uri.authority().ok_or_else(|| bad("missing host"))?;
    if authority.as_str().contains('@') {
        return Err(bad("user info is not allowed"));
    }
    if uri.query().is_some() || url.contains('#') {
        return Err(bad("a query or fragment is not allowed"));
    }
    match scheme {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(authority.host()) => {}
        "http" => {
            return Err(bad(
                "plain http is only allowed to loopback hosts; use https or allow_insecure_http(true)",
            ));
        }
        _ => return Err(bad("the scheme must be http or https")),
    }
    let path = uri.path().trim_end_matches('/');
    Ok((
        authority.as_str().to_owned(),
        format!("{scheme}://{authority}{path}"),
    ))
}

fn parse_headers(headers: &[(String, String)]) -> Result<HeaderMap, Error> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let name = HeaderName::try_from(name.as_str())
            .map_err(|_| Error::Config(format!("invalid header name {name:?}")))?;
        if name == AUTHORIZATION {
            return Err(config(
                "Authorization cannot be a default header; use token or token_provider",
            ));
        }
        let mut value = HeaderValue::try_from(value.as_str())
            .map_err(|_| Error::Config(format!("invalid value for header {name}")))?;
        // A default header may well be a gateway key: keep it out of Debug output.
        value.set_sensitive(true);
        map.append(name, value);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_timer_only_when_the_transport_does_not_bound_the_attempt_as_tightly() {
        let secs = Duration::from_secs;
        assert_eq!(own_timer(Some(secs(30)), None), Some(secs(30)));
        assert_eq!(own_timer(Some(secs(30)), Some(secs(30))), None);
        assert_eq!(own_timer(Some(secs(30)), Some(secs(10))), None);
        assert_eq!(own_timer(Some(secs(2)), Some(secs(30))), Some(secs(2)));
        assert_eq!(own_timer(None, Some(secs(30))), None);
        assert_eq!(own_timer(None, None), None);
    }

    #[test]
    fn hostnames() {
        for ok in ["tenant.auth0.com", "a-b.eu.auth0.com", "localhost"] {
            assert!(validate_hostname(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "https://tenant.auth0.com",
            "tenant.auth0.com/",
            "tenant.auth0.com:443",
            "a..b",
            "-a.com",
            "a b.com",
            "user@host",
        ] {
            assert!(validate_hostname(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_urls() {
        let ok = |u: &str| parse_base_url(u, false).map(|(_, o)| o);
        assert_eq!(
            ok("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(ok("http://localhost:1/").unwrap(), "http://localhost:1");
        assert_eq!(ok("http://[::1]:9/x/").unwrap(), "http://[::1]:9/x");
        assert_eq!(ok("https://example.com").unwrap(), "https://example.com");
        assert!(ok("http://example.com").is_err());
        assert!(parse_base_url("http://example.com", true).is_ok());
        assert!(ok("ftp://127.0.0.1").is_err());
        assert!(ok("https://u:p@example.com").is_err());
        assert!(ok("https://example.com/?q=1").is_err());
        assert!(ok("example.com").is_err());
        assert!(ok("http://127.0.0.1.example.com").is_err());
    }
}
