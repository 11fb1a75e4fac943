//! The export document (`GET /__emulator/export`, `--export-on-exit`, `--import`): the whole
//! tenant as one JSON object, the seed document's format extended with every group of the state.
//!
//! ```json
//! {"format": "users-emulator-export", "version": 1,
//!  "ids": {…}, "connections": […], "users": […], "blocks": […],
//!  "mfa": {…}, "tenant": {…}, "sessions": {…}}
//! ```
//!
//! `users` are the users as the API returns them (IdP tokens included) plus `password_hash`
//! when one is set, in creation order; `connections` and `blocks` are spelled as in the seed
//! document; `ids`, `mfa`, `tenant` (with its logs) and `sessions` are the groups as the
//! snapshot shows them. [`tenant_from`] reads it back, checking everything before anything is
//! kept, so an import is whole or refused.

mod emulator;
mod error;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use users_model::User;

use crate::config::EmulatorConfig;
use crate::connections::Connection;
use crate::handlers;
use crate::ids::IdGenerator;
use crate::state::mfa::MfaState;
use crate::state::sessions::SessionsState;
use crate::state::tenant::Tenant;
use crate::state::{BruteForceBlock, State, StoredUser};

pub use error::ImportError;

/// The `format` of an export document.
pub(crate) const FORMAT: &str = "users-emulator-export";
/// The `version` this emulator writes and reads.
pub(crate) const VERSION: u64 = 1;

/// The keys of an export document, in the order it is written.
const KEYS: [&str; 9] = [
    "format",
    "version",
    "ids",
    "connections",
    "users",
    "blocks",
    "mfa",
    "tenant",
    "sessions",
];

/// The key of a user entry that carries the stored password hash.
const PASSWORD_HASH: &str = "password_hash";

/// The export document of `state`.
pub(crate) fn document(state: &State) -> Value {
    let users: Vec<Value> = state.users().iter().map(user_entry).collect();
    let mut doc = Map::new();
    doc.insert("format".into(), Value::from(FORMAT));
    doc.insert("version".into(), Value::from(VERSION));
    doc.insert("ids".into(), to_value(&state.ids));
    doc.insert("connections".into(), to_value(&state.connections));
    doc.insert("users".into(), Value::Array(users));
    doc.insert("blocks".into(), to_value(&state.blocks));
    doc.insert("mfa".into(), to_value(&state.mfa));
    doc.insert("tenant".into(), to_value(&state.tenant));
    doc.insert("sessions".into(), to_value(&state.sessions));
    Value::Object(doc)
}

/// These types serialize to JSON without fail (string keys, no custom serializers); were one
/// ever not to, its section would be `null`, which an import refuses rather than reading as
/// empty, so nothing is lost silently.
fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A user as the API returns it, plus its password hash.
fn user_entry(stored: &StoredUser) -> Value {
    let mut value = to_value(&stored.user);
    if let (Some(map), Some(hash)) = (value.as_object_mut(), &stored.password_hash) {
        map.insert(PASSWORD_HASH.into(), Value::String(hash.clone()));
    }
    value
}

/// The tenant a document describes: an export document exactly, or, for a seed document (no
/// `format` key), a new tenant of `config` seeded with it as `--seed` does. The state is marked
/// to be written in full when a store commits it.
///
/// # Errors
/// [`ImportError`] naming the first invalid part; nothing is built then.
pub(crate) fn tenant_from(
    document: &Value,
    config: &EmulatorConfig,
    now_ms: i64,
) -> Result<State, ImportError> {
    let doc = document
        .as_object()
        .ok_or_else(|| ImportError::document("an import document must be a JSON object"))?;
    let mut state = State::new(config.seed, config.connections.clone());
    let Some(format) = doc.get("format") else {
        handlers::admin::seed(&mut state, document, now_ms)?;
        return Ok(state);
    };
    if format.as_str() != Some(FORMAT) {
        return Err(ImportError::entry(
            "format",
            format!("expected \"{FORMAT}\", found {format}"),
        ));
    }
    match doc.get("version") {
        Some(version) if version.as_u64() == Some(VERSION) => {}
        Some(version) => {
            return Err(ImportError::entry(
                "version",
                format!("this emulator reads version {VERSION}, found {version}"),
            ));
        }
        None => return Err(ImportError::entry("version", "missing")),
    }
    if let Some(key) = doc.keys().find(|key| !KEYS.contains(&key.as_str())) {
        return Err(ImportError::entry(
            key.as_str(),
            "not a section of an export document",
        ));
    }
    if let Some(ids) = section::<IdGenerator>(doc, "ids")? {
        state.ids = ids;
    }
    if let Some(connections) = list::<Connection>(doc, "connections")? {
        state.connections = checked_connections(connections)?;
    }
    let users = users(doc)?;
    let known: HashSet<&str> = users
        .iter()
        .filter_map(|stored| stored.user.user_id.as_deref())
        .collect();
    let blocks = list::<BruteForceBlock>(doc, "blocks")?.unwrap_or_default();
    for (index, block) in blocks.iter().enumerate() {
        if !known.contains(block.user_id.as_str()) {
            return Err(no_user(format!("blocks[{index}]"), &block.user_id));
        }
    }
    let mfa = section::<MfaState>(doc, "mfa")?.unwrap_or_default();
    if let Some(id) = mfa.user_ids().find(|id| !known.contains(id)) {
        return Err(no_user(format!("mfa.users.{id}"), id));
    }
    let tenant = section::<Tenant>(doc, "tenant")?.unwrap_or_default();
    check_tenant_users(&tenant, &known)?;
    let sessions = section::<SessionsState>(doc, "sessions")?.unwrap_or_default();
    check_session_users(&sessions, &known)?;
    state.blocks = blocks;
    state.mfa = mfa.into();
    state.tenant = tenant.into();
    state.sessions = sessions.into();
    state.set_users(
        users
            .into_iter()
            .zip(0u64..)
            .map(|(u, seq)| (seq, u))
            .collect(),
    );
    state.adopt_legacy_apis();
    state.tracking_mut().replace_all();
    Ok(state)
}

