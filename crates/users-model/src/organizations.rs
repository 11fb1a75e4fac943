//! A user's organizations: `GET /users/{id}/organizations` items and pages.

use serde::{Deserialize, Serialize};

use crate::Metadata;

/// An organization (`Organization`, an open schema: unknown fields are kept in `extra`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Organization {
    /// The organization's id, e.g. `org_VvIJTfJhf3NwyCie`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its unique name (1-50 characters, lower-case letters, digits, `-` and `_`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its friendly name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Login page branding: `logo_url`, `colors` (kept as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding: Option<Metadata>,
    /// String metadata (at most 25 properties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Every other field the server sent (e.g. `token_quota`).
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A page of a user's organizations with `include_totals=true`: `{organizations, start, limit,
/// total}` (`go-auth0__TestUserManager_Organizations__03`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrganizationsPage {
    /// The organizations of this page.
    pub organizations: Vec<Organization>,
    /// Index of the first organization of this page.
    pub start: u64,
    /// Page size asked for.
    pub limit: u64,
    /// Number of organizations the user belongs to.
    pub total: u64,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn round_trip_keeps_branding_and_unknown_fields() {
        let body = json!({"organizations": [{"branding": {"logo_url": "https://example.com/logo.gif"},
            "id": "org_1", "display_name": "T", "name": "t", "token_quota": {"x": 1}}],
            "start": 0, "limit": 50, "total": 1});
        let page: OrganizationsPage = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(page.organizations[0].extra["token_quota"], json!({"x": 1}));
        assert_eq!(serde_json::to_value(&page).unwrap(), body);
    }
}
