//! The exchange written by hand on a reqwest client (HTTP/1.1 over plain TCP on loopback).

use std::sync::Once;

use http::StatusCode;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use users_model::{User, UserUpdate};

use crate::fixture;
use crate::target::{Exchange, ExchangeError, Op};

/// The raw reqwest target.
#[derive(Debug)]
pub struct RawReqwest {
    client: reqwest::Client,
    url: reqwest::Url,
    authorization: HeaderValue,
    update: UserUpdate,
}

impl RawReqwest {
    /// A client for the stub at `base_url` (`http://127.0.0.1:port`).
    ///
    /// # Errors
    /// When `base_url` does not make a valid URL or the client cannot be built.
    pub fn new(base_url: &str) -> Result<RawReqwest, ExchangeError> {
        install_crypto_provider();
        let url = reqwest::Url::parse(&format!("{base_url}{}", fixture::user_path()))
            .map_err(|_| ExchangeError::new("invalid stub URL"))?;
        let client = reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .build()
            .map_err(|error| ExchangeError::new(format!("build reqwest client: {error}")))?;
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", fixture::BEARER_TOKEN))
            .map_err(|_| ExchangeError::new("invalid token"))?;
        authorization.set_sensitive(true);
        Ok(RawReqwest {
            client,
            url,
            authorization,
            update: fixture::update(),
        })
    }
}

/// The workspace builds reqwest's rustls without a built-in crypto provider (no aws-lc-rs), and
/// building a client panics when none is installed, even for plain-HTTP use; ring is the
/// workspace's provider.
fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // An error means another provider is already installed, which serves as well.
        let _installed = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Exchange for RawReqwest {
    type Answer = User;

    async fn call(&self, op: Op) -> Result<User, ExchangeError> {
        let request = match op {
            Op::Update => {
                let body = serde_json::to_vec(&self.update)
                    .map_err(|_| ExchangeError::new("serialize update"))?;
                self.client
                    .patch(self.url.clone())
                    .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                    .body(body)
            }
            Op::Get => self.client.get(self.url.clone()),
        }
        .header(AUTHORIZATION, self.authorization.clone());
        let response = request
            .send()
            .await
            .map_err(|error| ExchangeError::new(format!("send: {error}")))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|error| ExchangeError::new(format!("read body: {error}")))?;
        if status != StatusCode::OK {
            return Err(ExchangeError::new(format!("status {status}")));
        }
        serde_json::from_slice(&body)
            .map_err(|error| ExchangeError::new(format!("decode: {error}")))
    }
}
