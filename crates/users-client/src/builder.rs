//! `ClientBuilder`: a plain consuming builder that validates everything in `build()`.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use http::header::{AUTHORIZATION, HeaderName};
use http::{HeaderMap, HeaderValue, Uri};
use secrecy::SecretString;
use users_transport::Transport;

use crate::client::Client;
use crate::engine::attempt::own_timer;
use crate::engine::credentials::{StaticToken, TokenProvider, authorization_value};
use crate::engine::gate::RateLimitGate;
use crate::engine::retry::RetryPolicy;
use crate::engine::spec::ApiParts;
use crate::engine::state::{Inner, Target};
use crate::engine::telemetry;
use crate::engine::time::WallClock;
use crate::engine::token::ClientCredentials;
use crate::error::{ConfigError, Error};

/// The default per-attempt timeout: between node-auth0 v4's 10 s (too short for a slow search
/// under load) and v7's 60 s (long enough to hide a hung connection).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

enum Credentials {
    Token(SecretString),
    Grant { id: String, secret: SecretString },
    Provider(Arc<dyn TokenProvider>),
}

/// Configures a [`Client`]. Nothing is checked until [`build`](Self::build), which reports the
/// first problem as [`Error::Config`]: a client that builds has no configuration error left to
/// find at call time.
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
            .field("base_url", &self.base_url.as_deref().map(redact_user_info))
            .finish_non_exhaustive()
    }
}

/// `url` with any user-info (`user:password@`) replaced by `***@`, for `Debug`.
fn redact_user_info(url: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let rest = url.get(authority_start..).unwrap_or_default();
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_len).unwrap_or_default();
    match authority.rfind('@') {
        Some(at) => format!(
            "{}***{}",
            url.get(..authority_start).unwrap_or_default(),
            rest.get(at..).unwrap_or_default()
        ),
        None => url.to_owned(),
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
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
    /// [`Error::Config`] with a [`ConfigError`] saying what is wrong: the domain or base URL is
    /// missing, both are set or either is malformed; `http://` points at a non-loopback host
    /// without `allow_insecure_http(true)`; no or more than one credential source is given; a
    /// static token or a default header is not a valid header value; no transport is given and
    /// none can be built (no backend feature enabled).
    pub fn build(self) -> Result<Client, Error> {
        let (target, origin) = match (&self.domain, &self.base_url) {
            (Some(_), Some(_)) => return Err(ConfigError::DomainAndBaseUrl.into()),
            (None, None) => return Err(ConfigError::MissingTarget.into()),
            (Some(d), None) => {
                validate_hostname(d)?;
                (d.clone(), format!("https://{d}"))
            }
            (None, Some(u)) => parse_base_url(u, self.allow_insecure_http)?,
        };
        // Both follow from a checked origin; a failure here is still reported, not assumed away.
        let api =
            ApiParts::parse(&format!("{origin}/api/v2")).ok_or(ConfigError::BaseUrlNotAUrl)?;
        let transport = match self.transport {
            Some(t) => t,
            None => default_transport()?,
        };
        let transport_timeout = transport.request_timeout();
        let timer = own_timer(self.timeout, transport_timeout);
        let telemetry = self.telemetry.then(telemetry::header_value);
        let default_headers = parse_headers(&self.headers)?;
        let clock = WallClock::new();
        let mut credentials = self.credentials;
        if credentials.len() > 1 {
            return Err(ConfigError::SeveralCredentials.into());
        }
        let mut static_authorization = None;
        let auth: Arc<dyn TokenProvider> = match credentials.pop() {
            None => return Err(ConfigError::MissingCredentials.into()),
            Some(Credentials::Token(t)) => {
                static_authorization =
                    Some(authorization_value(&t).ok_or(ConfigError::InvalidToken)?);
                Arc::new(StaticToken::new(t))
            }
            Some(Credentials::Provider(p)) => p,
            Some(Credentials::Grant { id, secret }) => {
                if id.is_empty() {
                    return Err(ConfigError::EmptyClientId.into());
                }
                let token_uri: Uri = format!("{origin}/oauth/token")
                    .parse()
                    .map_err(|_| ConfigError::BaseUrlNotAUrl)?;
                Arc::new(ClientCredentials {
                    transport: transport.clone(),
                    token_uri,
                    client_id: id,
                    client_secret: secret,
                    audience: self.audience.unwrap_or_else(|| format!("{origin}/api/v2/")),
                    telemetry: telemetry.clone(),
                    timeout: timer,
                    retry: self.retry.clone(),
                    clock,
                    state: std::sync::Mutex::default(),
                    fetching: tokio::sync::Mutex::new(()),
                })
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                target: Target {
                    display: target,
                    api,
                },
                transport,
                auth,
                gate: RateLimitGate::new(self.retry.max_rate_limit_wait, clock),
                retry: self.retry,
                transport_timeout,
                own_timer: timer,
                default_headers,
                telemetry,
                static_authorization,
                validate: self.validate,
                clock,
            }),
        })
    }
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
            .map_err(|e| {
                ConfigError::TransportBuild {
                    backend: "reqwest",
                    message: e.to_string(),
                }
                .into()
            })
    }
    #[cfg(all(feature = "hyper", not(feature = "reqwest")))]
    {
        let config = users_transport::TransportConfig::default();
        users_transport::HyperTransport::new(&config)
            .map(|t| Arc::new(t) as Arc<dyn Transport>)
            .map_err(|e| {
                ConfigError::TransportBuild {
                    backend: "hyper",
                    message: e.to_string(),
                }
                .into()
            })
    }
    #[cfg(not(any(feature = "reqwest", feature = "hyper")))]
    {
        Err(ConfigError::NoTransport.into())
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
        Err(ConfigError::InvalidDomain {
            domain: host.to_owned(),
        }
        .into())
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
    let uri: Uri = url.parse().map_err(|_| ConfigError::BaseUrlNotAUrl)?;
    let scheme = uri.scheme_str().ok_or(ConfigError::BaseUrlNotAUrl)?;
    let authority = uri.authority().ok_or(ConfigError::BaseUrlNotAUrl)?;
    if authority.as_str().contains('@') {
        return Err(ConfigError::BaseUrlUserInfo.into());
    }
    if uri.query().is_some() || url.contains('#') {
        return Err(ConfigError::BaseUrlQueryOrFragment.into());
    }
    match scheme {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(authority.host()) => {}
        "http" => return Err(ConfigError::InsecureHttp.into()),
        _ => return Err(ConfigError::BaseUrlScheme.into()),
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
            .map_err(|_| ConfigError::InvalidHeaderName { name: name.clone() })?;
        if name == AUTHORIZATION {
            return Err(ConfigError::AuthorizationHeader.into());
        }
        let mut value =
            HeaderValue::try_from(value.as_str()).map_err(|_| ConfigError::InvalidHeaderValue {
                name: name.to_string(),
            })?;
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

    #[test]
    fn debug_never_shows_user_info() {
        for (url, shown) in [
            (
                "https://user:s3cret@example.com/x",
                "https://***@example.com/x",
            ),
            ("http://a@b@127.0.0.1:9?q=@", "http://***@127.0.0.1:9?q=@"),
            ("https://example.com/p@th", "https://example.com/p@th"),
            ("u:p@host", "***@host"),
        ] {
            assert_eq!(redact_user_info(url), shown, "{url}");
            let debug = format!("{:?}", ClientBuilder::new().base_url(url));
            assert!(
                !debug.contains("s3cret") && !debug.contains("u:p"),
                "{debug}"
            );
        }
    }
}
