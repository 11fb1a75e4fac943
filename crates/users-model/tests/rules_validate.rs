//! Validation of PATCH bodies without context: every rule with its kind, path and message.

mod rules_support;

use rules_support::{only, set, violations};
use serde_json::{Value, json};
use users_model::{
    MAX_BODY_BYTES, MetadataPatch, Password, Patch, UserUpdate, Violation, ViolationKind,
    Violations, validate_update,
};

#[test]
fn a_plain_update_is_valid() {
    let mut update = UserUpdate::default();
    update.email = Patch::Set("chuck@example.com".into());
    update.email_verified = Some(true);
    update.given_name = Patch::Set("Chuck".into());
    update.picture = Patch::Set("https://example-picture-url.jpg".into());
    assert_eq!(validate_update(&update, None), Ok(()));
}

#[test]
fn empty_update_and_connection_alone_are_rejected() {
    for update in [
        UserUpdate::default(),
        UserUpdate::default().connection("db"),
    ] {
        let v = only(validate_update(&update, None));
        assert_eq!(v.kind, ViolationKind::EmptyUpdate);
        assert_eq!(
            v.message,
            "Payload validation error: 'None of the valid schemas were met'."
        );
        assert_eq!((v.status(), v.error_code()), (400, "invalid_body"));
    }
}

#[test]
fn unknown_keys_are_rejected_each_by_name() {
    let update: UserUpdate =
        serde_json::from_value(json!({"blocked": true, "logins_count": 3, "user_id": "x"}))
            .unwrap();
    let all = violations(validate_update(&update, None));
    let paths: Vec<&str> = all.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["logins_count", "user_id"]);
    assert!(all.iter().all(|v| v.kind == ViolationKind::UnknownField));
    assert_eq!(
        all[0].message,
        "Payload validation error: 'Additional properties not allowed: logins_count'."
    );
    let only_unknown: UserUpdate = serde_json::from_value(json!({"foo": 1})).unwrap();
    let kinds: Vec<_> = violations(validate_update(&only_unknown, None))
        .iter()
        .map(|v| v.kind)
        .collect();
    assert_eq!(
        kinds,
        [ViolationKind::UnknownField, ViolationKind::EmptyUpdate]
    );
    let verify: UserUpdate = serde_json::from_value(json!({"verify_password": true})).unwrap();
    assert_eq!(
        validate_update(&verify, None),
        Ok(()),
        "verify_password is accepted"
    );
    let verify: UserUpdate = serde_json::from_value(json!({"verify_password": "yes"})).unwrap();
    let kinds: Vec<_> = violations(validate_update(&verify, None))
        .iter()
        .map(|v| v.kind)
        .collect();
    assert_eq!(
        kinds,
        [ViolationKind::UnknownField, ViolationKind::EmptyUpdate]
    );
}

#[test]
fn email_format_and_lengths() {
    let v = only(validate_update(&set("email", json!("nope")), None));
    assert_eq!((v.path.as_str(), v.kind), ("email", ViolationKind::Format));
    assert_eq!(
        v.message,
        "Payload validation error: 'Object didn't pass validation for format email: nope' on \
         property email (Email address of this user.)."
    );
    let long_local = format!("{}@example.com", "a".repeat(65));
    assert_eq!(
        only(validate_update(&set("email", json!(long_local)), None)).kind,
        ViolationKind::Format
    );
    let long = format!("{}@{}.com", "a".repeat(60), "b".repeat(190));
    assert_eq!(
        only(validate_update(&set("email", json!(long)), None)).kind,
        ViolationKind::Format
    );
    assert_eq!(
        validate_update(&set("email", Value::Null), None),
        Ok(()),
        "null unsets"
    );
}

#[test]
fn phone_must_be_e164() {
    let v = only(validate_update(
        &set("phone_number", json!("555-1234")),
        None,
    ));
    assert_eq!(v.kind, ViolationKind::Format);
    assert_eq!(
        v.message,
        "Payload validation error: 'String does not match pattern ^\\+[0-9]{1,15}$: 555-1234' on \
         property phone_number (The user's phone number (following the E.164 recommendation).)."
    );
    assert_eq!(
        validate_update(&set("phone_number", json!("+14155550123")), None),
        Ok(())
    );
    assert!(validate_update(&set("phone_number", json!("+1234567890123456")), None).is_err());
}

