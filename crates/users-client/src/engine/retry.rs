//! When to repeat a request and how long to wait first: a pure decision function.
//!
//! Time and randomness come in as arguments so that every row of the decision table is tested
//! without a clock. The loop that waits and resends is `engine::attempts`. The classification
//! of statuses and transport failures ([`status_class`], [`transient_transport`]) is the one
//! both [`decide`] and [`Error::is_retryable`](crate::Error::is_retryable) use.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};
use users_transport::{TransportError, TransportErrorKind};

use crate::engine::ratelimit::RateLimit;

/// Upper bound of the jitter added to a wait derived from `x-ratelimit-reset`.
///
/// The header has whole-second resolution and every throttled caller sees the same value, so a
/// spread of up to half a second keeps them from all arriving on the same tick.
const RESET_JITTER: Duration = Duration::from_millis(500);

/// How many attempts a call may make, how long it waits between them and when it gives up.
///
/// Build one from [`RetryPolicy::default`] or [`RetryPolicy::disabled`] and the `with_*`
/// setters; the fields are public to read. Every duration may be anything up to
/// `Duration::MAX`: waits are computed with saturating arithmetic.
///
/// ```
/// use std::time::Duration;
/// let policy = users_client::RetryPolicy::default()
///     .with_max_attempts(6)
///     .with_deadline(Some(Duration::from_secs(30)));
/// assert_eq!(policy.max_attempts, 6);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts including the first. Default 4: node-auth0's management client makes four
    /// (three retries), which is enough to ride out a one-second rate-limit window or a brief
    /// outage without multiplying load on a struggling tenant. Zero behaves like one.
    pub max_attempts: u32,
    /// The first backoff ceiling, doubled for each further attempt. Default 500 ms, as in
    /// node-auth0: long enough for a restarted connection, short enough not to be noticed.
    pub base_delay: Duration,
    /// The largest backoff ceiling. Default 10 s, as in node-auth0 and the Go SDK: waiting longer
    /// for a server error rarely helps and keeps callers blocked.
    pub max_backoff: Duration,
    /// The longest wait the server may ask for with `Retry-After` or `x-ratelimit-reset`.
    /// Default 60 s: Auth0's per-minute buckets refill within a minute, and node-auth0 v5+ caps
    /// at the same value; a longer demand (or a skewed clock) is cut to this.
    pub max_rate_limit_wait: Duration,
    /// The whole call's budget, measured from the moment the call starts: every wait counts
    /// against it (the rate-limit gate, the token, backoff and attempts). No wait is begun that
    /// would end after it, and no attempt is started after it, so a call returns at the latest
    /// one attempt's timeout after its deadline. Default 120 s, two full rate-limit windows;
    /// `None` means only `max_attempts` bounds the call.
    pub deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            max_rate_limit_wait: Duration::from_secs(60),
            deadline: Some(Duration::from_secs(120)),
        }
    }
}

impl RetryPolicy {
    /// A policy that makes exactly one attempt.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets [`max_attempts`](Self::max_attempts).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets [`base_delay`](Self::base_delay).
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets [`max_backoff`](Self::max_backoff).
    pub fn with_max_backoff(mut self, ceiling: Duration) -> Self {
        self.max_backoff = ceiling;
        self
    }

    /// Sets [`max_rate_limit_wait`](Self::max_rate_limit_wait).
    pub fn with_max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.max_rate_limit_wait = wait;
        self
    }

    /// Sets [`deadline`](Self::deadline).
    pub fn with_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }
}

/// Whether repeating a request can change the result beyond what the first attempt did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// Safe to repeat: GET, DELETE, PUT and this API's PATCH (it sets fields to given values).
    Idempotent,
    /// Repeating may act twice: POST to create a user or to link an identity.
    NonIdempotent,
}

/// How one attempt ended.
#[derive(Debug)]
pub(crate) enum Outcome<'a> {
    /// The server answered.
    Response {
        /// The response status.
        status: StatusCode,
        /// The response headers, read for `Retry-After` and `x-ratelimit-reset`.
        headers: &'a HeaderMap,
    },
    /// The transport failed before a response arrived.
    Transport(&'a TransportError),
}

impl<'a> Outcome<'a> {
    /// How the attempt that produced `result` ended.
    pub(crate) fn of(result: &'a Result<http::Response<bytes::Bytes>, TransportError>) -> Self {
        match result {
            Ok(response) => Outcome::Response {
                status: response.status(),
                headers: response.headers(),
            },
            Err(error) => Outcome::Transport(error),
        }
    }
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait this long, then make another attempt.
    Retry(Duration),
    /// Return this attempt's result.
    Stop,
}

/// What [`decide`] looks at besides the policy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Facts<'a> {
    /// The attempt that just ended, 1-based.
    pub attempt: u32,
    /// Whether the request may be repeated after an unknown outcome.
    pub idempotency: Idempotency,
    /// How it ended.
    pub outcome: &'a Outcome<'a>,
    /// The wall clock, for `Retry-After` dates and `x-ratelimit-reset`.
    pub now_epoch_ms: i64,
    /// Uniform in `[0, 1)`; values outside are clamped, NaN counts as 0.
    pub jitter: f64,
    /// Time since the call started.
    pub elapsed: Duration,
}

