//! The `PATCH /api/v2/users/{id}` body, with three states per nullable attribute.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Metadata;

/// What a PATCH does with one nullable attribute.
///
/// `Keep` leaves the attribute alone (the field is not sent), `Clear` removes it (sent as
/// `null`), `Set` replaces it. Use it on a struct field together with
/// `#[serde(default, skip_serializing_if = "Patch::is_keep")]`, as [`UserUpdate`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Patch<T> {
    /// Leave the attribute as it is (not serialized).
    #[default]
    Keep,
    /// Remove the attribute (serialized as `null`).
    Clear,
    /// Set the attribute to this value.
    Set(T),
}

impl<T> Patch<T> {
    /// `true` for [`Patch::Keep`].
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }

    /// `true` for [`Patch::Clear`].
    pub fn is_clear(&self) -> bool {
        matches!(self, Patch::Clear)
    }

    /// `true` for [`Patch::Set`].
    pub fn is_set(&self) -> bool {
        matches!(self, Patch::Set(_))
    }

    /// The value of a [`Patch::Set`].
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Borrows the value.
    pub fn as_ref(&self) -> Patch<&T> {
        match self {
            Patch::Keep => Patch::Keep,
            Patch::Clear => Patch::Clear,
            Patch::Set(v) => Patch::Set(v),
        }
    }

    /// Maps the value of a [`Patch::Set`].
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Keep => Patch::Keep,
            Patch::Clear => Patch::Clear,
            Patch::Set(v) => Patch::Set(f(v)),
        }
    }

    /// `Set(v)` for `Some(v)` and `Clear` for `None`: how a JSON body field that is present
    /// reads (`null` or a value).
    pub fn from_present(value: Option<T>) -> Patch<T> {
        value.map_or(Patch::Clear, Patch::Set)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached without `skip_serializing_if = "Patch::is_keep"`.
            Patch::Keep | Patch::Clear => serializer.serialize_none(),
            Patch::Set(v) => v.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// A present field reads as `Clear` (`null`) or `Set`; an absent one falls back to the
    /// field's `#[serde(default)]`, `Keep`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Patch::from_present)
    }
}

/// A password. `Debug` and `Display` never show it; read it with [`Password::expose`].
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Password {
        Password(password.into())
    }

    /// The password itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A first-level patch of `user_metadata` or `app_metadata`.
///
/// The server merges it key by key: a key set to `null` is deleted, any other value replaces
/// that key whole (nested objects are not merged), keys not in the patch are kept. An empty
/// patch `{}` clears the metadata.
///
/// ```
/// use users_model::MetadataPatch;
/// let mut patch = MetadataPatch::new();
/// patch.set("profileCode", 1479).remove("old");
/// assert_eq!(serde_json::to_string(&patch).unwrap(), r#"{"profileCode":1479,"old":null}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MetadataPatch(Metadata);

impl MetadataPatch {
    /// An empty patch (which, sent as is, clears the metadata).
    pub fn new() -> MetadataPatch {
        MetadataPatch(Metadata::new())
    }

    /// Sets `key` to `value`, replacing whatever the server has under `key`.
    pub fn set(
        &mut self,
        key: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> &mut Self {
        self.0.insert(key.into(), value.into());
        self
    }

    /// Deletes `key` on the server (sends `"key": null`).
    pub fn remove(&mut self, key: impl Into<String>) -> &mut Self {
        self.0.insert(key.into(), serde_json::Value::Null);
        self
    }

    /// `true` when the patch has no keys.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The patch as a JSON object.
    pub fn as_map(&self) -> &Metadata {
        &self.0
    }

    /// Unwraps the patch.
    pub fn into_map(self) -> Metadata {
        self.0
    }
}

impl From<Metadata> for MetadataPatch {
    fn from(map: Metadata) -> Self {
        MetadataPatch(map)
    }
}

/// The body of `PATCH /api/v2/users/{id}` (scope `update:users`).
///
/// Nullable attributes are a [`Patch`]: `Keep` is not sent, `Clear` is sent as `null`.
/// Non-nullable ones are `Option`s, not sent when `None`.
///
/// ```
/// use users_model::{Patch, UserUpdate};
/// let mut update = UserUpdate::default();
/// update.nickname = Patch::Set("jj".into());
/// update.family_name = Patch::Clear;
/// update.blocked = Some(false);
/// assert_eq!(
///     serde_json::to_string(&update).unwrap(),
///     r#"{"family_name":null,"nickname":"jj","blocked":false}"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserUpdate {
    /// Email address.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub email: Patch<String>,
    /// Phone number, E.164 (`+` and 1-15 digits).
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub phone_number: Patch<String>,
    /// Given name, 1-150 characters.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub given_name: Patch<String>,
    /// Family name, 1-150 characters.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub family_name: Patch<String>,
    /// Full name, 1-300 characters.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub name: Patch<String>,
    /// Nickname, 1-300 characters.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub nickname: Patch<String>,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub picture: Patch<String>,
    /// Username (connections that require one).
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub username: Patch<String>,
    /// New password (database connections only). Never returned by the server.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub password: Patch<Password>,
    /// Block or unblock the user (does not clear brute-force blocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Whether the email is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Whether the phone number is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// Send a verification email (overrides `email_verified`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_email: Option<bool>,
    /// Send a verification SMS (SMS connections, when changing the phone number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_phone_number: Option<bool>,
    /// Connection to target (required when changing a secondary identity's attributes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// Client whose settings drive the verification email (only with `email` or `phone_number`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// First-level patch of `user_metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<MetadataPatch>,
    /// First-level patch of `app_metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<MetadataPatch>,
    /// Keys of a parsed body that are none of the above, kept so validation can reject them.
    /// Callers building an update leave it empty.
    #[serde(flatten)]
    pub extra: Metadata,
}

