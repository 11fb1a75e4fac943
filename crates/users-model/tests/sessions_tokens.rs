//! Sessions, refresh tokens, federated token sets, connected accounts and the risk-assessor
//! body: the recorded bodies round-trip losslessly, generated bodies do too (absent, `null` and
//! values kept apart), and validation finds every planted violation.

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use users_model::{
    ApiDate, Assessor, CheckpointPage, CheckpointQuery, ClearAssessors, ConnectedAccountsPage,
    FederatedTokenSet, MAX_TAKE, Nullable, RefreshTokensPage, SessionsPage, ViolationKind,
    validate_clear_assessors,
};

fn round_trip<T: DeserializeOwned + Serialize>(what: &str, body: &Value) -> T {
    let typed: T = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("{what} does not parse: {e}"));
    let back = serde_json::to_value(&typed).expect("serializes");
    assert_eq!(&back, body, "{what} round trip");
    typed
}

#[derive(Default)]
struct Seen {
    sessions: usize,
    refresh_pages: usize,
    refresh_tokens: usize,
    tokensets: usize,
    connected: usize,
    clear_bodies: usize,
}

fn check(file: &str, exchange: &Value, seen: &mut Seen) {
    let method = exchange["request"]["method"].as_str().unwrap_or_default();
    let path = exchange["request"]["path"].as_str().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    let status = exchange["response"]["status"].as_u64().unwrap_or_default();
    let Some(rest) = path.strip_prefix("/api/v2/") else {
        return;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let body = &exchange["response"]["body"];
    let what = format!("{file}: {method} {path}");
    match (method, segments.as_slice(), status) {
        ("GET", ["users", _, "sessions"], 200) => {
            let page: SessionsPage = round_trip(&what, body);
            assert!(page.extra.is_empty(), "{what}: {:?}", page.extra.keys());
            seen.sessions += 1;
        }
        ("GET", ["users", _, "refresh-tokens"], 200) => {
            let page: RefreshTokensPage = round_trip(&what, body);
            assert!(page.extra.is_empty(), "{what}: {:?}", page.extra.keys());
            for token in &page.tokens {
                // Every recorded field has a typed home: nothing lands in `extra`.
                assert!(token.extra.is_empty(), "{what}: {:?}", token.extra.keys());
                assert!(token.idle_expires_at == Nullable::Null, "{what}");
                let created = token.created_at.value().and_then(ApiDate::timestamp);
                assert!(created.is_some(), "{what}: created_at is a timestamp");
                seen.refresh_tokens += 1;
            }
            seen.refresh_pages += 1;
        }
        ("GET", ["users", _, "federated-connections-tokensets"], 200) => {
            let _: Vec<FederatedTokenSet> = round_trip(&what, body);
            seen.tokensets += 1;
        }
        ("GET", ["users", _, "connected-accounts"], 200) => {
            let page: ConnectedAccountsPage = round_trip(&what, body);
            for account in &page.connected_accounts {
                assert!(
                    account.extra.is_empty(),
                    "{what}: {:?}",
                    account.extra.keys()
                );
            }
            seen.connected += 1;
        }
        ("POST", ["users", _, "risk-assessments", "clear"], 204) => {
            let request: ClearAssessors = round_trip(&what, &exchange["request"]["body"]);
            assert_eq!(validate_clear_assessors(&request), Ok(()), "{what}");
            seen.clear_bodies += 1;
        }
        _ => {}
    }
}

#[test]
fn recorded_bodies_round_trip() {
    let mut seen = Seen::default();
    for path in users_fixtures::json_files(&users_fixtures::recordings_dir(), 250) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name == "MANIFEST.json" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let exchange: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        check(name, &exchange, &mut seen);
    }
    // Floors: what the recordings hold today, so the test cannot pass on nothing.
    assert!(seen.sessions >= 1, "session pages: {}", seen.sessions);
    assert!(
        seen.refresh_pages >= 2,
        "refresh pages: {}",
        seen.refresh_pages
    );
    assert!(
        seen.refresh_tokens >= 2,
        "refresh tokens: {}",
        seen.refresh_tokens
    );
    assert!(seen.tokensets >= 1, "token set lists: {}", seen.tokensets);
    assert!(
        seen.connected >= 2,
        "connected account pages: {}",
        seen.connected
    );
    assert!(
        seen.clear_bodies >= 1,
        "clear bodies: {}",
        seen.clear_bodies
    );
}

