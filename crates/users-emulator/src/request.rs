//! Incoming requests: decoded path segments, query pairs, origin and body parsing.

use bytes::Bytes;
use http::{HeaderMap, Method, header};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::reply::ApiError;

/// The maximum request body: the API's limit, defined once in the model.
pub(crate) use users_model::MAX_BODY_BYTES;

/// A request as the handlers see it.
#[derive(Debug)]
pub(crate) struct ApiRequest {
    pub method: Method,
    /// Percent-decoded path segments, without the leading empty one.
    pub segments: Vec<String>,
    /// Decoded query pairs in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// `scheme://authority` the request was addressed to.
    pub origin: String,
}

/// Splits and decodes an URI path. `None` when a segment is not valid percent-encoded UTF-8.
pub(crate) fn decode_path(path: &str) -> Option<Vec<String>> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    if trimmed.is_empty() {
        return Some(Vec::new());
    }
    trimmed
        .split('/')
        .map(|segment| {
            percent_decode_str(segment)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned())
        })
        .collect()
}

/// Parses `a=1&b=x%20y` (also `+` as space). `None` when the decoded text is not UTF-8.
pub(crate) fn parse_query(raw: &str) -> Option<Vec<(String, String)>> {
    // form_urlencoded replaces invalid UTF-8 instead of reporting it, so validity is checked on
    // the whole string first: a multi-byte UTF-8 sequence never holds the ASCII separators
    // (`&`, `=`, `+`), so the pairs decode to UTF-8 exactly when the whole string does.
    percent_decode_str(raw).decode_utf8().ok()?;
    Some(
        form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect(),
    )
}

impl ApiRequest {
    /// Builds the handler view of `request`, or the error envelope for an undecodable URI.
    pub(crate) fn from_http(request: http::Request<Bytes>) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let origin = origin_of(&parts.uri, &parts.headers);
        let segments = decode_path(parts.uri.path()).ok_or_else(|| {
            ApiError::invalid_uri(
                "Path validation error: the path is not valid percent-encoded UTF-8.",
            )
        })?;
        let query = parse_query(parts.uri.query().unwrap_or("")).ok_or_else(|| {
            ApiError::invalid_query(
                "Query validation error: the query string is not valid percent-encoded UTF-8.",
            )
        })?;
        Ok(Self {
            method: parts.method,
            segments,
            query,
            headers: parts.headers,
            body,
            origin,
        })
    }

    /// The first value of query parameter `name`.
    pub(crate) fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn content_type(&self) -> Option<String> {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
    }

    /// The body as a JSON object (JSON or form-encoded), with the server's envelopes for a body
    /// that is too large, malformed, of a wrong content type or not an object.
    pub(crate) fn json_object(&self) -> Result<Map<String, Value>, ApiError> {
        match self.json_value()? {
            Value::Object(map) => Ok(map),
            other => Err(ApiError::invalid_body(format!(
                "Payload validation error: 'Expected type object but found type {}'.",
                json_type(&other)
            ))),
        }
    }

    /// The body as any JSON value (a PUT of a list sends an array), with the same envelopes as
    /// [`Self::json_object`] for a body that is too large, empty, malformed or of a wrong
    /// content type.
    pub(crate) fn json_value(&self) -> Result<Value, ApiError> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(payload_too_large());
        }
        let value = match self.content_type().as_deref() {
            Some("application/x-www-form-urlencoded") => form_to_json(&self.body)?,
            Some("application/json") | None => {
                if self.body.iter().all(u8::is_ascii_whitespace) {
                    return Err(ApiError::invalid_body(
                        "Payload validation error: 'Expected type object but found type null'.",
                    ));
                }
                serde_json::from_slice::<Value>(&self.body)
                    .map_err(|_| ApiError::invalid_body("Invalid request payload JSON format"))?
            }
            Some(_) => {
                return Err(ApiError::new(
                    415,
                    "Unsupported Media Type",
                    Some("invalid_body"),
                ));
            }
        };
        Ok(value)
    }
}

pub(crate) fn payload_too_large() -> ApiError {
    ApiError::new(
        413,
        format!("Payload content length greater than maximum allowed: {MAX_BODY_BYTES}"),
        None,
    )
}

