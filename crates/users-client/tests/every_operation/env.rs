//! The emulator behind a recording transport, reached three ways.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use users_client::Client;
use users_client::transport::{Transport, TransportConfig, TransportError};
use users_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, RunningServer,
};

/// How the client reaches the emulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    InProcess,
    Reqwest,
    Hyper,
}

pub const BACKENDS: [Backend; 3] = [Backend::InProcess, Backend::Reqwest, Backend::Hyper];

/// Every Management API exchange: method, decoded path below `/api/v2/`, status.
#[derive(Default)]
pub struct Log(Mutex<Vec<(String, String, u16)>>);

impl Log {
    pub fn answered(&self) -> Vec<(String, String, u16)> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// Records what passes through on the way to `inner`.
struct Recording {
    inner: Arc<dyn Transport>,
    log: Arc<Log>,
}

#[async_trait::async_trait]
impl Transport for Recording {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let method = request.method().as_str().to_owned();
        let path = request.uri().path().to_owned();
        let response = self.inner.send(request).await?;
        if let Some(rest) = path.split_once("/api/v2/").map(|(_, rest)| rest) {
            let decoded: Vec<String> = rest
                .split('/')
                .map(|s| users_client::model::decode_component(s).unwrap_or_else(|| s.to_owned()))
                .collect();
            if let Ok(mut log) = self.log.0.lock() {
                log.push((method, decoded.join("/"), response.status().as_u16()));
            }
        }
        Ok(response)
    }
}

pub struct Env {
    pub client: Client,
    pub emulator: Emulator,
    pub log: Arc<Log>,
    _server: Option<RunningServer>,
}

impl Env {
    pub async fn start(backend: Backend) -> Env {
        let emulator = Emulator::new(EmulatorConfig::default());
        let (inner, base, server): (Arc<dyn Transport>, String, Option<RunningServer>) =
            match backend {
                Backend::InProcess => (
                    Arc::new(emulator.clone()),
                    "https://tenant.example".into(),
                    None,
                ),
                Backend::Reqwest | Backend::Hyper => {
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .expect("a loopback port");
                    let server = emulator.serve(listener).expect("the emulator serves");
                    let config = TransportConfig::default();
                    let t: Arc<dyn Transport> = if backend == Backend::Reqwest {
                        Arc::new(
                            users_client::transport::ReqwestTransport::new(&config)
                                .expect("reqwest"),
                        )
                    } else {
                        Arc::new(
                            users_client::transport::HyperTransport::new(&config).expect("hyper"),
                        )
                    };
                    (t, server.base_url(), Some(server))
                }
            };
        let log = Arc::new(Log::default());
        let transport = Arc::new(Recording {
            inner,
            log: log.clone(),
        });
        let mut builder = Client::builder().transport(transport);
        builder = if backend == Backend::InProcess {
            builder.domain("tenant.example")
        } else {
            builder.base_url(base.trim_end_matches('/').to_owned())
        };
        let client = builder
            .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            .build()
            .expect("client builds");
        Env {
            client,
            emulator,
            log,
            _server: server,
        }
    }
}
