//! Test doubles for code that takes a [`Transport`](crate::Transport), usable in your own tests
//! (feature `test-util`).
//!
//! - [`ReplayTransport`]: an ordered list of expected requests and canned responses; afterwards
//!   [`ReplayTransport::assert_done`] reports the first request that differed.
//! - [`CaptureTransport`]: records every request and answers from a closure.
//! - [`FnTransport`]: answers from an async closure.
//!
//! ```
//! use users_transport::bytes::Bytes;
//! use users_transport::http::{Request, Response, StatusCode};
//! use users_transport::test_util::{ReplayEvent, ReplayTransport};
//! use users_transport::Transport;
//!
//! // The code under test: deletes a user and reports whether it existed.
//! async fn delete_user(transport: &dyn Transport, id: &str) -> bool {
//!     let request = Request::delete(format!("https://tenant.example/api/v2/users/{id}"))
//!         .body(Bytes::new())
//!         .expect("a valid request");
//!     matches!(transport.send(request).await, Ok(r) if r.status() == StatusCode::NO_CONTENT)
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let replay = ReplayTransport::new([ReplayEvent::new(
//!     Request::delete("https://tenant.example/api/v2/users/auth0%7C123")
//!         .body(Bytes::new())
//!         .expect("a valid request"),
//!     Response::builder()
//!         .status(StatusCode::NO_CONTENT)
//!         .body(Bytes::new())
//!         .expect("a valid response"),
//! )]);
//! assert!(delete_user(&replay, "auth0%7C123").await);
//! replay.assert_done();
//! # }
//! ```

mod capture;
mod closure;
mod diff;
mod replay;

pub use capture::CaptureTransport;
pub use closure::FnTransport;
pub use replay::{ReplayEvent, ReplayTransport, RequestMismatch};

use bytes::Bytes;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A copy of `request`'s method, URI, version, headers and body (extensions are not cloneable
/// and are left out).
pub fn clone_request(request: &http::Request<Bytes>) -> http::Request<Bytes> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// A copy of `response`'s status, version, headers and body (extensions are left out).
pub fn clone_response(response: &http::Response<Bytes>) -> http::Response<Bytes> {
    let mut copy = http::Response::new(response.body().clone());
    *copy.status_mut() = response.status();
    *copy.version_mut() = response.version();
    *copy.headers_mut() = response.headers().clone();
    copy
}

/// Locks `mutex`, carrying on after a panic in another test thread: the doubles' state stays
/// consistent because every critical section is a single push or pop.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
