//! The `POST /api/v2/users` body.

use serde::{Deserialize, Serialize};

use crate::{Metadata, Password};

/// The body of `POST /api/v2/users` (scope `create:users`). Only `connection` is required.
///
/// ```
/// use users_model::{Password, UserCreate};
/// let mut create = UserCreate::new("Username-Password-Authentication");
/// create.email = Some("jane@example.com".into());
/// create.password = Some(Password::new("correct horse"));
/// assert!(!format!("{create:?}").contains("correct horse"));
/// assert_eq!(
///     serde_json::to_string(&create).unwrap(),
///     r#"{"connection":"Username-Password-Authentication","email":"jane@example.com","password":"correct horse"}"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserCreate {
    /// Name of the connection to create the user in.
    pub connection: String,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number, E.164.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Initial `user_metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<Metadata>,
    /// Create the user blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
    /// Whether the email is verified (a verification email is sent when false or absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Whether the phone number is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// Initial `app_metadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<Metadata>,
    /// Given name, 1-150 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Family name, 1-150 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Full name, 1-300 characters (defaults to the email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nickname, 1-300 characters (defaults to the email's local part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Picture URL (defaults to a Gravatar URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// The id within the provider, without prefix; the server adds `auth0|` for databases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Initial password (database connections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
    /// Send a verification email (overrides `email_verified`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_email: Option<bool>,
    /// Username (connections that require one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Keys of a parsed body that are none of the above, kept so validation can reject them.
    /// Callers building a body leave it empty.
    #[serde(flatten)]
    pub extra: Metadata,
}

impl UserCreate {
    /// A body creating a user in `connection` with nothing else set.
    pub fn new(connection: impl Into<String>) -> UserCreate {
        UserCreate {
            connection: connection.into(),
            email: None,
            phone_number: None,
            user_metadata: None,
            blocked: None,
            email_verified: None,
            phone_verified: None,
            app_metadata: None,
            given_name: None,
            family_name: None,
            name: None,
            nickname: None,
            picture: None,
            user_id: None,
            password: None,
            verify_email: None,
            username: None,
            extra: Metadata::new(),
        }
    }
}
