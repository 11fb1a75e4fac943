//! Tenant objects a scenario relies on that were made through endpoints outside the recorded
//! set (roles, resource servers and their scopes, organizations, memberships), rebuilt from what
//! the scenario's recordings show of them, as sections of the emulator's seed document.
//!
//! What counts as evidence:
//! - a role id in a `POST /users/{id}/roles` body the server accepted (2xx): the role existed;
//! - a permission in a `POST /users/{id}/permissions` body the server accepted: its resource
//!   server and scope existed (a refused one, 404, is not seeded, and a `DELETE` proves nothing:
//!   removing an undefined permission is recorded as 204);
//! - roles, permissions (`resource_server_name`, `description`) and organizations listed by a
//!   `GET /users/{id}/…` answer: the objects, with their recorded ids and names.
//!
//! Assignments shown by a `GET` are seeded only for users the scenario did not create, and only
//! while the scenario has not yet written that user's roles or permissions (after a write, the
//! scenario itself made what the `GET` shows). Memberships of a user the scenario creates are
//! returned as [`LateMember`]s: the harness adds them through `POST /organizations/{id}/members`
//! just before the exchange that first shows them, as the recorded test did in its unrecorded
//! exchanges.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::{Exchange, segments};

/// A membership to add before exchange `before` (an index into the scenario).
pub struct LateMember {
    pub before: usize,
    pub organization_id: String,
    pub recorded_user_id: String,
}

/// The seed sections and the memberships to add during the replay.
pub struct TenantSeed {
    pub sections: Map<String, Value>,
    pub late_members: Vec<LateMember>,
}

/// A resource server's name and its scopes, in first-seen order, as (value, description).
type Server = (Option<String>, Vec<(String, Option<String>)>);

#[derive(Default)]
struct Collected {
    /// Role id → `{id, name?, description?}`, in first-seen order.
    roles: Vec<Map<String, Value>>,
    /// Identifier → name and scopes.
    servers: BTreeMap<String, Server>,
    server_order: Vec<String>,
    organizations: Vec<Map<String, Value>>,
    members: BTreeMap<String, Vec<String>>,
    user_roles: BTreeMap<String, Vec<String>>,
    user_permissions: BTreeMap<String, Vec<Value>>,
}

impl Collected {
    fn role(&mut self, seen: &Map<String, Value>) {
        let Some(id) = seen.get("id").and_then(Value::as_str) else {
            return;
        };
        let index = match self.roles.iter().position(|r| r["id"] == id) {
            Some(index) => index,
            None => {
                self.roles.push(Map::from_iter([("id".into(), json!(id))]));
                self.roles.len() - 1
            }
        };
        for key in ["name", "description"] {
            if let Some(value) = seen.get(key).filter(|v| v.is_string()) {
                self.roles[index].insert(key.into(), value.clone());
            }
        }
    }

    fn permission(&mut self, seen: &Map<String, Value>) -> Option<Value> {
        let identifier = seen.get("resource_server_identifier")?.as_str()?.to_owned();
        let name = seen.get("permission_name")?.as_str()?.to_owned();
        if !self.servers.contains_key(&identifier) {
            self.server_order.push(identifier.clone());
        }
        let (server_name, scopes) = self.servers.entry(identifier.clone()).or_default();
        if let Some(n) = seen.get("resource_server_name").and_then(Value::as_str) {
            *server_name = Some(n.to_owned());
        }
        let description = seen
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match scopes.iter_mut().find(|(value, _)| *value == name) {
            Some((_, d)) => {
                if description.is_some() {
                    *d = description;
                }
            }
            None => scopes.push((name.clone(), description)),
        }
        Some(json!({"resource_server_identifier": identifier, "permission_name": name}))
    }

    fn organization(&mut self, seen: &Map<String, Value>) -> Option<String> {
        let id = seen.get("id")?.as_str()?.to_owned();
        if !self.organizations.iter().any(|o| o["id"] == id.as_str()) {
            self.organizations.push(seen.clone());
        }
        Some(id)
    }
}

/// The items of a list answer: a bare array or the `key` array of a page.
fn items<'v>(body: &'v Value, key: &str) -> Vec<&'v Map<String, Value>> {
    let list = match body {
        Value::Array(items) => items,
        Value::Object(page) => match page.get(key) {
            Some(Value::Array(items)) => items,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    list.iter().filter_map(Value::as_object).collect()
}

fn direct(permission: &Map<String, Value>) -> bool {
    permission
        .get("sources")
        .and_then(Value::as_array)
        .is_none_or(|sources| {
            sources
                .iter()
                .all(|s| s["source_type"].as_str() == Some("DIRECT"))
        })
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_owned());
    }
}

