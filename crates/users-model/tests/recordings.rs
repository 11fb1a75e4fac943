//! Every body of the recorded exchanges that this crate has a type for parses into that type and
//! re-serializes to the same JSON (compared as `serde_json::Value`, so key order does not matter).
//!
//! Bodies are classified by endpoint (method, path shape, status) read from each file, never by
//! file name, so new recordings are picked up automatically.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use users_model::{
    ApiErrorBody, Identity, LinkRequest, Provider, Timestamp, User, UserBlocks, UserCreate, UserId,
    UserUpdate, UsersPage,
};

/// Root attributes `User` has typed fields for: if one of them ends up in `extra`, a serde
/// rename is wrong even though the round trip would still succeed.
const USER_FIELDS: &[&str] = &[
    "user_id",
    "email",
    "email_verified",
    "username",
    "phone_number",
    "phone_verified",
    "created_at",
    "updated_at",
    "identities",
    "app_metadata",
    "user_metadata",
    "picture",
    "name",
    "nickname",
    "multifactor",
    "multifactor_last_modified",
    "last_ip",
    "last_login",
    "last_password_reset",
    "logins_count",
    "blocked",
    "given_name",
    "family_name",
];
const IDENTITY_FIELDS: &[&str] = &[
    "connection",
    "user_id",
    "provider",
    "isSocial",
    "profileData",
    "access_token",
    "access_token_secret",
    "refresh_token",
];

fn recordings_dir() -> PathBuf {
    users_fixtures::recordings_dir()
}

/// The first place two JSON values differ, as a JSON-pointer-like path.
fn first_diff(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let sub = format!("{path}/{key}");
                match (x.get(key), y.get(key)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_diff(u, v, &sub) {
                            return Some(d);
                        }
                    }
                    (Some(_), None) => return Some(format!("{sub} lost")),
                    (None, _) => return Some(format!("{sub} added")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_diff(u, v, &format!("{path}/{i}"))),
        _ if a == b => None,
        // Values are not printed: request bodies hold (public, recorded) passwords.
        _ => Some(format!("{path} changed")),
    }
}

/// Parses `body` as `T` and checks that serializing it gives the same JSON back.
fn round_trip<T: DeserializeOwned + Serialize>(file: &str, what: &str, body: &Value) -> T {
    let typed: T = match serde_json::from_value(body.clone()) {
        Ok(t) => t,
        Err(e) => panic!("{file}: {what} does not parse: {e}"),
    };
    let back = match serde_json::to_value(&typed) {
        Ok(v) => v,
        Err(e) => panic!("{file}: {what} does not serialize: {e}"),
    };
    if let Some(diff) = first_diff(body, &back, "") {
        panic!("{file}: {what} round trip differs at {diff}");
    }
    typed
}

