use super::*;
use Idempotency::{Idempotent, NonIdempotent};
use http::HeaderValue;
use proptest::prelude::*;

/// 2023-02-03T19:30:00Z, the reset in Auth0's documentation example.
const NOW_MS: i64 = 1_675_452_600_000;
const NOW_SECS: i64 = NOW_MS / 1000;
const HALF: f64 = 0.5;

/// [`decide`] with the facts spelled out in order.
fn decide_with(
    policy: &RetryPolicy,
    attempt: u32,
    idempotency: Idempotency,
    outcome: &Outcome<'_>,
    now_epoch_ms: i64,
    jitter: f64,
    elapsed: Duration,
) -> Decision {
    let facts = Facts {
        attempt,
        idempotency,
        outcome,
        now_epoch_ms,
        jitter,
        elapsed,
    };
    decide(policy, &facts)
}

#[test]
fn one_classification_for_the_decision_and_the_error() {
    for code in 100u16..600 {
        let status = StatusCode::from_u16(code).expect("status");
        let expected = if code == 429 {
            StatusClass::RateLimited
        } else if code == 408 || (500..600).contains(&code) && code != 501 {
            StatusClass::Transient
        } else {
            StatusClass::Final
        };
        assert_eq!(status_class(status), expected, "{code}");
    }
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

use crate::engine::ratelimit::tests::headers;

/// `decide` for a response at `NOW_MS` with the default policy and no time elapsed.
fn on_status(
    status: u16,
    pairs: &[(&str, &[u8])],
    idempotency: Idempotency,
    attempt: u32,
) -> Decision {
    let headers = headers(pairs);
    let status = StatusCode::from_u16(status).expect("test status");
    let outcome = Outcome::Response {
        status,
        headers: &headers,
    };
    let policy = RetryPolicy::default();
    decide_with(
        &policy,
        attempt,
        idempotency,
        &outcome,
        NOW_MS,
        HALF,
        Duration::ZERO,
    )
}

fn on_error(error: &TransportError, idempotency: Idempotency) -> Decision {
    let policy = RetryPolicy::default();
    let outcome = Outcome::Transport(error);
    decide_with(
        &policy,
        1,
        idempotency,
        &outcome,
        NOW_MS,
        HALF,
        Duration::ZERO,
    )
}

/// Header names and values for one row of a table.
type Pairs<'a> = Vec<(&'a str, &'a [u8])>;

fn reset_in(delta_secs: i64) -> Vec<u8> {
    (NOW_SECS + delta_secs).to_string().into_bytes()
}

#[test]
fn defaults_are_the_documented_ones() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.max_attempts, 4);
    assert_eq!(policy.base_delay, ms(500));
    assert_eq!(policy.max_backoff, secs(10));
    assert_eq!(policy.max_rate_limit_wait, secs(60));
    assert_eq!(policy.deadline, Some(secs(120)));
    assert_eq!(RetryPolicy::disabled().max_attempts, 1);
}

#[test]
fn final_statuses_stop() {
    for status in [200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 413, 422] {
        for idempotency in [Idempotent, NonIdempotent] {
            assert_eq!(
                on_status(status, &[("retry-after", b"1")], idempotency, 1),
                Decision::Stop,
                "status {status} {idempotency:?}"
            );
        }
    }
}

