//! Shared helpers for the emulator's integration tests: one API surface over the in-process
//! transport and the served emulator.

#![allow(dead_code)]

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};
use users_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, PASSWORD_REALM_GRANT,
    RunningServer, ServeLimits,
};
use users_transport::Transport;

/// How the test reaches the emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `Emulator` as a `Transport`, no sockets.
    InProcess,
    /// The served emulator on 127.0.0.1:0 through `users_transport::ReqwestTransport`.
    Reqwest,
    /// The served emulator on 127.0.0.1:0 through `users_transport::HyperTransport`.
    Hyper,
}

/// Every backend the tests run against.
pub const BACKENDS: &[Backend] = &[Backend::InProcess, Backend::Reqwest, Backend::Hyper];

/// One response, decoded.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
    pub raw: Bytes,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A connected emulator.
pub struct Api {
    pub transport: Arc<dyn Transport>,
    pub base: String,
    pub emulator: Emulator,
    pub server: Option<RunningServer>,
}

impl Api {
    /// An emulator with `config`, in memory or (when the suites run in store mode, see
    /// `users_fixtures::test_store_path`) on a fresh `--state` store.
    pub async fn start(backend: Backend, config: EmulatorConfig) -> Api {
        Api::attach(backend, emulator(config)).await
    }

    pub async fn attach(backend: Backend, emulator: Emulator) -> Api {
        Api::attach_with_limits(backend, emulator, ServeLimits::default()).await
    }

    /// [`Api::attach`]; a served emulator runs with `limits`.
    pub async fn attach_with_limits(
        backend: Backend,
        emulator: Emulator,
        limits: ServeLimits,
    ) -> Api {
        match backend {
            Backend::InProcess => Api {
                transport: Arc::new(emulator.clone()),
                base: "https://tenant.example".into(),
                emulator,
                server: None,
            },
            Backend::Reqwest | Backend::Hyper => {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind loopback");
                let server = emulator.serve_with_limits(listener, limits).expect("serve");
                let config = users_transport::TransportConfig::builder()
                    .request_timeout(std::time::Duration::from_secs(30))
                    .build();
                let transport: Arc<dyn Transport> = if backend == Backend::Reqwest {
                    Arc::new(users_transport::ReqwestTransport::new(&config).expect("reqwest"))
                } else {
                    Arc::new(users_transport::HyperTransport::new(&config).expect("hyper"))
                };
                Api {
                    transport,
                    base: server.base_url(),
                    emulator,
                    server: Some(server),
                }
            }
        }
    }

    pub async fn default(backend: Backend) -> Api {
        Api::start(backend, EmulatorConfig::default()).await
    }

    /// Sends raw bytes with a content type.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Bytes,
    ) -> Result<Reply, users_transport::TransportError> {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path));
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        let request = builder.body(body).expect("valid request");
        let response = self.transport.send(request).await?;
        let (parts, raw) = response.into_parts();
        let body = if raw.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&raw).unwrap_or(Value::Null)
        };
        Ok(Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
            raw,
        })
    }

    /// Sends a JSON request and expects a complete response.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let (ct, bytes) = match body {
            Some(v) => (
                Some("application/json"),
                Bytes::from(serde_json::to_vec(&v).expect("json")),
            ),
            None => (None, Bytes::new()),
        };
        self.raw(method, path, token, ct, bytes)
            .await
            .expect("transport succeeded")
    }

    /// The status of a request without a body.
    pub async fn status(&self, method: &str, path: &str, token: Option<&str>) -> u16 {
        self.call(method, path, token, None).await.status
    }

    /// The body of a `GET`, whatever its status.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Value {
        self.call("GET", path, token, None).await.body
    }

    /// A client-credentials token for the default client, optionally limited to `scope`.
    pub async fn token(&self, scope: Option<&str>) -> String {
        let mut body = json!({
            "grant_type": "client_credentials",
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "audience": format!("{}/api/v2/", self.base),
        });
        if let Some(scope) = scope {
            body["scope"] = json!(scope);
        }
        let reply = self.call("POST", "/oauth/token", None, Some(body)).await;
        assert_eq!(reply.status, 200, "token: {}", reply.body);
        reply.body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// A password-realm login of `username` in `Username-Password-Authentication` with the
    /// default client; the reply as it came (tests check refusals too).
    pub async fn login(&self, username: &str, password: &str, scope: &str) -> Reply {
        self.call(
            "POST",
            "/oauth/token",
            None,
            Some(json!({
                "grant_type": PASSWORD_REALM_GRANT,
                "client_id": DEFAULT_CLIENT_ID,
                "client_secret": DEFAULT_CLIENT_SECRET,
                "username": username,
                "password": password,
                "realm": "Username-Password-Authentication",
                "scope": scope,
            })),
        )
        .await
    }

    /// Creates a database user in `Username-Password-Authentication`; returns the body.
    pub async fn create_user(&self, token: &str, email: &str, extra: Value) -> Value {
        let mut body = json!({
            "connection": "Username-Password-Authentication",
            "email": email,
            "password": "Passw0rd!x",
        });
        if let (Some(map), Value::Object(extra)) = (body.as_object_mut(), extra) {
            map.extend(extra);
        }
        let reply = self
            .call("POST", "/api/v2/users", Some(token), Some(body))
            .await;
        assert_eq!(reply.status, 201, "create: {}", reply.body);
        reply.body
    }
}

/// `encodeURIComponent` for a user id in a path.
/// An emulator with `config`: in memory, or on a fresh `--state` store when the suites run in
/// store mode (`USERS_EMULATOR_TEST_STORE`, see `users_fixtures::test_store_path`).
pub fn emulator(config: EmulatorConfig) -> Emulator {
    match users_fixtures::test_store_path() {
        Some(path) => {
            let clock = Arc::new(users_emulator::SystemClock);
            Emulator::open(config, clock, &path)
                .unwrap_or_else(|e| panic!("store {}: {e}", path.display()))
                .0
        }
        None => Emulator::new(config),
    }
}

pub fn enc(id: &str) -> String {
    users_model::encode_component(id)
}

/// The `user_id` of a user body.
pub fn uid(user: &Value) -> String {
    user["user_id"].as_str().expect("user_id").to_owned()
}

/// Asserts an Auth0 error envelope.
pub fn assert_error(reply: &Reply, status: u16, message: &str, code: Option<&str>) {
    assert_eq!(reply.status, status, "body: {}", reply.body);
    assert_eq!(reply.body["statusCode"], status, "body: {}", reply.body);
    assert_eq!(reply.body["message"], message, "body: {}", reply.body);
    assert!(reply.body["error"].is_string(), "body: {}", reply.body);
    match code {
        Some(code) => assert_eq!(reply.body["errorCode"], code, "body: {}", reply.body),
        None => assert!(
            reply.body.get("errorCode").is_none(),
            "body: {}",
            reply.body
        ),
    }
}
