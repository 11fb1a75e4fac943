//! Account linking and unlinking as pure state transitions (users-api.md §3), for the emulator.

use serde_json::Value;

use crate::{Identity, Metadata, Provider, Timestamp, User};

/// Why a link or unlink is refused, with the server's status and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// Linking a user (or identity) to itself. 400.
    #[error("Main identity and the new one are the same.")]
    SameIdentity,
    /// The secondary identity is already one of the primary's identities. 409.
    #[error("Specified identity already exists.")]
    AlreadyLinked,
    /// Unlinking the primary's own (first) identity. 400.
    #[error("Main identity cannot be removed.")]
    MainIdentityCannotBeRemoved,
    /// The secondary user does not exist (for callers that look it up; note: 400, not 404).
    #[error("Provided secondary account not found.")]
    SecondaryNotFound,
    /// The secondary user has no identity to move (no `identities` and no `provider|id`). 400.
    #[error("Unable to link with the secondary account.")]
    UnableToLink,
}

impl LinkError {
    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            LinkError::AlreadyLinked => 409,
            _ => 400,
        }
    }

    /// The server's message (the same as `Display`).
    pub fn message(&self) -> &'static str {
        match self {
            LinkError::SameIdentity => "Main identity and the new one are the same.",
            LinkError::AlreadyLinked => "Specified identity already exists.",
            LinkError::MainIdentityCannotBeRemoved => "Main identity cannot be removed.",
            LinkError::SecondaryNotFound => "Provided secondary account not found.",
            LinkError::UnableToLink => "Unable to link with the secondary account.",
        }
    }

    /// The `errorCode` to send. Not published for these messages (**unconfirmed**, users-api.md
    /// §3.1); we use `invalid_body` for the 400s about the link body, `invalid_uri` for the unlink
    /// path naming the main identity, and none for the 409 (like other 409s without a code).
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            LinkError::AlreadyLinked => None,
            LinkError::MainIdentityCannotBeRemoved => Some("invalid_uri"),
            _ => Some("invalid_body"),
        }
    }
}

/// The outcome of [`unlink`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Unlinked {
    /// The primary user after the unlink (its `identities` is the response body).
    pub primary: User,
    /// The user re-created from the removed identity; `None` when nothing matched (a no-op).
    pub detached: Option<User>,
}

/// Root attributes copied into `profileData`, in this order, when explicitly stored.
const PROFILE_KEYS: [&str; 10] = [
    "email",
    "email_verified",
    "name",
    "username",
    "given_name",
    "family_name",
    "nickname",
    "picture",
    "phone_number",
    "phone_verified",
];

/// Links `secondary` into `primary` (`POST /api/v2/users/{id}/identities`) and returns the new
/// primary. The caller then removes the secondary from the user list.
///
/// - The secondary's identities are appended to the primary's. Its first identity gets
///   `profileData` from the secondary's stored root attributes ([`profile_data`]); its
///   `user_metadata` and `app_metadata` are discarded.
/// - The primary's own first identity gains `profileData` too, as recorded, unless it already
///   has one (from an earlier link).
/// - Everything else of the primary (root attributes, metadata, `updated_at`) is unchanged.
/// - A secondary that itself has linked identities brings them along (**unconfirmed**).
///
/// # Errors
/// [`LinkError::SameIdentity`] when both are the same user or the secondary's main identity is
/// the primary's; [`LinkError::AlreadyLinked`] when one of the secondary's identities is already
/// among the primary's; [`LinkError::UnableToLink`] when the secondary has no identity.
pub fn link(primary: &User, secondary: &User) -> Result<User, LinkError> {
    if primary.user_id.is_some() && primary.user_id == secondary.user_id {
        return Err(LinkError::SameIdentity);
    }
    let mut incoming = identities_of(secondary);
    if incoming.is_empty() {
        return Err(LinkError::UnableToLink);
    }
    let mut identities = identities_of(primary);
    if let Some(main) = identities.first()
        && incoming.iter().any(|i| same_identity(i, main))
    {
        return Err(LinkError::SameIdentity);
    }
    if incoming
        .iter()
        .any(|i| identities.iter().any(|mine| same_identity(i, mine)))
    {
        return Err(LinkError::AlreadyLinked);
    }
    if let Some(main) = identities.first_mut()
        && main.profile_data.is_none()
    {
        main.profile_data = Some(profile_data(primary)).filter(|d| !d.is_empty());
    }
    if let Some(first) = incoming.first_mut() {
        let mut data = first.profile_data.take().unwrap_or_default();
        data.extend(profile_data(secondary));
        first.profile_data = Some(data).filter(|d| !d.is_empty());
    }
    identities.extend(incoming);
    let mut out = primary.clone();
    out.identities = Some(identities);
    Ok(out)
}

