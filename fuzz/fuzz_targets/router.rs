//! Fuzzes the emulator's router with raw requests: method, path and query, content type and
//! body all come from the input. The emulator must answer every request that `http` can
//! represent with a well-formed response (an Auth0 error envelope for errors) and never panic.
//!
//! Input layout: byte 0 picks the method and whether a valid token is sent; then the path and
//! query, the content type and the body, separated by 0x00 bytes.

#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use users_emulator::{Emulator, EmulatorConfig, RateLimitConfig};
use users_transport::Transport;

const METHODS: [&str; 6] = ["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD"];

struct Fixture {
    runtime: tokio::runtime::Runtime,
    emulator: Emulator,
    token: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        let mut config = EmulatorConfig::default();
        config.rate_limit = RateLimitConfig::new(u32::MAX, 1.0e9);
        let emulator = Emulator::new(config);
        let request = http::Request::post("https://fuzz.example/oauth/token")
            .header("content-type", "application/json")
            .body(Bytes::from_static(br#"{"grant_type":"client_credentials","client_id":"emulator-client","client_secret":"emulator-secret","audience":"https://fuzz.example/api/v2/"}"#))
            .expect("token request");
        let response = runtime.block_on(emulator.send(request)).expect("token");
        let value: Value = serde_json::from_slice(response.body()).expect("token json");
        let token = value["access_token"].as_str().expect("access_token").to_owned();
        Fixture {
            runtime,
            emulator,
            token,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(3, |b| *b == 0);
    let target = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let content_type = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let fixture = fixture();
    // Every input starts from an empty tenant (no users, no faults, a full bucket), so a crash
    // never depends on what earlier inputs did. The signing key is fixed, so the token stays valid.
    let reset = http::Request::post("https://fuzz.example/__emulator/reset")
        .body(Bytes::new())
        .expect("reset request");
    let reset = fixture.runtime.block_on(fixture.emulator.send(reset));
    assert_eq!(reset.map(|r| r.status().as_u16()).ok(), Some(204), "reset");
    let method = METHODS
        .get(usize::from(selector) % METHODS.len())
        .copied()
        .unwrap_or("GET");
    let mut builder = http::Request::builder().method(method).uri(format!(
        "https://fuzz.example/{}",
        target.trim_start_matches('/')
    ));
    if !content_type.is_empty() {
        builder = builder.header("content-type", content_type);
    }
    if selector & 0x80 != 0 {
        builder = builder.header("authorization", format!("Bearer {}", fixture.token));
    }
    let Ok(request) = builder.body(Bytes::copy_from_slice(body)) else {
        return;
    };
    // A fault this very input added cannot fire on it, but keep transport errors harmless.
    let Ok(response) = fixture.runtime.block_on(fixture.emulator.send(request)) else {
        return;
    };
    let status = response.status().as_u16();
    assert!((100..600).contains(&status));
    if status >= 400 && !response.body().is_empty() {
        let value: Value = serde_json::from_slice(response.body()).expect("error bodies are JSON");
        let envelope = value.get("statusCode").and_then(Value::as_u64) == Some(u64::from(status));
        let auth_error = value.get("error").is_some() && value.get("error_description").is_some();
        assert!(envelope || auth_error, "{status} {value}");
    }
});
