//! `validate_update`: the PATCH body.

use super::checker::{Body, Checker, serialized_len};
use super::metadata::{self, Which};
use super::{TargetContext, Violation, ViolationKind, Violations, context};
use crate::{Patch, UserUpdate};

/// The pairs the server refuses in one PATCH, with its exact messages (users-api.md §1.2).
const FORBIDDEN_PAIRS: [(&str, &str); 5] = [
    ("password", "email"),
    ("password", "email_verified"),
    ("username", "email"),
    ("username", "email_verified"),
    ("username", "password"),
];

/// Accepted by the server although missing from the current OpenAPI (users-api.md §1.4);
/// allowed in [`UserUpdate::extra`] when boolean.
const VERIFY_PASSWORD: &str = "verify_password";

/// Validates a `PATCH /api/v2/users/{id}` body.
///
/// Without context (`ctx = None`) it checks what the body alone shows: an empty body (no
/// updatable attribute; `connection` alone does not count), unknown keys in
/// [`UserUpdate::extra`] (except a boolean `verify_password`), formats and lengths
/// (email, E.164 phone, username 1-128 from the allowed characters and not an email address,
/// names, picture as an absolute URI, password 1-72 bytes, `connection`/`client_id` non-empty),
/// the five forbidden pairs, `client_id` without `email`/`phone_number`, metadata field names
/// (no `.`/`$`, at any depth), reserved `app_metadata` keys and the 1 MB body limit.
///
/// With a [`TargetContext`] it also applies the connection rules: `connection` must name one of
/// the user's identities; a secondary identity's attribute sent without `connection`
/// ([`ViolationKind::ConnectionRequired`]); `email_verified` on enterprise or passwordless-SMS
/// connections; `username` without `requires_username`; `password` outside database connections;
/// root profile attributes on a secondary identity's connection or on a social/enterprise
/// connection that syncs them at each login (the server's message, naming the connection).
///
/// Messages we wrote ourselves (no server text is documented): unknown `verify_password` type,
/// username character/email rules, password over 72 bytes, `client_id` alone, metadata key rules,
/// "requires the connection property".
///
/// # Errors
/// Every violation found, in a fixed order.
///
/// ```
/// use users_model::{validate_update, Password, Patch, UserUpdate, ViolationKind};
/// let mut update = UserUpdate::default();
/// update.email = Patch::Set("not-an-email".into());
/// update.password = Patch::Set(Password::new("s3cret!"));
/// let violations = validate_update(&update, None).unwrap_err();
/// let messages: Vec<&str> = violations.iter().map(|v| v.message.as_str()).collect();
/// assert_eq!(messages, [
///     "Payload validation error: 'Object didn't pass validation for format email: not-an-email' \
///      on property email (Email address of this user.).",
///     "Cannot update password and email simultaneously.",
/// ]);
/// assert_eq!(violations.first().map(|v| v.kind), Some(ViolationKind::Format));
/// ```
pub fn validate_update(update: &UserUpdate, ctx: Option<&TargetContext>) -> Result<(), Violations> {
    validate_update_with_len(update, ctx, serialized_len(update))
}

/// [`validate_update`] for a body whose serialized size the caller already knows, so it is not
/// serialized a second time just to be measured: `body_len` is the length in bytes of its JSON
/// serialization (what `serde_json::to_vec(update)` returns), checked against the 1 MB limit;
/// `None` skips that one rule, as [`validate_update`] does for a body that cannot be
/// serialized. Every other rule, message and order is [`validate_update`]'s.
///
/// # Errors
/// Every violation found, in a fixed order.
///
/// ```
/// use users_model::{validate_update, validate_update_with_len, Patch, UserUpdate, MAX_BODY_BYTES};
/// let mut update = UserUpdate::default();
/// update.name = Patch::Set("Jane".into());
/// let body = serde_json::to_vec(&update).unwrap();
/// assert_eq!(
///     validate_update_with_len(&update, None, Some(body.len())),
///     validate_update(&update, None)
/// );
/// assert!(validate_update_with_len(&update, None, Some(MAX_BODY_BYTES + 1)).is_err());
/// ```
pub fn validate_update_with_len(
    update: &UserUpdate,
    ctx: Option<&TargetContext>,
    body_len: Option<usize>,
) -> Result<(), Violations> {
    let mut c = Checker::new(Body::Update);
    let verify_password_ok = update
        .extra
        .get(VERIFY_PASSWORD)
        .is_some_and(|v| v.is_boolean());
    let unknown = update
        .extra
        .keys()
        .filter(|k| !(k.as_str() == VERIFY_PASSWORD && verify_password_ok));
    c.unknown_keys(unknown);
    if !sets_anything(update, verify_password_ok) {
        c.out.push(Violation::new(
            "",
            ViolationKind::EmptyUpdate,
            "Payload validation error: 'None of the valid schemas were met'.",
        ));
    }

    if let Patch::Set(email) = &update.email {
        c.email(email);
    }
    if let Patch::Set(phone) = &update.phone_number {
        c.phone(phone);
    }
    c.names(
        update.given_name.as_set().map(String::as_str),
        update.family_name.as_set().map(String::as_str),
        update.name.as_set().map(String::as_str),
        update.nickname.as_set().map(String::as_str),
    );
    if let Patch::Set(picture) = &update.picture {
        c.picture(picture);
    }
    if let Patch::Set(username) = &update.username {
        c.username(username);
    }
    if let Patch::Set(password) = &update.password {
        c.password(password.expose());
    }
    if let Some(connection) = &update.connection {
        c.length("connection", connection, 1, None);
    }
    if let Some(client_id) = &update.client_id {
        c.length("client_id", client_id, 1, None);
    }

    for (a, b) in FORBIDDEN_PAIRS {
        if context::touches(update, a) && context::touches(update, b) {
            c.out.push(Violation::new(
                a,
                ViolationKind::ForbiddenCombination,
                format!("Cannot update {a} and {b} simultaneously."),
            ));
        }
    }
    if update.client_id.is_some() && update.email.is_keep() && update.phone_number.is_keep() {
        let reason = "client_id is only valid together with email or phone_number";
        c.schema("client_id", ViolationKind::MissingCompanion, reason);
    }

    if let Some(patch) = &update.user_metadata {
        metadata::check(patch.as_map(), Which::User, &mut c.out);
    }
    if let Some(patch) = &update.app_metadata {
        metadata::check(patch.as_map(), Which::App, &mut c.out);
    }
    c.body_size(body_len);
    if let Some(ctx) = ctx {
        context::check(update, ctx, &mut c.out);
    }
    Violations::check(c.out)
}

/// Whether the body sets at least one attribute the server's schema accepts on its own
/// (`connection` alone does not: it only selects the identity).
fn sets_anything(update: &UserUpdate, verify_password: bool) -> bool {
    let patches = [
        &update.email,
        &update.phone_number,
        &update.given_name,
        &update.family_name,
        &update.name,
        &update.nickname,
        &update.picture,
        &update.username,
    ];
    patches.iter().any(|p| !p.is_keep())
        || !update.password.is_keep()
        || [
            update.blocked,
            update.email_verified,
            update.phone_verified,
            update.verify_email,
            update.verify_phone_number,
        ]
        .iter()
        .any(Option::is_some)
        || update.client_id.is_some()
        || update.user_metadata.is_some()
        || update.app_metadata.is_some()
        || verify_password
}
