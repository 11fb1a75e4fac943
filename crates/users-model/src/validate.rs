//! Validation of PATCH, POST and link bodies, returning every violation at once with the field
//! path, a machine-readable kind and the server's own message where users-api.md gives one.
//!
//! Messages the server's schema validator produces use its wording
//! (`Payload validation error: '<reason>' on property <path> (<description>).`, §1.5); the
//! connection-dependent ones quote the OpenAPI 400 list (§1.2). Where no server text is known the
//! message is ours and says so in the rule's doc. Validation never panics and never echoes a
//! password.

mod assessors;
mod checker;
mod context;
mod create;
pub(crate) mod format;
mod link;
mod metadata;
mod update;

use std::fmt;

pub use assessors::validate_clear_assessors;
pub use create::{MAX_PATH_ID_CHARS, validate_create, validate_create_with_len};
pub use link::validate_link;
pub use metadata::{MAX_METADATA_DEPTH, RESERVED_APP_METADATA_KEYS};
pub use update::{validate_update, validate_update_with_len};

/// The Management API's request body limit: "All endpoints accept a maximum payload size of
/// 1 megabyte" (users-api.md §1.4), measured on the serialized JSON body.
pub const MAX_BODY_BYTES: usize = 1_048_576;

/// One reason the server would reject a body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// The offending field, e.g. `email`, `user_metadata.addresses`, `user_metadata["a.b"]`;
    /// empty for the body as a whole.
    pub path: String,
    /// What kind of rule was broken.
    pub kind: ViolationKind,
    /// The message the server sends (or our wording where the server's is unknown).
    pub message: String,
}

impl Violation {
    /// A violation of `kind` at `path` with the message to send (for callers with rules of their
    /// own, such as an emulator's connection lookups).
    pub fn new(
        path: impl Into<String>,
        kind: ViolationKind,
        message: impl Into<String>,
    ) -> Violation {
        Violation {
            path: path.into(),
            kind,
            message: message.into(),
        }
    }

