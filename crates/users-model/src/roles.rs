//! A user's roles: `GET /users/{id}/roles` items and pages, and the `{roles: [ids]}` body of
//! `POST` / `DELETE /users/{id}/roles`.

use serde::{Deserialize, Serialize};

use crate::Metadata;
use crate::validate::{Violation, ViolationKind, Violations};

/// A role as the Management API returns it (`Role`: `id`, `name`, `description`).
///
/// The schema is closed, but anything else the server sends is still kept in `extra` so a
/// round trip never loses data.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Role {
    /// The role's id, e.g. `rol_NHBmr6NkzbRcHob1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The role's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The role's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A page of a user's roles with `include_totals=true`: `{roles, start, limit, total}` (no
/// `length`, unlike the user list; `go-auth0__TestUserManager_Roles__03`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RolesPage {
    /// The roles of this page.
    pub roles: Vec<Role>,
    /// Index of the first role of this page.
    pub start: u64,
    /// Page size asked for.
    pub limit: u64,
    /// Number of roles the user has.
    pub total: u64,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// The body of `POST` and `DELETE /users/{id}/roles`: the ids of the roles to assign or remove.
///
/// ```
/// use users_model::RoleIds;
/// let body = RoleIds::new(["rol_NHBmr6NkzbRcHob1"]);
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"roles":["rol_NHBmr6NkzbRcHob1"]}"#);
/// assert!(body.validate().is_ok());
/// assert_eq!(RoleIds::new(Vec::<String>::new()).validate().unwrap_err().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RoleIds {
    /// Role ids, at least one, none empty.
    pub roles: Vec<String>,
}

/// The OpenAPI description of `roles` in `AssignUserRolesRequestContent`, quoted in messages.
const ROLES_DESCRIPTION: &str = "List of roles IDs to associated with the user.";

impl RoleIds {
    /// A body naming these roles.
    pub fn new<I, S>(roles: I) -> RoleIds
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        RoleIds {
            roles: roles.into_iter().map(Into::into).collect(),
        }
    }

    /// Every schema rule at once: `minItems: 1` and each id `minLength: 1`.
    ///
    /// # Errors
    /// [`Violations`] with one entry per broken rule (`roles`, `roles[2]`, ...).
    pub fn validate(&self) -> Result<(), Violations> {
        let mut out = Vec::new();
        check_min_items("roles", self.roles.len(), ROLES_DESCRIPTION, &mut out);
        for (i, id) in self.roles.iter().enumerate() {
            if id.is_empty() {
                out.push(Violation::new(
                    format!("roles[{i}]"),
                    ViolationKind::TooShort,
                    format!(
                        "Payload validation error: 'String is too short (0 chars), minimum 1' on property roles[{i}] ({ROLES_DESCRIPTION})."
                    ),
                ));
            }
        }
        Violations::check(out)
    }
}

/// `minItems: 1` on an array body field, in the schema validator's wording
/// (`Array is too short (0), minimum 1`; the array form of the string rule in users-api.md
/// §1.5, **unconfirmed** for these bodies).
pub(crate) fn check_min_items(path: &str, len: usize, description: &str, out: &mut Vec<Violation>) {
    if len == 0 {
        out.push(Violation::new(
            path,
            ViolationKind::TooShort,
            format!(
                "Payload validation error: 'Array is too short (0), minimum 1' on property {path} ({description})."
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn page_round_trip_keeps_unknown_fields() {
        let body = json!({"roles": [{"id": "rol_1", "name": "a", "description": "b", "new": 1}],
            "start": 0, "limit": 50, "total": 1, "next": "x"});
        let page: RolesPage = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(page.roles[0].extra["new"], json!(1));
        assert_eq!(serde_json::to_value(&page).unwrap(), body);
    }

    #[test]
    fn unknown_body_keys_are_refused_when_read() {
        assert!(serde_json::from_value::<RoleIds>(json!({"roles": [], "x": 1})).is_err());
    }

    proptest! {
        /// Every empty id and an empty list are each reported, nothing else is.
        #[test]
        fn every_planted_violation_is_reported(ids in proptest::collection::vec("[a-z_0-9]{0,6}", 0..8)) {
            let body = RoleIds::new(ids.clone());
            let expected = usize::from(ids.is_empty()) + ids.iter().filter(|s| s.is_empty()).count();
            match body.validate() {
                Ok(()) => prop_assert_eq!(expected, 0),
                Err(v) => {
                    prop_assert_eq!(v.len(), expected);
                    for violation in &v {
                        prop_assert!(violation.path.starts_with("roles"));
                        prop_assert_eq!(violation.kind, ViolationKind::TooShort);
                    }
                }
            }
        }
    }
}
