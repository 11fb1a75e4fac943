//! Bearer-token authentication and per-operation scope checks for the Management API.

use http::header;

use crate::reply::ApiError;
use crate::request::ApiRequest;
use crate::tokens::{AccessClaims, TokenError, verify};

/// The authenticated caller of a Management API request.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub claims: AccessClaims,
}

/// How an operation was allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// By an administrative scope (`read:users`, `update:users`, ...).
    Full,
    /// By a narrower scope (`update:users_app_metadata`) limited to some fields.
    Partial,
    /// By a current-user scope, on the caller's own user.
    Own,
}

/// The scopes an operation accepts.
pub(crate) struct Scopes<'a> {
    /// Administrative scopes.
    pub full: &'a [&'a str],
    /// Scopes that allow only part of the operation (PATCH app_metadata).
    pub partial: &'a [&'a str],
    /// Current-user scopes: only on the caller's own user.
    pub own: &'a [&'a str],
    /// The 403 text when none is held.
    pub denied: &'a str,
}

impl Caller {
    pub(crate) fn has(&self, scope: &str) -> bool {
        self.claims.scopes().any(|s| s == scope)
    }

    fn has_any(&self, scopes: &[&str]) -> bool {
        scopes.iter().any(|s| self.has(s))
    }

    /// Checks the caller may perform an operation on `target` (a user id) with `scopes`.
    pub(crate) fn authorize(
        &self,
        scopes: &Scopes<'_>,
        target: Option<&str>,
    ) -> Result<Access, ApiError> {
        if self.has_any(scopes.full) {
            return Ok(Access::Full);
        }
        if self.has_any(scopes.partial) {
            return Ok(Access::Partial);
        }
        if !self.claims.is_client_token() && self.has_any(scopes.own) {
            return match target {
                Some(id) if id == self.claims.sub => Ok(Access::Own),
                _ => Err(ApiError::forbidden(
                    "User to be acted on does not match subject in bearer token.",
                    None,
                )),
            };
        }
        Err(ApiError::forbidden(
            scopes.denied,
            Some("insufficient_scope"),
        ))
    }
}

/// The Management API audience for an issuer (`https://{domain}/api/v2/`).
pub(crate) fn management_audience(issuer: &str) -> String {
    format!("{issuer}api/v2/")
}

/// Checks the bearer token of `request` (signature, expiry, issuer, audience).
pub(crate) fn authenticate(
    request: &ApiRequest,
    issuer: &str,
    now_secs: i64,
) -> Result<Caller, ApiError> {
    let value = request
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("Missing authentication"))?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("Bad HTTP authentication header format"))?;
    let token = text
        .strip_prefix("Bearer ")
        .or_else(|| text.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("Bad HTTP authentication header format"))?;
    let claims: AccessClaims = verify(token, now_secs).map_err(|e| match e {
        TokenError::BadSignature => {
            ApiError::unauthorized("Invalid signature received for JSON Web Token validation.")
        }
        TokenError::Expired => {
            ApiError::unauthorized("Expired token received for JSON Web Token validation.")
        }
        TokenError::Malformed | TokenError::WrongAlgorithm => {
            ApiError::unauthorized("Invalid token.")
        }
    })?;
    if claims.iss != issuer {
        return Err(ApiError::unauthorized("Invalid token."));
    }
    let audience = management_audience(issuer);
    if !claims.has_audience(&audience) {
        return Err(ApiError::unauthorized(format!(
            "Bad audience: {}",
            claims.aud
        )));
    }
    Ok(Caller { claims })
}
