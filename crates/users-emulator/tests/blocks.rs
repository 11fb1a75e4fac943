//! Brute-force blocks (`/user-blocks`) and the admin API that seeds them.

mod common;

use common::{Api, BACKENDS, assert_error, enc, uid};
use serde_json::json;

#[tokio::test]
async fn brute_force_blocks_survive_blocked_false_and_are_cleared_by_unblock() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        let user = uid(&api
            .create_user(&token, "blocked@example.com", json!({}))
            .await);
        let by_id = format!("/api/v2/user-blocks/{}", enc(&user));

        let empty = api.call("GET", &by_id, Some(&token), None).await;
        assert_eq!(empty.status, 200);
        assert_eq!(empty.body, json!({"blocked_for": []}));

        let seeded = api
            .call("POST", "/__emulator/seed", None, Some(json!({"blocks":[{"user_id":user,"identifier":"blocked@example.com","ip":"10.0.0.1"}]})))
            .await;
        assert_eq!(seeded.status, 200, "{}", seeded.body);
        let blocked = api.call("GET", &by_id, Some(&token), None).await;
        assert_eq!(
            blocked.body,
            json!({"blocked_for":[{"identifier":"blocked@example.com","ip":"10.0.0.1","connection":"Username-Password-Authentication"}]})
        );

        let patch = api
            .call(
                "PATCH",
                &format!("/api/v2/users/{}", enc(&user)),
                Some(&token),
                Some(json!({"blocked": false})),
            )
            .await;
        assert_eq!(patch.status, 200);
        assert_eq!(patch.body["blocked"], false);
        let still = api.call("GET", &by_id, Some(&token), None).await;
        assert_eq!(still.body["blocked_for"].as_array().map(Vec::len), Some(1));

        let by_identifier = api
            .call(
                "GET",
                "/api/v2/user-blocks?identifier=BLOCKED%40example.com",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(
            by_identifier.body["blocked_for"].as_array().map(Vec::len),
            Some(1)
        );

        let read_only = api.token(Some("read:users")).await;
        let refused = api.call("DELETE", &by_id, Some(&read_only), None).await;
        assert_error(
            &refused,
            403,
            "Insufficient scope; expected any of: update:users.",
            Some("insufficient_scope"),
        );

        let unblock = api.call("DELETE", &by_id, Some(&token), None).await;
        assert_eq!(unblock.status, 204);
        let cleared = api.call("GET", &by_id, Some(&token), None).await;
        assert_eq!(cleared.body, json!({"blocked_for": []}));

        api.call(
            "POST",
            "/__emulator/seed",
            None,
            Some(json!({"blocks":[{"user_id":user,"identifier":"blocked@example.com"}]})),
        )
        .await;
        let by_identifier_delete = api
            .call(
                "DELETE",
                "/api/v2/user-blocks?identifier=blocked%40example.com",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(by_identifier_delete.status, 204);
        let none = api.call("GET", &by_id, Some(&token), None).await;
        assert_eq!(none.body, json!({"blocked_for": []}));

        let missing_identifier = api
            .call("GET", "/api/v2/user-blocks", Some(&token), None)
            .await;
        assert_eq!(missing_identifier.status, 400);
        assert_eq!(missing_identifier.body["errorCode"], "invalid_query_string");
        let missing_user = api
            .call(
                "GET",
                "/api/v2/user-blocks/auth0%7Cnobody",
                Some(&token),
                None,
            )
            .await;
        assert_error(
            &missing_user,
            404,
            "The user does not exist.",
            Some("inexistent_user"),
        );
    }
}

#[tokio::test]
async fn admin_reset_snapshot_and_seed_validation() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        api.create_user(&token, "x@example.com", json!({})).await;
        let snapshot = api.call("GET", "/__emulator/snapshot", None, None).await;
        assert_eq!(snapshot.status, 200);
        assert_eq!(snapshot.body["users"].as_array().map(Vec::len), Some(1));
        let text = snapshot.raw.iter().map(|b| *b as char).collect::<String>();
        assert!(!text.contains("Passw0rd!x"), "passwords are stored hashed");

        let bad = api
            .call(
                "POST",
                "/__emulator/seed",
                None,
                Some(json!({"users":[{"connection":"nope"}]})),
            )
            .await;
        assert_eq!(bad.status, 400);
        let bad_block = api
            .call(
                "POST",
                "/__emulator/seed",
                None,
                Some(json!({"blocks":[{"user_id":"auth0|ghost","identifier":"g"}]})),
            )
            .await;
        assert_eq!(bad_block.status, 400);

        // All or nothing: a valid user, a new connection and a block, then a duplicate id: the
        // document is refused and none of it is stored (nor is the id counter advanced).
        let before = api.call("GET", "/__emulator/snapshot", None, None).await;
        let partly_bad = json!({
            "connections": [{"name": "staged-db", "strategy": "auth0"}],
            "users": [
                {"connection": "staged-db", "user_id": "auth0|staged1", "email": "s1@example.com"},
                {"connection": "Username-Password-Authentication", "email": "s2@example.com"},
                {"connection": "staged-db", "user_id": "auth0|staged1", "email": "s3@example.com"}
            ],
            "blocks": [{"user_id": "auth0|staged1", "identifier": "s1@example.com"}]
        });
        let refused = api
            .call("POST", "/__emulator/seed", None, Some(partly_bad.clone()))
            .await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        let after = api.call("GET", "/__emulator/snapshot", None, None).await;
        assert_eq!(after.body, before.body, "a refused seed stores nothing");

        // Without the duplicate it is stored whole, the block finding its user in the same
        // document and taking the connection seeded with it.
        let mut good = partly_bad;
        if let Some(users) = good["users"].as_array_mut() {
            users.truncate(2);
        }
        let seeded = api.call("POST", "/__emulator/seed", None, Some(good)).await;
        assert_eq!(seeded.status, 200, "{}", seeded.body);
        assert_eq!(seeded.body["users"].as_array().map(Vec::len), Some(2));
        let blocks = api.call("GET", "/__emulator/snapshot", None, None).await;
        let stored_block = blocks.body["blocks"]
            .as_array()
            .and_then(|b| b.iter().find(|b| b["user_id"] == "auth0|staged1"))
            .cloned();
        assert_eq!(
            stored_block.map(|b| b["connection"].clone()),
            Some(json!("staged-db"))
        );

        let reset = api.call("POST", "/__emulator/reset", None, None).await;
        assert_eq!(reset.status, 204);
        let listed = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(listed.body, json!([]));
        let unknown = api.call("GET", "/__emulator/nothing", None, None).await;
        assert_eq!(unknown.status, 404);
    }
}
