//! `apply_update`, `apply_metadata_patch` and `metadata_patch`: the rules one by one, then as
//! properties (case count from `PROPTEST_CASES`, 64 by default).

mod rules_support;

use proptest::prelude::*;
use rules_support::strategies;
use serde_json::{Value, json};
use users_model::{
    Metadata, MetadataPatch, Password, Patch, Timestamp, User, UserUpdate, ViolationKind,
    apply_metadata_patch, apply_update, apply_update_in_place, metadata_patch,
};

fn obj(v: Value) -> Metadata {
    v.as_object().cloned().expect("a JSON object")
}

fn now() -> Timestamp {
    Timestamp::parse("2024-06-01T10:20:30.456Z").unwrap()
}

fn db_user() -> User {
    serde_json::from_value(json!({
        "user_id": "auth0|63d17c4bdf1ce171262c7e93",
        "email": "chuck407@example.com",
        "email_verified": true,
        "name": "chuck407@example.com",
        "nickname": "Chucky",
        "given_name": "Chuck",
        "blocked": false,
        "phone_number": "+15550001",
        "phone_verified": true,
        "created_at": "2023-01-25T19:00:27.084Z",
        "updated_at": "2023-01-25T19:00:27.084Z",
        "user_metadata": {"favourite_attack": "roundhouse_kick"},
        "app_metadata": {"facts": ["count_to_infinity_twice"]},
        "identities": [{"connection": "Username-Password-Authentication",
                        "user_id": "63d17c4bdf1ce171262c7e93", "provider": "auth0", "isSocial": false}]
    }))
    .unwrap()
}

fn social_user() -> User {
    let mut u = db_user();
    u.user_id = Some("google-oauth2|1234".into());
    u.identities = serde_json::from_value(json!([{"connection": "google-oauth2",
        "user_id": "1234", "provider": "google-oauth2", "isSocial": true}]))
    .unwrap();
    u
}

#[test]
fn root_attributes_are_replaced_cleared_or_kept() {
    let mut update = UserUpdate::default();
    update.given_name = Patch::Set("Carlos".into());
    update.family_name = Patch::Set("Ray".into());
    update.nickname = Patch::Clear;
    update.blocked = Some(true);
    let out = apply_update(&db_user(), &update, now()).unwrap();
    assert_eq!(out.given_name.as_deref(), Some("Carlos"));
    assert_eq!(out.family_name.as_deref(), Some("Ray"));
    assert_eq!(out.nickname, None);
    assert_eq!(out.blocked, Some(true));
    assert_eq!(out.name, db_user().name, "untouched");
    assert_eq!(out.email, db_user().email, "untouched");
    assert_eq!(
        out.user_metadata,
        db_user().user_metadata,
        "metadata not sent stays"
    );
    assert_eq!(out.updated_at.as_deref(), Some("2024-06-01T10:20:30.456Z"));
    assert_eq!(out.created_at, db_user().created_at);
    assert_eq!(out.last_password_reset, None);
}

#[test]
fn email_is_lower_cased_for_database_users_only_and_unverified_when_changed() {
    let update = UserUpdate::default().email("Chuck.New@Example.COM");
    let out = apply_update(&db_user(), &update, now()).unwrap();
    assert_eq!(out.email.as_deref(), Some("chuck.new@example.com"));
    assert_eq!(out.email_verified, Some(false));
    assert_eq!(out.name, db_user().name, "name is not recomputed");
    assert_eq!(
        out.nickname,
        db_user().nickname,
        "nickname is not recomputed"
    );
    assert_eq!(
        out.blocked,
        db_user().blocked,
        "blocked does not follow the email"
    );

    let out = apply_update(&social_user(), &update, now()).unwrap();
    assert_eq!(out.email.as_deref(), Some("Chuck.New@Example.COM"));

    let mut same = UserUpdate::default().email("chuck407@example.com");
    let out = apply_update(&db_user(), &same, now()).unwrap();
    assert_eq!(
        out.email_verified,
        Some(true),
        "re-sending the stored address keeps verification"
    );

    same.email = Patch::Set("other@example.com".into());
    same.email_verified = Some(true);
    let out = apply_update(&db_user(), &same, now()).unwrap();
    assert_eq!(
        out.email_verified,
        Some(true),
        "an explicit email_verified wins"
    );
}

