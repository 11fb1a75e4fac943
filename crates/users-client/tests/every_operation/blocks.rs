//! `/user-blocks`, end to end: brute-force blocks seeded, read and cleared.

use serde_json::json;

use crate::env::Env;

pub async fn exercise(env: &Env) {
    let seeded = env
        .emulator
        .seed(&json!({
            "users": [{"user_id": "auth0|blocked", "connection": "Username-Password-Authentication",
                       "email": "blocked@example.com", "password": "Passw0rd!x-long"}],
            "blocks": [
                {"user_id": "auth0|blocked", "identifier": "blocked@example.com", "ip": "10.0.0.1"},
                {"user_id": "auth0|blocked", "identifier": "blocked@example.com", "ip": "10.0.0.2"}
            ]
        }))
        .expect("seed");
    assert_eq!(seeded, ["auth0|blocked"]);
    let blocks = env.client.user_blocks();
    let on_user = blocks.get("auth0|blocked", None).await.expect("get");
    assert_eq!(on_user.blocked_for.len(), 2);
    let by_identifier = blocks
        .get_by_identifier("blocked@example.com", None)
        .await
        .expect("get by identifier");
    assert_eq!(by_identifier.blocked_for.len(), 2);
    blocks
        .delete_by_identifier("blocked@example.com")
        .await
        .expect("delete by identifier");
    assert!(
        blocks
            .get("auth0|blocked", None)
            .await
            .expect("get")
            .blocked_for
            .is_empty()
    );
    env.emulator
        .seed(
            &json!({"blocks": [{"user_id": "auth0|blocked", "identifier": "blocked@example.com"}]}),
        )
        .expect("seed a block again");
    blocks.delete("auth0|blocked").await.expect("delete");
    assert!(
        blocks
            .get("auth0|blocked", None)
            .await
            .expect("get")
            .blocked_for
            .is_empty()
    );
}
