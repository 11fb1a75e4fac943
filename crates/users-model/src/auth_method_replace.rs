//! What `PUT /users/{id}/authentication-methods` will do to a user's methods, as a pure
//! function (in the spirit of [`crate::preview_update`]).
//!
//! The spec: "any methods passed will overwrite the user's existing settings", and 403
//! "Operation not permitted when the user has registered at least 1 passkey". The rest is
//! **unconfirmed** and chosen here: PUT manages only the types it accepts (email, phone, TOTP);
//! methods of other types (security keys, push, recovery code, password) are kept. Every entry
//! becomes a new method with a new id; an existing method of the same type and address (email
//! ignoring case, phone number; a user has one TOTP method) is reported as replaced by it, and
//! the others of the managed types are removed. Masked values (as list answers show them) match
//! the unmasked entry they were made from, so a client can preview from a `GET`.

use crate::{AuthenticationMethod, ReplacementMethod, mask_email, mask_phone};

/// The effect of a PUT, by method id and entry index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ReplacePlan {
    /// Methods the PUT leaves alone (types it does not manage), by id.
    pub kept: Vec<String>,
    /// Existing methods that an entry takes the place of (under a new id).
    pub replaced: Vec<Replaced>,
    /// Existing methods no entry matches, by id: deleted.
    pub removed: Vec<String>,
    /// Entries (indexes into the list) that match no existing method.
    pub created: Vec<usize>,
}

/// An existing method and the list entry that replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Replaced {
    /// The existing method's id.
    pub old_id: String,
    /// The index of the entry in the PUT list.
    pub entry: usize,
}

/// Why the server refuses a PUT whatever its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplaceRefusal {
    /// 403 "Operation not permitted when the user has registered at least 1 passkey".
    #[error("Operation not permitted when the user has registered at least 1 passkey")]
    PasskeyRegistered,
}

/// What a PUT of `list` does to a user who has `current`.
///
/// ```
/// use users_model::{preview_replace, AuthenticationMethod, NewEmailMethod, ReplacementMethod};
/// let current: Vec<AuthenticationMethod> = serde_json::from_value(serde_json::json!([
///     {"id": "email|dev_1", "type": "email", "email": "chuc****@exam*******"},
///     {"id": "totp|dev_2", "type": "totp"},
///     {"id": "webauthn-roaming|dev_3", "type": "webauthn-roaming"}])).unwrap();
/// let list = vec![ReplacementMethod::Email(NewEmailMethod {
///     email: "chuck334@example.com".into(), name: None })];
/// let plan = preview_replace(&current, &list).unwrap();
/// assert_eq!(plan.replaced[0].old_id, "email|dev_1");
/// assert_eq!(plan.removed, ["totp|dev_2"]);
/// assert_eq!(plan.kept, ["webauthn-roaming|dev_3"]);
/// assert!(plan.created.is_empty());
/// ```
///
/// # Errors
/// [`ReplaceRefusal::PasskeyRegistered`] when `current` has a passkey.
pub fn preview_replace(
    current: &[AuthenticationMethod],
    list: &[ReplacementMethod],
) -> Result<ReplacePlan, ReplaceRefusal> {
    if current
        .iter()
        .any(|m| matches!(m, AuthenticationMethod::Passkey(_)))
    {
        return Err(ReplaceRefusal::PasskeyRegistered);
    }
    let mut plan = ReplacePlan::default();
    let mut matched = vec![false; list.len()];
    for method in current {
        let id = method.id().unwrap_or_default().to_owned();
        if !matches!(method.type_name(), "email" | "phone" | "totp") || method.info().is_none() {
            plan.kept.push(id);
            continue;
        }
        let entry = list.iter().enumerate().position(|(i, entry)| {
            !matched.get(i).copied().unwrap_or(true) && same_method(method, entry)
        });
        match entry {
            Some(entry) => {
                if let Some(flag) = matched.get_mut(entry) {
                    *flag = true;
                }
                plan.replaced.push(Replaced { old_id: id, entry });
            }
            None => plan.removed.push(id),
        }
    }
    plan.created = (0..list.len())
        .filter(|i| !matched.get(*i).copied().unwrap_or(true))
        .collect();
    Ok(plan)
}

/// Whether `entry` is the same factor as the existing `method` (see the module's rules).
pub fn same_method(method: &AuthenticationMethod, entry: &ReplacementMethod) -> bool {
    match (method, entry) {
        (AuthenticationMethod::Email(m), ReplacementMethod::Email(e)) => {
            m.email.as_deref().is_some_and(|have| {
                have.eq_ignore_ascii_case(&e.email)
                    || have == mask_email(&e.email)
                    || have == mask_email(&e.email.to_lowercase())
            })
        }
        (AuthenticationMethod::Phone(m), ReplacementMethod::Phone(e)) => m
            .phone_number
            .as_deref()
            .is_some_and(|have| have == e.phone_number || have == mask_phone(&e.phone_number)),
        (AuthenticationMethod::Totp(_), ReplacementMethod::Totp(_)) => true,
        _ => false,
    }
}
