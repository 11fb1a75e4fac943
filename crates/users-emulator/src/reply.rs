//! Responses: JSON bodies, the Management API error envelope and the Authentication API one.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::{Value, json};

/// A Management API error: `{statusCode, error, message, errorCode?}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub message: String,
    pub error_code: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: u16, message: impl Into<String>, code: Option<&str>) -> Self {
        Self {
            status,
            message: message.into(),
            error_code: code.map(str::to_owned),
        }
    }

    /// A 400 the identity provider (the database) raised.
    pub(crate) fn bad_request_idp(message: impl Into<String>) -> Self {
        Self::new(400, message, Some("auth0_idp_error"))
    }

    pub(crate) fn invalid_body(message: impl Into<String>) -> Self {
        Self::new(400, message, Some("invalid_body"))
    }

    pub(crate) fn invalid_uri(message: impl Into<String>) -> Self {
        Self::new(400, message, Some("invalid_uri"))
    }

    pub(crate) fn invalid_query(message: impl Into<String>) -> Self {
        Self::new(400, message, Some("invalid_query_string"))
    }

    pub(crate) fn user_not_found() -> Self {
        Self::new(404, "The user does not exist.", Some("inexistent_user"))
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, message, None)
    }

    pub(crate) fn forbidden(message: impl Into<String>, code: Option<&str>) -> Self {
        Self::new(403, message, code)
    }

    pub(crate) fn not_found_path() -> Self {
        Self::new(404, "Not Found", None)
    }

    pub(crate) fn body(&self) -> Value {
        let mut body = json!({
            "statusCode": self.status,
            "error": reason(self.status),
            "message": self.message,
        });
        if let (Some(code), Some(map)) = (&self.error_code, body.as_object_mut()) {
            map.insert("errorCode".into(), Value::String(code.clone()));
        }
        body
    }

    pub(crate) fn into_response(self) -> Response<Bytes> {
        json_response(self.status, &self.body())
    }
}

/// The HTTP reason phrase Auth0 puts in `error`.
pub(crate) fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A response with a JSON body, `content-type: application/json; charset=utf-8` as Auth0 sends.
pub(crate) fn json_response(status: u16, body: &Value) -> Response<Bytes> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    bytes_response(
        status,
        "application/json; charset=utf-8",
        Bytes::from(bytes),
    )
}

/// A response with the given body and content type.
pub(crate) fn bytes_response(status: u16, content_type: &str, body: Bytes) -> Response<Bytes> {
    let mut response = Response::new(body);
    *response.status_mut() = status_code(status);
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// An empty response (204).
pub(crate) fn empty_response(status: u16) -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = status_code(status);
    response
}

/// An Authentication API error: `{error, error_description}`.
pub(crate) fn auth_error(status: u16, error: &str, description: &str) -> Response<Bytes> {
    json_response(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_has_the_auth0_shape() {
        let body = ApiError::user_not_found().body();
        assert_eq!(
            body,
            json!({"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"})
        );
        let no_code = ApiError::unauthorized("Invalid token.").body();
        assert!(no_code.get("errorCode").is_none());
        assert_eq!(no_code["error"], "Unauthorized");
    }
}
