//! Properties of the authentication-method types: lossless round trips of any method object,
//! validation that finds every planted violation of a replacement list, and a PUT preview that
//! accounts for every method and every entry exactly once.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use users_model::{
    AuthenticationMethod, NewEmailMethod, NewPhoneMethod, NewTotpMethod, ReplacementMethod,
    TotpSecret, ViolationKind, mask_email, mask_phone, parse_replacement, preview_replace,
    validate_replacement,
};

fn config(cases: u32) -> ProptestConfig {
    if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
    }
}

const TYPES: &[&str] = &[
    "email",
    "email-verification",
    "phone",
    "totp",
    "push",
    "webauthn-roaming",
    "webauthn-platform",
    "passkey",
    "recovery-code",
    "password",
    "guardian",
    "hologram",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9|@.+_-]{0,12}".prop_map(Value::from),
        prop::collection::vec("[a-z]{1,4}".prop_map(Value::from), 0..3).prop_map(Value::Array),
    ]
}

/// A method object: a type (known or not), and any mix of known and unknown keys with values
/// of any shape (so some known types do not fit their struct).
fn method_object() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "id",
        "name",
        "confirmed",
        "created_at",
        "email",
        "phone_number",
        "preferred_authentication_method",
        "authentication_methods",
        "totp_secret",
        "key_id",
        "transports",
        "credential_backed_up",
        "link_id",
        "x-future",
        "nested",
    ]);
    (
        prop::option::of(prop::sample::select(TYPES)),
        prop::collection::btree_map(keys, leaf(), 0..8),
    )
        .prop_map(|(kind, fields)| {
            let mut map: Map<String, Value> =
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            if let Some(kind) = kind {
                map.insert("type".into(), Value::from(kind));
            }
            Value::Object(map)
        })
}

#[derive(Debug, Clone)]
enum Plant {
    BadEmail,
    BadPhone,
    LongName,
    ForeignField,
    UnknownField,
    BadSecret,
    Duplicate,
}

fn valid_entry() -> impl Strategy<Value = ReplacementMethod> {
    prop_oneof![
        ("[a-z]{1,8}", "[a-z]{1,8}").prop_map(|(l, d)| ReplacementMethod::Email(NewEmailMethod {
            email: format!("{l}@{d}.com"),
            name: None,
        })),
        "[1-9][0-9]{6,13}".prop_map(|n| ReplacementMethod::Phone(NewPhoneMethod {
            phone_number: format!("+{n}"),
            preferred_authentication_method: None,
            name: Some("Phone".into()),
        })),
        "[A-Z2-7]{16,32}".prop_map(|s| ReplacementMethod::Totp(NewTotpMethod {
            totp_secret: TotpSecret::new(s),
            name: None,
        })),
    ]
}

/// A list without duplicates: at most one TOTP, distinct emails and numbers.
fn valid_list() -> impl Strategy<Value = Vec<ReplacementMethod>> {
    prop::collection::vec(valid_entry(), 0..5).prop_map(|list| {
        let mut out: Vec<ReplacementMethod> = Vec::new();
        for entry in list {
            let clash = out.iter().any(|have| match (have, &entry) {
                (ReplacementMethod::Email(a), ReplacementMethod::Email(b)) => {
                    a.email.eq_ignore_ascii_case(&b.email)
                }
                (ReplacementMethod::Phone(a), ReplacementMethod::Phone(b)) => {
                    a.phone_number == b.phone_number
                }
                (ReplacementMethod::Totp(_), ReplacementMethod::Totp(_)) => true,
                _ => false,
            });
            if !clash {
                out.push(entry);
            }
        }
        out
    })
}

/// Plants one violation in entry `i` (or appends a duplicate of it) and says where it must be
/// reported.
fn plant(list: &mut Vec<Value>, i: usize, what: &Plant) -> (String, ViolationKind) {
    let kind = list[i]["type"].as_str().unwrap_or("").to_owned();
    let entry = list[i].as_object_mut().unwrap();
    match what {
        Plant::BadEmail | Plant::BadPhone | Plant::BadSecret => {
            let (field, value) = match kind.as_str() {
                "email" => ("email", "no-at-sign"),
                "phone" => ("phone_number", "0044 20"),
                _ => ("totp_secret", "not base32!"),
            };
            entry.insert(field.into(), json!(value));
            (format!("[{i}].{field}"), ViolationKind::Format)
        }
        Plant::LongName => {
            entry.insert("name".into(), json!("x".repeat(21)));
            (format!("[{i}].name"), ViolationKind::TooLong)
        }
        Plant::ForeignField => {
            let field = if kind == "email" {
                "phone_number"
            } else {
                "email"
            };
            entry.insert(field.into(), json!("a@b.com"));
            (format!("[{i}].{field}"), ViolationKind::UnknownField)
        }
        Plant::UnknownField => {
            entry.insert("colour".into(), json!("red"));
            (format!("[{i}].colour"), ViolationKind::UnknownField)
        }
        Plant::Duplicate => {
            let copy = Value::Object(entry.clone());
            list.push(copy);
            (format!("[{}]", list.len() - 1), ViolationKind::Duplicate)
        }
    }
}

