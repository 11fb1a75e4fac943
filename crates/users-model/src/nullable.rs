//! A response field that the server may leave out, send as `null`, or send with a value.
//!
//! The refresh-token and session objects send some fields as `null` (`"idle_expires_at": null`
//! in the recorded `GET /users/{user_id}/refresh-tokens`) and leave others out; `Option` alone
//! would turn one into the other on a round trip.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Absent, `null`, or a value. Use on a struct field with
/// `#[serde(default, skip_serializing_if = "Nullable::is_absent")]`.
///
/// ```
/// use users_model::Nullable;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct T {
///     #[serde(default, skip_serializing_if = "Nullable::is_absent")]
///     a: Nullable<String>,
/// }
/// for text in [r#"{}"#, r#"{"a":null}"#, r#"{"a":"x"}"#] {
///     let t: T = serde_json::from_str(text).unwrap();
///     assert_eq!(serde_json::to_string(&t).unwrap(), text);
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// The field is not in the JSON.
    #[default]
    Absent,
    /// The field is `null`.
    Null,
    /// The field has this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// `true` for [`Nullable::Absent`].
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// The value, if there is one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// The value, if there is one.
    pub fn into_value(self) -> Option<T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Absent | Nullable::Null => None,
        }
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    /// `None` is `null`: the field is present.
    fn from(value: Option<T>) -> Self {
        value.map_or(Nullable::Null, Nullable::Value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached without `skip_serializing_if = "Nullable::is_absent"`.
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
            Nullable::Value(v) => v.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// A present field reads as `Null` or `Value`; an absent one falls back to the field's
    /// `#[serde(default)]`, `Absent`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Nullable::from)
    }
}
