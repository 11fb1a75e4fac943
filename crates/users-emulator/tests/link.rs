//! Account linking end to end: the two-token flow, the provider form, every documented error,
//! unlinking, and deleting a primary with its secondaries.

mod common;

use common::{Api, BACKENDS, Reply, assert_error, enc, uid};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use users_emulator::{DEFAULT_CLIENT_ID, EMULATOR_KEY_ID, EMULATOR_PRIVATE_KEY_PEM};

async fn login(api: &Api, email: &str, scope: &str) -> Reply {
    api.login(email, "Passw0rd!x", scope).await
}

fn craft(claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(EMULATOR_KEY_ID.into());
    let key = EncodingKey::from_rsa_pem(EMULATOR_PRIVATE_KEY_PEM.as_bytes()).expect("key");
    jsonwebtoken::encode(&header, claims, &key).expect("sign")
}

fn bare(id: &str) -> &str {
    id.split_once('|').map(|(_, b)| b).expect("prefixed id")
}

#[tokio::test]
async fn two_token_link_flow_and_its_errors() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let admin = api.token(None).await;
        let primary = uid(&api
            .create_user(&admin, "primary@example.com", json!({"given_name":"Pri"}))
            .await);
        let secondary = uid(&api
            .create_user(
                &admin,
                "secondary@example.com",
                json!({"user_metadata":{"lost":true}}),
            )
            .await);

        let wrong = api.login("primary@example.com", "nope", "openid").await;
        assert_eq!(wrong.status, 403);
        assert_eq!(wrong.body["error"], "invalid_grant");

        let caller = login(
            &api,
            "primary@example.com",
            "openid update:current_user_identities read:current_user",
        )
        .await;
        assert_eq!(caller.status, 200, "{}", caller.body);
        let access = caller.body["access_token"]
            .as_str()
            .expect("access token")
            .to_owned();
        let other = login(&api, "secondary@example.com", "openid").await;
        let id_token = other.body["id_token"]
            .as_str()
            .expect("id token")
            .to_owned();
        let path = format!("/api/v2/users/{}/identities", enc(&primary));
        let issuer = format!("{}/", api.base);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();

        // The current-user token acts only on its own user.
        let mismatch = api
            .call(
                "POST",
                &format!("/api/v2/users/{}/identities", enc(&secondary)),
                Some(&access),
                Some(json!({"link_with": id_token})),
            )
            .await;
        assert_error(
            &mismatch,
            403,
            "User to be acted on does not match subject in bearer token.",
            None,
        );
        let provider_form = api
            .call(
                "POST",
                &path,
                Some(&access),
                Some(json!({"provider":"auth0","user_id":bare(&secondary)})),
            )
            .await;
        assert_eq!(provider_form.status, 403);

        let cases: Vec<(String, &str)> = vec![
            (
                jsonwebtoken::encode(
                    &Header::new(Algorithm::HS256),
                    &json!({"sub":secondary,"iss":issuer,"aud":DEFAULT_CLIENT_ID}),
                    &EncodingKey::from_secret(b"k"),
                )
                .expect("hs256"),
                "JWT (link_with) must have an alg of RS256.",
            ),
            (
                craft(
                    &json!({"sub":secondary,"iss":"https://elsewhere.example/","aud":DEFAULT_CLIENT_ID,"exp":now+600}),
                ),
                "JWT (link_with) must have the same issuer as the calling user.",
            ),
            (
                craft(&json!({"sub":secondary,"iss":issuer,"aud":"another-client","exp":now+600})),
                "JWT (link_with) must have an aud claim that matches that of the calling token's azp.",
            ),
            (
                craft(&json!({"sub":secondary,"iss":issuer,"exp":now+600})),
                "JWT (link_with) contains an invalid aud claim.",
            ),
            (
                craft(&json!({"iss":issuer,"aud":DEFAULT_CLIENT_ID,"exp":now+600})),
                "JWT (link_with) must contains sub claim.",
            ),
            (
                craft(
                    &json!({"sub":"no-provider","iss":issuer,"aud":DEFAULT_CLIENT_ID,"exp":now+600}),
                ),
                "JWT (link_with) contains an invalid sub claim.",
            ),
            (
                craft(
                    &json!({"sub":"auth0|000000000000000000000000","iss":issuer,"aud":DEFAULT_CLIENT_ID,"exp":now+600}),
                ),
                "Provided secondary account not found.",
            ),
            (
                craft(&json!({"sub":secondary,"iss":issuer,"aud":DEFAULT_CLIENT_ID,"exp":now-10})),
                "Invalid token (link_with).",
            ),
            ("not.a.token".to_owned(), "Invalid token (link_with)."),
        ];
        for (token, message) in cases {
            let reply = api
                .call(
                    "POST",
                    &path,
                    Some(&access),
                    Some(json!({"link_with": token})),
                )
                .await;
            assert_eq!(reply.status, 400, "{message}: {}", reply.body);
            assert_eq!(reply.body["message"], message);
        }

        let linked = api
            .call(
                "POST",
                &path,
                Some(&access),
                Some(json!({"link_with": id_token})),
            )
            .await;
        assert_eq!(linked.status, 201, "{}", linked.body);
        let identities = linked.body.as_array().expect("array");
        assert_eq!(identities.len(), 2);
        assert_eq!(identities[0]["user_id"], bare(&primary));
        assert_eq!(identities[0]["profileData"]["given_name"], "Pri");
        assert_eq!(identities[1]["user_id"], bare(&secondary));
        assert_eq!(
            identities[1]["profileData"]["email"],
            "secondary@example.com"
        );
        assert!(identities[1]["profileData"].get("user_metadata").is_none());

        let gone = api
            .call(
                "GET",
                &format!("/api/v2/users/{}", enc(&secondary)),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(gone.status, 404);
        let listed = api.call("GET", "/api/v2/users", Some(&admin), None).await;
        assert_eq!(listed.body.as_array().map(Vec::len), Some(1));

        let again = api
            .call(
                "POST",
                &path,
                Some(&access),
                Some(json!({"link_with": id_token})),
            )
            .await;
        assert_error(&again, 409, "Specified identity already exists.", None);
    }
}

