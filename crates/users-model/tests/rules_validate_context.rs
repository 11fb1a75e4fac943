//! Validation with a target context, of create and link bodies, and the properties (never
//! panics, accepts every valid update).

mod rules_support;

use proptest::prelude::*;
use rules_support::{only, set, strategies, violations};
use serde_json::{Value, json};
use users_model::{
    ConnectionKind, IdentityContext, IdentityUserId, LinkRequest, LinkToken, Password, Patch,
    Provider, TargetContext, UserCreate, UserUpdate, ViolationKind, validate_create, validate_link,
    validate_update,
};

fn identity(connection: &str, kind: ConnectionKind, primary: bool, sync: bool) -> IdentityContext {
    IdentityContext::new("x", connection, kind)
        .with_primary(primary)
        .with_sync_root_attributes(sync)
}

fn ctx(identities: Vec<IdentityContext>) -> TargetContext {
    TargetContext::new(identities)
}

#[test]
fn synced_social_root_attributes_name_the_connection() {
    let c = ctx(vec![identity(
        "google-oauth2",
        ConnectionKind::Social,
        true,
        true,
    )]);
    let update: UserUpdate = serde_json::from_value(json!({"name": "N", "picture": null})).unwrap();
    let all = violations(validate_update(&update, Some(&c)));
    assert_eq!(all.len(), 2);
    assert!(
        all.iter()
            .all(|v| v.error_code() == "operation_not_supported")
    );
    assert_eq!(
        all[0].message,
        "The following user attributes cannot be updated: name, picture. The connection \
         (google-oauth2) must either be a database connection (using the Auth0 store), a \
         passwordless connection (email or sms) or has disabled 'Sync user profile attributes at \
         each login'."
    );
    let unsynced = ctx(vec![identity(
        "google-oauth2",
        ConnectionKind::Social,
        true,
        false,
    )]);
    assert_eq!(validate_update(&update, Some(&unsynced)), Ok(()));
    let db = ctx(vec![identity(
        "db",
        ConnectionKind::Database {
            requires_username: false,
        },
        true,
        true,
    )]);
    assert_eq!(validate_update(&update, Some(&db)), Ok(()));
}

#[test]
fn secondary_identity_fields_need_connection() {
    let c = ctx(vec![
        identity("google-oauth2", ConnectionKind::Social, true, false),
        identity(
            "db",
            ConnectionKind::Database {
                requires_username: true,
            },
            false,
            false,
        ),
    ]);
    let update = UserUpdate::default().password(Password::new("pw"));
    let v = only(validate_update(&update, Some(&c)));
    assert_eq!(
        (v.path.as_str(), v.kind),
        ("password", ViolationKind::ConnectionRequired)
    );
    assert_eq!(
        validate_update(&update.clone().connection("db"), Some(&c)),
        Ok(())
    );
    let v = only(validate_update(&update.connection("nope"), Some(&c)));
    assert_eq!(
        (v.path.as_str(), v.message.as_str()),
        (
            "connection",
            "Connection is not supported for this operation."
        )
    );
    let root: UserUpdate =
        serde_json::from_value(json!({"nickname": "n", "connection": "db"})).unwrap();
    let v = only(validate_update(&root, Some(&c)));
    assert!(
        v.message
            .ends_with("The specified connection belongs to a secondary identity.")
    );
}

