//! RS256 tokens: access tokens for the Management API and ID tokens for the link flow.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use bytes::Bytes;
use http::Response;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::keys::{EMULATOR_KEY_E, EMULATOR_KEY_ID, EMULATOR_KEY_N, EMULATOR_PRIVATE_KEY_PEM};
use crate::reply::{auth_error, json_response};

/// Claims of an access token (client-credentials or user token).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccessClaims {
    pub iss: String,
    pub sub: String,
    /// A string or an array of strings.
    pub aud: Value,
    pub iat: i64,
    pub exp: i64,
    pub azp: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gty: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

impl AccessClaims {
    pub(crate) fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }

    pub(crate) fn has_audience(&self, audience: &str) -> bool {
        match &self.aud {
            Value::String(a) => a == audience,
            Value::Array(items) => items.iter().any(|a| a.as_str() == Some(audience)),
            _ => false,
        }
    }

    /// Client-credentials tokens act for the application, not a user.
    pub(crate) fn is_client_token(&self) -> bool {
        self.gty.as_deref() == Some("client-credentials") || self.sub.ends_with("@clients")
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    /// Not a JWT at all, or unparseable claims.
    Malformed,
    /// Not RS256.
    WrongAlgorithm,
    /// Signature does not verify with the emulator key.
    BadSignature,
    /// `exp` is in the past.
    Expired,
}

/// The emulator's signing key, parsed once per process rather than per token (every token
/// endpoint signs; the parse is about a tenth of a signature's cost).
fn encoding_key() -> Option<&'static EncodingKey> {
    static KEY: OnceLock<Option<EncodingKey>> = OnceLock::new();
    KEY.get_or_init(|| EncodingKey::from_rsa_pem(EMULATOR_PRIVATE_KEY_PEM.as_bytes()).ok())
        .as_ref()
}

/// Signs `claims` with the emulator key (RS256, `kid` set).
pub(crate) fn sign<T: Serialize>(claims: &T) -> Option<String> {
    let key = encoding_key()?;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(EMULATOR_KEY_ID.to_owned());
    jsonwebtoken::encode(&header, claims, key).ok()
}

/// What a token to be signed holds: an access token's claims or an ID token's.
#[derive(Debug, Clone)]
pub(crate) enum Claims {
    Access(AccessClaims),
    Id(Value),
}

/// A token endpoint's answer, decided under the state lock (claims, `jti`, log events,
/// sessions) and signed after it is released: an RS256 signature costs about a millisecond,
/// which no other request should wait for.
#[derive(Debug)]
pub(crate) enum TokenAnswer {
    /// An answer with nothing to sign (an error).
    Ready(Response<Bytes>),
    /// A 200 whose body holds `Value::Null` at each token's field until it is signed; the
    /// fields keep their place in the body.
    Unsigned {
        body: Map<String, Value>,
        tokens: Vec<(&'static str, Claims)>,
    },
}

impl From<Response<Bytes>> for TokenAnswer {
    fn from(response: Response<Bytes>) -> Self {
        Self::Ready(response)
    }
}

impl TokenAnswer {
    /// A 200 answer: `body` with each of `tokens` signed into its field.
    pub(crate) fn unsigned(body: Map<String, Value>) -> Self {
        Self::Unsigned {
            body,
            tokens: Vec::new(),
        }
    }

    /// Adds a token to sign into `field` (placed at the end of the body, or where `field`
    /// already is).
    pub(crate) fn with_token(mut self, field: &'static str, claims: Claims) -> Self {
        if let Self::Unsigned { body, tokens } = &mut self {
            body.entry(field).or_insert(Value::Null);
            tokens.push((field, claims));
        }
        self
    }

    /// Signs the tokens (call without holding any lock) and builds the response; a token that
    /// cannot be signed answers 500 `server_error`.
    pub(crate) fn into_response(self) -> Response<Bytes> {
        let (mut body, tokens) = match self {
            Self::Ready(response) => return response,
            Self::Unsigned { body, tokens } => (body, tokens),
        };
        for (field, claims) in tokens {
            let signed = match &claims {
                Claims::Access(access) => sign(access),
                Claims::Id(id) => sign(id),
            };
            let Some(token) = signed else {
                return auth_error(500, "server_error", "Could not sign the token");
            };
            body.insert(field.to_owned(), Value::String(token));
        }
        json_response(200, &Value::Object(body))
    }
}

/// Tokens whose RS256 signature has been checked, with their claims. The signature of a token
/// never changes its validity, and the key is the compiled-in emulator key, so one cache for the
/// whole process is exact; expiry is still checked on every use. An RSA verification costs
/// tens of microseconds, which a client reusing its token would otherwise pay per request.
static VERIFIED: OnceLock<Mutex<HashMap<String, Value>>> = OnceLock::new();

/// Bound of [`VERIFIED`]: when full it is emptied, so a flood of distinct tokens costs memory
/// for at most this many (tokens are < 2 KB each).
const VERIFIED_CAPACITY: usize = 1024;

fn decoding_key() -> Result<&'static DecodingKey, TokenError> {
    static KEY: OnceLock<Option<DecodingKey>> = OnceLock::new();
    KEY.get_or_init(|| DecodingKey::from_rsa_components(EMULATOR_KEY_N, EMULATOR_KEY_E).ok())
        .as_ref()
        .ok_or(TokenError::Malformed)
}

