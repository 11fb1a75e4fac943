//! The state of a tenant's sessions, refresh tokens, federated token sets and connected
//! accounts: one struct that `State` holds as a single `#[serde(default)]` field, so snapshots
//! written before it existed still load.
//!
//! Every record has a sequence number from one counter. Lists are in that order and the
//! checkpoint cursor (`next`, sent back as `from`) names a sequence number, not a record: a walk
//! continues after the cursor even when the record it came from was removed meanwhile, and
//! records added during the walk come after every existing one. So a walk never repeats or
//! skips a record that existed throughout.

use serde::{Deserialize, Serialize};
use users_model::{
    ApiDate, AuthenticationSignal, ConnectedAccount, FederatedTokenSet, Nullable, RefreshToken,
    RefreshTokenResourceServer, Session, SessionAuthentication, SessionClient, Timestamp,
};

use crate::ids::IdGenerator;
use crate::profile::{hash_password, password_matches};

/// Salt of the stored refresh-token hashes (the token is random, the salt only separates these
/// hashes from password hashes).
pub(crate) const TOKEN_SALT: &str = "refresh_token";

/// Sessions, refresh tokens, token sets and connected accounts of every user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SessionsState {
    /// The last sequence number given out.
    #[serde(default)]
    seq: u64,
    #[serde(default)]
    pub sessions: Vec<Sequenced<Session>>,
    #[serde(default)]
    pub refresh_tokens: Vec<StoredRefreshToken>,
    #[serde(default)]
    pub token_sets: Vec<Sequenced<FederatedTokenSet>>,
    #[serde(default)]
    pub connected_accounts: Vec<Sequenced<ConnectedAccount>>,
    /// Lifetimes given to new refresh tokens.
    #[serde(default)]
    pub policy: RefreshTokenPolicy,
    /// The "Allow Offline Access" settings a state file written before APIs were resource
    /// servers holds here; read only, moved to the resource servers on load
    /// (`State::adopt_legacy_apis`).
    #[serde(default, rename = "apis", skip_serializing)]
    pub legacy_apis: Vec<ApiSettings>,
}

/// A record with its owner and place in the lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Sequenced<T> {
    pub seq: u64,
    pub user_id: String,
    pub record: T,
}

/// A refresh token as stored: what the API lists, plus the hash of the token itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredRefreshToken {
    pub seq: u64,
    /// Salted SHA-256 (hex) of the token; `None` for a seeded token given without one (listed,
    /// never exchangeable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_hash: Option<String>,
    pub info: RefreshToken,
}

/// Lifetimes of new refresh tokens. `None`: no such limit, listed as `null` (the recorded
/// non-rotating tokens have `idle_expires_at: null, expires_at: null`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RefreshTokenPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_lifetime_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime_secs: Option<i64>,
}

/// An API and whether it lets applications get refresh tokens for it, as older state files
/// hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ApiSettings {
    pub identifier: String,
    #[serde(default)]
    pub allow_offline_access: bool,
}

/// Why a refresh token cannot be exchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExchangeRefusal {
    /// Unknown, revoked (by either delete operation or a password change), expired, or issued
    /// to another application.
    Invalid,
}

/// What a granted exchange carries over from the refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub user_id: String,
    pub session_id: Option<String>,
    pub audience: String,
    pub scope: String,
}

/// A login that asked for `offline_access`.
pub(crate) struct Login<'a> {
    pub user_id: &'a str,
    pub client_id: &'a str,
    pub audience: &'a str,
    pub scope: &'a str,
    pub now_ms: i64,
}

fn date(ms: i64) -> Nullable<ApiDate> {
    Nullable::Value(ApiDate::from(Timestamp::from_millis(ms)))
}

fn millis(value: &Nullable<ApiDate>) -> Option<i64> {
    value
        .value()
        .and_then(ApiDate::timestamp)
        .map(Timestamp::as_millis)
}

fn expiry(now_ms: i64, secs: Option<i64>) -> Nullable<ApiDate> {
    match secs {
        Some(secs) => date(now_ms.saturating_add(secs.saturating_mul(1000))),
        None => Nullable::Null,
    }
}

