//! Validation of the authentication-methods request bodies, from untyped JSON (what a server
//! receives) or from the typed bodies (what a client sends), reporting every violation at once.
//!
//! Schema rules come from the OpenAPI document (`CreateUserAuthenticationMethodRequestContent`,
//! `SetUserAuthenticationMethods`, `UpdateUserAuthenticationMethodRequestContent`) and use the
//! server's schema-error wording (`Payload validation error: '<reason>' on property <path>
//! (<description>).`). Rules the schema cannot express are ours and their messages say so in
//! plain words: a field that does not apply to the method's type, the type's required fields
//! (**unconfirmed**), base32 TOTP secrets, E.164 phone numbers and duplicate entries in a
//! replacement list (reported with the spec's 409 text "Authentication method already exists.").
//! A secret never appears in a message.

use serde_json::Value;

use crate::validate::format::{self, payload_error};
use crate::{
    AuthenticationMethodUpdate, NewAuthenticationMethod, ReplacementMethod, Violation,
    ViolationKind, Violations,
};

/// Types `POST` accepts (`CreatedUserAuthenticationMethodTypeEnum`).
pub const CREATABLE_METHOD_TYPES: &[&str] =
    &["phone", "email", "totp", "webauthn-roaming", "passkey"];
/// Types `PUT` accepts (`AuthenticationTypeEnum`).
pub const REPLACEABLE_METHOD_TYPES: &[&str] = &["phone", "email", "totp"];
/// The longest method name (`SetUserAuthenticationMethods.name.maxLength`).
pub const METHOD_NAME_MAX: usize = 20;
/// The message of a duplicate: the spec's 409 description.
pub const METHOD_EXISTS_MESSAGE: &str = "Authentication method already exists.";

const CREATE_FIELDS: &[&str] = &[
    "type",
    "name",
    "totp_secret",
    "phone_number",
    "email",
    "preferred_authentication_method",
    "key_id",
    "public_key",
    "aaguid",
    "relying_party_identifier",
    "credential_device_type",
    "credential_backed_up",
    "identity_user_id",
    "user_agent",
    "user_handle",
    "transports",
];
const REPLACE_FIELDS: &[&str] = &[
    "type",
    "preferred_authentication_method",
    "name",
    "phone_number",
    "email",
    "totp_secret",
];

/// The types a field applies to (`None`: every type).
fn applies_to(field: &str) -> Option<&'static [&'static str]> {
    match field {
        "email" => Some(&["email"]),
        "phone_number" | "preferred_authentication_method" => Some(&["phone"]),
        "totp_secret" => Some(&["totp"]),
        "key_id" | "public_key" | "relying_party_identifier" => {
            Some(&["webauthn-roaming", "passkey"])
        }
        "aaguid"
        | "credential_device_type"
        | "credential_backed_up"
        | "identity_user_id"
        | "user_agent"
        | "user_handle"
        | "transports" => Some(&["passkey"]),
        _ => None,
    }
}

/// The fields a type cannot be created without (**unconfirmed** beyond the obvious: the
/// schema only requires `type`).
fn required(kind: &str) -> &'static [&'static str] {
    match kind {
        "email" => &["email"],
        "phone" => &["phone_number"],
        "totp" => &["totp_secret"],
        "webauthn-roaming" | "passkey" => &["key_id", "public_key"],
        _ => &[],
    }
}

fn description(field: &str) -> &'static str {
    match field {
        "type" => "The type of the authentication method.",
        "name" => "A human-readable label to identify the authentication method.",
        "totp_secret" => "Base32 encoded secret for TOTP generation.",
        "phone_number" => {
            "Applies to phone authentication methods only. The destination phone number used to \
             send verification codes via text and voice."
        }
        "email" => {
            "Applies to email authentication methods only. The email address used to send \
             verification messages."
        }
        "preferred_authentication_method" => "The preferred communication method.",
        "key_id" => {
            "Applies to webauthn/passkey authentication methods only. The id of the credential."
        }
        "public_key" => {
            "Applies to webauthn/passkey authentication methods only. The public key, which is \
             encoded as base64."
        }
        "aaguid" => {
            "Applies to passkeys only. Authenticator Attestation Globally Unique Identifier"
        }
        "relying_party_identifier" => {
            "Applies to webauthn authentication methods only. The relying party identifier."
        }
        _ => "Applies to passkeys only.",
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Collects the violations of one body; `prefix` is `[i].` inside a list.
struct Collector<'a> {
    prefix: String,
    out: &'a mut Vec<Violation>,
}

