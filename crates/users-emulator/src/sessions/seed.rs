//! The seed document's sessions-and-tokens part (`POST /__emulator/seed`, see the README):
//! `sessions`, `refresh_tokens`, `federated_connections_tokensets`, `connected_accounts`, each
//! a list of the API's objects plus a `user_id` naming a seeded or existing user;
//! `refresh_token_policy`. (Which APIs allow offline access is the resource servers'
//! `allow_offline_access`, seeded with the tenant's part.) Parsed completely before anything is committed, so a bad
//! entry leaves the state untouched.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use users_model::{
    ApiDate, ConnectedAccount, FederatedTokenSet, Nullable, RefreshToken, Session, Timestamp,
};

use crate::ids::IdGenerator;
use crate::profile::hash_password;
use crate::state::sessions::{RefreshTokenPolicy, Sequenced, SessionsState, StoredRefreshToken};

/// A parsed seed section, ready to commit.
#[derive(Default)]
pub(crate) struct Staged {
    policy: Option<RefreshTokenPolicy>,
    sessions: Vec<(String, Session)>,
    refresh_tokens: Vec<(Option<String>, RefreshToken)>,
    token_sets: Vec<(String, FederatedTokenSet)>,
    connected_accounts: Vec<(String, ConnectedAccount)>,
}

fn entries<'a>(doc: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], String> {
    match doc.get(key) {
        None => Ok(&[]),
        Some(Value::Array(list)) => Ok(list),
        Some(_) => Err(format!("{key} must be an array")),
    }
}

/// Takes `user_id` (required, naming a known user) out of `entry` and reads the rest as `T`.
fn owned<T: DeserializeOwned>(
    key: &str,
    index: usize,
    entry: &Value,
    user_exists: &dyn Fn(&str) -> bool,
) -> Result<(String, T), String> {
    let at = || format!("{key}[{index}]");
    let map = entry
        .as_object()
        .ok_or_else(|| format!("{}: not an object", at()))?;
    let user_id = match map.get("user_id") {
        Some(Value::String(id)) if user_exists(id) => id.clone(),
        Some(Value::String(id)) => return Err(format!("{}: no user {id}", at())),
        _ => return Err(format!("{}: needs `user_id`", at())),
    };
    let record: T = serde_json::from_value(entry.clone()).map_err(|e| format!("{}: {e}", at()))?;
    Ok((user_id, record))
}

/// Reads the section of `doc`; `user_exists` answers for users already stored or seeded by the
/// same document.
pub(crate) fn parse(
    doc: &Map<String, Value>,
    ids: &mut IdGenerator,
    now_ms: i64,
    user_exists: &dyn Fn(&str) -> bool,
) -> Result<Staged, String> {
    let now = || Nullable::Value(ApiDate::from(Timestamp::from_millis(now_ms)));
    let mut staged = Staged::default();
    if let Some(policy) = doc.get("refresh_token_policy") {
        staged.policy = Some(
            serde_json::from_value(policy.clone())
                .map_err(|e| format!("refresh_token_policy: {e}"))?,
        );
    }
    for (i, entry) in entries(doc, "sessions")?.iter().enumerate() {
        let (user, mut session): (String, Session) = owned("sessions", i, entry, user_exists)?;
        session.id.get_or_insert_with(|| ids.token_id());
        if session.created_at.is_absent() {
            session.created_at = now();
        }
        staged.sessions.push((user, session));
    }
    for (i, entry) in entries(doc, "refresh_tokens")?.iter().enumerate() {
        // The token itself (`token`) is not part of the listed object: take it out first.
        let mut entry = entry.clone();
        let token = match entry.as_object_mut().and_then(|m| m.remove("token")) {
            None => None,
            Some(Value::String(token)) if !token.is_empty() => Some(token),
            Some(_) => return Err(format!("refresh_tokens[{i}]: `token` must be a string")),
        };
        let (_, mut info): (String, RefreshToken) =
            owned("refresh_tokens", i, &entry, user_exists)?;
        info.id.get_or_insert_with(|| ids.token_id());
        if info.created_at.is_absent() {
            info.created_at = now();
        }
        staged.refresh_tokens.push((token, info));
    }
    for (i, entry) in entries(doc, "federated_connections_tokensets")?
        .iter()
        .enumerate()
    {
        let (user, mut set): (String, FederatedTokenSet) =
            owned("federated_connections_tokensets", i, entry, user_exists)?;
        // `user_id` is the owner, not a field of the listed object.
        set.extra.remove("user_id");
        set.id.get_or_insert_with(|| ids.token_id());
        staged.token_sets.push((user, set));
    }
    for (i, entry) in entries(doc, "connected_accounts")?.iter().enumerate() {
        let (user, mut account): (String, ConnectedAccount) =
            owned("connected_accounts", i, entry, user_exists)?;
        account.extra.remove("user_id");
        account
            .id
            .get_or_insert_with(|| format!("cac_{}", ids.token_id()));
        staged.connected_accounts.push((user, account));
    }
    Ok(staged)
}

impl Staged {
    /// Adds the staged records after the existing ones.
    pub(crate) fn commit(self, state: &mut SessionsState) {
        if let Some(policy) = self.policy {
            state.policy = policy;
        }
        for (user_id, record) in self.sessions {
            let seq = state.next_seq();
            state.sessions.push(Sequenced {
                seq,
                user_id,
                record,
            });
        }
        for (token, info) in self.refresh_tokens {
            let seq = state.next_seq();
            state.refresh_tokens.push(StoredRefreshToken {
                seq,
                token_hash: token.map(|t| hash_password(crate::state::sessions::TOKEN_SALT, &t)),
                info,
            });
        }
        for (user_id, record) in self.token_sets {
            let seq = state.next_seq();
            state.token_sets.push(Sequenced {
                seq,
                user_id,
                record,
            });
        }
        for (user_id, record) in self.connected_accounts {
            let seq = state.next_seq();
            state.connected_accounts.push(Sequenced {
                seq,
                user_id,
                record,
            });
        }
    }
}
