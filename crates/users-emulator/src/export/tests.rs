use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

const NOW: i64 = 1_700_000_000_000;

fn config() -> EmulatorConfig {
    EmulatorConfig::default()
}

/// A tenant with users (one with a password), a block, a role assignment, an organization, MFA
/// methods and a session, built by the seed path.
fn tenant() -> State {
    let mut state = State::new(7, config().connections);
    let seed = json!({
        "users": [
            {"connection": "Username-Password-Authentication", "user_id": "auth0|1",
             "email": "a@example.com", "password": "pw", "user_metadata": {"plan": "gold"}},
            {"connection": "google-oauth2", "user_id": "google-oauth2|2", "email": "b@example.com"}
        ],
        "blocks": [{"user_id": "auth0|1", "identifier": "a@example.com", "ip": "10.0.0.1"}],
        "resource_servers": [{"identifier": "https://api.example/", "scopes": [{"value": "read:x"}]}],
        "roles": [{"name": "reader", "permissions": [
            {"resource_server_identifier": "https://api.example/", "permission_name": "read:x"}]}],
        "organizations": [{"name": "acme", "members": ["auth0|1"]}],
        "assignments": [{"user_id": "auth0|1", "roles": ["reader"]}],
        "logs": [{"type": "s", "user_id": "auth0|1", "date": "2024-01-01T00:00:00.000Z"}],
        "authentication_methods": {"auth0|1": [{"type": "totp", "name": "App"}]},
        "sessions": [{"user_id": "auth0|1"}],
        "refresh_tokens": [{"user_id": "auth0|1", "client_id": "emulator-client", "token": "v1.t"}]
    });
    handlers::admin::seed(&mut state, &seed, NOW).expect("the seed is valid");
    state
}

fn import(document: &Value) -> Result<State, ImportError> {
    tenant_from(document, &config(), NOW)
}

#[test]
fn a_document_reads_back_as_the_same_state() {
    let state = tenant();
    let document = document(&state);
    let keys: Vec<&str> = document
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, KEYS);
    assert_eq!(document["users"][0]["user_metadata"]["plan"], "gold");
    assert!(document["users"][0][PASSWORD_HASH].is_string());
    assert!(document["users"][1].get(PASSWORD_HASH).is_none());
    assert_eq!(document["tenant"]["logs"].as_array().map(Vec::len), Some(1));
    let back = import(&document).expect("imports");
    assert_eq!(back, state);
    assert_eq!(super::document(&back), document);
}

#[test]
fn a_seed_document_is_seeded_into_a_new_tenant() {
    let seed = json!({"users": [{"connection": "Username-Password-Authentication",
        "user_id": "auth0|9", "email": "s@example.com", "password": "pw"}]});
    let state = import(&seed).expect("a seed document imports");
    assert_eq!(state.users().len(), 1);
    assert!(state.users()[0].password_hash.is_some());
    // An export's user entries are seed entries too: the hash is kept, not taken as a field.
    let exported = document(&state);
    let reseeded = import(&json!({"users": exported["users"]})).expect("seeds");
    assert_eq!(reseeded.users(), state.users());
    let error = import(&json!({"users": [{"connection": "nope", "email": "x@example.com"}]}))
        .expect_err("an unknown connection");
    assert_eq!(error.entry_path(), Some("users[0]"));
}