#[test]
fn phone_change_resets_phone_verified_and_username_is_lower_cased_for_database() {
    let mut update = UserUpdate::default();
    update.phone_number = Patch::Set("+15550002".into());
    let out = apply_update(&db_user(), &update, now()).unwrap();
    assert_eq!(out.phone_number.as_deref(), Some("+15550002"));
    assert_eq!(out.phone_verified, Some(false));

    let mut update = UserUpdate::default();
    update.username = Patch::Set("User_X".into());
    let out = apply_update(&db_user(), &update, now()).unwrap();
    assert_eq!(out.username.as_deref(), Some("user_x"));
}

#[test]
fn password_is_not_stored_but_sets_last_password_reset() {
    let update = UserUpdate::default()
        .password(Password::new("I don't need one"))
        .connection("Username-Password-Authentication");
    let out = apply_update(&db_user(), &update, now()).unwrap();
    assert_eq!(
        out.last_password_reset.as_deref(),
        Some("2024-06-01T10:20:30.456Z")
    );
    let text = serde_json::to_string(&out).unwrap();
    assert!(!text.contains("need one"));
    assert!(
        !out.extra.contains_key("connection"),
        "connection is not stored"
    );
    assert!(!out.extra.contains_key("password"));
}

#[test]
fn steering_fields_are_not_stored() {
    let mut update = UserUpdate::default();
    update.email = Patch::Set("n@example.com".into());
    update.verify_email = Some(true);
    update.client_id = Some("DaM8bokEXBWrTUFCiJjWn50jei6ardyX".into());
    let out = apply_update(&db_user(), &update, now()).unwrap();
    let mut expected = db_user();
    expected.email = Some("n@example.com".into());
    expected.email_verified = Some(false);
    expected.updated_at = Some(now().to_string());
    assert_eq!(out, expected);
}

#[test]
fn metadata_merges_at_the_first_level() {
    let mut user = db_user();
    user.user_metadata = Some(obj(
        json!({"baz": "qux", "foo": "bar", "deep": {"a": 1, "b": 2}}),
    ));
    let update = UserUpdate::default().user_metadata(MetadataPatch::from(obj(
        json!({"baz": null, "foo": "bars", "deep": {"a": 3}, "new": [1, 2]}),
    )));
    let out = apply_update(&user, &update, now()).unwrap();
    assert_eq!(
        out.user_metadata,
        Some(obj(json!({"foo": "bars", "deep": {"a": 3}, "new": [1, 2]})))
    );
    assert_eq!(out.app_metadata, user.app_metadata);
}

#[test]
fn empty_metadata_objects_clear_with_the_recorded_asymmetry() {
    let update = UserUpdate::default()
        .user_metadata(MetadataPatch::new())
        .app_metadata(MetadataPatch::new());
    let out = apply_update(&db_user(), &update, now()).unwrap();
    assert_eq!(out.user_metadata, Some(Metadata::new()));
    assert_eq!(out.app_metadata, None);
    let body = serde_json::to_value(&out).unwrap();
    assert_eq!(body["user_metadata"], json!({}));
    assert!(body.get("app_metadata").is_none());
}

#[test]
fn apply_metadata_patch_on_absent_metadata() {
    let mut patch = MetadataPatch::new();
    patch.set("a", 1).remove("b");
    assert_eq!(
        apply_metadata_patch(None, &patch),
        Some(obj(json!({"a": 1})))
    );
    assert_eq!(
        apply_metadata_patch(None, &MetadataPatch::new()),
        Some(Metadata::new())
    );
}