impl SessionsState {
    /// The next sequence number.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq = self.seq.saturating_add(1);
        self.seq
    }

    /// Starts a session for a login and issues a refresh token bound to it; returns the session
    /// id and the refresh token (the only time the token exists in clear).
    pub(crate) fn login(&mut self, ids: &mut IdGenerator, login: &Login<'_>) -> (String, String) {
        let session_id = ids.token_id();
        let now = date(login.now_ms);
        let session = Session {
            id: Some(session_id.clone()),
            user_id: Some(login.user_id.to_owned()),
            created_at: now.clone(),
            updated_at: now.clone(),
            authenticated_at: now.clone(),
            last_interacted_at: now.clone(),
            idle_expires_at: Nullable::Null,
            expires_at: Nullable::Null,
            clients: Some(vec![SessionClient {
                client_id: Some(login.client_id.to_owned()),
                ..SessionClient::default()
            }]),
            authentication: Some(SessionAuthentication {
                methods: Some(vec![AuthenticationSignal {
                    name: Some("pwd".into()),
                    timestamp: now.clone(),
                    ..AuthenticationSignal::default()
                }]),
                ..SessionAuthentication::default()
            }),
            ..Session::default()
        };
        let seq = self.next_seq();
        self.sessions.push(Sequenced {
            seq,
            user_id: login.user_id.to_owned(),
            record: session,
        });
        let token = format!("v1.{}{}{}", ids.token_id(), ids.token_id(), ids.token_id());
        let info = RefreshToken {
            id: Some(ids.token_id()),
            user_id: Some(login.user_id.to_owned()),
            created_at: now,
            idle_expires_at: expiry(login.now_ms, self.policy.idle_lifetime_secs),
            expires_at: expiry(login.now_ms, self.policy.lifetime_secs),
            client_id: Some(login.client_id.to_owned()),
            session_id: Nullable::Value(session_id.clone()),
            rotating: Some(false),
            resource_servers: Some(vec![RefreshTokenResourceServer {
                audience: Some(login.audience.to_owned()),
                scopes: Some(login.scope.to_owned()),
                ..RefreshTokenResourceServer::default()
            }]),
            ..RefreshToken::default()
        };
        let seq = self.next_seq();
        self.refresh_tokens.push(StoredRefreshToken {
            seq,
            token_hash: Some(hash_password(TOKEN_SALT, &token)),
            info,
        });
        (session_id, token)
    }

    /// Exchanges `token` for `client_id` at `now_ms`: the grant it carries, and the token's
    /// `last_exchanged_at` and sliding idle expiry moved to now.
    pub(crate) fn exchange(
        &mut self,
        token: &str,
        client_id: &str,
        now_ms: i64,
    ) -> Result<Grant, ExchangeRefusal> {
        let idle = self.policy.idle_lifetime_secs;
        let stored = self
            .refresh_tokens
            .iter_mut()
            .find(|t| {
                t.token_hash
                    .as_deref()
                    .is_some_and(|hash| password_matches(TOKEN_SALT, token, hash))
            })
            .ok_or(ExchangeRefusal::Invalid)?;
        let info = &mut stored.info;
        let expired = |at: &Nullable<ApiDate>| millis(at).is_some_and(|at| at <= now_ms);
        if info.client_id.as_deref() != Some(client_id)
            || expired(&info.expires_at)
            || expired(&info.idle_expires_at)
        {
            return Err(ExchangeRefusal::Invalid);
        }
        info.last_exchanged_at = date(now_ms);
        if idle.is_some() {
            info.idle_expires_at = expiry(now_ms, idle);
        }
        let server = info.resource_servers.iter().flatten().next();
        Ok(Grant {
            user_id: info.user_id.clone().unwrap_or_default(),
            session_id: info.session_id.value().cloned(),
            audience: server.and_then(|s| s.audience.clone()).unwrap_or_default(),
            scope: server.and_then(|s| s.scopes.clone()).unwrap_or_default(),
        })
    }

    /// The user of a stored refresh token `token`, whether or not it may still be exchanged
    /// (for the log of a refused exchange).
    pub(crate) fn owner_of(&self, token: &str) -> Option<&str> {
        self.refresh_tokens
            .iter()
            .find(|t| {
                t.token_hash
                    .as_deref()
                    .is_some_and(|hash| password_matches(TOKEN_SALT, token, hash))
            })
            .and_then(|t| t.info.user_id.as_deref())
    }

    /// Revokes every refresh token of `user_id`; how many there were.
    pub(crate) fn revoke_refresh_tokens(&mut self, user_id: &str) -> usize {
        let before = self.refresh_tokens.len();
        self.refresh_tokens
            .retain(|t| t.info.user_id.as_deref() != Some(user_id));
        before - self.refresh_tokens.len()
    }

    /// Ends every session of `user_id` and revokes the refresh tokens bound to them; how many
    /// sessions and tokens went.
    pub(crate) fn end_sessions(&mut self, user_id: &str) -> (usize, usize) {
        let ended: Vec<String> = self
            .sessions
            .iter()
            .filter(|s| s.user_id == user_id)
            .filter_map(|s| s.record.id.clone())
            .collect();
        let sessions_before = self.sessions.len();
        self.sessions.retain(|s| s.user_id != user_id);
        let tokens_before = self.refresh_tokens.len();
        self.refresh_tokens.retain(|t| {
            !t.info
                .session_id
                .value()
                .is_some_and(|sid| ended.contains(sid))
        });
        (
            sessions_before - self.sessions.len(),
            tokens_before - self.refresh_tokens.len(),
        )
    }

    /// Removes everything of a deleted user.
    pub(crate) fn remove_user(&mut self, user_id: &str) {
        self.sessions.retain(|s| s.user_id != user_id);
        self.revoke_refresh_tokens(user_id);
        self.token_sets.retain(|s| s.user_id != user_id);
        self.connected_accounts.retain(|a| a.user_id != user_id);
    }

    /// Deletes token set `id` of `user_id`; whether there was one.
    pub(crate) fn delete_token_set(&mut self, user_id: &str, id: &str) -> bool {
        let before = self.token_sets.len();
        self.token_sets
            .retain(|s| !(s.user_id == user_id && s.record.id.as_deref() == Some(id)));
        before != self.token_sets.len()
    }

    /// The refresh tokens of `user_id` as `(seq, listed form)`, in list order.
    pub(crate) fn refresh_tokens_of<'a>(
        &'a self,
        user_id: &'a str,
    ) -> impl Iterator<Item = (u64, &'a RefreshToken)> + 'a {
        self.refresh_tokens
            .iter()
            .filter(move |t| t.info.user_id.as_deref() == Some(user_id))
            .map(|t| (t.seq, &t.info))
    }
}