impl Collector<'_> {
    fn path(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    fn schema(&mut self, field: &str, kind: ViolationKind, reason: &str) {
        let path = self.path(field);
        let message = payload_error(reason, &path, description(field));
        self.out.push(Violation::new(path, kind, message));
    }

    fn ours(&mut self, field: &str, kind: ViolationKind, message: String) {
        let path = self.path(field);
        self.out.push(Violation::new(path, kind, message));
    }

    fn wrong_type(&mut self, field: &str, expected: &str, value: &Value) {
        let reason = format!(
            "Expected type {expected} but found type {}",
            json_type(value)
        );
        self.schema(field, ViolationKind::InvalidType, &reason);
    }

    fn string<'v>(&mut self, field: &str, value: &'v Value) -> Option<&'v str> {
        let s = value.as_str();
        if s.is_none() {
            self.wrong_type(field, "string", value);
        }
        s
    }

    fn length(&mut self, field: &str, value: &str, min: usize, max: Option<usize>) -> bool {
        let len = format::char_len(value);
        if len < min {
            let reason = format::reason_too_short(len, min);
            self.schema(field, ViolationKind::TooShort, &reason);
            false
        } else if let Some(max) = max.filter(|max| len > *max) {
            let reason = format::reason_too_long(len, max);
            self.schema(field, ViolationKind::TooLong, &reason);
            false
        } else {
            true
        }
    }

    fn enumeration(&mut self, field: &str, value: &Value, allowed: &[&str]) {
        if let Some(s) = self.string(field, value)
            && !allowed.contains(&s)
        {
            let reason = format!("No enum match for: \"{s}\"");
            self.schema(field, ViolationKind::Format, &reason);
        }
    }

    /// One field's value, by its rule.
    fn field(&mut self, field: &str, value: &Value) {
        match field {
            "name" => {
                if let Some(s) = self.string(field, value) {
                    self.length(field, s, 1, Some(METHOD_NAME_MAX));
                }
            }
            "email" => {
                if let Some(s) = self.string(field, value)
                    && self.length(field, s, 1, None)
                    && !format::is_email(s)
                {
                    let reason = format::reason_format("email", s);
                    self.schema(field, ViolationKind::Format, &reason);
                }
            }
            "phone_number" => {
                if let Some(s) = self.string(field, value)
                    && self.length(field, s, 2, Some(30))
                    && !format::is_e164(s)
                {
                    let reason = format::reason_pattern(format::PHONE_PATTERN, s);
                    self.schema(field, ViolationKind::Format, &reason);
                }
            }
            "totp_secret" => {
                if let Some(s) = self.string(field, value)
                    && self.length(field, s, 1, None)
                    && !is_base32(s)
                {
                    self.ours(
                        field,
                        ViolationKind::Format,
                        "totp_secret is not base32 (letters A-Z, digits 2-7, optional = padding)"
                            .to_owned(),
                    );
                }
            }
            "preferred_authentication_method" => self.enumeration(field, value, &["sms", "voice"]),
            "credential_device_type" => {
                self.enumeration(field, value, &["single_device", "multi_device"]);
            }
            "public_key" => {
                if let Some(s) = self.string(field, value)
                    && self.length(field, s, 1, None)
                    && !is_base64(s)
                {
                    self.schema(field, ViolationKind::Format, "String is not base64 encoded");
                }
            }
            "aaguid" => {
                if let Some(s) = self.string(field, value)
                    && !is_uuid(s)
                {
                    let reason = format::reason_format("uuid", s);
                    self.schema(field, ViolationKind::Format, &reason);
                }
            }
            "relying_party_identifier" => {
                if let Some(s) = self.string(field, value)
                    && !is_hostname(s)
                {
                    let reason = format::reason_format("hostname", s);
                    self.schema(field, ViolationKind::Format, &reason);
                }
            }
            "credential_backed_up" => {
                if !value.is_boolean() {
                    self.wrong_type(field, "boolean", value);
                }
            }
            "transports" => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if !item.is_string() {
                            self.wrong_type(&format!("transports[{i}]"), "string", item);
                        }
                    }
                }
                None => self.wrong_type(field, "array", value),
            },
            _ => {
                self.string(field, value);
            }
        }
    }

    /// A whole method object; returns its type when that is one of `types`.
    fn method<'v>(&mut self, body: &'v Value, types: &[&str], fields: &[&str]) -> Option<&'v str> {
        let Some(object) = body.as_object() else {
            let reason = format!("Expected type object but found type {}", json_type(body));
            let path = self.prefix.trim_end_matches('.').to_owned();
            let message = format!("Payload validation error: '{reason}'.");
            self.out
                .push(Violation::new(path, ViolationKind::InvalidType, message));
            return None;
        };
        let kind = match object.get("type") {
            None => {
                let message = "Payload validation error: 'Missing required property: type'.";
                self.ours("type", ViolationKind::Required, message.to_owned());
                None
            }
            Some(value) => {
                self.enumeration("type", value, types);
                value.as_str().filter(|s| types.contains(s))
            }
        };
        for (key, value) in object {
            if key == "type" {
                continue;
            }
            if !fields.contains(&key.as_str()) {
                let message = format!(
                    "Payload validation error: 'Additional properties not allowed: {key}'."
                );
                self.ours(key, ViolationKind::UnknownField, message);
                continue;
            }
            if let (Some(kind), Some(types)) = (kind, applies_to(key))
                && !types.contains(&kind)
            {
                let message = format!(
                    "{key} does not apply to authentication methods of type {kind} (only {})",
                    types.join(", ")
                );
                self.ours(key, ViolationKind::UnknownField, message);
                continue;
            }
            self.field(key, value);
        }
        for field in kind.map(required).unwrap_or_default() {
            if !object.contains_key(*field) {
                let message = format!(
                    "An authentication method of type {} needs {field}",
                    kind.unwrap_or("")
                );
                self.ours(field, ViolationKind::Required, message);
            }
        }
        kind
    }
}

