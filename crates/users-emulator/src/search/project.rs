//! `fields=` + `include_fields=` on user responses.

use serde_json::{Map, Value};

/// Keeps (`include` = true) or removes (`include` = false) the listed root fields of a user.
///
/// `fields` is comma-separated; spaces around names and empty names are ignored, and names are
/// matched exactly against root keys (a dotted name selects nothing). No field is kept implicitly:
/// the server answers `fields=email` with only `email`, without `user_id`. A list with no names
/// leaves the user unchanged, as does a value that is not an object.
pub fn project(user: &Value, fields: &str, include: bool) -> Value {
    let Some(object) = user.as_object() else {
        return user.clone();
    };
    let names: Vec<&str> = fields
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    if names.is_empty() {
        return user.clone();
    }
    let kept: Map<String, Value> = object
        .iter()
        .filter(|(key, _)| names.contains(&key.as_str()) == include)
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Value::Object(kept)
}
