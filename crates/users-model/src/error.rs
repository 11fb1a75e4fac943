//! The error body the Management API returns.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Metadata;

/// An error response body: `{"statusCode", "error", "message", "errorCode"?}`.
///
/// ```
/// use users_model::ApiErrorBody;
/// let body: ApiErrorBody = serde_json::from_str(
///     r#"{"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}"#,
/// ).unwrap();
/// assert_eq!(body.status_code, 404);
/// assert_eq!(body.error_code.as_deref(), Some("inexistent_user"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiErrorBody {
    /// The HTTP status (wire name `statusCode`).
    #[serde(rename = "statusCode")]
    pub status_code: u16,
    /// The HTTP reason phrase, e.g. `Not Found`.
    pub error: String,
    /// What went wrong, in the server's words.
    pub message: String,
    /// Machine-readable code such as `inexistent_user` (wire name `errorCode`); sometimes absent.
    #[serde(rename = "errorCode", default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Every other field the server sent (e.g. `attributes`).
    #[serde(flatten)]
    pub extra: Metadata,
}

impl fmt::Display for ApiErrorBody {
    /// `404 Not Found: The user does not exist. (inexistent_user)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status_code, self.error, self.message)?;
        match &self.error_code {
            Some(code) => write!(f, " ({code})"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn optional_error_code_and_extra_keys() {
        let body = json!({"statusCode": 409, "error": "Conflict", "message": "The user already exists.", "tenant": "t"});
        let parsed: ApiErrorBody = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(parsed.error_code, None);
        assert_eq!(parsed.to_string(), "409 Conflict: The user already exists.");
        assert_eq!(serde_json::to_value(&parsed).unwrap(), body);
        assert!(
            serde_json::from_value::<ApiErrorBody>(json!({"error": "x", "message": "y"})).is_err()
        );
    }
}
