//! The transport over a `reqwest::Client`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::uri::{Authority, Scheme};

use crate::body::CappedBody;
use crate::classify::{causes, classify, timed_out};
use crate::{Transport, TransportConfig, TransportError, TransportErrorKind, tls, validate};

/// A [`Transport`] over a [`reqwest::Client`].
///
/// [`ReqwestTransport::new`] builds a client with rustls and the ring provider, HTTP/1.1 only,
/// keep-alive pooling, no redirects and no proxies, from a [`TransportConfig`]. Bring your own
/// client with [`ReqwestTransport::from_client`] for proxies or custom TLS; configure it without
/// redirects, since one `send` must be one exchange.
///
/// ```
/// use users_transport::{ReqwestTransport, TransportConfig};
/// use std::time::Duration;
///
/// let config = TransportConfig::builder()
///     .request_timeout(Duration::from_secs(10))
///     .build();
/// let transport = ReqwestTransport::new(&config)?;
/// # Ok::<(), users_transport::TransportError>(())
/// ```
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    request_timeout: Duration,
    max_body_bytes: usize,
    origin: Arc<RwLock<Option<Origin>>>,
}

/// The cached origin URL's placeholder path: `/` and 191 `x`.
const ROOM_FOR_PATH: &str = concat!(
    "/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
);

/// The scheme and authority of the last request URI converted the slow way, with the
/// `reqwest::Url` they parsed into (with a placeholder path, no query).
///
/// `reqwest::Request::try_from(http::Request)` formats the URI as text and parses all of it
/// (scheme, host with IDNA and IPv4 forms, port, path, query) on every request. A client talks
/// to one tenant, so the origin's part of that work is done once: a request to the same scheme
/// and authority starts from a copy of this URL and only has its path and query set, with the
/// same parser and encode sets as a whole parse (tests compare the two).
struct Origin {
    scheme: Scheme,
    authority: Authority,
    url: reqwest::Url,
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestTransport")
            .field("request_timeout", &self.request_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

impl ReqwestTransport {
    /// Builds a client from `config`.
    ///
    /// # Errors
    /// A [`TransportError`] of kind `Tls` when the trust roots cannot be loaded, or `Other` when
    /// reqwest refuses the settings.
    pub fn new(config: &TransportConfig) -> Result<Self, TransportError> {
        let mut tls = tls::client_config(config)?;
        // HTTP/1.1 only, like the hyper backend, so both pool and behave the same.
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .http1_only()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(config.connect_timeout())
            .pool_idle_timeout(config.pool_idle_timeout())
            .pool_max_idle_per_host(config.pool_max_idle_per_host())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| TransportError::new(TransportErrorKind::Other).with_source(e))?;
        Ok(Self::from_client(client, config))
    }

    /// Uses a caller's client. Only `request_timeout` and `max_body_bytes` of `config` apply;
    /// everything else is the client's own.
    pub fn from_client(client: reqwest::Client, config: &TransportConfig) -> Self {
        Self {
            client,
            request_timeout: config.request_timeout(),
            max_body_bytes: config.max_body_bytes(),
            origin: Arc::new(RwLock::new(None)),
        }
    }

    /// The underlying client.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The rest of one exchange once reqwest's client has the request: the response head, then
    /// the body chunk by chunk under the cap.
    async fn receive(
        pending: impl Future<Output = Result<reqwest::Response, reqwest::Error>>,
        method: http::Method,
        max_body_bytes: usize,
    ) -> SendResult {
        let mut response = pending.await.map_err(map)?;
        let mut body = CappedBody::new(
            max_body_bytes,
            &method,
            response.status(),
            response.headers(),
        )?;
        while let Some(chunk) = response.chunk().await.map_err(map)? {
            body.push(chunk)?;
        }
        let mut out = http::Response::new(body.finish());
        *out.status_mut() = response.status();
        *out.version_mut() = response.version();
        *out.headers_mut() = std::mem::take(response.headers_mut());
        Ok(out)
    }
}

/// What one `send` returns.
type SendResult = Result<http::Response<Bytes>, TransportError>;

impl ReqwestTransport {
    /// The `reqwest::Request` for `request`, as `reqwest::Request::try_from` makes it, with the
    /// URL built from the cached [`Origin`] when the scheme and authority match.
    fn convert(&self, request: http::Request<Bytes>) -> Result<reqwest::Request, TransportError> {
        // Extensions only travel through `try_from` (reqwest keeps its own setter private).
        if request.extensions().is_empty()
            && let Some(url) = self.url_from_origin(request.uri())
        {
            let (parts, body) = request.into_parts();
            let mut converted = reqwest::Request::new(parts.method, url);
            *converted.headers_mut() = parts.headers;
            *converted.version_mut() = parts.version;
            *converted.body_mut() = Some(reqwest::Body::from(body));
            return Ok(converted);
        }
        let origin = request
            .uri()
            .scheme()
            .cloned()
            .zip(request.uri().authority().cloned());
        let converted =
            reqwest::Request::try_from(request.map(reqwest::Body::from)).map_err(map)?;
        if let (Some((scheme, authority)), Ok(mut cache)) = (origin, self.origin.write()) {
            let mut url = converted.url().clone();
            // A placeholder path, always replaced: a copy of the URL has its text's length as
            // capacity, so this leaves room for a request's path and query to be written over
            // it without the text growing (each growth is a realloc, which always takes the
            // allocator's arena lock).
            url.set_path(ROOM_FOR_PATH);
            url.set_query(None);
            *cache = Some(Origin {
                scheme,
                authority,
                url,
            });
        }
        Ok(converted)
    }

