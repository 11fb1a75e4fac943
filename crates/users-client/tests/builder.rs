//! The builder validates eagerly; telemetry and default headers reach the wire.

mod support;

use std::sync::Arc;

use base64::Engine;
use serde_json::{Value, json};
use support::{FnTransport, json as reply_json};
use users_client::{Client, Error, StaticToken};

fn t() -> Arc<FnTransport> {
    FnTransport::new(|_, _| reply_json(200, json!({})))
}

fn config_error(b: users_client::ClientBuilder) -> String {
    match b.build() {
        Err(Error::Config(m)) => m.to_string(),
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[test]
fn client_is_cheap_clone_send_sync() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Client>();
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Error>();
}

#[test]
fn builder_rejects_bad_configurations() {
    let base = || Client::builder().transport(t());
    assert!(config_error(base().token("x")).contains("domain or a base_url"));
    assert!(
        config_error(base().domain("a.com").base_url("https://a.com").token("x"))
            .contains("not both")
    );
    assert!(config_error(base().domain("https://a.com").token("x")).contains("bare host name"));
    assert!(config_error(base().domain("a.com")).contains("credentials are required"));
    assert!(
        config_error(
            base()
                .domain("a.com")
                .token("x")
                .client_credentials("i", "s")
        )
        .contains("more than one")
    );
    assert!(config_error(base().domain("a.com").client_credentials("", "s")).contains("client id"));
    assert!(
        config_error(base().base_url("http://tenant.example.com").token("x")).contains("loopback")
    );
    assert!(
        config_error(
            base()
                .domain("a.com")
                .token("x")
                .default_header("bad name", "v")
        )
        .contains("header name")
    );
    assert!(
        config_error(
            base()
                .domain("a.com")
                .token("x")
                .default_header("x-a", "line\nbreak")
        )
        .contains("x-a")
    );
    assert!(
        config_error(
            base()
                .domain("a.com")
                .token("x")
                .default_header("Authorization", "Bearer y")
        )
        .contains("Authorization")
    );
    // Without an explicit transport, the default backend (reqwest) is used.
    Client::builder()
        .domain("a.com")
        .token("x")
        .build()
        .unwrap();
    base()
        .base_url("http://tenant.example.com")
        .allow_insecure_http(true)
        .token("x")
        .build()
        .unwrap();
    base()
        .domain("a.com")
        .token_provider(Arc::new(StaticToken::new("x")))
        .build()
        .unwrap();
}

#[tokio::test]
async fn telemetry_header_and_default_headers_are_sent() {
    let tr = t();
    let c = Client::builder()
        .domain("tenant.auth0.com")
        .transport(tr.clone())
        .token("TOKEN")
        .default_header("X-Custom", "yes")
        .build()
        .unwrap();
    c.users().get("a").await.unwrap();
    let seen = &tr.requests()[0];
    assert_eq!(seen.header("x-custom"), Some("yes"));
    let raw = seen
        .header("auth0-client")
        .expect("telemetry on by default");
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .unwrap();
    let v: Value = serde_json::from_slice(&decoded).unwrap();
    // Exactly node-auth0's shape, `env.rust` for `env.node`.
    let rust = v["env"]["rust"].clone();
    assert_eq!(
        v,
        json!({"name": users_client::CLIENT_NAME, "version": env!("CARGO_PKG_VERSION"), "env": {"rust": rust}})
    );
    assert_eq!(v["name"], "users-client");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert!(v["env"]["rust"].as_str().unwrap().starts_with("1."));

    let tr = t();
    let c = Client::builder()
        .domain("tenant.auth0.com")
        .transport(tr.clone())
        .token("TOKEN")
        .telemetry(false)
        .build()
        .unwrap();
    c.users().get("a").await.unwrap();
    assert!(tr.requests()[0].header("auth0-client").is_none());
}
