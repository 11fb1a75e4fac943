//! A transport that records requests and answers from a closure.

use std::fmt;
use std::sync::Mutex;

use bytes::Bytes;

use super::{clone_request, lock};
use crate::{Transport, TransportError};

type Answer =
    dyn Fn(&http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError> + Send + Sync;

/// A [`Transport`] that records every request it is given and answers each from a closure.
///
/// ```
/// use users_transport::bytes::Bytes;
/// use users_transport::http::{Request, StatusCode};
/// use users_transport::test_util::CaptureTransport;
/// use users_transport::Transport;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let capture = CaptureTransport::responding(StatusCode::OK, r#"{"user_id":"auth0|1"}"#);
/// let request = Request::get("https://tenant.example/api/v2/users/auth0%7C1")
///     .header("authorization", "Bearer t")
///     .body(Bytes::new())
///     .expect("valid");
/// let response = capture.send(request).await.expect("answered");
/// assert_eq!(response.status(), StatusCode::OK);
///
/// let sent = capture.requests();
/// assert_eq!(sent.len(), 1);
/// assert_eq!(sent[0].uri().path(), "/api/v2/users/auth0%7C1");
/// # }
/// ```
pub struct CaptureTransport {
    answer: Box<Answer>,
    requests: Mutex<Vec<http::Request<Bytes>>>,
}

impl CaptureTransport {
    /// Answers each request with `answer(&request)`.
    pub fn new<F>(answer: F) -> Self
    where
        F: Fn(&http::Request<Bytes>) -> Result<http::Response<Bytes>, TransportError>
            + Send
            + Sync
            + 'static,
    {
        Self {
            answer: Box::new(answer),
            requests: Mutex::new(Vec::new()),
        }
    }

    /// Answers every request with `status` and `body` and no headers.
    pub fn responding(status: http::StatusCode, body: impl Into<Bytes>) -> Self {
        let body = body.into();
        Self::new(move |_| {
            let mut response = http::Response::new(body.clone());
            *response.status_mut() = status;
            Ok(response)
        })
    }

    /// Copies of the requests received so far, oldest first.
    pub fn requests(&self) -> Vec<http::Request<Bytes>> {
        lock(&self.requests).iter().map(clone_request).collect()
    }

    /// The requests received so far, oldest first, leaving none recorded.
    pub fn take_requests(&self) -> Vec<http::Request<Bytes>> {
        std::mem::take(&mut *lock(&self.requests))
    }

    /// How many requests were received (and not taken).
    pub fn request_count(&self) -> usize {
        lock(&self.requests).len()
    }
}

impl fmt::Debug for CaptureTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaptureTransport")
            .field("request_count", &self.request_count())
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Transport for CaptureTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let answer = (self.answer)(&request);
        lock(&self.requests).push(request);
        answer
    }
}