    /// A copy of the cached origin's URL with `uri`'s path and query, when `uri` has the same
    /// scheme and authority.
    fn url_from_origin(&self, uri: &http::Uri) -> Option<reqwest::Url> {
        let (scheme, authority) = (uri.scheme()?, uri.authority()?);
        let mut url = {
            let cache = self.origin.read().ok()?;
            let origin = cache.as_ref()?;
            if origin.scheme != *scheme || origin.authority != *authority {
                return None;
            }
            origin.url.clone()
        };
        url.set_path(uri.path());
        url.set_query(uri.query());
        Some(url)
    }
}

#[async_trait::async_trait]
impl Transport for ReqwestTransport {
    // Written out rather than as an `async fn`, to keep the boxed future small (under the
    // allocator's per-thread cache limit, so allocating and freeing it takes no lock): the
    // request is checked and converted before the future is built and, inside a runtime,
    // handed to reqwest's client at once (which only prepares it: nothing is sent before the
    // future is polled), so the future captures reqwest's pending response instead of carrying
    // the request for its whole life; the exchange's own future is built inside it, stored
    // once, in the timer. Outside a runtime reqwest is only asked when the future is first
    // polled, as a client with a timeout of its own starts a timer then.
    fn send<'life0, 'async_trait>(
        &'life0 self,
        request: http::Request<Bytes>,
    ) -> Pin<Box<dyn Future<Output = SendResult> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        if let Err(invalid) = validate::check(&request) {
            return Box::pin(std::future::ready(Err(invalid)));
        }
        let method = request.method().clone();
        let converted = match self.convert(request) {
            Ok(converted) => converted,
            Err(invalid) => return Box::pin(std::future::ready(Err(invalid))),
        };
        let (limit, max_body_bytes) = (self.request_timeout, self.max_body_bytes);
        if tokio::runtime::Handle::try_current().is_ok() {
            let pending = self.client.execute(converted);
            Box::pin(async move {
                let exchange = Self::receive(pending, method, max_body_bytes);
                match tokio::time::timeout(limit, exchange).await {
                    Ok(result) => result,
                    Err(elapsed) => Err(timed_out(elapsed)),
                }
            })
        } else {
            Box::pin(async move {
                let exchange =
                    Self::receive(self.client.execute(converted), method, max_body_bytes);
                match tokio::time::timeout(limit, exchange).await {
                    Ok(result) => result,
                    Err(elapsed) => Err(timed_out(elapsed)),
                }
            })
        }
    }

    /// The configured [`TransportConfig::request_timeout`]: every `send` is bounded by it.
    fn request_timeout(&self) -> Option<Duration> {
        Some(self.request_timeout)
    }
}

