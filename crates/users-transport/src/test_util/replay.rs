//! Replaying an ordered list of exchanges and checking the requests afterwards.

use std::collections::VecDeque;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Mutex;

use bytes::Bytes;
use http::HeaderName;

use super::diff::first_difference;
use super::{clone_request, lock};
use crate::{Transport, TransportError, TransportErrorKind};

/// One expected request and what to answer it with.
#[derive(Debug)]
pub struct ReplayEvent {
    request: http::Request<Bytes>,
    answer: Result<http::Response<Bytes>, TransportError>,
}

impl ReplayEvent {
    /// Expect `request`; answer with `response`.
    pub fn new(request: http::Request<Bytes>, response: http::Response<Bytes>) -> Self {
        Self {
            request,
            answer: Ok(response),
        }
    }

    /// Expect `request`; fail with `error`.
    pub fn failing(request: http::Request<Bytes>, error: TransportError) -> Self {
        Self {
            request,
            answer: Err(error),
        }
    }
}

/// A [`Transport`] that answers requests in order from a list of [`ReplayEvent`]s and records
/// what it was sent, so a test can check the requests afterwards.
///
/// Answers are given in order whatever the request; the requests are compared only by
/// [`ReplayTransport::check_requests`] and friends, so one test failure names the first
/// difference instead of a cascade. A request beyond the list fails with a `TransportError` of
/// kind `Other` and is reported by [`ReplayTransport::check_requests`].
pub struct ReplayTransport {
    expected: Vec<http::Request<Bytes>>,
    answers: Mutex<VecDeque<Result<http::Response<Bytes>, TransportError>>>,
    actual: Mutex<Vec<http::Request<Bytes>>>,
    ignored_headers: Vec<HeaderName>,
}

impl ReplayTransport {
    /// A transport that will replay `events` in order.
    pub fn new(events: impl IntoIterator<Item = ReplayEvent>) -> Self {
        let (expected, answers) = events
            .into_iter()
            .map(|event| (event.request, event.answer))
            .unzip();
        Self {
            expected,
            answers: Mutex::new(answers),
            actual: Mutex::new(Vec::new()),
            ignored_headers: Vec::new(),
        }
    }

    /// Leaves header `name` out of the comparison (for values that change every run, such as a
    /// request id or a telemetry header).
    #[must_use]
    pub fn ignore_header(mut self, name: HeaderName) -> Self {
        self.ignored_headers.push(name);
        self
    }

    /// Copies of the requests received so far, oldest first.
    pub fn requests(&self) -> Vec<http::Request<Bytes>> {
        lock(&self.actual).iter().map(clone_request).collect()
    }

    /// Compares every request received so far with the expected one at the same position.
    ///
    /// # Errors
    /// The first [`RequestMismatch`]: a differing method, URI, header or body, or a request
    /// beyond the expected list.
    pub fn check_requests(&self) -> Result<(), RequestMismatch> {
        let actual = lock(&self.actual);
        for (index, request) in actual.iter().enumerate() {
            let Some(expected) = self.expected.get(index) else {
                return Err(RequestMismatch::new(
                    index,
                    request,
                    format!(
                        "unexpected request: only {} were expected",
                        self.expected.len()
                    ),
                ));
            };
            if let Some(detail) = first_difference(expected, request, &self.ignored_headers) {
                return Err(RequestMismatch::new(index, expected, detail));
            }
        }
        Ok(())
    }

    /// Like [`check_requests`](Self::check_requests), and also that every expected request was
    /// sent.
    ///
    /// # Errors
    /// The first [`RequestMismatch`], or the first expected request that was never sent.
    pub fn check_done(&self) -> Result<(), RequestMismatch> {
        self.check_requests()?;
        let sent = lock(&self.actual).len();
        match self.expected.get(sent) {
            Some(missing) => Err(RequestMismatch::new(
                sent,
                missing,
                format!(
                    "never sent: {sent} of {} expected requests were received",
                    self.expected.len()
                ),
            )),
            None => Ok(()),
        }
    }

    /// Panics with the first mismatch found by [`check_requests`](Self::check_requests).
    #[track_caller]
    #[allow(
        clippy::panic,
        reason = "an assertion for tests: panicking with the mismatch is its contract"
    )]
    pub fn assert_requests_match(&self) {
        if let Err(mismatch) = self.check_requests() {
            panic!("{mismatch}");
        }
    }

    /// Panics with the first mismatch found by [`check_done`](Self::check_done).
    #[track_caller]
    #[allow(
        clippy::panic,
        reason = "an assertion for tests: panicking with the mismatch is its contract"
    )]
    pub fn assert_done(&self) {
        if let Err(mismatch) = self.check_done() {
            panic!("{mismatch}");
        }
    }
}

impl fmt::Debug for ReplayTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayTransport")
            .field("expected", &self.expected.len())
            .field("received", &lock(&self.actual).len())
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Transport for ReplayTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        // Recorded before answering so the order of `requests()` is the order of answers.
        let mut actual = lock(&self.actual);
        let answer = lock(&self.answers).pop_front();
        let index = actual.len();
        actual.push(request);
        drop(actual);
        answer.unwrap_or_else(|| {
            Err(TransportError::new(TransportErrorKind::Other)
                .with_may_have_been_sent(false)
                .with_source(Exhausted { index }))
        })
    }
}