    /// The `errorCode` of the server's error body: `operation_not_supported` for
    /// connection-capability rules, `invalid_body` for everything else (users-api.md §5,
    /// **unconfirmed** pairing).
    pub fn error_code(&self) -> &'static str {
        match self.kind {
            ViolationKind::Unsupported => "operation_not_supported",
            _ => "invalid_body",
        }
    }

    /// The HTTP status: 413 for a body over [`MAX_BODY_BYTES`] (the status the API's HTTP layer
    /// uses for an oversized payload, **unconfirmed**), 409 for a duplicate (the spec's
    /// "Authentication method already exists."), 400 otherwise.
    pub fn status(&self) -> u16 {
        match self.kind {
            ViolationKind::BodyTooLarge => 413,
            ViolationKind::Duplicate => 409,
            _ => 400,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The kind of a [`Violation`], for code that reacts to specific rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ViolationKind {
    /// The PATCH body sets no updatable attribute.
    EmptyUpdate,
    /// A key the body's schema does not define.
    UnknownField,
    /// Shorter than the minimum (strings: code points; passwords: bytes).
    TooShort,
    /// Longer than the maximum.
    TooLong,
    /// Fails a format or pattern (email, E.164, username characters, URI, JWT, enum).
    Format,
    /// Wrong JSON type (e.g. a fractional number as an identity `user_id`).
    InvalidType,
    /// Two attributes the server refuses to update together.
    ForbiddenCombination,
    /// An attribute only valid together with another (`client_id` needs `email` or
    /// `phone_number`).
    MissingCompanion,
    /// A metadata field name containing `.` or `$`.
    InvalidMetadataKey,
    /// A reserved `app_metadata` field name.
    ReservedMetadataKey,
    /// Metadata nested deeper than [`MAX_METADATA_DEPTH`](crate::MAX_METADATA_DEPTH) levels.
    TooDeep,
    /// The serialized body exceeds [`MAX_BODY_BYTES`].
    BodyTooLarge,
    /// A secondary identity's attribute was sent without `connection`.
    ConnectionRequired,
    /// The target connection does not support this change.
    Unsupported,
    /// A field the body needs is missing.
    Required,
    /// An entry repeats an earlier one, or a method that already exists (answered with 409).
    Duplicate,
    /// A number outside its allowed range (e.g. `per_page` above 100).
    OutOfRange,
}

impl ViolationKind {
    /// A stable snake_case name, e.g. `"too_long"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::EmptyUpdate => "empty_update",
            ViolationKind::UnknownField => "unknown_field",
            ViolationKind::TooShort => "too_short",
            ViolationKind::TooLong => "too_long",
            ViolationKind::Format => "format",
            ViolationKind::InvalidType => "invalid_type",
            ViolationKind::ForbiddenCombination => "forbidden_combination",
            ViolationKind::MissingCompanion => "missing_companion",
            ViolationKind::InvalidMetadataKey => "invalid_metadata_key",
            ViolationKind::ReservedMetadataKey => "reserved_metadata_key",
            ViolationKind::TooDeep => "too_deep",
            ViolationKind::BodyTooLarge => "body_too_large",
            ViolationKind::ConnectionRequired => "connection_required",
            ViolationKind::Unsupported => "unsupported",
            ViolationKind::Required => "required",
            ViolationKind::Duplicate => "duplicate",
            ViolationKind::OutOfRange => "out_of_range",
        }
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every violation found in one body (never empty when returned as an error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// Wraps a non-empty list; `None` when `list` is empty (an error always says what is wrong).
    pub fn new(list: Vec<Violation>) -> Option<Violations> {
        (!list.is_empty()).then_some(Violations(list))
    }

    /// Exactly one violation.
    pub(crate) fn single(violation: Violation) -> Violations {
        Violations(vec![violation])
    }

    /// `Err` with the violations, or `Ok` when there are none.
    pub(crate) fn check(list: Vec<Violation>) -> Result<(), Violations> {
        if list.is_empty() {
            Ok(())
        } else {
            Err(Violations(list))
        }
    }

    /// The violations in the order the rules were checked.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.0.iter()
    }

    /// The violations as a vector.
    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }

    /// The first violation: what a server answering with one message would report.
    pub fn first(&self) -> Option<&Violation> {
        self.0.first()
    }

    /// How many violations there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (never the case for a returned error).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(
                f,
                "{}: {}",
                if v.path.is_empty() { "body" } else { &v.path },
                v.message
            )?;
        }
        Ok(())
    }
}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// What a connection can do, as far as the update rules care.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionKind {
    /// An Auth0 database connection (`auth0` strategy).
    Database {
        /// Whether the connection requires (and so accepts) a username.
        requires_username: bool,
    },
    /// A social connection (google-oauth2, github, ...).
    Social,
    /// An enterprise connection (samlp, waad, oidc, ad, ...).
    Enterprise,
    /// Passwordless SMS (`sms`).
    PasswordlessSms,
    /// Passwordless email (`email`).
    PasswordlessEmail,
    /// Anything else; no connection-specific rule is applied.
    Other,
}

/// What the validator may know about the target user: its identities and their connections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TargetContext {
    /// The user's identities; the one with `primary: true` (else the first) is the main one.
    pub identities: Vec<IdentityContext>,
}

/// One identity of the target user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdentityContext {
    /// The identity's provider, e.g. `auth0`, `google-oauth2`.
    pub provider: String,
    /// The connection's name; `connection` in a PATCH body selects the identity by it.
    pub connection: String,
    /// What the connection supports.
    pub kind: ConnectionKind,
    /// Whether this is the user's main identity.
    pub primary: bool,
    /// The connection's "Sync user profile attributes at each login" (`set_user_root_attributes`
    /// other than `on_first_login`); meaningful for social and enterprise connections.
    pub sync_root_attributes: bool,
}

impl TargetContext {
    /// A target user with these identities.
    pub fn new(identities: Vec<IdentityContext>) -> Self {
        Self { identities }
    }
}

impl IdentityContext {
    /// An identity on `connection` of `provider`, not the main one, with the connection's
    /// profile sync on (Auth0's default for a new connection).
    pub fn new(
        provider: impl Into<String>,
        connection: impl Into<String>,
        kind: ConnectionKind,
    ) -> Self {
        Self {
            provider: provider.into(),
            connection: connection.into(),
            kind,
            primary: false,
            sync_root_attributes: true,
        }
    }

    /// This identity marked as the user's main one, or not.
    #[must_use]
    pub fn with_primary(mut self, primary: bool) -> Self {
        self.primary = primary;
        self
    }

    /// This identity with the connection's profile sync on or off.
    #[must_use]
    pub fn with_sync_root_attributes(mut self, sync: bool) -> Self {
        self.sync_root_attributes = sync;
        self
    }
}
