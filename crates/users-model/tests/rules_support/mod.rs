//! Loading the recorded exchanges and finding the state a user was in before a request.
//!
//! A scenario is the files of one `test` of one source (the file-name prefix before `__`), ordered
//! by the `#index` of their `source`. The ruby suites share one test user across their tests
//! (`create_test_user` then `_patch_user`, ...); for those the scenario widens to the suite (the
//! part of `test` before the first `/`) and states are ordered by the server's own `updated_at`.
//! Candidates are found by scanning the files, never by name.

#![allow(dead_code)]

pub mod strategies;

use std::path::PathBuf;

use serde_json::{Value, json};
use users_model::{UserUpdate, Violation, Violations};

/// One recorded exchange.
#[derive(Debug, Clone)]
pub struct Recording {
    pub file: String,
    pub prefix: String,
    pub test: String,
    pub index: u64,
    pub method: String,
    pub path: String,
    pub request_body: Value,
    pub status: u64,
    pub response_body: Value,
}

impl Recording {
    /// The part of `test` before the first `/` (the ruby describe block).
    pub fn suite(&self) -> &str {
        self.test.split('/').next().unwrap_or(&self.test)
    }

    /// `/api/v2/users/{id}` → `Some(id)` (no deeper segments).
    pub fn user_path_id(&self) -> Option<&str> {
        let rest = self.path.strip_prefix("/api/v2/users/")?;
        (!rest.is_empty() && !rest.contains('/')).then_some(rest)
    }
}

pub fn recordings_dir() -> PathBuf {
    users_fixtures::recordings_dir()
}

pub fn load_all() -> Vec<Recording> {
    let dir = recordings_dir();
    let mut out = Vec::new();
    for path in users_fixtures::json_files(&dir, 250) {
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_owned();
        if !file.ends_with(".json") || file == "MANIFEST.json" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {file}: {e}"));
        let doc: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {file}: {e}"));
        let source = doc["source"].as_str().unwrap_or_default();
        let index = source
            .rsplit_once('#')
            .and_then(|(_, n)| n.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{file}: no #index in source {source:?}"));
        out.push(Recording {
            prefix: file.split("__").next().unwrap_or_default().to_owned(),
            test: doc["test"].as_str().unwrap_or_default().to_owned(),
            index,
            method: doc["request"]["method"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            path: doc["request"]["path_decoded"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            request_body: doc["request"]["body"].clone(),
            status: doc["response"]["status"].as_u64().unwrap_or_default(),
            response_body: doc["response"]["body"].clone(),
            file,
        });
    }
    out.sort_by(|a, b| (&a.prefix, &a.test, a.index).cmp(&(&b.prefix, &b.test, b.index)));
    out
}

/// A complete user object (not a `fields=` projection) returned by a user endpoint.
pub fn full_user_state(r: &Recording) -> Option<&Value> {
    let user_endpoint = (r.method == "POST" && r.path == "/api/v2/users")
        || (matches!(r.method.as_str(), "GET" | "PATCH") && r.user_path_id().is_some());
    let body = &r.response_body;
    let complete = ["user_id", "created_at", "updated_at", "identities"]
        .iter()
        .all(|k| body.get(k).is_some());
    (user_endpoint && (200..300).contains(&r.status) && complete).then_some(body)
}

/// `full_user_state` of `user_id` only.
pub fn user_state<'a>(r: &'a Recording, user_id: &str) -> Option<&'a Value> {
    full_user_state(r).filter(|b| b["user_id"].as_str() == Some(user_id))
}

/// How the earlier state was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Same test, lower index.
    Test,
    /// Same ruby suite, earlier `updated_at`.
    Suite,
}

/// The latest state of `user_id` recorded earlier in the same test as `target`.
fn same_test_state<'a>(
    all: &'a [Recording],
    target: &Recording,
    user_id: &str,
) -> Option<&'a Value> {
    all.iter()
        .filter(|r| r.prefix == target.prefix && r.test == target.test && r.index < target.index)
        .filter_map(|r| user_state(r, user_id))
        .next_back()
}

/// The latest full state of `user_id` recorded before `target` in its scenario.
pub fn state_before<'a>(
    all: &'a [Recording],
    target: &Recording,
    user_id: &str,
) -> Option<(Scope, &'a Value)> {
    let mine = |r: &'a Recording| user_state(r, user_id);
    if let Some(state) = same_test_state(all, target, user_id) {
        return Some((Scope::Test, state));
    }
    let before = target.response_body["updated_at"].as_str()?;
    all.iter()
        .filter(|r| {
            r.prefix == target.prefix && r.suite() == target.suite() && r.file != target.file
        })
        .filter_map(mine)
        .filter(|b| b["updated_at"].as_str().is_some_and(|t| t < before))
        .max_by(|a, b| a["updated_at"].as_str().cmp(&b["updated_at"].as_str()))
        .map(|state| (Scope::Suite, state))
}

/// The latest full state of `user_id` anywhere in the target's scenario before it (by index in
/// the same test, else the newest `updated_at` in the suite). For requests whose response is not
/// a user (link, unlink) and so carries no `updated_at` to order by.
pub fn latest_state<'a>(
    all: &'a [Recording],
    target: &Recording,
    user_id: &str,
) -> Option<(Scope, &'a Value)> {
    let mine = |r: &'a Recording| user_state(r, user_id);
    if let Some(state) = same_test_state(all, target, user_id) {
        return Some((Scope::Test, state));
    }
    all.iter()
        .filter(|r| {
            r.prefix == target.prefix && r.suite() == target.suite() && r.file != target.file
        })
        .filter_map(mine)
        .max_by(|a, b| a["updated_at"].as_str().cmp(&b["updated_at"].as_str()))
        .map(|state| (Scope::Suite, state))
}

/// The violations of a validation result (none when it passed).
pub fn violations(result: Result<(), Violations>) -> Vec<Violation> {
    result.err().map(Violations::into_vec).unwrap_or_default()
}

/// The single violation of a result; fails the test when there are none or several.
pub fn only(result: Result<(), Violations>) -> Violation {
    let mut all = violations(result);
    assert_eq!(all.len(), 1, "expected exactly one violation: {all:?}");
    all.remove(0)
}

/// A PATCH body with one field, parsed like the server's JSON.
pub fn set(field: &str, value: Value) -> UserUpdate {
    serde_json::from_value(json!({ field: value })).expect("update parses")
}
