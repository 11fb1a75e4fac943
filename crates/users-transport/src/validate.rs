//! Checks every backend applies before touching the network, so both reject the same requests
//! the same way.

use std::error::Error as StdError;
use std::fmt;

use bytes::Bytes;
use http::uri::{Authority, Scheme};

use crate::{TransportError, TransportErrorKind};

/// Why a request was refused before it was sent. Names the rule, never the URI or headers.
#[derive(Debug)]
pub(crate) struct InvalidRequest(&'static str);

impl fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl StdError for InvalidRequest {}

/// An `InvalidRequest` error: the request certainly never left.
pub(crate) fn invalid(reason: &'static str) -> TransportError {
    TransportError::new(TransportErrorKind::InvalidRequest)
        .with_may_have_been_sent(false)
        .with_source(InvalidRequest(reason))
}

/// Accepts absolute `http`/`https` URIs without credentials, HTTP/1.x and any method but
/// `CONNECT`.
pub(crate) fn check(request: &http::Request<Bytes>) -> Result<(), TransportError> {
    let uri = request.uri();
    match uri.scheme() {
        // The parsed forms first: a comparison of two small enums.
        Some(s) if *s == Scheme::HTTP || *s == Scheme::HTTPS => {}
        Some(s) if s.as_str().eq_ignore_ascii_case("http") => {}
        Some(s) if s.as_str().eq_ignore_ascii_case("https") => {}
        Some(_) => return Err(invalid("the URI scheme must be http or https")),
        None => return Err(invalid("the URI must be absolute (scheme and host)")),
    }
    let authority = uri.authority().map_or("", Authority::as_str);
    // One scan of the authority: without user info (the common case) the host is empty only
    // when the authority is, or starts with the port.
    let credentials = authority.contains('@');
    let no_host = if credentials {
        uri.host().is_none_or(str::is_empty)
    } else {
        authority.is_empty() || authority.starts_with(':')
    };
    if no_host {
        return Err(invalid("the URI must be absolute (scheme and host)"));
    }
    // reqwest would turn `user:password@` into an Authorization header and hyper would drop
    // it; neither is what a caller who put it there meant, and it would be a secret in a URI.
    if credentials {
        return Err(invalid("the URI must not carry credentials"));
    }
    if request.method() == http::Method::CONNECT {
        return Err(invalid("CONNECT is not supported"));
    }
    if !matches!(
        request.version(),
        http::Version::HTTP_10 | http::Version::HTTP_11
    ) {
        return Err(invalid("only HTTP/1.0 and HTTP/1.1 are supported"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str) -> http::Request<Bytes> {
        http::Request::builder()
            .uri(uri)
            .body(Bytes::new())
            .expect("a valid request")
    }

    fn rejected(request: &http::Request<Bytes>) -> bool {
        check(request).is_err_and(|e| {
            e.kind() == TransportErrorKind::InvalidRequest && !e.may_have_been_sent()
        })
    }

    #[test]
    fn absolute_http_and_https_uris_pass() {
        assert!(check(&request("http://127.0.0.1:1/a?b=c")).is_ok());
        assert!(check(&request("HTTPS://tenant.example/api/v2/users")).is_ok());
    }

    #[test]
    fn relative_or_foreign_uris_are_rejected_before_sending() {
        assert!(rejected(&request("/api/v2/users")));
        assert!(rejected(&request("ftp://host/file")));
    }

    #[test]
    fn credentials_in_the_uri_are_rejected() {
        assert!(rejected(&request(
            "https://user:pw@tenant.example/api/v2/users"
        )));
        assert!(rejected(&request("http://user@127.0.0.1:8080/")));
    }

    #[test]
    fn connect_and_http2_requests_are_rejected() {
        let mut connect = request("http://host/");
        *connect.method_mut() = http::Method::CONNECT;
        assert!(rejected(&connect));
        let mut h2 = request("http://host/");
        *h2.version_mut() = http::Version::HTTP_2;
        assert!(rejected(&h2));
    }

    /// The rules as first written, one accessor at a time, for comparison.
    fn reference(uri: &http::Uri) -> Option<&'static str> {
        match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {}
            Some(_) => return Some("the URI scheme must be http or https"),
            None => return Some("the URI must be absolute (scheme and host)"),
        }
        if uri.host().is_none_or(str::is_empty) {
            return Some("the URI must be absolute (scheme and host)");
        }
        if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
            return Some("the URI must not carry credentials");
        }
        None
    }

    #[test]
    fn every_uri_gets_the_reference_verdict() {
        let uris = [
            "http://127.0.0.1:1/a?b=c",
            "https://tenant.example/api/v2/users",
            "HTTPS://tenant.example/",
            "HtTp://h/",
            "http://[::1]:8080/x",
            "http://h:80",
            "http://:80/",
            "http://@host/",
            "http://user@:1/",
            "https://u:p@h/",
            "ftp://host/file",
            "httpx://host/",
            "/api/v2/users",
            "*",
        ];
        for text in uris {
            let Ok(uri) = text.parse::<http::Uri>() else {
                continue;
            };
            let mut request = http::Request::new(Bytes::new());
            *request.uri_mut() = uri.clone();
            let got = check(&request)
                .err()
                .and_then(|e| std::error::Error::source(&e).map(ToString::to_string));
            assert_eq!(got.as_deref(), reference(&uri), "{text}");
        }
    }

    #[test]
    fn the_message_does_not_echo_the_uri() {
        let error = check(&request("ftp://secret-host/secret-path")).expect_err("rejected");
        let chain = format!("{error} {:?}", std::error::Error::source(&error));
        assert!(!chain.contains("secret"), "{chain}");
    }
}
