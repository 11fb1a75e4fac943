//! The `/__emulator/` admin API: reset, seed, snapshot, export and faults. Unauthenticated (a local
//! tool), never rate limited, never subject to faults.

use std::collections::HashMap;

use bytes::Bytes;
use http::{Method, Response};
use serde_json::{Map, Value, json};
use users_model::{Identity, IdentityUserId, Provider, User};

use crate::config::EmulatorConfig;
use crate::connections::Connection;
use crate::faults::FaultRule;
use crate::ids::IdGenerator;
use crate::profile::hash_password;
use crate::reply::{ApiError, empty_response, json_response};
use crate::request::ApiRequest;
use crate::runtime::{Runtime, reset_runtime};
use crate::seed_error::SeedError;
use crate::state::{BruteForceBlock, State, StoredUser};

/// Handles a request under `/__emulator/`.
pub(crate) fn handle(
    state: &mut State,
    runtime: &mut Runtime,
    config: &EmulatorConfig,
    request: &ApiRequest,
    now_ms: i64,
) -> Response<Bytes> {
    let rest: Vec<&str> = request
        .segments
        .iter()
        .skip(1)
        .map(String::as_str)
        .collect();
    let result = match (&request.method, rest.as_slice()) {
        (&Method::POST, ["reset"]) => {
            *state = State::new(config.seed, config.connections.clone());
            reset_runtime(runtime, config);
            Ok(empty_response(204))
        }
        (&Method::POST, ["seed"]) => request.json_object().and_then(|body| {
            seed(state, &Value::Object(body), now_ms)
                .map(|ids| json_response(200, &json!({ "users": ids })))
                .map_err(|e| ApiError::invalid_body(e.to_string()))
        }),
        (&Method::GET, ["snapshot"]) => Ok(json_response(
            200,
            &serde_json::to_value(&*state).unwrap_or(Value::Null),
        )),
        (&Method::GET, ["export"]) => Ok(json_response(200, &crate::export::document(state))),
        (&Method::GET, ["faults"]) => Ok(json_response(
            200,
            &serde_json::to_value(runtime.faults.pending()).unwrap_or(Value::Null),
        )),
        (&Method::POST, ["faults"]) => request.json_object().and_then(|body| {
            let rule: FaultRule = serde_json::from_value(Value::Object(body))
                .map_err(|e| ApiError::invalid_body(format!("Invalid fault rule: {e}")))?;
            runtime.faults.add(rule).map_err(ApiError::invalid_body)?;
            Ok(json_response(
                201,
                &serde_json::to_value(runtime.faults.pending()).unwrap_or(Value::Null),
            ))
        }),
        (&Method::DELETE, ["faults"]) => {
            runtime.faults.clear();
            Ok(empty_response(204))
        }
        _ => Err(ApiError::not_found_path()),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// Adds the connections, users and blocks of a seed document; all or nothing.
pub(crate) fn seed(
    state: &mut State,
    document: &Value,
    now_ms: i64,
) -> Result<Vec<String>, SeedError> {
    let doc = document
        .as_object()
        .ok_or_else(|| SeedError::document("the seed document must be a JSON object"))?;
    // All or nothing: everything is staged next to the state and checked against both, and only
    // committed when the whole document is valid. Only the small parts that change in place
    // (connections, the id counter) are copied, never the stored users.
    let mut connections = state.connections.clone();
    let mut generator = state.ids.clone();
    if let Some(list) = doc.get("connections") {
        let list: Vec<Connection> =
            serde_json::from_value(list.clone()).map_err(|e| SeedError::entry("connections", e))?;
        for connection in list {
            let connection = connection.normalized();
            connections.retain(|c| c.name != connection.name);
            connections.push(connection);
        }
    }
    let mut ids = Vec::new();
    let mut staged: Vec<StoredUser> = Vec::new();
    let mut staged_index: HashMap<String, usize> = HashMap::new();
    for (index, entry) in doc
        .get("users")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let stored = seed_user(&connections, &mut generator, entry, now_ms)
            .map_err(|e| SeedError::entry(format!("users[{index}]"), e))?;
        let id = stored.user.user_id.clone().unwrap_or_default();
        if state.user_index(&id).is_some() || staged_index.contains_key(&id) {
            return Err(SeedError::entry(
                format!("users[{index}]"),
                format!("user {id} already exists"),
            ));
        }
        staged_index.insert(id.clone(), staged.len());
        ids.push(id);
        staged.push(stored);
    }
    let mut blocks = Vec::new();
    if let Some(list) = doc.get("blocks") {
        let list: Vec<BruteForceBlock> =
            serde_json::from_value(list.clone()).map_err(|e| SeedError::entry("blocks", e))?;
        for mut block in list {
            let user = staged_index
                .get(&block.user_id)
                .and_then(|&i| staged.get(i))
                .or_else(|| state.user(&block.user_id))
                .ok_or_else(|| SeedError::entry("blocks", format!("no user {}", block.user_id)))?;
            if block.connection.is_none() {
                block.connection =
                    primary_connection(&connections, &user.user).map(|c| c.name.clone());
            }
            blocks.push(block);
        }
    }
    let exists = |id: &str| staged_index.contains_key(id) || state.user_index(id).is_some();
    let mfa = state
        .mfa
        .seeded(doc, exists, &mut generator, now_ms)
        .map_err(SeedError::prefixed)?;
    let tenant = crate::state::tenant::seed::stage(&state.tenant, doc, &mut generator, &exists)
        .map_err(SeedError::prefixed)?;
    let sessions = crate::sessions::seed::parse(doc, &mut generator, now_ms, &exists)
        .map_err(SeedError::prefixed)?;
    state.connections = connections;
    state.ids = generator;
    state.mfa = mfa.into();
    state.tenant = tenant.into();
    sessions.commit(&mut state.sessions);
    for stored in staged {
        state.push_user(stored);
    }
    state.blocks.extend(blocks);
    Ok(ids)
}

/// The connection of `user`'s main identity among `connections`.
fn primary_connection<'c>(connections: &'c [Connection], user: &User) -> Option<&'c Connection> {
    let name = user.identities.as_ref()?.first()?.connection.as_deref()?;
    connections.iter().find(|c| c.name == name)
}