/// The served emulator's answer to a request body that did not arrive within the body-read
/// timeout (`ServeLimits::body_read_timeout`). The real server's status and text for a stalled
/// body are not documented: 408 is HTTP's status for it (RFC 9110 §15.5.9), **unconfirmed**.
pub(crate) fn request_timeout() -> ApiError {
    ApiError::new(
        408,
        "Request body not received within the allowed time.",
        None,
    )
}

/// The JSON-schema type name of a value, for validation messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A form body as a JSON object (bracket notation for lists and objects, `true`/`false` as
/// booleans at the top level: see [`crate::form`]).
pub(crate) fn form_to_json(body: &[u8]) -> Result<Value, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::invalid_body("Invalid request payload: not UTF-8"))?;
    let pairs = parse_query(text)
        .ok_or_else(|| ApiError::invalid_body("Invalid request payload: bad form encoding"))?;
    crate::form::form_object(pairs)
        .map(Value::Object)
        .map_err(|_| ApiError::invalid_body("Invalid request payload: bad form encoding"))
}

fn origin_of(uri: &http::Uri, headers: &HeaderMap) -> String {
    if let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) {
        return format!("{scheme}://{authority}");
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost");
    format!("http://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_decoded() {
        assert_eq!(
            decode_path("/api/v2/users/auth0%7C123").expect("valid"),
            vec!["api", "v2", "users", "auth0|123"]
        );
        assert_eq!(decode_path("/").expect("valid"), Vec::<String>::new());
        assert!(decode_path("/api/%FF").is_none());
    }

    #[test]
    fn query_pairs_are_decoded() {
        let pairs = parse_query("q=email%3A%22a%40b.c%22&per_page=5&x=a+b&flag").expect("valid");
        assert_eq!(pairs[0], ("q".into(), "email:\"a@b.c\"".into()));
        assert_eq!(pairs[2], ("x".into(), "a b".into()));
        assert_eq!(pairs[3], ("flag".into(), String::new()));
        assert!(parse_query("a=%E2%28").is_none());
        assert!(parse_query("a=%C3&b=%A9").is_none(), "split across pairs");
        assert_eq!(
            parse_query("&&a=b=c&").expect("valid"),
            [("a".into(), "b=c".into())]
        );
    }

    proptest::proptest! {
        #[test]
        fn encoded_pairs_come_back(pairs in proptest::collection::vec((".{1,8}", ".{0,8}"), 0..5)) {
            let raw = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&pairs)
                .finish();
            proptest::prop_assert_eq!(parse_query(&raw), Some(pairs));
        }
    }

    fn request(content_type: Option<&str>, body: &'static [u8]) -> ApiRequest {
        let mut builder = http::Request::builder()
            .method("POST")
            .uri("https://tenant.example/api/v2/users");
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        ApiRequest::from_http(builder.body(Bytes::from_static(body)).expect("request"))
            .expect("decodes")
    }

    #[test]
    fn bodies_are_checked() {
        let ok = request(Some("application/json; charset=utf-8"), br#"{"a":1}"#);
        assert_eq!(ok.origin, "https://tenant.example");
        assert_eq!(ok.json_object().expect("object")["a"], 1);
        let form = request(Some("application/x-www-form-urlencoded"), b"a=x&b=true");
        assert_eq!(form.json_object().expect("object")["b"], true);
        let listed = request(
            Some("application/x-www-form-urlencoded"),
            b"roles%5B%5D=rol_1",
        );
        assert_eq!(listed.json_object().expect("object")["roles"][0], "rol_1");
        let clash = request(Some("application/x-www-form-urlencoded"), b"a=1&a%5B%5D=2");
        assert_eq!(clash.json_object().expect_err("conflict").status, 400);
        let bad = request(Some("application/json"), b"{oops");
        assert_eq!(bad.json_object().expect_err("malformed").status, 400);
        let array = request(Some("application/json"), b"[]");
        assert_eq!(array.json_object().expect_err("array").status, 400);
        let text = request(Some("text/plain"), b"hi");
        assert_eq!(text.json_object().expect_err("type").status, 415);
    }
}
