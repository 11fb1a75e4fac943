//! A user's sessions: `GET /api/v2/users/{user_id}/sessions` (the OpenAPI document's
//! `SessionResponseContent` and `ListUserSessionsPaginatedResponseContent`).
//!
//! Every schema here is open (`additionalProperties: true`), so each struct keeps the fields it
//! does not know in `extra`.

use serde::{Deserialize, Serialize};

use crate::checkpoint::checkpoint_page;
use crate::{ApiDate, Metadata, Nullable};

/// One session of a user in the Auth0 session layer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Session {
    /// The session id (the `sid` claim of ID tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user the session belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// When the session was created.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub created_at: Nullable<ApiDate>,
    /// When the session was last updated.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub updated_at: Nullable<ApiDate>,
    /// When the user last authenticated in it.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub authenticated_at: Nullable<ApiDate>,
    /// When it expires unless used before.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub idle_expires_at: Nullable<ApiDate>,
    /// When it expires at the latest.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub expires_at: Nullable<ApiDate>,
    /// When the user last interacted with it.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub last_interacted_at: Nullable<ApiDate>,
    /// The device (user agent, IP, ASN) it was used from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<SessionDevice>,
    /// The applications that used it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<SessionClient>>,
    /// How the user authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<SessionAuthentication>,
    /// The session cookie's configuration (`{"mode": "persistent" | "non-persistent"}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie: Option<Metadata>,
    /// Up to 25 string properties attached to the session.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub session_metadata: Nullable<Metadata>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// The device a session was used from (`SessionDeviceMetadata`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SessionDevice {
    /// The first user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_user_agent: Option<String>,
    /// The first IP address.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub initial_ip: Nullable<String>,
    /// The first autonomous system number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_asn: Option<String>,
    /// The last user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_user_agent: Option<String>,
    /// The last IP address.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub last_ip: Nullable<String>,
    /// The last autonomous system number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_asn: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// An application that used a session (`SessionClientMetadata`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SessionClient {
    /// The application's client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// How the user authenticated in a session (`SessionAuthenticationSignals`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SessionAuthentication {
    /// The methods completed, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<AuthenticationSignal>>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// One authentication method completed in a session (`SessionAuthenticationSignal`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AuthenticationSignal {
    /// `federated`, `passkey`, `pwd`, `sms`, `email`, `mfa`, `mock`, or a URL for a custom
    /// method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it was completed.
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    pub timestamp: Nullable<ApiDate>,
    /// The MFA factor, only with `name` `mfa`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub factor: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

checkpoint_page! {
    /// One page of a user's sessions: `{"sessions": [...], "next": "..."}`, `next` absent on the
    /// last page (`total` too with `include_totals=true`).
    SessionsPage { sessions: Session, "sessions", total }
}
