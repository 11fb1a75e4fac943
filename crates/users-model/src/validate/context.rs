//! Rules of `PATCH /api/v2/users/{id}` that depend on the target user's identities and their
//! connections (users-api.md §1.2).

use super::{ConnectionKind, IdentityContext, TargetContext, Violation, ViolationKind};
use crate::UserUpdate;

/// Root profile attributes, in the order the server lists them.
const ROOT_PROFILE: [&str; 5] = ["family_name", "given_name", "name", "nickname", "picture"];

/// Identity fields that need `connection` when they belong to a secondary identity.
const IDENTITY_FIELDS: [&str; 6] = [
    "email",
    "email_verified",
    "phone_number",
    "phone_verified",
    "username",
    "password",
];

pub(crate) fn check(update: &UserUpdate, ctx: &TargetContext, out: &mut Vec<Violation>) {
    let primary = ctx
        .identities
        .iter()
        .find(|i| i.primary)
        .or_else(|| ctx.identities.first());
    let target = match update.connection.as_deref() {
        Some(conn) => match ctx.identities.iter().find(|i| i.connection == conn) {
            Some(found) => Some(found),
            None => {
                out.push(Violation::new(
                    "connection",
                    ViolationKind::Unsupported,
                    "Connection is not supported for this operation.",
                ));
                None
            }
        },
        None => primary,
    };
    let Some(target) = target else {
        return;
    };
    let via_connection = update.connection.is_some();
    for field in IDENTITY_FIELDS {
        if !touches(update, field) || supports(target, field) {
            continue;
        }
        let secondary_could = ctx
            .identities
            .iter()
            .any(|i| !std::ptr::eq(i, target) && !i.primary && supports(i, field));
        if !via_connection && secondary_could {
            out.push(Violation::new(
                field,
                ViolationKind::ConnectionRequired,
                format!(
                    "Updating {field} of a secondary identity requires the connection property."
                ),
            ));
        } else {
            out.push(Violation::new(
                field,
                ViolationKind::Unsupported,
                unsupported_message(target, field),
            ));
        }
    }
    check_root_profile(update, target, out);
}

/// Whether the identity's connection accepts an update of `field`.
fn supports(identity: &IdentityContext, field: &str) -> bool {
    match field {
        "password" => matches!(identity.kind, ConnectionKind::Database { .. }),
        "username" => matches!(
            identity.kind,
            ConnectionKind::Database {
                requires_username: true
            }
        ),
        "email_verified" => !matches!(
            identity.kind,
            ConnectionKind::Enterprise | ConnectionKind::PasswordlessSms
        ),
        _ => true,
    }
}

fn unsupported_message(identity: &IdentityContext, field: &str) -> String {
    match (field, &identity.kind) {
        ("username", _) => "Cannot set username for connection without requires_username.".into(),
        ("email_verified", ConnectionKind::Enterprise) => {
            "Email verification is not supported for enterprise users.".into()
        }
        ("email_verified", _) => {
            "Updating email_verified is not supported for enterprise and passwordless sms \
             connections."
                .into()
        }
        _ => "Connection is not supported for this operation.".into(),
    }
}

/// `name, nickname, given_name, family_name, picture`: not on a secondary identity's connection,
/// and not on a social or enterprise connection that syncs them at each login.
fn check_root_profile(update: &UserUpdate, target: &IdentityContext, out: &mut Vec<Violation>) {
    let touched: Vec<&str> = ROOT_PROFILE
        .into_iter()
        .filter(|f| touches(update, f))
        .collect();
    if touched.is_empty() {
        return;
    }
    let list = touched.join(", ");
    let message = if !target.primary {
        format!(
            "The following user attributes cannot be updated: {list}. The specified connection \
             belongs to a secondary identity."
        )
    } else if target.sync_root_attributes
        && matches!(
            target.kind,
            ConnectionKind::Social | ConnectionKind::Enterprise
        )
    {
        format!(
            "The following user attributes cannot be updated: {list}. The connection ({}) must \
             either be a database connection (using the Auth0 store), a passwordless connection \
             (email or sms) or has disabled 'Sync user profile attributes at each login'.",
            target.connection
        )
    } else {
        return;
    };
    for field in touched {
        out.push(Violation::new(
            field,
            ViolationKind::Unsupported,
            message.clone(),
        ));
    }
}

/// Whether the update sends `field` (as a value or as `null`).
pub(crate) fn touches(update: &UserUpdate, field: &str) -> bool {
    match field {
        "email" => !update.email.is_keep(),
        "phone_number" => !update.phone_number.is_keep(),
        "username" => !update.username.is_keep(),
        "password" => !update.password.is_keep(),
        "given_name" => !update.given_name.is_keep(),
        "family_name" => !update.family_name.is_keep(),
        "name" => !update.name.is_keep(),
        "nickname" => !update.nickname.is_keep(),
        "picture" => !update.picture.is_keep(),
        "email_verified" => update.email_verified.is_some(),
        "phone_verified" => update.phone_verified.is_some(),
        _ => false,
    }
}
