//! Each Management API operation this project serves, described once as data: method, path
//! template, the scopes that allow it, whether repeating it is safe, its pagination style and
//! its success status.
//!
//! The client builds its requests from these descriptions, the emulator routes and checks scopes
//! with them, and a test walks them against Auth0's OpenAPI document (`fixtures/spec`), so the
//! three cannot drift apart. The request and response types of each operation are named in the
//! documentation of the client method that sends it.
//!
//! ```
//! use users_model::operation::{self, Method};
//!
//! let op = &operation::UNLINK_IDENTITY;
//! assert_eq!(op.method, Method::Delete);
//! assert_eq!(
//!     op.render_path(&["auth0|123", "google-oauth2", "456"]).unwrap(),
//!     "/users/auth0%7C123/identities/google-oauth2/456"
//! );
//!
//! let (found, params) = operation::find("GET", &["users", "auth0|123"]).unwrap();
//! assert_eq!(found.id, "get_users_by_id");
//! assert_eq!(params.get("id"), Some("auth0|123"));
//! ```

use std::fmt;

use crate::ids::encode_component_into;

/// The HTTP method of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an operation may be sent again when an earlier attempt's outcome is unknown (the
/// connection broke after the request may have reached the server).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// Repeating it leaves the same result as sending it once (reads, PUT, PATCH, DELETE, and
    /// POSTs that add to a set, such as assigning roles).
    Idempotent,
    /// Repeating it may act twice (creating a user or an authentication method, linking,
    /// regenerating a recovery code): retried only when the server certainly did not act.
    NonIdempotent,
}

/// How a list operation pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Paging {
    /// Not a list, or one answer holds the whole list.
    None,
    /// `page`, `per_page` and `include_totals`: a bare array, or an object with `start`,
    /// `limit`, `total` and the items.
    Offset,
    /// Checkpoint paging: `from` and `take`, and a `next` cursor while more items follow.
    Checkpoint,
}

/// One Management API operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The OpenAPI document's `operationId`, e.g. `get_user_roles`.
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path below `/api/v2`, with `{name}` for each path parameter.
    pub path: &'static str,
    /// The scopes that allow it: any one of them (the OpenAPI document's `security`).
    pub scopes: &'static [&'static str],
    /// Whether an attempt may be repeated after an unknown outcome.
    pub retry: RetryClass,
    /// How it pages.
    pub paging: Paging,
    /// The status of a successful answer.
    pub success: u16,
}

/// A path argument that cannot be sent as one path segment.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("path parameter `{param}` {reason}")]
#[non_exhaustive]
pub struct PathError {
    /// The parameter's name in the path template.
    pub param: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The path parameters of a matched request, borrowed from its path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathParams<'a> {
    values: [(&'static str, &'a str); MAX_PARAMS],
    len: usize,
}

/// No operation has more path parameters than this.
const MAX_PARAMS: usize = 3;

impl<'a> PathParams<'a> {
    /// The value of parameter `name`, still percent-decoded by the caller's router (as given).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.values
            .iter()
            .take(self.len)
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// The values in the template's order.
    pub fn values(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.values.iter().take(self.len).map(|(_, v)| *v)
    }
}

