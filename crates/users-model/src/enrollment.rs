//! Guardian MFA enrollments, recovery codes and the legacy multi-factor providers of a user
//! (`/users/{id}/enrollments`, `/recovery-code-regeneration`, `/multifactor/{provider}`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Metadata;

/// One MFA enrollment (`UsersEnrollment`); every field is optional and unknown ones are kept.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Enrollment {
    /// The enrollment's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `pending` or `confirmed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Type of enrollment.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name (usually the phone number), at most 20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Device identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Phone number of an SMS enrollment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// `authenticator`, `guardian`, `sms`, `webauthn-platform` or `webauthn-roaming`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_method: Option<String>,
    /// Enrollment time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolled_at: Option<String>,
    /// Last authentication time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_auth: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// An MFA recovery code. `Debug` and `Display` never show it; read it with
/// [`RecoveryCode::expose`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    /// Wraps a code.
    pub fn new(code: impl Into<String>) -> RecoveryCode {
        RecoveryCode(code.into())
    }

    /// The code itself: hand it to the user, never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it has the shape the server generates: 24 upper-case letters and digits
    /// (`go-auth0__TestUserManager_RegenerateRecoveryCode__01`).
    pub fn is_well_formed(&self) -> bool {
        self.0.len() == 24
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(***)")
    }
}

impl fmt::Display for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(***)")
    }
}

/// The answer of `POST /users/{id}/recovery-code-regeneration`: `{"recovery_code": "…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecoveryCodeRegeneration {
    /// The new code; the previous one no longer works.
    pub recovery_code: RecoveryCode,
    /// Every other field the server sent (the schema is open).
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A legacy multi-factor provider of `DELETE /users/{id}/multifactor/{provider}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MultifactorProvider {
    /// `duo`
    Duo,
    /// `google-authenticator`
    GoogleAuthenticator,
}

impl MultifactorProvider {
    /// The path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            MultifactorProvider::Duo => "duo",
            MultifactorProvider::GoogleAuthenticator => "google-authenticator",
        }
    }

    /// Reads a path segment; `None` for anything the OpenAPI enum does not list.
    pub fn from_wire(s: &str) -> Option<MultifactorProvider> {
        match s {
            "duo" => Some(MultifactorProvider::Duo),
            "google-authenticator" => Some(MultifactorProvider::GoogleAuthenticator),
            _ => None,
        }
    }
}

impl fmt::Display for MultifactorProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn recovery_code_is_redacted_and_checked() {
        let body = json!({"recovery_code": "32YCGV1JUE9G7MDJ71UTN12W"});
        let answer: RecoveryCodeRegeneration = serde_json::from_value(body.clone()).unwrap();
        assert!(answer.recovery_code.is_well_formed());
        assert!(!format!("{answer:?}").contains("32YCGV1J"));
        assert!(!answer.recovery_code.to_string().contains("32YCGV1J"));
        assert_eq!(serde_json::to_value(&answer).unwrap(), body);
        assert!(!RecoveryCode::new("32ycgv1jue9g7mdj71utn12w").is_well_formed());
        assert!(!RecoveryCode::new("32YCGV1JUE9G7MDJ71UTN12").is_well_formed());
    }

    #[test]
    fn providers_use_the_path_names() {
        for provider in [
            MultifactorProvider::Duo,
            MultifactorProvider::GoogleAuthenticator,
        ] {
            assert_eq!(
                MultifactorProvider::from_wire(provider.as_str()),
                Some(provider)
            );
            assert_eq!(
                serde_json::to_value(provider).unwrap(),
                json!(provider.as_str())
            );
        }
        assert_eq!(MultifactorProvider::from_wire("guardian"), None);
    }
}