/// The records of `user_id` in `list`, as `(seq, record)`.
pub(crate) fn owned_by<'a, T>(
    list: &'a [Sequenced<T>],
    user_id: &'a str,
) -> impl Iterator<Item = (u64, &'a T)> + 'a {
    list.iter()
        .filter(move |s| s.user_id == user_id)
        .map(|s| (s.seq, &s.record))
}

/// One checkpoint page of `items` (in sequence order): those after cursor `from`, at most
/// `take`, and the cursor of the next page when more follow.
pub(crate) fn checkpoint_page<'a, T>(
    items: impl Iterator<Item = (u64, &'a T)>,
    from: Option<u64>,
    take: usize,
) -> (Vec<&'a T>, Option<String>)
where
    T: 'a,
{
    let mut after = items.filter(|(seq, _)| from.is_none_or(|from| *seq > from));
    let page: Vec<(u64, &T)> = after.by_ref().take(take).collect();
    let next = match (after.next(), page.last()) {
        (Some(_), Some((seq, _))) => Some(encode_cursor(*seq)),
        _ => None,
    };
    (page.into_iter().map(|(_, item)| item).collect(), next)
}

/// The opaque cursor naming sequence number `seq`.
pub(crate) fn encode_cursor(seq: u64) -> String {
    format!("cp_{seq:016x}")
}

/// The sequence number a cursor names; `None` for anything this emulator did not hand out.
pub(crate) fn decode_cursor(cursor: &str) -> Option<u64> {
    let hex = cursor.strip_prefix("cp_")?;
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login<'a>(user: &'a str, now_ms: i64) -> Login<'a> {
        Login {
            user_id: user,
            client_id: "app",
            audience: "https://t.example/api/v2/",
            scope: "openid offline_access",
            now_ms,
        }
    }

    #[test]
    fn a_login_gives_an_exchangeable_token_bound_to_its_session() {
        let mut state = SessionsState::default();
        let mut ids = IdGenerator::new(1);
        let (sid, token) = state.login(&mut ids, &login("auth0|1", 1_000));
        assert_eq!(state.sessions.len(), 1);
        let grant = state.exchange(&token, "app", 2_000).expect("valid");
        assert_eq!(grant.session_id.as_deref(), Some(sid.as_str()));
        assert_eq!(grant.scope, "openid offline_access");
        assert_eq!(
            state.exchange(&token, "other-app", 2_000),
            Err(ExchangeRefusal::Invalid)
        );
        assert_eq!(
            state.exchange("v1.nope", "app", 2_000),
            Err(ExchangeRefusal::Invalid)
        );
        // Stored as a hash only.
        let snapshot = serde_json::to_string(&state).expect("serializes");
        assert!(!snapshot.contains(&token));
    }

    #[test]
    fn ending_sessions_revokes_only_the_tokens_bound_to_them() {
        let mut state = SessionsState::default();
        let mut ids = IdGenerator::new(1);
        let (_, mine) = state.login(&mut ids, &login("auth0|1", 0));
        let (_, theirs) = state.login(&mut ids, &login("auth0|2", 0));
        assert_eq!(state.end_sessions("auth0|1"), (1, 1));
        assert!(state.exchange(&mine, "app", 1).is_err());
        assert!(state.exchange(&theirs, "app", 1).is_ok());
        assert_eq!(state.revoke_refresh_tokens("auth0|2"), 1);
        assert!(state.exchange(&theirs, "app", 1).is_err());
        assert_eq!(state.sessions.len(), 1, "revoking tokens leaves sessions");
    }

    #[test]
    fn tokens_expire_by_absolute_and_sliding_idle_lifetime() {
        let mut state = SessionsState {
            policy: RefreshTokenPolicy {
                idle_lifetime_secs: Some(10),
                lifetime_secs: Some(25),
            },
            ..SessionsState::default()
        };
        let mut ids = IdGenerator::new(1);
        let (_, token) = state.login(&mut ids, &login("auth0|1", 0));
        assert!(state.exchange(&token, "app", 9_000).is_ok());
        // Idle expiry slid to 19 s; absolute stays 25 s.
        assert!(state.exchange(&token, "app", 18_000).is_ok());
        assert!(state.exchange(&token, "app", 25_000).is_err());
        let (_, idle) = state.login(&mut ids, &login("auth0|1", 30_000));
        assert!(state.exchange(&idle, "app", 40_000).is_err());
    }

    #[test]
    fn pages_follow_the_cursor_past_removed_records() {
        let items: Vec<(u64, &str)> = vec![(1, "a"), (2, "b"), (4, "d"), (7, "g")];
        let all = || items.iter().map(|(s, v)| (*s, v));
        let (first, next) = checkpoint_page(all(), None, 2);
        assert_eq!(first, [&"a", &"b"]);
        let from = decode_cursor(&next.expect("more")).expect("ours");
        assert_eq!(from, 2);
        // "b" was removed and "h" added: the walk goes on after 2.
        let changed: Vec<(u64, &str)> = vec![(1, "a"), (4, "d"), (7, "g"), (9, "h")];
        let (second, next) = checkpoint_page(changed.iter().map(|(s, v)| (*s, v)), Some(from), 2);
        assert_eq!(second, [&"d", &"g"]);
        let (third, next) = checkpoint_page(
            changed.iter().map(|(s, v)| (*s, v)),
            next.as_deref().and_then(decode_cursor),
            2,
        );
        assert_eq!(third, [&"h"]);
        assert_eq!(next, None);
        let (exact, next) = checkpoint_page(all(), None, 4);
        assert_eq!(exact.len(), 4);
        assert_eq!(next, None, "no cursor when nothing follows");
        assert_eq!(decode_cursor("cp_zz"), None);
        assert_eq!(decode_cursor(&encode_cursor(u64::MAX)), Some(u64::MAX));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Records present from start to end of a walk are each listed exactly once, whatever
        /// is added or removed between pages.
        #[test]
        fn a_walk_during_changes_lists_every_lasting_record_once(
            initial in 0usize..30,
            take in 1usize..6,
            changes in proptest::collection::vec((0usize..3, 0usize..3, proptest::prelude::any::<u8>()), 0..12),
        ) {
            let mut seq = 0u64;
            let mut items: Vec<(u64, u64)> = Vec::new();
            for _ in 0..initial {
                seq += 1;
                items.push((seq, seq));
            }
            let mut removed = std::collections::HashSet::new();
            let mut seen = Vec::new();
            let mut from = None;
            let mut changes = changes.into_iter();
            loop {
                let (page, next) = checkpoint_page(items.iter().map(|(s, v)| (*s, v)), from, take);
                seen.extend(page.into_iter().copied());
                let Some(next) = next else { break };
                from = decode_cursor(&next);
                let (adds, removes, pick) = changes.next().unwrap_or((0, 0, 0));
                for _ in 0..adds {
                    seq += 1;
                    items.push((seq, seq));
                }
                for r in 0..removes {
                    if !items.is_empty() {
                        let at = (usize::from(pick) + r) % items.len();
                        removed.insert(items.remove(at).1);
                    }
                }
            }
            let mut unique = seen.clone();
            unique.dedup();
            proptest::prop_assert_eq!(&unique, &seen, "no repeats, in order");
            for value in 1..=initial as u64 {
                if !removed.contains(&value) {
                    proptest::prop_assert!(seen.contains(&value), "{} skipped", value);
                }
            }
        }
    }
}
