//! Limits that keep every accepted body storable and addressable: the metadata nesting depth
//! and the length of a custom `user_id` with its provider prefix.

mod rules_support;

use proptest::prelude::*;
use rules_support::{only, violations};
use serde_json::{Value, json};
use users_model::{
    ConnectionKind, MAX_METADATA_DEPTH, MAX_PATH_ID_CHARS, Metadata, MetadataPatch, UserCreate,
    UserUpdate, ViolationKind, validate_create, validate_update,
};

/// Metadata whose deepest container is at `depth` (the metadata object is level 1); `arrays`
/// picks, level by level, an array instead of an object.
fn nested(depth: usize, arrays: &[bool]) -> Metadata {
    assert!(depth >= 1);
    let mut value = json!({});
    for level in (2..depth).rev() {
        value = if arrays.get(level % arrays.len().max(1)) == Some(&true) {
            json!([value])
        } else {
            json!({ "a": value })
        };
    }
    let mut map = Metadata::new();
    if depth >= 2 {
        map.insert("a".into(), value);
    }
    map
}

fn patch_of(map: Metadata) -> MetadataPatch {
    let mut patch = MetadataPatch::new();
    for (key, value) in map {
        patch.set(key, value);
    }
    patch
}

fn create_with(user: Option<Metadata>, app: Option<Metadata>) -> UserCreate {
    let mut create = UserCreate::new("Username-Password-Authentication");
    create.user_metadata = user;
    create.app_metadata = app;
    create
}

/// JSON nesting of `value` (a scalar is 0, `{}` is 1).
fn depth_of(value: &Value) -> usize {
    match value {
        Value::Object(map) => 1 + map.values().map(depth_of).max().unwrap_or(0),
        Value::Array(items) => 1 + items.iter().map(depth_of).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn the_helper_builds_the_depth_it_names() {
    for depth in [1, 2, 3, MAX_METADATA_DEPTH, MAX_METADATA_DEPTH + 1] {
        let map = nested(depth, &[false, true]);
        assert_eq!(depth_of(&Value::Object(map)), depth);
    }
}

#[test]
fn metadata_at_the_limit_is_accepted_on_create_and_update() {
    let deepest = nested(MAX_METADATA_DEPTH, &[false]);
    let create = create_with(Some(deepest.clone()), Some(deepest.clone()));
    assert_eq!(validate_create(&create, None), Ok(()));
    let update = UserUpdate::default()
        .user_metadata(patch_of(deepest.clone()))
        .app_metadata(patch_of(deepest));
    assert_eq!(validate_update(&update, None), Ok(()));
}

#[test]
fn one_level_deeper_is_refused_once_per_object_with_path_and_message() {
    let too_deep = nested(MAX_METADATA_DEPTH + 1, &[false]);
    let create = create_with(Some(too_deep.clone()), Some(too_deep.clone()));
    let all = violations(validate_create(&create, None));
    assert_eq!(all.len(), 2, "{all:?}");
    let expected_path = format!("user_metadata{}", ".a".repeat(MAX_METADATA_DEPTH));
    assert_eq!(all[0].path, expected_path);
    assert!(all[1].path.starts_with("app_metadata.a."));
    for v in &all {
        assert_eq!(v.kind, ViolationKind::TooDeep);
        assert_eq!(v.status(), 400);
        assert_eq!(v.error_code(), "invalid_body");
        assert!(
            v.message.starts_with(
                "Payload validation error: 'Metadata is nested too deeply (more than 100 levels)'"
            ),
            "{}",
            v.message
        );
    }
    let update = UserUpdate::default().user_metadata(patch_of(too_deep));
    assert_eq!(
        only(validate_update(&update, None)).kind,
        ViolationKind::TooDeep
    );
}

#[test]
fn far_deeper_metadata_is_refused_without_reading_past_the_limit() {
    // Past serde_json's own 128-level reader limit, as a caller can build it in memory.
    let map = nested(1000, &[true, false]);
    let v = only(validate_update(
        &UserUpdate::default().app_metadata(patch_of(map)),
        None,
    ));
    assert_eq!(v.kind, ViolationKind::TooDeep);
}

#[test]
fn depth_and_key_violations_are_reported_together() {
    let mut map = nested(MAX_METADATA_DEPTH + 1, &[false]);
    map.insert("bad.key".into(), json!(1));
    let kinds: Vec<ViolationKind> =
        violations(validate_create(&create_with(Some(map), None), None))
            .iter()
            .map(|v| v.kind)
            .collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&ViolationKind::TooDeep));
    assert!(kinds.contains(&ViolationKind::InvalidMetadataKey));
}

fn database() -> ConnectionKind {
    ConnectionKind::Database {
        requires_username: false,
    }
}

fn create_with_id(user_id: String) -> UserCreate {
    let mut create = UserCreate::new("Username-Password-Authentication");
    create.user_id = Some(user_id);
    create
}

#[test]
fn a_custom_user_id_must_fit_a_path_with_its_prefix() {
    for (kind, prefix) in [
        (database(), "auth0|"),
        (ConnectionKind::PasswordlessSms, "sms|"),
        (ConnectionKind::PasswordlessEmail, "email|"),
    ] {
        let room = MAX_PATH_ID_CHARS - prefix.len();
        // Characters, not bytes: a multi-byte id of exactly the room still fits.
        let fits = "é".repeat(room);
        assert_eq!(validate_create(&create_with_id(fits), Some(&kind)), Ok(()));
        let over = "x".repeat(room + 1);
        let v = only(validate_create(&create_with_id(over), Some(&kind)));
        assert_eq!(v.kind, ViolationKind::TooLong);
        assert_eq!(v.path, "user_id");
        assert_eq!(v.status(), 400);
        assert!(
            v.message.contains(&format!(
                "String is too long ({} chars), maximum {room}",
                room + 1
            )),
            "{}",
            v.message
        );
    }
}

#[test]
fn without_the_connection_only_the_schema_length_applies() {
    let id = "x".repeat(MAX_PATH_ID_CHARS);
    assert_eq!(validate_create(&create_with_id(id), None), Ok(()));
    let v = only(validate_create(
        &create_with_id("x".repeat(MAX_PATH_ID_CHARS + 1)),
        Some(&database()),
    ));
    // The schema's own 255 rule answers first; the prefix rule does not repeat it.
    assert_eq!(v.kind, ViolationKind::TooLong);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn depth_is_accepted_up_to_the_limit_only(
        depth in 1usize..(MAX_METADATA_DEPTH + 30),
        arrays in proptest::collection::vec(any::<bool>(), 1..6),
    ) {
        let map = nested(depth, &arrays);
        let accepted = validate_update(
            &UserUpdate::default().user_metadata(patch_of(map)),
            None,
        ).is_ok();
        prop_assert_eq!(accepted, depth <= MAX_METADATA_DEPTH);
    }

    #[test]
    fn user_id_length_rule_matches_the_path_rule(len in 240usize..260) {
        let result = validate_create(&create_with_id("u".repeat(len)), Some(&database()));
        prop_assert_eq!(result.is_ok(), len + "auth0|".len() <= MAX_PATH_ID_CHARS);
    }
}