fn typed<T: serde::de::DeserializeOwned>(body: &Value) -> Result<T, Violations> {
    serde_json::from_value(body.clone()).map_err(|e| {
        let violation =
            Violation::new("", ViolationKind::InvalidType, format!("Invalid body: {e}"));
        Violations::single(violation)
    })
}

/// Reads and checks a `POST …/authentication-methods` body.
///
/// # Errors
/// Every violation: not an object, a missing or unknown `type`, a field the schema does not
/// define or that does not apply to the type, a missing required field, a wrong JSON type, a
/// bad format (email, E.164, base32, base64, UUID, host name, enums) or length.
pub fn parse_new_method(body: &Value) -> Result<NewAuthenticationMethod, Violations> {
    let mut out = Vec::new();
    Collector {
        prefix: String::new(),
        out: &mut out,
    }
    .method(body, CREATABLE_METHOD_TYPES, CREATE_FIELDS);
    Violations::check(out)?;
    typed(body)
}

/// Reads and checks a `PUT …/authentication-methods` body: a list of email, phone and TOTP
/// methods, with paths like `[1].phone_number`.
///
/// # Errors
/// Every violation of every entry (as [`parse_new_method`], with the narrower type list and
/// fields) and each entry that repeats an earlier one ([`ViolationKind::Duplicate`]: the same
/// email ignoring case, the same phone number, or a second TOTP method).
pub fn parse_replacement(body: &Value) -> Result<Vec<ReplacementMethod>, Violations> {
    let Some(items) = body.as_array() else {
        let reason = format!("Expected type array but found type {}", json_type(body));
        let message = format!("Payload validation error: '{reason}'.");
        return Err(Violations::single(Violation::new(
            "",
            ViolationKind::InvalidType,
            message,
        )));
    };
    let mut out = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut collector = Collector {
            prefix: format!("[{i}]."),
            out: &mut out,
        };
        let Some(kind) = collector.method(item, REPLACEABLE_METHOD_TYPES, REPLACE_FIELDS) else {
            continue;
        };
        let identity = replacement_identity(kind, item);
        if seen.contains(&identity) {
            out.push(Violation::new(
                format!("[{i}]"),
                ViolationKind::Duplicate,
                METHOD_EXISTS_MESSAGE,
            ));
        } else {
            seen.push(identity);
        }
    }
    Violations::check(out)?;
    typed(body)
}

