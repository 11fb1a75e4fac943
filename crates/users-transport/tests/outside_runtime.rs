//! A `send` future may be made outside a Tokio runtime and awaited inside one later: the
//! backends prepare the request when `send` is called, but nothing that needs the runtime
//! (timers, I/O) starts before the future is polled.
#![cfg(all(feature = "hyper", feature = "reqwest"))]

mod support;

use std::sync::Arc;
use std::time::Duration;

use users_transport::bytes::Bytes;
use users_transport::{
    HyperTransport, ReqwestTransport, Transport, TransportConfig, TransportErrorKind,
};

fn transports() -> Vec<(&'static str, Arc<dyn Transport>)> {
    let config = TransportConfig::default();
    let reqwest = ReqwestTransport::new(&config).expect("reqwest transport");
    // A caller's client with a timeout of its own: reqwest starts that timer when it is asked
    // to execute, which must wait for the runtime. (reqwest is built without a default crypto
    // provider; an error means one is installed already.)
    let _ = rustls::crypto::ring::default_provider().install_default();
    let own_timeout = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .expect("a plain client");
    vec![
        (
            "hyper",
            Arc::new(HyperTransport::new(&config).expect("hyper transport")),
        ),
        ("reqwest", Arc::new(reqwest)),
        (
            "reqwest, caller's client with a timeout",
            Arc::new(ReqwestTransport::from_client(own_timeout, &config)),
        ),
    ]
}

#[test]
fn a_send_future_made_outside_a_runtime_runs_inside_one() {
    let uri = format!("http://127.0.0.1:{}/api/v2/users", support::refused_port());
    for (name, transport) in transports() {
        let request = http::Request::get(uri.as_str())
            .body(Bytes::new())
            .expect("a valid request");
        let pending = transport.send(request);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let error = runtime
            .block_on(pending)
            .expect_err("nothing listens on the port");
        assert_eq!(
            error.kind(),
            TransportErrorKind::Connect,
            "{name}: {error:?}"
        );
    }
}