#[test]
fn pages_give_their_items_and_cursor() {
    let page: RefreshTokensPage =
        serde_json::from_value(json!({"tokens": [{"id": "a"}, {"id": "b"}], "next": "b"}))
            .expect("a page");
    let (items, next) = page.into_parts();
    assert_eq!(items.len(), 2);
    assert_eq!(next.as_deref(), Some("b"));
    let last: SessionsPage = serde_json::from_value(json!({"sessions": []})).expect("a page");
    assert_eq!(last.into_parts().1, None);
}

fn text() -> impl Strategy<Value = Value> {
    "[a-z0-9:|._-]{0,12}".prop_map(Value::String)
}

/// A field that is absent, `null`, or one of `values`.
fn tri(values: BoxedStrategy<Value>) -> BoxedStrategy<Option<Value>> {
    prop_oneof![Just(None), Just(Some(Value::Null)), values.prop_map(Some)].boxed()
}

fn date() -> BoxedStrategy<Value> {
    prop_oneof![
        (0i64..4_102_444_800_000)
            .prop_map(|ms| { Value::String(users_model::Timestamp::from_millis(ms).to_string()) }),
        text().prop_map(|t| json!({"seconds": t})),
    ]
    .boxed()
}

fn object(fields: Vec<(&'static str, BoxedStrategy<Option<Value>>)>) -> BoxedStrategy<Value> {
    let extra = proptest::option::of(text());
    (fields, extra)
        .prop_map(|(fields, extra)| {
            let mut map: Map<String, Value> = fields
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                .collect();
            if let Some(extra) = extra {
                map.insert("added_later".into(), extra);
            }
            Value::Object(map)
        })
        .boxed()
}

fn refresh_token() -> BoxedStrategy<Value> {
    let some_text = || proptest::option::of(text()).boxed();
    object(vec![
        ("id", some_text()),
        ("user_id", some_text()),
        ("created_at", tri(date())),
        ("idle_expires_at", tri(date())),
        ("expires_at", tri(date())),
        ("client_id", some_text()),
        ("session_id", tri(text().boxed())),
        (
            "rotating",
            proptest::option::of(any::<bool>().prop_map(Value::Bool)).boxed(),
        ),
        (
            "resource_servers",
            proptest::option::of(
                proptest::collection::vec(
                    object(vec![("audience", some_text()), ("scopes", some_text())]),
                    0..3,
                )
                .prop_map(Value::Array),
            )
            .boxed(),
        ),
        ("last_exchanged_at", tri(date())),
    ])
}

fn session() -> BoxedStrategy<Value> {
    let some_text = || proptest::option::of(text()).boxed();
    let device = object(vec![
        ("initial_user_agent", some_text()),
        ("initial_ip", tri(text().boxed())),
        ("last_ip", tri(text().boxed())),
    ]);
    let signal = object(vec![
        ("name", some_text()),
        ("timestamp", tri(date())),
        ("type", some_text()),
    ]);
    object(vec![
        ("id", some_text()),
        ("user_id", some_text()),
        ("created_at", tri(date())),
        ("updated_at", tri(date())),
        ("authenticated_at", tri(date())),
        ("idle_expires_at", tri(date())),
        ("expires_at", tri(date())),
        ("last_interacted_at", tri(date())),
        ("device", proptest::option::of(device).boxed()),
        (
            "authentication",
            proptest::option::of(
                proptest::collection::vec(signal, 0..3).prop_map(|m| json!({"methods": m})),
            )
            .boxed(),
        ),
        (
            "clients",
            proptest::option::of(
                proptest::collection::vec(object(vec![("client_id", some_text())]), 0..3)
                    .prop_map(Value::Array),
            )
            .boxed(),
        ),
        (
            "session_metadata",
            tri(text().prop_map(|t| json!({"k": t})).boxed()),
        ),
    ])
}

fn page(key: &'static str, item: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    (
        proptest::collection::vec(item, 0..4),
        proptest::option::of(text()),
        proptest::option::of(0u64..1000),
    )
        .prop_map(move |(items, next, total)| {
            let mut map = Map::new();
            map.insert(key.into(), Value::Array(items));
            if let Some(next) = next {
                map.insert("next".into(), next);
            }
            if let Some(total) = total {
                map.insert("total".into(), json!(total));
            }
            Value::Object(map)
        })
        .boxed()
}

