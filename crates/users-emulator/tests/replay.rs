//! Recorded-scenario replay: every recorded scenario that uses the endpoints the emulator
//! implements runs against a fresh emulator, in order, and must give the recorded status and
//! body, ignoring only values the server generates (ids, timestamps, tokens).
//!
//! Recorded ids are mapped to the emulator's by following responses (`POST /users` answers).
//! Users a scenario uses without creating them ("pre-existing", e.g. the ruby cassettes that
//! share a test user) are seeded from what the recordings show of them; connections a scenario
//! needs (a database requiring usernames) are configured. Exchanges with endpoints the emulator
//! does not implement (roles, permissions, logs, ...) are skipped and counted. Left-out
//! scenarios and the reasons are listed in DIFFERENCES.md.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Api, Backend};
use serde_json::{Map, Value, json};
use users_emulator::{Connection, EmulatorConfig, default_connections};

/// Keys whose values the server generates at request time.
const GENERATED: &[&str] = &[
    "created_at",
    "updated_at",
    "last_password_reset",
    "last_login",
];
const DB: &str = "Username-Password-Authentication";

/// Files the recordings README says not to use as an oracle.
const NOT_AN_ORACLE: &[&str] = &[
    "go-auth0-hist-5ef268fe__TestUserManager_ListConnectedAccounts__01",
    "go-auth0__TestUserManager_ListRefreshTokens__00",
    "go-auth0__TestUserManager_DeleteRefreshTokens__",
    "go-auth0__TestUserManager_AuthenticationMethods__03",
    "go-auth0__TestUserManager_AuthenticationMethods__05",
];

struct Exchange {
    file: String,
    method: String,
    path: String,
    query_raw: String,
    body: Value,
    status: u16,
    response_headers: Map<String, Value>,
    response_body: Value,
}

