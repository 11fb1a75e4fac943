//! The attempt loop, the one path every request takes (API calls and the token request alike):
//! credentials → rate-limit gate → one attempt → rate-limit bookkeeping → retry decision → wait.
//!
//! One deadline bounds it all: the gate and the token provider are waited for only until the
//! deadline, no retry is begun whose wait would end after it, and no attempt starts after it.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;
use users_transport::{Transport, TransportError};

use crate::engine::attempt::attempt_once;
use crate::engine::credentials::Credential;
use crate::engine::gate::RateLimitGate;
use crate::engine::ratelimit::RateLimit;
use crate::engine::retry::{self, Decision, Facts, Idempotency, Outcome, RetryPolicy};
use crate::engine::time::{self, WallClock, millis};
use crate::error::Error;

/// What one request's attempts share: where they go, how long each may take and when to stop.
pub(crate) struct Attempts<'a> {
    pub transport: &'a dyn Transport,
    /// The client's own timer per attempt (`None` when the transport enforces one as tight).
    pub timeout: Option<Duration>,
    pub policy: &'a RetryPolicy,
    pub idempotency: Idempotency,
    /// The shared rate-limit gate; `None` for requests outside the Management API's bucket
    /// (the token request).
    pub gate: Option<&'a RateLimitGate>,
    pub clock: WallClock,
    /// When the call started: the deadline counts from here.
    pub started: Instant,
}

/// A successful exchange before decoding.
pub(crate) struct Raw {
    pub response: http::Response<Bytes>,
    pub attempts: u32,
    pub rate_limit: Option<RateLimit>,
}

/// How the loop ended without a success.
pub(crate) enum Stopped {
    /// The last attempt's answer, an error status.
    Answered {
        response: http::Response<Bytes>,
        rate_limit: Option<RateLimit>,
        attempts: u32,
    },
    /// The last attempt's transport failure.
    Failed {
        source: TransportError,
        attempts: u32,
    },
    /// Something before the attempt failed (credentials), or the deadline passed with no attempt
    /// outcome to report.
    Error(Error),
}

impl Stopped {
    /// The error an API call reports.
    pub fn into_api_error(self) -> Error {
        match self {
            Stopped::Answered {
                response,
                rate_limit,
                attempts,
            } => Error::from_response(response.status(), response.body(), rate_limit, attempts),
            Stopped::Failed { source, attempts } => Error::Transport { source, attempts },
            Stopped::Error(e) => e,
        }
    }
}

/// What the loop does after an attempt.
enum Next {
    Done(Result<Raw, Stopped>),
    /// A 401 to a provider's token: ask the provider to invalidate it, and end with this if it
    /// cannot offer another.
    Refresh(Stopped),
    /// Wait this long, then make another attempt; this is the outcome if the deadline or the
    /// gate prevents that attempt.
    Retry(Duration, Stopped),
}

