//! Each user's authentication methods, recovery code and remember-browser record: the state of
//! the authentication-methods and MFA operations, and the rules that change it.
//!
//! Facts (see DIFFERENCES.md for the [UNCONFIRMED] choices): ids are `{type}|dev_{16
//! alphanumerics}` and a phone method lists its channel as `{channel}|dev_{same 16}`
//! (`go-auth0__TestUserManager_AuthenticationMethods__01`, `__08`); methods created through the
//! API are confirmed (OpenAPI: "will be auto confirmed"); recovery codes are 24 upper-case
//! letters and digits (`go-auth0__TestUserManager_RegenerateRecoveryCode__01`); PUT refuses a user
//! with a passkey and 409 means "Authentication method already exists." (OpenAPI).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use users_model::{
    AuthenticationMethod, AuthenticationMethodUpdate, BasicMethod, EmailMethod, Enrollment,
    MethodInfo, MethodProperty, MultifactorProvider, NewAuthenticationMethod, PasskeyMethod,
    PhoneMethod, PreferredMethod, RecoveryCode, ReplaceRefusal, ReplacementMethod, TotpMethod,
    WebauthnMethod, mask_phone, preview_replace,
};

use crate::ids::{ALPHANUMERIC, IdGenerator};
use crate::profile::hash_password;

const RECOVERY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The MFA records of every user, by user id. One field of `State`, `#[serde(default)]` so
/// snapshots written before it existed still load.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct MfaState {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    users: BTreeMap<String, UserMfa>,
}

/// One user's records.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct UserMfa {
    /// Unmasked, in creation order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<AuthenticationMethod>,
    /// Salted SHA-256 of the current recovery code; the code itself is only ever returned once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code_hash: Option<String>,
    /// When remembered browsers were last invalidated, and how many times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_browser_invalidated_at: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub remember_browser_invalidations: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MfaError {
    /// 404 "The authentication method could not be found."
    MethodNotFound,
    /// 409 "Authentication method already exists."
    Exists,
    /// 403 "Operation not permitted when the user has registered at least 1 passkey"
    PasskeyRegistered,
}

/// Types an MFA reset (`DELETE /users/{id}/authenticators`) removes: every second factor; a
/// password and passkeys are first factors and stay ([UNCONFIRMED]).
fn is_second_factor(method: &AuthenticationMethod) -> bool {
    !matches!(method.type_name(), "password" | "passkey")
}

impl MfaState {
    #[cfg(test)]
    pub(crate) fn user(&self, user_id: &str) -> Option<&UserMfa> {
        self.users.get(user_id)
    }

    /// The users that hold records.
    pub(crate) fn user_ids(&self) -> impl Iterator<Item = &str> {
        self.users.keys().map(String::as_str)
    }

    fn user_mut(&mut self, user_id: &str) -> &mut UserMfa {
        self.users.entry(user_id.to_owned()).or_default()
    }

    /// Drops the records of users that no longer exist (called when a user is deleted).
    pub(crate) fn remove_user(&mut self, user_id: &str) {
        self.users.remove(user_id);
    }

    /// The user's methods (unmasked).
    pub(crate) fn methods(&self, user_id: &str) -> &[AuthenticationMethod] {
        self.users
            .get(user_id)
            .map_or(&[], |u| u.methods.as_slice())
    }

    pub(crate) fn method(&self, user_id: &str, method_id: &str) -> Option<&AuthenticationMethod> {
        self.methods(user_id)
            .iter()
            .find(|m| m.id() == Some(method_id))
    }

    /// `POST`: a new confirmed method; 409 when the user has the same one.
    pub(crate) fn create(
        &mut self,
        user_id: &str,
        new: &NewAuthenticationMethod,
        ids: &mut IdGenerator,
        now: &str,
    ) -> Result<AuthenticationMethod, MfaError> {
        let method = build(new, ids, now);
        let user = self.user_mut(user_id);
        if user.methods.iter().any(|have| same_factor(have, &method)) {
            return Err(MfaError::Exists);
        }
        user.methods.push(method.clone());
        Ok(method)
    }