#[test]
fn name_lengths_follow_the_openapi_limits() {
    for (field, max) in [
        ("given_name", 150),
        ("family_name", 150),
        ("name", 300),
        ("nickname", 300),
    ] {
        let ok = "é".repeat(max);
        assert_eq!(
            validate_update(&set(field, json!(ok)), None),
            Ok(()),
            "{field} at {max}"
        );
        let v = only(validate_update(
            &set(field, json!("é".repeat(max + 1))),
            None,
        ));
        assert_eq!((v.path.as_str(), v.kind), (field, ViolationKind::TooLong));
        assert!(
            v.message.starts_with(&format!(
                "Payload validation error: 'String is too long ({} chars), maximum {max}' on property {field} (",
                max + 1
            )),
            "{}",
            v.message
        );
        let v = only(validate_update(&set(field, json!("")), None));
        assert_eq!(v.kind, ViolationKind::TooShort);
        assert!(
            v.message
                .contains("'String is too short (0 chars), minimum 1' on property")
        );
    }
}

#[test]
fn username_rules() {
    assert_eq!(
        validate_update(&set("username", json!("user_x_terra")), None),
        Ok(())
    );
    assert_eq!(
        validate_update(&set("username", json!("a@b^$.!`-#+'~_Z9")), None),
        Ok(())
    );
    let v = only(validate_update(&set("username", json!("has space")), None));
    assert_eq!(
        (v.path.as_str(), v.kind),
        ("username", ViolationKind::Format)
    );
    assert!(
        only(validate_update(&set("username", json!("jürgen")), None)).kind
            == ViolationKind::Format
    );
    let v = only(validate_update(
        &set("username", json!("me@example.com")),
        None,
    ));
    assert!(
        v.message.contains("must not be an email address"),
        "{}",
        v.message
    );
    let v = only(validate_update(
        &set("username", json!("a".repeat(129))),
        None,
    ));
    assert_eq!(v.kind, ViolationKind::TooLong);
    assert!(v.message.contains("maximum 128"));
}

#[test]
fn password_limits_never_echo_the_password() {
    let secret = "x".repeat(73);
    let v = only(validate_update(
        &UserUpdate::default().password(Password::new(secret.clone())),
        None,
    ));
    assert_eq!(
        (v.path.as_str(), v.kind),
        ("password", ViolationKind::TooLong)
    );
    assert!(!v.message.contains(&secret));
    assert!(v.message.contains("73 bytes"));
    // 72 bytes of multi-byte characters is the limit in bytes, not characters.
    let ok = "é".repeat(36);
    assert_eq!(
        validate_update(&UserUpdate::default().password(Password::new(ok)), None),
        Ok(())
    );
    let v = only(validate_update(
        &UserUpdate::default().password(Password::new("é".repeat(37))),
        None,
    ));
    assert_eq!(v.kind, ViolationKind::TooLong);
    let v = only(validate_update(
        &UserUpdate::default().password(Password::new("")),
        None,
    ));
    assert_eq!(v.kind, ViolationKind::TooShort);
    let spaces = Password::new("Passwords hide their chuck");
    assert_eq!(
        validate_update(&UserUpdate::default().password(spaces), None),
        Ok(())
    );
}

#[test]
fn picture_must_be_an_absolute_uri() {
    let v = only(validate_update(&set("picture", json!("/me.png")), None));
    assert_eq!(v.kind, ViolationKind::Format);
    assert!(v.message.contains("for format strict-uri: /me.png"));
    assert_eq!(
        validate_update(&set("picture", json!("https://example.com/me.png")), None),
        Ok(())
    );
}

#[test]
fn the_five_forbidden_pairs_use_the_server_text() {
    for (a, b) in [
        ("password", "email"),
        ("password", "email_verified"),
        ("username", "email"),
        ("username", "email_verified"),
        ("username", "password"),
    ] {
        let value = |f: &str| match f {
            "email" => json!("x@example.com"),
            "email_verified" => json!(true),
            "username" => json!("xuser"),
            _ => json!("a-password"),
        };
        let update: UserUpdate = serde_json::from_value(json!({a: value(a), b: value(b)})).unwrap();
        let v = only(validate_update(&update, None));
        assert_eq!(v.kind, ViolationKind::ForbiddenCombination);
        assert_eq!(
            v.message,
            format!("Cannot update {a} and {b} simultaneously.")
        );
        // null counts as an update too
        let update: UserUpdate =
            serde_json::from_value(json!({a: Value::Null, b: value(b)})).unwrap();
        if a != "password" || b != "email_verified" {
            assert!(
                violations(validate_update(&update, None))
                    .iter()
                    .any(|v| v.kind == ViolationKind::ForbiddenCombination)
            );
        }
    }
    let allowed: UserUpdate = serde_json::from_value(
        json!({"email": "x@example.com", "email_verified": true, "verify_email": false}),
    )
    .unwrap();
    assert_eq!(validate_update(&allowed, None), Ok(()));
}

