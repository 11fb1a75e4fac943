//! Serde round trips of the wire types, and the timestamp form, over generated input.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use users_model::{
    IdentityUserId, LinkRequest, LinkToken, MetadataPatch, Password, Patch, Provider, Timestamp,
    User, UserUpdate, validate_update, validate_update_with_len,
};

/// Modest by default; `PROPTEST_CASES` overrides.
fn config(cases: u32) -> ProptestConfig {
    if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(cases)
    }
}

/// Floats with short exact decimal forms, so text round trips are exact whatever float parser
/// serde_json uses.
fn float() -> impl Strategy<Value = f64> {
    any::<i32>().prop_map(|n| f64::from(n) / 8.0)
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        float().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ]
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z_.$ ]{0,8}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec(("[a-zA-Z_]{1,8}", json_value()), 0..4)
        .prop_map(|kv| kv.into_iter().collect())
}

/// Keys no typed struct knows (the `x-` prefix keeps them clear of every field name).
fn unknown_fields() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec(("x-[a-z_]{1,8}", json_value()), 0..3)
}

fn text() -> BoxedStrategy<Value> {
    any::<String>().prop_map(Value::from).boxed()
}

fn boolean() -> BoxedStrategy<Value> {
    any::<bool>().prop_map(Value::from).boxed()
}

fn field(key: &'static str, value: BoxedStrategy<Value>) -> BoxedStrategy<Option<(String, Value)>> {
    proptest::option::of(value.prop_map(move |v| (key.to_owned(), v))).boxed()
}

fn object_of(fields: Vec<BoxedStrategy<Option<(String, Value)>>>) -> impl Strategy<Value = Value> {
    (fields, unknown_fields()).prop_map(|(known, unknown)| {
        Value::Object(known.into_iter().flatten().chain(unknown).collect())
    })
}

fn identity_json() -> impl Strategy<Value = Value> {
    let user_id = prop_oneof![
        any::<String>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        float().prop_map(Value::from),
    ]
    .boxed();
    let provider = prop_oneof![
        prop::sample::select(vec![
            "auth0",
            "google-oauth2",
            "sms",
            "email",
            "samlp",
            "waad",
            "github"
        ])
        .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ]
    .boxed();
    object_of(vec![
        field("connection", text()),
        field("user_id", user_id),
        field("provider", provider),
        field("isSocial", boolean()),
        field("profileData", json_object().prop_map(Value::Object).boxed()),
        field("access_token", text()),
        field("access_token_secret", text()),
        field("refresh_token", text()),
    ])
}

/// A user object as the server could send it: any subset of the known fields with their wire
/// types, plus unknown fields.
fn user_json() -> impl Strategy<Value = Value> {
    let metadata = || json_object().prop_map(Value::Object).boxed();
    object_of(vec![
        field("user_id", text()),
        field("email", text()),
        field("email_verified", boolean()),
        field("username", text()),
        field("phone_number", text()),
        field("phone_verified", boolean()),
        field("created_at", text()),
        field("updated_at", text()),
        field(
            "identities",
            prop::collection::vec(identity_json(), 0..3)
                .prop_map(Value::Array)
                .boxed(),
        ),
        field("app_metadata", metadata()),
        field("user_metadata", metadata()),
        field("picture", text()),
        field("name", text()),
        field("nickname", text()),
        field(
            "multifactor",
            prop::collection::vec(any::<String>(), 0..3)
                .prop_map(Value::from)
                .boxed(),
        ),
        field("multifactor_last_modified", text()),
        field("last_ip", text()),
        field("last_login", text()),
        field("last_password_reset", text()),
        field("logins_count", any::<u64>().prop_map(Value::from).boxed()),
        field("blocked", boolean()),
        field("given_name", text()),
        field("family_name", text()),
    ])
}

fn patch<T: std::fmt::Debug + Clone>(
    value: impl Strategy<Value = T>,
) -> impl Strategy<Value = Patch<T>> {
    prop_oneof![
        Just(Patch::Keep),
        Just(Patch::Clear),
        value.prop_map(Patch::Set)
    ]
}

fn metadata_patch() -> impl Strategy<Value = Option<MetadataPatch>> {
    proptest::option::of(json_object().prop_map(MetadataPatch::from))
}

fn user_update() -> impl Strategy<Value = UserUpdate> {
    let s = || patch(any::<String>());
    let b = || proptest::option::of(any::<bool>());
    let strings = (
        s(),
        s(),
        s(),
        s(),
        s(),
        s(),
        s(),
        s(),
        patch(any::<String>().prop_map(Password::new)),
    );
    let flags = (b(), b(), b(), b(), b());
    let rest = (
        proptest::option::of(any::<String>()),
        proptest::option::of(any::<String>()),
        metadata_patch(),
        metadata_patch(),
        unknown_fields(),
    );
    (strings, flags, rest).prop_map(
        |(
            (
                email,
                phone_number,
                given_name,
                family_name,
                name,
                nickname,
                picture,
                username,
                password,
            ),
            (blocked, email_verified, phone_verified, verify_email, verify_phone_number),
            (connection, client_id, user_metadata, app_metadata, extra),
        )| {
            let mut v = UserUpdate::default();
            v.email = email;
            v.phone_number = phone_number;
            v.given_name = given_name;
            v.family_name = family_name;
            v.name = name;
            v.nickname = nickname;
            v.picture = picture;
            v.username = username;
            v.password = password;
            v.blocked = blocked;
            v.email_verified = email_verified;
            v.phone_verified = phone_verified;
            v.verify_email = verify_email;
            v.verify_phone_number = verify_phone_number;
            v.connection = connection;
            v.client_id = client_id;
            v.user_metadata = user_metadata;
            v.app_metadata = app_metadata;
            v.extra = extra.into_iter().collect();
            v
        },
    )
}