    /// `PUT`: applies [`preview_replace`] atomically; returns the new methods in list order.
    pub(crate) fn replace(
        &mut self,
        user_id: &str,
        list: &[ReplacementMethod],
        ids: &mut IdGenerator,
        now: &str,
    ) -> Result<Vec<AuthenticationMethod>, MfaError> {
        let plan = preview_replace(self.methods(user_id), list).map_err(|e| match e {
            ReplaceRefusal::PasskeyRegistered => MfaError::PasskeyRegistered,
            _ => MfaError::PasskeyRegistered,
        })?;
        let created: Vec<AuthenticationMethod> = list
            .iter()
            .map(|entry| build(&entry.to_new(), ids, now))
            .collect();
        let user = self.user_mut(user_id);
        user.methods
            .retain(|m| plan.kept.iter().any(|id| m.id() == Some(id.as_str())));
        user.methods.extend(created.iter().cloned());
        Ok(created)
    }

    /// `PATCH`: a new name and/or channel.
    pub(crate) fn update(
        &mut self,
        user_id: &str,
        method_id: &str,
        change: &AuthenticationMethodUpdate,
    ) -> Result<AuthenticationMethod, MfaError> {
        let user = self.user_mut(user_id);
        let method = user
            .methods
            .iter_mut()
            .find(|m| m.id() == Some(method_id))
            .ok_or(MfaError::MethodNotFound)?;
        if let (Some(name), Some(info)) = (&change.name, method.info_mut()) {
            info.name = Some(name.clone());
        }
        if let (Some(channel), AuthenticationMethod::Phone(phone)) =
            (&change.preferred_authentication_method, &mut *method)
        {
            set_channel(phone, channel);
        }
        Ok(method.clone())
    }

    /// `DELETE …/{method id}`: the method and any method linked to it (`link_id`).
    pub(crate) fn delete(&mut self, user_id: &str, method_id: &str) -> Result<(), MfaError> {
        let user = self.user_mut(user_id);
        let before = user.methods.len();
        user.methods.retain(|m| {
            m.id() != Some(method_id)
                && m.info().and_then(|i| i.link_id.as_deref()) != Some(method_id)
        });
        if user.methods.len() == before {
            return Err(MfaError::MethodNotFound);
        }
        Ok(())
    }

    /// `DELETE …/authentication-methods`: every method but the password; refused with a passkey.
    pub(crate) fn delete_all(&mut self, user_id: &str) -> Result<(), MfaError> {
        let user = self.user_mut(user_id);
        if user
            .methods
            .iter()
            .any(|m| matches!(m, AuthenticationMethod::Passkey(_)))
        {
            return Err(MfaError::PasskeyRegistered);
        }
        user.methods.retain(|m| m.type_name() == "password");
        user.recovery_code_hash = None;
        Ok(())
    }

    /// `DELETE /users/{id}/authenticators`: every second factor and the recovery code.
    pub(crate) fn delete_authenticators(&mut self, user_id: &str) {
        let user = self.user_mut(user_id);
        user.methods.retain(|m| !is_second_factor(m));
        user.recovery_code_hash = None;
    }

    /// `DELETE /users/{id}/multifactor/google-authenticator` removes the TOTP methods; Duo
    /// enrollments are not modelled, so `duo` changes nothing.
    pub(crate) fn delete_provider(&mut self, user_id: &str, provider: MultifactorProvider) {
        if provider == MultifactorProvider::GoogleAuthenticator {
            self.user_mut(user_id)
                .methods
                .retain(|m| !matches!(m, AuthenticationMethod::Totp(_)));
        }
    }

