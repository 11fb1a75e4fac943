//! Users endpoints end to end: create, get, update, delete, list/search, users-by-email, scopes.

mod common;

use common::{Api, BACKENDS, assert_error, enc, uid};
use serde_json::{Value, json};

#[tokio::test]
async fn create_applies_server_defaults_and_get_returns_the_user() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        let user = api
            .create_user(&token, "Chuck@Example.com", json!({}))
            .await;
        let id = uid(&user);
        let bare = id.strip_prefix("auth0|").expect("auth0 prefix");
        assert_eq!(bare.len(), 24);
        assert!(bare.chars().all(|c| c.is_ascii_hexdigit()));
        let created_secs = i64::from_str_radix(&bare[..8], 16).expect("hex");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs() as i64;
        assert!(
            (now - created_secs).abs() < 600,
            "id time {created_secs} vs now {now}"
        );
        assert_eq!(user["email"], "chuck@example.com");
        assert_eq!(user["email_verified"], false);
        assert_eq!(user["name"], "chuck@example.com");
        assert_eq!(user["nickname"], "chuck");
        assert_eq!(
            user["picture"],
            "https://s.gravatar.com/avatar/0b79e7da7bc7877560620cf8f2cc93ae?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fch.png"
        );
        assert_eq!(
            user["identities"],
            json!([{"connection":"Username-Password-Authentication","user_id":bare,"provider":"auth0","isSocial":false}])
        );
        assert!(user.get("password").is_none());
        assert!(user.get("app_metadata").is_none());
        assert_eq!(user["created_at"], user["updated_at"]);

        let got = api
            .call(
                "GET",
                &format!("/api/v2/users/{}", enc(&id)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body, user);

        let fields = api
            .call(
                "GET",
                &format!(
                    "/api/v2/users/{}?fields=email,name&include_fields=true",
                    enc(&id)
                ),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(fields.body["email"], "chuck@example.com");
        assert!(fields.body.get("nickname").is_none());
    }
}

#[tokio::test]
async fn create_errors_are_the_documented_ones() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        api.create_user(&token, "dup@example.com", json!({})).await;
        let again = api
            .call("POST", "/api/v2/users", Some(&token), Some(json!({"connection":"Username-Password-Authentication","email":"DUP@example.com","password":"x1!Aaaaa"})))
            .await;
        assert_error(
            &again,
            409,
            "The user already exists.",
            Some("auth0_idp_error"),
        );

        let no_conn = api
            .call(
                "POST",
                "/api/v2/users",
                Some(&token),
                Some(json!({"email":"a@b.co"})),
            )
            .await;
        assert_eq!(no_conn.status, 400);
        assert_eq!(no_conn.body["errorCode"], "invalid_body");

        let unknown = api
            .call(
                "POST",
                "/api/v2/users",
                Some(&token),
                Some(json!({"connection":"nope","email":"a@b.co","password":"pw"})),
            )
            .await;
        assert_error(
            &unknown,
            400,
            "Connection does not exist.",
            Some("invalid_body"),
        );

        let social = api
            .call(
                "POST",
                "/api/v2/users",
                Some(&token),
                Some(json!({"connection":"google-oauth2","email":"a@b.co"})),
            )
            .await;
        assert_eq!(social.status, 400);
        assert_eq!(
            social.body["message"],
            "Connection does not support user creation through the API. It must either be a database or passwordless connection."
        );

        let username = api
            .call("POST", "/api/v2/users", Some(&token), Some(json!({"connection":"Username-Password-Authentication","email":"u@b.co","password":"pw","username":"someone"})))
            .await;
        assert_eq!(username.status, 400);
        assert_eq!(
            username.body["message"],
            "Cannot set username for connection without requires_username."
        );

        let with_username = api
            .call("POST", "/api/v2/users", Some(&token), Some(json!({"connection":"username-db","email":"u@b.co","password":"pw","username":"SomeOne"})))
            .await;
        assert_eq!(with_username.status, 201, "{}", with_username.body);
        assert_eq!(with_username.body["username"], "someone");

        let custom = api
            .call("POST", "/api/v2/users", Some(&token), Some(json!({"connection":"Username-Password-Authentication","email":"c@b.co","password":"pw","user_id":"testaccuser"})))
            .await;
        assert_eq!(custom.status, 201, "{}", custom.body);
        assert_eq!(custom.body["user_id"], "auth0|testaccuser");

        let sms = api
            .call(
                "POST",
                "/api/v2/users",
                Some(&token),
                Some(json!({"connection":"sms","phone_number":"+15555550100"})),
            )
            .await;
        assert_eq!(sms.status, 201, "{}", sms.body);
        assert!(uid(&sms.body).starts_with("sms|"));
    }
}

