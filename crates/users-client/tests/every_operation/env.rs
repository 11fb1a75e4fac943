//! The emulator behind a recording transport, reached three ways.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use users_client::Client;
use users_client::transport::{Transport, TransportError};
use users_emulator::{Emulator, EmulatorConfig};

use crate::emulated::Reached;
pub use crate::emulated::{BACKENDS, Backend};

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
    _reached: Reached,
}

impl Env {
    pub async fn start(backend: Backend) -> Env {
        let emulator = Emulator::new(EmulatorConfig::default());
        let reached = backend.reach(&emulator).await;
        let log = Arc::new(Log::default());
        let transport = Arc::new(Recording {
            inner: reached.transport.clone(),
            log: log.clone(),
        });
        Env {
            client: reached.client(transport),
            emulator,
            log,
            _reached: reached,
        }
    }
}
