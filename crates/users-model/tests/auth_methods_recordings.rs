//! Every recorded body of the authentication-methods, enrollments and recovery-code endpoints
//! parses into its type, re-serializes to the same JSON, leaves no known field in `extra`, and
//! every recorded request body passes validation. Bodies are classified by method, path shape
//! and status read from each file, never by file name.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use users_model::{
    AuthenticationMethod, AuthenticationMethodsPage, Enrollment, RecoveryCodeRegeneration,
    mask_email, mask_phone, parse_method_update, parse_new_method, parse_replacement,
};

fn round_trip<T: DeserializeOwned + Serialize>(file: &str, body: &Value) -> T {
    let typed: T = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("{file}: does not parse: {e}"));
    let back = serde_json::to_value(&typed).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(&back, body, "{file}: round trip differs");
    typed
}

/// A recorded method must land in its typed variant with nothing left over in `extra`.
fn check_method(file: &str, method: &AuthenticationMethod) {
    let extra_empty = match method {
        AuthenticationMethod::Email(m) => m.extra.is_empty(),
        AuthenticationMethod::Phone(m) => {
            m.extra.is_empty()
                && m.authentication_methods
                    .iter()
                    .flatten()
                    .all(|p| p.extra.is_empty())
        }
        AuthenticationMethod::Totp(m) => m.extra.is_empty(),
        other => panic!("{file}: unexpected recorded method {other:?}"),
    };
    assert!(extra_empty, "{file}: a known field landed in extra");
    let id = method.id().unwrap_or_else(|| panic!("{file}: no id"));
    let (prefix, suffix) = id.split_once("|dev_").expect("id shape");
    assert_eq!(prefix, method.type_name(), "{file}: id prefix");
    assert!(suffix.len() == 16 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()));
}

#[derive(Default)]
struct Counts {
    pages: usize,
    methods: usize,
    put_lists: usize,
    requests: usize,
    enrollments: usize,
    codes: usize,
    masked: usize,
}

#[test]
fn recorded_bodies_round_trip_and_validate() {
    let mut counts = Counts::default();
    for path in users_fixtures::json_files(&users_fixtures::recordings_dir(), 250) {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let exchange: Value = serde_json::from_str(&text).unwrap();
        let method = exchange["request"]["method"].as_str().unwrap_or("");
        let decoded = exchange["request"]["path_decoded"].as_str().unwrap_or("");
        let segments: Vec<&str> = decoded.trim_start_matches("/api/v2/").split('/').collect();
        let status = exchange["response"]["status"].as_u64().unwrap_or(0);
        let request = &exchange["request"]["body"];
        let response = &exchange["response"]["body"];
        if segments.first() != Some(&"users") || status >= 300 {
            continue;
        }
        match (method, segments.get(2).copied(), segments.len()) {
            ("GET", Some("authentication-methods"), 3) => {
                let page: AuthenticationMethodsPage = round_trip(&file, response);
                assert!(page.extra.is_empty(), "{file}");
                for m in &page.authenticators {
                    check_method(&file, m);
                    counts.masked += usize::from(is_masked(m));
                }
                counts.pages += 1;
            }
            ("GET" | "PATCH", Some("authentication-methods"), 4)
            | ("POST", Some("authentication-methods"), 3) => {
                let m: AuthenticationMethod = round_trip(&file, response);
                check_method(&file, &m);
                counts.methods += 1;
                counts.masked += usize::from(is_masked(&m));
                if method == "POST" {
                    parse_new_method(request).unwrap_or_else(|v| panic!("{file}: {v}"));
                    counts.requests += 1;
                }
                if method == "PATCH" {
                    parse_method_update(request, Some(m.type_name()))
                        .unwrap_or_else(|v| panic!("{file}: {v}"));
                    counts.requests += 1;
                }
            }
            ("PUT", Some("authentication-methods"), 3) => {
                let list: Vec<AuthenticationMethod> = round_trip(&file, response);
                list.iter().for_each(|m| check_method(&file, m));
                let entries = parse_replacement(request).unwrap_or_else(|v| panic!("{file}: {v}"));
                assert_eq!(entries.len(), list.len(), "{file}");
                counts.put_lists += 1;
                counts.requests += 1;
            }
            ("GET", Some("enrollments"), 3) => {
                let list: Vec<Enrollment> = round_trip(&file, response);
                assert!(list.iter().all(|e| e.extra.is_empty()));
                counts.enrollments += 1;
            }
            ("POST", Some("recovery-code-regeneration"), 3) => {
                let answer: RecoveryCodeRegeneration = round_trip(&file, response);
                assert!(answer.recovery_code.is_well_formed(), "{file}");
                counts.codes += 1;
            }
            _ => {}
        }
    }
    // Floors: the recordings this test was written against (README.md of the recordings).
    assert!(counts.pages >= 4, "list pages: {}", counts.pages);
    assert!(counts.methods >= 5, "single methods: {}", counts.methods);
    assert!(counts.put_lists >= 1 && counts.requests >= 3);
    assert!(counts.enrollments >= 3 && counts.codes >= 1);
    assert!(counts.masked >= 5, "masked methods: {}", counts.masked);
}

/// Whether the method shows its address the way our mask functions would make it.
fn is_masked(method: &AuthenticationMethod) -> bool {
    match method {
        AuthenticationMethod::Email(m) => m.email.as_deref().is_some_and(|e| e.contains("****@")),
        AuthenticationMethod::Phone(m) => m
            .phone_number
            .as_deref()
            .is_some_and(|p| p.starts_with('X')),
        _ => false,
    }
}

/// The masks of the recorded addresses (the emails and numbers come from the same scenario's
/// requests) are exactly what the server showed.
#[test]
fn recorded_masks_match() {
    assert_eq!(mask_email("chuck334@example.com"), "chuc****@exam*******");
    assert_eq!(mask_email("foo@example.com"), "****@exam*******");
    assert_eq!(mask_phone("+44207183875044"), "XXXXXXXXXXX5044");
}
