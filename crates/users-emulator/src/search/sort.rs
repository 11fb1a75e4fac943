//! `sort=field:1` / `sort=field:-1` of `GET /api/v2/users`.

use std::cmp::Ordering;

use serde_json::Value;

use super::SearchError;
use super::eval::{Field, FieldValue};
use super::lexer::excerpt;

/// A parsed `sort` parameter.
///
/// Values compare as numbers, strings (without regard to case for the normalized fields `email`,
/// `name`, `given_name`, `family_name` and `nickname`) or booleans; values of different JSON types
/// order booleans first, then numbers, then strings. On a field holding an array the first element
/// counts. Users without the field come last in both directions, like Elasticsearch's default
/// `missing: _last`. Ties compare equal, so a stable sort keeps the input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortSpec {
    descending: bool,
    path: Field,
}

/// Parses `field:1` (ascending) or `field:-1` (descending). Sorting by `app_metadata` or
/// `user_metadata` is refused, as the server documents.
pub fn parse_sort(s: &str) -> Result<SortSpec, SearchError> {
    let shown = excerpt(s.trim());
    let Some((field, direction)) = s.trim().rsplit_once(':') else {
        return Err(SearchError::new(format!(
            "sort must be field:1 (ascending) or field:-1 (descending), got '{shown}'"
        )));
    };
    let descending = match direction.trim() {
        "1" => false,
        "-1" => true,
        _ => {
            return Err(SearchError::new(format!(
                "the sort direction must be 1 (ascending) or -1 (descending), got '{shown}'"
            )));
        }
    };
    let field = field.trim();
    if field.is_empty() || field.chars().any(|c| c.is_whitespace() || c == ':') {
        return Err(SearchError::new(format!(
            "the sort needs one field name before ':1' or ':-1', got '{shown}'"
        )));
    }
    let Some(path) = Field::from_dotted(field) else {
        return Err(SearchError::new(format!(
            "the sort field '{}' has an empty path segment",
            excerpt(field)
        )));
    };
    if matches!(path.root(), "app_metadata" | "user_metadata") {
        return Err(SearchError::new(format!(
            "sorting by app_metadata or user_metadata is not supported (got '{}')",
            excerpt(field)
        )));
    }
    Ok(SortSpec { descending, path })
}

/// A comparable value of the sort field.
enum Key {
    Bool(bool),
    Number(f64),
    Text(String),
}

impl Key {
    fn rank(&self) -> u8 {
        match self {
            Key::Bool(_) => 0,
            Key::Number(_) => 1,
            Key::Text(_) => 2,
        }
    }

