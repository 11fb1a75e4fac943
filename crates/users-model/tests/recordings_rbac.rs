//! Every recorded body of a user's roles, permissions, organizations and logs parses into this
//! crate's types and re-serializes to the same JSON, with no typed field landing in `extra`.
//!
//! Bodies are classified by method, path shape and status read from each file (never by file
//! name), so new recordings are picked up automatically.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use users_model::{
    LogEvent, LogsPage, Organization, OrganizationsPage, Permissions, PermissionsPage, Role,
    RoleIds, RolesPage, UserPermission,
};

/// Parses `body` as `T` and checks that serializing it gives `body` back.
fn round_trip<T: DeserializeOwned + Serialize>(body: &Value, file: &str) -> T {
    let typed: T =
        serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{file}: {e} in {body}"));
    assert_eq!(&serde_json::to_value(&typed).unwrap(), body, "{file}");
    typed
}

/// The sub-collection a recorded path is, if any: `/api/v2/users/{id}/<kind>`.
fn kind(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api/v2/users/")?;
    let (_, kind) = rest.split_once('/')?;
    ["roles", "permissions", "organizations", "logs"]
        .into_iter()
        .find(|k| *k == kind)
}

#[test]
fn recorded_bodies_round_trip() {
    let files = users_fixtures::json_files(&users_fixtures::recordings_dir(), 100);
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for file in files {
        let name = file.display().to_string();
        let exchange: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(path) = exchange["request"]["path_decoded"].as_str() else {
            continue;
        };
        let Some(kind) = kind(path) else { continue };
        let method = exchange["request"]["method"].as_str().unwrap_or_default();
        let status = exchange["response"]["status"].as_u64().unwrap_or_default();
        let (request, response) = (&exchange["request"]["body"], &exchange["response"]["body"]);
        if request.get("__form__").is_some() {
            // A form-encoded body from an old SDK: not a JSON body this crate sends.
            continue;
        }
        let key = format!("{method} {kind} {status}");
        match (method, kind, status) {
            ("GET", "roles", 200) if response.is_array() => {
                let roles: Vec<Role> = round_trip(response, &name);
                // A 2019 recording carries `sources` on roles too; it stays in `extra`.
                assert!(
                    roles
                        .iter()
                        .all(|r| r.id.is_some() && r.extra.keys().all(|k| k == "sources")),
                    "{name}"
                );
            }
            ("GET", "roles", 200) => {
                let page: RolesPage = round_trip(response, &name);
                assert!(page.extra.is_empty(), "{name}");
            }
            ("POST" | "DELETE", "roles", _) => {
                let body: RoleIds = round_trip(request, &name);
                body.validate().unwrap();
            }
            ("GET", "permissions", 200) if response.is_array() => {
                let list: Vec<UserPermission> = round_trip(response, &name);
                assert!(list.iter().all(|p| p.extra.is_empty()), "{name}");
            }
            ("GET", "permissions", 200) => {
                let page: PermissionsPage = round_trip(response, &name);
                assert!(
                    page.permissions.iter().all(|p| p.extra.is_empty()),
                    "{name}"
                );
            }
            ("POST" | "DELETE", "permissions", _) => {
                let body: Permissions = round_trip(request, &name);
                body.validate().unwrap();
            }
            ("GET", "organizations", 200) if response.is_array() => {
                let _: Vec<Organization> = round_trip(response, &name);
            }
            ("GET", "organizations", 200) => {
                let page: OrganizationsPage = round_trip(response, &name);
                assert!(
                    page.organizations.iter().all(|o| o.extra.is_empty()),
                    "{name}"
                );
            }
            ("GET", "logs", 200) if response.is_array() => {
                let logs: Vec<LogEvent> = round_trip(response, &name);
                for log in &logs {
                    assert!(log.event_type.is_some() && log.log_id.is_some(), "{name}");
                    // Only the undocumented `_id` alias is left over.
                    assert!(
                        log.extra.keys().all(|k| k == "_id"),
                        "{name}: {:?}",
                        log.extra
                    );
                }
            }
            ("GET", "logs", 200) => {
                let _: LogsPage = round_trip(response, &name);
            }
            _ => continue,
        }
        *seen.entry(key).or_default() += 1;
    }
    // Floors: each shape the recordings hold was actually checked.
    for (key, floor) in [
        ("GET roles 200", 5),
        ("POST roles 204", 5),
        ("DELETE roles 204", 2),
        ("GET permissions 200", 4),
        ("POST permissions 201", 2),
        ("POST permissions 404", 1),
        ("DELETE permissions 204", 2),
        ("GET organizations 200", 1),
        ("GET logs 200", 5),
    ] {
        let n = seen.get(key).copied().unwrap_or(0);
        assert!(n >= floor, "{key}: {n} < {floor}; seen {seen:?}");
    }
}