/// What `exchanges` show of the tenant; `created` holds the recorded ids of users the scenario
/// creates itself.
pub fn tenant_seed(exchanges: &[Exchange], created: &BTreeSet<String>) -> TenantSeed {
    let mut c = Collected::default();
    let mut late_members: Vec<LateMember> = Vec::new();
    let mut written: BTreeSet<(String, String)> = BTreeSet::new();
    for (position, exchange) in exchanges.iter().enumerate() {
        let s = segments(&exchange.path);
        let ["api", "v2", "users", user, kind] = s.as_slice() else {
            continue;
        };
        let (user, kind) = ((*user).to_owned(), (*kind).to_owned());
        let accepted = (200..300).contains(&exchange.status);
        let pre_existing = !created.contains(&user);
        let untouched = !written.contains(&(user.clone(), kind.clone()));
        match (exchange.method.as_str(), kind.as_str()) {
            ("POST", "roles") if accepted => {
                for id in exchange.body["roles"].as_array().into_iter().flatten() {
                    if let Some(id) = id.as_str() {
                        c.role(&Map::from_iter([("id".into(), json!(id))]));
                    }
                }
            }
            ("POST", "permissions") if accepted => {
                for p in exchange.body["permissions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    if let Some(p) = p.as_object() {
                        c.permission(p);
                    }
                }
            }
            ("GET", "roles") if accepted => {
                for role in items(&exchange.response_body, "roles") {
                    c.role(role);
                    if let (true, true, Some(id)) = (
                        pre_existing,
                        untouched,
                        role.get("id").and_then(Value::as_str),
                    ) {
                        push_unique(c.user_roles.entry(user.clone()).or_default(), id);
                    }
                }
            }
            ("GET", "permissions") if accepted => {
                for p in items(&exchange.response_body, "permissions") {
                    let reference = c.permission(p);
                    if let (true, true, true, Some(reference)) =
                        (pre_existing, untouched, direct(p), reference)
                    {
                        let list = c.user_permissions.entry(user.clone()).or_default();
                        if !list.contains(&reference) {
                            list.push(reference);
                        }
                    }
                }
            }
            ("GET", "organizations") if accepted => {
                for organization in items(&exchange.response_body, "organizations") {
                    let Some(id) = c.organization(organization) else {
                        continue;
                    };
                    if pre_existing {
                        push_unique(c.members.entry(id).or_default(), &user);
                    } else if !late_members
                        .iter()
                        .any(|m| m.organization_id == id && m.recorded_user_id == user)
                    {
                        late_members.push(LateMember {
                            before: position,
                            organization_id: id,
                            recorded_user_id: user.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
        if exchange.method != "GET" {
            written.insert((user, kind));
        }
    }
    TenantSeed {
        sections: sections(c),
        late_members,
    }
}

fn sections(c: Collected) -> Map<String, Value> {
    let mut doc = Map::new();
    let servers: Vec<Value> = c
        .server_order
        .iter()
        .map(|identifier| {
            let (name, scopes) = &c.servers[identifier];
            let scopes: Vec<Value> = scopes
                .iter()
                .map(|(value, description)| match description {
                    Some(d) => json!({"value": value, "description": d}),
                    None => json!({"value": value}),
                })
                .collect();
            let mut server = json!({"identifier": identifier, "scopes": scopes});
            if let (Some(map), Some(name)) = (server.as_object_mut(), name) {
                map.insert("name".into(), json!(name));
            }
            server
        })
        .collect();
    let roles: Vec<Value> = c
        .roles
        .into_iter()
        .map(|mut role| {
            // A role known only by its id gets a stand-in name (names are required and unique).
            if !role.contains_key("name") {
                let name = format!("replay-{}", role["id"].as_str().unwrap_or_default());
                role.insert("name".into(), json!(name));
            }
            Value::Object(role)
        })
        .collect();
    let organizations: Vec<Value> = c
        .organizations
        .into_iter()
        .map(|mut organization| {
            let id = organization["id"].as_str().unwrap_or_default().to_owned();
            let members = c.members.get(&id).cloned().unwrap_or_default();
            organization.insert("members".into(), json!(members));
            Value::Object(organization)
        })
        .collect();
    let users: BTreeSet<&String> = c
        .user_roles
        .keys()
        .chain(c.user_permissions.keys())
        .collect();
    let assignments: Vec<Value> = users
        .into_iter()
        .map(|user| {
            json!({
                "user_id": user,
                "roles": c.user_roles.get(user).cloned().unwrap_or_default(),
                "permissions": c.user_permissions.get(user).cloned().unwrap_or_default(),
            })
        })
        .collect();
    for (key, list) in [
        ("resource_servers", servers),
        ("roles", roles),
        ("organizations", organizations),
        ("assignments", assignments),
    ] {
        if !list.is_empty() {
            doc.insert(key.into(), Value::Array(list));
        }
    }
    doc
}
