//! The load client of the emulator benchmark: the raw hyper-util exchange of
//! [`crate::raw_hyper`], aimed at a different stored user on every request, with a real token
//! from the emulator. Also the setup requests: seeding users and getting the token.

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use http::{Method, Request, StatusCode, Uri};
use http_body_util::Full;
use serde::Deserialize;
use serde_json::{Value, json};
use users_model::encode_component;

use crate::raw_hyper::{HyperClient, send};
use crate::target::{Exchange, ExchangeError, Op};

/// The metadata key every PATCH sets to a fresh number; the answer must carry it back.
pub const SEQ_KEY: &str = "bench_seq";

async fn post_json(
    client: &HyperClient,
    url: &str,
    body: &Value,
) -> Result<(StatusCode, Bytes), ExchangeError> {
    let request = Request::post(url)
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .map_err(|_| ExchangeError::new(format!("invalid URL {url}")))?;
    send(client, request).await
}

/// The seed entry of the `index`th benchmark user: a database user with the fields of the
/// client benchmark's fixture user (about 1 KB once the emulator adds its identity and
/// timestamps), with the id `auth0|` + 24 hex digits.
pub fn seed_user(index: usize) -> Value {
    json!({
        "connection": "Username-Password-Authentication",
        "user_id": format!("auth0|{index:024x}"),
        "email": format!("bench.user.{index}@example.com"),
        "email_verified": true,
        "name": format!("Bench User {index}"),
        "given_name": "Bench",
        "family_name": format!("User {index}"),
        "nickname": format!("bench.user.{index}"),
        "picture": "https://s.gravatar.com/avatar/0b2f2f2c8e4f1f0e3a7b9d5c6e1a2b3c?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fbu.png",
        "user_metadata": {
            "plan": "pro", "visits": 43, "last_sync": "2026-11-28T01:00:00.000Z",
            "locale": "en-GB", "theme": "dark",
            "newsletter": {"weekly": true, "product": false}
        },
        "app_metadata": {
            "roles": ["admin", "billing"], "tenant": "acme-industries",
            "features": {"beta_dashboard": true, "export_limit": 5000},
            "crm_id": "0015g00000XyZaBAAV"
        },
        "last_ip": "203.0.113.7",
        "last_login": "2026-11-27T18:42:11.301Z",
        "blocked": false,
        "logins_count": 117
    })
}

