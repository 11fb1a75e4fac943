//! The in-process front end: the emulator is itself a [`Transport`]. No sockets.

use std::io;
use std::time::Duration;

use bytes::Bytes;
use users_transport::{Transport, TransportError, TransportErrorKind};

use crate::emulator::{Action, Emulator};

fn broken(kind: io::ErrorKind, what: &'static str) -> TransportError {
    TransportError::new(TransportErrorKind::Io)
        .with_source(io::Error::new(kind, what))
        .with_may_have_been_sent(true)
}

#[async_trait::async_trait]
impl Transport for Emulator {
    /// Handles the request in-process. Connection faults become [`TransportError`]s of kind
    /// `Io` (the request was processed, the response lost), as a real backend reports them.
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let dispatched = self.dispatch_off_workers(request).await.map_err(|e| {
            TransportError::new(TransportErrorKind::Io)
                .with_source(e)
                .with_may_have_been_sent(true)
        })?;
        if dispatched.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(dispatched.latency_ms)).await;
        }
        match dispatched.action {
            Action::Respond(response) => Ok(response),
            Action::Reset => Err(broken(
                io::ErrorKind::ConnectionReset,
                "emulated fault: connection reset before the response",
            )),
            Action::Truncate(_) => Err(broken(
                io::ErrorKind::UnexpectedEof,
                "emulated fault: connection closed in the middle of the body",
            )),
        }
    }
}
