//! `validate_link`: the account-linking body.

use super::format::{self, payload_error, reason_pattern, reason_too_short};
use super::{Violation, ViolationKind, Violations};
use crate::{IdentityUserId, LinkRequest, Provider};

/// Validates a `POST /api/v2/users/{id}/identities` body.
///
/// `link_with` must look like a signed JWT (three non-empty base64url segments; otherwise the
/// server's "Invalid token (link_with)."). For the provider form: `provider` must be one of the
/// OpenAPI enum values, a string `user_id` must be non-empty and a numeric one an integer, and
/// `connection_id` must match `^con_[A-Za-z0-9]{16}$`. A `user_id` with its `provider|` prefix is
/// accepted, as recorded.
///
/// # Errors
/// Every violation found.
///
/// ```
/// use users_model::{validate_link, LinkRequest, Provider};
/// let request = LinkRequest::Identity {
///     provider: Provider::Auth0,
///     user_id: "auth0|63d17c6b77d74b740960460a".into(),
///     connection_id: Some("con_ftSSLHb0O7rcUGmF".into()),
/// };
/// assert!(validate_link(&request).is_ok());
/// ```
pub fn validate_link(request: &LinkRequest) -> Result<(), Violations> {
    let mut out = Vec::new();
    match request {
        LinkRequest::Token { link_with } => {
            if !format::looks_like_jwt(link_with.expose()) {
                out.push(Violation::new(
                    "link_with",
                    ViolationKind::Format,
                    "Invalid token (link_with).",
                ));
            }
        }
        LinkRequest::Identity {
            provider,
            user_id,
            connection_id,
        } => {
            let link_error = |path: &str, reason: &str, description: &str| {
                Violation::new(
                    path,
                    ViolationKind::Format,
                    payload_error(reason, path, description),
                )
            };
            if let Provider::Other(name) = provider {
                out.push(link_error(
                    "provider",
                    &format!("No enum match for: {name}"),
                    "Identity provider of the secondary user account being linked.",
                ));
            }
            let user_id_description = "user_id of the secondary user account being linked.";
            match user_id {
                IdentityUserId::String(s) if s.is_empty() => {
                    let mut v = link_error("user_id", &reason_too_short(0, 1), user_id_description);
                    v.kind = ViolationKind::TooShort;
                    out.push(v);
                }
                IdentityUserId::Number(n) if !(n.is_i64() || n.is_u64()) => {
                    let reason = format!("Expected type string or integer but found number: {n}");
                    let mut v = link_error("user_id", &reason, user_id_description);
                    v.kind = ViolationKind::InvalidType;
                    out.push(v);
                }
                _ => {}
            }
            if let Some(id) = connection_id
                .as_deref()
                .filter(|id| !format::is_connection_id(id))
            {
                out.push(link_error(
                    "connection_id",
                    &reason_pattern(format::CONNECTION_ID_PATTERN, id),
                    "connection_id of the secondary user account being linked when more than one \
                     `auth0` database provider exists.",
                ));
            }
        }
    }
    Violations::check(out)
}
