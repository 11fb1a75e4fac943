//! A user's authentication methods as the server returns them (`GET`, `POST`, `PUT`, `PATCH`
//! on `/api/v2/users/{id}/authentication-methods`), one type per method type.
//!
//! The `type` field selects the variant of [`AuthenticationMethod`]; a type this code does not
//! know, or a known type whose body does not fit its struct, is kept whole in
//! [`AuthenticationMethod::Other`], so parsing and re-serializing never loses a method.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::Metadata;

/// The fields every authentication method carries (all optional: the `POST` and `PUT` answers
/// leave out `confirmed`, a `POST` answer need not have an `id`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MethodInfo {
    /// `{type}|dev_{16 alphanumerics}`, e.g. `email|dev_f0O81fTcftc0kN2v`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A label of at most 20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether enrollment finished (methods created through the Management API are confirmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<bool>,
    /// Creation time, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Enrollment time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolled_at: Option<String>,
    /// Last authentication with this method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_auth_at: Option<String>,
    /// A linked method, deleted together with this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
}

/// An `email` (or `email-verification`) method.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmailMethod {
    /// The common fields.
    #[serde(flatten)]
    pub info: MethodInfo,
    /// The address; masked (`chuc****@exam*******`) in every answer but `PUT`'s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A `phone` method: SMS or voice codes to one number.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PhoneMethod {
    /// The common fields.
    #[serde(flatten)]
    pub info: MethodInfo,
    /// E.164 number; masked (`XXXXXXXXXXX5044`) in list and get answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// SMS or voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_authentication_method: Option<PreferredMethod>,
    /// The channels enrolled under this number, e.g. `[{"id": "sms|dev_…", "type": "sms"}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_methods: Option<Vec<MethodProperty>>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A `totp` method (authenticator app).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TotpMethod {
    /// The common fields.
    #[serde(flatten)]
    pub info: MethodInfo,
    /// The shared secret, when an answer carries it (the recorded ones never do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<TotpSecret>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A `webauthn-roaming` (security key) or `webauthn-platform` (device biometrics) method.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebauthnMethod {
    /// The common fields.
    #[serde(flatten)]
    pub info: MethodInfo,
    /// The credential's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The credential's public key (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The relying party the credential is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relying_party_identifier: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A `passkey` method.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PasskeyMethod {
    /// The common fields.
    #[serde(flatten)]
    pub info: MethodInfo,
    /// The credential's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The credential's public key (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Authenticator Attestation GUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aaguid: Option<String>,
    /// The relying party the credential is bound to.
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
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A `push` method (Guardian app), which may list the channels enrolled under it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PushMethod {
    /// The common fields.
    #[serde(flatten)]
    pub info: MethodInfo,
    /// The channels enrolled with the device (`push`, `totp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_methods: Option<Vec<MethodProperty>>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A method with no fields of its own: `recovery-code`, `password`, `guardian`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BasicMethod {
    /// The common fields.
    #[serde(flatten)]
    pub info: MethodInfo,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// One channel of a phone or push method: `{"id": "sms|dev_…", "type": "sms"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MethodProperty {
    /// `totp`, `push`, `sms` or `voice`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The channel's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// How a phone method sends codes (`preferred_authentication_method`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PreferredMethod {
    /// `sms`
    Sms,
    /// `voice`
    Voice,
    /// A value the OpenAPI enum does not list, kept as sent (a request with it is invalid).
    Other(String),
}

impl PreferredMethod {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            PreferredMethod::Sms => "sms",
            PreferredMethod::Voice => "voice",
            PreferredMethod::Other(s) => s,
        }
    }

    /// Reads a wire string.
    pub fn from_wire(s: &str) -> PreferredMethod {
        match s {
            "sms" => PreferredMethod::Sms,
            "voice" => PreferredMethod::Voice,
            other => PreferredMethod::Other(other.to_owned()),
        }
    }
}

impl Serialize for PreferredMethod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PreferredMethod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| PreferredMethod::from_wire(&s))
    }
}

/// A base32 TOTP secret. `Debug` never shows it; read it with [`TotpSecret::expose`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TotpSecret(String);

impl TotpSecret {
    /// Wraps a secret (validated when the request is).
    pub fn new(secret: impl Into<String>) -> TotpSecret {
        TotpSecret(secret.into())
    }

