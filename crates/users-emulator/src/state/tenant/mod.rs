//! The parts of a tenant a user's roles, permissions, organizations and logs depend on: roles,
//! resource servers (APIs) and their scopes, organizations and their members, the assignments
//! between them, the log, and brute-force protection's failure counters.
//!
//! One struct, [`Tenant`], is a single `#[serde(default)]` field of the emulator's `State`, so
//! snapshots written before it existed still load. Every change that removes something also
//! removes what refers to it (the referential rules are in [`Tenant::forget_user`],
//! [`Tenant::delete_role`], [`Tenant::delete_resource_server`] and
//! [`Tenant::delete_organization`]).

pub(crate) mod brute_force;
pub(crate) mod logs;
pub(crate) mod seed;

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use users_model::{Metadata, Organization, PermissionRef};

use self::brute_force::BruteForce;
use crate::ids::IdGenerator;

/// Roles, resource servers, organizations, assignments, logs and failure counters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Tenant {
    /// In creation order.
    #[serde(default)]
    pub roles: Vec<StoredRole>,
    /// In creation order.
    #[serde(default)]
    pub resource_servers: Vec<ResourceServer>,
    /// In creation order.
    #[serde(default)]
    pub organizations: Vec<StoredOrganization>,
    /// User id → assigned role ids, in assignment order, no duplicates.
    #[serde(default)]
    pub user_roles: BTreeMap<String, Vec<String>>,
    /// User id → directly assigned permissions, in assignment order, no duplicates.
    #[serde(default)]
    pub user_permissions: BTreeMap<String, Vec<PermissionRef>>,
    /// Oldest first; listings reverse it (newest first by default). Only ever appended to at
    /// the back and dropped from the front (the store's incremental log commit relies on it).
    #[serde(default)]
    pub logs: VecDeque<logs::StoredLog>,
    /// Brute-force protection's setting and its consecutive-failure counters.
    #[serde(default)]
    pub brute_force: BruteForce,
}

/// A role and the permissions assigned to it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct StoredRole {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub permissions: Vec<PermissionRef>,
}

impl StoredRole {
    /// The role as the API returns it: `{id, name, description}`.
    pub(crate) fn to_json(&self) -> Value {
        let mut role = serde_json::json!({"id": self.id, "name": self.name});
        if let (Some(map), Some(description)) = (role.as_object_mut(), &self.description) {
            map.insert("description".into(), Value::String(description.clone()));
        }
        role
    }
}

/// One scope (permission) a resource server defines.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Scope {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A resource server (API): its identifier (audience), name, scopes and "Allow Offline Access"
/// setting, plus every other attribute as sent (kept and returned, not interpreted).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct ResourceServer {
    pub id: String,
    pub identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub scopes: Vec<Scope>,
    /// Whether applications may get refresh tokens for this API (Auth0's "Get refresh
    /// tokens": the API must allow offline access; false for a new API).
    #[serde(default)]
    pub allow_offline_access: bool,
    #[serde(flatten)]
    pub extra: Metadata,
}

impl ResourceServer {
    /// The scope `name`, if this resource server defines it.
    pub(crate) fn scope(&self, name: &str) -> Option<&Scope> {
        self.scopes.iter().find(|s| s.value == name)
    }
}

/// An organization and its members (user ids, in the order they were added).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct StoredOrganization {
    pub organization: Organization,
    #[serde(default)]
    pub members: Vec<String>,
}

impl StoredOrganization {
    pub(crate) fn id(&self) -> &str {
        self.organization.id.as_deref().unwrap_or_default()
    }

    pub(crate) fn name(&self) -> &str {
        self.organization.name.as_deref().unwrap_or_default()
    }
}

/// `prefix` + 16 characters from the id generator (`rol_…`, `org_…`).
pub(crate) fn prefixed_id(ids: &mut IdGenerator, prefix: &str) -> String {
    format!("{prefix}{}", ids.token_id())
}

/// A 24-hex-digit resource server id, the shape Auth0 gives them.
pub(crate) fn resource_server_id(ids: &mut IdGenerator) -> String {
    let id = format!("{}{}", ids.token_id(), ids.token_id());
    id.chars().take(24).collect()
}

impl Tenant {
    /// Sets "Allow Offline Access" of the resource server `identifier`, adding one (named by
    /// its identifier) when there is none.
    pub(crate) fn set_offline_access(
        &mut self,
        ids: &mut IdGenerator,
        identifier: &str,
        allow: bool,
    ) {
        match self
            .resource_servers
            .iter_mut()
            .find(|rs| rs.identifier == identifier)
        {
            Some(rs) => rs.allow_offline_access = allow,
            None => self.resource_servers.push(ResourceServer {
                id: resource_server_id(ids),
                identifier: identifier.to_owned(),
                name: None,
                scopes: Vec::new(),
                allow_offline_access: allow,
                extra: Metadata::new(),
            }),
        }
    }

    /// Whether a refresh token may be issued for `audience`: the Management API (the recorded
    /// refresh tokens carry its audience) or a resource server that allows offline access.
    pub(crate) fn allows_offline_access(&self, audience: &str, management_audience: &str) -> bool {
        audience == management_audience
            || self
                .resource_servers
                .iter()
                .any(|rs| rs.identifier == audience && rs.allow_offline_access)
    }

    pub(crate) fn role(&self, id: &str) -> Option<&StoredRole> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub(crate) fn role_mut(&mut self, id: &str) -> Option<&mut StoredRole> {
        self.roles.iter_mut().find(|r| r.id == id)
    }

