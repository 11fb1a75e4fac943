//! The emulator's persistent state: users, brute-force blocks, connections and the id counter,
//! and one field per group of operations whose records live beside the users (each group's
//! state in its own module here, see docs/adding-an-operation.md).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use users_model::{Identity, User};

use crate::connections::Connection;
use crate::ids::IdGenerator;

pub(crate) mod changes;
pub(crate) mod mfa;
pub(crate) mod sessions;
pub(crate) mod tenant;

use changes::{Tracked, Tracking};
use sessions::SessionsState;

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
    /// In creation order (the order lists use). Private: every change goes through a method
    /// that keeps `index` in step.
    users: Vec<StoredUser>,
    pub blocks: Vec<BruteForceBlock>,
    /// Authentication methods, recovery codes and remember-browser records.
    #[serde(default)]
    pub mfa: Tracked<mfa::MfaState>,
    /// Roles, resource servers, organizations, assignments, logs (`tenant/`).
    #[serde(default)]
    pub tenant: Tracked<tenant::Tenant>,
    /// Sessions, refresh tokens, federated token sets and connected accounts.
    #[serde(default)]
    pub sessions: Tracked<SessionsState>,
    /// Position of each user id in `users`, so that a request for one user does not compare
    /// its id with every stored one. Derived data: not persisted, rebuilt on load.
    #[serde(skip)]
    index: UserIndex,
    /// Each user's creation sequence number and, when a store is attached, which users changed
    /// since the last commit. Derived data: not part of the snapshot.
    #[serde(skip)]
    tracking: Tracking,
}

/// `user_id` → position in `State::users`, first occurrence. `exact` is false until built
/// (e.g. right after deserializing); lookups then fall back to a scan, so the index can make a
/// lookup faster but never change its answer.
#[derive(Debug, Clone, Default)]
struct UserIndex {
    positions: HashMap<String, usize>,
    exact: bool,
}

