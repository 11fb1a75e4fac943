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
    Ok(SortSpec {
        descending,
        path,
    })
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