    /// `POST /users/{id}/recovery-code-regeneration`: a new code; the old one stops working
    /// and the user's `recovery-code` method is replaced by a new one.
    pub(crate) fn regenerate_recovery_code(
        &mut self,
        user_id: &str,
        ids: &mut IdGenerator,
        now: &str,
    ) -> RecoveryCode {
        let code = ids.chars_from(RECOVERY_ALPHABET, 24);
        let method = AuthenticationMethod::RecoveryCode({
            let mut v = BasicMethod::default();
            v.info = info(method_id("recovery-code", ids), now);
            v
        });
        let user = self.user_mut(user_id);
        user.recovery_code_hash = Some(hash_password(user_id, &code));
        user.methods
            .retain(|m| !matches!(m, AuthenticationMethod::RecoveryCode(_)));
        user.methods.push(method);
        RecoveryCode::new(code)
    }

    /// Whether `code` is the user's current recovery code.
    #[cfg(test)]
    pub(crate) fn recovery_code_matches(&self, user_id: &str, code: &str) -> bool {
        self.user(user_id)
            .and_then(|u| u.recovery_code_hash.as_deref())
            .is_some_and(|hash| hash == hash_password(user_id, code))
    }

    /// `POST /users/{id}/multifactor/actions/invalidate-remember-browser`.
    pub(crate) fn invalidate_remember_browser(&mut self, user_id: &str, now: &str) {
        let user = self.user_mut(user_id);
        user.remember_browser_invalidated_at = Some(now.to_owned());
        user.remember_browser_invalidations += 1;
    }

    /// `GET /users/{id}/enrollments`: one confirmed Guardian enrollment per second factor that
    /// Guardian enrolls (OTP app, SMS/voice, push, WebAuthn); email and recovery codes are not
    /// enrollments (`UserEnrollmentAuthMethodEnum` has no such value).
    pub(crate) fn enrollments(&self, user_id: &str) -> Vec<Enrollment> {
        self.methods(user_id)
            .iter()
            .filter_map(|method| {
                let auth_method = match method.type_name() {
                    "totp" => "authenticator",
                    "phone" => "sms",
                    "push" => "guardian",
                    "webauthn-roaming" => "webauthn-roaming",
                    "webauthn-platform" => "webauthn-platform",
                    _ => return None,
                };
                let info = method.info()?;
                if info.confirmed == Some(false) {
                    return None;
                }
                let phone_number = match method {
                    AuthenticationMethod::Phone(p) => p.phone_number.as_deref().map(mask_phone),
                    _ => None,
                };
                Some({
                    let mut v = Enrollment::default();
                    v.id = info.id.clone();
                    v.status = Some("confirmed".into());
                    v.kind = Some(auth_method.into());
                    v.name = info.name.clone();
                    v.phone_number = phone_number;
                    v.auth_method = Some(auth_method.into());
                    v.enrolled_at = info.enrolled_at.clone().or_else(|| info.created_at.clone());
                    v.last_auth = info.last_auth_at.clone();
                    v
                })
            })
            .collect()
    }

    /// The state after adding a seed document's `authentication_methods` section
    /// (`{"<user id>": [<method as the API shows it, unmasked>, ...]}`), or why the section is
    /// refused; `self` is left alone so the seed stays all or nothing.
    pub(crate) fn seeded(
        &self,
        doc: &serde_json::Map<String, Value>,
        user_exists: impl Fn(&str) -> bool,
        ids: &mut IdGenerator,
        now_ms: i64,
    ) -> Result<MfaState, String> {
        let now = users_model::Timestamp::from_millis(now_ms).to_string();
        let mut next = self.clone();
        let Some(section) = doc.get("authentication_methods") else {
            return Ok(next);
        };
        let section = section
            .as_object()
            .ok_or("authentication_methods: must map user ids to lists of methods")?;
        for (user_id, list) in section {
            if !user_exists(user_id) {
                return Err(format!("authentication_methods: no user {user_id}"));
            }
            let methods: Vec<AuthenticationMethod> = serde_json::from_value(list.clone())
                .map_err(|e| format!("authentication_methods[{user_id}]: {e}"))?;
            next.seed_methods(user_id, methods, ids, &now)
                .map_err(|e| format!("authentication_methods[{user_id}]: {e}"))?;
        }
        Ok(next)
    }

