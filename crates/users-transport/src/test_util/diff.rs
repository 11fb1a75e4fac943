//! Finding the first difference between an expected and an actual request.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};

/// Headers whose values are shown only by length, so tokens never land in test logs.
const REDACTED: [HeaderName; 3] = [
    http::header::AUTHORIZATION,
    http::header::COOKIE,
    http::header::PROXY_AUTHORIZATION,
];

/// Describes the first difference in method, URI, headers (every value, in order, per name;
/// names in `ignored` are skipped) or body; `None` when the requests match.
pub(crate) fn first_difference(
    expected: &http::Request<Bytes>,
    actual: &http::Request<Bytes>,
    ignored: &[HeaderName],
) -> Option<String> {
    if expected.method() != actual.method() {
        return Some(format!(
            "method: expected {}, got {}",
            expected.method(),
            actual.method()
        ));
    }
    if expected.uri() != actual.uri() {
        return Some(format!(
            "uri: expected {}, got {}",
            expected.uri(),
            actual.uri()
        ));
    }
    if let Some(diff) = header_difference(expected.headers(), actual.headers(), ignored) {
        return Some(diff);
    }
    body_difference(expected.body(), actual.body())
}

fn header_difference(
    expected: &HeaderMap,
    actual: &HeaderMap,
    ignored: &[HeaderName],
) -> Option<String> {
    // Expected names first, in their order, then names only the actual request has.
    let names = expected
        .keys()
        .chain(actual.keys().filter(|name| !expected.contains_key(*name)));
    for name in names {
        if ignored.contains(name) {
            continue;
        }
        let want: Vec<&HeaderValue> = expected.get_all(name).iter().collect();
        let got: Vec<&HeaderValue> = actual.get_all(name).iter().collect();
        if want != got {
            return Some(format!(
                "header `{name}`: expected {}, got {}",
                show_values(name, &want),
                show_values(name, &got)
            ));
        }
    }
    None
}

fn show_values(name: &HeaderName, values: &[&HeaderValue]) -> String {
    if values.is_empty() {
        return "nothing (header absent)".to_owned();
    }
    let shown: Vec<String> = values
        .iter()
        .map(|value| {
            if REDACTED.contains(name) || value.is_sensitive() {
                format!("<redacted, {} bytes>", value.len())
            } else {
                format!("{value:?}")
            }
        })
        .collect();
    format!("[{}]", shown.join(", "))
}

fn body_difference(expected: &Bytes, actual: &Bytes) -> Option<String> {
    if expected == actual {
        return None;
    }
    let offset = expected
        .iter()
        .zip(actual.iter())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.len().min(actual.len()));
    Some(format!(
        "body: expected {} bytes, got {} bytes; first difference at byte {offset}: expected \"{}\", got \"{}\"",
        expected.len(),
        actual.len(),
        excerpt(expected, offset),
        excerpt(actual, offset),
    ))
}

/// Up to 40 bytes before and 40 after `offset`, escaped, with `…` where cut.
fn excerpt(body: &Bytes, offset: usize) -> String {
    let start = offset.saturating_sub(40);
    let end = offset.saturating_add(40).min(body.len());
    let middle = body.get(start..end).unwrap_or_default().escape_ascii();
    let before = if start > 0 { "…" } else { "" };
    let after = if end < body.len() { "…" } else { "" };
    format!("{before}{middle}{after}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> http::Request<Bytes> {
        let mut builder = http::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder
            .body(Bytes::copy_from_slice(body.as_bytes()))
            .expect("a valid request")
    }

    #[test]
    fn identical_requests_match() {
        let a = request(
            "POST",
            "http://h/a?b=1",
            &[("x-a", "1"), ("x-a", "2")],
            "{}",
        );
        assert_eq!(first_difference(&a, &a, &[]), None);
    }

    #[test]
    fn method_is_reported_before_everything_else() {
        let a = request("GET", "http://h/a", &[], "");
        let b = request("PUT", "http://h/b", &[("x", "1")], "x");
        assert_eq!(
            first_difference(&a, &b, &[]).as_deref(),
            Some("method: expected GET, got PUT")
        );
    }

    #[test]
    fn uri_difference_names_both_uris() {
        let a = request("GET", "http://h/users/auth0%7C1", &[], "");
        let b = request("GET", "http://h/users/auth0|1", &[], "");
        let diff = first_difference(&a, &b, &[]).expect("differs");
        assert!(
            diff.contains("auth0%7C1") && diff.contains("auth0|1"),
            "{diff}"
        );
    }

    #[test]
    fn repeated_header_order_matters_and_missing_headers_are_named() {
        let a = request("GET", "http://h/", &[("x-a", "1"), ("x-a", "2")], "");
        let b = request("GET", "http://h/", &[("x-a", "2"), ("x-a", "1")], "");
        let diff = first_difference(&a, &b, &[]).expect("differs");
        assert_eq!(diff, r#"header `x-a`: expected ["1", "2"], got ["2", "1"]"#);
        let c = request(
            "GET",
            "http://h/",
            &[("x-a", "1"), ("x-a", "2"), ("x-b", "3")],
            "",
        );
        let diff = first_difference(&a, &c, &[]).expect("differs");
        assert_eq!(
            diff,
            r#"header `x-b`: expected nothing (header absent), got ["3"]"#
        );
    }

    #[test]
    fn ignored_headers_are_skipped() {
        let a = request("GET", "http://h/", &[("user-agent", "a")], "");
        let b = request("GET", "http://h/", &[("user-agent", "b")], "");
        assert_eq!(first_difference(&a, &b, &[http::header::USER_AGENT]), None);
    }

    #[test]
    fn authorization_values_are_redacted() {
        let a = request(
            "GET",
            "http://h/",
            &[("authorization", "Bearer secret-1")],
            "",
        );
        let b = request(
            "GET",
            "http://h/",
            &[("authorization", "Bearer secret-22")],
            "",
        );
        let diff = first_difference(&a, &b, &[]).expect("differs");
        assert!(!diff.contains("secret"), "{diff}");
        assert!(
            diff.contains("15 bytes") && diff.contains("16 bytes"),
            "{diff}"
        );
    }

    #[test]
    fn body_difference_gives_the_offset_and_both_excerpts() {
        let a = request("POST", "http://h/", &[], r#"{"name":"ann"}"#);
        let b = request("POST", "http://h/", &[], r#"{"name":"bob"}"#);
        let diff = first_difference(&a, &b, &[]).expect("differs");
        assert_eq!(
            diff,
            r#"body: expected 14 bytes, got 14 bytes; first difference at byte 9: expected "{\"name\":\"ann\"}", got "{\"name\":\"bob\"}""#
        );
        let short = request("POST", "http://h/", &[], r#"{"name":"an"#);
        let diff = first_difference(&a, &short, &[]).expect("differs");
        assert!(diff.contains("first difference at byte 11"), "{diff}");
    }
}
