//! The tenant's part of the seed document (`POST /__emulator/seed`, `--seed FILE`):
//!
//! ```json
//! {
//!   "resource_servers": [{"identifier": "https://api.example.com/", "name": "API",
//!                         "scopes": [{"value": "read:reports", "description": "Read reports"}],
//!                         "allow_offline_access": true}],
//!   "roles": [{"name": "analyst", "description": "Reads reports",
//!              "permissions": [{"resource_server_identifier": "https://api.example.com/",
//!                               "permission_name": "read:reports"}]}],
//!   "organizations": [{"name": "acme", "display_name": "Acme", "members": ["auth0|…"]}],
//!   "assignments": [{"user_id": "auth0|…", "roles": ["analyst"],
//!                    "permissions": [{"resource_server_identifier": "…", "permission_name": "…"}]}],
//!   "logs": [{"type": "s", "user_id": "auth0|…", "date": "2024-01-01T00:00:00.000Z"}],
//!   "brute_force": {"max_attempts": 3}
//! }
//! ```
//!
//! Roles in `assignments` are named by id or name. The older `"apis": [{"identifier": …,
//! "allow_offline_access": true}]` is still read: it sets that flag on the resource server with
//! the identifier (adding one when there is none). Everything is checked before anything is
//! kept: the caller commits the returned tenant only when the whole document is valid.

use serde::Deserialize;
use serde_json::{Map, Value};
use users_model::{LogEvent, Metadata, Organization, PermissionRef};

use super::{
    ResourceServer, Scope, StoredOrganization, StoredRole, Tenant, prefixed_id, resource_server_id,
};
use crate::ids::IdGenerator;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedResourceServer {
    #[serde(default)]
    id: Option<String>,
    identifier: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    scopes: Vec<Scope>,
    #[serde(default)]
    allow_offline_access: bool,
}

/// An entry of the older `apis` section: an API and its "Allow Offline Access" setting, now a
/// resource server's `allow_offline_access`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedApi {
    identifier: String,
    #[serde(default)]
    allow_offline_access: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedRole {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    permissions: Vec<PermissionRef>,
}