#[test]
fn client_id_needs_email_or_phone() {
    let v = only(validate_update(&set("client_id", json!("abc")), None));
    assert_eq!(
        (v.path.as_str(), v.kind),
        ("client_id", ViolationKind::MissingCompanion)
    );
    assert!(v.message.ends_with(
        "on property client_id (Auth0 client ID. Only valid when updating email address.)."
    ));
    let ok: UserUpdate =
        serde_json::from_value(json!({"phone_number": "+15550100", "client_id": "abc"})).unwrap();
    assert_eq!(validate_update(&ok, None), Ok(()));
    let empty: UserUpdate =
        serde_json::from_value(json!({"email": "a@example.com", "client_id": ""})).unwrap();
    assert_eq!(
        only(validate_update(&empty, None)).kind,
        ViolationKind::TooShort
    );
}

#[test]
fn empty_connection_has_the_recorded_message() {
    let update: UserUpdate =
        serde_json::from_value(json!({"blocked": true, "connection": ""})).unwrap();
    let v = only(validate_update(&update, None));
    assert_eq!(
        v.message,
        "Payload validation error: 'String is too short (0 chars), minimum 1' on property connection \
         (Name of the connection to target for this user update.)."
    );
}

#[test]
fn metadata_keys_with_dot_or_dollar_at_any_depth() {
    let mut patch = MetadataPatch::new();
    patch
        .set("a.b", 1)
        .set("ok", json!({"$set": 1, "fine": [{"x.y": 2}]}))
        .set("v", "dots.and$ in values are fine");
    let all = violations(validate_update(
        &UserUpdate::default().user_metadata(patch),
        None,
    ));
    let paths: Vec<&str> = all.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            r#"user_metadata["a.b"]"#,
            r#"user_metadata.ok["$set"]"#,
            r#"user_metadata.ok.fine[0]["x.y"]"#
        ]
    );
    assert!(
        all.iter()
            .all(|v| v.kind == ViolationKind::InvalidMetadataKey)
    );
    assert!(all[0].message.contains("must not contain '.' or '$': a.b"));
}

#[test]
fn reserved_app_metadata_keys() {
    for key in users_model::RESERVED_APP_METADATA_KEYS {
        let mut patch = MetadataPatch::new();
        patch.set(key, 1);
        let v = only(validate_update(
            &UserUpdate::default().app_metadata(patch.clone()),
            None,
        ));
        assert_eq!(
            (v.path.as_str(), v.kind),
            (
                format!("app_metadata.{key}").as_str(),
                ViolationKind::ReservedMetadataKey
            )
        );
        assert_eq!(
            validate_update(&UserUpdate::default().user_metadata(patch), None),
            Ok(()),
            "{key} in user_metadata"
        );
    }
}

#[test]
fn body_over_one_megabyte() {
    let mut patch = MetadataPatch::new();
    patch.set("big", "x".repeat(MAX_BODY_BYTES));
    let v = only(validate_update(
        &UserUpdate::default().user_metadata(patch),
        None,
    ));
    assert_eq!((v.kind, v.status()), (ViolationKind::BodyTooLarge, 413));
    let mut patch = MetadataPatch::new();
    patch.set("big", "x".repeat(MAX_BODY_BYTES - 40));
    assert_eq!(
        validate_update(&UserUpdate::default().user_metadata(patch), None),
        Ok(())
    );
}

#[test]
fn all_violations_are_reported_together() {
    let update: UserUpdate = serde_json::from_value(json!({
        "email": "bad", "username": "", "phone_number": "1", "name": "", "extra": 1
    }))
    .unwrap();
    let all = violations(validate_update(&update, None));
    let kinds: Vec<&str> = all.iter().map(|v| v.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "unknown_field",
            "format",
            "format",
            "too_short",
            "too_short",
            "forbidden_combination"
        ]
    );
    let text = validate_update(&update, None).unwrap_err().to_string();
    assert!(text.contains("email: ") && text.contains("; "), "{text}");
}

#[test]
fn violations_can_be_built_by_callers_but_never_empty() {
    assert_eq!(Violations::new(Vec::new()), None);
    let v = Violation::new(
        "email",
        ViolationKind::Unsupported,
        "Cannot update email for non-database user.",
    );
    assert_eq!(
        (v.status(), v.error_code()),
        (400, "operation_not_supported")
    );
    let all = Violations::new(vec![
        v.clone(),
        Violation::new("", ViolationKind::EmptyUpdate, "empty"),
    ])
    .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all.first(), Some(&v));
    assert_eq!(
        all.to_string(),
        "email: Cannot update email for non-database user.; body: empty"
    );
    assert_eq!(
        ViolationKind::MissingCompanion.to_string(),
        "missing_companion"
    );
}
