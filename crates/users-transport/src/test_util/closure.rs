//! A transport that answers from an async closure.

use std::fmt;
use std::future::Future;

use bytes::Bytes;

use crate::{Transport, TransportError};

/// A [`Transport`] that hands every request to an async closure, for one-off behaviour such as
/// failing the second call or answering after a delay.
///
/// ```
/// use users_transport::bytes::Bytes;
/// use users_transport::http::{Request, Response};
/// use users_transport::test_util::FnTransport;
/// use users_transport::{Transport, TransportError, TransportErrorKind};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let refuse = FnTransport::new(|_request: Request<Bytes>| async {
///     Err::<Response<Bytes>, _>(TransportError::new(TransportErrorKind::Connect))
/// });
/// let request = Request::get("http://127.0.0.1:1/").body(Bytes::new()).expect("valid");
/// let error = refuse.send(request).await.expect_err("always refuses");
/// assert!(error.is_connect() && !error.may_have_been_sent());
/// # }
/// ```
pub struct FnTransport<F> {
    answer: F,
}

impl<F> FnTransport<F> {
    /// A transport that answers with `answer(request).await`.
    pub fn new<Fut>(answer: F) -> Self
    where
        F: Fn(http::Request<Bytes>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<http::Response<Bytes>, TransportError>> + Send + 'static,
    {
        Self { answer }
    }
}

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnTransport").finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl<F, Fut> Transport for FnTransport<F>
where
    F: Fn(http::Request<Bytes>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<http::Response<Bytes>, TransportError>> + Send + 'static,
{
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        (self.answer)(request).await
    }
}