#[test]
fn metadata_patch_is_minimal() {
    let current = obj(json!({"same": 1, "changed": {"x": 1}, "gone": true}));
    let desired = obj(json!({"same": 1, "changed": {"x": 2}, "added": "v"}));
    let patch = metadata_patch(Some(&current), &desired).unwrap();
    assert_eq!(
        Value::Object(patch.into_map()),
        json!({"gone": null, "changed": {"x": 2}, "added": "v"})
    );
    assert_eq!(
        metadata_patch(Some(&current), &Metadata::new()),
        Some(MetadataPatch::new())
    );
    assert_eq!(metadata_patch(None, &Metadata::new()), None);
    assert_eq!(
        metadata_patch(Some(&Metadata::new()), &Metadata::new()),
        None
    );
    assert_eq!(metadata_patch(Some(&current), &current), None);
}

#[test]
fn invalid_updates_are_not_applied() {
    let err = apply_update(&db_user(), &UserUpdate::default(), now()).unwrap_err();
    assert_eq!(
        err.first().map(|v| v.kind),
        Some(ViolationKind::EmptyUpdate)
    );
    let mut update = UserUpdate::default();
    update.email = Patch::Set("x@example.com".into());
    update.username = Patch::Set("x".into());
    let err = apply_update(&db_user(), &update, now()).unwrap_err();
    assert_eq!(
        err.first().map(|v| v.message.as_str()),
        Some("Cannot update username and email simultaneously.")
    );
}

#[test]
fn connection_of_a_secondary_identity_updates_its_profile_data() {
    let mut user = db_user();
    user.identities = serde_json::from_value(json!([
        {"connection": "Username-Password-Authentication", "user_id": "63d17c4bdf1ce171262c7e93",
         "provider": "auth0", "isSocial": false},
        {"connection": "other-db", "user_id": "2", "provider": "auth0", "isSocial": false,
         "profileData": {"email": "two@example.com", "email_verified": true}}
    ]))
    .unwrap();
    let mut update = UserUpdate::default();
    update.email = Patch::Set("Two.New@Example.com".into());
    update.connection = Some("other-db".into());
    let out = apply_update(&user, &update, now()).unwrap();
    assert_eq!(out.email, user.email, "root email unchanged");
    let second = serde_json::to_value(&out.identities.unwrap()[1]).unwrap();
    assert_eq!(
        second["profileData"],
        json!({"email": "two.new@example.com", "email_verified": false})
    );
}

