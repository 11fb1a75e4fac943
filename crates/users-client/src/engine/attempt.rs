//! One attempt: a single send through the transport, bounded by the client's own timer.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use users_transport::{Transport, TransportError, TransportErrorKind};

/// The future of one attempt.
pub(crate) type Attempt<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<Bytes>, TransportError>> + Send + 'a>>;

/// One attempt through the transport, bounded by `timeout` when the client keeps its own timer
/// (`None` when the transport enforces a limit at least as tight).
///
/// Without a timer this is the transport's own (already boxed) future, so the caller's state
/// holds a pointer rather than a timer; with one, the timer and that future are boxed together.
pub(crate) fn attempt_once(
    transport: &dyn Transport,
    request: http::Request<Bytes>,
    timeout: Option<Duration>,
) -> Attempt<'_> {
    let send = transport.send(request);
    match timeout {
        Some(limit) => Box::pin(async move {
            match tokio::time::timeout(limit, send).await {
                Ok(result) => result,
                Err(_) => Err(TransportError::new(TransportErrorKind::Timeout)),
            }
        }),
        None => send,
    }
}

/// The client's own per-attempt timer for a wanted limit: none when the transport already
/// bounds every exchange by `enforced` and that is no longer than `wanted` (its timer fires
/// first or together, with the same kind of error), else `wanted`.
pub(crate) fn own_timer(wanted: Option<Duration>, enforced: Option<Duration>) -> Option<Duration> {
    match (wanted, enforced) {
        (Some(wanted), Some(enforced)) if enforced <= wanted => None,
        (wanted, _) => wanted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_timer_only_when_the_transport_does_not_bound_the_attempt_as_tightly() {
        let secs = Duration::from_secs;
        assert_eq!(own_timer(Some(secs(30)), None), Some(secs(30)));
        assert_eq!(own_timer(Some(secs(30)), Some(secs(30))), None);
        assert_eq!(own_timer(Some(secs(30)), Some(secs(10))), None);
        assert_eq!(own_timer(Some(secs(2)), Some(secs(30))), Some(secs(2)));
        assert_eq!(own_timer(None, Some(secs(30))), None);
        assert_eq!(own_timer(None, None), None);
    }
}