#[test]
fn connection_capabilities() {
    let enterprise = ctx(vec![identity(
        "saml",
        ConnectionKind::Enterprise,
        true,
        false,
    )]);
    let sms = ctx(vec![identity(
        "sms",
        ConnectionKind::PasswordlessSms,
        true,
        false,
    )]);
    let plain_db = ctx(vec![identity(
        "db",
        ConnectionKind::Database {
            requires_username: false,
        },
        true,
        false,
    )]);
    let verified = set("email_verified", json!(true));
    assert_eq!(
        only(validate_update(&verified, Some(&enterprise))).message,
        "Email verification is not supported for enterprise users."
    );
    assert_eq!(
        only(validate_update(&verified, Some(&sms))).message,
        "Updating email_verified is not supported for enterprise and passwordless sms connections."
    );
    assert_eq!(validate_update(&verified, Some(&plain_db)), Ok(()));
    let v = only(validate_update(
        &set("username", json!("joe")),
        Some(&plain_db),
    ));
    assert_eq!(
        v.message,
        "Cannot set username for connection without requires_username."
    );
    let v = only(validate_update(
        &UserUpdate::default().password(Password::new("pw")),
        Some(&sms),
    ));
    assert_eq!(
        (v.kind, v.error_code()),
        (ViolationKind::Unsupported, "operation_not_supported")
    );
}

#[test]
fn create_rules() {
    let mut create = UserCreate::new("");
    create.email = Some("bad".into());
    create.user_id = Some("has space".into());
    create.extra.insert("logins_count".into(), json!(1));
    let all = violations(validate_create(&create, None));
    let paths: Vec<&str> = all.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["logins_count", "connection", "email", "user_id"]);
    assert_eq!(
        all[1].message,
        "Payload validation error: 'String is too short (0 chars), minimum 1' on property connection \
         (Name of the connection this user should be created in.)."
    );
    let mut ok = UserCreate::new("Username-Password-Authentication");
    ok.email = Some("a@example.com".into());
    ok.password = Some(Password::new("Passwords hide their chuck"));
    ok.username = Some("test-user983".into());
    let kind = ConnectionKind::Database {
        requires_username: true,
    };
    assert_eq!(validate_create(&ok, Some(&kind)), Ok(()));
    let all = violations(validate_create(&ok, Some(&ConnectionKind::Social)));
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[1].path, "username");
    let v = all[0].clone();
    assert_eq!(v.path, "connection");
    assert_eq!(
        v.message,
        "Connection does not support user creation through the API. It must either be a database or passwordless connection."
    );
    let mut sms = UserCreate::new("sms");
    sms.phone_number = Some("+15550100".into());
    assert_eq!(
        validate_create(&sms, Some(&ConnectionKind::PasswordlessSms)),
        Ok(())
    );
}

#[test]
fn link_rules() {
    let token = |s: &str| LinkRequest::Token {
        link_with: LinkToken::new(s),
    };
    assert_eq!(
        validate_link(&token("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")),
        Ok(())
    );
    for bad in ["", "abc", "a.b.", "a b.c.d"] {
        let v = only(validate_link(&token(bad)));
        assert_eq!(
            (v.path.as_str(), v.message.as_str()),
            ("link_with", "Invalid token (link_with).")
        );
    }
    let identity =
        |provider: &str, user_id: IdentityUserId, conn: Option<&str>| LinkRequest::Identity {
            provider: Provider::from(provider),
            user_id,
            connection_id: conn.map(str::to_owned),
        };
    assert_eq!(
        validate_link(&identity("google-oauth2", "1080912".into(), None)),
        Ok(())
    );
    assert_eq!(
        validate_link(&identity("github", 42u64.into(), None)),
        Ok(())
    );
    let all = violations(validate_link(&identity(
        "myidp",
        "".into(),
        Some("con_short"),
    )));
    let paths: Vec<&str> = all.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["provider", "user_id", "connection_id"]);
    assert!(all[0].message.contains("'No enum match for: myidp'"));
    assert_eq!(all[1].kind, ViolationKind::TooShort);
    assert!(
        all[2]
            .message
            .contains("'String does not match pattern ^con_[A-Za-z0-9]{16}$: con_short'")
    );
    let fractional = IdentityUserId::Number(serde_json::Number::from_f64(1.5).unwrap());
    assert_eq!(
        only(validate_link(&identity("github", fractional, None))).kind,
        ViolationKind::InvalidType
    );
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arbitrary_body() -> impl Strategy<Value = serde_json::Map<String, Value>> {
    let field = prop_oneof![
        Just("email".to_owned()),
        Just("phone_number".to_owned()),
        Just("username".to_owned()),
        Just("password".to_owned()),
        Just("name".to_owned()),
        Just("nickname".to_owned()),
        Just("picture".to_owned()),
        Just("given_name".to_owned()),
        Just("client_id".to_owned()),
        Just("connection".to_owned()),
        Just("user_metadata".to_owned()),
        Just("app_metadata".to_owned()),
        Just("email_verified".to_owned()),
        Just("blocked".to_owned()),
        ".{0,10}",
    ];
    let value = prop_oneof![arbitrary_json(), ".{0,300}".prop_map(Value::from)];
    proptest::collection::btree_map(field, value, 0..8).prop_map(|m| m.into_iter().collect())
}

