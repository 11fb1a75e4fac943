//! Which timer bounds an attempt: the client's own per-attempt timeout, or the limit a transport
//! enforces itself (`Transport::request_timeout`), never a second one when the transport's is
//! at least as tight.

mod support;

use std::error::Error as _;
use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use support::{FnTransport, Reply};
use users_client::transport::{
    HyperTransport, ReqwestTransport, Transport, TransportConfig, TransportError,
};
use users_client::{Client, Error, RetryPolicy};

/// A loopback server that accepts connections and reads requests but never answers; returns
/// its base URL. Its thread lives until the test process exits.
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                // Read until the client gives up and closes; never write a byte.
                while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// The transport error of a single-attempt GET that timed out.
async fn timed_out(client: &Client) -> TransportError {
    match client.users().get("auth0|1").await {
        Err(Error::Transport { source, attempts }) => {
            assert_eq!(attempts, 1);
            assert!(source.is_timeout(), "{source:?}");
            assert!(source.may_have_been_sent());
            source
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

fn client_on(base_url: &str, transport: Arc<dyn Transport>, timeout: Option<Duration>) -> Client {
    Client::builder()
        .base_url(base_url)
        .transport(transport)
        .token("T")
        .retry(RetryPolicy::disabled())
        .timeout(timeout)
        .build()
        .expect("client")
}

fn backends(request_timeout: Duration) -> [(&'static str, Arc<dyn Transport>); 2] {
    let config = TransportConfig::builder()
        .request_timeout(request_timeout)
        .build();
    [
        (
            "hyper",
            Arc::new(HyperTransport::new(&config).expect("hyper transport")),
        ),
        (
            "reqwest",
            Arc::new(ReqwestTransport::new(&config).expect("reqwest transport")),
        ),
    ]
}

#[test]
fn built_in_transports_report_their_request_timeout() {
    let limit = Duration::from_millis(1234);
    for (name, transport) in backends(limit) {
        assert_eq!(transport.request_timeout(), Some(limit), "{name}");
        // Through another `Arc` layer too.
        let wrapped: Arc<dyn Transport> = Arc::new(Arc::clone(&transport));
        assert_eq!(wrapped.request_timeout(), Some(limit), "{name}");
    }
}

/// The built-in transport's limit, tighter than the client's default 30 s, is what ends the
/// attempt: its error carries the elapsed timer as its source, which the client's own timer
/// error does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_built_in_transports_tighter_limit_bounds_the_attempt() {
    let base = silent_server();
    for (name, transport) in backends(Duration::from_millis(200)) {
        let client = client_on(&base, transport, Some(users_client::DEFAULT_TIMEOUT));
        let error = timed_out(&client).await;
        assert!(error.source().is_some(), "{name}: the transport's timer");
    }
}

/// A client timeout tighter than the transport's is still enforced by the client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tighter_client_timeout_still_bounds_a_built_in_transport() {
    let base = silent_server();
    for (name, transport) in backends(Duration::from_secs(600)) {
        let client = client_on(&base, transport, Some(Duration::from_millis(200)));
        let error = timed_out(&client).await;
        assert!(error.source().is_none(), "{name}: the client's timer");
    }
}

/// A transport that enforces no limit of its own (the trait's default) is bounded by the
/// client's per-attempt timeout, directly or behind another `Arc`.
#[tokio::test(start_paused = true)]
async fn a_custom_transport_without_a_limit_gets_the_clients_timeout() {
    let transport = FnTransport::new(|_, _| Reply::Hang);
    assert_eq!(transport.request_timeout(), None);
    let wrapped: Arc<dyn Transport> = Arc::new(Arc::clone(&transport));
    for transport in [transport.clone() as Arc<dyn Transport>, wrapped] {
        let client = client_on(
            "http://127.0.0.1:1",
            transport,
            Some(Duration::from_secs(2)),
        );
        let error = timed_out(&client).await;
        assert!(error.source().is_none(), "the client's timer");
    }
}

/// A custom transport that reports a limit is trusted with it when it is no longer than the
/// client's: the client starts no timer of its own. To make that visible, this transport
/// answers with its own timeout error a little *after* the limit it reports; had the client
/// started its timer too, that timer would have ended the attempt first. A looser limit than the
/// client's does not stop the client's timer.
#[tokio::test(start_paused = true)]
async fn a_custom_transport_reporting_a_limit_is_trusted_only_when_tighter() {
    struct Bounded {
        reported: Duration,
        answers_after: Duration,
    }

    #[async_trait::async_trait]
    impl Transport for Bounded {
        async fn send(
            &self,
            _request: http::Request<Bytes>,
        ) -> Result<http::Response<Bytes>, TransportError> {
            tokio::time::sleep(self.answers_after).await;
            Err(
                TransportError::new(users_client::transport::TransportErrorKind::Timeout)
                    .with_source(std::io::Error::other("the transport's own limit")),
            )
        }

        fn request_timeout(&self) -> Option<Duration> {
            Some(self.reported)
        }
    }

    let secs = Duration::from_secs;
    let tight = client_on(
        "http://127.0.0.1:1",
        Arc::new(Bounded {
            reported: secs(5),
            answers_after: secs(6),
        }),
        Some(secs(5)),
    );
    assert!(
        timed_out(&tight).await.source().is_some(),
        "no client timer: the transport's answer"
    );

    let loose = client_on(
        "http://127.0.0.1:1",
        Arc::new(Bounded {
            reported: secs(60),
            answers_after: secs(60),
        }),
        Some(secs(5)),
    );
    assert!(
        timed_out(&loose).await.source().is_none(),
        "the client's timer"
    );
}