/// Decides whether to repeat the attempt numbered `attempt` (1-based) that ended with `outcome`.
///
/// - 429: retried for every operation (the server did not act). The wait is `Retry-After`
///   (seconds or HTTP-date), else until `x-ratelimit-reset` plus up to half a second of jitter, else
///   exponential backoff; server-given waits are clamped to `max_rate_limit_wait`.
/// - 408, 5xx except 501, and transport timeouts, connection and I/O failures: retried only when
///   `idempotency` is [`Idempotency::Idempotent`], since the first attempt may have been applied.
///   A `Retry-After` on such a response is honoured (clamped) over the backoff.
/// - A transport failure that certainly never sent the request (connect refused, connect timeout)
///   is retried for every operation; other never-sent failures (an invalid request) are not.
/// - 501, TLS and body-size failures and every other status: stop.
///
/// Stops when `attempt >= max_attempts`, or when `elapsed` (since the first attempt started)
/// plus the wait would pass the deadline. Backoff is "full jitter":
/// `jitter * min(max_backoff, base_delay * 2^(attempt-1))`, where `jitter` is uniform in
/// `[0, 1)` (values outside are clamped, NaN counts as 0).
pub(crate) fn decide(policy: &RetryPolicy, facts: &Facts<'_>) -> Decision {
    let Facts {
        attempt,
        idempotency,
        outcome,
        now_epoch_ms,
        jitter,
        elapsed,
    } = *facts;
    if attempt >= policy.max_attempts {
        return Decision::Stop;
    }
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    let backoff = || backoff(policy, attempt, jitter);
    let idempotent = idempotency == Idempotency::Idempotent;
    let delay = match outcome {
        Outcome::Response { status, headers } => match status_class(*status) {
            StatusClass::RateLimited => {
                rate_limit_wait(policy, headers, now_epoch_ms, jitter).unwrap_or_else(backoff)
            }
            StatusClass::Transient if idempotent => retry_after(headers, now_epoch_ms)
                .map(|d| d.min(policy.max_rate_limit_wait))
                .unwrap_or_else(backoff),
            StatusClass::Transient | StatusClass::Final => return Decision::Stop,
        },
        Outcome::Transport(error) if is_retryable_transport(error, idempotent) => backoff(),
        Outcome::Transport(_) => return Decision::Stop,
    };
    match policy.deadline {
        Some(deadline) if elapsed.saturating_add(delay) > deadline => Decision::Stop,
        _ => Decision::Retry(delay),
    }
}

/// What a response status says about trying again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatusClass {
    /// 429: the server did not act; try again after the wait it asks for.
    RateLimited,
    /// 408, and 5xx except 501: transient, but the request may have been applied.
    Transient,
    /// Everything else, 501 included (the server will not implement it on a second try).
    Final,
}

/// The one classification of statuses.
pub(crate) fn status_class(status: StatusCode) -> StatusClass {
    if status == StatusCode::TOO_MANY_REQUESTS {
        StatusClass::RateLimited
    } else if status == StatusCode::REQUEST_TIMEOUT
        || (status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED)
    {
        StatusClass::Transient
    } else {
        StatusClass::Final
    }
}

/// The one classification of transport failures: a timeout, a failed connection or an I/O
/// error may not happen again; TLS, body-size and invalid-request failures will.
pub(crate) fn transient_transport(kind: TransportErrorKind) -> bool {
    matches!(
        kind,
        TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Io
    )
}

fn is_retryable_transport(error: &TransportError, idempotent: bool) -> bool {
    let transient = transient_transport(error.kind());
    // Never sent: repeating cannot apply anything twice, but only a failure to reach the server
    // is worth repeating (an invalid request fails the same way again).
    transient && (idempotent || !error.may_have_been_sent())
}

/// `jitter * min(max_backoff, base_delay * 2^(attempt-1))`, saturating instead of overflowing.
fn backoff(policy: &RetryPolicy, attempt: u32, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    let ceiling = policy
        .base_delay
        .saturating_mul(factor)
        .min(policy.max_backoff);
    scale(ceiling, jitter)
}

/// `d * factor` for a factor in `[0, 1]`, never above `d` and never panicking.
fn scale(d: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * factor)
        .unwrap_or(d)
        .min(d)
}

/// The wait a 429 asks for: `Retry-After`, else until `x-ratelimit-reset` plus jitter, clamped.
fn rate_limit_wait(
    policy: &RetryPolicy,
    headers: &HeaderMap,
    now_epoch_ms: i64,
    jitter: f64,
) -> Option<Duration> {
    let wait = retry_after(headers, now_epoch_ms).or_else(|| {
        let until_reset = RateLimit::from_headers(headers)?.until_reset(now_epoch_ms)?;
        Some(until_reset.saturating_add(scale(RESET_JITTER, jitter)))
    })?;
    Some(wait.min(policy.max_rate_limit_wait))
}

/// The wait a `Retry-After` header asks for at `now_epoch_ms`: delta-seconds or an HTTP-date
/// (any of the three formats RFC 9110 requires recipients to accept). A date in the past means
/// no wait; a missing or malformed header gives `None`. The result is not clamped.
pub(crate) fn retry_after(headers: &HeaderMap, now_epoch_ms: i64) -> Option<Duration> {
    let text = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // An absurd number of seconds is still a demand to wait as long as allowed.
        return Some(Duration::from_secs(text.parse().unwrap_or(u64::MAX)));
    }
    let date = httpdate::parse_http_date(text).ok()?;
    let date_ms = date
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())?;
    let ms = date_ms.saturating_sub(now_epoch_ms);
    Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