fn no_user(entry: String, user_id: &str) -> ImportError {
    ImportError::entry(entry, format!("no user {user_id} in the document"))
}

/// The section `key` read as `T`; `None` when absent.
fn section<T: DeserializeOwned>(
    doc: &Map<String, Value>,
    key: &str,
) -> Result<Option<T>, ImportError> {
    doc.get(key)
        .map(|value| T::deserialize(value).map_err(|e| ImportError::entry(key, e)))
        .transpose()
}

/// The array section `key`, each element read as `T` (an error names the element).
fn list<T: DeserializeOwned>(
    doc: &Map<String, Value>,
    key: &str,
) -> Result<Option<Vec<T>>, ImportError> {
    let Some(value) = doc.get(key) else {
        return Ok(None);
    };
    let items = value
        .as_array()
        .ok_or_else(|| ImportError::entry(key, "must be an array"))?;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            T::deserialize(item).map_err(|e| ImportError::entry(format!("{key}[{index}]"), e))
        })
        .collect::<Result<Vec<T>, _>>()
        .map(Some)
}

fn checked_connections(connections: Vec<Connection>) -> Result<Vec<Connection>, ImportError> {
    let mut names = HashSet::new();
    let mut checked = Vec::with_capacity(connections.len());
    for (index, connection) in connections.into_iter().enumerate() {
        if !names.insert(connection.name.clone()) {
            return Err(ImportError::entry(
                format!("connections[{index}]"),
                format!("duplicate connection name {}", connection.name),
            ));
        }
        checked.push(connection.normalized());
    }
    Ok(checked)
}

/// The `users` section: each a user with a `user_id` and identities, ids unique.
fn users(doc: &Map<String, Value>) -> Result<Vec<StoredUser>, ImportError> {
    let Some(value) = doc.get("users") else {
        return Ok(Vec::new());
    };
    let entries = value
        .as_array()
        .ok_or_else(|| ImportError::entry("users", "must be an array"))?;
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(entries.len());
    let mut users = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let name = || format!("users[{index}]");
        let stored = user_from(entry).map_err(|reason| ImportError::entry(name(), reason))?;
        let id = stored.user.user_id.clone().unwrap_or_default();
        if let Some(first) = seen.get(&id) {
            return Err(ImportError::entry(
                name(),
                format!("duplicate user_id {id} (also users[{first}])"),
            ));
        }
        seen.insert(id, index);
        users.push(stored);
    }
    Ok(users)
}

fn user_from(entry: &Value) -> Result<StoredUser, String> {
    let mut map = entry.as_object().cloned().ok_or("not an object")?;
    let password_hash = match map.remove(PASSWORD_HASH) {
        None => None,
        Some(Value::String(hash)) if is_password_hash(&hash) => Some(hash),
        Some(_) => return Err("password_hash must be 64 lower-case hex digits".into()),
    };
    let user: User = serde_json::from_value(Value::Object(map)).map_err(|e| e.to_string())?;
    if user.user_id.as_deref().is_none_or(str::is_empty) {
        return Err("needs a user_id".into());
    }
    if user.identities.as_ref().is_none_or(Vec::is_empty) {
        return Err("needs identities".into());
    }
    Ok(StoredUser {
        user,
        password_hash,
    })
}

/// A stored hash as `profile::hash_password` writes it: SHA-256 in lower-case hex.
pub(crate) fn is_password_hash(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Every user the tenant's assignments and memberships name is in the document.
fn check_tenant_users(tenant: &Tenant, known: &HashSet<&str>) -> Result<(), ImportError> {
    for (key, ids) in [
        (
            "tenant.user_roles",
            tenant.user_roles.keys().collect::<Vec<_>>(),
        ),
        (
            "tenant.user_permissions",
            tenant.user_permissions.keys().collect(),
        ),
    ] {
        if let Some(id) = ids.into_iter().find(|id| !known.contains(id.as_str())) {
            return Err(no_user(format!("{key}.{id}"), id));
        }
    }
    for (index, organization) in tenant.organizations.iter().enumerate() {
        if let Some(id) = organization
            .members
            .iter()
            .find(|id| !known.contains(id.as_str()))
        {
            return Err(no_user(format!("tenant.organizations[{index}]"), id));
        }
    }
    Ok(())
}

/// Every session, refresh token, token set and connected account belongs to a user of the
/// document.
fn check_session_users(sessions: &SessionsState, known: &HashSet<&str>) -> Result<(), ImportError> {
    let owners = [
        (
            "sessions.sessions",
            sessions
                .sessions
                .iter()
                .map(|s| s.user_id.as_str())
                .collect::<Vec<_>>(),
        ),
        (
            "sessions.refresh_tokens",
            sessions
                .refresh_tokens
                .iter()
                .map(|t| t.info.user_id.as_deref().unwrap_or_default())
                .collect(),
        ),
        (
            "sessions.token_sets",
            sessions
                .token_sets
                .iter()
                .map(|s| s.user_id.as_str())
                .collect(),
        ),
        (
            "sessions.connected_accounts",
            sessions
                .connected_accounts
                .iter()
                .map(|s| s.user_id.as_str())
                .collect(),
        ),
    ];
    for (key, ids) in owners {
        if let Some((index, id)) = ids.iter().enumerate().find(|(_, id)| !known.contains(*id)) {
            return Err(no_user(format!("{key}[{index}]"), id));
        }
    }
    Ok(())
}
