//! Metadata key rules (users-api.md §2): no `.` or `$` in field names, and the reserved
//! `app_metadata` keys.

use serde_json::Value;

use super::format::payload_error;
use super::{Violation, ViolationKind};
use crate::Metadata;

/// Keys `app_metadata` must not contain (`D:…/metadata-fields-data` "Restrictions").
pub const RESERVED_APP_METADATA_KEYS: [&str; 18] = [
    "__tenant",
    "_id",
    "blocked",
    "clientID",
    "created_at",
    "email_verified",
    "email",
    "globalClientID",
    "global_client_id",
    "identities",
    "lastIP",
    "lastLogin",
    "loginsCount",
    "metadata",
    "multifactor_last_modified",
    "multifactor",
    "updated_at",
    "user_id",
];

/// Which metadata object is checked; it selects the description in messages.
#[derive(Clone, Copy)]
pub(crate) enum Which {
    User,
    App,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::User => "user_metadata",
            Which::App => "app_metadata",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Which::User => "User metadata to which this user has read/write access.",
            Which::App => "User metadata to which this user has read-only access.",
        }
    }
}

/// Checks every key of `map`, at every depth (objects inside objects and arrays).
///
/// The docs say field names "must not contain" `.` or `$` without limiting it to the first
/// level; the rule comes from the document store, which refuses such names at any depth, so
/// nested keys are checked too (**unconfirmed** depth). A `null` value at the first level is a
/// deletion in a patch, and its key is still checked (the server reads the key either way).
pub(crate) fn check(map: &Metadata, which: Which, out: &mut Vec<Violation>) {
    let root = which.name();
    let mut trail = Vec::new();
    for (key, value) in map {
        if matches!(which, Which::App) && RESERVED_APP_METADATA_KEYS.contains(&key.as_str()) {
            let path = child_path(root, key);
            out.push(Violation::new(
                path.clone(),
                ViolationKind::ReservedMetadataKey,
                payload_error(
                    &format!("Reserved app_metadata field name: {key}"),
                    &path,
                    which.description(),
                ),
            ));
        }
        trail.push(Step::Key(key));
        check_key(key, &trail, which, out);
        check_nested(value, &mut trail, which, out);
        trail.pop();
    }
}

/// One step of the path from the metadata root to the value being checked. The path string is
/// only built when a violation is recorded: metadata documents can be large and almost always
/// valid, so formatting a path per key would cost as much as parsing the document.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn render(which: Which, trail: &[Step<'_>]) -> String {
    trail
        .iter()
        .fold(which.name().to_owned(), |path, step| match step {
            Step::Key(key) => child_path(&path, key),
            Step::Index(i) => format!("{path}[{i}]"),
        })
}

fn check_nested<'a>(
    value: &'a Value,
    trail: &mut Vec<Step<'a>>,
    which: Which,
    out: &mut Vec<Violation>,
) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                trail.push(Step::Key(key));
                check_key(key, trail, which, out);
                check_nested(inner, trail, which, out);
                trail.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                trail.push(Step::Index(i));
                check_nested(item, trail, which, out);
                trail.pop();
            }
        }
        _ => {}
    }
}

fn check_key(key: &str, trail: &[Step<'_>], which: Which, out: &mut Vec<Violation>) {
    // One scan of the key's bytes for both characters (both are ASCII, so no byte of another
    // character can match).
    if key.bytes().any(|b| b == b'.' || b == b'$') {
        let path = render(which, trail);
        out.push(Violation::new(
            path.clone(),
            ViolationKind::InvalidMetadataKey,
            payload_error(
                &format!("Field names must not contain '.' or '$': {key}"),
                &path,
                which.description(),
            ),
        ));
    }
}

/// `parent.key` for plain keys, `parent["key"]` (JSON-escaped) for anything else, so a key with a
/// dot cannot be mistaken for two levels.
pub(crate) fn child_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{parent}.{key}")
    } else {
        let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("{key:?}"));
        format!("{parent}[{quoted}]")
    }
}