fn seed_user(
    connections: &[Connection],
    generator: &mut IdGenerator,
    entry: &Value,
    now_ms: i64,
) -> Result<StoredUser, String> {
    let mut map: Map<String, Value> = entry.as_object().cloned().ok_or("not an object")?;
    let connection = match map.remove("connection") {
        None => None,
        Some(Value::String(name)) => Some(
            connections
                .iter()
                .find(|c| c.name == name)
                .cloned()
                .ok_or_else(|| format!("unknown connection {name}"))?,
        ),
        Some(_) => return Err("connection must be a string".into()),
    };
    let password = match map.remove("password") {
        None => None,
        Some(Value::String(p)) => Some(p),
        Some(_) => return Err("password must be a string".into()),
    };
    // The stored hash as an export document spells it, so every user entry of an export is a
    // seed entry too (and `password_hash` never ends up among a user's extra fields).
    let given_hash = match map.remove("password_hash") {
        None => None,
        Some(Value::String(hash)) if crate::export::is_password_hash(&hash) => Some(hash),
        Some(_) => return Err("password_hash must be 64 lower-case hex digits".into()),
    };
    if password.is_some() && given_hash.is_some() {
        return Err("give `password` or `password_hash`, not both".into());
    }
    let mut user: User = serde_json::from_value(Value::Object(map)).map_err(|e| e.to_string())?;
    let now = users_model::Timestamp::from_millis(now_ms).to_string();
    if user.identities.as_ref().is_none_or(Vec::is_empty) {
        let connection = connection.ok_or("needs `connection` or `identities`")?;
        let provider = connection.provider().to_owned();
        let bare = match &user.user_id {
            Some(id) => id
                .split_once('|')
                .map_or(id.as_str(), |(_, b)| b)
                .to_owned(),
            None => generator.user_id(now_ms.div_euclid(1000)),
        };
        user.user_id = Some(format!("{provider}|{bare}"));
        let mut identity = Identity::default();
        identity.connection = Some(connection.name.clone());
        identity.user_id = Some(IdentityUserId::String(bare));
        identity.provider = Some(Provider::from(provider.as_str()));
        identity.is_social = Some(connection.kind() == crate::connections::StrategyKind::Social);
        user.identities = Some(vec![identity]);
    }
    if user.user_id.is_none() {
        let first = user.identities.as_ref().and_then(|ids| ids.first());
        let provider = first
            .and_then(|i| i.provider.as_ref())
            .map(|p| p.as_str().to_owned());
        let bare = first
            .and_then(|i| i.user_id.as_ref())
            .map(ToString::to_string);
        match (provider, bare) {
            (Some(p), Some(b)) => user.user_id = Some(format!("{p}|{b}")),
            _ => return Err("needs `user_id`".into()),
        }
    }
    user.created_at.get_or_insert_with(|| now.clone());
    user.updated_at.get_or_insert(now);
    let user_id = user.user_id.clone().unwrap_or_default();
    let password_hash = password.map(|p| hash_password(&user_id, &p)).or(given_hash);
    Ok(StoredUser {
        user,
        password_hash,
    })
}