impl Operation {
    /// The template's segments, without the leading `/`.
    fn segments(&self) -> impl Iterator<Item = &'static str> {
        self.path.trim_start_matches('/').split('/')
    }

    /// The names of the path parameters, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.segments()
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }

    /// The path with each parameter replaced by the matching argument, percent-encoded like
    /// `encodeURIComponent`.
    ///
    /// # Errors
    /// [`PathError`] for a missing or extra argument, an empty one, or `.` / `..` (which a server
    /// would not keep as one segment).
    pub fn render_path(&self, args: &[&str]) -> Result<String, PathError> {
        let mut out = String::with_capacity(
            self.path.len() + args.iter().map(|a| a.len() + 8).sum::<usize>(),
        );
        let mut args = args.iter();
        for segment in self.segments() {
            out.push('/');
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => {
                    let value = args.next().ok_or(PathError {
                        param,
                        reason: "is missing",
                    })?;
                    push_segment(param, value, &mut out)?;
                }
                None => out.push_str(segment),
            }
        }
        match args.next() {
            Some(_) => Err(PathError {
                param: "(extra)",
                reason: "was given but the path has no place for it",
            }),
            None => Ok(out),
        }
    }

    /// Whether a request's method and (decoded) path segments below `/api/v2` are this
    /// operation; the path parameters when they are.
    pub fn match_request<'a>(&self, method: &str, segments: &[&'a str]) -> Option<PathParams<'a>> {
        if method != self.method.as_str() {
            return None;
        }
        let mut params = PathParams::default();
        let mut given = segments.iter();
        for template in self.segments() {
            let segment = given.next()?;
            match template.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let slot = params.values.get_mut(params.len)?;
                    *slot = (name, segment);
                    params.len += 1;
                }
                None if template == *segment => {}
                None => return None,
            }
        }
        given.next().is_none().then_some(params)
    }
}

/// Appends `value` as one encoded path segment.
fn push_segment(param: &'static str, value: &str, out: &mut String) -> Result<(), PathError> {
    let reason = match value {
        "" => "must not be empty",
        "." | ".." => "must not be `.` or `..`",
        _ => {
            encode_component_into(value, out);
            return Ok(());
        }
    };
    Err(PathError { param, reason })
}

/// The operation a request is, with its path parameters: `method` as on the wire, `segments`
/// the decoded path segments below `/api/v2`.
pub fn find<'a>(
    method: &str,
    segments: &[&'a str],
) -> Option<(&'static Operation, PathParams<'a>)> {
    all().find_map(|op| op.match_request(method, segments).map(|p| (op, p)))
}

/// Whether any operation has this path (with another method): the server answers 404 for an
/// unknown path either way, but a router may want to tell the two apart.
pub fn path_exists(segments: &[&str]) -> bool {
    all().any(|op| {
        [
            Method::Get,
            Method::Post,
            Method::Put,
            Method::Patch,
            Method::Delete,
        ]
        .iter()
        .any(|m| op.match_request(m.as_str(), segments).is_some())
    })
}

/// List or Search Users: `GET /users`.
pub const LIST_USERS: Operation = Operation {
    id: "get_users",
    method: Method::Get,
    path: "/users",
    scopes: &["read:users", "read:user_idp_tokens"],
    retry: RetryClass::Idempotent,
    paging: Paging::Offset,
    success: 200,
};

/// Create a User: `POST /users`.
pub const CREATE_USER: Operation = Operation {
    id: "post_users",
    method: Method::Post,
    path: "/users",
    scopes: &["create:users"],
    retry: RetryClass::NonIdempotent,
    paging: Paging::None,
    success: 201,
};

