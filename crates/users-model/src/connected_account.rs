//! Connected accounts: `GET /api/v2/users/{id}/connected-accounts` (the OpenAPI document's
//! `ConnectedAccount` and `ListUserConnectedAccountsResponseContent`).
//!
//! The document closes both schemas and marks six fields required; they are still `Option`
//! here and unknown fields still land in `extra`, so an answer from a newer server is read
//! without loss rather than refused.

use serde::{Deserialize, Serialize};

use crate::Metadata;
use crate::checkpoint::checkpoint_page;

/// An account at an external provider that a user connected for token access.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConnectedAccount {
    /// The connected account's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The connection's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The connection's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The connection's strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// The access type; the document's only value is `offline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_type: Option<String>,
    /// The scopes granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// When it was connected (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it expires (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The organization it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

checkpoint_page! {
    /// One page of connected accounts: `{"connected_accounts": [...], "next": "..."}`, `next`
    /// absent on the last page (recorded: `{"connected_accounts": []}`).
    ConnectedAccountsPage { connected_accounts: ConnectedAccount, "connected accounts" }
}
