//! The `Auth0-Client` header: base64url (no padding) of `{"name","version","env":{"rust"}}`, the
//! same shape node-auth0 sends (`env.node` there), so tenant logs can tell SDKs apart.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderValue;

/// The name reported in the telemetry header.
pub const CLIENT_NAME: &str = "users-client";

/// The decoded telemetry payload this build sends.
pub(crate) fn payload() -> serde_json::Value {
    serde_json::json!({
        "name": CLIENT_NAME,
        "version": env!("CARGO_PKG_VERSION"),
        "env": { "rust": env!("USERS_CLIENT_RUSTC_VERSION") },
    })
}

pub(crate) fn header_value() -> HeaderValue {
    let encoded = URL_SAFE_NO_PAD.encode(payload().to_string());
    // base64url output is always a valid header value.
    HeaderValue::from_str(&encoded).unwrap_or_else(|_| HeaderValue::from_static("e30"))
}