/// How a nullable field must appear in the body: absent for `Keep`, `null` for `Clear`.
fn check_patch<T: serde::Serialize>(
    body: &Map<String, Value>,
    key: &str,
    patch: &Patch<T>,
) -> Result<(), TestCaseError> {
    match patch {
        Patch::Keep => prop_assert!(!body.contains_key(key), "{} left alone but sent", key),
        Patch::Clear => prop_assert_eq!(body.get(key), Some(&Value::Null), "{}", key),
        Patch::Set(v) => prop_assert_eq!(
            body.get(key),
            Some(&serde_json::to_value(v).unwrap()),
            "{}",
            key
        ),
    }
    Ok(())
}

fn check_option<T: serde::Serialize>(
    body: &Map<String, Value>,
    key: &str,
    value: &Option<T>,
) -> Result<(), TestCaseError> {
    match value {
        None => prop_assert!(!body.contains_key(key), "{} unset but sent", key),
        Some(v) => prop_assert_eq!(
            body.get(key),
            Some(&serde_json::to_value(v).unwrap()),
            "{}",
            key
        ),
    }
    Ok(())
}

/// Days from 1970-01-01, counted year by year and month by month: slow but independent of the
/// closed-form arithmetic in `Timestamp`.
fn naive_days(year: i64, month: i64, day: i64) -> i64 {
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let year_len = |y: i64| if leap(y) { 366 } else { 365 };
    let mut days = if year >= 1970 {
        (1970..year).map(year_len).sum::<i64>()
    } else {
        -(year..1970).map(year_len).sum::<i64>()
    };
    let month_lens = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    days += month_lens.iter().take((month - 1) as usize).sum::<i64>();
    days + day - 1
}

const MIN_MILLIS: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_MILLIS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