/// A clear-assessors body with a chosen set of planted violations; returns the body and the
/// paths that must be reported.
fn planted_body() -> impl Strategy<Value = (ClearAssessors, Vec<String>)> {
    (
        0usize..4,
        proptest::collection::vec(prop_oneof![Just(None), "[a-z]{1,8}".prop_map(Some)], 0..4),
        proptest::collection::vec("[a-z]{1,6}", 0..3),
    )
        .prop_map(|(bad_connection, assessors, unknown)| {
            let mut expected = Vec::new();
            let connection = match bad_connection {
                0 => "Username-Password-Authentication".to_owned(),
                1 => String::new(),
                2 => "x".repeat(129),
                _ => "bad--name".to_owned(),
            };
            if bad_connection != 0 {
                expected.push("connection".to_owned());
            }
            if assessors.is_empty() {
                expected.push("assessors".to_owned());
            }
            let assessors: Vec<Assessor> = assessors
                .into_iter()
                .enumerate()
                .map(|(i, a)| match a {
                    None => Assessor::NewDevice,
                    Some(other) => {
                        expected.push(format!("assessors[{i}]"));
                        Assessor::from(format!("x-{other}").as_str())
                    }
                })
                .collect();
            let mut body = ClearAssessors::new(connection, assessors);
            for key in unknown {
                let key = format!("extra_{key}");
                if body.extra.insert(key.clone(), Value::Bool(true)).is_none() {
                    expected.push(key);
                }
            }
            (body, expected)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generated_refresh_token_pages_round_trip(body in page("tokens", refresh_token())) {
        let _: RefreshTokensPage = round_trip("refresh tokens", &body);
    }

    #[test]
    fn generated_session_pages_round_trip(body in page("sessions", session())) {
        let _: SessionsPage = round_trip("sessions", &body);
    }

    #[test]
    fn every_planted_violation_is_found((body, expected) in planted_body()) {
        let found: Vec<String> = match validate_clear_assessors(&body) {
            Ok(()) => Vec::new(),
            Err(violations) => violations.iter().map(|v| v.path.clone()).collect(),
        };
        let mut found_sorted = found.clone();
        found_sorted.sort();
        let mut expected = expected;
        expected.sort();
        prop_assert_eq!(found_sorted, expected);
        // The body round-trips, unknown keys included.
        let back: ClearAssessors = serde_json::from_value(serde_json::to_value(&body).unwrap()).unwrap();
        prop_assert_eq!(back, body);
    }

    #[test]
    fn take_is_checked_against_the_documented_range(take in proptest::option::of(0u32..300)) {
        let query = CheckpointQuery { from: None, take };
        let ok = take.is_none_or(|t| (1..=MAX_TAKE).contains(&t));
        prop_assert_eq!(query.validate().is_ok(), ok);
    }
}

#[test]
fn violation_kinds_and_messages_name_the_rule() {
    let body = ClearAssessors::new("", Vec::new());
    let violations = validate_clear_assessors(&body).expect_err("two violations");
    let kinds: Vec<ViolationKind> = violations.iter().map(|v| v.kind).collect();
    assert_eq!(kinds, [ViolationKind::TooShort, ViolationKind::TooShort]);
    assert!(
        violations
            .iter()
            .all(|v| v.message.starts_with("Payload validation error: '"))
    );
    let query = CheckpointQuery::new().from("").take(MAX_TAKE + 1);
    assert_eq!(query.validate().expect_err("two").len(), 2);
}