#[tokio::test]
async fn update_merges_metadata_and_validates() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        let user = api
            .create_user(
                &token,
                "m@example.com",
                json!({"app_metadata":{"facts":[1,2]},"user_metadata":{"baz":"qux","foo":"bar"}}),
            )
            .await;
        let path = format!("/api/v2/users/{}", enc(&uid(&user)));
        let patched = api
            .call(
                "PATCH",
                &path,
                Some(&token),
                Some(
                    json!({"user_metadata":{"baz":null,"foo":"bars"},"app_metadata":{"x":{"y":1}}}),
                ),
            )
            .await;
        assert_eq!(patched.status, 200, "{}", patched.body);
        assert_eq!(patched.body["user_metadata"], json!({"foo":"bars"}));
        assert_eq!(
            patched.body["app_metadata"],
            json!({"facts":[1,2],"x":{"y":1}})
        );

        let password = api
            .call("PATCH", &path, Some(&token), Some(json!({"connection":"Username-Password-Authentication","password":"N3w-password"})))
            .await;
        assert_eq!(password.status, 200, "{}", password.body);
        assert!(password.body["last_password_reset"].is_string());
        assert!(password.body.get("password").is_none());
        // The new password is what logs in from now on; the one given at creation no longer does.
        for (given, status) in [("N3w-password", 200), ("Passw0rd!x", 403)] {
            let login = api.login("m@example.com", given, "openid").await;
            assert_eq!(login.status, status, "login with {given}: {}", login.body);
        }
        // A refused PATCH stores nothing.
        let refused = api
            .call(
                "PATCH",
                &path,
                Some(&token),
                Some(json!({"user_metadata":{"a.b":1},"nickname":"changed"})),
            )
            .await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        let unchanged = api.call("GET", &path, Some(&token), None).await;
        assert_eq!(unchanged.body["nickname"], password.body["nickname"]);
        assert_eq!(unchanged.body["updated_at"], password.body["updated_at"]);

        let cleared = api
            .call(
                "PATCH",
                &path,
                Some(&token),
                Some(json!({"user_metadata":{},"app_metadata":{}})),
            )
            .await;
        assert_eq!(cleared.body["user_metadata"], json!({}));
        assert!(cleared.body.get("app_metadata").is_none());

        let both = api
            .call(
                "PATCH",
                &path,
                Some(&token),
                Some(json!({"email":"n@example.com","password":"Xyz-12345"})),
            )
            .await;
        assert_error(
            &both,
            400,
            "Cannot update password and email simultaneously.",
            Some("invalid_body"),
        );

        let empty = api
            .call("PATCH", &path, Some(&token), Some(json!({})))
            .await;
        assert_eq!(empty.status, 400);
        assert_eq!(empty.body["errorCode"], "invalid_body");

        let unknown = api
            .call(
                "PATCH",
                &path,
                Some(&token),
                Some(json!({"logins_count": 3})),
            )
            .await;
        assert_eq!(unknown.status, 400);

        let missing = api
            .call(
                "PATCH",
                "/api/v2/users/auth0%7Cnobody",
                Some(&token),
                Some(json!({"name":"x"})),
            )
            .await;
        assert_error(
            &missing,
            404,
            "The user does not exist.",
            Some("inexistent_user"),
        );

        api.create_user(&token, "taken@example.com", json!({}))
            .await;
        let duplicate = api
            .call(
                "PATCH",
                &path,
                Some(&token),
                Some(json!({"email": "Taken@Example.com"})),
            )
            .await;
        assert_error(
            &duplicate,
            400,
            "The specified new email already exists",
            Some("auth0_idp_error"),
        );
        let own = api
            .call(
                "PATCH",
                &path,
                Some(&token),
                Some(json!({"email": "m@example.com"})),
            )
            .await;
        assert_eq!(
            own.status, 200,
            "re-sending the user's own email is fine: {}",
            own.body
        );
    }
}