fn existing(entry: &ReplacementMethod, n: usize, masked: bool) -> AuthenticationMethod {
    let value = match entry {
        ReplacementMethod::Email(e) => json!({"id": format!("email|dev_{n:016}"), "type": "email",
            "email": if masked { mask_email(&e.email) } else { e.email.clone() }}),
        ReplacementMethod::Phone(p) => json!({"id": format!("phone|dev_{n:016}"), "type": "phone",
            "phone_number": if masked { mask_phone(&p.phone_number) } else { p.phone_number.clone() }}),
        ReplacementMethod::Totp(_) => json!({"id": format!("totp|dev_{n:016}"), "type": "totp"}),
    };
    serde_json::from_value(value).unwrap()
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn any_method_object_round_trips(body in method_object()) {
        let method: AuthenticationMethod = serde_json::from_value(body.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&method).unwrap(), body.clone());
        prop_assert_eq!(method.type_name(), body.get("type").and_then(Value::as_str).unwrap_or(""));
    }

    #[test]
    fn validation_finds_every_planted_violation(
        list in valid_list().prop_filter("needs an entry", |l| !l.is_empty()),
        plants in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
            Plant::BadEmail, Plant::BadPhone, Plant::LongName, Plant::ForeignField,
            Plant::UnknownField, Plant::BadSecret, Plant::Duplicate])), 1..4),
    ) {
        prop_assert!(validate_replacement(&list).is_ok());
        let mut body: Vec<Value> = list.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
        let original = body.len();
        let mut expected = Vec::new();
        let mut used = Vec::new();
        for (index, what) in &plants {
            let i = index.index(original);
            // One plant per entry and kind of field, so plants do not hide each other.
            if used.contains(&i) { continue; }
            used.push(i);
            expected.push(plant(&mut body, i, what));
        }
        let found: Vec<(String, ViolationKind)> = parse_replacement(&Value::Array(body))
            .unwrap_err()
            .into_iter()
            .map(|v| (v.path, v.kind))
            .collect();
        for want in &expected {
            prop_assert!(found.contains(want), "missing {:?} in {:?}", want, found);
        }
    }

    #[test]
    fn preview_accounts_for_everything_once(
        list in valid_list(),
        have in valid_list(),
        masked in any::<bool>(),
        extra_key in any::<bool>(),
    ) {
        let mut current: Vec<AuthenticationMethod> =
            have.iter().enumerate().map(|(n, e)| existing(e, n, masked)).collect();
        if extra_key {
            current.push(serde_json::from_value(json!({"id": "webauthn-roaming|dev_k", "type": "webauthn-roaming"})).unwrap());
        }
        let plan = preview_replace(&current, &list).unwrap();
        let mut ids: Vec<String> = plan.kept.iter().chain(&plan.removed).cloned()
            .chain(plan.replaced.iter().map(|r| r.old_id.clone())).collect();
        ids.sort();
        let mut want: Vec<String> = current.iter().map(|m| m.id().unwrap().to_owned()).collect();
        want.sort();
        prop_assert_eq!(ids, want);
        let mut entries: Vec<usize> = plan.created.iter().copied()
            .chain(plan.replaced.iter().map(|r| r.entry)).collect();
        entries.sort_unstable();
        prop_assert_eq!(entries, (0..list.len()).collect::<Vec<_>>());
        // An entry identical to an existing method always replaces it, masked or not.
        for (n, entry) in have.iter().enumerate() {
            if let Some(i) = list.iter().position(|e| e == entry) {
                let old = current[n].id().unwrap().to_owned();
                prop_assert!(plan.replaced.iter().any(|r| r.old_id == old && r.entry == i));
            }
        }
        prop_assert_eq!(plan.kept.len(), usize::from(extra_key));
    }
}

#[test]
fn a_passkey_blocks_the_preview() {
    let current: Vec<AuthenticationMethod> =
        serde_json::from_value(json!([{"id": "passkey|dev_1", "type": "passkey"}])).unwrap();
    assert!(preview_replace(&current, &[]).is_err());
}
