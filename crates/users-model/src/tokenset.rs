//! Federated connection token sets: `GET /api/v2/users/{id}/federated-connections-tokensets`
//! answers a bare array of these (the OpenAPI document's `FederatedConnectionTokenSet`, an open
//! schema). A token set describes tokens an identity provider issued; the tokens themselves are
//! not part of it.

use serde::{Deserialize, Serialize};

use crate::{Metadata, Nullable};

/// The tokens a federated connection holds for a user, without the tokens.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FederatedTokenSet {
    /// The token set's id (at most 36 characters in the delete path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The connection's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The scopes granted, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// When the tokens expire; `null` when they do not.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub expires_at: Nullable<String>,
    /// When they were issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    /// When they were last used; `null` when never.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub last_used_at: Nullable<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}