#[tokio::test]
async fn provider_form_link_unlink_and_delete() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let admin = api.token(None).await;
        let primary = uid(&api.create_user(&admin, "p@example.com", json!({})).await);
        let second = uid(&api.create_user(&admin, "s2@example.com", json!({})).await);
        let third = uid(&api.create_user(&admin, "s3@example.com", json!({})).await);
        let path = format!("/api/v2/users/{}/identities", enc(&primary));

        let conn_id = api.emulator.config().connections[0].id.clone();
        let one = api
            .call(
                "POST",
                &path,
                Some(&admin),
                Some(json!({"provider":"auth0","user_id":second,"connection_id":conn_id})),
            )
            .await;
        assert_eq!(one.status, 201, "{}", one.body);
        let two = api
            .call(
                "POST",
                &path,
                Some(&admin),
                Some(json!({"provider":"auth0","user_id":bare(&third)})),
            )
            .await;
        assert_eq!(two.status, 201, "{}", two.body);
        assert_eq!(two.body.as_array().map(Vec::len), Some(3));

        let itself = api
            .call(
                "POST",
                &path,
                Some(&admin),
                Some(json!({"provider":"auth0","user_id":bare(&primary)})),
            )
            .await;
        assert_error(
            &itself,
            400,
            "Main identity and the new one are the same.",
            Some("invalid_body"),
        );
        let missing = api
            .call(
                "POST",
                &path,
                Some(&admin),
                Some(json!({"provider":"auth0","user_id":"abc"})),
            )
            .await;
        assert_eq!(
            missing.body["message"],
            "Provided secondary account not found."
        );
        let mixed = api
            .call(
                "POST",
                &path,
                Some(&admin),
                Some(json!({"provider":"auth0","user_id":"abc","link_with":"a.b.c"})),
            )
            .await;
        assert_eq!(mixed.status, 400);
        let empty = api.call("POST", &path, Some(&admin), Some(json!({}))).await;
        assert_eq!(empty.status, 400);
        let read_only = api.token(Some("read:users")).await;
        let scope = api
            .call(
                "POST",
                &path,
                Some(&read_only),
                Some(json!({"provider":"auth0","user_id":"abc"})),
            )
            .await;
        assert_error(
            &scope,
            403,
            "Insufficient scope; expected: update:users, update:current_user_identities.",
            Some("insufficient_scope"),
        );

        let unlink_path = format!("{path}/auth0/{}", bare(&second));
        let unlink_scope = api
            .call("DELETE", &unlink_path, Some(&read_only), None)
            .await;
        assert_error(
            &unlink_scope,
            403,
            "Insufficient scope; expected: update:users, update:current_user_identities.",
            Some("insufficient_scope"),
        );
        let unlink_missing = api
            .call(
                "DELETE",
                "/api/v2/users/auth0%7Cnobody/identities/auth0/1",
                Some(&admin),
                None,
            )
            .await;
        assert_error(
            &unlink_missing,
            404,
            "The user does not exist.",
            Some("inexistent_user"),
        );
        let unlinked = api.call("DELETE", &unlink_path, Some(&admin), None).await;
        assert_eq!(unlinked.status, 200, "{}", unlinked.body);
        assert_eq!(unlinked.body.as_array().map(Vec::len), Some(2));
        let back = api
            .call(
                "GET",
                &format!("/api/v2/users/{}", enc(&second)),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(back.status, 200, "the unlinked identity is a user again");
        assert!(back.body.get("user_metadata").is_none());

        let prefixed = api
            .call(
                "DELETE",
                &format!("{path}/auth0/{}", enc(&third)),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(prefixed.status, 200);
        assert_eq!(
            prefixed.body.as_array().map(Vec::len),
            Some(2),
            "a prefixed id matches nothing"
        );
        let main = api
            .call(
                "DELETE",
                &format!("{path}/auth0/{}", bare(&primary)),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(main.status, 400);
        assert_eq!(main.body["message"], "Main identity cannot be removed.");

        let deleted = api
            .call(
                "DELETE",
                &format!("/api/v2/users/{}", enc(&primary)),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(deleted.status, 204);
        let third_gone = api
            .call(
                "GET",
                &format!("/api/v2/users/{}", enc(&third)),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(
            third_gone.status, 404,
            "a linked secondary goes with its primary"
        );
    }
}