/// Get a User: `GET /users/{id}`.
pub const GET_USER: Operation = Operation {
    id: "get_users_by_id",
    method: Method::Get,
    path: "/users/{id}",
    scopes: &["read:users", "read:current_user", "read:user_idp_tokens"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Update a User: `PATCH /users/{id}`.
pub const UPDATE_USER: Operation = Operation {
    id: "patch_users_by_id",
    method: Method::Patch,
    path: "/users/{id}",
    scopes: &[
        "update:users",
        "update:users_app_metadata",
        "update:current_user_metadata",
    ],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Delete a User: `DELETE /users/{id}`.
pub const DELETE_USER: Operation = Operation {
    id: "delete_users_by_id",
    method: Method::Delete,
    path: "/users/{id}",
    scopes: &["delete:users", "delete:current_user"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Link a User Account: `POST /users/{id}/identities`.
pub const LINK_IDENTITY: Operation = Operation {
    id: "post_identities",
    method: Method::Post,
    path: "/users/{id}/identities",
    scopes: &["update:users", "update:current_user_identities"],
    retry: RetryClass::NonIdempotent,
    paging: Paging::None,
    success: 201,
};

/// Unlink a User Identity: `DELETE /users/{id}/identities/{provider}/{user_id}`.
pub const UNLINK_IDENTITY: Operation = Operation {
    id: "delete_user_identity_by_user_id",
    method: Method::Delete,
    path: "/users/{id}/identities/{provider}/{user_id}",
    scopes: &["update:users", "update:current_user_identities"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Search Users by Email: `GET /users-by-email`.
pub const LIST_USERS_BY_EMAIL: Operation = Operation {
    id: "get_users-by-email",
    method: Method::Get,
    path: "/users-by-email",
    scopes: &["read:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Get blocks by identifier: `GET /user-blocks`.
pub const LIST_BLOCKS_BY_IDENTIFIER: Operation = Operation {
    id: "get_user-blocks",
    method: Method::Get,
    path: "/user-blocks",
    scopes: &["read:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Unblock by identifier: `DELETE /user-blocks`.
pub const DELETE_BLOCKS_BY_IDENTIFIER: Operation = Operation {
    id: "delete_user-blocks",
    method: Method::Delete,
    path: "/user-blocks",
    scopes: &["update:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Get a user's blocks: `GET /user-blocks/{id}`.
pub const GET_USER_BLOCKS: Operation = Operation {
    id: "get_user-blocks_by_id",
    method: Method::Get,
    path: "/user-blocks/{id}",
    scopes: &["read:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Unblock a user: `DELETE /user-blocks/{id}`.
pub const DELETE_USER_BLOCKS: Operation = Operation {
    id: "delete_user-blocks_by_id",
    method: Method::Delete,
    path: "/user-blocks/{id}",
    scopes: &["update:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Get a user's roles: `GET /users/{id}/roles`.
pub const LIST_USER_ROLES: Operation = Operation {
    id: "get_user_roles",
    method: Method::Get,
    path: "/users/{id}/roles",
    scopes: &["read:users", "read:roles", "read:role_members"],
    retry: RetryClass::Idempotent,
    paging: Paging::Offset,
    success: 200,
};

/// Assign roles to a user: `POST /users/{id}/roles`.
pub const ASSIGN_USER_ROLES: Operation = Operation {
    id: "post_user_roles",
    method: Method::Post,
    path: "/users/{id}/roles",
    scopes: &["update:users", "create:role_members"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Removes roles from a user: `DELETE /users/{id}/roles`.
pub const REMOVE_USER_ROLES: Operation = Operation {
    id: "delete_user_roles",
    method: Method::Delete,
    path: "/users/{id}/roles",
    scopes: &["update:users", "delete:role_members"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Get a User's Permissions: `GET /users/{id}/permissions`.
pub const LIST_USER_PERMISSIONS: Operation = Operation {
    id: "get_permissions",
    method: Method::Get,
    path: "/users/{id}/permissions",
    scopes: &["read:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::Offset,
    success: 200,
};

/// Assign Permissions to a User: `POST /users/{id}/permissions`.
pub const ASSIGN_USER_PERMISSIONS: Operation = Operation {
    id: "post_permissions",
    method: Method::Post,
    path: "/users/{id}/permissions",
    scopes: &["update:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 201,
};

/// Remove Permissions from a User: `DELETE /users/{id}/permissions`.
pub const REMOVE_USER_PERMISSIONS: Operation = Operation {
    id: "delete_permissions",
    method: Method::Delete,
    path: "/users/{id}/permissions",
    scopes: &["update:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// List user's organizations: `GET /users/{id}/organizations`.
pub const LIST_USER_ORGANIZATIONS: Operation = Operation {
    id: "get_user_organizations",
    method: Method::Get,
    path: "/users/{id}/organizations",
    scopes: &["read:organizations"],
    retry: RetryClass::Idempotent,
    paging: Paging::Offset,
    success: 200,
};

/// Get user's log events: `GET /users/{id}/logs`.
pub const LIST_USER_LOGS: Operation = Operation {
    id: "get_logs_by_user",
    method: Method::Get,
    path: "/users/{id}/logs",
    scopes: &["read:logs", "read:logs_users"],
    retry: RetryClass::Idempotent,
    paging: Paging::Offset,
    success: 200,
};

/// Get a list of authentication methods: `GET /users/{id}/authentication-methods`.
pub const LIST_AUTHENTICATION_METHODS: Operation = Operation {
    id: "get_authentication-methods",
    method: Method::Get,
    path: "/users/{id}/authentication-methods",
    scopes: &["read:authentication_methods"],
    retry: RetryClass::Idempotent,
    paging: Paging::Offset,
    success: 200,
};

/// Get an authentication method by ID: `GET /users/{id}/authentication-methods/{authentication_method_id}`.
pub const GET_AUTHENTICATION_METHOD: Operation = Operation {
    id: "get_authentication-methods_by_authentication_method_id",
    method: Method::Get,
    path: "/users/{id}/authentication-methods/{authentication_method_id}",
    scopes: &["read:authentication_methods"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Creates an authentication method for a given user: `POST /users/{id}/authentication-methods`.
pub const CREATE_AUTHENTICATION_METHOD: Operation = Operation {
    id: "post_authentication-methods",
    method: Method::Post,
    path: "/users/{id}/authentication-methods",
    scopes: &["create:authentication_methods"],
    retry: RetryClass::NonIdempotent,
    paging: Paging::None,
    success: 201,
};

/// Update all authentication methods by replacing them with the given ones: `PUT /users/{id}/authentication-methods`.
pub const REPLACE_AUTHENTICATION_METHODS: Operation = Operation {
    id: "put_authentication-methods",
    method: Method::Put,
    path: "/users/{id}/authentication-methods",
    scopes: &["update:authentication_methods"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Update an authentication method: `PATCH /users/{id}/authentication-methods/{authentication_method_id}`.
pub const UPDATE_AUTHENTICATION_METHOD: Operation = Operation {
    id: "patch_authentication-methods_by_authentication_method_id",
    method: Method::Patch,
    path: "/users/{id}/authentication-methods/{authentication_method_id}",
    scopes: &["update:authentication_methods"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Delete all authentication methods for the given user: `DELETE /users/{id}/authentication-methods`.
pub const DELETE_AUTHENTICATION_METHODS: Operation = Operation {
    id: "delete_authentication-methods",
    method: Method::Delete,
    path: "/users/{id}/authentication-methods",
    scopes: &["delete:authentication_methods"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Delete an authentication method by ID: `DELETE /users/{id}/authentication-methods/{authentication_method_id}`.
pub const DELETE_AUTHENTICATION_METHOD: Operation = Operation {
    id: "delete_authentication-methods_by_authentication_method_id",
    method: Method::Delete,
    path: "/users/{id}/authentication-methods/{authentication_method_id}",
    scopes: &["delete:authentication_methods"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Get the First Confirmed Multi-factor Authentication (MFA) Enrollment: `GET /users/{id}/enrollments`.
pub const LIST_ENROLLMENTS: Operation = Operation {
    id: "get_enrollments",
    method: Method::Get,
    path: "/users/{id}/enrollments",
    scopes: &["read:users", "read:current_user"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Delete All Authenticators: `DELETE /users/{id}/authenticators`.
pub const DELETE_AUTHENTICATORS: Operation = Operation {
    id: "delete_authenticators",
    method: Method::Delete,
    path: "/users/{id}/authenticators",
    scopes: &["delete:guardian_enrollments"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Delete a User's Multi-factor Provider: `DELETE /users/{id}/multifactor/{provider}`.
pub const DELETE_MULTIFACTOR_PROVIDER: Operation = Operation {
    id: "delete_multifactor_by_provider",
    method: Method::Delete,
    path: "/users/{id}/multifactor/{provider}",
    scopes: &["update:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Invalidate All Remembered Browsers for Multi-factor Authentication (MFA): `POST /users/{id}/multifactor/actions/invalidate-remember-browser`.
pub const INVALIDATE_REMEMBER_BROWSER: Operation = Operation {
    id: "post_invalidate-remember-browser",
    method: Method::Post,
    path: "/users/{id}/multifactor/actions/invalidate-remember-browser",
    scopes: &["update:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Generate New Multi-factor Authentication (MFA) Recovery Code: `POST /users/{id}/recovery-code-regeneration`.
pub const REGENERATE_RECOVERY_CODE: Operation = Operation {
    id: "post_recovery-code-regeneration",
    method: Method::Post,
    path: "/users/{id}/recovery-code-regeneration",
    scopes: &["update:users"],
    retry: RetryClass::NonIdempotent,
    paging: Paging::None,
    success: 200,
};

/// Get sessions for user: `GET /users/{user_id}/sessions`.
pub const LIST_USER_SESSIONS: Operation = Operation {
    id: "get_sessions_for_user",
    method: Method::Get,
    path: "/users/{user_id}/sessions",
    scopes: &["read:sessions"],
    retry: RetryClass::Idempotent,
    paging: Paging::Checkpoint,
    success: 200,
};

/// Delete sessions for user: `DELETE /users/{user_id}/sessions`.
pub const DELETE_USER_SESSIONS: Operation = Operation {
    id: "delete_sessions_for_user",
    method: Method::Delete,
    path: "/users/{user_id}/sessions",
    scopes: &["delete:sessions"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 202,
};

/// Get refresh tokens for a user: `GET /users/{user_id}/refresh-tokens`.
pub const LIST_USER_REFRESH_TOKENS: Operation = Operation {
    id: "get_refresh_tokens_for_user",
    method: Method::Get,
    path: "/users/{user_id}/refresh-tokens",
    scopes: &["read:refresh_tokens"],
    retry: RetryClass::Idempotent,
    paging: Paging::Checkpoint,
    success: 200,
};

/// Delete refresh tokens for a user: `DELETE /users/{user_id}/refresh-tokens`.
pub const DELETE_USER_REFRESH_TOKENS: Operation = Operation {
    id: "delete_refresh_tokens_for_user",
    method: Method::Delete,
    path: "/users/{user_id}/refresh-tokens",
    scopes: &["delete:refresh_tokens"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 202,
};

/// Get tokensets for a user: `GET /users/{id}/federated-connections-tokensets`.
pub const LIST_FEDERATED_TOKENSETS: Operation = Operation {
    id: "get_federated-connections-tokensets",
    method: Method::Get,
    path: "/users/{id}/federated-connections-tokensets",
    scopes: &["read:federated_connections_tokens"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 200,
};

/// Deletes a tokenset for federated connections by id.: `DELETE /users/{id}/federated-connections-tokensets/{tokenset_id}`.
pub const DELETE_FEDERATED_TOKENSET: Operation = Operation {
    id: "delete_federated-connections-tokensets_by_tokenset_id",
    method: Method::Delete,
    path: "/users/{id}/federated-connections-tokensets/{tokenset_id}",
    scopes: &["delete:federated_connections_tokens"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// Get a User's Connected Accounts: `GET /users/{id}/connected-accounts`.
pub const LIST_CONNECTED_ACCOUNTS: Operation = Operation {
    id: "get_connected-accounts",
    method: Method::Get,
    path: "/users/{id}/connected-accounts",
    scopes: &["read:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::Checkpoint,
    success: 200,
};

/// Clear risk assessment assessors for a specific user: `POST /users/{id}/risk-assessments/clear`.
pub const CLEAR_RISK_ASSESSORS: Operation = Operation {
    id: "post_clear_assessors",
    method: Method::Post,
    path: "/users/{id}/risk-assessments/clear",
    scopes: &["update:users"],
    retry: RetryClass::Idempotent,
    paging: Paging::None,
    success: 204,
};

/// `/users`, `/users-by-email` and `/users/{id}/identities`.
pub const USERS: &[&Operation] = &[
    &LIST_USERS,
    &CREATE_USER,
    &GET_USER,
    &UPDATE_USER,
    &DELETE_USER,
    &LINK_IDENTITY,
    &UNLINK_IDENTITY,
    &LIST_USERS_BY_EMAIL,
];

/// `/user-blocks`.
pub const USER_BLOCKS: &[&Operation] = &[
    &LIST_BLOCKS_BY_IDENTIFIER,
    &DELETE_BLOCKS_BY_IDENTIFIER,
    &GET_USER_BLOCKS,
    &DELETE_USER_BLOCKS,
];

/// A user's roles, permissions, organizations and logs.
pub const ROLES_PERMISSIONS_ORGANIZATIONS_LOGS: &[&Operation] = &[
    &LIST_USER_ROLES,
    &ASSIGN_USER_ROLES,
    &REMOVE_USER_ROLES,
    &LIST_USER_PERMISSIONS,
    &ASSIGN_USER_PERMISSIONS,
    &REMOVE_USER_PERMISSIONS,
    &LIST_USER_ORGANIZATIONS,
    &LIST_USER_LOGS,
];

/// A user's authentication methods and MFA.
pub const AUTHENTICATION_METHODS_AND_MFA: &[&Operation] = &[
    &LIST_AUTHENTICATION_METHODS,
    &GET_AUTHENTICATION_METHOD,
    &CREATE_AUTHENTICATION_METHOD,
    &REPLACE_AUTHENTICATION_METHODS,
    &UPDATE_AUTHENTICATION_METHOD,
    &DELETE_AUTHENTICATION_METHODS,
    &DELETE_AUTHENTICATION_METHOD,
    &LIST_ENROLLMENTS,
    &DELETE_AUTHENTICATORS,
    &DELETE_MULTIFACTOR_PROVIDER,
    &INVALIDATE_REMEMBER_BROWSER,
    &REGENERATE_RECOVERY_CODE,
];

/// A user's sessions, refresh tokens, federated token sets, connected accounts and risk
/// assessors.
pub const SESSIONS_AND_TOKENS: &[&Operation] = &[
    &LIST_USER_SESSIONS,
    &DELETE_USER_SESSIONS,
    &LIST_USER_REFRESH_TOKENS,
    &DELETE_USER_REFRESH_TOKENS,
    &LIST_FEDERATED_TOKENSETS,
    &DELETE_FEDERATED_TOKENSET,
    &LIST_CONNECTED_ACCOUNTS,
    &CLEAR_RISK_ASSESSORS,
];

/// The groups of operations this project serves (client and emulator).
pub const GROUPS: &[&[&Operation]] = &[
    USERS,
    USER_BLOCKS,
    ROLES_PERMISSIONS_ORGANIZATIONS_LOGS,
    AUTHENTICATION_METHODS_AND_MFA,
    SESSIONS_AND_TOKENS,
];

/// Every operation this project serves.
pub fn all() -> impl Iterator<Item = &'static Operation> {
    GROUPS.iter().flat_map(|group| group.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parameter_fits_and_ids_are_unique() {
        let mut ids = std::collections::HashSet::new();
        for op in all() {
            assert!(ids.insert(op.id), "{} twice", op.id);
            assert!(op.path_params().count() <= MAX_PARAMS, "{}", op.id);
            assert!(!op.scopes.is_empty(), "{}", op.id);
        }
    }

    #[test]
    fn each_path_matches_only_its_own_operation() {
        for op in all() {
            let args: Vec<String> = op.path_params().map(|p| format!("x{p}")).collect();
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let path = op.render_path(&refs).expect("renders");
            let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            let (found, params) = find(op.method.as_str(), &segments).expect("found");
            assert_eq!(found.id, op.id);
            assert_eq!(params.values().collect::<Vec<_>>(), refs);
        }
    }

    #[test]
    fn bad_arguments_are_refused_before_the_network() {
        let op = &UNLINK_IDENTITY;
        assert_eq!(
            op.render_path(&["auth0|1", "auth0", "2"]).unwrap(),
            "/users/auth0%7C1/identities/auth0/2"
        );
        assert_eq!(
            op.render_path(&["a", "", "2"]).unwrap_err().param,
            "provider"
        );
        assert_eq!(
            op.render_path(&["a", "..", "2"]).unwrap_err().param,
            "provider"
        );
        assert_eq!(
            op.render_path(&["a", "b"]).unwrap_err().reason,
            "is missing"
        );
        assert!(op.render_path(&["a", "b", "c", "d"]).is_err());
        assert!(find("GET", &["users", "a", "nope"]).is_none());
        assert!(find("PUT", &["users", "a"]).is_none());
        assert!(path_exists(&["users", "a"]));
    }
}