/// Seeds `users` users through `POST /__emulator/seed`, `batch` per request, and returns
/// their ids in order.
///
/// # Errors
/// When a seed request fails or its answer does not list as many ids as users sent.
pub async fn seed(
    client: &HyperClient,
    base_url: &str,
    users: usize,
    batch: usize,
) -> Result<Vec<String>, ExchangeError> {
    let url = format!("{base_url}/__emulator/seed");
    let mut ids = Vec::with_capacity(users);
    let batch = batch.max(1);
    for start in (0..users).step_by(batch) {
        let end = (start + batch).min(users);
        let document = json!({ "users": (start..end).map(seed_user).collect::<Vec<_>>() });
        let (status, body) = post_json(client, &url, &document).await?;
        if status != StatusCode::OK {
            return Err(ExchangeError::new(format!(
                "seeding users {start}..{end}: status {status}"
            )));
        }
        let answer: Value = serde_json::from_slice(&body)
            .map_err(|error| ExchangeError::new(format!("seed answer: {error}")))?;
        let answered = answer.get("users").and_then(Value::as_array);
        let listed = answered.map_or(0, Vec::len);
        if listed != end - start {
            return Err(ExchangeError::new(format!(
                "seeding users {start}..{end}: {listed} ids answered"
            )));
        }
        ids.extend(
            answered
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
    }
    Ok(ids)
}

/// A client-credentials token for the Management API of the emulator at `base_url` (the
/// default client), as an `Authorization` value marked sensitive.
///
/// # Errors
/// When the token request fails or its answer holds no token.
pub async fn bearer(client: &HyperClient, base_url: &str) -> Result<HeaderValue, ExchangeError> {
    let body = json!({
        "grant_type": "client_credentials",
        "client_id": users_emulator::DEFAULT_CLIENT_ID,
        "client_secret": users_emulator::DEFAULT_CLIENT_SECRET,
        "audience": format!("{base_url}/api/v2/"),
    });
    let (status, answer) = post_json(client, &format!("{base_url}/oauth/token"), &body).await?;
    if status != StatusCode::OK {
        return Err(ExchangeError::new(format!(
            "token request: status {status}"
        )));
    }
    let answer: Value = serde_json::from_slice(&answer)
        .map_err(|_| ExchangeError::new("token answer is not JSON"))?;
    let token = answer
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| ExchangeError::new("token answer has no access_token"))?;
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| ExchangeError::new("token is not a valid header value"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The measured exchange: `GET` or `PATCH /api/v2/users/{id}` on a pseudo-random stored user
/// per request. A PATCH sets [`SEQ_KEY`] in `user_metadata` to a number never sent before, and
/// an answer that does not carry it back is an error, so an emulator that dropped updates could
/// not pass; every answer must also name the user that was asked for.
///
/// The answer is decoded into [`Echo`], not a whole [`users_model::User`]: serde_json still
/// parses and checks the entire document (unknown fields are skipped, not trusted), but the load
/// client builds no strings or maps it does not look at. This benchmark measures the emulator,
/// and on two cores every microsecond the load client spends is one the emulator cannot use.
#[derive(Debug)]
pub struct EmulatorExchange {
    client: HyperClient,
    ids: Vec<String>,
    uris: Vec<Uri>,
    authorization: HeaderValue,
    sequence: AtomicU64,
}

/// What the load client reads from an answer: the user's id and the [`SEQ_KEY`] it carries.
#[derive(Debug, Deserialize)]
pub struct Echo {
    /// The answered user's id.
    pub user_id: String,
    #[serde(default)]
    user_metadata: Option<EchoMetadata>,
}

#[derive(Debug, Deserialize)]
struct EchoMetadata {
    #[serde(default)]
    bench_seq: Option<u64>,
}

impl Echo {
    /// The [`SEQ_KEY`] value in `user_metadata`, when it is a number.
    pub fn seq(&self) -> Option<u64> {
        self.user_metadata.as_ref().and_then(|m| m.bench_seq)
    }
}

impl EmulatorExchange {
    /// An exchange over the users `ids` of the emulator at `base_url`.
    ///
    /// # Errors
    /// When `ids` is empty or a URI cannot be built.
    pub fn new(
        client: HyperClient,
        base_url: &str,
        ids: &[String],
        authorization: HeaderValue,
    ) -> Result<EmulatorExchange, ExchangeError> {
        if ids.is_empty() {
            return Err(ExchangeError::new("no users to request"));
        }
        let uris = ids
            .iter()
            .map(|id| {
                format!("{base_url}/api/v2/users/{}", encode_component(id))
                    .parse::<Uri>()
                    .map_err(|_| ExchangeError::new("invalid emulator URL"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(EmulatorExchange {
            client,
            ids: ids.to_vec(),
            uris,
            authorization,
            sequence: AtomicU64::new(1),
        })
    }
}

/// SplitMix64: spreads consecutive request numbers over the users without a dependency.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The PATCH body setting [`SEQ_KEY`] to `seq`: what `UserUpdate` with that metadata patch
/// serializes to (a test checks it), written directly.
fn patch_body(seq: u64) -> Vec<u8> {
    format!(r#"{{"user_metadata":{{"{SEQ_KEY}":{seq},"plan":"pro"}}}}"#).into_bytes()
}

impl EmulatorExchange {
    /// The users it requests, in the order given.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// `op` on the `pick`th user, checked like every measured request (a PATCH sets a fresh
    /// sequence number, which the returned [`Echo`] carries).
    ///
    /// # Errors
    /// When `pick` is not one of the users, the request fails, or the answer is not a 200
    /// about that user (carrying the update, for a PATCH).
    pub async fn request(&self, op: Op, pick: usize) -> Result<Echo, ExchangeError> {
        if pick >= self.uris.len() {
            return Err(ExchangeError::new("no such user in the exchange"));
        }
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed);
        self.request_with(op, pick, seq).await
    }

    async fn request_with(&self, op: Op, pick: usize, seq: u64) -> Result<Echo, ExchangeError> {
        let uri = self.uris.get(pick).cloned().unwrap_or_default();
        let builder = Request::builder()
            .uri(uri)
            .header(AUTHORIZATION, self.authorization.clone());
        let request = match op {
            Op::Update => builder
                .method(Method::PATCH)
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(Full::new(Bytes::from(patch_body(seq)))),
            Op::Get => builder.method(Method::GET).body(Full::new(Bytes::new())),
        }
        .map_err(|_| ExchangeError::new("build request"))?;
        let (status, body) = send(&self.client, request).await?;
        if status != StatusCode::OK {
            return Err(ExchangeError::new(format!("status {status}")));
        }
        let echo: Echo = serde_json::from_slice(&body)
            .map_err(|error| ExchangeError::new(format!("decode: {error}")))?;
        if self.ids.get(pick) != Some(&echo.user_id) {
            return Err(ExchangeError::new("the answer is about another user"));
        }
        if op == Op::Update && echo.seq() != Some(seq) {
            return Err(ExchangeError::new("the answer does not carry the update"));
        }
        Ok(echo)
    }
}

impl Exchange for EmulatorExchange {
    type Answer = Echo;

    async fn call(&self, op: Op) -> Result<Echo, ExchangeError> {
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed);
        let pick = usize::try_from(mix(seq) % self.uris.len() as u64).unwrap_or(0);
        self.request_with(op, pick, seq).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_users_have_distinct_auth0_ids_and_about_a_kilobyte() {
        let first = seed_user(0);
        assert_eq!(first["user_id"], "auth0|000000000000000000000000");
        assert_eq!(seed_user(255)["user_id"], "auth0|0000000000000000000000ff");
        let size = first.to_string().len();
        assert!((750..=1400).contains(&size), "{size} bytes");
    }

    #[test]
    fn the_patch_body_is_what_the_typed_update_serializes_to() {
        let mut metadata = users_model::MetadataPatch::new();
        metadata.set(SEQ_KEY, 42u64).set("plan", "pro");
        let mut update = users_model::UserUpdate::default();
        update.user_metadata = Some(metadata);
        assert_eq!(
            patch_body(42),
            serde_json::to_vec(&update).expect("serializes")
        );
    }

    #[test]
    fn an_echo_reads_the_id_and_sequence_and_rejects_a_broken_document() {
        let echo: Echo = serde_json::from_str(
            r#"{"user_id":"auth0|1","name":"x","identities":[{"provider":"auth0"}],
                "user_metadata":{"plan":"pro","bench_seq":7}}"#,
        )
        .expect("decodes");
        assert_eq!(echo.user_id, "auth0|1");
        assert_eq!(echo.seq(), Some(7));
        let no_seq: Echo = serde_json::from_str(r#"{"user_id":"auth0|1"}"#).expect("decodes");
        assert_eq!(no_seq.seq(), None);
        assert!(serde_json::from_str::<Echo>(r#"{"user_id":"auth0|1","name":"#).is_err());
        assert!(serde_json::from_str::<Echo>(r#"{"name":"x"}"#).is_err());
    }

    #[test]
    fn the_mix_spreads_requests_over_every_user() {
        let users = 100u64;
        let mut seen = [false; 100];
        for seq in 0..2_000 {
            if let Some(slot) = seen.get_mut((mix(seq) % users) as usize) {
                *slot = true;
            }
        }
        assert!(seen.iter().all(|&s| s));
    }
}