fn arbitrary_ctx() -> impl Strategy<Value = Option<TargetContext>> {
    let kind = prop_oneof![
        any::<bool>().prop_map(|r| ConnectionKind::Database {
            requires_username: r
        }),
        Just(ConnectionKind::Social),
        Just(ConnectionKind::Enterprise),
        Just(ConnectionKind::PasswordlessSms),
        Just(ConnectionKind::PasswordlessEmail),
        Just(ConnectionKind::Other),
    ];
    let one = (
        "[a-z]{0,4}",
        "[a-z-]{0,6}",
        kind,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(provider, connection, kind, primary, sync)| {
            IdentityContext::new(provider, connection, kind)
                .with_primary(primary)
                .with_sync_root_attributes(sync)
        });
    proptest::option::of(proptest::collection::vec(one, 0..4).prop_map(TargetContext::new))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
    ))]

    /// Anything that parses as a body validates without panicking, with or without context.
    #[test]
    fn validation_never_panics(body in arbitrary_body(), ctx in arbitrary_ctx()) {
        if let Ok(update) = serde_json::from_value::<UserUpdate>(Value::Object(body.clone())) {
            let _ = validate_update(&update, ctx.as_ref());
        }
        let mut create_body = body.clone();
        create_body.insert("connection".into(), json!("c"));
        if let Ok(create) = serde_json::from_value::<UserCreate>(Value::Object(create_body)) {
            let _ = validate_create(&create, None);
            let _ = validate_create(&create, Some(&ConnectionKind::Social));
        }
        if let Ok(link) = serde_json::from_value::<LinkRequest>(Value::Object(body)) {
            let _ = validate_link(&link);
        }
    }

    /// Arbitrary strings in every string field never panic either (parsing filters less here).
    #[test]
    fn validation_never_panics_on_arbitrary_strings(s in ".{0,200}", t in "\\PC{0,80}", ctx in arbitrary_ctx()) {
        let mut update = UserUpdate::default();
        update.email = Patch::Set(s.clone());
        update.phone_number = Patch::Set(t.clone());
        update.username = Patch::Set(s.clone());
        update.picture = Patch::Set(t.clone());
        update.name = Patch::Set(s.clone());
        update.password = Patch::Set(Password::new(t.clone()));
        update.connection = Some(t.clone());
        update.client_id = Some(s.clone());
        let _ = validate_update(&update, ctx.as_ref());
        let _ = validate_link(&LinkRequest::Token { link_with: LinkToken::new(s.clone()) });
        let _ = validate_link(&LinkRequest::Identity { provider: Provider::from(t.as_str()), user_id: s.clone().into(), connection_id: Some(t) });
    }

    /// Every update of the valid-update generator passes, alone and against a database user.
    #[test]
    fn valid_updates_are_accepted(update in strategies::valid_update()) {
        prop_assert_eq!(validate_update(&update, None), Ok(()));
        let mut c = ctx(vec![identity("db", ConnectionKind::Database { requires_username: true }, true, false)]);
        if let Some(conn) = &update.connection {
            c.identities[0].connection = conn.clone();
        }
        prop_assert_eq!(validate_update(&update, Some(&c)), Ok(()));
    }
}