#[test]
fn rate_limited_rows() {
    let past_reset = reset_in(-30);
    let soon_reset = reset_in(3);
    let far_reset = reset_in(86_400);
    let rows: [(&str, Pairs<'_>, u32, Decision); 13] = [
        (
            "retry-after seconds",
            vec![("retry-after", b"7")],
            1,
            Decision::Retry(secs(7)),
        ),
        (
            "retry-after zero",
            vec![("Retry-After", b"0")],
            1,
            Decision::Retry(Duration::ZERO),
        ),
        (
            "retry-after IMF-fixdate",
            vec![("retry-after", b"Fri, 03 Feb 2023 19:30:30 GMT")],
            1,
            Decision::Retry(secs(30)),
        ),
        (
            "retry-after RFC 850 date",
            vec![("retry-after", b"Friday, 03-Feb-23 19:30:30 GMT")],
            1,
            Decision::Retry(secs(30)),
        ),
        (
            "retry-after asctime date",
            vec![("retry-after", b"Fri Feb  3 19:30:30 2023")],
            1,
            Decision::Retry(secs(30)),
        ),
        (
            "retry-after date in the past",
            vec![("retry-after", b"Fri, 03 Feb 2023 19:29:00 GMT")],
            1,
            Decision::Retry(Duration::ZERO),
        ),
        (
            "retry-after clamped",
            vec![("retry-after", b"3600")],
            1,
            Decision::Retry(secs(60)),
        ),
        (
            "retry-after wins over reset",
            vec![("retry-after", b"2"), ("x-ratelimit-reset", &soon_reset)],
            1,
            Decision::Retry(secs(2)),
        ),
        (
            "reset plus jitter",
            vec![
                ("x-ratelimit-remaining", b"0"),
                ("x-ratelimit-reset", &soon_reset),
            ],
            1,
            Decision::Retry(secs(3) + ms(250)),
        ),
        (
            "reset in the past: jitter only",
            vec![("x-ratelimit-reset", &past_reset)],
            1,
            Decision::Retry(ms(250)),
        ),
        (
            "reset clamped",
            vec![("x-ratelimit-reset", &far_reset)],
            1,
            Decision::Retry(secs(60)),
        ),
        ("neither: backoff", vec![], 1, Decision::Retry(ms(250))),
        (
            "neither: backoff grows",
            vec![],
            3,
            Decision::Retry(secs(1)),
        ),
    ];
    for (name, pairs, attempt, expected) in rows {
        for idempotency in [Idempotent, NonIdempotent] {
            assert_eq!(
                on_status(429, &pairs, idempotency, attempt),
                expected,
                "{name}, {idempotency:?}"
            );
        }
    }
}

#[test]
fn garbage_rate_limit_headers_fall_back() {
    let soon_reset = reset_in(3);
    let garbage: [&[u8]; 10] = [
        b"",
        b"-5",
        b"1.5",
        b"abc",
        b"5 s",
        b"\xff\xfe",
        b"Fri, 03 Feb 2023 19:30:30 XYZ",
        b"Fri, 31 Feb 2023 19:30:30 GMT",
        b"Thu, 01 Jan 1960 00:00:00 GMT",
        b"+7",
    ];
    for value in garbage {
        let with_reset = [("retry-after", value), ("x-ratelimit-reset", &soon_reset)];
        assert_eq!(
            on_status(429, &with_reset, Idempotent, 1),
            Decision::Retry(secs(3) + ms(250)),
            "retry-after {value:?} falls back to the reset"
        );
        let all_garbage = [("retry-after", value), ("x-ratelimit-reset", value)];
        assert_eq!(
            on_status(429, &all_garbage, Idempotent, 1),
            Decision::Retry(ms(250)),
            "{value:?} everywhere falls back to backoff"
        );
    }
    // An absurd delta is still a demand to wait as long as allowed.
    let huge = [("retry-after", b"99999999999999999999999".as_slice())];
    assert_eq!(
        on_status(429, &huge, Idempotent, 1),
        Decision::Retry(secs(60))
    );
}

#[test]
fn server_errors_retry_only_when_idempotent() {
    for status in [408, 500, 502, 503, 504, 599] {
        assert_eq!(
            on_status(status, &[], Idempotent, 1),
            Decision::Retry(ms(250)),
            "{status}"
        );
        assert_eq!(
            on_status(status, &[], NonIdempotent, 1),
            Decision::Stop,
            "{status}"
        );
    }
}

#[test]
fn server_error_retry_after_is_honoured_and_clamped() {
    let asks_5 = [("retry-after", b"5".as_slice())];
    assert_eq!(
        on_status(503, &asks_5, Idempotent, 1),
        Decision::Retry(secs(5))
    );
    assert_eq!(on_status(503, &asks_5, NonIdempotent, 1), Decision::Stop);
    let asks_hour = [("retry-after", b"3600".as_slice())];
    assert_eq!(
        on_status(503, &asks_hour, Idempotent, 1),
        Decision::Retry(secs(60))
    );
}

#[test]
fn not_implemented_never_retries() {
    for idempotency in [Idempotent, NonIdempotent] {
        let asks = [("retry-after", b"1".as_slice())];
        assert_eq!(on_status(501, &asks, idempotency, 1), Decision::Stop);
    }
}

#[test]
fn transport_rows() {
    use TransportErrorKind::*;
    let backoff = Decision::Retry(ms(250));
    let rows = [
        // (error, idempotent, non-idempotent)
        (TransportError::new(Timeout), backoff, Decision::Stop),
        (TransportError::new(Io), backoff, Decision::Stop),
        // Refused before anything was sent: safe for every operation.
        (TransportError::new(Connect), backoff, backoff),
        // A backend that cannot tell whether the request left: unknown outcome.
        (
            TransportError::new(Connect).with_may_have_been_sent(true),
            backoff,
            Decision::Stop,
        ),
        // A connect timeout or an I/O failure known to precede sending.
        (
            TransportError::new(Timeout).with_may_have_been_sent(false),
            backoff,
            backoff,
        ),
        (
            TransportError::new(Io).with_may_have_been_sent(false),
            backoff,
            backoff,
        ),
        // Never sent, but it would fail the same way again.
        (
            TransportError::new(InvalidRequest),
            Decision::Stop,
            Decision::Stop,
        ),
        (TransportError::new(Tls), Decision::Stop, Decision::Stop),
        (
            TransportError::new(BodyTooLarge),
            Decision::Stop,
            Decision::Stop,
        ),
        (TransportError::new(Other), Decision::Stop, Decision::Stop),
    ];
    for (error, idempotent, non_idempotent) in rows {
        assert_eq!(on_error(&error, Idempotent), idempotent, "{error:?}");
        assert_eq!(on_error(&error, NonIdempotent), non_idempotent, "{error:?}");
    }
}

#[test]
fn max_attempts_stop_every_retryable_outcome() {
    let timeout = TransportError::new(TransportErrorKind::Timeout);
    let policy = RetryPolicy::default();
    let throttled = headers(&[("retry-after", b"1")]);
    let outcomes = [
        Outcome::Response {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers: &throttled,
        },
        Outcome::Response {
            status: StatusCode::SERVICE_UNAVAILABLE,
            headers: &throttled,
        },
        Outcome::Transport(&timeout),
    ];
    for outcome in &outcomes {
        let run = |policy: &RetryPolicy, attempt| {
            decide_with(
                policy,
                attempt,
                Idempotent,
                outcome,
                NOW_MS,
                HALF,
                Duration::ZERO,
            )
        };
        assert_ne!(run(&policy, 3), Decision::Stop, "{outcome:?}");
        assert_eq!(run(&policy, 4), Decision::Stop, "{outcome:?}");
        assert_eq!(run(&policy, 5), Decision::Stop, "{outcome:?}");
        assert_eq!(
            run(&RetryPolicy::disabled(), 1),
            Decision::Stop,
            "{outcome:?}"
        );
        let zero = RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(run(&zero, 0), Decision::Stop, "{outcome:?}");
    }
}

#[test]
fn deadline_stops_a_wait_that_would_pass_it() {
    let none = HeaderMap::new();
    let throttled = headers(&[("retry-after", b"30")]);
    let unavailable = Outcome::Response {
        status: StatusCode::SERVICE_UNAVAILABLE,
        headers: &none,
    };
    let limited = Outcome::Response {
        status: StatusCode::TOO_MANY_REQUESTS,
        headers: &throttled,
    };
    let policy = RetryPolicy::default();
    let run = |outcome: &Outcome<'_>, elapsed| {
        decide_with(&policy, 1, Idempotent, outcome, NOW_MS, HALF, elapsed)
    };
    assert_eq!(run(&unavailable, secs(100)), Decision::Retry(ms(250)));
    assert_eq!(
        run(&unavailable, secs(120) - ms(250)),
        Decision::Retry(ms(250))
    );
    assert_eq!(run(&unavailable, secs(120) - ms(249)), Decision::Stop);
    assert_eq!(run(&limited, secs(90)), Decision::Retry(secs(30)));
    assert_eq!(run(&limited, secs(91)), Decision::Stop);
    assert_eq!(run(&limited, Duration::MAX), Decision::Stop);

    let unbounded = RetryPolicy {
        deadline: None,
        ..RetryPolicy::default()
    };
    let outcome = &limited;
    assert_eq!(
        decide_with(
            &unbounded,
            1,
            Idempotent,
            outcome,
            NOW_MS,
            HALF,
            Duration::MAX
        ),
        Decision::Retry(secs(30))
    );
}

