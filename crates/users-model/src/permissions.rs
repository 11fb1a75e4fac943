//! A user's permissions: `GET /users/{id}/permissions` items and pages, and the
//! `{permissions: [{resource_server_identifier, permission_name}]}` body of `POST` / `DELETE`.

use serde::{Deserialize, Serialize};

use crate::Metadata;
use crate::roles::check_min_items;
use crate::validate::{Violation, ViolationKind, Violations};

/// One permission of a user (`UserPermissionSchema`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserPermission {
    /// The permission (scope) name, e.g. `create:resource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission_name: Option<String>,
    /// The permission's description on its resource server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The resource server's (API's) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_server_name: Option<String>,
    /// The resource server's identifier (its audience).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_server_identifier: Option<String>,
    /// Where the user gets it from: assigned directly, or through roles. The OpenAPI document
    /// leaves its schema open (`sources: {}`); the recording
    /// `go-auth0__TestUserManager_Permissions__03` shows `[{source_id, source_name, source_type}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<PermissionSource>>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// One reason a user has a permission.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PermissionSource {
    /// The role's id for a role source; empty for a direct assignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The role's name for a role source; empty for a direct assignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// `DIRECT` (recorded) or `ROLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// `source_type` of a permission assigned to the user itself (recorded).
pub const SOURCE_DIRECT: &str = "DIRECT";
/// `source_type` of a permission the user has through a role (**unconfirmed** spelling,
/// the counterpart of `DIRECT`).
pub const SOURCE_ROLE: &str = "ROLE";

/// A page of a user's permissions with `include_totals=true`: `{permissions, start, limit,
/// total}` (`go-auth0__TestUserManager_Permissions__03`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PermissionsPage {
    /// The permissions of this page.
    pub permissions: Vec<UserPermission>,
    /// Index of the first permission of this page.
    pub start: u64,
    /// Page size asked for.
    pub limit: u64,
    /// Number of permissions the user has.
    pub total: u64,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A permission named by its resource server and name (`PermissionRequestPayload`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PermissionRef {
    /// The resource server's identifier (audience), e.g. `https://api.example.com/`.
    pub resource_server_identifier: String,
    /// The permission's name, e.g. `create:resource`.
    pub permission_name: String,
}

impl PermissionRef {
    /// The permission `permission_name` of the resource server `resource_server_identifier`.
    pub fn new(
        resource_server_identifier: impl Into<String>,
        permission_name: impl Into<String>,
    ) -> PermissionRef {
        PermissionRef {
            resource_server_identifier: resource_server_identifier.into(),
            permission_name: permission_name.into(),
        }
    }
}

/// The body of `POST` and `DELETE /users/{id}/permissions`.
///
/// ```
/// use users_model::{PermissionRef, Permissions};
/// let body = Permissions::new([PermissionRef::new("https://api.example.com/", "create:resource")]);
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"permissions":[{"resource_server_identifier":"https://api.example.com/","permission_name":"create:resource"}]}"#
/// );
/// assert!(body.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Permissions {
    /// The permissions, at least one.
    pub permissions: Vec<PermissionRef>,
}

/// The OpenAPI description of `permissions` in `CreateUserPermissionsRequestContent`.
const PERMISSIONS_DESCRIPTION: &str = "List of permissions to add to this user.";

impl Permissions {
    /// A body naming these permissions.
    pub fn new(permissions: impl IntoIterator<Item = PermissionRef>) -> Permissions {
        Permissions {
            permissions: permissions.into_iter().collect(),
        }
    }

    /// Every rule at once: at least one permission (`minItems: 1`), and neither field of any
    /// permission empty (an empty name can never match a permission, so the server's answer
    /// would be a 404; refusing it here is our rule, with our wording).
    ///
    /// # Errors
    /// [`Violations`] with one entry per broken rule (`permissions`,
    /// `permissions[1].permission_name`, ...).
    pub fn validate(&self) -> Result<(), Violations> {
        let mut out = Vec::new();
        check_min_items(
            "permissions",
            self.permissions.len(),
            PERMISSIONS_DESCRIPTION,
            &mut out,
        );
        for (i, p) in self.permissions.iter().enumerate() {
            for (field, value) in [
                ("resource_server_identifier", &p.resource_server_identifier),
                ("permission_name", &p.permission_name),
            ] {
                if value.is_empty() {
                    let path = format!("permissions[{i}].{field}");
                    let message = format!("{path} must not be empty");
                    out.push(Violation::new(path, ViolationKind::TooShort, message));
                }
            }
        }
        Violations::check(out)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn sources_and_unknown_fields_survive_a_round_trip() {
        let body = json!([{"permission_name": "p", "resource_server_identifier": "a",
            "sources": [{"source_id": "", "source_name": "", "source_type": "DIRECT", "x": true}],
            "later": [1]}]);
        let list: Vec<UserPermission> = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(
            list[0].sources.as_ref().unwrap()[0].source_type.as_deref(),
            Some(SOURCE_DIRECT)
        );
        assert_eq!(serde_json::to_value(&list).unwrap(), body);
    }

    proptest! {
        #[test]
        fn every_planted_violation_is_reported(
            refs in proptest::collection::vec(("[a-z:/.]{0,4}", "[a-z:]{0,4}"), 0..6)
        ) {
            let body = Permissions::new(refs.iter().map(|(a, b)| PermissionRef::new(a.clone(), b.clone())));
            let expected = usize::from(refs.is_empty())
                + refs.iter().map(|(a, b)| usize::from(a.is_empty()) + usize::from(b.is_empty())).sum::<usize>();
            let found = body.validate().err().map_or(0, |v| v.len());
            prop_assert_eq!(found, expected);
        }
    }
}