    /// The secret itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

/// One authentication method of a user, by its `type`.
///
/// ```
/// use users_model::AuthenticationMethod;
/// let body = serde_json::json!({"id": "email|dev_f0O81fTcftc0kN2v", "type": "email",
///     "confirmed": true, "email": "chuc****@exam*******", "created_at": "2023-03-10T16:25:51.113Z"});
/// let method: AuthenticationMethod = serde_json::from_value(body.clone()).unwrap();
/// assert!(matches!(method, AuthenticationMethod::Email(_)));
/// assert_eq!(method.id(), Some("email|dev_f0O81fTcftc0kN2v"));
/// assert_eq!(serde_json::to_value(&method).unwrap(), body);
///
/// let future: AuthenticationMethod =
///     serde_json::from_value(serde_json::json!({"type": "hologram", "id": "h|1"})).unwrap();
/// assert_eq!(future.type_name(), "hologram");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AuthenticationMethod {
    /// `email`
    Email(EmailMethod),
    /// `email-verification`
    EmailVerification(EmailMethod),
    /// `phone`
    Phone(PhoneMethod),
    /// `totp`
    Totp(TotpMethod),
    /// `push`
    Push(PushMethod),
    /// `webauthn-roaming`
    WebauthnRoaming(WebauthnMethod),
    /// `webauthn-platform`
    WebauthnPlatform(WebauthnMethod),
    /// `passkey`
    Passkey(PasskeyMethod),
    /// `recovery-code`
    RecoveryCode(BasicMethod),
    /// `password`
    Password(BasicMethod),
    /// `guardian`
    Guardian(BasicMethod),
    /// Any other type, or a body that does not fit its type's struct: the whole object as sent
    /// (including `type`).
    Other(Metadata),
}

impl AuthenticationMethod {
    /// The `type` on the wire (`""` for an [`AuthenticationMethod::Other`] without one).
    pub fn type_name(&self) -> &str {
        match self {
            AuthenticationMethod::Email(_) => "email",
            AuthenticationMethod::EmailVerification(_) => "email-verification",
            AuthenticationMethod::Phone(_) => "phone",
            AuthenticationMethod::Totp(_) => "totp",
            AuthenticationMethod::Push(_) => "push",
            AuthenticationMethod::WebauthnRoaming(_) => "webauthn-roaming",
            AuthenticationMethod::WebauthnPlatform(_) => "webauthn-platform",
            AuthenticationMethod::Passkey(_) => "passkey",
            AuthenticationMethod::RecoveryCode(_) => "recovery-code",
            AuthenticationMethod::Password(_) => "password",
            AuthenticationMethod::Guardian(_) => "guardian",
            AuthenticationMethod::Other(map) => {
                map.get("type").and_then(Value::as_str).unwrap_or("")
            }
        }
    }

    /// The common fields (`None` for [`AuthenticationMethod::Other`]).
    pub fn info(&self) -> Option<&MethodInfo> {
        Some(match self {
            AuthenticationMethod::Email(m) | AuthenticationMethod::EmailVerification(m) => &m.info,
            AuthenticationMethod::Phone(m) => &m.info,
            AuthenticationMethod::Totp(m) => &m.info,
            AuthenticationMethod::Push(m) => &m.info,
            AuthenticationMethod::WebauthnRoaming(m)
            | AuthenticationMethod::WebauthnPlatform(m) => &m.info,
            AuthenticationMethod::Passkey(m) => &m.info,
            AuthenticationMethod::RecoveryCode(m)
            | AuthenticationMethod::Password(m)
            | AuthenticationMethod::Guardian(m) => &m.info,
            AuthenticationMethod::Other(_) => return None,
        })
    }

    /// The common fields, mutably (`None` for [`AuthenticationMethod::Other`]).
    pub fn info_mut(&mut self) -> Option<&mut MethodInfo> {
        Some(match self {
            AuthenticationMethod::Email(m) | AuthenticationMethod::EmailVerification(m) => {
                &mut m.info
            }
            AuthenticationMethod::Phone(m) => &mut m.info,
            AuthenticationMethod::Totp(m) => &mut m.info,
            AuthenticationMethod::Push(m) => &mut m.info,
            AuthenticationMethod::WebauthnRoaming(m)
            | AuthenticationMethod::WebauthnPlatform(m) => &mut m.info,
            AuthenticationMethod::Passkey(m) => &mut m.info,
            AuthenticationMethod::RecoveryCode(m)
            | AuthenticationMethod::Password(m)
            | AuthenticationMethod::Guardian(m) => &mut m.info,
            AuthenticationMethod::Other(_) => return None,
        })
    }

    /// The method's id, wherever it is kept.
    pub fn id(&self) -> Option<&str> {
        match self {
            AuthenticationMethod::Other(map) => map.get("id").and_then(Value::as_str),
            known => known.info().and_then(|info| info.id.as_deref()),
        }
    }

    fn to_map(&self) -> Result<Metadata, serde_json::Error> {
        let value = match self {
            AuthenticationMethod::Email(m) | AuthenticationMethod::EmailVerification(m) => {
                serde_json::to_value(m)
            }
            AuthenticationMethod::Phone(m) => serde_json::to_value(m),
            AuthenticationMethod::Totp(m) => serde_json::to_value(m),
            AuthenticationMethod::Push(m) => serde_json::to_value(m),
            AuthenticationMethod::WebauthnRoaming(m)
            | AuthenticationMethod::WebauthnPlatform(m) => serde_json::to_value(m),
            AuthenticationMethod::Passkey(m) => serde_json::to_value(m),
            AuthenticationMethod::RecoveryCode(m)
            | AuthenticationMethod::Password(m)
            | AuthenticationMethod::Guardian(m) => serde_json::to_value(m),
            AuthenticationMethod::Other(map) => return Ok(map.clone()),
        }?;
        let Value::Object(mut map) = value else {
            return Err(serde_json::Error::custom(
                "method did not serialize to an object",
            ));
        };
        map.insert("type".into(), Value::String(self.type_name().to_owned()));
        Ok(map)
    }