#[derive(Default)]
struct Counts(BTreeMap<&'static str, usize>);

impl Counts {
    fn add(&mut self, what: &'static str, n: usize) {
        *self.0.entry(what).or_default() += n;
    }

    fn get(&self, what: &str) -> usize {
        self.0.get(what).copied().unwrap_or(0)
    }
}

fn check_user(file: &str, user: &User, counts: &mut Counts) {
    for field in USER_FIELDS {
        assert!(
            !user.extra.contains_key(*field),
            "{file}: `{field}` landed in User::extra"
        );
    }
    for identity in user.identities.iter().flatten() {
        check_identity(file, identity, counts);
    }
    // Every recorded timestamp is in the one form `Timestamp` prints.
    for stamp in [
        &user.created_at,
        &user.updated_at,
        &user.last_login,
        &user.last_password_reset,
        &user.multifactor_last_modified,
    ]
    .into_iter()
    .flatten()
    {
        let parsed = Timestamp::parse(stamp).map(|t| t.to_string());
        assert_eq!(
            parsed.as_deref(),
            Some(stamp.as_str()),
            "{file}: timestamp {stamp}"
        );
        counts.add("timestamps", 1);
    }
    // The user id is the primary identity's `provider|user_id`, split at the first `|`.
    let primary = user.identities.as_ref().and_then(|ids| ids.first());
    if let (Some(id), Some(primary)) = (&user.user_id, primary) {
        let id = UserId::new(id.as_str()).unwrap_or_else(|e| panic!("{file}: {e}"));
        let provider = primary.provider.as_ref().map(Provider::as_str);
        assert_eq!(id.provider(), provider, "{file}: provider of {id}");
        let bare = primary.user_id.as_ref().map(ToString::to_string);
        assert_eq!(Some(id.id()), bare.as_deref(), "{file}: id of {id}");
        counts.add("user ids", 1);
    }
    counts.add("users", 1);
}

fn check_identity(file: &str, identity: &Identity, counts: &mut Counts) {
    for field in IDENTITY_FIELDS {
        assert!(
            !identity.extra.contains_key(*field),
            "{file}: `{field}` landed in Identity::extra"
        );
    }
    counts.add("identities", 1);
}

fn check_users(file: &str, body: &Value, counts: &mut Counts) {
    let users: Vec<User> = round_trip(file, "user list", body);
    for user in &users {
        check_user(file, user, counts);
    }
    counts.add("user lists", 1);
}

fn check_identities(file: &str, body: &Value, counts: &mut Counts) {
    let identities: Vec<Identity> = round_trip(file, "identities", body);
    for identity in &identities {
        check_identity(file, identity, counts);
    }
    counts.add("identity arrays", 1);
}

fn check_file(file: &str, exchange: &Value, counts: &mut Counts) {
    let request = &exchange["request"];
    let response = &exchange["response"];
    let (Some(method), Some(path), Some(status)) = (
        request["method"].as_str(),
        request["path"].as_str(),
        response["status"].as_u64(),
    ) else {
        panic!("{file}: not an exchange (method, path, status missing)");
    };
    let path = path.split('?').next().unwrap_or(path);
    let Some(rest) = path.strip_prefix("/api/v2/") else {
        return; // e.g. /oauth/token: not a Management API body
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let body = &response["body"];
    let req_body = &request["body"];

    if status >= 400 && body.is_object() {
        let _: ApiErrorBody = round_trip(file, "error body", body);
        counts.add("error bodies", 1);
        return;
    }
    match (method, segments.as_slice(), status) {
        ("GET", ["users"], 200) if body.is_array() => check_users(file, body, counts),
        ("GET", ["users"], 200) => {
            let page: UsersPage = round_trip(file, "users page", body);
            assert!(
                page.extra.is_empty(),
                "{file}: unexpected page keys {:?}",
                page.extra.keys()
            );
            for user in &page.users {
                check_user(file, user, counts);
            }
            counts.add("users pages", 1);
        }
        ("GET", ["users-by-email"], 200) => check_users(file, body, counts),
        ("POST", ["users"], 201) => {
            let user: User = round_trip(file, "created user", body);
            check_user(file, &user, counts);
            let _: UserCreate = round_trip(file, "create body", req_body);
            counts.add("create bodies", 1);
        }
        ("GET", ["users", _], 200) => {
            let user: User = round_trip(file, "user", body);
            check_user(file, &user, counts);
        }
        ("PATCH", ["users", _], 200) => {
            let user: User = round_trip(file, "patched user", body);
            check_user(file, &user, counts);
            let update: UserUpdate = round_trip(file, "update body", req_body);
            assert!(
                update.extra.is_empty(),
                "{file}: unknown update keys {:?}",
                update.extra.keys()
            );
            counts.add("update bodies", 1);
        }
        ("POST", ["users", _, "identities"], 201) => {
            check_identities(file, body, counts);
            let _: LinkRequest = round_trip(file, "link body", req_body);
            counts.add("link bodies", 1);
        }
        ("DELETE", ["users", _, "identities", _, _], 200) => check_identities(file, body, counts),
        ("GET", ["user-blocks"] | ["user-blocks", _], 200) => {
            let _: UserBlocks = round_trip(file, "user blocks", body);
            counts.add("user blocks", 1);
        }
        _ => {}
    }
}

#[test]
fn recorded_bodies_round_trip() {
    let dir = recordings_dir();
    let files = users_fixtures::json_files(&dir, 250);
    let mut counts = Counts::default();
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !name.ends_with(".json") || name == "MANIFEST.json" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let exchange: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        check_file(&name, &exchange, &mut counts);
        counts.add("files", 1);
    }
    println!("checked: {:?}", counts.0);
    // Floors well under what the recordings hold today, so the test cannot pass on nothing.
    for (what, floor) in [
        ("files", 200),
        ("users", 100),
        ("identities", 100),
        ("user lists", 10),
        ("users pages", 1),
        ("identity arrays", 5),
        ("error bodies", 1),
        ("user blocks", 1),
        ("create bodies", 50),
        ("update bodies", 5),
        ("link bodies", 3),
        ("timestamps", 300),
        ("user ids", 100),
    ] {
        assert!(
            counts.get(what) >= floor,
            "only {} {what} checked (want >= {floor})",
            counts.get(what)
        );
    }
}
