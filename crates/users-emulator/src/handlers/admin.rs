//! The `/__emulator/` admin API: reset, seed, snapshot and faults. Unauthenticated (a local
//! tool), never rate limited, never subject to faults.

use bytes::Bytes;
use http::{Method, Response};
use serde_json::{Map, Value, json};
use users_model::{Identity, IdentityUserId, Provider, User};

use crate::config::EmulatorConfig;
use crate::connections::Connection;
use crate::emulator::{Runtime, reset_runtime};
use crate::faults::FaultRule;
use crate::profile::hash_password;
use crate::reply::{ApiError, empty_response, json_response};
use crate::request::ApiRequest;
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
                .map_err(ApiError::invalid_body)
        }),
        (&Method::GET, ["snapshot"]) => Ok(json_response(
            200,
            &serde_json::to_value(&*state).unwrap_or(Value::Null),
        )),
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
) -> Result<Vec<String>, String> {
    let doc = document
        .as_object()
        .ok_or("the seed document must be a JSON object")?;
    let mut next = state.clone();
    if let Some(connections) = doc.get("connections") {
        let list: Vec<Connection> =
            serde_json::from_value(connections.clone()).map_err(|e| format!("connections: {e}"))?;
        for connection in list {
            let connection = connection.normalized();
            next.connections.retain(|c| c.name != connection.name);
            next.connections.push(connection);
        }
    }
    let mut ids = Vec::new();
    for (index, entry) in doc
        .get("users")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let stored =
            seed_user(&mut next, entry, now_ms).map_err(|e| format!("users[{index}]: {e}"))?;
        let id = stored.user.user_id.clone().unwrap_or_default();
        if next.user_index(&id).is_some() {
            return Err(format!("users[{index}]: user {id} already exists"));
        }
        ids.push(id);
        next.push_user(stored);
    }
    if let Some(blocks) = doc.get("blocks") {
        let list: Vec<BruteForceBlock> =
            serde_json::from_value(blocks.clone()).map_err(|e| format!("blocks: {e}"))?;
        for mut block in list {
            let user = next
                .user(&block.user_id)
                .ok_or_else(|| format!("blocks: no user {}", block.user_id))?;
            if block.connection.is_none() {
                block.connection = next.primary_connection(&user.user).map(|c| c.name.clone());
            }
            next.blocks.push(block);
        }
    }
    *state = next;
    Ok(ids)
}

fn seed_user(state: &mut State, entry: &Value, now_ms: i64) -> Result<StoredUser, String> {
    let mut map: Map<String, Value> = entry.as_object().cloned().ok_or("not an object")?;
    let connection = match map.remove("connection") {
        None => None,
        Some(Value::String(name)) => Some(
            state
                .connection_by_name(&name)
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
            None => state.ids.user_id(now_ms.div_euclid(1000)),
        };
        user.user_id = Some(format!("{provider}|{bare}"));
        user.identities = Some(vec![Identity {
            connection: Some(connection.name.clone()),
            user_id: Some(IdentityUserId::String(bare)),
            provider: Some(Provider::from(provider.as_str())),
            is_social: Some(connection.kind() == crate::connections::StrategyKind::Social),
            ..Identity::default()
        }]);
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
    let password_hash = password.map(|p| hash_password(&user_id, &p));
    Ok(StoredUser {
        user,
        password_hash,
    })
}