#[tokio::test]
async fn root_attributes_of_a_synced_social_user_cannot_be_updated() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let ids = api
            .emulator
            .seed(&json!({"users":[{"connection":"google-oauth2","user_id":"google-oauth2|1150","email":"g@example.com","name":"G"}]}))
            .expect("seed");
        let token = api.token(None).await;
        let reply = api
            .call(
                "PATCH",
                &format!("/api/v2/users/{}", enc(&ids[0])),
                Some(&token),
                Some(json!({"name":"New"})),
            )
            .await;
        assert_eq!(reply.status, 400, "{}", reply.body);
        assert_eq!(reply.body["errorCode"], "operation_not_supported");
    }
}

#[tokio::test]
async fn delete_is_204_even_when_gone() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        let user = api.create_user(&token, "d@example.com", json!({})).await;
        let path = format!("/api/v2/users/{}", enc(&uid(&user)));
        for _ in 0..2 {
            let reply = api.call("DELETE", &path, Some(&token), None).await;
            assert_eq!(reply.status, 204);
            assert!(reply.raw.is_empty());
        }
        let gone = api.call("GET", &path, Some(&token), None).await;
        assert_error(
            &gone,
            404,
            "The user does not exist.",
            Some("inexistent_user"),
        );
    }
}

#[tokio::test]
async fn list_pages_totals_sorts_and_searches() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        for (i, name) in ["carol", "alice", "bob"].iter().enumerate() {
            api.create_user(
                &token,
                &format!("{name}@example.com"),
                json!({"app_metadata":{"rank": i, "team":"red"}, "given_name": name}),
            )
            .await;
        }
        let bare = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(bare.status, 200);
        assert_eq!(bare.body.as_array().map(Vec::len), Some(3));
        assert!(bare.header("x-ratelimit-limit").is_some());

        let totals = api
            .call(
                "GET",
                "/api/v2/users?page=1&per_page=2&include_totals=true&sort=email:1",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(totals.body["start"], 2);
        assert_eq!(totals.body["limit"], 2);
        assert_eq!(totals.body["length"], 1);
        assert_eq!(totals.body["total"], 3);
        assert_eq!(totals.body["users"][0]["email"], "carol@example.com");

        let desc = api
            .call(
                "GET",
                "/api/v2/users?sort=email:-1&fields=email",
                Some(&token),
                None,
            )
            .await;
        let emails: Vec<&str> = desc
            .body
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|u| u["email"].as_str())
            .collect();
        assert_eq!(
            emails,
            ["carol@example.com", "bob@example.com", "alice@example.com"]
        );

        let q = "email:\"alice@example.com\" OR app_metadata.rank:2";
        let searched = api
            .call(
                "GET",
                &format!("/api/v2/users?search_engine=v3&q={}", enc(q)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(searched.status, 200, "{}", searched.body);
        let mut found: Vec<String> = searched
            .body
            .as_array()
            .expect("array")
            .iter()
            .map(|u| u["email"].as_str().unwrap_or("").to_owned())
            .collect();
        found.sort();
        assert_eq!(found, ["alice@example.com", "bob@example.com"]);

        let conn = api
            .call("GET", &format!("/api/v2/users?q={}", enc("identities.connection:\"Username-Password-Authentication\" AND _exists_:given_name")), Some(&token), None)
            .await;
        assert_eq!(conn.body.as_array().map(Vec::len), Some(3), "{}", conn.body);

        let bad_q = api
            .call(
                "GET",
                &format!("/api/v2/users?q={}", enc("name:jon~")),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(bad_q.status, 400);
        assert_eq!(bad_q.body["errorCode"], "invalid_query_string");

        let too_many = api
            .call("GET", "/api/v2/users?per_page=101", Some(&token), None)
            .await;
        assert_eq!(too_many.status, 400);
        assert_eq!(too_many.body["errorCode"], "invalid_query_string");

        let window = api
            .call(
                "GET",
                "/api/v2/users?per_page=100&page=10",
                Some(&token),
                None,
            )
            .await;
        assert_error(
            &window,
            400,
            "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation.",
            Some("invalid_query_string"),
        );
        let absurd = api
            .call(
                "GET",
                "/api/v2/users?page=99999999999999999999999",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(absurd.status, 400);
        let v1 = api
            .call("GET", "/api/v2/users?search_engine=v1", Some(&token), None)
            .await;
        assert_error(
            &v1,
            400,
            "You are not allowed to use search_engine=v1.",
            Some("invalid_query_string"),
        );
    }
}

#[tokio::test]
async fn users_by_email_is_a_bare_exact_array() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        api.create_user(&token, "Exact@Example.com", json!({}))
            .await;
        let hit = api
            .call(
                "GET",
                "/api/v2/users-by-email?email=exact%40example.com",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(hit.status, 200);
        assert_eq!(hit.body.as_array().map(Vec::len), Some(1));
        let miss = api
            .call(
                "GET",
                "/api/v2/users-by-email?email=Exact%40Example.com",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(miss.body, json!([]));
        let create_only = api.token(Some("create:users")).await;
        let refused = api
            .call(
                "GET",
                "/api/v2/users-by-email?email=exact%40example.com",
                Some(&create_only),
                None,
            )
            .await;
        assert_error(
            &refused,
            403,
            "Insufficient scope; expected any of: read:users.",
            Some("insufficient_scope"),
        );
        let missing = api
            .call("GET", "/api/v2/users-by-email", Some(&token), None)
            .await;
        assert_eq!(missing.status, 400);
        assert_eq!(missing.body["errorCode"], "invalid_query_string");
    }
}

#[tokio::test]
async fn tokens_and_scopes_are_enforced() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let none = api.call("GET", "/api/v2/users", None, None).await;
        assert_eq!(none.status, 401);
        let garbage = api
            .call("GET", "/api/v2/users", Some("not-a-jwt"), None)
            .await;
        assert_error(&garbage, 401, "Invalid token.", None);

        let read_only = api.token(Some("read:users")).await;
        let create = api
            .call("POST", "/api/v2/users", Some(&read_only), Some(json!({"connection":"Username-Password-Authentication","email":"s@b.co","password":"pw"})))
            .await;
        assert_error(
            &create,
            403,
            "Insufficient scope, expected any of: create:users.",
            Some("insufficient_scope"),
        );

        let full = api.token(None).await;
        let user = api.create_user(&full, "s@example.com", json!({})).await;
        let path = format!("/api/v2/users/{}", enc(&uid(&user)));
        let app_only = api.token(Some("update:users_app_metadata")).await;
        let ok = api
            .call(
                "PATCH",
                &path,
                Some(&app_only),
                Some(json!({"app_metadata":{"a":1}})),
            )
            .await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        let refused = api
            .call(
                "PATCH",
                &path,
                Some(&app_only),
                Some(json!({"app_metadata":{"a":1},"name":"x"})),
            )
            .await;
        assert_error(
            &refused,
            403,
            "You cannot update the following fields: name",
            Some("insufficient_scope"),
        );
        let delete = api.call("DELETE", &path, Some(&read_only), None).await;
        assert_eq!(delete.status, 403);

        let wrong_secret = api
            .call("POST", "/oauth/token", None, Some(json!({"grant_type":"client_credentials","client_id":"emulator-client","client_secret":"nope","audience":format!("{}/api/v2/", api.base)})))
            .await;
        assert_eq!(wrong_secret.status, 401);
        assert_eq!(wrong_secret.body["error"], "access_denied");
        let bad_grant = api
            .call(
                "POST",
                "/oauth/token",
                None,
                Some(json!({"grant_type":"magic"})),
            )
            .await;
        assert_eq!(bad_grant.body["error"], "unsupported_grant_type");
        let form = api
            .raw(
                "POST",
                "/oauth/token",
                None,
                Some("application/x-www-form-urlencoded"),
                format!(
                    "grant_type=client_credentials&client_id=emulator-client&client_secret=emulator-secret&audience={}",
                    enc(&format!("{}/api/v2/", api.base))
                )
                .into(),
            )
            .await
            .expect("sent");
        assert_eq!(form.status, 200, "{}", form.body);
        assert_eq!(form.body["token_type"], "Bearer");
        assert_eq!(form.body["expires_in"], 86400);

        let jwks = api.call("GET", "/.well-known/jwks.json", None, None).await;
        assert_eq!(jwks.body["keys"][0]["alg"], "RS256");
    }
}