#[test]
fn timestamp_vectors() {
    assert_eq!(
        Timestamp::from_millis(0).to_string(),
        "1970-01-01T00:00:00.000Z"
    );
    assert_eq!(
        Timestamp::from_millis(MIN_MILLIS).to_string(),
        "0000-01-01T00:00:00.000Z"
    );
    assert_eq!(
        Timestamp::from_millis(MAX_MILLIS).to_string(),
        "9999-12-31T23:59:59.999Z"
    );
    let recorded = Timestamp::parse("2023-01-25T19:00:58.788Z").unwrap();
    assert_eq!(recorded.as_millis(), 1_674_673_258_788);
    assert_eq!(recorded.to_string(), "2023-01-25T19:00:58.788Z");
    assert_eq!(
        Timestamp::parse("2023-01-25T19:00:58Z").map(Timestamp::as_millis),
        Some(1_674_673_258_000)
    );
    assert_eq!(
        serde_json::to_value(recorded).unwrap(),
        json!("2023-01-25T19:00:58.788Z")
    );
    assert_eq!(
        serde_json::from_value::<Timestamp>(json!("2023-01-25T19:00:58.788Z")).unwrap(),
        recorded
    );
    assert!(serde_json::from_value::<Timestamp>(json!("2023-01-25")).is_err());
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn user_json_round_trips_without_loss(original in user_json()) {
        let text = serde_json::to_string(&original).unwrap();
        let user: User = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(serde_json::to_value(&user).unwrap(), original.clone());
        // Known fields land in typed fields, not in `extra`.
        prop_assert!(user.extra.keys().all(|k| k.starts_with("x-")));
        for identity in user.identities.iter().flatten() {
            prop_assert!(identity.extra.keys().all(|k| k.starts_with("x-")));
        }
        // Lists of users too.
        let list = Value::Array(vec![original.clone(), original]);
        let users: Vec<User> = serde_json::from_value(list.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&users).unwrap(), list);
    }

    #[test]
    fn identity_user_id_keeps_its_json_form(id in prop_oneof![
        any::<String>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
    ]) {
        let parsed: IdentityUserId = serde_json::from_value(id.clone()).unwrap();
        prop_assert_eq!(matches!(parsed, IdentityUserId::String(_)), id.is_string());
        prop_assert_eq!(serde_json::to_value(&parsed).unwrap(), id.clone());
        let bare = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
        prop_assert_eq!(parsed.to_string(), bare);
    }

    #[test]
    fn user_update_round_trips_and_never_sends_keep(update in user_update()) {
        let text = serde_json::to_string(&update).unwrap();
        let parsed: UserUpdate = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&parsed, &update);
        let body: Map<String, Value> = serde_json::from_str(&text).unwrap();
        check_patch(&body, "email", &update.email)?;
        check_patch(&body, "phone_number", &update.phone_number)?;
        check_patch(&body, "given_name", &update.given_name)?;
        check_patch(&body, "family_name", &update.family_name)?;
        check_patch(&body, "name", &update.name)?;
        check_patch(&body, "nickname", &update.nickname)?;
        check_patch(&body, "picture", &update.picture)?;
        check_patch(&body, "username", &update.username)?;
        check_patch(&body, "password", &update.password.as_ref().map(Password::expose))?;
        check_option(&body, "blocked", &update.blocked)?;
        check_option(&body, "email_verified", &update.email_verified)?;
        check_option(&body, "phone_verified", &update.phone_verified)?;
        check_option(&body, "verify_email", &update.verify_email)?;
        check_option(&body, "verify_phone_number", &update.verify_phone_number)?;
        check_option(&body, "connection", &update.connection)?;
        check_option(&body, "client_id", &update.client_id)?;
        check_option(&body, "user_metadata", &update.user_metadata)?;
        check_option(&body, "app_metadata", &update.app_metadata)?;
        prop_assert_eq!(body.len(), body.keys().filter(|k| !k.starts_with("x-")).count() + update.extra.len());
        prop_assert_eq!(update.is_empty(), text == "{}");
        // Debug output does not depend on the password at all.
        if update.password.is_set() {
            let mut other = update.clone();
            other.password = Patch::Set(Password::new(""));
            prop_assert_eq!(format!("{:?}", update), format!("{:?}", other));
        }
    }

    /// Validation with the size of the bytes actually sent is validation as such.
    #[test]
    fn validating_with_the_sent_length_is_the_same(update in user_update()) {
        let body = serde_json::to_vec(&update).unwrap();
        prop_assert_eq!(
            validate_update_with_len(&update, None, Some(body.len())),
            validate_update(&update, None)
        );
    }

    #[test]
    fn link_request_round_trips(
        provider in any::<String>(),
        user_id in prop_oneof![any::<String>().prop_map(IdentityUserId::from), any::<u64>().prop_map(IdentityUserId::from)],
        connection_id in proptest::option::of("con_[A-Za-z0-9]{16}"),
        token in any::<String>(),
    ) {
        for request in [
            LinkRequest::Identity { provider: Provider::from(provider.as_str()), user_id: user_id.clone(), connection_id: connection_id.clone() },
            LinkRequest::Token { link_with: LinkToken::new(token.clone()) },
        ] {
            let text = serde_json::to_string(&request).unwrap();
            prop_assert_eq!(serde_json::from_str::<LinkRequest>(&text).unwrap(), request);
        }
    }

    #[test]
    fn provider_round_trips_any_string(s in any::<String>()) {
        let provider: Provider = serde_json::from_value(Value::from(s.clone())).unwrap();
        prop_assert_eq!(provider.as_str(), s.as_str());
        prop_assert_eq!(serde_json::to_value(&provider).unwrap(), Value::from(s));
    }

    #[test]
    fn timestamp_display_parse_round_trip(millis in MIN_MILLIS..=MAX_MILLIS) {
        let t = Timestamp::from_millis(millis);
        let shown = t.to_string();
        prop_assert_eq!(shown.len(), 24);
        prop_assert_eq!(Timestamp::parse(&shown), Some(t));
    }

    #[test]
    fn timestamp_matches_naive_calendar(
        year in 0_i64..=9999, month in 1_i64..=12, day in 1_i64..=31,
        hour in 0_i64..24, minute in 0_i64..60, second in 0_i64..60, milli in 0_i64..1000,
    ) {
        let shown = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z");
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let month_len = match month { 2 if leap => 29, 2 => 28, 4 | 6 | 9 | 11 => 30, _ => 31 };
        match Timestamp::parse(&shown) {
            None => prop_assert!(day > month_len, "{} rejected", shown),
            Some(t) => {
                prop_assert!(day <= month_len, "{} accepted", shown);
                let expected = naive_days(year, month, day) * 86_400_000
                    + ((hour * 60 + minute) * 60 + second) * 1000 + milli;
                prop_assert_eq!(t.as_millis(), expected);
                prop_assert_eq!(t.to_string(), shown);
            }
        }
    }

    #[test]
    fn timestamp_order_matches_text_order(a in MIN_MILLIS..=MAX_MILLIS, b in MIN_MILLIS..=MAX_MILLIS) {
        let (ta, tb) = (Timestamp::from_millis(a), Timestamp::from_millis(b));
        prop_assert_eq!(ta.cmp(&tb), ta.to_string().cmp(&tb.to_string()));
    }

    #[test]
    fn timestamp_parse_never_panics(s in any::<String>()) {
        if let Some(t) = Timestamp::parse(&s) {
            prop_assert!(t.as_millis() >= MIN_MILLIS && t.as_millis() <= MAX_MILLIS);
        }
    }
}
