//! Turning a backend's error chain into a [`TransportError`], and the per-request timeout.

use std::error::Error as StdError;

use crate::{TransportError, TransportErrorKind};

/// What the error chain says about the failure.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Causes {
    pub(crate) tls: bool,
    pub(crate) timed_out: bool,
}

/// Walks the whole source chain, looking inside `io::Error`s too (their `source()` skips the
/// error they wrap, which is where rustls puts its alerts).
pub(crate) fn causes(error: &(dyn StdError + 'static)) -> Causes {
    let mut found = Causes::default();
    let mut next = Some(error);
    while let Some(current) = next {
        if current.is::<rustls::Error>() {
            found.tls = true;
        }
        if current.is::<tokio::time::error::Elapsed>() {
            found.timed_out = true;
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                found.timed_out = true;
            }
            if let Some(inner) = io.get_ref() {
                let inner = causes(inner);
                found.tls |= inner.tls;
                found.timed_out |= inner.timed_out;
            }
        }
        #[cfg(feature = "hyper")]
        if current
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_timeout)
        {
            found.timed_out = true;
        }
        next = current.source();
    }
    found
}

/// The kind and "may have been sent" flag for a failure, given whether it happened while
/// connecting (before any request byte could have been written) or afterwards.
pub(crate) fn classify(connecting: bool, causes: Causes) -> (TransportErrorKind, bool) {
    let kind = match (connecting, causes.tls, causes.timed_out) {
        (_, true, _) => TransportErrorKind::Tls,
        (_, false, true) => TransportErrorKind::Timeout,
        (true, false, false) => TransportErrorKind::Connect,
        (false, false, false) => TransportErrorKind::Io,
    };
    (kind, !connecting)
}

/// The error of a whole exchange that ran past the per-request limit
/// (`tokio::time::timeout(limit, exchange)` in each backend's `send`, awaited there directly so
/// the exchange is not moved through one more future). When it elapses the request may already
/// be on the wire, so the error says it may have been sent.
pub(crate) fn timed_out(elapsed: tokio::time::error::Elapsed) -> TransportError {
    TransportError::new(TransportErrorKind::Timeout)
        .with_may_have_been_sent(true)
        .with_source(elapsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[derive(Debug)]
    struct Wrapper(Box<dyn StdError + Send + Sync>);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("wrapper")
        }
    }

    impl StdError for Wrapper {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&*self.0)
        }
    }

    #[test]
    fn a_rustls_error_inside_an_io_error_is_tls() {
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let found = causes(&Wrapper(Box::new(io)));
        assert!(found.tls);
        assert_eq!(classify(true, found), (TransportErrorKind::Tls, false));
    }

    #[test]
    fn a_timed_out_io_error_while_connecting_was_not_sent() {
        let io = std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out");
        let found = causes(&Wrapper(Box::new(io)));
        assert_eq!(classify(true, found), (TransportErrorKind::Timeout, false));
        assert_eq!(classify(false, found), (TransportErrorKind::Timeout, true));
    }

    #[test]
    fn plain_failures_split_on_the_phase() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let found = causes(&io);
        assert_eq!(classify(true, found), (TransportErrorKind::Connect, false));
        assert_eq!(classify(false, found), (TransportErrorKind::Io, true));
    }

    #[tokio::test]
    async fn an_elapsed_exchange_is_a_timeout_that_may_have_been_sent() {
        let result = tokio::time::timeout(Duration::from_millis(10), async {
            tokio::time::sleep(Duration::from_secs(60)).await;
        })
        .await;
        let error = timed_out(result.expect_err("timed out"));
        assert!(error.is_timeout());
        assert!(error.may_have_been_sent());
    }
}