fn load() -> BTreeMap<String, Vec<Exchange>> {
    let dir = users_fixtures::recordings_dir();
    let files = users_fixtures::json_files(&dir, 250);
    let mut scenarios: BTreeMap<String, Vec<Exchange>> = BTreeMap::new();
    for path in files {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if NOT_AN_ORACLE.iter().any(|bad| name.starts_with(bad)) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read recording");
        let doc: Value = serde_json::from_str(&text).expect("recording is JSON");
        let prefix = name.split("__").next().unwrap_or_default();
        let key = format!("{prefix}::{}", doc["test"].as_str().unwrap_or_default());
        let request = &doc["request"];
        let response = &doc["response"];
        scenarios.entry(key).or_default().push(Exchange {
            file: name,
            method: request["method"].as_str().unwrap_or_default().to_owned(),
            path: request["path_decoded"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            query_raw: request["query_raw"].as_str().unwrap_or_default().to_owned(),
            body: request["body"].clone(),
            status: response["status"].as_u64().unwrap_or(0) as u16,
            response_headers: response["headers"].as_object().cloned().unwrap_or_default(),
            response_body: response["body"].clone(),
        });
    }
    scenarios
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

/// Whether the emulator implements the exchange's endpoint: one of the served operations.
fn implemented(method: &str, path: &str) -> bool {
    segments(path)
        .strip_prefix(&["api", "v2"])
        .is_some_and(|rest| users_model::operation::find(method, rest).is_some())
}

fn bare(id: &str) -> &str {
    id.split_once('|').map_or(id, |(_, b)| b)
}

/// Recorded id <-> emulator id, both the full and the bare forms.
#[derive(Default)]
struct IdMap {
    forward: BTreeMap<String, String>,
}

impl IdMap {
    fn add(&mut self, recorded: &str, emulated: &str) {
        self.forward
            .insert(recorded.to_owned(), emulated.to_owned());
        self.forward
            .insert(bare(recorded).to_owned(), bare(emulated).to_owned());
    }

    fn to_emulator(&self, s: &str) -> String {
        if let Some(hit) = self.forward.get(s) {
            return hit.clone();
        }
        let mut out = s.to_owned();
        for (from, to) in &self.forward {
            if from.contains('|') {
                out = out.replace(from, to);
            }
        }
        out
    }

    fn to_recorded(&self, s: &str) -> String {
        self.forward
            .iter()
            .find(|(_, to)| to.as_str() == s)
            .map(|(from, _)| from.clone())
            .unwrap_or_else(|| s.to_owned())
    }
}

fn map_strings(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| map_strings(v, f)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), map_strings(v, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn strip_generated(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(strip_generated).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !GENERATED.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), strip_generated(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Connections the scenario needs: unknown database names added, `requires_username` where a
/// created user has a username.
fn config_for(exchanges: &[Exchange]) -> EmulatorConfig {
    let mut connections = default_connections();
    for exchange in exchanges {
        if exchange.method != "POST" || exchange.path != "/api/v2/users" {
            continue;
        }
        let Some(name) = exchange.body["connection"].as_str() else {
            continue;
        };
        if !connections.iter().any(|c| c.name == name) {
            connections.push(Connection::new(name, "auth0"));
        }
        if exchange.body.get("username").is_some() {
            for c in connections.iter_mut().filter(|c| c.name == name) {
                c.requires_username = true;
            }
        }
    }
    let mut config = EmulatorConfig::default();
    config.connections = connections;
    config
}

/// Every user object (with a `user_id`) in a response body.
fn user_objects(body: &Value) -> Vec<&Map<String, Value>> {
    let list = match body {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        Value::Object(map) if map.contains_key("users") => map["users"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        other => vec![other],
    };
    list.into_iter()
        .filter_map(Value::as_object)
        .filter(|m| {
            m.get("user_id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.contains('|'))
        })
        .collect()
}

/// Seed entries for users the scenario uses without creating them.
fn seed_for(exchanges: &[Exchange]) -> Vec<Value> {
    let created: BTreeSet<String> = exchanges
        .iter()
        .filter(|e| e.method == "POST" && e.path == "/api/v2/users")
        .filter_map(|e| e.response_body["user_id"].as_str().map(str::to_owned))
        .collect();
    let mut seeds: BTreeMap<String, Value> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut put = |id: String, user: Value, seeds: &mut BTreeMap<String, Value>| {
        if created.contains(&id) {
            return;
        }
        let better = seeds
            .get(&id)
            .and_then(Value::as_object)
            .is_none_or(|old| user.as_object().is_some_and(|new| new.len() > old.len()));
        if better {
            if !seeds.contains_key(&id) {
                order.push(id.clone());
            }
            seeds.insert(id, user);
        }
    };
    for exchange in exchanges.iter().filter(|e| implemented(&e.method, &e.path)) {
        let s = segments(&exchange.path);
        // Users shown in responses.
        for user in user_objects(&exchange.response_body) {
            let id = user["user_id"].as_str().unwrap_or_default().to_owned();
            put(id, Value::Object(user.clone()), &mut seeds);
        }
        if exchange.method == "GET" && exchange.status == 200 {
            match (s.as_slice(), &exchange.response_body) {
                // A projected user without its id: the id is in the path.
                (["api", "v2", "users", id], Value::Object(user))
                    if !user.contains_key("user_id") =>
                {
                    let mut user = user.clone();
                    user.insert("user_id".into(), json!(id));
                    put((*id).to_owned(), Value::Object(user), &mut seeds);
                }
                // Projected list entries without ids: stand-ins with made-up ids.
                (["api", "v2", "users"], Value::Array(items)) => {
                    for (index, item) in items.iter().enumerate() {
                        if let Some(user) = item.as_object().filter(|u| !u.contains_key("user_id"))
                        {
                            let id = format!("auth0|replay{index:04}");
                            let mut user = user.clone();
                            user.insert("user_id".into(), json!(id));
                            put(id, Value::Object(user), &mut seeds);
                        }
                    }
                }
                _ => {}
            }
        }
        // Link and unlink answers describe the primary's identities and their profiles.
        if let (["api", "v2", "users", primary, "identities", ..], Value::Array(identities)) =
            (s.as_slice(), &exchange.response_body)
        {
            let profile = |i: &Value| i["profileData"].as_object().cloned().unwrap_or_default();
            let strip = |i: &Value| {
                let mut i = i.clone();
                if let Some(m) = i.as_object_mut() {
                    m.remove("profileData");
                }
                i
            };
            let own = if exchange.method == "POST" {
                identities
                    .first()
                    .map(|i| vec![strip(i)])
                    .unwrap_or_default()
            } else {
                identities.clone()
            };
            let mut user = identities.first().map(profile).unwrap_or_default();
            user.insert("user_id".into(), json!(primary));
            user.insert("identities".into(), Value::Array(own));
            put((*primary).to_owned(), Value::Object(user), &mut seeds);
            if exchange.method == "POST" {
                for identity in identities.iter().skip(1) {
                    let provider = identity["provider"].as_str().unwrap_or("auth0");
                    let id = format!(
                        "{provider}|{}",
                        identity["user_id"].as_str().unwrap_or_default()
                    );
                    let mut user = profile(identity);
                    user.insert("user_id".into(), json!(id));
                    user.insert("identities".into(), json!([strip(identity)]));
                    put(id, Value::Object(user), &mut seeds);
                }
            }
        }
        // Anything else referenced by id gets a minimal database user.
        if let ["api", "v2", "users" | "user-blocks", id, ..] = s.as_slice()
            && id.starts_with("auth0|")
            && !seeds.contains_key(*id)
        {
            let user = json!({"user_id": id, "connection": DB, "email": format!("{}@replay.invalid", bare(id))});
            put((*id).to_owned(), user, &mut seeds);
        }
    }
    order
        .into_iter()
        .filter_map(|id| seeds.remove(&id))
        .map(|mut user| {
            if let Some(map) = user.as_object_mut()
                && !map.contains_key("identities")
                && !map.contains_key("connection")
            {
                map.insert("connection".into(), json!(DB));
            }
            user
        })
        .collect()
}

fn encode_query(raw: &str, ids: &IdMap) -> String {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = percent_decode(v);
            format!(
                "{k}={}",
                users_model::encode_component(&ids.to_emulator(&decoded))
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_decode(s: &str) -> String {
    users_model::decode_component(&s.replace('+', " ")).unwrap_or_else(|| s.to_owned())
}

struct Outcome {
    exchanges: usize,
    matched: usize,
    skipped: usize,
    failures: Vec<String>,
}

async fn replay(exchanges: &[Exchange]) -> Outcome {
    let config = config_for(exchanges);
    let db_connection_id = config
        .connections
        .iter()
        .find(|c| c.name == DB)
        .map(|c| c.id.clone())
        .unwrap_or_default();
    let api = Api::start(Backend::InProcess, config).await;
    let seeds = seed_for(exchanges);
    if !seeds.is_empty() {
        api.emulator
            .seed(&json!({ "users": seeds }))
            .expect("seed pre-existing users");
    }
    let token = api.token(None).await;
    let mut ids = IdMap::default();
    let mut outcome = Outcome {
        exchanges: 0,
        matched: 0,
        skipped: 0,
        failures: Vec::new(),
    };
    for exchange in exchanges {
        if !implemented(&exchange.method, &exchange.path) {
            outcome.skipped += 1;
            continue;
        }
        outcome.exchanges += 1;
        let path: Vec<String> = segments(&exchange.path)
            .into_iter()
            .map(|s| users_model::encode_component(&ids.to_emulator(s)))
            .collect();
        let mut uri = format!("/{}", path.join("/"));
        if !exchange.query_raw.is_empty() {
            uri = format!("{uri}?{}", encode_query(&exchange.query_raw, &ids));
        }
        let mut body = map_strings(&exchange.body, &|s| ids.to_emulator(s));
        if let Some(map) = body.as_object_mut()
            && map.contains_key("connection_id")
        {
            map.insert("connection_id".into(), json!(db_connection_id));
        }
        let reply = match (&exchange.method[..], body) {
            (_, Value::Null) | ("GET", _) => {
                api.call(&exchange.method, &uri, Some(&token), None).await
            }
            (method, body) => api.call(method, &uri, Some(&token), Some(body)).await,
        };
        if exchange.method == "POST"
            && exchange.path == "/api/v2/users"
            && let (Some(recorded), Some(emulated)) = (
                exchange.response_body["user_id"].as_str(),
                reply.body["user_id"].as_str(),
            )
        {
            ids.add(recorded, emulated);
        }
        let got = strip_generated(&map_strings(&reply.body, &|s| ids.to_recorded(s)));
        let want = strip_generated(&exchange.response_body);
        let mut problems = Vec::new();
        if reply.status != exchange.status {
            problems.push(format!(
                "status {} != recorded {}",
                reply.status, exchange.status
            ));
        }
        if !want.is_null() && got != want {
            problems.push(format!("body\n    got      {got}\n    recorded {want}"));
        }
        let limited = exchange.response_headers.contains_key("x-ratelimit-limit");
        if limited && reply.header("x-ratelimit-limit").is_none() {
            problems.push("x-ratelimit-* headers missing".into());
        }
        if problems.is_empty() {
            outcome.matched += 1;
        } else {
            outcome.failures.push(format!(
                "{} {} {}: {}",
                exchange.file,
                exchange.method,
                uri,
                problems.join("; ")
            ));
        }
    }
    outcome
}

/// Scenarios replayed whose mismatch is a known, documented difference (DIFFERENCES.md).
const KNOWN_DIFFERENT: &[(&str, &str)] = &[
    (
        "ruby-auth0-hist-11ce504c::Auth0_Api_V2_Connections/create_test_user",
        NICKNAME_2018,
    ),
    (
        "ruby-auth0-hist-11ce504c::Auth0_Api_V2_Logs/create_test_user",
        NICKNAME_2018,
    ),
    (
        "ruby-auth0-hist-11ce504c::Auth0_Api_V2_Tickets/create_test_user",
        NICKNAME_2018,
    ),
    (
        "ruby-auth0-hist-b1442795::Auth0_Api_V2_Users/create_test_user",
        NICKNAME_2018,
    ),
    (
        "ruby-auth0-hist-f9c3fa8f::Auth0_Api_V2_DeviceCredentials/create_test_user",
        NICKNAME_2018,
    ),
];
const NICKNAME_2018: &str = "October 2018 server defaulted nickname to the given name; every later recording (2019-2023) shows the email's local part, which the emulator follows";

/// Scenarios left out entirely, with the reason (also in DIFFERENCES.md).
fn left_out(name: &str, exchanges: &[Exchange]) -> Option<&'static str> {
    if name.starts_with("auth0-deploy-cli") {
        return Some("not a users endpoint (kept for raw header case)");
    }
    if exchanges.iter().any(|e| e.path.starts_with("/oauth/")) {
        return Some(
            "Authentication API test against a test tenant/audience (authorization code, test-audience client credentials)",
        );
    }
    if !exchanges.iter().any(|e| implemented(&e.method, &e.path)) {
        return Some("no endpoint the emulator implements");
    }
    None
}

#[tokio::test]
async fn recorded_scenarios_replay_against_the_emulator() {
    let scenarios = load();
    let (mut replayed, mut matched, mut known, mut exchanges, mut exchanges_matched, mut skipped) =
        (0, 0, 0, 0, 0, 0);
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (name, scenario) in &scenarios {
        if let Some(reason) = left_out(name, scenario) {
            println!("left out {name}: {reason}");
            *reasons.entry(reason).or_default() += 1;
            continue;
        }
        replayed += 1;
        let outcome = replay(scenario).await;
        exchanges += outcome.exchanges;
        exchanges_matched += outcome.matched;
        skipped += outcome.skipped;
        if outcome.failures.is_empty() {
            matched += 1;
        } else if let Some((_, reason)) = KNOWN_DIFFERENT.iter().find(|(known, _)| known == name) {
            println!("known difference {name}: {reason}");
            known += 1;
        } else {
            failures.push(format!(
                "scenario {name}:\n  {}",
                outcome.failures.join("\n  ")
            ));
        }
    }
    println!(
        "replay: {replayed} scenarios replayed, {matched} matched, {known} known differences; {exchanges} exchanges replayed, {exchanges_matched} matched, {skipped} skipped (endpoints not emulated)"
    );
    for (reason, count) in &reasons {
        println!("left out: {count} scenario(s): {reason}");
    }
    for failure in &failures {
        println!("MISMATCH {failure}");
    }
    assert!(replayed >= 150, "only {replayed} scenarios replayed");
    assert!(matched >= 145, "only {matched} scenarios matched");
    assert!(
        failures.is_empty(),
        "{} scenario(s) did not match:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
