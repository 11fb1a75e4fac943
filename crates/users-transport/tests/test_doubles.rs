//! The byte-exactness part of the conformance suite against each test double. (How the replay
//! reports mismatches is unit-tested next to it, in `src/test_util/replay.rs`.)
#![cfg(feature = "test-util")]

mod support;
#[macro_use]
mod conformance;

mod doubles {
    //! A `Peer` per double: the "far side" is what the double recorded.

    use std::sync::{Arc, Mutex};

    use users_transport::bytes::Bytes;
    use users_transport::test_util::{CaptureTransport, FnTransport, ReplayEvent, ReplayTransport};
    use users_transport::{Transport, TransportError, http};

    use crate::support::{Peer, clone_request, clone_response};

    const ORIGIN: &str = "http://127.0.0.1:9";

    type Outcome = (
        Result<http::Response<Bytes>, TransportError>,
        http::Request<Bytes>,
    );

    pub struct Replay;
    pub struct Capture;
    pub struct Closure;

    #[async_trait::async_trait]
    impl Peer for Replay {
        fn origin(&self) -> String {
            ORIGIN.to_owned()
        }

        async fn exchange(
            &self,
            request: http::Request<Bytes>,
            response: &http::Response<Bytes>,
        ) -> Outcome {
            let replay = ReplayTransport::new([ReplayEvent::new(
                clone_request(&request),
                clone_response(response),
            )]);
            let result = replay.send(request).await;
            // The replay must judge an exact copy of its expectation a match.
            replay.assert_done();
            let received = replay.requests().into_iter().next();
            (result, received.expect("one request recorded"))
        }

        fn added_headers(&self) -> &'static [&'static str] {
            &[]
        }
    }

    #[async_trait::async_trait]
    impl Peer for Capture {
        fn origin(&self) -> String {
            ORIGIN.to_owned()
        }

        async fn exchange(
            &self,
            request: http::Request<Bytes>,
            response: &http::Response<Bytes>,
        ) -> Outcome {
            let canned = clone_response(response);
            let capture = CaptureTransport::new(move |_| Ok(clone_response(&canned)));
            let result = capture.send(request).await;
            let mut received = capture.take_requests();
            assert_eq!(received.len(), 1);
            assert_eq!(capture.request_count(), 0);
            (result, received.pop().expect("one request recorded"))
        }

        fn added_headers(&self) -> &'static [&'static str] {
            &[]
        }
    }

    #[async_trait::async_trait]
    impl Peer for Closure {
        fn origin(&self) -> String {
            ORIGIN.to_owned()
        }

        async fn exchange(
            &self,
            request: http::Request<Bytes>,
            response: &http::Response<Bytes>,
        ) -> Outcome {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let canned = clone_response(response);
            let record = Arc::clone(&seen);
            let transport = FnTransport::new(move |request: http::Request<Bytes>| {
                record.lock().expect("not poisoned").push(request);
                let answer = clone_response(&canned);
                async move { Ok(answer) }
            });
            let result = transport.send(request).await;
            let received = seen.lock().expect("not poisoned").pop();
            (result, received.expect("one request recorded"))
        }

        fn added_headers(&self) -> &'static [&'static str] {
            &[]
        }
    }
}

mod replay_suite {
    byte_exact_suite!(async { crate::doubles::Replay });
}

mod capture_suite {
    byte_exact_suite!(async { crate::doubles::Capture });
}

mod closure_suite {
    byte_exact_suite!(async { crate::doubles::Closure });
}
