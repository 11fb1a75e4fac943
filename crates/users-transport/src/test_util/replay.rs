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
    pub fn assert_requests_match(&self) {
        if let Err(mismatch) = self.check_requests() {
            panic!("{mismatch}");
        }
    }

    /// Panics with the first mismatch found by [`check_done`](Self::check_done).
    #[track_caller]
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