/// The first request that did not match what a [`ReplayTransport`] expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMismatch {
    index: usize,
    /// Method and URI, e.g. `GET https://tenant.example/api/v2/users`.
    request: String,
    detail: String,
}

impl RequestMismatch {
    fn new(index: usize, request: &http::Request<Bytes>, detail: String) -> Self {
        Self {
            index,
            request: format!("{} {}", request.method(), request.uri()),
            detail,
        }
    }

    /// The zero-based position of the request in the replay.
    pub fn index(&self) -> usize {
        self.index
    }

    /// What differed, e.g. ``header `content-type`: expected [..], got [..]``.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for RequestMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "replayed request #{} ({}) did not match: {}",
            self.index, self.request, self.detail
        )
    }
}

impl StdError for RequestMismatch {}

/// The replay ran out of canned answers.
#[derive(Debug)]
struct Exhausted {
    index: usize,
}

impl fmt::Display for Exhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "replay exhausted: no answer for request #{}", self.index)
    }
}

impl StdError for Exhausted {}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, uri: &str, body: &'static str) -> http::Request<Bytes> {
        http::Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Bytes::from_static(body.as_bytes()))
            .expect("a valid request")
    }

    fn response(status: u16) -> http::Response<Bytes> {
        http::Response::builder()
            .status(status)
            .body(Bytes::new())
            .expect("a valid response")
    }

    fn two_step_replay() -> ReplayTransport {
        ReplayTransport::new([
            ReplayEvent::new(request("GET", "http://h/users/a", ""), response(200)),
            ReplayEvent::new(
                request("PATCH", "http://h/users/a", r#"{"x":1}"#),
                response(201),
            ),
        ])
    }

    #[tokio::test]
    async fn answers_in_order_and_matches_exact_requests() {
        let replay = two_step_replay();
        let first = replay.send(request("GET", "http://h/users/a", "")).await;
        assert_eq!(first.map(|r| r.status().as_u16()).ok(), Some(200));
        assert!(replay.check_done().is_err(), "one request still expected");
        let second = replay
            .send(request("PATCH", "http://h/users/a", r#"{"x":1}"#))
            .await;
        assert_eq!(second.map(|r| r.status().as_u16()).ok(), Some(201));
        replay.assert_done();
    }

    #[tokio::test]
    async fn reports_the_first_mismatch_with_index_method_and_uri() {
        let replay = two_step_replay();
        let _ = replay.send(request("GET", "http://h/users/a", "")).await;
        let _ = replay
            .send(request("PATCH", "http://h/users/a", r#"{"x":2}"#))
            .await;
        let mismatch = replay.check_requests().expect_err("the body differs");
        assert_eq!(mismatch.index(), 1);
        assert_eq!(
            mismatch.to_string(),
            r#"replayed request #1 (PATCH http://h/users/a) did not match: body: expected 7 bytes, got 7 bytes; first difference at byte 5: expected "{\"x\":1}", got "{\"x\":2}""#
        );
    }

    #[tokio::test]
    async fn a_request_beyond_the_list_fails_and_is_reported() {
        let replay = ReplayTransport::new([]);
        let error = replay
            .send(request("GET", "http://h/", ""))
            .await
            .expect_err("nothing to replay");
        assert_eq!(error.kind(), TransportErrorKind::Other);
        let mismatch = replay.check_requests().expect_err("unexpected request");
        assert_eq!(
            mismatch.to_string(),
            "replayed request #0 (GET http://h/) did not match: unexpected request: only 0 were expected"
        );
    }

    #[tokio::test]
    async fn a_request_never_sent_is_reported_by_check_done_only() {
        let replay = two_step_replay();
        let _ = replay.send(request("GET", "http://h/users/a", "")).await;
        assert!(replay.check_requests().is_ok());
        let mismatch = replay.check_done().expect_err("one missing");
        assert_eq!(mismatch.index(), 1);
        assert!(
            mismatch.detail().starts_with("never sent: 1 of 2"),
            "{mismatch}"
        );
    }

    #[tokio::test]
    #[should_panic(expected = "replayed request #0 (GET http://h/users/a) did not match: method")]
    async fn assert_requests_match_panics_with_the_report() {
        let replay = two_step_replay();
        let _ = replay.send(request("DELETE", "http://h/users/a", "")).await;
        replay.assert_requests_match();
    }

    #[tokio::test]
    async fn ignored_headers_do_not_count_and_errors_are_replayed() {
        let replay = ReplayTransport::new([ReplayEvent::failing(
            request("GET", "http://h/", ""),
            TransportError::new(TransportErrorKind::Timeout),
        )])
        .ignore_header(http::header::USER_AGENT);
        let mut sent = request("GET", "http://h/", "");
        sent.headers_mut().insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static("x/1"),
        );
        let error = replay.send(sent).await.expect_err("a canned error");
        assert!(error.is_timeout());
        replay.assert_done();
    }
}