/// What makes two replacement entries the same method: type plus email (lower-cased) or phone
/// number; a user has one TOTP method.
fn replacement_identity(kind: &str, item: &Value) -> (String, String) {
    let key = match kind {
        "email" => item
            .get("email")
            .and_then(Value::as_str)
            .map(str::to_lowercase),
        "phone" => item
            .get("phone_number")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    (kind.to_owned(), key.unwrap_or_default())
}

/// Reads and checks a `PATCH …/authentication-methods/{id}` body; `target_type` is the type of
/// the method being changed, when known (`preferred_authentication_method` applies to phone
/// methods only).
///
/// # Errors
/// Every violation: not an object, an unknown field, a name outside 1-20 characters, a
/// preferred method other than `sms`/`voice` or on a method that is not a phone.
pub fn parse_method_update(
    body: &Value,
    target_type: Option<&str>,
) -> Result<AuthenticationMethodUpdate, Violations> {
    let mut out = Vec::new();
    let mut collector = Collector {
        prefix: String::new(),
        out: &mut out,
    };
    match body.as_object() {
        None => {
            let reason = format!("Expected type object but found type {}", json_type(body));
            let message = format!("Payload validation error: '{reason}'.");
            collector.ours("", ViolationKind::InvalidType, message);
        }
        Some(object) => {
            for (key, value) in object {
                match key.as_str() {
                    "name" => collector.field(key, value),
                    "preferred_authentication_method" => {
                        collector.field(key, value);
                        if let Some(kind) = target_type.filter(|kind| *kind != "phone") {
                            let message = format!(
                                "{key} does not apply to authentication methods of type {kind} (only phone)"
                            );
                            collector.ours(key, ViolationKind::UnknownField, message);
                        }
                    }
                    _ => {
                        let message = format!(
                            "Payload validation error: 'Additional properties not allowed: {key}'."
                        );
                        collector.ours(key, ViolationKind::UnknownField, message);
                    }
                }
            }
        }
    }
    Violations::check(out)?;
    typed(body)
}

fn to_json<T: serde::Serialize>(body: &T) -> Result<Value, Violations> {
    serde_json::to_value(body).map_err(|e| {
        Violations::single(Violation::new(
            "",
            ViolationKind::InvalidType,
            format!("Invalid body: {e}"),
        ))
    })
}

impl NewAuthenticationMethod {
    /// Checks the body as the server would, before it is sent.
    ///
    /// # Errors
    /// Every violation, as [`parse_new_method`] reports them.
    pub fn validate(&self) -> Result<(), Violations> {
        parse_new_method(&to_json(self)?).map(drop)
    }
}

impl AuthenticationMethodUpdate {
    /// Checks the body as the server would; `target_type` as in [`parse_method_update`].
    ///
    /// # Errors
    /// Every violation, as [`parse_method_update`] reports them.
    pub fn validate(&self, target_type: Option<&str>) -> Result<(), Violations> {
        parse_method_update(&to_json(self)?, target_type).map(drop)
    }
}

/// Checks a `PUT` list as the server would, duplicates included.
///
/// # Errors
/// Every violation, as [`parse_replacement`] reports them.
pub fn validate_replacement(list: &[ReplacementMethod]) -> Result<(), Violations> {
    parse_replacement(&to_json(&list)?).map(drop)
}

/// RFC 4648 base32: `A-Z`, `2-7` (lower case accepted, as authenticator apps do), then only
/// `=` padding.
pub fn is_base32(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || (b'2'..=b'7').contains(&b))
}