    /// Reads one method from a JSON object. A known type whose body does not fit its struct, or
    /// would not serialize back to the same JSON (e.g. a known field sent as `null`), becomes
    /// [`AuthenticationMethod::Other`]: reading never loses data.
    pub fn from_map(map: Metadata) -> AuthenticationMethod {
        fn typed<T: serde::de::DeserializeOwned>(
            map: &Metadata,
            wrap: fn(T) -> AuthenticationMethod,
        ) -> Option<AuthenticationMethod> {
            let mut rest = map.clone();
            rest.remove("type");
            serde_json::from_value(Value::Object(rest)).ok().map(wrap)
        }
        let kind = map.get("type").and_then(Value::as_str).unwrap_or("");
        let parsed = match kind {
            "email" => typed(&map, AuthenticationMethod::Email),
            "email-verification" => typed(&map, AuthenticationMethod::EmailVerification),
            "phone" => typed(&map, AuthenticationMethod::Phone),
            "totp" => typed(&map, AuthenticationMethod::Totp),
            "push" => typed(&map, AuthenticationMethod::Push),
            "webauthn-roaming" => typed(&map, AuthenticationMethod::WebauthnRoaming),
            "webauthn-platform" => typed(&map, AuthenticationMethod::WebauthnPlatform),
            "passkey" => typed(&map, AuthenticationMethod::Passkey),
            "recovery-code" => typed(&map, AuthenticationMethod::RecoveryCode),
            "password" => typed(&map, AuthenticationMethod::Password),
            "guardian" => typed(&map, AuthenticationMethod::Guardian),
            _ => None,
        };
        match parsed {
            Some(method) if method.to_map().is_ok_and(|back| back == map) => method,
            _ => AuthenticationMethod::Other(map),
        }
    }
}

impl Serialize for AuthenticationMethod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map()
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for AuthenticationMethod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Metadata::deserialize(d).map(AuthenticationMethod::from_map)
    }
}

/// `GET …/authentication-methods?include_totals=true`: `{start, limit, total, authenticators}`.
/// `total` is absent when the page is empty (`go-auth0__TestUserManager_AuthenticationMethods__07`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthenticationMethodsPage {
    /// Index of the first method of this page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    /// Page size asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Number of methods the user has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// The methods.
    #[serde(default)]
    pub authenticators: Vec<AuthenticationMethod>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn recorded_phone_method_keeps_its_channels() {
        let body = json!({"id": "phone|dev_kXVq4drj3Mw6uCF5", "type": "phone", "name": "MyPhone",
            "phone_number": "+44207183875044", "created_at": "2023-03-10T16:25:52.099Z",
            "preferred_authentication_method": "sms",
            "authentication_methods": [{"id": "sms|dev_kXVq4drj3Mw6uCF5", "type": "sms"}]});
        let method: AuthenticationMethod = serde_json::from_value(body.clone()).unwrap();
        let AuthenticationMethod::Phone(phone) = &method else {
            panic!("not a phone method: {method:?}");
        };
        assert_eq!(
            phone.preferred_authentication_method,
            Some(PreferredMethod::Sms)
        );
        assert_eq!(phone.authentication_methods.as_ref().map(Vec::len), Some(1));
        assert!(phone.extra.is_empty());
        assert_eq!(serde_json::to_value(&method).unwrap(), body);
    }

    #[test]
    fn a_known_type_that_does_not_fit_is_kept_whole() {
        let body = json!({"id": "email|dev_1", "type": "email", "confirmed": "yes"});
        let method: AuthenticationMethod = serde_json::from_value(body.clone()).unwrap();
        assert!(matches!(method, AuthenticationMethod::Other(_)));
        assert_eq!(method.type_name(), "email");
        assert_eq!(method.id(), Some("email|dev_1"));
        assert_eq!(serde_json::to_value(&method).unwrap(), body);
    }

    #[test]
    fn totp_secret_is_redacted_in_debug() {
        let method = AuthenticationMethod::Totp(TotpMethod {
            totp_secret: Some(TotpSecret::new("JBSWY3DPEHPK3PXP")),
            ..TotpMethod::default()
        });
        assert!(!format!("{method:?}").contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            serde_json::to_value(&method).unwrap(),
            json!({"type": "totp", "totp_secret": "JBSWY3DPEHPK3PXP"})
        );
    }

    #[test]
    fn unknown_preferred_method_round_trips() {
        let value: PreferredMethod = serde_json::from_value(json!("carrier-pigeon")).unwrap();
        assert_eq!(value, PreferredMethod::Other("carrier-pigeon".into()));
        assert_eq!(
            serde_json::to_value(&value).unwrap(),
            json!("carrier-pigeon")
        );
    }
}
