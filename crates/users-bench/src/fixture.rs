//! The one exchange every target performs, so that the targets differ only in the client code:
//! the user id and path, the bearer token, the PATCH body, and the user the stub answers with.

use bytes::Bytes;
use serde_json::json;
use users_model::{MetadataPatch, Patch, User, UserUpdate, encode_component};

/// The id of the user every request reads or updates (the stub answers any id alike).
pub const USER_ID: &str = "auth0|5f7c8ec7c33c6c004bbafe82";

/// The bearer token the raw targets send. The stub does not check it; it is there so every
/// target pays for the same Authorization header.
pub const BEARER_TOKEN: &str = "bench.eyJzdWIiOiJiZW5jaEBjbGllbnRzIn0.c2lnbmF0dXJlLW5vdC1jaGVja2Vk";

/// The path of the user, percent-encoded like `encodeURIComponent`, as every client must send it.
pub fn user_path() -> String {
    format!("/api/v2/users/{}", encode_component(USER_ID))
}

/// The update every `update` request sends: a root attribute and a first-level metadata patch,
/// the shape of a typical profile sync. Targets serialize it per request, as a caller would.
pub fn update() -> UserUpdate {
    let mut metadata = MetadataPatch::new();
    metadata
        .set("plan", "pro")
        .set("visits", 43)
        .set("last_sync", "2026-11-28T01:00:00.000Z");
    let mut update = UserUpdate::default();
    update.name = Patch::Set("Ada Lovelace".to_owned());
    update.user_metadata = Some(metadata);
    update
}

/// The user the stub returns for GET and PATCH: a realistic profile of about 1 KB (one database
/// identity, both metadata objects, login history), built through [`User`] so it is one the
/// model reads.
///
/// # Errors
/// Fails only if the model stops accepting this document, which the tests would catch.
pub fn user() -> Result<User, serde_json::Error> {
    serde_json::from_value(json!({
        "created_at": "2024-01-15T09:30:00.000Z",
        "email": "ada.lovelace@example.com",
        "email_verified": true,
        "family_name": "Lovelace",
        "given_name": "Ada",
        "identities": [{
            "connection": "Username-Password-Authentication",
            "provider": "auth0",
            "user_id": "5f7c8ec7c33c6c004bbafe82",
            "isSocial": false
        }],
        "name": "Ada Lovelace",
        "nickname": "ada.lovelace",
        "picture": "https://s.gravatar.com/avatar/0b2f2f2c8e4f1f0e3a7b9d5c6e1a2b3c?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fal.png",
        "updated_at": "2026-11-28T01:00:00.000Z",
        "user_id": USER_ID,
        "user_metadata": {
            "plan": "pro",
            "visits": 43,
            "last_sync": "2026-11-28T01:00:00.000Z",
            "locale": "en-GB",
            "theme": "dark",
            "newsletter": {"weekly": true, "product": false}
        },
        "app_metadata": {
            "roles": ["admin", "billing"],
            "tenant": "acme-industries",
            "features": {"beta_dashboard": true, "export_limit": 5000},
            "crm_id": "0015g00000XyZaBAAV"
        },
        "last_ip": "203.0.113.7",
        "last_login": "2026-11-27T18:42:11.301Z",
        "logins_count": 117,
        "blocked": false
    }))
}

/// [`user`] serialized once, as the stub sends it.
///
/// # Errors
/// As [`user`].
pub fn user_body() -> Result<Bytes, serde_json::Error> {
    Ok(Bytes::from(serde_json::to_vec(&user()?)?))
}

/// The body of `POST /oauth/token` (client credentials), for client targets that fetch a token.
pub fn token_body() -> Bytes {
    Bytes::from(
        json!({
            "access_token": BEARER_TOKEN,
            "scope": "read:users update:users",
            "expires_in": 86400,
            "token_type": "Bearer"
        })
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_body_is_about_one_kilobyte_and_reads_back_as_the_same_user() {
        let body = user_body().expect("fixture user serializes");
        assert!((900..=1400).contains(&body.len()), "{} bytes", body.len());
        let back: User = serde_json::from_slice(&body).expect("reads back");
        assert_eq!(back, user().expect("fixture user"));
        assert_eq!(back.user_id.as_deref(), Some(USER_ID));
    }

    #[test]
    fn update_body_carries_the_name_and_metadata_patch() {
        let body = serde_json::to_value(update()).expect("serializes");
        assert_eq!(body["name"], "Ada Lovelace");
        assert_eq!(body["user_metadata"]["visits"], 43);
        assert_eq!(body.as_object().map(serde_json::Map::len), Some(2));
    }

    #[test]
    fn the_user_path_encodes_the_pipe() {
        assert_eq!(
            user_path(),
            "/api/v2/users/auth0%7C5f7c8ec7c33c6c004bbafe82"
        );
    }
}