fn is_base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && s.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/-_".contains(&b))
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_hostname(s: &str) -> bool {
    (1..=253).contains(&s.len())
        && s.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn kinds(result: Result<impl std::fmt::Debug, Violations>) -> Vec<(String, ViolationKind)> {
        let mut found: Vec<_> = result
            .unwrap_err()
            .into_iter()
            .map(|v| (v.path, v.kind))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    #[test]
    fn recorded_bodies_are_accepted() {
        let post = json!({"type": "email", "name": "Test", "email": "chuck334@example.com"});
        assert!(matches!(
            parse_new_method(&post),
            Ok(NewAuthenticationMethod::Email(_))
        ));
        let put = json!([{"type": "email", "name": "MyEmail", "email": "foo@example.com"},
            {"type": "phone", "name": "MyPhone", "phone_number": "+44207183875044",
             "preferred_authentication_method": "sms"},
            {"type": "totp", "name": "MyTotp", "totp_secret": "5HCWXIP2MJNSUBGYVUZFLRB2HWIGXR4SYJQXNBQ"}]);
        assert_eq!(parse_replacement(&put).unwrap().len(), 3);
        assert!(parse_method_update(&json!({"name": "Test2"}), Some("email")).is_ok());
    }

    #[test]
    fn every_violation_of_a_create_body_is_reported() {
        let body = json!({"type": "email", "email": "not-an-email", "totp_secret": "JBSW",
            "name": "a name that is far too long", "colour": "red"});
        let found = kinds(parse_new_method(&body));
        assert_eq!(
            found,
            vec![
                ("colour".to_owned(), ViolationKind::UnknownField),
                ("email".to_owned(), ViolationKind::Format),
                ("name".to_owned(), ViolationKind::TooLong),
                ("totp_secret".to_owned(), ViolationKind::UnknownField),
            ]
        );
    }

    #[test]
    fn secrets_are_never_echoed() {
        let body = json!({"type": "totp", "totp_secret": "not base32 at all! 0189"});
        let violations = parse_new_method(&body).unwrap_err();
        assert_eq!(violations.len(), 1);
        assert!(!violations.to_string().contains("0189"));
    }

    #[test]
    fn missing_fields_and_types() {
        assert_eq!(
            kinds(parse_new_method(&json!({}))),
            vec![("type".to_owned(), ViolationKind::Required)]
        );
        assert_eq!(
            kinds(parse_new_method(
                &json!({"type": "phone", "preferred_authentication_method": "fax"})
            )),
            vec![
                ("phone_number".to_owned(), ViolationKind::Required),
                (
                    "preferred_authentication_method".to_owned(),
                    ViolationKind::Format
                ),
            ]
        );
        assert_eq!(
            kinds(parse_new_method(&json!({"type": "push"}))),
            vec![("type".to_owned(), ViolationKind::Format)]
        );
        assert_eq!(
            kinds(parse_new_method(&json!([]))),
            vec![(String::new(), ViolationKind::InvalidType)]
        );
    }

    #[test]
    fn a_replacement_list_with_duplicates_is_refused() {
        let body = json!([{"type": "email", "email": "A@example.com"},
            {"type": "email", "email": "a@example.com"},
            {"type": "totp", "totp_secret": "JBSWY3DPEHPK3PXP"},
            {"type": "totp", "totp_secret": "JBSWY3DPEHPK3PXQ"},
            {"type": "webauthn-roaming", "key_id": "k", "public_key": "AAAA"}]);
        let found = kinds(parse_replacement(&body));
        assert!(found.contains(&("[1]".to_owned(), ViolationKind::Duplicate)));
        assert!(found.contains(&("[3]".to_owned(), ViolationKind::Duplicate)));
        assert!(found.contains(&("[4].type".to_owned(), ViolationKind::Format)));
        assert!(found.contains(&("[4].key_id".to_owned(), ViolationKind::UnknownField)));
        let duplicate = parse_replacement(&body)
            .unwrap_err()
            .into_iter()
            .find(|v| v.kind == ViolationKind::Duplicate)
            .unwrap();
        assert_eq!(duplicate.status(), 409);
        assert_eq!(duplicate.message, METHOD_EXISTS_MESSAGE);
    }

    #[test]
    fn update_rules() {
        assert_eq!(
            kinds(parse_method_update(
                &json!({"preferred_authentication_method": "voice", "email": "x"}),
                Some("totp")
            )),
            vec![
                ("email".to_owned(), ViolationKind::UnknownField),
                (
                    "preferred_authentication_method".to_owned(),
                    ViolationKind::UnknownField
                ),
            ]
        );
        assert!(
            parse_method_update(
                &json!({"preferred_authentication_method": "voice"}),
                Some("phone")
            )
            .is_ok()
        );
        assert_eq!(
            kinds(parse_method_update(&json!({"name": ""}), None)),
            vec![("name".to_owned(), ViolationKind::TooShort)]
        );
    }

    #[test]
    fn formats() {
        assert!(is_base32("5HCWXIP2MJNSUBGYVUZFLRB2HWIGXR4SYJQXNBQ"));
        assert!(is_base32("jbswy3dpehpk3pxp===="));
        assert!(!is_base32("JBSW1"));
        assert!(!is_base32("===="));
        assert!(is_uuid("08987058-cadc-4b81-b6e1-30de50dcbe96"));
        assert!(!is_uuid("08987058cadc4b81b6e130de50dcbe96"));
        assert!(is_hostname("login.example.com"));
        assert!(!is_hostname("https://example.com"));
        assert!(is_base64("pQECAyYgASFYIBw="));
        assert!(!is_base64("not base64"));
    }
}
