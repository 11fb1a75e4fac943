//! Brute-force blocks: `GET /api/v2/user-blocks/{id}` and `GET /api/v2/user-blocks?identifier=`.

use serde::{Deserialize, Serialize};

use crate::Metadata;

/// The blocks on a user or identifier: `{"blocked_for": [...]}`.
///
/// Unlike the user object, the schema closes this one (`additionalProperties: false`), so it
/// has no `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserBlocks {
    /// Identifier and IP pairs that are blocked.
    pub blocked_for: Vec<BlockedFor>,
}

/// One block: an identifier (email, username or phone number) and, usually, the IP address.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlockedFor {
    /// The blocked email, username or phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// The blocked IP address (may be absent, e.g. in account lockout mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The connection the block applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn round_trip_keeps_unknown_block_fields() {
        let body = json!({"blocked_for": [{"identifier": "a@example.com", "ip": "10.0.0.1", "since": 1}, {}]});
        let blocks: UserBlocks = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(blocks.blocked_for.len(), 2);
        assert_eq!(serde_json::to_value(&blocks).unwrap(), body);
    }
}
