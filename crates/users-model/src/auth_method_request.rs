//! Request bodies of the authentication-methods operations: create one (`POST`), replace all
//! (`PUT`), update one (`PATCH`).
//!
//! Each creatable type has its own struct holding only the fields that apply to it, so a body
//! mixing types cannot be built; formats and lengths are checked by
//! [`crate::parse_new_method`] and friends, which also read untyped JSON (the emulator's side).

use serde::{Deserialize, Serialize};

use crate::{PreferredMethod, TotpSecret};

/// An `email` method to create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewEmailMethod {
    /// The address codes are sent to.
    pub email: String,
    /// A label of 1 to 20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A `phone` method to create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewPhoneMethod {
    /// E.164 number, e.g. `+44207183875044`.
    pub phone_number: String,
    /// SMS (the server's default) or voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_authentication_method: Option<PreferredMethod>,
    /// A label of 1 to 20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A `totp` method to create (importing an authenticator app's secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTotpMethod {
    /// The base32 shared secret.
    pub totp_secret: TotpSecret,
    /// A label of 1 to 20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A `webauthn-roaming` method (security key) to create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewWebauthnRoamingMethod {
    /// The credential's id.
    pub key_id: String,
    /// The credential's public key, base64.
    pub public_key: String,
    /// The relying party's host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relying_party_identifier: Option<String>,
    /// A label of 1 to 20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A `passkey` method to create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewPasskeyMethod {
    /// The credential's id.
    pub key_id: String,
    /// The credential's public key, base64.
    pub public_key: String,
    /// Authenticator Attestation GUID (a UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aaguid: Option<String>,
    /// The relying party's host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relying_party_identifier: Option<String>,
    /// `single_device` or `multi_device`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_device_type: Option<String>,
    /// Whether the credential was backed up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_backed_up: Option<bool>,
    /// The identity the passkey belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_user_id: Option<String>,
    /// The browser that created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The WebAuthn user handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_handle: Option<String>,
    /// Transports (`usb`, `internal`, `hybrid`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transports: Option<Vec<String>>,
    /// A label of 1 to 20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The body of `POST /users/{id}/authentication-methods`: one method of a creatable type.
///
/// ```
/// use users_model::{NewAuthenticationMethod, NewPhoneMethod, PreferredMethod};
/// let body = NewAuthenticationMethod::Phone(NewPhoneMethod {
///     phone_number: "+44207183875044".into(),
///     preferred_authentication_method: Some(PreferredMethod::Voice),
///     name: Some("Desk".into()),
/// });
/// assert!(body.validate().is_ok());
/// assert_eq!(
///     serde_json::to_value(&body).unwrap(),
///     serde_json::json!({"type": "phone", "phone_number": "+44207183875044",
///         "preferred_authentication_method": "voice", "name": "Desk"}),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NewAuthenticationMethod {
    /// `email`
    Email(NewEmailMethod),
    /// `phone`
    Phone(NewPhoneMethod),
    /// `totp`
    Totp(NewTotpMethod),
    /// `webauthn-roaming`
    WebauthnRoaming(NewWebauthnRoamingMethod),
    /// `passkey`
    Passkey(NewPasskeyMethod),
}

impl NewAuthenticationMethod {
    /// The `type` on the wire.
    pub fn type_name(&self) -> &'static str {
        match self {
            NewAuthenticationMethod::Email(_) => "email",
            NewAuthenticationMethod::Phone(_) => "phone",
            NewAuthenticationMethod::Totp(_) => "totp",
            NewAuthenticationMethod::WebauthnRoaming(_) => "webauthn-roaming",
            NewAuthenticationMethod::Passkey(_) => "passkey",
        }
    }
}

/// One entry of the `PUT /users/{id}/authentication-methods` list (`SetUserAuthenticationMethods`:
/// only email, phone and TOTP methods can be set this way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ReplacementMethod {
    /// `email`
    Email(NewEmailMethod),
    /// `phone`
    Phone(NewPhoneMethod),
    /// `totp`
    Totp(NewTotpMethod),
}

impl ReplacementMethod {
    /// The `type` on the wire.
    pub fn type_name(&self) -> &'static str {
        match self {
            ReplacementMethod::Email(_) => "email",
            ReplacementMethod::Phone(_) => "phone",
            ReplacementMethod::Totp(_) => "totp",
        }
    }

    /// The same method as a `POST` body.
    pub fn to_new(&self) -> NewAuthenticationMethod {
        match self {
            ReplacementMethod::Email(m) => NewAuthenticationMethod::Email(m.clone()),
            ReplacementMethod::Phone(m) => NewAuthenticationMethod::Phone(m.clone()),
            ReplacementMethod::Totp(m) => NewAuthenticationMethod::Totp(m.clone()),
        }
    }
}

/// The body of `PATCH /users/{id}/authentication-methods/{authentication_method_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthenticationMethodUpdate {
    /// A new label of 1 to 20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new channel (phone methods only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_authentication_method: Option<PreferredMethod>,
}