/// `(where, change to a valid export, the entry the error must name)`.
fn bad_documents() -> Vec<(&'static str, Value, Option<&'static str>)> {
    let valid = document(&tenant());
    let with = |pointer: &str, value: Value| {
        let mut doc = valid.clone();
        *doc.pointer_mut(pointer).expect("the pointer exists") = value;
        doc
    };
    let without = |key: &str| {
        let mut doc = valid.clone();
        doc.as_object_mut().expect("object").remove(key);
        doc
    };
    let user0 = valid["users"][0].clone();
    let mut no_identities = user0.clone();
    no_identities["identities"] = json!([]);
    let mut extra = valid.clone();
    extra["faults"] = json!([]);
    vec![
        ("not an object", json!([1, 2]), None),
        (
            "other format",
            with("/format", json!("users-emulator-store")),
            Some("format"),
        ),
        (
            "format not a string",
            with("/format", json!(1)),
            Some("format"),
        ),
        ("newer version", with("/version", json!(2)), Some("version")),
        (
            "version as text",
            with("/version", json!("1")),
            Some("version"),
        ),
        ("no version", without("version"), Some("version")),
        ("unknown section", extra, Some("faults")),
        (
            "ids of the wrong shape",
            with("/ids", json!("x")),
            Some("ids"),
        ),
        (
            "connections not a list",
            with("/connections", json!({})),
            Some("connections"),
        ),
        (
            "connection without a name",
            with("/connections/1", json!({"strategy": "auth0"})),
            Some("connections[1]"),
        ),
        (
            "duplicate connection",
            with("/connections/1", valid["connections"][0].clone()),
            Some("connections[1]"),
        ),
        ("users not a list", with("/users", json!({})), Some("users")),
        (
            "user not an object",
            with("/users/1", json!("auth0|2")),
            Some("users[1]"),
        ),
        (
            "user without user_id",
            with("/users/0/user_id", Value::Null),
            Some("users[0]"),
        ),
        (
            "user without identities",
            with("/users/0", no_identities),
            Some("users[0]"),
        ),
        (
            "bad email type",
            with("/users/1/email", json!(5)),
            Some("users[1]"),
        ),
        (
            "hash not hex",
            with("/users/0/password_hash", json!("pw")),
            Some("users[0]"),
        ),
        (
            "hash not text",
            with("/users/0/password_hash", json!(1)),
            Some("users[0]"),
        ),
        (
            "duplicate user id",
            with("/users/1", user0),
            Some("users[1]"),
        ),
        (
            "block of nobody",
            with("/blocks/0/user_id", json!("auth0|x")),
            Some("blocks[0]"),
        ),
        (
            "block of the wrong shape",
            with("/blocks/0", json!({"ip": 1})),
            Some("blocks[0]"),
        ),
        (
            "mfa of nobody",
            with("/mfa/users", json!({"auth0|x": {}})),
            Some("mfa.users.auth0|x"),
        ),
        (
            "mfa of the wrong shape",
            with("/mfa", json!("x")),
            Some("mfa"),
        ),
        (
            "roles of nobody",
            with("/tenant/user_roles", json!({"auth0|x": []})),
            Some("tenant.user_roles.auth0|x"),
        ),
        (
            "member nobody",
            with("/tenant/organizations/0/members", json!(["auth0|x"])),
            Some("tenant.organizations[0]"),
        ),
        (
            "tenant of the wrong shape",
            with("/tenant/roles", json!(3)),
            Some("tenant"),
        ),
        (
            "session of nobody",
            with("/sessions/sessions/0/user_id", json!("auth0|x")),
            Some("sessions.sessions[0]"),
        ),
        (
            "refresh token of nobody",
            with("/sessions/refresh_tokens/0/info/user_id", json!("auth0|x")),
            Some("sessions.refresh_tokens[0]"),
        ),
        (
            "sessions of the wrong shape",
            with("/sessions", json!(true)),
            Some("sessions"),
        ),
        (
            "a section that failed to export",
            with("/tenant", Value::Null),
            Some("tenant"),
        ),
    ]
}

#[test]
fn every_invalid_document_is_refused_naming_its_entry() {
    for (case, document, entry) in bad_documents() {
        let error = import(&document).expect_err(case);
        assert_eq!(error.entry_path(), entry, "{case}: {error}");
        if let Some(entry) = entry {
            assert!(error.to_string().starts_with(entry), "{case}: {error}");
        }
    }
}

#[test]
fn the_password_hash_never_appears_as_a_user_field_in_a_seed() {
    let mut state = State::new(1, config().connections);
    let seed = json!({"users": [{"connection": "Username-Password-Authentication",
        "user_id": "auth0|1", "password": "pw", "password_hash": "0".repeat(64)}]});
    let error = handlers::admin::seed(&mut state, &seed, NOW).expect_err("both");
    assert_eq!(error.entry_path(), Some("users[0]"));
    let seed = json!({"users": [{"connection": "Username-Password-Authentication",
        "user_id": "auth0|1", "password_hash": "0".repeat(64)}]});
    handlers::admin::seed(&mut state, &seed, NOW).expect("a hash alone");
    assert_eq!(state.users()[0].password_hash, Some("0".repeat(64)));
    assert!(state.users()[0].user.extra.get(PASSWORD_HASH).is_none());
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z|0-9]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every place in `value` (JSON pointers), the root included.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                pointers(
                    child,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Whatever part of a valid export is replaced with whatever JSON, the import either
    /// refuses it or builds a state that exports and imports back to itself; it never panics.
    #[test]
    fn a_damaged_export_is_refused_or_read_consistently(pick in any::<prop::sample::Index>(), value in any_json()) {
        let mut document = document(&tenant());
        let mut places = Vec::new();
        pointers(&document, String::new(), &mut places);
        let place = pick.get(&places).clone();
        if let Some(slot) = document.pointer_mut(&place) {
            *slot = value;
        }
        if let Ok(state) = import(&document) {
            let again = super::document(&state);
            let back = import(&again).expect("an export of an imported state imports");
            prop_assert_eq!(back, state);
        }
    }

    /// A document of arbitrary sections is refused or read, never a panic.
    #[test]
    fn arbitrary_documents_never_panic(sections in prop::collection::btree_map(
        prop::sample::select(KEYS.to_vec()), any_json(), 0..6)) {
        let mut document: Map<String, Value> =
            sections.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        document.insert("format".into(), Value::from(FORMAT));
        document.insert("version".into(), Value::from(VERSION));
        let _ = import(&Value::Object(document));
    }
}