#[test]
fn backoff_doubles_up_to_the_ceiling_with_full_jitter() {
    let policy = RetryPolicy {
        max_attempts: u32::MAX,
        ..RetryPolicy::default()
    };
    let expected_ceilings = [(1, 500), (2, 1_000), (3, 2_000), (5, 8_000), (6, 10_000)];
    for (attempt, ceiling_ms) in expected_ceilings {
        assert_eq!(
            backoff(&policy, attempt, 1.0),
            ms(ceiling_ms),
            "attempt {attempt}"
        );
        assert_eq!(
            backoff(&policy, attempt, HALF),
            ms(ceiling_ms / 2),
            "attempt {attempt}"
        );
        assert_eq!(
            backoff(&policy, attempt, 0.0),
            Duration::ZERO,
            "attempt {attempt}"
        );
    }
    assert_eq!(backoff(&policy, u32::MAX, 1.0), secs(10));
    assert_eq!(backoff(&policy, 0, 1.0), ms(500));
}

#[test]
fn bad_jitter_and_extreme_settings_do_not_panic() {
    let huge = RetryPolicy {
        max_attempts: u32::MAX,
        base_delay: Duration::MAX,
        max_backoff: Duration::MAX,
        max_rate_limit_wait: Duration::MAX,
        deadline: None,
    };
    for jitter in [
        f64::NAN,
        -1.0,
        2.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.999_999_999,
    ] {
        let d = backoff(&huge, u32::MAX - 1, jitter);
        assert!(d <= Duration::MAX);
        let d = backoff(&RetryPolicy::default(), 2, jitter);
        assert!(d <= secs(1), "jitter {jitter}");
    }
    let policy = RetryPolicy::default();
    let none = HeaderMap::new();
    let outcome = Outcome::Response {
        status: StatusCode::BAD_GATEWAY,
        headers: &none,
    };
    let nan = decide_with(
        &policy,
        1,
        Idempotent,
        &outcome,
        NOW_MS,
        f64::NAN,
        Duration::ZERO,
    );
    assert_eq!(nan, Decision::Retry(Duration::ZERO));
    let over = decide_with(
        &policy,
        1,
        Idempotent,
        &outcome,
        NOW_MS,
        7.0,
        Duration::ZERO,
    );
    assert_eq!(over, Decision::Retry(ms(500)));
}