#[tokio::test]
async fn robustness_envelopes() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        let unknown = api
            .call("GET", "/api/v2/nothing-here", Some(&token), None)
            .await;
        assert_error(&unknown, 404, "Not Found", None);
        let method = api.call("PUT", "/api/v2/users", Some(&token), None).await;
        assert_eq!(method.status, 404);
        let malformed = api
            .raw(
                "POST",
                "/api/v2/users",
                Some(&token),
                Some("application/json"),
                "{not json".into(),
            )
            .await
            .expect("sent");
        assert_error(
            &malformed,
            400,
            "Invalid request payload JSON format",
            Some("invalid_body"),
        );
        let wrong_type = api
            .raw(
                "POST",
                "/api/v2/users",
                Some(&token),
                Some("text/plain"),
                "hello".into(),
            )
            .await
            .expect("sent");
        assert_eq!(wrong_type.status, 415);
        assert_eq!(wrong_type.body["statusCode"], 415);
        let big = vec![b' '; 1_048_577];
        let too_large = api
            .raw(
                "POST",
                "/api/v2/users",
                Some(&token),
                Some("application/json"),
                big.into(),
            )
            .await
            .expect("sent");
        assert_eq!(too_large.status, 413);
        let huge_id = "x".repeat(5000);
        let huge = api
            .call(
                "GET",
                &format!("/api/v2/users/auth0%7C{huge_id}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(huge.status, 400);
        assert_eq!(huge.body["errorCode"], "invalid_uri");
        let not_object = api
            .call(
                "PATCH",
                "/api/v2/users/auth0%7C1",
                Some(&token),
                Some(Value::Array(vec![])),
            )
            .await;
        assert_eq!(not_object.status, 400);
    }
}