/// Verifies an RS256 token signed by the emulator key and returns its claims. Time is checked
/// against `now_secs` (the emulator's clock), not the system clock.
pub(crate) fn verify<T: for<'de> Deserialize<'de>>(
    token: &str,
    now_secs: i64,
) -> Result<T, TokenError> {
    let cache = VERIFIED.get_or_init(|| Mutex::new(HashMap::new()));
    let cached = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(token)
        .cloned();
    let claims = match cached {
        Some(claims) => claims,
        None => {
            let claims = verify_signature(token)?;
            let mut verified = cache.lock().unwrap_or_else(PoisonError::into_inner);
            if verified.len() >= VERIFIED_CAPACITY {
                verified.clear();
            }
            verified.insert(token.to_owned(), claims.clone());
            claims
        }
    };
    let exp = claims.get("exp").and_then(Value::as_i64);
    if exp.is_some_and(|exp| exp <= now_secs) {
        return Err(TokenError::Expired);
    }
    serde_json::from_value(claims).map_err(|_| TokenError::Malformed)
}

/// The claims of `token` when its header says RS256 and its signature verifies.
fn verify_signature(token: &str) -> Result<Value, TokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
    if header.alg != Algorithm::RS256 {
        return Err(TokenError::WrongAlgorithm);
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, decoding_key()?, &validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => TokenError::BadSignature,
            _ => TokenError::Malformed,
        })
}

/// Reads the `alg` of a token header without verifying anything.
pub(crate) fn algorithm_of(token: &str) -> Option<Algorithm> {
    jsonwebtoken::decode_header(token).ok().map(|h| h.alg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> AccessClaims {
        AccessClaims {
            iss: "https://t.example/".into(),
            sub: "c@clients".into(),
            aud: Value::String("https://t.example/api/v2/".into()),
            iat: 0,
            exp,
            azp: "c".into(),
            scope: "read:users update:users".into(),
            gty: Some("client-credentials".into()),
            jti: None,
        }
    }

    #[test]
    fn the_signing_key_is_parsed_once() {
        let first = encoding_key().expect("the compiled-in key parses");
        let again = encoding_key().expect("still there");
        assert!(std::ptr::eq(first, again));
    }

    #[test]
    fn an_unsigned_answer_is_signed_into_its_fields_in_place() {
        let mut body = Map::new();
        body.insert("access_token".into(), Value::Null);
        body.insert("expires_in".into(), Value::from(86_400));
        let id = serde_json::json!({"iss": "https://t.example/", "sub": "auth0|1", "exp": 50});
        let response = TokenAnswer::unsigned(body)
            .with_token("access_token", Claims::Access(claims(100)))
            .with_token("id_token", Claims::Id(id))
            .into_response();
        assert_eq!(response.status(), 200);
        let answer: Map<String, Value> =
            serde_json::from_slice(response.body()).expect("a JSON object");
        let keys: Vec<&str> = answer.keys().map(String::as_str).collect();
        assert_eq!(keys, ["access_token", "expires_in", "id_token"]);
        let access = answer["access_token"].as_str().expect("signed");
        let back: AccessClaims = verify(access, 99).expect("a valid access token");
        assert_eq!(back.sub, "c@clients");
        let id_token = answer["id_token"].as_str().expect("signed");
        let id_back: Value = verify(id_token, 49).expect("a valid ID token");
        assert_eq!(id_back["sub"], "auth0|1");
    }

    #[test]
    fn a_ready_answer_is_passed_through_unsigned() {
        let refused = auth_error(403, "invalid_grant", "Wrong email or password.");
        let response = TokenAnswer::from(refused)
            .with_token("access_token", Claims::Access(claims(100)))
            .into_response();
        assert_eq!(response.status(), 403);
        assert!(!String::from_utf8_lossy(response.body()).contains("access_token"));
    }

    #[test]
    fn signed_tokens_verify_and_expire() {
        let token = sign(&claims(100)).expect("signs");
        let back: AccessClaims = verify(&token, 99).expect("valid");
        assert_eq!(
            back.scopes().collect::<Vec<_>>(),
            ["read:users", "update:users"]
        );
        assert!(back.has_audience("https://t.example/api/v2/"));
        assert!(back.is_client_token());
        assert_eq!(
            verify::<AccessClaims>(&token, 100).err(),
            Some(TokenError::Expired)
        );
    }

    #[test]
    fn a_cached_token_still_expires_and_a_tampered_copy_is_still_refused() {
        let token = sign(&claims(500)).expect("signs");
        for _ in 0..2 {
            let back: AccessClaims = verify(&token, 10).expect("valid, then cached");
            assert_eq!(back.exp, 500);
        }
        assert_eq!(
            verify::<AccessClaims>(&token, 500).err(),
            Some(TokenError::Expired)
        );
        // One signature character changed, well before the last (which may hold padding bits).
        let at = token.len() - 10;
        let swapped = if token.get(at..=at) == Some("A") {
            "B"
        } else {
            "A"
        };
        let tampered = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
        assert_eq!(
            verify::<AccessClaims>(&tampered, 10).err(),
            Some(TokenError::BadSignature)
        );
    }

    #[test]
    fn tampered_and_foreign_tokens_are_refused() {
        let token = sign(&claims(100)).expect("signs");
        let mut parts: Vec<&str> = token.split('.').collect();
        let other = sign(&claims(200)).expect("signs");
        let other_payload = other.split('.').nth(1).expect("payload");
        parts[1] = other_payload;
        let tampered = parts.join(".");
        assert_eq!(
            verify::<AccessClaims>(&tampered, 0).err(),
            Some(TokenError::BadSignature)
        );
        assert_eq!(
            verify::<AccessClaims>("nope", 0).err(),
            Some(TokenError::Malformed)
        );
        let hs = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(100),
            &EncodingKey::from_secret(b"k"),
        )
        .expect("signs");
        assert_eq!(
            verify::<AccessClaims>(&hs, 0).err(),
            Some(TokenError::WrongAlgorithm)
        );
        assert_eq!(algorithm_of(&hs), Some(Algorithm::HS256));
    }
}