impl Attempts<'_> {
    /// The call's deadline as an instant (`None`: unbounded).
    pub fn deadline(&self) -> Option<Instant> {
        self.policy.deadline.map(|d| time::after(self.started, d))
    }

    /// Runs attempts until one succeeds or the policy stops. `credential` supplies each
    /// attempt's `Authorization` (none for the token request); `build` makes each attempt's
    /// request with it.
    pub async fn run(
        &self,
        mut credential: Option<Credential<'_>>,
        build: impl Fn(Option<HeaderValue>) -> http::Request<Bytes>,
    ) -> Result<Raw, Stopped> {
        let deadline = self.deadline();
        let mut attempt = 0u32;
        let mut sends = 0u32;
        let mut refreshed = false;
        let mut last: Option<Stopped> = None;
        loop {
            // Credentials first (the design's order, and what lets concurrent callers share one
            // token fetch), then the gate. Both wait only until the deadline; without a wait the
            // attempt goes even past it (the first attempt of a call with a zero deadline).
            let authorization = match credential.as_mut() {
                Some(c) => match c.authorization(deadline, sends).await {
                    Ok(value) => Some(value),
                    Err(Error::DeadlineExceeded { .. }) if last.is_some() => {
                        return Err(last.unwrap_or_else(|| past_deadline(sends)));
                    }
                    Err(e) => return Err(Stopped::Error(e)),
                },
                None => None,
            };
            let admission = match self.gate {
                Some(gate) => match gate.admit(deadline).await {
                    Ok(admission) => Some(admission),
                    Err(_) => return Err(last.unwrap_or_else(|| past_deadline(sends))),
                },
                None => None,
            };
            attempt += 1;
            sends += 1;
            let span = tracing::debug_span!(
                "attempt",
                attempt = sends,
                status = tracing::field::Empty,
                delay_ms = tracing::field::Empty
            );
            let sending = attempt_once(self.transport, build(authorization), self.timeout);
            // A disabled span (no subscriber, or filtered out) records nothing when entered: the
            // attempt is awaited as it is rather than moved into an `Instrumented` wrapper.
            let result = if span.is_disabled() {
                sending.await
            } else {
                sending.instrument(span.clone()).await
            };
            let refreshable = !refreshed
                && credential
                    .as_ref()
                    .is_some_and(|c| c.refreshable().is_some());
            let next = self.settle(result, &span, attempt, sends, refreshable);
            // The answer has been observed: the gate may count this request as done.
            drop(admission);
            match next {
                Next::Done(done) => return done,
                Next::Refresh(rejected) => {
                    if let Some((provider, token)) =
                        credential.as_ref().and_then(|c| c.refreshable())
                        && provider.invalidate(token).await
                    {
                        refreshed = true;
                        attempt -= 1;
                        tracing::debug!(parent: &span, "401: retrying once with a fresh token");
                        continue;
                    }
                    return Err(rejected);
                }
                Next::Retry(delay, outcome) => {
                    // `decide` has checked that the wait ends within the deadline.
                    last = Some(outcome);
                    // Boxed: the timer is only needed on this path, so the call's state does not
                    // carry room for it on every attempt.
                    Box::pin(tokio::time::sleep(delay)).await;
                }
            }
        }
    }

    /// Everything done with an attempt's result that needs no waiting: the rate-limit
    /// bookkeeping, the 401 rule and the retry decision. Kept out of the loop's `async fn` so
    /// the response is not part of the call's state across a wait unless it is the outcome.
    fn settle(
        &self,
        result: Result<http::Response<Bytes>, TransportError>,
        span: &tracing::Span,
        attempt: u32,
        sends: u32,
        refreshable: bool,
    ) -> Next {
        let mut rate_limit = None;
        let success = matches!(&result, Ok(r) if r.status().is_success());
        if let Ok(resp) = &result {
            span.record("status", resp.status().as_u16());
            rate_limit = RateLimit::from_headers(resp.headers());
        }
        if let (Some(gate), Ok(_)) = (self.gate, &result) {
            gate.observe(rate_limit.as_ref());
        }
        let result = match result {
            Ok(response) if success => {
                return Next::Done(Ok(Raw {
                    response,
                    attempts: sends,
                    rate_limit,
                }));
            }
            other => other,
        };
        // A 401 means the token was rejected: a fresh one may work, so the call is repeated once
        // outside the retry budget. `retry::decide` never retries a 401 otherwise.
        let unauthorized = matches!(&result, Ok(r) if r.status() == StatusCode::UNAUTHORIZED);
        if unauthorized && refreshable {
            return Next::Refresh(stopped(result, rate_limit, sends));
        }
        let outcome = Outcome::of(&result);
        let facts = Facts {
            attempt,
            idempotency: self.idempotency,
            outcome: &outcome,
            // The wall clock is read only here, after a failure.
            now_epoch_ms: self.clock.now_epoch_ms(),
            jitter: rand::random::<f64>(),
            elapsed: self.started.elapsed(),
        };
        match retry::decide(self.policy, &facts) {
            Decision::Retry(delay) => {
                span.record("delay_ms", millis(delay));
                tracing::debug!(parent: span, "retrying");
                Next::Retry(delay, stopped(result, rate_limit, sends))
            }
            Decision::Stop => Next::Done(Err(stopped(result, rate_limit, sends))),
        }
    }
}

fn past_deadline(attempts: u32) -> Stopped {
    Stopped::Error(Error::DeadlineExceeded { attempts })
}

fn stopped(
    result: Result<http::Response<Bytes>, TransportError>,
    rate_limit: Option<RateLimit>,
    attempts: u32,
) -> Stopped {
    match result {
        Ok(response) => Stopped::Answered {
            response,
            rate_limit,
            attempts,
        },
        Err(source) => Stopped::Failed { source, attempts },
    }
}