#[tokio::test]
async fn current_user_tokens_act_only_on_their_own_user() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let admin = api.token(None).await;
        let me = uid(&api.create_user(&admin, "me@example.com", json!({})).await);
        let other = uid(&api
            .create_user(&admin, "other@example.com", json!({}))
            .await);
        let login = api
            .login(
                "ME@example.com",
                "Passw0rd!x",
                "openid read:current_user update:current_user_metadata read:users",
            )
            .await;
        assert_eq!(login.status, 200, "{}", login.body);
        assert_eq!(
            login.body["scope"], "openid read:current_user update:current_user_metadata",
            "admin scopes are never granted to a user token"
        );
        let token = login.body["access_token"]
            .as_str()
            .expect("token")
            .to_owned();

        let mine = api
            .call(
                "GET",
                &format!("/api/v2/users/{}", enc(&me)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(mine.status, 200);
        let theirs = api
            .call(
                "GET",
                &format!("/api/v2/users/{}", enc(&other)),
                Some(&token),
                None,
            )
            .await;
        assert_error(
            &theirs,
            403,
            "User to be acted on does not match subject in bearer token.",
            None,
        );
        let list = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_error(
            &list,
            403,
            "Insufficient scope, expected any of: read:users.",
            Some("insufficient_scope"),
        );

        let metadata = api
            .call(
                "PATCH",
                &format!("/api/v2/users/{}", enc(&me)),
                Some(&token),
                Some(json!({"user_metadata": {"theme": "dark"}})),
            )
            .await;
        assert_eq!(metadata.status, 200, "{}", metadata.body);
        assert_eq!(metadata.body["user_metadata"], json!({"theme": "dark"}));
        let root = api
            .call(
                "PATCH",
                &format!("/api/v2/users/{}", enc(&me)),
                Some(&token),
                Some(json!({"user_metadata": {}, "name": "x", "blocked": true})),
            )
            .await;
        assert_error(
            &root,
            403,
            "You cannot update the following fields: name, blocked",
            Some("insufficient_scope"),
        );
        let foreign = api
            .call(
                "PATCH",
                &format!("/api/v2/users/{}", enc(&other)),
                Some(&token),
                Some(json!({"user_metadata": {"a": 1}})),
            )
            .await;
        assert_eq!(foreign.status, 403);
    }
}

