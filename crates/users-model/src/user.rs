//! The user object and its identities, as the server returns them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Provider;

/// A JSON object: `user_metadata`, `app_metadata`, `profileData` and unknown fields.
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// A user as returned by `GET /api/v2/users/{id}`, `PATCH`, `POST /api/v2/users` and the lists.
///
/// Every field is optional because `fields=` can select any subset and the server omits absent
/// attributes (it does not send `null`). Fields this type does not know are kept in
/// [`User::extra`], so parsing and re-serializing loses nothing. A known field sent as `null`
/// reads as absent and is then omitted (the server is not known to send such nulls).
///
/// ```
/// use users_model::User;
/// let user: User = serde_json::from_str(
///     r#"{"user_id":"auth0|1","email":"a@example.com","locale":"fr"}"#,
/// ).unwrap();
/// assert_eq!(user.email.as_deref(), Some("a@example.com"));
/// assert_eq!(user.extra["locale"], "fr");
/// assert_eq!(
///     serde_json::to_string(&user).unwrap(),
///     r#"{"user_id":"auth0|1","email":"a@example.com","locale":"fr"}"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// `provider|id`, e.g. `auth0|63d17c6b77d74b740960460a`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Email address (stored lower-case for database connections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email address is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Username (connections that require one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Phone number in E.164 form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Whether the phone number is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// Creation time, `YYYY-MM-DDTHH:MM:SS.mmmZ` (parse with [`crate::Timestamp::parse`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last update time, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The user's identities; the first is the primary one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identities: Option<Vec<Identity>>,
    /// Metadata the user cannot change (roles, plans, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<Metadata>,
    /// Metadata the user may change (preferences, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<Metadata>,
    /// URL of the user's picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Enrolled multi-factor providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multifactor: Option<Vec<String>>,
    /// When `multifactor` last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multifactor_last_modified: Option<String>,
    /// IP address of the last login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ip: Option<String>,
    /// Time of the last login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<String>,
    /// Time of the last password change; absent until a password is set after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_password_reset: Option<String>,
    /// Number of logins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logins_count: Option<u64>,
    /// Blocked by an administrator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Given (first) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family (last) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Every other field the server sent (IdP attributes such as `locale`, newer fields, ...).
    #[serde(flatten)]
    pub extra: Metadata,
}

/// One identity of a user (`identities[]`), also the item of the link and unlink responses.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Identity {
    /// Name of the connection holding this identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The id within the provider (no `provider|` prefix); a JSON string or number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<IdentityUserId>,
    /// The identity provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    /// Whether the provider is social (wire name `isSocial`).
    #[serde(rename = "isSocial", default, skip_serializing_if = "Option::is_none")]
    pub is_social: Option<bool>,
    /// Attributes of this identity (wire name `profileData`); on linked identities, the
    /// secondary user's stored root attributes.
    #[serde(
        rename = "profileData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_data: Option<Metadata>,
    /// IdP access token, returned only with scope `read:user_idp_tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<IdpToken>,
    /// IdP access token secret (OAuth 1), returned only with scope `read:user_idp_tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_secret: Option<IdpToken>,
    /// IdP refresh token, returned only with scope `read:user_idp_tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<IdpToken>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// An identity's `user_id`: some providers send a JSON number. Kept in the form it came in.
///
/// ```
/// use users_model::IdentityUserId;
/// let n: IdentityUserId = serde_json::from_str("191919191").unwrap();
/// assert_eq!(n.to_string(), "191919191");
/// assert_eq!(serde_json::to_string(&n).unwrap(), "191919191");
/// let s: IdentityUserId = serde_json::from_str(r#""191919191""#).unwrap();
/// assert_ne!(n, s);
/// assert_eq!(serde_json::to_string(&s).unwrap(), r#""191919191""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IdentityUserId {
    /// A JSON string.
    String(String),
    /// A JSON number.
    Number(serde_json::Number),
}

impl IdentityUserId {
    /// The string form, if it is a JSON string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            IdentityUserId::String(s) => Some(s),
            IdentityUserId::Number(_) => None,
        }
    }
}

impl fmt::Display for IdentityUserId {
    /// The bare value: the string itself, or the number's digits (as used in the unlink path).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentityUserId::String(s) => f.write_str(s),
            IdentityUserId::Number(n) => fmt::Display::fmt(n, f),
        }
    }
}

impl From<String> for IdentityUserId {
    fn from(s: String) -> Self {
        IdentityUserId::String(s)
    }
}

impl From<&str> for IdentityUserId {
    fn from(s: &str) -> Self {
        IdentityUserId::String(s.to_owned())
    }
}

impl From<u64> for IdentityUserId {
    fn from(n: u64) -> Self {
        IdentityUserId::Number(n.into())
    }
}

impl From<i64> for IdentityUserId {
    fn from(n: i64) -> Self {
        IdentityUserId::Number(n.into())
    }
}

/// A token issued by an identity provider. `Debug` never shows it; read it with [`IdpToken::expose`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdpToken(String);

impl IdpToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> IdpToken {
        IdpToken(token.into())
    }

    /// The token itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdpToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdpToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn idp_tokens_are_redacted() {
        let body = json!({"user_id": "github|1", "identities": [{
            "provider": "github", "user_id": 1, "connection": "github", "isSocial": true,
            "access_token": "tok-AAA", "access_token_secret": "tok-BBB", "refresh_token": "tok-CCC"
        }]});
        let user: User = serde_json::from_value(body.clone()).unwrap();
        let shown = format!("{user:?}{user:#?}");
        assert!(!shown.contains("tok-"), "{shown}");
        assert_eq!(serde_json::to_value(&user).unwrap(), body);
        let identity = user
            .identities
            .as_ref()
            .and_then(|ids| ids.first())
            .unwrap();
        assert_eq!(
            identity.access_token.as_ref().map(IdpToken::expose),
            Some("tok-AAA")
        );
        assert_eq!(
            identity
                .user_id
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("1")
        );
    }

    #[test]
    fn absent_fields_are_omitted() {
        assert_eq!(serde_json::to_value(User::default()).unwrap(), json!({}));
        assert_eq!(
            serde_json::to_value(Identity::default()).unwrap(),
            json!({})
        );
    }
}
