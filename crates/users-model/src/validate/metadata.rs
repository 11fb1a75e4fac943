//! Metadata rules: no `.` or `$` in field names and the reserved `app_metadata` keys
//! (users-api.md §2), and a nesting limit ([`MAX_METADATA_DEPTH`]).

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

/// The deepest nesting accepted in `user_metadata` or `app_metadata`, counting the metadata
/// object itself as level 1 and each object or array inside it as one more level.
///
/// Auth0 documents no depth limit (its metadata page only advises against "deep structures").
/// This one exists so that anything accepted can also be read back: JSON readers refuse
/// documents nested beyond a recursion limit (serde_json: 128 levels), and a stored user wraps
/// its metadata in two more levels (the user object, and the metadata field's parent when the
/// user is embedded in a larger document). 100 leaves comfortable room below 128.
pub const MAX_METADATA_DEPTH: usize = 100;

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

/// The nesting level of a container reached through `trail` (the metadata object is level 1).
fn level(trail: &[Step<'_>]) -> usize {
    trail.len() + 1
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
    let container = matches!(value, Value::Object(_) | Value::Array(_));
    if container && level(trail) > MAX_METADATA_DEPTH {
        // Reported once per branch, at the first level too deep; nothing below it is read, so
        // checking costs no recursion deeper than the limit whatever the input.
        let path = render(which, trail);
        out.push(Violation::new(
            path.clone(),
            ViolationKind::TooDeep,
            payload_error(
                &format!("Metadata is nested too deeply (more than {MAX_METADATA_DEPTH} levels)"),
                &path,
                which.description(),
            ),
        ));
        return;
    }
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