#[tokio::test]
async fn tokens_verify_with_the_published_jwks() {
    let api = Api::default(common::Backend::InProcess).await;
    let token = api.token(Some("read:users")).await;
    let jwks = api.call("GET", "/.well-known/jwks.json", None, None).await;
    let key = &jwks.body["keys"][0];
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().expect("n"),
        key["e"].as_str().expect("e"),
    )
    .expect("rsa key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[format!("{}/api/v2/", api.base)]);
    validation.set_issuer(&[format!("{}/", api.base)]);
    let data =
        jsonwebtoken::decode::<Value>(&token, &decoding, &validation).expect("valid RS256 token");
    assert_eq!(data.claims["scope"], "read:users");
    assert_eq!(data.claims["gty"], "client-credentials");
    assert_eq!(
        data.claims["sub"],
        format!("{}@clients", users_emulator::DEFAULT_CLIENT_ID)
    );
    assert_eq!(data.claims["azp"], users_emulator::DEFAULT_CLIENT_ID);
    let header = jsonwebtoken::decode_header(&token).expect("header");
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());

    let other_origin = api
        .transport
        .send(
            http::Request::get("https://other-tenant.example/api/v2/users")
                .header("authorization", format!("Bearer {token}"))
                .body(bytes::Bytes::new())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(
        other_origin.status(),
        401,
        "a token is bound to the issuer it was minted for"
    );
}

#[tokio::test]
async fn ids_and_timestamps_are_deterministic_in_process() {
    use std::sync::Arc;
    use users_emulator::{Emulator, ManualClock};
    let make = || {
        Emulator::with_clock(
            users_emulator::EmulatorConfig::default(),
            Arc::new(ManualClock::new(1_674_673_226_187)),
        )
    };
    let mut bodies = Vec::new();
    for _ in 0..2 {
        let api = Api::attach(common::Backend::InProcess, make()).await;
        let token = api.token(None).await;
        bodies.push(api.create_user(&token, "same@example.com", json!({})).await);
    }
    assert_eq!(bodies[0], bodies[1], "same seed, same clock, same answers");
    assert!(
        uid(&bodies[0]).starts_with("auth0|63d17c4a"),
        "{}",
        bodies[0]
    );
    assert_eq!(bodies[0]["created_at"], "2023-01-25T19:00:26.187Z");
}
