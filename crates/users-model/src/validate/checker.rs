//! Shared checks of the PATCH and POST bodies: formats, lengths, unknown keys, body size, each
//! producing the server's `Payload validation error: ...` text with the OpenAPI description.

use super::format::{
    self, payload_error, reason_format, reason_pattern, reason_too_long, reason_too_short,
};
use super::{MAX_BODY_BYTES, Violation, ViolationKind};

/// Which body a field belongs to; selects the OpenAPI description quoted in messages.
#[derive(Clone, Copy)]
pub(crate) enum Body {
    /// `UpdateUserRequestContent`.
    Update,
    /// `CreateUserRequestContent`.
    Create,
}

pub(crate) fn description(body: Body, field: &str) -> &'static str {
    match (body, field) {
        (Body::Update, "email") => "Email address of this user.",
        (Body::Create, "email") => "The user's email.",
        (_, "phone_number") => "The user's phone number (following the E.164 recommendation).",
        (Body::Update, "given_name") => "Given name/first name/forename of this user.",
        (Body::Create, "given_name") => "The user's given name(s).",
        (Body::Update, "family_name") => "Family name/last name/surname of this user.",
        (Body::Create, "family_name") => "The user's family name(s).",
        (Body::Update, "name") => "Name of this user.",
        (Body::Create, "name") => "The user's full name.",
        (Body::Update, "nickname") => "Preferred nickname or alias of this user.",
        (Body::Create, "nickname") => "The user's nickname.",
        (Body::Update, "picture") => "URL to picture, photo, or avatar of this user.",
        (Body::Create, "picture") => "A URI pointing to the user's picture.",
        (Body::Update, "password") => {
            "New password for this user. Only valid for database connections."
        }
        (Body::Create, "password") => {
            "Initial password for this user. Only valid for auth0 connection strategy."
        }
        (Body::Update, "connection") => "Name of the connection to target for this user update.",
        (Body::Create, "connection") => "Name of the connection this user should be created in.",
        (_, "client_id") => "Auth0 client ID. Only valid when updating email address.",
        (_, "username") => "The user's username. Only valid if the connection requires a username.",
        (_, "user_id") => "The external user's id provided by the identity provider.",
        _ => "",
    }
}

/// Collects violations for one body.
pub(crate) struct Checker {
    body: Body,
    pub(crate) out: Vec<Violation>,
}

impl Checker {
    pub(crate) fn new(body: Body) -> Checker {
        Checker {
            body,
            out: Vec::new(),
        }
    }

    pub(crate) fn schema(&mut self, path: &str, kind: ViolationKind, reason: &str) {
        let message = payload_error(reason, path, description(self.body, path));
        self.out.push(Violation::new(path, kind, message));
    }

    /// minLength/maxLength in code points.
    pub(crate) fn length(
        &mut self,
        path: &str,
        value: &str,
        min: usize,
        max: Option<usize>,
    ) -> bool {
        let len = format::char_len(value);
        if len < min {
            self.schema(path, ViolationKind::TooShort, &reason_too_short(len, min));
            return false;
        }
        if let Some(max) = max.filter(|max| len > *max) {
            self.schema(path, ViolationKind::TooLong, &reason_too_long(len, max));
            return false;
        }
        true
    }

    pub(crate) fn email(&mut self, value: &str) {
        if !format::is_email(value) {
            self.schema(
                "email",
                ViolationKind::Format,
                &reason_format("email", value),
            );
        }
    }

    pub(crate) fn phone(&mut self, value: &str) {
        if !format::is_e164(value) {
            let reason = reason_pattern(format::PHONE_PATTERN, value);
            self.schema("phone_number", ViolationKind::Format, &reason);
        }
    }

    pub(crate) fn picture(&mut self, value: &str) {
        if !format::is_absolute_uri(value) {
            let reason = reason_format("strict-uri", value);
            self.schema("picture", ViolationKind::Format, &reason);
        }
    }

    /// 1-128 characters from the allowed set, and not an email address (`D:require-username`).
    pub(crate) fn username(&mut self, value: &str) {
        if !self.length("username", value, 1, Some(format::USERNAME_MAX)) {
            return;
        }
        if let Some(bad) = value.chars().find(|c| !format::is_username_char(*c)) {
            let reason = format!("Username contains a character that is not allowed: {bad:?}");
            self.schema("username", ViolationKind::Format, &reason);
        } else if format::is_email(value) {
            let reason = format!("Username must not be an email address: {value}");
            self.schema("username", ViolationKind::Format, &reason);
        }
    }

    /// 1 to 72 bytes. The value never appears in the message.
    pub(crate) fn password(&mut self, value: &str) {
        if value.is_empty() {
            self.schema("password", ViolationKind::TooShort, &reason_too_short(0, 1));
        } else if value.len() > format::PASSWORD_MAX_BYTES {
            let reason = format!(
                "Password is too long ({} bytes), maximum {} bytes",
                value.len(),
                format::PASSWORD_MAX_BYTES
            );
            self.schema("password", ViolationKind::TooLong, &reason);
        }
    }

    pub(crate) fn names(
        &mut self,
        given: Option<&str>,
        family: Option<&str>,
        name: Option<&str>,
        nick: Option<&str>,
    ) {
        for (path, value, max) in [
            ("given_name", given, 150),
            ("family_name", family, 150),
            ("name", name, 300),
            ("nickname", nick, 300),
        ] {
            if let Some(value) = value {
                self.length(path, value, 1, Some(max));
            }
        }
    }

    pub(crate) fn unknown_keys<'a>(&mut self, keys: impl Iterator<Item = &'a String>) {
        for key in keys {
            let reason = format!("Additional properties not allowed: {key}");
            self.out.push(Violation::new(
                key.as_str(),
                ViolationKind::UnknownField,
                format!("Payload validation error: '{reason}'."),
            ));
        }
    }

    pub(crate) fn body_size(&mut self, size: Option<usize>) {
        if let Some(size) = size.filter(|s| *s > MAX_BODY_BYTES) {
            self.out.push(Violation::new(
                "",
                ViolationKind::BodyTooLarge,
                format!(
                    "Payload content length greater than maximum allowed: {MAX_BODY_BYTES} \
                     (body is {size} bytes)"
                ),
            ));
        }
    }
}

/// The serialized body length, counted without building the string.
pub(crate) fn serialized_len<T: serde::Serialize>(body: &T) -> Option<usize> {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, body).ok()?;
    Some(counter.0)
}
