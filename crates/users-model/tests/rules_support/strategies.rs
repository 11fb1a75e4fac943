//! proptest generators: metadata, users, and updates the server accepts.

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use serde_json::{Map, Value};
use users_model::{
    Identity, Metadata, MetadataPatch, Password, Patch, Provider, RESERVED_APP_METADATA_KEYS, User,
    UserUpdate,
};

/// Metadata field names: no `.` or `$`, never a reserved `app_metadata` key.
pub fn key() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_-]{0,6}".prop_filter("reserved app_metadata key", |k| {
        !RESERVED_APP_METADATA_KEYS.contains(&k.as_str())
    })
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1.0e9..1.0e9f64).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ]
}

/// Any JSON value whose object keys (at every depth) are valid metadata field names.
pub fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(key(), inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// First-level-valid metadata: what the server can store (no `null` at the first level).
pub fn metadata() -> impl Strategy<Value = Metadata> {
    btree_map(
        key(),
        json().prop_filter("null deletes", |v| !v.is_null()),
        0..6,
    )
    .prop_map(|m| m.into_iter().collect::<Map<String, Value>>())
}

/// A current metadata and a desired one that shares some of its entries (kept as is), drops
/// others and adds or changes others, so minimality is exercised on overlapping keys.
pub fn current_and_desired() -> impl Strategy<Value = (Metadata, Metadata)> {
    (metadata(), metadata(), vec(any::<bool>(), 6)).prop_map(|(current, other, keep)| {
        let mut desired: Metadata = current
            .iter()
            .zip(keep.iter().cycle())
            .filter(|(_, keep)| **keep)
            .map(|((k, v), _)| (k.clone(), v.clone()))
            .collect();
        desired.extend(other);
        (current, desired)
    })
}

/// A metadata patch: values may be `null` (delete) or anything else.
pub fn metadata_patch() -> impl Strategy<Value = MetadataPatch> {
    btree_map(key(), json(), 0..5)
        .prop_map(|m| MetadataPatch::from(m.into_iter().collect::<Metadata>()))
}

pub fn email() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{1,10}(\\.[a-z0-9]{1,5})?@[a-z]{1,10}\\.(com|org|io)"
}

pub fn phone() -> impl Strategy<Value = String> {
    "\\+[0-9]{1,15}"
}

fn name(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("\\PC{{1,{}}}", max.min(40)))
        .expect("valid regex")
        .prop_filter("non-empty", |s| !s.is_empty())
}

fn picture() -> impl Strategy<Value = String> {
    "https://[a-z]{1,10}\\.com/[a-z0-9]{0,10}\\.png"
}

fn username() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_^~-]{1,20}"
}

fn password() -> impl Strategy<Value = Password> {
    "[!-~]{1,72}".prop_map(Password::new)
}

fn patch<T: std::fmt::Debug + Clone>(
    value: impl Strategy<Value = T>,
) -> impl Strategy<Value = Patch<T>> {
    prop_oneof![
        3 => Just(Patch::Keep),
        1 => Just(Patch::Clear),
        2 => value.prop_map(Patch::Set),
    ]
}

/// A user as the server returns it: a database or social primary identity, some attributes.
pub fn user() -> impl Strategy<Value = User> {
    (
        any::<bool>(),
        "[a-f0-9]{24}",
        option::of(email()),
        option::of(any::<bool>()),
        option::of(name(40)),
        option::of(username()),
        option::of(phone()),
        option::of(metadata()),
        option::of(metadata()),
        option::of(any::<bool>()),
    )
        .prop_map(
            |(
                database,
                id,
                email,
                verified,
                name,
                username,
                phone,
                user_meta,
                app_meta,
                blocked,
            )| {
                let provider = if database { "auth0" } else { "google-oauth2" };
                let mut identity = Identity::default();
                identity.connection = Some(if database { "db" } else { "google-oauth2" }.into());
                identity.user_id = Some(id.clone().into());
                identity.provider = Some(Provider::from(provider));
                identity.is_social = Some(!database);
                let mut user = User::default();
                user.user_id = Some(format!("{provider}|{id}"));
                user.email = email;
                user.email_verified = verified;
                user.name = name;
                user.username = username;
                user.phone_number = phone;
                user.user_metadata = user_meta;
                user.app_metadata = app_meta.filter(|m| !m.is_empty());
                user.blocked = blocked;
                user.created_at = Some("2023-01-25T19:00:27.084Z".into());
                user.updated_at = Some("2023-01-25T19:00:27.084Z".into());
                user.identities = Some(vec![identity]);
                user
            },
        )
}

/// Updates the server accepts on their own: valid formats, no forbidden pair, `client_id` only
/// with `email` or `phone_number`, at least one attribute.
pub fn valid_update() -> impl Strategy<Value = UserUpdate> {
    let identity = (
        patch(email()),
        patch(phone()),
        patch(username()),
        patch(password()),
        option::of(any::<bool>()),
        option::of(any::<bool>()),
    );
    let profile = (
        patch(name(150)),
        patch(name(150)),
        patch(name(300)),
        patch(name(300)),
        patch(picture()),
    );
    let flags = (
        option::of(any::<bool>()),
        option::of(any::<bool>()),
        option::of(any::<bool>()),
        option::of("[A-Za-z-]{1,20}"),
        option::of("[A-Za-z0-9]{32}"),
        option::of(metadata_patch()),
        option::of(metadata_patch()),
    );
    (identity, profile, flags).prop_map(|(identity, profile, flags)| {
        let (email, phone_number, username, password, email_verified, phone_verified) = identity;
        let (given_name, family_name, name, nickname, picture) = profile;
        let (blocked, verify_email, verify_phone_number, connection, client_id, um, am) = flags;
        let mut u = UserUpdate::default();
        u.email = email;
        u.phone_number = phone_number;
        u.username = username;
        u.password = password;
        u.email_verified = email_verified;
        u.phone_verified = phone_verified;
        u.given_name = given_name;
        u.family_name = family_name;
        u.name = name;
        u.nickname = nickname;
        u.picture = picture;
        u.blocked = blocked;
        u.verify_email = verify_email;
        u.verify_phone_number = verify_phone_number;
        u.connection = connection;
        u.client_id = client_id;
        u.user_metadata = um;
        u.app_metadata = am;
        // Resolve the forbidden pairs by dropping the later attribute of each.
        if !u.password.is_keep() {
            u.email = Patch::Keep;
            u.email_verified = None;
        }
        if !u.username.is_keep() {
            u.email = Patch::Keep;
            u.email_verified = None;
            u.password = Patch::Keep;
        }
        if u.email.is_keep() && u.phone_number.is_keep() {
            u.client_id = None;
        }
        let only_connection = {
            let mut v = u.clone();
            v.connection = None;
            v
        }
        .is_empty();
        if only_connection {
            u.blocked = Some(false);
        }
        u
    })
}