fn without_timestamps(mut u: User) -> User {
    u.updated_at = None;
    u.last_password_reset = None;
    u
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
    ))]

    /// apply(u, metadata_patch(u, d)) == d, directly and through apply_update for both fields.
    #[test]
    fn metadata_patch_reaches_the_desired_metadata(
        (current, desired) in strategies::current_and_desired(),
        absent in any::<bool>(),
        user in strategies::user(),
    ) {
        let current = if absent { None } else { Some(current) };
        let patch = metadata_patch(current.as_ref(), &desired);
        let direct = match &patch {
            Some(p) => apply_metadata_patch(current.as_ref(), p).unwrap_or_default(),
            None => current.clone().unwrap_or_default(),
        };
        prop_assert_eq!(&direct, &desired);
        if let Some(p) = patch {
            for (k, v) in p.as_map() {
                let cur = current.as_ref().and_then(|c| c.get(k));
                if v.is_null() {
                    prop_assert!(cur.is_some() && !desired.contains_key(k));
                } else {
                    prop_assert_eq!(desired.get(k), Some(v));
                    prop_assert_ne!(cur, Some(v));
                }
            }
            let mut before = user.clone();
            before.user_metadata = current.clone();
            before.app_metadata = current.clone().filter(|m| !m.is_empty());
            let update = UserUpdate::default().user_metadata(p.clone()).app_metadata(p);
            let after = apply_update(&before, &update, Timestamp::from_millis(0)).unwrap();
            prop_assert_eq!(after.user_metadata.unwrap_or_default(), desired.clone());
            prop_assert_eq!(after.app_metadata.unwrap_or_default(), desired);
        }
    }

    /// The in-place variant stores exactly what the copying one returns, refuses exactly what it
    /// refuses, and leaves the user untouched when it refuses.
    #[test]
    fn apply_update_in_place_matches_apply_update(
        user in strategies::user(),
        update in prop_oneof![
            3 => strategies::valid_update(),
            1 => Just(UserUpdate::default()),
            1 => strategies::valid_update().prop_map(|mut u| {
                u.email = Patch::Set("not an email".into());
                u
            }),
        ],
        millis in 0i64..4_102_444_800_000,
    ) {
        let now = Timestamp::from_millis(millis);
        let copied = apply_update(&user, &update, now);
        let mut in_place = user.clone();
        let result = apply_update_in_place(&mut in_place, &update, now);
        match copied {
            Ok(expected) => {
                prop_assert!(result.is_ok());
                prop_assert_eq!(in_place, expected);
            }
            Err(expected) => {
                prop_assert_eq!(result.err(), Some(expected));
                prop_assert_eq!(in_place, user);
            }
        }
    }

    /// Applying the same update twice gives what applying it once gives.
    #[test]
    fn apply_update_is_idempotent(user in strategies::user(), update in strategies::valid_update()) {
        let once = apply_update(&user, &update, Timestamp::from_millis(1)).unwrap();
        let twice = apply_update(&once, &update, Timestamp::from_millis(2)).unwrap();
        prop_assert_eq!(without_timestamps(once), without_timestamps(twice));
    }

    /// Keys not sent are untouched, null keys are gone, other keys take the sent value.
    #[test]
    fn metadata_merge_keeps_absent_keys_and_drops_null_ones(
        current in strategies::metadata(),
        patch in strategies::metadata_patch(),
    ) {
        let out = apply_metadata_patch(Some(&current), &patch).unwrap();
        if patch.is_empty() {
            prop_assert!(out.is_empty());
        } else {
            for (k, v) in &current {
                if !patch.as_map().contains_key(k) {
                    prop_assert_eq!(out.get(k), Some(v));
                }
            }
            for (k, v) in patch.as_map() {
                if v.is_null() {
                    prop_assert!(!out.contains_key(k));
                } else {
                    prop_assert_eq!(out.get(k), Some(v));
                }
            }
            prop_assert!(out.keys().all(|k| current.contains_key(k) || patch.as_map().contains_key(k)));
        }
    }

    /// Root attributes left alone stay; cleared ones are gone; set ones take the value.
    #[test]
    fn root_attributes_follow_their_patch(user in strategies::user(), update in strategies::valid_update()) {
        let out = apply_update(&user, &update, Timestamp::from_millis(0)).unwrap();
        for (patch, before, after) in [
            (&update.name, &user.name, &out.name),
            (&update.nickname, &user.nickname, &out.nickname),
            (&update.given_name, &user.given_name, &out.given_name),
            (&update.family_name, &user.family_name, &out.family_name),
            (&update.picture, &user.picture, &out.picture),
            (&update.phone_number, &user.phone_number, &out.phone_number),
        ] {
            match patch {
                Patch::Keep => prop_assert_eq!(after, before),
                Patch::Clear => prop_assert_eq!(after, &None),
                Patch::Set(v) => prop_assert_eq!(after.as_ref(), Some(v)),
            }
        }
        if update.email.is_keep() && update.email_verified.is_none() {
            prop_assert_eq!(out.email_verified, user.email_verified);
        }
        prop_assert_eq!(out.last_password_reset.is_some(), update.password.is_set());
        prop_assert_eq!(&out.identities, &user.identities);
    }
}
