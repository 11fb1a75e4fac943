//! How an emulated answer is compared with the recorded one.
//!
//! Exact, except for:
//! - values the server generates at request time: timestamps are dropped, a recovery code is
//!   replaced by its shape (24 upper-case letters and digits, `_RegenerateRecoveryCode__01`);
//! - the order of a user's authentication methods, which no document defines: the one recorded
//!   list of several (`go-auth0__TestUserManager_AuthenticationMethods__09`: email, totp, phone
//!   after a PUT of email, phone, totp, phone and totp created in the same millisecond) is
//!   consistent with creation order and nothing finer, so the lists are compared as sets and the
//!   emulated one must be in creation (`created_at`) order;
//! - scenarios with a documented known difference ([`Known`]), compared by a weaker rule that
//!   still checks what the difference leaves checkable.

use serde_json::Value;

/// Keys whose values the server generates at request time.
const GENERATED: &[&str] = &[
    "created_at",
    "updated_at",
    "last_password_reset",
    "last_login",
];

/// How a known-different scenario is still checked.
pub enum Known {
    /// Status and body equal once these keys are removed everywhere.
    Ignoring(&'static [&'static str]),
    /// Status equal and the bodies of the same shape ([`same_shape`]).
    StatusAndShape,
}

/// `value` without generated timestamps, with a recovery code reduced to its shape.
pub fn strip_generated(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(strip_generated).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !GENERATED.contains(&k.as_str()))
                .map(|(k, v)| match (k.as_str(), v) {
                    ("recovery_code", Value::String(code)) => (k.clone(), recovery_shape(code)),
                    _ => (k.clone(), strip_generated(v)),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn recovery_shape(code: &str) -> Value {
    let shaped = code.len() == 24
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if shaped {
        Value::String("<24 upper-case letters and digits>".into())
    } else {
        Value::String(code.to_owned())
    }
}

/// `value` without the keys `ignored`, at any depth.
pub fn without(value: &Value, ignored: &[&str]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| without(v, ignored)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !ignored.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), without(v, ignored)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Same JSON type; objects with the same keys, each value of the same shape; arrays whose
/// first elements (when both have one) are of the same shape.
pub fn same_shape(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            g.len() == w.len()
                && w.iter()
                    .all(|(k, wv)| g.get(k).is_some_and(|gv| same_shape(gv, wv)))
        }
        (Value::Array(g), Value::Array(w)) => match (g.first(), w.first()) {
            (Some(g), Some(w)) => same_shape(g, w),
            _ => true,
        },
        (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Null, Value::Null) => true,
        _ => false,
    }
}

/// The authentication-method list of a `GET /users/{id}/authentication-methods` answer.
fn methods_mut(body: &mut Value) -> Option<&mut Vec<Value>> {
    match body {
        Value::Array(items) => Some(items),
        Value::Object(page) => page.get_mut("authenticators")?.as_array_mut(),
        _ => None,
    }
}

/// For a list of authentication methods: whether the emulated (`raw`, before stripping) list is
/// in `created_at` order, and both stripped lists put in one canonical order.
pub fn unordered_methods(raw: &Value, got: &mut Value, want: &mut Value) -> Result<(), String> {
    let mut raw = raw.clone();
    if let Some(list) = methods_mut(&mut raw) {
        let stamps: Vec<&str> = list
            .iter()
            .map(|m| m["created_at"].as_str().unwrap_or_default())
            .collect();
        if stamps.windows(2).any(|w| w[0] > w[1]) {
            return Err(format!(
                "authentication methods not in creation order: {stamps:?}"
            ));
        }
    }
    for body in [got, want] {
        if let Some(list) = methods_mut(body) {
            list.sort_by_key(Value::to_string);
        }
    }
    Ok(())
}

#[test]
fn the_relaxations_still_tell_differences_apart() {
    use serde_json::json;
    let code = strip_generated(&json!({"recovery_code": "32YCGV1JUE9G7MDJ71UTN12W"}));
    assert_eq!(
        code,
        strip_generated(&json!({"recovery_code": "6C0R5OCIJ5LEGTIM8X6980U3"}))
    );
    assert_ne!(
        code,
        strip_generated(&json!({"recovery_code": "6c0r5ocij5legtim8x6980u3"}))
    );
    assert!(same_shape(&json!([{"a": 1}]), &json!([])));
    assert!(!same_shape(&json!([{"a": 1}]), &json!([{"b": 1}])));
    assert!(!same_shape(&json!({"a": []}), &json!([])));
    let raw =
        json!({"authenticators": [{"id": "b", "created_at": "2"}, {"id": "a", "created_at": "1"}]});
    let (mut got, mut want) = (raw.clone(), raw.clone());
    assert!(unordered_methods(&raw, &mut got, &mut want).is_err());
    let raw =
        json!({"authenticators": [{"id": "b", "created_at": "1"}, {"id": "a", "created_at": "1"}]});
    let mut got = strip_generated(&raw);
    let mut want = json!({"authenticators": [{"id": "a"}, {"id": "b"}]});
    assert!(unordered_methods(&raw, &mut got, &mut want).is_ok());
    assert_eq!(got, want);
}
