//! Form-encoded bodies as JSON objects, including the bracket notation clients use for lists
//! and objects: `roles[]=a&roles[]=b` is `{"roles": ["a", "b"]}`,
//! `permissions[][permission_name]=p&permissions[][resource_server_identifier]=r` is
//! `{"permissions": [{"permission_name": "p", "resource_server_identifier": "r"}]}` and
//! `user_metadata[k]=v` is `{"user_metadata": {"k": "v"}}`.
//!
//! Fact: the real server answered 204 to `DELETE /users/{id}/roles` sent as `roles[]=rol_…` and
//! to `DELETE /users/{id}/permissions` sent as
//! `permissions[][permission_name]=…&permissions[][resource_server_identifier]=…`
//! (`ruby-auth0-hist-a4747018__…_remove_roles…__00`,
//! `ruby-auth0-hist-f9c3fa8f__…_remove_user_permissions…__00`), bodies whose schemas require
//! the `roles` / `permissions` arrays, so it reads the brackets. **[UNCONFIRMED]** how repeated
//! groups split: as Rack builds them, a field already set in the last object starts a new one.
//!
//! Top-level values `true` / `false` become booleans (so flags can be sent form-encoded); values
//! inside brackets stay strings (role ids and permission names are strings). A key in any other
//! bracket form (`a[b][c]`, `a[0]`) is kept literally, so the body's schema rejects it.

use serde_json::{Map, Value};

/// Where one form key puts its value.
#[derive(Debug, PartialEq)]
enum Slot<'k> {
    /// `name`
    Flat(&'k str),
    /// `name[]`
    Push(&'k str),
    /// `name[][field]`
    PushField(&'k str, &'k str),
    /// `name[field]`
    Field(&'k str, &'k str),
}

fn plain(s: &str) -> bool {
    !s.is_empty() && !s.contains(['[', ']'])
}

fn slot(key: &str) -> Slot<'_> {
    let Some((name, rest)) = key.split_once('[') else {
        return Slot::Flat(key);
    };
    if !plain(name) {
        return Slot::Flat(key);
    }
    if rest == "]" {
        return Slot::Push(name);
    }
    if let Some(field) = rest
        .strip_prefix("][")
        .and_then(|f| f.strip_suffix(']'))
        .filter(|f| plain(f))
    {
        return Slot::PushField(name, field);
    }
    match rest.strip_suffix(']').filter(|f| plain(f)) {
        Some(field) => Slot::Field(name, field),
        None => Slot::Flat(key),
    }
}

/// The pairs as one JSON object; `Err` names the key whose brackets contradict an earlier
/// key's (`a=1&a[]=2`).
pub(crate) fn form_object(pairs: Vec<(String, String)>) -> Result<Map<String, Value>, String> {
    let mut map = Map::new();
    for (key, value) in pairs {
        let conflict = || format!("form key {key:?} conflicts with an earlier key");
        match slot(&key) {
            Slot::Flat(name) => {
                let value = match value.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::String(value),
                };
                map.insert(name.to_owned(), value);
            }
            Slot::Push(name) => {
                let Value::Array(items) =
                    map.entry(name).or_insert_with(|| Value::Array(Vec::new()))
                else {
                    return Err(conflict());
                };
                items.push(Value::String(value));
            }
            Slot::PushField(name, field) => {
                let Value::Array(items) =
                    map.entry(name).or_insert_with(|| Value::Array(Vec::new()))
                else {
                    return Err(conflict());
                };
                if !items.iter().all(Value::is_object) {
                    return Err(conflict());
                }
                let open = items
                    .last_mut()
                    .and_then(Value::as_object_mut)
                    .filter(|last| !last.contains_key(field));
                match open {
                    Some(last) => {
                        last.insert(field.to_owned(), Value::String(value));
                    }
                    None => {
                        let mut object = Map::new();
                        object.insert(field.to_owned(), Value::String(value));
                        items.push(Value::Object(object));
                    }
                }
            }
            Slot::Field(name, field) => {
                let Value::Object(object) =
                    map.entry(name).or_insert_with(|| Value::Object(Map::new()))
                else {
                    return Err(conflict());
                };
                object.insert(field.to_owned(), Value::String(value));
            }
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Value, String> {
        form_object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
        .map(Value::Object)
    }

    #[test]
    fn the_recorded_bodies_become_the_schema_shapes() {
        assert_eq!(
            parse(&[("roles[]", "rol_1"), ("roles[]", "rol_2")]),
            Ok(json!({"roles": ["rol_1", "rol_2"]}))
        );
        assert_eq!(
            parse(&[
                ("permissions[][permission_name]", "read:a"),
                ("permissions[][resource_server_identifier]", "api"),
                ("permissions[][permission_name]", "read:b"),
                ("permissions[][resource_server_identifier]", "api"),
            ]),
            Ok(json!({"permissions": [
                {"permission_name": "read:a", "resource_server_identifier": "api"},
                {"permission_name": "read:b", "resource_server_identifier": "api"}
            ]}))
        );
        assert_eq!(
            parse(&[("user_metadata[k]", "true"), ("blocked", "true")]),
            Ok(json!({"user_metadata": {"k": "true"}, "blocked": true}))
        );
    }

    #[test]
    fn other_bracket_forms_stay_literal_and_conflicts_are_refused() {
        assert_eq!(
            parse(&[
                ("a[b][c]", "1"),
                ("a[0]x", "2"),
                ("[x]", "3"),
                ("a[]]", "4")
            ]),
            Ok(json!({"a[b][c]": "1", "a[0]x": "2", "[x]": "3", "a[]]": "4"}))
        );
        assert!(parse(&[("a", "1"), ("a[]", "2")]).is_err());
        assert!(parse(&[("a[]", "1"), ("a[][k]", "2")]).is_err());
        assert!(parse(&[("a[k]", "1"), ("a[]", "2")]).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn any_pairs_parse_without_panicking(
            pairs in proptest::collection::vec(("[a-c\\[\\]]{0,6}", "[a-z]{0,3}"), 0..8)
        ) {
            let _ = form_object(pairs);
        }

        #[test]
        fn listed_values_come_back_in_order(values in proptest::collection::vec("[a-z:_]{0,8}", 1..6)) {
            let pairs = values.iter().map(|v| ("roles[]".to_owned(), v.clone())).collect();
            let parsed = form_object(pairs).expect("parses");
            proptest::prop_assert_eq!(&parsed["roles"], &json!(values));
        }
    }
}