#[test]
fn retry_after_parses_without_clamping() {
    let at = |value: &[u8], now| retry_after(&headers(&[("retry-after", value)]), now);
    assert_eq!(at(b" 12 ", NOW_MS), Some(secs(12)));
    assert_eq!(
        at(b"Fri, 03 Feb 2023 19:30:30 GMT", NOW_MS + 10_500),
        Some(ms(19_500))
    );
    assert_eq!(
        at(b"Fri, 03 Feb 2023 19:30:30 GMT", i64::MIN),
        Some(ms(i64::MAX.unsigned_abs()))
    );
    assert_eq!(
        at(b"Fri, 03 Feb 2023 19:30:30 GMT", i64::MAX),
        Some(Duration::ZERO)
    );
    assert_eq!(at(b"soon", NOW_MS), None);
    assert_eq!(retry_after(&HeaderMap::new(), NOW_MS), None);
}

fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::MAX),
        Just(Duration::from_secs(u64::MAX)),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        (0u64..200_000).prop_map(Duration::from_millis),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Any policy, however extreme (0, `u32::MAX`, `Duration::MAX`), with any header and any
    /// clock: no panic, no wait above the larger clamp, none past the deadline.
    #[test]
    fn extreme_policies_never_panic_and_stay_bounded(
        max_attempts in prop_oneof![Just(0u32), Just(1), Just(u32::MAX), any::<u32>()],
        base_delay in any_duration(),
        max_backoff in any_duration(),
        max_rate_limit_wait in any_duration(),
        deadline in proptest::option::of(any_duration()),
        retry_after in "[ -~]{0,30}",
        reset in prop_oneof![Just("-1".to_owned()), Just(u64::MAX.to_string()), "[0-9]{0,22}"],
        status in prop_oneof![Just(429u16), Just(503), 100u16..600],
        now in any::<i64>(),
        jitter in any::<f64>(),
        attempt in any::<u32>(),
        elapsed in any_duration(),
    ) {
        let policy = RetryPolicy::default()
            .with_max_attempts(max_attempts)
            .with_base_delay(base_delay)
            .with_max_backoff(max_backoff)
            .with_max_rate_limit_wait(max_rate_limit_wait)
            .with_deadline(deadline);
        let mut map = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&retry_after) {
            map.insert(http::header::RETRY_AFTER, value);
        }
        if let Ok(value) = HeaderValue::from_str(&reset) {
            map.insert("x-ratelimit-reset", value);
        }
        let status = StatusCode::from_u16(status).expect("status in range");
        let outcome = Outcome::Response { status, headers: &map };
        let decision = decide_with(&policy, attempt, Idempotent, &outcome, now, jitter, elapsed);
        if let Decision::Retry(delay) = decision {
            prop_assert!(delay <= max_rate_limit_wait.max(max_backoff));
            if let Some(deadline) = deadline {
                prop_assert!(elapsed.saturating_add(delay) <= deadline);
            }
            prop_assert!(attempt < max_attempts);
        }
    }
}

