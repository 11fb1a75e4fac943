//! `validate_create`: the POST /users body.

use super::checker::{Body, Checker, serialized_len};
use super::format::{self, reason_pattern};
use super::metadata::{self, Which};
use super::{Violation, ViolationKind, Violations};
use crate::{ConnectionKind, UserCreate};

/// Validates a `POST /api/v2/users` body.
///
/// Checks `connection` (non-empty), unknown keys (the create schema is closed), the field formats
/// and lengths of [`validate_update`](crate::validate_update), `user_id` (0-255 characters, no whitespace), metadata
/// field names and reserved `app_metadata` keys, and the 1 MB limit. With the connection's
/// [`ConnectionKind`] it also checks that the connection allows creation through the API
/// (database or passwordless) and that `username` is only sent to a database connection with
/// `requires_username`.
///
/// # Errors
/// Every violation found.
///
/// ```
/// use users_model::{validate_create, ConnectionKind, UserCreate};
/// let mut create = UserCreate::new("Username-Password-Authentication");
/// create.username = Some("johndoe".into());
/// let kind = ConnectionKind::Database { requires_username: false };
/// let err = validate_create(&create, Some(&kind)).unwrap_err();
/// assert_eq!(
///     err.first().map(|v| v.message.as_str()),
///     Some("Cannot set username for connection without requires_username.")
/// );
/// ```
pub fn validate_create(
    create: &UserCreate,
    connection: Option<&ConnectionKind>,
) -> Result<(), Violations> {
    validate_create_with_len(create, connection, serialized_len(create))
}

/// [`validate_create`] for a body whose serialized size the caller already knows: `body_len` is
/// the length in bytes of its JSON serialization (what `serde_json::to_vec(create)` returns),
/// checked against the 1 MB limit; `None` skips that one rule, as [`validate_create`] does for
/// a body that cannot be serialized. Every other rule, message and order is the same.
///
/// # Errors
/// Every violation found.
///
/// ```
/// use users_model::{validate_create, validate_create_with_len, UserCreate};
/// let create = UserCreate::new("Username-Password-Authentication");
/// let body = serde_json::to_vec(&create).unwrap();
/// assert_eq!(
///     validate_create_with_len(&create, None, Some(body.len())),
///     validate_create(&create, None)
/// );
/// ```
pub fn validate_create_with_len(
    create: &UserCreate,
    connection: Option<&ConnectionKind>,
    body_len: Option<usize>,
) -> Result<(), Violations> {
    let mut c = Checker::new(Body::Create);
    c.unknown_keys(create.extra.keys());
    c.length("connection", &create.connection, 1, None);
    if let Some(email) = &create.email {
        c.email(email);
    }
    if let Some(phone) = &create.phone_number {
        c.phone(phone);
    }
    c.names(
        create.given_name.as_deref(),
        create.family_name.as_deref(),
        create.name.as_deref(),
        create.nickname.as_deref(),
    );
    if let Some(picture) = &create.picture {
        c.picture(picture);
    }
    if let Some(username) = &create.username {
        c.username(username);
    }
    if let Some(password) = &create.password {
        c.password(password.expose());
    }
    if let Some(user_id) = &create.user_id
        && c.length("user_id", user_id, 0, Some(255))
        && user_id.chars().any(char::is_whitespace)
    {
        let reason = reason_pattern(format::NO_WHITESPACE_PATTERN, user_id);
        c.schema("user_id", ViolationKind::Format, &reason);
    }
    if let Some(meta) = &create.user_metadata {
        metadata::check(meta, Which::User, &mut c.out);
    }
    if let Some(meta) = &create.app_metadata {
        metadata::check(meta, Which::App, &mut c.out);
    }
    c.body_size(body_len);
    if let Some(kind) = connection {
        create_connection_rules(create, kind, &mut c.out);
    }
    Violations::check(c.out)
}

/// The longest user id a path may carry (the path schema's `maxLength` on `{id}`, in
/// characters of the decoded segment).
pub const MAX_PATH_ID_CHARS: usize = 255;

/// The provider the server prefixes to a custom `user_id` on a connection users can be created
/// on (the connection's strategy: `auth0|…`, `sms|…`, `email|…`; users-api.md §4.1).
fn provider_prefix(kind: &ConnectionKind) -> Option<&'static str> {
    match kind {
        ConnectionKind::Database { .. } => Some("auth0"),
        ConnectionKind::PasswordlessSms => Some("sms"),
        ConnectionKind::PasswordlessEmail => Some("email"),
        _ => None,
    }
}

/// A custom `user_id` the body schema accepts (up to 255 characters) becomes
/// `{provider}|{user_id}`, which every `/users/{id}` path must carry in at most
/// [`MAX_PATH_ID_CHARS`] characters. A longer one would create a user no request could read,
/// change or delete, so it is refused here with the room the prefix leaves.
fn addressable_user_id(create: &UserCreate, kind: &ConnectionKind, out: &mut Vec<Violation>) {
    let (Some(user_id), Some(provider)) = (&create.user_id, provider_prefix(kind)) else {
        return;
    };
    let len = user_id.chars().count();
    let room = MAX_PATH_ID_CHARS - provider.len() - 1;
    // Over the schema's own maximum (also 255) the schema rule has already answered.
    if len > room && len <= MAX_PATH_ID_CHARS {
        out.push(Violation::new(
            "user_id",
            ViolationKind::TooLong,
            format!(
                "Payload validation error: 'String is too long ({len} chars), maximum {room}' on \
                 property user_id (with the \"{provider}|\" prefix the user id must fit the \
                 {MAX_PATH_ID_CHARS} characters of a path id)."
            ),
        ));
    }
}

fn create_connection_rules(create: &UserCreate, kind: &ConnectionKind, out: &mut Vec<Violation>) {
    addressable_user_id(create, kind, out);
    let creatable = matches!(
        kind,
        ConnectionKind::Database { .. }
            | ConnectionKind::PasswordlessSms
            | ConnectionKind::PasswordlessEmail
    );
    if !creatable {
        out.push(Violation::new(
            "connection",
            ViolationKind::Unsupported,
            "Connection does not support user creation through the API. It must either be a \
             database or passwordless connection.",
        ));
    }
    let takes_username = matches!(
        kind,
        ConnectionKind::Database {
            requires_username: true
        }
    );
    if create.username.is_some() && !takes_username {
        out.push(Violation::new(
            "username",
            ViolationKind::Unsupported,
            "Cannot set username for connection without requires_username.",
        ));
    }
}