impl PartialEq for UserIndex {
    /// Derived from the users, so two states with equal users are equal whatever their index.
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl UserIndex {
    fn build(users: &[StoredUser]) -> Self {
        let mut positions = HashMap::with_capacity(users.len());
        for (position, stored) in users.iter().enumerate() {
            if let Some(id) = &stored.user.user_id {
                positions.entry(id.clone()).or_insert(position);
            }
        }
        Self {
            positions,
            exact: true,
        }
    }
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
            mfa: Tracked::default(),
            tenant: Tracked::default(),
            sessions: Tracked::default(),
            index: UserIndex {
                positions: HashMap::new(),
                exact: true,
            },
            tracking: Tracking::replaced(),
        }
    }

    /// Rebuilds the id index and the sequence numbers (after deserializing, which leaves them
    /// empty): users are numbered in their stored order.
    pub(crate) fn reindex(&mut self) {
        self.index = UserIndex::build(&self.users);
        self.tracking = Tracking::numbered(self.users.len());
    }

    /// Replaces the users with `users` (sequence number, user), which must be in increasing
    /// sequence order (as a store reads them).
    pub(crate) fn set_users(&mut self, users: Vec<(u64, StoredUser)>) {
        let (seqs, users): (Vec<u64>, Vec<StoredUser>) = users.into_iter().unzip();
        self.users = users;
        self.index = UserIndex::build(&self.users);
        self.tracking = Tracking::with_seqs(seqs);
    }

    /// The stored users with their sequence numbers (creation order, never reused).
    pub(crate) fn users_with_seqs(&self) -> impl Iterator<Item = (u64, &StoredUser)> {
        self.tracking.seqs().iter().copied().zip(self.users.iter())
    }

    /// The user with sequence number `seq`.
    pub(crate) fn user_by_seq(&self, seq: u64) -> Option<&StoredUser> {
        self.tracking
            .position(seq)
            .and_then(|index| self.users.get(index))
    }

    /// The change tracking a store drains after each write.
    pub(crate) fn tracking_mut(&mut self) -> &mut Tracking {
        &mut self.tracking
    }

    /// Moves the "Allow Offline Access" settings of a state file written before APIs were
    /// resource servers (`sessions.apis`) onto the resource servers, so none is lost.
    pub(crate) fn adopt_legacy_apis(&mut self) {
        for api in std::mem::take(&mut self.sessions.legacy_apis) {
            self.tenant.set_offline_access(
                &mut self.ids,
                &api.identifier,
                api.allow_offline_access,
            );
        }
    }

    /// The stored users, in creation order.
    pub(crate) fn users(&self) -> &[StoredUser] {
        &self.users
    }

    /// Appends a user.
    pub(crate) fn push_user(&mut self, stored: StoredUser) {
        if let Some(id) = &stored.user.user_id {
            self.index
                .positions
                .entry(id.clone())
                .or_insert(self.users.len());
        }
        self.users.push(stored);
        self.tracking.pushed();
    }

    /// Keeps only the users for which `keep` is true.
    pub(crate) fn retain_users(&mut self, mut keep: impl FnMut(&StoredUser) -> bool) {
        let kept: Vec<bool> = self.users.iter().map(&mut keep).collect();
        if kept.iter().all(|k| *k) {
            return;
        }
        let mut flags = kept.iter();
        self.users.retain(|_| flags.next().copied().unwrap_or(true));
        self.tracking.retain(&kept);
        if self.index.exact {
            self.index = UserIndex::build(&self.users);
        }
    }

    /// Deletes a user and every record that belongs to it (blocks, and each group's records:
    /// a group with per-user records adds one line here).
    pub(crate) fn delete_user(&mut self, user_id: &str) {
        self.retain_users(|stored| stored.user.user_id.as_deref() != Some(user_id));
        self.blocks.retain(|block| block.user_id != user_id);
        self.mfa.remove_user(user_id);
        self.tenant.forget_user(user_id);
        self.sessions.remove_user(user_id);
    }

    /// Changes the user at `index` in place (no-op when out of range).
    pub(crate) fn update_user(&mut self, index: usize, change: impl FnOnce(&mut StoredUser)) {
        let Some(stored) = self.users.get_mut(index) else {
            return;
        };
        let id_before = stored.user.user_id.clone();
        change(stored);
        let id_changed = stored.user.user_id != id_before;
        self.tracking.touched(index);
        if id_changed && self.index.exact {
            self.index = UserIndex::build(&self.users);
        }
    }

    pub(crate) fn user_index(&self, user_id: &str) -> Option<usize> {
        if self.index.exact {
            let position = *self.index.positions.get(user_id)?;
            let here = self.users.get(position)?;
            if here.user.user_id.as_deref() == Some(user_id) {
                return Some(position);
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: &str) -> StoredUser {
        StoredUser {
            user: {
                let mut v = User::default();
                v.user_id = Some(id.to_owned());
                v
            },
            password_hash: None,
        }
    }

    fn state_with(ids: &[&str]) -> State {
        let mut state = State::new(1, Vec::new());
        for id in ids {
            state.push_user(stored(id));
        }
        state
    }

    #[test]
    fn the_index_follows_pushes_removals_and_id_changes() {
        let mut state = state_with(&["a|1", "a|2", "a|3"]);
        assert_eq!(state.user_index("a|2"), Some(1));
        assert_eq!(state.user_index("a|9"), None);
        state.retain_users(|s| s.user.user_id.as_deref() != Some("a|1"));
        assert_eq!(state.user_index("a|2"), Some(0));
        assert_eq!(state.user_index("a|3"), Some(1));
        assert_eq!(state.user_index("a|1"), None);
        state.update_user(0, |s| s.user.user_id = Some("a|7".to_owned()));
        assert_eq!(state.user_index("a|2"), None);
        assert_eq!(state.user_index("a|7"), Some(0));
        state.push_user(stored("a|8"));
        assert_eq!(state.user_index("a|8"), Some(2));
    }

    #[test]
    fn duplicates_resolve_to_the_first_like_a_scan() {
        let mut state = state_with(&["a|1", "a|1"]);
        assert_eq!(state.user_index("a|1"), Some(0));
        state.retain_users(|_| true);
        assert_eq!(state.user_index("a|1"), Some(0));
    }

    #[test]
    fn a_deserialized_state_answers_the_same_before_and_after_reindexing() {
        let state = state_with(&["a|1", "a|2"]);
        let text = serde_json::to_string(&state).expect("serializes");
        let mut back: State = serde_json::from_str(&text).expect("deserializes");
        assert_eq!(back, state);
        assert_eq!(back.user_index("a|2"), Some(1));
        back.reindex();
        assert_eq!(back.user_index("a|2"), Some(1));
        assert_eq!(back.user_index("a|3"), None);
    }
}
