//! The floor: the exchange written by hand on a hyper-util legacy client over plain HTTP/1.1,
//! keep-alive and `TCP_NODELAY`, nothing else.

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use http::{Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use users_model::{User, UserUpdate};

use crate::fixture;
use crate::target::{Exchange, ExchangeError, Op};

pub(crate) type HyperClient = Client<HttpConnector, Full<Bytes>>;

/// A plain keep-alive HTTP/1.1 client with `TCP_NODELAY`, like the raw hyper target.
pub fn hyper_client() -> HyperClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new()).build(connector)
}

/// Sends one request and returns the status and the whole body.
pub(crate) async fn send(
    client: &HyperClient,
    request: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), ExchangeError> {
    let response = client
        .request(request)
        .await
        .map_err(|error| ExchangeError::new(format!("send: {error}")))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|error| ExchangeError::new(format!("read body: {error}")))?
        .to_bytes();
    Ok((status, body))
}

/// The raw hyper-util target.
#[derive(Debug)]
pub struct RawHyper {
    client: HyperClient,
    uri: Uri,
    authorization: HeaderValue,
    update: UserUpdate,
}

impl RawHyper {
    /// A client for the stub at `base_url` (`http://127.0.0.1:port`).
    ///
    /// # Errors
    /// When `base_url` does not make a valid URI.
    pub fn new(base_url: &str) -> Result<RawHyper, ExchangeError> {
        let uri: Uri = format!("{base_url}{}", fixture::user_path())
            .parse()
            .map_err(|_| ExchangeError::new("invalid stub URL"))?;
        let client = hyper_client();
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", fixture::BEARER_TOKEN))
            .map_err(|_| ExchangeError::new("invalid token"))?;
        authorization.set_sensitive(true);
        Ok(RawHyper {
            client,
            uri,
            authorization,
            update: fixture::update(),
        })
    }
}

impl Exchange for RawHyper {
    type Answer = User;

    async fn call(&self, op: Op) -> Result<User, ExchangeError> {
        let builder = Request::builder()
            .uri(self.uri.clone())
            .header(AUTHORIZATION, self.authorization.clone());
        let request = match op {
            Op::Update => {
                let body = serde_json::to_vec(&self.update)
                    .map_err(|_| ExchangeError::new("serialize update"))?;
                builder
                    .method(Method::PATCH)
                    .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                    .body(Full::new(Bytes::from(body)))
            }
            Op::Get => builder.method(Method::GET).body(Full::new(Bytes::new())),
        }
        .map_err(|_| ExchangeError::new("build request"))?;
        let (status, body) = send(&self.client, request).await?;
        if status != StatusCode::OK {
            return Err(ExchangeError::new(format!("status {status}")));
        }
        serde_json::from_slice(&body)
            .map_err(|error| ExchangeError::new(format!("decode: {error}")))
    }
}