/// Unlinks the identity `provider`/`user_id` from `primary`
/// (`DELETE /api/v2/users/{id}/identities/{provider}/{user_id}`).
///
/// `user_id` is the bare id as it appears in the identity (no `provider|` prefix); a prefixed or
/// otherwise non-matching id matches nothing and returns the primary unchanged with
/// `detached: None`, as recorded (200 with the identities unchanged).
///
/// The detached user has `user_id` = `provider|id`, the removed identity (without
/// `profileData`), root attributes from that `profileData`, no metadata, and
/// `created_at = updated_at = now`. The primary's `updated_at` is left as is (no recording shows
/// it moving, and [`link`] leaves it too).
///
/// # Errors
/// [`LinkError::MainIdentityCannotBeRemoved`] when the target is the primary's first identity.
///
/// ```
/// use users_model::{unlink, User, Timestamp};
/// let primary: User = serde_json::from_value(serde_json::json!({
///     "user_id": "auth0|1",
///     "identities": [
///         {"connection": "db", "user_id": "1", "provider": "auth0", "isSocial": false},
///         {"connection": "db", "user_id": "2", "provider": "auth0", "isSocial": false,
///          "profileData": {"email": "two@example.com", "email_verified": false}}
///     ]
/// })).unwrap();
/// let now = Timestamp::from_millis(0);
/// let out = unlink(&primary, "auth0", "2", now).unwrap();
/// assert_eq!(out.primary.identities.as_ref().map(Vec::len), Some(1));
/// let detached = out.detached.unwrap();
/// assert_eq!(detached.user_id.as_deref(), Some("auth0|2"));
/// assert_eq!(detached.email.as_deref(), Some("two@example.com"));
/// assert!(unlink(&primary, "auth0", "auth0|2", now).unwrap().detached.is_none());
/// assert!(unlink(&primary, "auth0", "1", now).is_err());
/// ```
pub fn unlink(
    primary: &User,
    provider: &str,
    user_id: &str,
    now: Timestamp,
) -> Result<Unlinked, LinkError> {
    let identities = identities_of(primary);
    let matches = |i: &Identity| {
        i.provider.as_ref().map(Provider::as_str) == Some(provider)
            && i.user_id
                .as_ref()
                .is_some_and(|id| id.to_string() == user_id)
    };
    let Some(index) = identities.iter().position(matches) else {
        return Ok(Unlinked {
            primary: primary.clone(),
            detached: None,
        });
    };
    if index == 0 {
        return Err(LinkError::MainIdentityCannotBeRemoved);
    }
    let mut remaining = identities;
    let mut removed = remaining.remove(index);
    let mut out = primary.clone();
    out.identities = Some(remaining);
    let profile = removed.profile_data.take().unwrap_or_default();
    Ok(Unlinked {
        primary: out,
        detached: Some(detached_user(provider, user_id, removed, &profile, now)),
    })
}

/// The root attributes of `user` that go into an identity's `profileData`.
///
/// Only attributes the user explicitly has are copied, never metadata. The server leaves out
/// values it defaulted at creation; a [`User`] does not record which values were defaulted, so
/// the recorded defaults are recognised by their value: `name` equal to the email or phone
/// number, `nickname` equal to the email's local part, and the generated gravatar `picture`
/// (`https://s.gravatar.com/avatar/…` falling back to `cdn.auth0.com/avatars`). An explicit value
/// that happens to equal its default is therefore left out too.
pub fn profile_data(user: &User) -> Metadata {
    let local_part = user
        .email
        .as_deref()
        .and_then(|e| e.split_once('@'))
        .map(|(local, _)| local);
    let mut out = Metadata::new();
    for key in PROFILE_KEYS {
        let value: Option<Value> = match key {
            "email" => user.email.clone().map(Value::from),
            "email_verified" => user.email_verified.map(Value::from),
            "name" => user
                .name
                .clone()
                .filter(|n| Some(n) != user.email.as_ref() && Some(n) != user.phone_number.as_ref())
                .map(Value::from),
            "username" => user.username.clone().map(Value::from),
            "given_name" => user.given_name.clone().map(Value::from),
            "family_name" => user.family_name.clone().map(Value::from),
            "nickname" => user
                .nickname
                .clone()
                .filter(|n| Some(n.as_str()) != local_part)
                .map(Value::from),
            "picture" => user
                .picture
                .clone()
                .filter(|p| !is_default_picture(p))
                .map(Value::from),
            "phone_number" => user.phone_number.clone().map(Value::from),
            "phone_verified" => user.phone_verified.map(Value::from),
            _ => None,
        };
        if let Some(value) = value {
            out.insert(key.to_owned(), value);
        }
    }
    out
}

fn is_default_picture(picture: &str) -> bool {
    picture.starts_with("https://s.gravatar.com/avatar/")
        && picture.contains("d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F")
}

/// The user's identities; without any, one made from its `provider|id`.
fn identities_of(user: &User) -> Vec<Identity> {
    match &user.identities {
        Some(ids) if !ids.is_empty() => ids.clone(),
        _ => user
            .user_id
            .as_deref()
            .and_then(|id| id.split_once('|'))
            .map(|(provider, id)| Identity {
                provider: Some(Provider::from(provider)),
                user_id: Some(id.into()),
                ..Identity::default()
            })
            .into_iter()
            .collect(),
    }
}

/// Same provider and same id, comparing numeric and string ids by their bare text.
fn same_identity(a: &Identity, b: &Identity) -> bool {
    a.provider.is_some()
        && a.provider == b.provider
        && match (&a.user_id, &b.user_id) {
            (Some(x), Some(y)) => x.to_string() == y.to_string(),
            _ => false,
        }
}

fn detached_user(
    provider: &str,
    user_id: &str,
    identity: Identity,
    profile: &Metadata,
    now: Timestamp,
) -> User {
    let text = |key: &str| profile.get(key).and_then(Value::as_str).map(str::to_owned);
    let flag = |key: &str| profile.get(key).and_then(Value::as_bool);
    User {
        user_id: Some(format!("{provider}|{user_id}")),
        email: text("email"),
        email_verified: flag("email_verified"),
        username: text("username"),
        phone_number: text("phone_number"),
        phone_verified: flag("phone_verified"),
        name: text("name"),
        nickname: text("nickname"),
        picture: text("picture"),
        given_name: text("given_name"),
        family_name: text("family_name"),
        identities: Some(vec![identity]),
        created_at: Some(now.to_string()),
        updated_at: Some(now.to_string()),
        ..User::default()
    }
}