impl UserUpdate {
    /// An update that changes nothing (the server rejects it; see `validate_update`).
    pub fn new() -> UserUpdate {
        UserUpdate::default()
    }

    /// `true` when the body would be `{}`.
    pub fn is_empty(&self) -> bool {
        self == &UserUpdate::default()
    }

    /// Sets `email`.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Patch::Set(email.into());
        self
    }

    /// Sets `password`.
    pub fn password(mut self, password: Password) -> Self {
        self.password = Patch::Set(password);
        self
    }

    /// Sets `connection`.
    pub fn connection(mut self, connection: impl Into<String>) -> Self {
        self.connection = Some(connection.into());
        self
    }

    /// Sets `user_metadata`.
    pub fn user_metadata(mut self, patch: MetadataPatch) -> Self {
        self.user_metadata = Some(patch);
        self
    }

    /// Sets `app_metadata`.
    pub fn app_metadata(mut self, patch: MetadataPatch) -> Self {
        self.app_metadata = Some(patch);
        self
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keep_is_omitted_clear_is_null_set_is_value() {
        let update = UserUpdate {
            email: Patch::Set("a@example.com".into()),
            phone_number: Patch::Clear,
            user_metadata: Some(MetadataPatch::new()),
            ..UserUpdate::default()
        };
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            json!({"email": "a@example.com", "phone_number": null, "user_metadata": {}})
        );
        assert_eq!(
            serde_json::to_value(UserUpdate::default()).unwrap(),
            json!({})
        );
        assert!(UserUpdate::default().is_empty());
        assert!(!update.is_empty());
    }

    #[test]
    fn parse_distinguishes_absent_null_and_value() {
        let update: UserUpdate =
            serde_json::from_value(json!({"name": null, "nickname": "n", "foo": 1})).unwrap();
        assert_eq!(update.name, Patch::Clear);
        assert_eq!(update.nickname, Patch::Set("n".to_owned()));
        assert_eq!(update.email, Patch::Keep);
        assert_eq!(update.extra.get("foo"), Some(&json!(1)));
        assert!(serde_json::from_value::<UserUpdate>(json!({"blocked": "yes"})).is_err());
    }

    #[test]
    fn password_is_redacted() {
        let update = UserUpdate::new().password(Password::new("s3cr3t-pw"));
        for shown in [
            format!("{update:?}"),
            format!("{update:#?}"),
            Password::new("s3cr3t-pw").to_string(),
        ] {
            assert!(!shown.contains("s3cr3t-pw"), "{shown}");
        }
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            json!({"password": "s3cr3t-pw"})
        );
    }

    #[test]
    fn metadata_patch_builders() {
        let mut patch = MetadataPatch::new();
        assert!(patch.is_empty());
        patch.set("a", json!({"b": 1})).remove("c");
        assert_eq!(
            serde_json::to_value(&patch).unwrap(),
            json!({"a": {"b": 1}, "c": null})
        );
        assert_eq!(patch.as_map().len(), 2);
        assert_eq!(MetadataPatch::from(patch.clone().into_map()), patch);
    }
}