    /// Adds seeded methods to a user (ids and `created_at` filled in when missing).
    fn seed_methods(
        &mut self,
        user_id: &str,
        methods: Vec<AuthenticationMethod>,
        ids: &mut IdGenerator,
        now: &str,
    ) -> Result<(), String> {
        let mut filled = Vec::with_capacity(methods.len());
        for mut method in methods {
            let kind = method.type_name().to_owned();
            if kind.is_empty() {
                return Err("an authentication method needs a type".into());
            }
            match method.info_mut() {
                Some(info) => {
                    if info.id.is_none() {
                        info.id = Some(method_id(&kind, ids));
                    }
                    info.created_at.get_or_insert_with(|| now.to_owned());
                    info.confirmed.get_or_insert(true);
                }
                None => {
                    return Err(format!(
                        "authentication method of type {kind} is not one the emulator models"
                    ));
                }
            }
            filled.push(method);
        }
        let user = self.user_mut(user_id);
        for method in filled {
            let id = method.id().unwrap_or_default().to_owned();
            if user.methods.iter().any(|m| m.id() == Some(id.as_str())) {
                return Err(format!("authentication method {id} already exists"));
            }
            user.methods.push(method);
        }
        Ok(())
    }
}

/// `{type}|dev_{16 alphanumerics}`.
fn method_id(kind: &str, ids: &mut IdGenerator) -> String {
    format!("{kind}|dev_{}", ids.chars_from(ALPHANUMERIC, 16))
}

fn info(id: String, now: &str) -> MethodInfo {
    let mut info = MethodInfo::default();
    info.id = Some(id);
    info.confirmed = Some(true);
    info.created_at = Some(now.to_owned());
    info
}

/// A phone method's channel list follows its preferred channel, sharing the method's suffix.
fn set_channel(phone: &mut PhoneMethod, channel: &PreferredMethod) {
    let suffix = phone
        .info
        .id
        .as_deref()
        .and_then(|id| id.split_once('|'))
        .map(|(_, s)| s.to_owned())
        .unwrap_or_default();
    phone.preferred_authentication_method = Some(channel.clone());
    phone.authentication_methods = Some(vec![{
        let mut v = MethodProperty::default();
        v.kind = Some(channel.as_str().to_owned());
        v.id = Some(format!("{}|{suffix}", channel.as_str()));
        v.extra = Default::default();
        v
    }]);
}

/// The stored (unmasked, confirmed) method a request creates.
fn build(new: &NewAuthenticationMethod, ids: &mut IdGenerator, now: &str) -> AuthenticationMethod {
    let mut info = info(method_id(new.type_name(), ids), now);
    match new {
        NewAuthenticationMethod::Email(m) => {
            info.name.clone_from(&m.name);
            AuthenticationMethod::Email({
                let mut v = EmailMethod::default();
                v.info = info;
                v.email = Some(m.email.clone());
                v.extra = Default::default();
                v
            })
        }
        NewAuthenticationMethod::Phone(m) => {
            info.name.clone_from(&m.name);
            let mut phone = PhoneMethod::default();
            phone.info = info;
            phone.phone_number = Some(m.phone_number.clone());
            let channel = m
                .preferred_authentication_method
                .clone()
                .unwrap_or(PreferredMethod::Sms);
            set_channel(&mut phone, &channel);
            AuthenticationMethod::Phone(phone)
        }
        NewAuthenticationMethod::Totp(m) => {
            info.name.clone_from(&m.name);
            AuthenticationMethod::Totp({
                let mut v = TotpMethod::default();
                v.info = info;
                v.totp_secret = Some(m.totp_secret.clone());
                v.extra = Default::default();
                v
            })
        }
        NewAuthenticationMethod::WebauthnRoaming(m) => {
            info.name.clone_from(&m.name);
            AuthenticationMethod::WebauthnRoaming({
                let mut v = WebauthnMethod::default();
                v.info = info;
                v.key_id = Some(m.key_id.clone());
                v.public_key = Some(m.public_key.clone());
                v.relying_party_identifier = m.relying_party_identifier.clone();
                v.extra = Default::default();
                v
            })
        }
        NewAuthenticationMethod::Passkey(m) => {
            info.name.clone_from(&m.name);
            AuthenticationMethod::Passkey({
                let mut v = PasskeyMethod::default();
                v.info = info;
                v.key_id = Some(m.key_id.clone());
                v.public_key = Some(m.public_key.clone());
                v.aaguid = m.aaguid.clone();
                v.relying_party_identifier = m.relying_party_identifier.clone();
                v.credential_device_type = m.credential_device_type.clone();
                v.credential_backed_up = m.credential_backed_up;
                v.identity_user_id = m.identity_user_id.clone();
                v.user_agent = m.user_agent.clone();
                v.user_handle = m.user_handle.clone();
                v.transports = m.transports.clone();
                v.extra = Default::default();
                v
            })
        }
        _ => AuthenticationMethod::Other(Default::default()),
    }
}

