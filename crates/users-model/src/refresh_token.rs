//! A user's refresh tokens: `GET /api/v2/users/{user_id}/refresh-tokens` (the OpenAPI
//! document's `RefreshTokenResponseContent` and `ListRefreshTokensPaginatedResponseContent`).
//!
//! These describe a token; the token itself (the secret exchanged at `/oauth/token`) is never
//! part of them. Every schema here is open, so each struct keeps unknown fields in `extra`.

use serde::{Deserialize, Serialize};

use crate::checkpoint::checkpoint_page;
use crate::{ApiDate, Metadata, Nullable};

/// One refresh token of a user, as the recorded list shows it: `id`, `user_id`, `created_at`,
/// `idle_expires_at`, `expires_at`, `client_id`, `session_id`, `rotating`, `resource_servers`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RefreshToken {
    /// The token's id (not the token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user it was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// When it was issued.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub created_at: Nullable<ApiDate>,
    /// When it expires unless exchanged before; `null` when it has no idle lifetime.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub idle_expires_at: Nullable<ApiDate>,
    /// When it expires at the latest; `null` when it never does.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub expires_at: Nullable<ApiDate>,
    /// The device it was issued to and last exchanged from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<RefreshTokenDevice>,
    /// The application it was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The session it was issued in; `null` when it is not bound to one.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub session_id: Nullable<String>,
    /// Whether exchanging it also replaces it (rotation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotating: Option<bool>,
    /// The APIs it grants access to, with their scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_servers: Option<Vec<RefreshTokenResourceServer>>,
    /// Up to 25 string properties attached to the token.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub refresh_token_metadata: Nullable<Metadata>,
    /// When it was last exchanged.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub last_exchanged_at: Nullable<ApiDate>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// The device a refresh token was issued to (`RefreshTokenDevice`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RefreshTokenDevice {
    /// The first IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_ip: Option<String>,
    /// The first autonomous system number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_asn: Option<String>,
    /// The first user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_user_agent: Option<String>,
    /// The last IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ip: Option<String>,
    /// The last autonomous system number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_asn: Option<String>,
    /// The last user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_user_agent: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// An API a refresh token grants access to (`RefreshTokenResourceServer`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RefreshTokenResourceServer {
    /// The API's identifier (its audience).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The granted scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

checkpoint_page! {
    /// One page of a user's refresh tokens: `{"tokens": [...], "next": "..."}`, `next` absent on
    /// the last page (`total` too with `include_totals=true`, as recorded).
    RefreshTokensPage { tokens: RefreshToken, "refresh tokens", total }
}
