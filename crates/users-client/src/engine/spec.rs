//! A request's description (method, encoded path, query, body, idempotency) and the URI built
//! from it and the client's pre-parsed API base.

use bytes::Bytes;
use http::uri::{self, Authority, PathAndQuery, Scheme};
use http::{Method, Uri};
use serde::Serialize;
use users_model::operation::{Operation, RetryClass};
use users_model::{MAX_BODY_BYTES, Violations, encode_component_into};

use crate::engine::retry::Idempotency;
use crate::error::Error;

/// The API's base URL, `{origin}/api/v2`, split once at build: its scheme and authority, parsed,
/// and its path, so a request's URI is put together from parts without parsing the origin again.
#[derive(Clone, Debug)]
pub(crate) struct ApiParts {
    pub scheme: Scheme,
    pub authority: Authority,
    /// No trailing slash.
    pub path: String,
}

impl ApiParts {
    /// `None` when `api_base` is not an absolute URI without a query.
    pub fn parse(api_base: &str) -> Option<ApiParts> {
        let uri: Uri = api_base.parse().ok()?;
        let parts = uri.into_parts();
        let path = parts.path_and_query?;
        if path.query().is_some() {
            return None;
        }
        Some(ApiParts {
            scheme: parts.scheme?,
            authority: parts.authority?,
            path: path.path().trim_end_matches('/').to_owned(),
        })
    }
}

/// Percent-encodes a query value like `encodeURIComponent`, and `'` as `%27` too: the WHATWG
/// URL parser behind the reqwest backend encodes `'` in a query while hyper sends it as given,
/// so without this the two backends would put different bytes on the wire (node-auth0's
/// `URLSearchParams` sends `%27` as well).
pub(crate) fn push_query_value(value: &str, out: &mut String) {
    let mut pieces = value.split('\'');
    if let Some(first) = pieces.next() {
        encode_component_into(first, out);
    }
    for piece in pieces {
        out.push_str("%27");
        encode_component_into(piece, out);
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
    /// What pre-send validation found: reported when the call is awaited unless the call
    /// skips validation ([`Call::skip_validation`](crate::Call::skip_validation)).
    pub violations: Option<Violations>,
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
            violations: None,
        }
    }

    pub fn query(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.query = pairs;
        self
    }

    /// The body serialized as JSON, for operations whose body has no pre-send validation.
    #[allow(
        dead_code,
        reason = "the entry point the operation files use for unvalidated bodies"
    )]
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

    /// Records what pre-send validation found (`Ok` when nothing).
    pub fn checked(mut self, validation: Result<(), Violations>) -> Self {
        self.violations = validation.err();
        self
    }

    /// `spec` carrying what pre-send validation found (reported when the call is awaited,
    /// unless it skips validation). When `spec` could not be made, the violations, if any, are
    /// the error: validation looks at the caller's input first.
    pub fn validated(
        spec: Result<Self, Error>,
        validation: Result<(), Violations>,
    ) -> Result<Self, Error> {
        match spec {
            Ok(spec) => Ok(spec.checked(validation)),
            Err(e) => Err(validation.err().map_or(e, Error::Validation)),
        }
    }

    /// [`json_bytes`](Self::json_bytes) for a body that validation has looked at: when the
    /// body cannot be used (it did not serialize, or is over the limit) and validation found
    /// violations, the violations are the error, since they say more (the size included).
    pub fn json_checked(
        self,
        body: Result<Vec<u8>, Error>,
        validation: Result<(), Violations>,
    ) -> Result<Self, Error> {
        match body.and_then(|bytes| self.json_bytes(bytes)) {
            Ok(spec) => Ok(spec.checked(validation)),
            Err(e) => Err(validation.err().map_or(e, Error::Validation)),
        }
    }

    /// The request URI, put together once per call from the client's pre-parsed scheme and
    /// authority and this operation's path and query. The path's buffer becomes the URI's (the
    /// path is left empty).
    pub fn take_uri(&mut self, api: &ApiParts) -> Result<Uri, Error> {
        let invalid = || Error::InvalidArgument {
            argument: "path",
            reason: "does not form a valid request URI",
        };
        let query_len: usize = self.query.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        let needed = api.path.len() + self.path.len() + query_len;
        let mut path = if self.path.capacity() >= needed {
            let mut path = std::mem::take(&mut self.path);
            path.insert_str(0, &api.path);
            path
        } else {
            // A new buffer of the right size rather than growing this one (one allocation).
            let mut path = String::with_capacity(needed);
            path.push_str(&api.path);
            path.push_str(&self.path);
            path
        };
        for (i, (k, v)) in self.query.iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str(k);
            path.push('=');
            push_query_value(v, &mut path);
        }
        let mut parts = uri::Parts::default();
        parts.scheme = Some(api.scheme.clone());
        parts.authority = Some(api.authority.clone());
        parts.path_and_query =
            Some(PathAndQuery::from_maybe_shared(Bytes::from(path)).map_err(|_| invalid())?);
        Uri::from_parts(parts).map_err(|_| invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(base: &str) -> ApiParts {
        ApiParts::parse(base).expect("test base parses")
    }

    #[test]
    fn api_parts_need_an_absolute_uri_without_query() {
        assert!(ApiParts::parse("https://t.example/api/v2").is_some());
        assert!(ApiParts::parse("/api/v2").is_none());
        assert!(ApiParts::parse("https://t.example/api/v2?x=1").is_none());
        assert_eq!(api("http://127.0.0.1:9/x/api/v2/").path, "/x/api/v2");
    }

    #[test]
    fn uri_joins_base_path_and_encoded_query() {
        let mut spec = RequestSpec::new("t", Method::GET, "/users/a%7Cb".into())
            .query(vec![("q", "it's a b&c".into()), ("page", "0".into())]);
        let uri = spec
            .take_uri(&api("https://t.example/api/v2"))
            .expect("uri");
        assert_eq!(
            uri.to_string(),
            "https://t.example/api/v2/users/a%7Cb?q=it%27s%20a%20b%26c&page=0"
        );
    }

    #[test]
    fn an_unencoded_path_is_an_argument_error_not_a_panic() {
        let mut spec = RequestSpec::new("t", Method::GET, "/users/a b".into());
        let e = spec.take_uri(&api("https://t.example/api/v2")).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
    }

    #[test]
    fn idempotency_follows_the_method_and_bodies_are_capped() {
        assert_eq!(
            RequestSpec::new("t", Method::POST, "/".into()).idempotency,
            Idempotency::NonIdempotent
        );
        assert_eq!(
            RequestSpec::new("t", Method::PATCH, "/".into()).idempotency,
            Idempotency::Idempotent
        );
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert!(
            RequestSpec::new("t", Method::POST, "/".into())
                .json_bytes(big)
                .is_err()
        );
    }
}