/// Whether two methods are the same factor: same email (ignoring case) or phone number, one
/// TOTP per user, same WebAuthn/passkey credential id ([UNCONFIRMED] for 409 on create).
fn same_factor(a: &AuthenticationMethod, b: &AuthenticationMethod) -> bool {
    use AuthenticationMethod as M;
    match (a, b) {
        (M::Email(x), M::Email(y)) => match (&x.email, &y.email) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
            _ => false,
        },
        (M::Phone(x), M::Phone(y)) => x.phone_number.is_some() && x.phone_number == y.phone_number,
        (M::Totp(_), M::Totp(_)) => true,
        (M::WebauthnRoaming(x), M::WebauthnRoaming(y)) => {
            x.key_id.is_some() && x.key_id == y.key_id
        }
        (M::Passkey(x), M::Passkey(y)) => x.key_id.is_some() && x.key_id == y.key_id,
        _ => false,
    }
}

/// How an answer shows a method: `masked` for every answer but PUT's; `confirmed` only in the
/// list and get answers (recordings `__01`, `__03`, `__04`, `__08`); never a TOTP secret.
pub(crate) fn method_json(method: &AuthenticationMethod, masked: bool, confirmed: bool) -> Value {
    let mut shown = if masked {
        method.masked()
    } else {
        method.clone()
    };
    if let AuthenticationMethod::Totp(t) = &mut shown {
        t.totp_secret = None;
    }
    if !confirmed && let Some(info) = shown.info_mut() {
        info.confirmed = None;
    }
    serde_json::to_value(&shown).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use users_model::{NewEmailMethod, NewTotpMethod, TotpSecret};

    use super::*;

    const NOW: &str = "2026-01-01T00:00:00.000Z";

    fn email(address: &str) -> NewAuthenticationMethod {
        NewAuthenticationMethod::Email(NewEmailMethod {
            email: address.into(),
            name: None,
        })
    }

    fn totp() -> ReplacementMethod {
        ReplacementMethod::Totp(NewTotpMethod {
            totp_secret: TotpSecret::new("JBSWY3DPEHPK3PXP"),
            name: None,
        })
    }

    #[test]
    fn ids_have_the_recorded_shape_and_duplicates_conflict() {
        let (mut state, mut ids) = (MfaState::default(), IdGenerator::new(1));
        let made = state
            .create("u", &email("a@example.com"), &mut ids, NOW)
            .unwrap();
        let id = made.id().unwrap();
        let suffix = id.strip_prefix("email|dev_").unwrap();
        assert!(suffix.len() == 16 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(
            state.create("u", &email("A@example.com"), &mut ids, NOW),
            Err(MfaError::Exists)
        );
        assert_eq!(state.methods("u").len(), 1);
    }

    #[test]
    fn a_refused_replace_changes_nothing() {
        let (mut state, mut ids) = (MfaState::default(), IdGenerator::new(2));
        let passkey: AuthenticationMethod =
            serde_json::from_value(json!({"type": "passkey", "key_id": "k"})).unwrap();
        state
            .seed_methods("u", vec![passkey], &mut ids, NOW)
            .unwrap();
        let before = state.clone();
        assert_eq!(
            state.replace("u", &[totp()], &mut ids, NOW),
            Err(MfaError::PasskeyRegistered)
        );
        assert_eq!(state, before);
    }

    #[test]
    fn replace_keeps_other_types_and_makes_new_ids() {
        let (mut state, mut ids) = (MfaState::default(), IdGenerator::new(3));
        let key: AuthenticationMethod =
            serde_json::from_value(json!({"type": "webauthn-roaming", "key_id": "k"})).unwrap();
        state.seed_methods("u", vec![key], &mut ids, NOW).unwrap();
        state.create("u", &totp().to_new(), &mut ids, NOW).unwrap();
        let old_totp = state.methods("u")[1].id().unwrap().to_owned();
        let created = state.replace("u", &[totp()], &mut ids, NOW).unwrap();
        let types: Vec<&str> = state.methods("u").iter().map(|m| m.type_name()).collect();
        assert_eq!(types, ["webauthn-roaming", "totp"]);
        assert_ne!(created[0].id(), Some(old_totp.as_str()));
    }

    #[test]
    fn recovery_codes_replace_each_other() {
        let (mut state, mut ids) = (MfaState::default(), IdGenerator::new(4));
        let first = state.regenerate_recovery_code("u", &mut ids, NOW);
        let second = state.regenerate_recovery_code("u", &mut ids, NOW);
        assert!(first.is_well_formed() && second.is_well_formed());
        assert_ne!(first, second);
        assert!(!state.recovery_code_matches("u", first.expose()));
        assert!(state.recovery_code_matches("u", second.expose()));
        let codes = state
            .methods("u")
            .iter()
            .filter(|m| m.type_name() == "recovery-code");
        assert_eq!(codes.count(), 1);
        assert!(
            !serde_json::to_string(&state)
                .unwrap()
                .contains(second.expose())
        );
    }

    #[test]
    fn an_mfa_reset_leaves_first_factors() {
        let (mut state, mut ids) = (MfaState::default(), IdGenerator::new(5));
        let seeded: Vec<AuthenticationMethod> = serde_json::from_value(json!([
            {"type": "password"}, {"type": "push"}, {"type": "phone", "phone_number": "+15551234567"},
        ]))
        .unwrap();
        state.seed_methods("u", seeded, &mut ids, NOW).unwrap();
        state.create("u", &totp().to_new(), &mut ids, NOW).unwrap();
        state.regenerate_recovery_code("u", &mut ids, NOW);
        let kinds: Vec<String> = state
            .enrollments("u")
            .into_iter()
            .filter_map(|e| e.auth_method)
            .collect();
        assert_eq!(kinds, ["guardian", "sms", "authenticator"]);
        state.delete_authenticators("u");
        assert!(state.enrollments("u").is_empty());
        let types: Vec<&str> = state.methods("u").iter().map(|m| m.type_name()).collect();
        assert_eq!(types, ["password"]);
        assert!(state.user("u").unwrap().recovery_code_hash.is_none());
    }

    #[test]
    fn answers_mask_and_hide_secrets() {
        let (mut state, mut ids) = (MfaState::default(), IdGenerator::new(6));
        let made = state
            .create("u", &email("chuck334@example.com"), &mut ids, NOW)
            .unwrap();
        let shown = method_json(&made, true, false);
        assert_eq!(shown["email"], "chuc****@exam*******");
        assert!(shown.get("confirmed").is_none());
        let made = state.create("u", &totp().to_new(), &mut ids, NOW).unwrap();
        assert!(method_json(&made, false, true).get("totp_secret").is_none());
    }
}