proptest! {
    /// Whatever the server sends and whatever the clock says, a retry waits no longer than
    /// the larger clamp and never past the deadline.
    #[test]
    fn decisions_are_bounded(
        status in 100u16..1000,
        retry_after in proptest::collection::vec(any::<u8>(), 0..40),
        reset in proptest::collection::vec(any::<u8>(), 0..25),
        now in any::<i64>(),
        jitter in any::<f64>(),
        attempt in 0u32..20,
        elapsed_ms in 0u64..200_000,
        idempotent in any::<bool>(),
    ) {
        let mut map = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_bytes(&retry_after) {
            map.insert(http::header::RETRY_AFTER, value);
        }
        if let Ok(value) = HeaderValue::from_bytes(&reset) {
            map.insert("x-ratelimit-reset", value);
        }
        let status = StatusCode::from_u16(status).expect("status in range");
        let outcome = Outcome::Response { status, headers: &map };
        let idempotency = if idempotent { Idempotent } else { NonIdempotent };
        let policy = RetryPolicy::default();
        let elapsed = ms(elapsed_ms);
        let decision = decide_with(&policy, attempt, idempotency, &outcome, now, jitter, elapsed);
        if let Decision::Retry(delay) = decision {
            prop_assert!(delay <= policy.max_rate_limit_wait.max(policy.max_backoff));
            prop_assert!(elapsed + delay <= secs(120));
            prop_assert!(attempt < policy.max_attempts);
        }
    }
}