    fn cmp(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Number(a), Key::Number(b)) => a.total_cmp(b),
            (Key::Text(a), Key::Text(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl SortSpec {
    /// Orders two users by the sort field; use with a stable sort.
    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        match (self.key(a), self.key(b)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => {
                let order = x.cmp(&y);
                if self.descending {
                    order.reverse()
                } else {
                    order
                }
            }
        }
    }

    fn key(&self, user: &Value) -> Option<Key> {
        let fold = self.path.case_insensitive();
        self.path.values(user).iter().find_map(|v| match v {
            FieldValue::Json(Value::Bool(b)) => Some(Key::Bool(*b)),
            FieldValue::Json(Value::Number(n)) => n.as_f64().map(Key::Number),
            FieldValue::Json(Value::String(_)) | FieldValue::Domain(_) => {
                let text = v.text()?;
                Some(Key::Text(if fold { text.to_lowercase() } else { text }))
            }
            FieldValue::Json(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sorted(spec: &str, users: &[Value]) -> Vec<String> {
        let spec = parse_sort(spec).unwrap();
        let mut users = users.to_vec();
        users.sort_by(|a, b| spec.compare(a, b));
        users
            .iter()
            .map(|u| u["user_id"].as_str().unwrap_or("?").to_owned())
            .collect()
    }

    fn users() -> Vec<Value> {
        vec![
            json!({"user_id": "a", "logins_count": 10, "name": "bob", "username": "b",
                   "created_at": "2021-01-01T00:00:00.000Z",
                   "identities": [{"connection": "z-conn"}, {"connection": "a-conn"}]}),
            json!({"user_id": "b", "logins_count": 2, "name": "Alice", "username": "B",
                   "created_at": "2019-06-30T12:00:00.000Z",
                   "identities": [{"connection": "m-conn"}]}),
            json!({"user_id": "c", "name": "carol", "username": "a",
                   "created_at": "2020-02-02T00:00:00.000Z"}),
            json!({"user_id": "d", "logins_count": 2, "name": "dave", "username": null,
                   "created_at": "2019-06-30T12:00:00.000Z"}),
        ]
    }

    #[test]
    fn ascending_and_descending_with_missing_values_last() {
        assert_eq!(sorted("logins_count:1", &users()), ["b", "d", "a", "c"]);
        assert_eq!(sorted("logins_count:-1", &users()), ["a", "b", "d", "c"]);
        assert_eq!(sorted("username:1", &users()), ["b", "c", "a", "d"]);
        assert_eq!(sorted("username:-1", &users()), ["a", "c", "b", "d"]);
    }

    #[test]
    fn ties_keep_the_input_order() {
        assert_eq!(sorted("created_at:1", &users()), ["b", "d", "c", "a"]);
        assert_eq!(sorted("created_at:-1", &users()), ["a", "c", "b", "d"]);
        assert_eq!(sorted("no_such_field:1", &users()), ["a", "b", "c", "d"]);
    }

    #[test]
    fn normalized_fields_sort_without_regard_to_case() {
        assert_eq!(sorted("name:1", &users()), ["b", "a", "c", "d"]);
    }

    #[test]
    fn paths_use_the_first_value() {
        assert_eq!(
            sorted("identities.connection:1", &users()),
            ["b", "a", "c", "d"]
        );
    }

    #[test]
    fn mixed_types_order_booleans_numbers_strings() {
        let mixed = [
            json!({"user_id": "s", "v": "text"}),
            json!({"user_id": "n", "v": 3}),
            json!({"user_id": "t", "v": true}),
            json!({"user_id": "o", "v": {"x": 1}}),
            json!({"user_id": "f", "v": false}),
        ];
        assert_eq!(sorted("v:1", &mixed), ["f", "t", "n", "s", "o"]);
        assert_eq!(sorted("v:-1", &mixed), ["s", "n", "t", "f", "o"]);
    }

    #[test]
    fn accepted_forms() {
        for s in [
            "created_at:1",
            " created_at : -1 ",
            "identities.connection:1",
            "email:-1",
        ] {
            assert!(parse_sort(s).is_ok(), "{s}");
        }
        assert!(parse_sort("created_at:-1").unwrap().descending);
        assert!(!parse_sort("created_at:1").unwrap().descending);
    }

    #[test]
    fn refused_forms_say_why() {
        for (s, expected) in [
            (
                "",
                "sort must be field:1 (ascending) or field:-1 (descending), got ''",
            ),
            ("created_at", "sort must be field:1"),
            (
                "created_at:2",
                "the sort direction must be 1 (ascending) or -1 (descending)",
            ),
            ("created_at:+1", "the sort direction must be"),
            ("created_at:asc", "the sort direction must be"),
            (":1", "needs one field name"),
            ("a b:1", "needs one field name"),
            ("a:b:1", "needs one field name"),
            ("a..b:1", "empty path segment"),
            (
                "app_metadata.plan:1",
                "sorting by app_metadata or user_metadata is not supported",
            ),
            (
                "user_metadata:-1",
                "sorting by app_metadata or user_metadata is not supported",
            ),
        ] {
            let err = parse_sort(s).unwrap_err();
            assert!(err.message.contains(expected), "{s:?}: {err}");
        }
    }
}
