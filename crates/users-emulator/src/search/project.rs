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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "user_id": "auth0|613282adac819400692c0dd9",
            "email": "jane@example.com",
            "picture": "https://example.com/p.png",
            "name": "jane",
            "identities": [{"connection": "db"}],
            "app_metadata": {"plan": "gold"}
        })
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    #[test]
    fn include_keeps_only_the_listed_fields_without_user_id() {
        // As the server answered fields=email&include_fields=true: no implicit user_id.
        assert_eq!(
            project(&user(), "email", true),
            json!({"email": "jane@example.com"})
        );
        let kept = project(&user(), "picture,email,user_id", true);
        assert_eq!(keys(&kept), ["user_id", "email", "picture"]);
    }

    #[test]
    fn exclude_removes_the_listed_fields() {
        let rest = project(&user(), "picture,email,user_id", false);
        assert_eq!(keys(&rest), ["name", "identities", "app_metadata"]);
        assert_eq!(rest["app_metadata"], json!({"plan": "gold"}));
    }

    #[test]
    fn names_are_trimmed_and_empty_names_ignored() {
        let kept = project(&user(), " email , ,name,", true);
        assert_eq!(keys(&kept), ["email", "name"]);
    }

    #[test]
    fn an_empty_list_leaves_the_user_unchanged() {
        for fields in ["", " ", ",,", " , "] {
            assert_eq!(project(&user(), fields, true), user());
            assert_eq!(project(&user(), fields, false), user());
        }
    }

    #[test]
    fn unknown_and_dotted_names_select_nothing() {
        assert_eq!(project(&user(), "nope,app_metadata.plan", true), json!({}));
        assert_eq!(project(&user(), "nope,app_metadata.plan", false), user());
    }

    #[test]
    fn non_objects_pass_through() {
        for v in [json!(null), json!([1, 2]), json!("x")] {
            assert_eq!(project(&v, "email", true), v);
        }
    }
}
