//! The emulator reached three ways by the end-to-end suites: in-process (`Emulator` as the
//! transport), and served on 127.0.0.1:0 through the reqwest and the hyper backends.
#![allow(dead_code)]

use std::sync::Arc;

use users_client::transport::{HyperTransport, ReqwestTransport, Transport, TransportConfig};
use users_client::{Client, ClientBuilder};
use users_emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, RunningServer};

/// An emulator with `config` reading time from `clock`: in memory, or on a fresh `--state`
/// store when the suites run in store mode (`USERS_EMULATOR_TEST_STORE`, see
/// `users_fixtures::test_store_path`).
pub fn emulator_with_clock(
    config: users_emulator::EmulatorConfig,
    clock: Arc<dyn users_emulator::Clock>,
) -> Emulator {
    match users_fixtures::test_store_path() {
        Some(path) => {
            Emulator::open(config, clock, &path)
                .unwrap_or_else(|e| panic!("store {}: {e}", path.display()))
                .0
        }
        None => Emulator::with_clock(config, clock),
    }
}

/// [`emulator_with_clock`] with the system clock.
pub fn emulator(config: users_emulator::EmulatorConfig) -> Emulator {
    emulator_with_clock(config, Arc::new(users_emulator::SystemClock))
}

/// A transport that counts the requests whose path `counted` accepts before passing them on
/// (token requests, Management API requests, ...).
pub struct Counting {
    /// The transport requests are passed to (uncounted when called directly).
    pub inner: Arc<dyn Transport>,
    counted: fn(&str) -> bool,
    count: std::sync::atomic::AtomicUsize,
}

impl Counting {
    pub fn new(inner: Arc<dyn Transport>, counted: fn(&str) -> bool) -> Arc<Self> {
        Arc::new(Self {
            inner,
            counted,
            count: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// The requests counted so far.
    pub fn count(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl Transport for Counting {
    async fn send(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, users_client::transport::TransportError> {
        if (self.counted)(request.uri().path()) {
            self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        self.inner.send(request).await
    }
}

/// How the client reaches the emulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    InProcess,
    Reqwest,
    Hyper,
}

pub const BACKENDS: [Backend; 3] = [Backend::InProcess, Backend::Reqwest, Backend::Hyper];

/// The domain the in-process emulator answers for.
const IN_PROCESS_DOMAIN: &str = "tenant.example";

/// A way to the emulator: the transport, the base URL requests go to (no trailing slash), and
/// the served emulator, which stops when this is dropped.
pub struct Reached {
    pub backend: Backend,
    pub transport: Arc<dyn Transport>,
    pub base: String,
    pub server: Option<RunningServer>,
}

impl Backend {
    /// Reaches `emulator` this way; a served backend listens on a fresh loopback port.
    pub async fn reach(self, emulator: &Emulator) -> Reached {
        let (transport, base, server): (Arc<dyn Transport>, String, Option<RunningServer>) =
            match self {
                Backend::InProcess => (
                    Arc::new(emulator.clone()),
                    format!("https://{IN_PROCESS_DOMAIN}"),
                    None,
                ),
                Backend::Reqwest | Backend::Hyper => {
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .expect("a loopback port");
                    let server = emulator.serve(listener).expect("the emulator serves");
                    let config = TransportConfig::default();
                    let t: Arc<dyn Transport> = if self == Backend::Reqwest {
                        Arc::new(ReqwestTransport::new(&config).expect("reqwest"))
                    } else {
                        Arc::new(HyperTransport::new(&config).expect("hyper"))
                    };
                    let base = server.base_url().trim_end_matches('/').to_owned();
                    (t, base, Some(server))
                }
            };
        Reached {
            backend: self,
            transport,
            base,
            server,
        }
    }
}

impl Reached {
    /// A client builder over `transport` (which may wrap this one) aimed at the emulator.
    pub fn builder(&self, transport: Arc<dyn Transport>) -> ClientBuilder {
        let builder = Client::builder().transport(transport);
        match self.backend {
            Backend::InProcess => builder.domain(IN_PROCESS_DOMAIN),
            Backend::Reqwest | Backend::Hyper => builder.base_url(self.base.clone()),
        }
    }

    /// A client over `transport` with the emulator's default application's credentials.
    pub fn client(&self, transport: Arc<dyn Transport>) -> Client {
        self.builder(transport)
            .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            .build()
            .expect("client builds")
    }
}