/// Maps a reqwest error. The URL is dropped from it: query strings can carry user data.
fn map(error: reqwest::Error) -> TransportError {
    let error = error.without_url();
    let (kind, sent) = if error.is_builder() {
        (TransportErrorKind::InvalidRequest, false)
    } else {
        let mut found = causes(&error);
        found.timed_out |= error.is_timeout();
        classify(error.is_connect(), found)
    };
    TransportError::new(kind)
        .with_may_have_been_sent(sent)
        .with_source(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport() -> ReqwestTransport {
        ReqwestTransport::new(&TransportConfig::default()).expect("the default TLS setup builds")
    }

    fn request(uri: &str) -> http::Request<Bytes> {
        http::Request::builder()
            .method(http::Method::PATCH)
            .uri(uri)
            .header("authorization", "Bearer t")
            .body(Bytes::from_static(b"{}"))
            .expect("a valid request")
    }

    /// What `reqwest::Request::try_from` makes of `uri`: the reference.
    fn reference(uri: &str) -> reqwest::Request {
        reqwest::Request::try_from(request(uri).map(reqwest::Body::from)).expect("converts")
    }

    fn same(a: &reqwest::Request, b: &reqwest::Request, what: &str) {
        assert_eq!(a.url(), b.url(), "{what}");
        assert_eq!(a.url().as_str(), b.url().as_str(), "{what}");
        assert_eq!(a.method(), b.method(), "{what}");
        assert_eq!(a.headers(), b.headers(), "{what}");
        assert_eq!(a.version(), b.version(), "{what}");
        assert_eq!(
            a.body().and_then(reqwest::Body::as_bytes),
            b.body().and_then(reqwest::Body::as_bytes),
            "{what}"
        );
    }

    /// Every URI converts exactly as `try_from` would, whether the origin was cached from the
    /// same authority or another one.
    #[test]
    fn urls_from_the_cached_origin_are_the_ones_a_whole_parse_gives() {
        let origins = [
            "http://127.0.0.1:8080",
            "https://tenant.eu.auth0.com",
            "HTTPS://Tenant.Example:443",
            "http://[::1]:9",
            "http://127.1:80",
            "https://xn--bcher-kva.example",
            "http://localhost:1",
        ];
        let paths = [
            "/api/v2/users/auth0%7C507f1f77bcf86cd799439020",
            "/api/v2/users?q=email%3A%22a%40b.c%22&per_page=2&include_totals=true",
            "/api/v2/users/a/../b/./c",
            "/api/v2/users/%2e%2E/x",
            "/api/v2/users/caf%C3%A9?fields=user_id,email&include_fields=true",
            "/api/v2/users/a'b(c)*!~?x=%7B%7D&y=a'b",
            "/",
            "",
            "/api/v2/users?",
            "/api/v2//users//",
            "/x?a=b?c=d&e=/f",
            "/~user/%7Euser/@at/:colon;semi,comma=eq+plus$dollar",
        ];
        for origin in origins {
            let t = transport();
            for (i, path) in paths.iter().enumerate() {
                let uri = format!("{origin}{path}");
                let converted = t.convert(request(&uri)).expect("converts");
                same(
                    &converted,
                    &reference(&uri),
                    &format!("{uri} (request {i})"),
                );
                // The next request of the same origin comes from the cache.
                assert!(
                    t.url_from_origin(&uri.parse().expect("valid")).is_some(),
                    "{uri}"
                );
            }
        }
        // Another authority on the same transport is converted the slow way, then cached.
        let t = transport();
        for uri in [
            "http://127.0.0.1:1/a?b=c",
            "http://127.0.0.1:2/a?b=c",
            "http://127.0.0.1:1/a?b=c",
            "https://127.0.0.1:1/a?b=c",
        ] {
            assert!(t.url_from_origin(&uri.parse().expect("valid")).is_none());
            same(
                &t.convert(request(uri)).expect("converts"),
                &reference(uri),
                uri,
            );
        }
    }

    /// A request with extensions goes through `try_from`, which is the only way to keep them.
    #[test]
    fn requests_with_extensions_keep_the_reference_conversion() {
        #[derive(Clone)]
        struct Marker;
        let t = transport();
        let uri = "http://127.0.0.1:8080/api/v2/users/a";
        same(
            &t.convert(request(uri)).expect("converts"),
            &reference(uri),
            uri,
        );
        let mut with_extension = request(uri);
        with_extension.extensions_mut().insert(Marker);
        same(
            &t.convert(with_extension).expect("converts"),
            &reference(uri),
            uri,
        );
    }
}