#[derive(Deserialize)]
struct SeedOrganization {
    #[serde(default)]
    members: Vec<String>,
    #[serde(flatten)]
    organization: Organization,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedAssignment {
    user_id: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    permissions: Vec<PermissionRef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedBruteForce {
    max_attempts: u32,
}

fn section<T: for<'de> Deserialize<'de>>(
    doc: &Map<String, Value>,
    key: &str,
) -> Result<Option<T>, String> {
    doc.get(key)
        .map(|v| serde_json::from_value(v.clone()).map_err(|e| format!("{key}: {e}")))
        .transpose()
}

/// The tenant after adding the document's sections to `current`; `user_exists` answers for
/// users already stored or staged by the same document.
pub(crate) fn stage(
    current: &Tenant,
    doc: &Map<String, Value>,
    ids: &mut IdGenerator,
    user_exists: &dyn Fn(&str) -> bool,
) -> Result<Tenant, String> {
    let mut tenant = current.clone();
    for (i, rs) in section::<Vec<SeedResourceServer>>(doc, "resource_servers")?
        .into_iter()
        .flatten()
        .enumerate()
    {
        if tenant.resource_server(&rs.identifier).is_some() {
            return Err(format!(
                "resource_servers[{i}]: {} already exists",
                rs.identifier
            ));
        }
        tenant.resource_servers.push(ResourceServer {
            id: rs.id.unwrap_or_else(|| resource_server_id(ids)),
            identifier: rs.identifier,
            name: rs.name,
            scopes: rs.scopes,
            allow_offline_access: rs.allow_offline_access,
            extra: Metadata::new(),
        });
    }
    // Seed documents written before APIs were resource servers: each entry sets the flag of
    // the resource server with that identifier, adding one when there is none.
    for api in section::<Vec<SeedApi>>(doc, "apis")?.into_iter().flatten() {
        tenant.set_offline_access(ids, &api.identifier, api.allow_offline_access);
    }
    for (i, role) in section::<Vec<SeedRole>>(doc, "roles")?
        .into_iter()
        .flatten()
        .enumerate()
    {
        if tenant.roles.iter().any(|r| r.name == role.name) {
            return Err(format!(
                "roles[{i}]: a role named {} already exists",
                role.name
            ));
        }
        if let Some(p) = tenant.missing_permission(&role.permissions) {
            return Err(format!(
                "roles[{i}]: no permission {} on {}",
                p.permission_name, p.resource_server_identifier
            ));
        }
        tenant.roles.push(StoredRole {
            id: role.id.unwrap_or_else(|| prefixed_id(ids, "rol_")),
            name: role.name,
            description: role.description,
            permissions: role.permissions,
        });
    }
    for (i, seeded) in section::<Vec<SeedOrganization>>(doc, "organizations")?
        .into_iter()
        .flatten()
        .enumerate()
    {
        let mut organization = seeded.organization;
        let name = organization
            .name
            .clone()
            .ok_or(format!("organizations[{i}]: needs `name`"))?;
        if tenant.organizations.iter().any(|o| o.name() == name) {
            return Err(format!("organizations[{i}]: {name} already exists"));
        }
        if let Some(member) = seeded.members.iter().find(|m| !user_exists(m)) {
            return Err(format!("organizations[{i}]: no user {member}"));
        }
        organization
            .id
            .get_or_insert_with(|| prefixed_id(ids, "org_"));
        let mut members = Vec::new();
        for member in seeded.members {
            if !members.contains(&member) {
                members.push(member);
            }
        }
        tenant.organizations.push(StoredOrganization {
            organization,
            members,
        });
    }
    for (i, assignment) in section::<Vec<SeedAssignment>>(doc, "assignments")?
        .into_iter()
        .flatten()
        .enumerate()
    {
        if !user_exists(&assignment.user_id) {
            return Err(format!("assignments[{i}]: no user {}", assignment.user_id));
        }
        if let Some(p) = tenant.missing_permission(&assignment.permissions) {
            return Err(format!(
                "assignments[{i}]: no permission {} on {}",
                p.permission_name, p.resource_server_identifier
            ));
        }
        let mut role_ids = Vec::new();
        for role in &assignment.roles {
            let id = tenant
                .roles
                .iter()
                .find(|r| r.id == *role || r.name == *role)
                .map(|r| r.id.clone())
                .ok_or_else(|| format!("assignments[{i}]: no role {role}"))?;
            role_ids.push(id);
        }
        let roles = tenant
            .user_roles
            .entry(assignment.user_id.clone())
            .or_default();
        for id in role_ids {
            if !roles.contains(&id) {
                roles.push(id);
            }
        }
        let permissions = tenant
            .user_permissions
            .entry(assignment.user_id)
            .or_default();
        for p in assignment.permissions {
            if !permissions.contains(&p) {
                permissions.push(p);
            }
        }
    }
    tenant.user_roles.retain(|_, v| !v.is_empty());
    tenant.user_permissions.retain(|_, v| !v.is_empty());
    if let Some(logs) = section::<Vec<LogEvent>>(doc, "logs")? {
        for mut event in logs {
            // Every stored event has an id, as Auth0's do (the store finds its rows by it).
            if event.log_id.is_none() {
                let millis = event
                    .date
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(users_model::Timestamp::parse)
                    .map_or(0, |t| t.as_millis());
                event.log_id = Some(super::logs::log_id(ids, millis));
            }
            tenant.logs.push_back(event);
        }
    }
    if let Some(bf) = section::<SeedBruteForce>(doc, "brute_force")? {
        tenant.brute_force.max_attempts = bf.max_attempts;
    }
    Ok(tenant)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_whole_document_is_staged() {
        let document = doc(json!({
            "resource_servers": [{"identifier": "https://api/", "scopes": [{"value": "read:a"}]}],
            "roles": [{"name": "r", "permissions": [{"resource_server_identifier": "https://api/", "permission_name": "read:a"}]}],
            "organizations": [{"name": "acme", "display_name": "Acme", "members": ["auth0|1", "auth0|1"]}],
            "assignments": [{"user_id": "auth0|1", "roles": ["r"]}],
            "brute_force": {"max_attempts": 3}
        }));
        let mut ids = IdGenerator::new(1);
        let tenant = stage(&Tenant::default(), &document, &mut ids, &|id| {
            id == "auth0|1"
        })
        .unwrap();
        assert!(tenant.roles[0].id.starts_with("rol_"));
        assert_eq!(tenant.roles_of("auth0|1"), [tenant.roles[0].id.clone()]);
        assert_eq!(tenant.organizations[0].members, ["auth0|1"]);
        assert_eq!(tenant.brute_force.max_attempts, 3);
    }

    #[test]
    fn seeded_log_events_without_an_id_get_one_and_keep_theirs() {
        let document = doc(json!({"logs": [
            {"type": "s", "user_id": "auth0|1", "date": "2024-01-01T00:00:00.000Z"},
            {"type": "f", "user_id": "auth0|1"},
            {"type": "s", "user_id": "auth0|1", "log_id": "90020240101"}
        ]}));
        let mut ids = IdGenerator::new(1);
        let tenant = stage(&Tenant::default(), &document, &mut ids, &|_| true).unwrap();
        let log_ids: Vec<&str> = tenant
            .logs
            .iter()
            .map(|e| e.log_id.as_deref().unwrap_or_default())
            .collect();
        assert!(
            log_ids[0].starts_with("90020240101000000000"),
            "{log_ids:?}"
        );
        assert!(
            log_ids[1].starts_with("900") && log_ids[1] != log_ids[0],
            "{log_ids:?}"
        );
        assert_eq!(log_ids[2], "90020240101");
    }

    #[test]
    fn unknown_references_are_refused() {
        let mut ids = IdGenerator::new(1);
        for (document, wanted) in [
            (
                json!({"roles": [{"name": "r", "permissions": [{"resource_server_identifier": "x", "permission_name": "y"}]}]}),
                "roles[0]",
            ),
            (
                json!({"organizations": [{"name": "o", "members": ["auth0|2"]}]}),
                "organizations[0]",
            ),
            (
                json!({"assignments": [{"user_id": "auth0|1", "roles": ["nope"]}]}),
                "assignments[0]",
            ),
            (json!({"roles": [{"name": "r", "surprise": 1}]}), "roles"),
        ] {
            let err = stage(&Tenant::default(), &doc(document), &mut ids, &|id| {
                id == "auth0|1"
            })
            .unwrap_err();
            assert!(err.starts_with(wanted), "{err}");
        }
    }
}
