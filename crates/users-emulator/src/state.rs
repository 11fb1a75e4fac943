//! The emulator's persistent state: users, brute-force blocks, connections and the id counter.

use serde::{Deserialize, Serialize};
use users_model::{Identity, User};

use crate::connections::Connection;
use crate::ids::IdGenerator;

/// Version of the snapshot format, checked when a state file is loaded.
pub(crate) const SNAPSHOT_VERSION: u32 = 1;

/// A user as stored: the profile the API returns plus what it never returns.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct StoredUser {
    pub user: User,
    /// Salted SHA-256 of the password (hex), never returned by the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
}

/// A brute-force block ("blocked_for" entry); only `DELETE /user-blocks` clears it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct BruteForceBlock {
    pub user_id: String,
    pub identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
}

/// Everything that survives a restart with `--state`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct State {
    pub version: u32,
    pub ids: IdGenerator,
    pub connections: Vec<Connection>,
    /// In creation order (the order lists use).
    pub users: Vec<StoredUser>,
    pub blocks: Vec<BruteForceBlock>,
}

impl State {
    pub(crate) fn new(seed: u64, connections: Vec<Connection>) -> Self {
        Self {
            version: SNAPSHOT_VERSION,
            ids: IdGenerator::new(seed),
            connections: connections
                .into_iter()
                .map(Connection::normalized)
                .collect(),
            users: Vec::new(),
            blocks: Vec::new(),
        }
    }

    pub(crate) fn user_index(&self, user_id: &str) -> Option<usize> {
        self.users
            .iter()
            .position(|u| u.user.user_id.as_deref() == Some(user_id))
    }

    pub(crate) fn user(&self, user_id: &str) -> Option<&StoredUser> {
        self.user_index(user_id).and_then(|i| self.users.get(i))
    }

    pub(crate) fn connection_by_name(&self, name: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.name == name)
    }

    pub(crate) fn connection_by_id(&self, id: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == id)
    }

    /// The connection of a user's main identity.
    pub(crate) fn primary_connection(&self, user: &User) -> Option<&Connection> {
        let identity = user.identities.as_ref()?.first()?;
        self.connection_by_name(identity.connection.as_deref()?)
    }

    /// The index of the user whose identities hold `provider` + bare `id` as a linked
    /// (secondary) identity.
    pub(crate) fn holder_of_identity(&self, provider: &str, id: &str) -> Option<usize> {
        self.users.iter().position(|stored| {
            stored
                .user
                .identities
                .iter()
                .flatten()
                .skip(1)
                .any(|identity| identity_matches(identity, provider, id))
        })
    }
}

/// Whether `identity` is `provider` + bare `id`.
pub(crate) fn identity_matches(identity: &Identity, provider: &str, id: &str) -> bool {
    identity.provider.as_ref().map(|p| p.as_str()) == Some(provider)
        && identity
            .user_id
            .as_ref()
            .is_some_and(|uid| uid.to_string() == id)
}
