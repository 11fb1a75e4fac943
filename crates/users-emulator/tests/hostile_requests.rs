//! Property test over hostile requests to the router: whatever the method, path, query, headers
//! or body, the emulator answers with a well-formed response (an Auth0 error envelope for every
//! error) and never panics. A bounded stand-in for a fuzz target that runs on stable in CI.

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::Value;
use users_emulator::{Emulator, EmulatorConfig, RateLimitConfig};
use users_transport::Transport;

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("api".to_owned()),
        Just("v2".to_owned()),
        Just("users".to_owned()),
        Just("identities".to_owned()),
        Just("user-blocks".to_owned()),
        Just("users-by-email".to_owned()),
        Just("auth0%7C1".to_owned()),
        Just("__emulator".to_owned()),
        Just("oauth".to_owned()),
        Just("token".to_owned()),
        Just("%FF%FE".to_owned()),
        Just("%".to_owned()),
        "[a-zA-Z0-9%|._~-]{0,12}",
        "x{250,300}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(vec!["api".to_owned(), "v2".to_owned()]),
        Just(vec!["__emulator".to_owned()]),
        Just(Vec::new()),
    ]
    .prop_flat_map(|prefix| {
        prop::collection::vec(segment(), 0..6).prop_map(move |rest| {
            let all: Vec<String> = prefix.iter().cloned().chain(rest).collect();
            format!("/{}", all.join("/"))
        })
    })
}

fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("q"),
        Just("page"),
        Just("per_page"),
        Just("include_totals"),
        Just("sort"),
        Just("fields"),
        Just("include_fields"),
        Just("search_engine"),
        Just("email"),
        Just("identifier"),
    ];
    let value = prop_oneof![
        "[ -~]{0,24}",
        Just("99999999999999999999999".to_owned()),
        Just("-1".to_owned()),
        Just("%ZZ".to_owned()),
        Just("((((((((((((((((((((((((((((((((((((a:b".to_owned()),
    ];
    prop::collection::vec((key, value), 0..4).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", v.replace(['#', ' '], "%20")))
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        Just(b"{}".to_vec()),
        Just(
            br#"{"connection":"Username-Password-Authentication","email":"a@b.co","password":"x"}"#
                .to_vec()
        ),
        Just(br#"{"link_with":"a.b.c"}"#.to_vec()),
        Just(br#"{"provider":"auth0","user_id":1}"#.to_vec()),
        Just(br#"{"user_metadata":{"a":null},"app_metadata":{}}"#.to_vec()),
        Just(br#"{"path_prefix":"/","action":{"kind":"status","status":200}}"#.to_vec()),
        "[ -~]{0,40}".prop_map(String::into_bytes),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn hostile_requests_get_envelopes_not_panics(
        method in prop_oneof![Just("GET"), Just("POST"), Just("PATCH"), Just("DELETE"), Just("PUT"), Just("OPTIONS")],
        path in path(),
        query in query(),
        content_type in prop_oneof![Just(None), Just(Some("application/json")), Just(Some("application/x-www-form-urlencoded")), Just(Some("text/plain"))],
        authorized in any::<bool>(),
        body in body(),
    ) {
        let mut config = EmulatorConfig::default();
        config.rate_limit = RateLimitConfig::new(1_000_000, 1_000_000.0);
        let emulator = Emulator::new(config);
        let rt = runtime();
        let uri = if query.is_empty() {
            format!("https://fuzz.example{path}")
        } else {
            format!("https://fuzz.example{path}?{query}")
        };
        let mut builder = http::Request::builder().method(method).uri(&uri);
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        if authorized {
            let token_request = http::Request::post("https://fuzz.example/oauth/token")
                .header("content-type", "application/json")
                .body(Bytes::from(r#"{"grant_type":"client_credentials","client_id":"emulator-client","client_secret":"emulator-secret","audience":"https://fuzz.example/api/v2/"}"#))
                .expect("token request");
            let token = rt.block_on(emulator.send(token_request)).expect("token response");
            let value: Value = serde_json::from_slice(token.body()).expect("token json");
            let token = value["access_token"].as_str().unwrap_or_default().to_owned();
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let Ok(request) = builder.body(Bytes::from(body)) else {
            // Not a request `http` can represent: nothing reaches the emulator.
            return Ok(());
        };
        let response = rt.block_on(emulator.send(request));
        // A fault rule added by the admin API can break the connection; otherwise a response.
        if let Ok(response) = response {
            let status = response.status().as_u16();
            prop_assert!((100..600).contains(&status));
            if status >= 400 && !response.body().is_empty() {
                let value: Value = serde_json::from_slice(response.body()).expect("error bodies are JSON");
                let envelope = value.get("statusCode").and_then(Value::as_u64) == Some(u64::from(status))
                    && value.get("message").is_some_and(Value::is_string);
                let auth_error = value.get("error").is_some() && value.get("error_description").is_some();
                prop_assert!(envelope || auth_error, "{status} {value}");
            }
        }
    }
}