    pub(crate) fn resource_server(&self, id_or_identifier: &str) -> Option<&ResourceServer> {
        self.resource_servers
            .iter()
            .find(|r| r.id == id_or_identifier || r.identifier == id_or_identifier)
    }

    pub(crate) fn organization(&self, id: &str) -> Option<&StoredOrganization> {
        self.organizations.iter().find(|o| o.id() == id)
    }

    pub(crate) fn organization_mut(&mut self, id: &str) -> Option<&mut StoredOrganization> {
        self.organizations.iter_mut().find(|o| o.id() == id)
    }

    /// The first permission of `list` no resource server defines, if any.
    pub(crate) fn missing_permission<'p>(
        &self,
        list: &'p [PermissionRef],
    ) -> Option<&'p PermissionRef> {
        list.iter().find(|p| {
            self.resource_server(&p.resource_server_identifier)
                .and_then(|rs| (rs.identifier == p.resource_server_identifier).then_some(rs))
                .and_then(|rs| rs.scope(&p.permission_name))
                .is_none()
        })
    }

    /// Removes every trace of user `id` but its log events (the log is the tenant's history;
    /// the user-delete event itself is written after this).
    pub(crate) fn forget_user(&mut self, id: &str) {
        self.user_roles.remove(id);
        self.user_permissions.remove(id);
        for organization in &mut self.organizations {
            organization.members.retain(|m| m != id);
        }
        self.brute_force.forget_user(id);
    }

    /// Deletes role `id` and its assignments to users; `false` when there is no such role.
    pub(crate) fn delete_role(&mut self, id: &str) -> bool {
        let before = self.roles.len();
        self.roles.retain(|r| r.id != id);
        for roles in self.user_roles.values_mut() {
            roles.retain(|r| r != id);
        }
        self.user_roles.retain(|_, roles| !roles.is_empty());
        self.roles.len() != before
    }

    /// Deletes resource server `id` and every assignment of its permissions.
    pub(crate) fn delete_resource_server(&mut self, id: &str) -> bool {
        let Some(position) = self.resource_servers.iter().position(|r| r.id == id) else {
            return false;
        };
        let removed = self.resource_servers.remove(position);
        self.prune_permissions(|p| p.resource_server_identifier != removed.identifier);
        true
    }

    /// Drops assigned permissions whose scope no longer exists (after a resource server's
    /// `scopes` changed).
    pub(crate) fn prune_undefined_permissions(&mut self) {
        let defined: Vec<(String, String)> = self
            .resource_servers
            .iter()
            .flat_map(|rs| {
                rs.scopes
                    .iter()
                    .map(|s| (rs.identifier.clone(), s.value.clone()))
            })
            .collect();
        self.prune_permissions(|p| {
            defined
                .iter()
                .any(|(rs, name)| *rs == p.resource_server_identifier && *name == p.permission_name)
        });
    }

    fn prune_permissions(&mut self, keep: impl Fn(&PermissionRef) -> bool) {
        for role in &mut self.roles {
            role.permissions.retain(&keep);
        }
        for list in self.user_permissions.values_mut() {
            list.retain(&keep);
        }
        self.user_permissions.retain(|_, list| !list.is_empty());
    }

    /// Deletes organization `id` and its memberships.
    pub(crate) fn delete_organization(&mut self, id: &str) -> bool {
        let before = self.organizations.len();
        self.organizations.retain(|o| o.id() != id);
        self.organizations.len() != before
    }

    /// The role ids assigned to `user`.
    pub(crate) fn roles_of(&self, user: &str) -> &[String] {
        self.user_roles.get(user).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant() -> Tenant {
        let mut tenant = Tenant::default();
        tenant.resource_servers.push(ResourceServer {
            id: "rs1".into(),
            identifier: "https://api.example.com/".into(),
            name: Some("API".into()),
            scopes: vec![Scope {
                value: "read:x".into(),
                description: None,
            }],
            allow_offline_access: false,
            extra: Metadata::new(),
        });
        let read = PermissionRef::new("https://api.example.com/", "read:x");
        tenant.roles.push(StoredRole {
            id: "rol_1".into(),
            name: "reader".into(),
            description: None,
            permissions: vec![read.clone()],
        });
        tenant
            .user_roles
            .insert("auth0|1".into(), vec!["rol_1".into()]);
        tenant.user_permissions.insert("auth0|1".into(), vec![read]);
        tenant
    }

    #[test]
    fn deleting_a_role_removes_its_assignments() {
        let mut tenant = tenant();
        assert!(tenant.delete_role("rol_1"));
        assert!(tenant.roles_of("auth0|1").is_empty());
        assert!(!tenant.delete_role("rol_1"));
    }

    #[test]
    fn deleting_a_resource_server_removes_its_permissions_everywhere() {
        let mut tenant = tenant();
        assert!(tenant.delete_resource_server("rs1"));
        assert!(tenant.roles[0].permissions.is_empty());
        assert!(tenant.user_permissions.is_empty());
    }

    #[test]
    fn removing_a_scope_prunes_its_assignments() {
        let mut tenant = tenant();
        tenant.resource_servers[0].scopes.clear();
        tenant.prune_undefined_permissions();
        assert!(tenant.roles[0].permissions.is_empty());
        assert!(tenant.user_permissions.is_empty());
    }

    #[test]
    fn an_old_snapshot_without_the_tenant_loads_empty() {
        let tenant: Tenant = serde_json::from_str("{}").unwrap();
        assert_eq!(tenant, Tenant::default());
    }
}
