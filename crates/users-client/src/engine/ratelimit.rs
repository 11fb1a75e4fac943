//! The server's `x-ratelimit-*` headers.
//!
//! Auth0 sends `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (UNIX epoch
//! seconds of when requests will next be added) on successful and throttled responses alike.
//! The gate that acts on them is `engine::gate`.

use std::time::Duration;

use http::{HeaderMap, HeaderName};

/// The `x-ratelimit-limit` header: the bucket size.
const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// The `x-ratelimit-remaining` header: requests left until the bucket is refilled.
const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// The `x-ratelimit-reset` header: when requests are next added, in UNIX epoch seconds.
const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Rate-limit state parsed from one response's `x-ratelimit-*` headers.
///
/// Each field is `None` when its header is missing or not a plain non-negative integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RateLimit {
    /// `x-ratelimit-limit`: the bucket size.
    pub limit: Option<u64>,
    /// `x-ratelimit-remaining`: requests left before the bucket is refilled.
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`: when requests are next added, in UNIX epoch seconds.
    pub reset_epoch_secs: Option<i64>,
}

impl RateLimit {
    /// Parses the `x-ratelimit-*` headers (names match in any case).
    ///
    /// Returns `None` when none of the three headers holds a usable value, so a response without
    /// rate-limit information never overwrites what is already known. Garbage values become
    /// `None` fields; nothing here panics.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let rl = RateLimit {
            limit: header_u64(headers, &LIMIT),
            remaining: header_u64(headers, &REMAINING),
            reset_epoch_secs: header_u64(headers, &RESET).and_then(|v| i64::try_from(v).ok()),
        };
        (rl != RateLimit::default()).then_some(rl)
    }

    /// How long from `now_epoch_ms` until the reset; zero when the reset is unknown or already
    /// past (a client clock ahead of the server's must not produce a wait).
    pub fn until_reset(&self, now_epoch_ms: i64) -> Option<Duration> {
        let reset_ms = self.reset_epoch_secs?.saturating_mul(1000);
        let ms = reset_ms.saturating_sub(now_epoch_ms);
        Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
    }
}

/// A header as a non-negative integer: ASCII digits only, surrounding whitespace allowed.
/// Signs, fractions, several comma-joined values and overflow are rejected.
///
/// `name` is a pre-parsed [`HeaderName`]: a `&str` would be parsed and validated again on every
/// response (about a third of this function's cost in a profile).
///
/// The value is read by [`users_transport::header_number`] (one pass, no `str`), without a `+`.
fn header_u64(headers: &HeaderMap, name: &HeaderName) -> Option<u64> {
    users_transport::header_number(headers.get(name)?.as_bytes(), false)
}

/// Whether `seen` is provably older than `known`: an earlier reset (the server's reset never
/// moves backwards), or the same reset with more left (within a window the count only drops).
pub(crate) fn is_stale(seen: &RateLimit, known: &RateLimit) -> bool {
    match (seen.reset_epoch_secs, known.reset_epoch_secs) {
        (Some(seen_reset), Some(known_reset)) if seen_reset < known_reset => true,
        (Some(seen_reset), Some(known_reset)) if seen_reset == known_reset => {
            matches!((seen.remaining, known.remaining), (Some(s), Some(k)) if s > k)
        }
        _ => false,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use http::{HeaderName, HeaderValue};

    const NOW_MS: i64 = 1_675_452_600_000;

    /// A header map from name and raw value pairs, repeated names appended (also used by the
    /// retry tests).
    pub(crate) fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            let name = HeaderName::from_bytes(name.as_bytes()).expect("test header name");
            let value = HeaderValue::from_bytes(value).expect("test header value");
            map.append(name, value);
        }
        map
    }

    fn empty(reset_in_secs: i64) -> RateLimit {
        RateLimit {
            limit: Some(10),
            remaining: Some(0),
            reset_epoch_secs: Some(NOW_MS / 1000 + reset_in_secs),
        }
    }

    #[test]
    fn parses_all_three_headers_in_any_case() {
        let map = headers(&[
            ("X-RateLimit-Limit", b"50"),
            ("X-RATELIMIT-REMAINING", b"0"),
            ("x-ratelimit-reset", b"1675452600"),
        ]);
        assert_eq!(
            RateLimit::from_headers(&map),
            Some(RateLimit {
                limit: Some(50),
                remaining: Some(0),
                reset_epoch_secs: Some(1_675_452_600),
            })
        );
    }

    #[test]
    fn missing_headers_give_none() {
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
        let only_remaining = headers(&[("x-ratelimit-remaining", b" 7 ")]);
        assert_eq!(
            RateLimit::from_headers(&only_remaining),
            Some(RateLimit {
                remaining: Some(7),
                ..RateLimit::default()
            })
        );
    }

    #[test]
    fn garbage_values_become_none_fields() {
        let garbage: [&[u8]; 10] = [
            b"",
            b"-1",
            b"+5",
            b"1.5",
            b"abc",
            b"5, 6",
            b"99999999999999999999999",
            b"\xff\xfe",
            b"1e3",
            b"  ",
        ];
        for value in garbage {
            let map = headers(&[
                ("x-ratelimit-limit", value),
                ("x-ratelimit-remaining", value),
                ("x-ratelimit-reset", value),
            ]);
            assert_eq!(RateLimit::from_headers(&map), None, "value {value:?}");
        }
        // A reset beyond i64 but within u64 is garbage too, while the other fields survive.
        let map = headers(&[
            ("x-ratelimit-remaining", b"3"),
            ("x-ratelimit-reset", b"18446744073709551615"),
        ]);
        assert_eq!(
            RateLimit::from_headers(&map),
            Some(RateLimit {
                remaining: Some(3),
                ..RateLimit::default()
            })
        );
    }

    /// The previous reading of a header: text, trimmed, digits only, `str::parse`.
    fn reference_u64(value: &HeaderValue) -> Option<u64> {
        let text = value.to_str().ok()?.trim();
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }

    proptest::proptest! {
        #[test]
        fn header_values_read_as_a_plain_parse_would(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b" \t0123456789+-.,e".to_vec()),
                    proptest::prelude::any::<u8>(),
                ],
                0..24,
            ),
        ) {
            if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                let mut map = HeaderMap::new();
                map.insert(REMAINING, value.clone());
                proptest::prop_assert_eq!(header_u64(&map, &REMAINING), reference_u64(&value));
            }
        }
    }

    #[test]
    fn header_values_at_the_edges() {
        for (text, expected) in [
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("\t 0042 \t", Some(42)),
            ("0", Some(0)),
        ] {
            let value = HeaderValue::from_str(text).expect("test header value");
            let mut map = HeaderMap::new();
            map.insert(REMAINING, value.clone());
            assert_eq!(header_u64(&map, &REMAINING), expected, "{text:?}");
            assert_eq!(reference_u64(&value), expected, "{text:?}");
        }
    }

    #[test]
    fn until_reset_is_zero_when_past_and_saturates_when_huge() {
        assert_eq!(empty(3).until_reset(NOW_MS), Some(Duration::from_secs(3)));
        assert_eq!(empty(-5).until_reset(NOW_MS), Some(Duration::ZERO));
        assert_eq!(RateLimit::default().until_reset(NOW_MS), None);
        let huge = RateLimit {
            reset_epoch_secs: Some(i64::MAX),
            ..RateLimit::default()
        };
        assert!(huge.until_reset(i64::MIN).is_some());
    }
}
