//! The tenant set-up APIs and a user's roles, permissions, organizations and logs, on the wire,
//! in-process and through both real backends: assignments follow deletions, logs follow what
//! happens, and brute-force protection blocks an IP as Auth0 documents it.

mod common;

use common::{Api, BACKENDS, Backend, assert_error, enc, uid};
use serde_json::{Value, json};
use users_transport::Transport;

const API: &str = "https://api.example.com/";

/// An emulator with the default configuration: its default application holds the scopes of
/// these operations and of the set-up APIs.
async fn api(backend: Backend) -> Api {
    Api::default(backend).await
}

fn names(body: &Value, key: &str, field: &str) -> Vec<String> {
    let list = body.get(key).unwrap_or(body);
    list.as_array()
        .unwrap_or_else(|| panic!("no list in {body}"))
        .iter()
        .map(|item| item[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn roles_and_permissions_follow_assignments_and_deletions() {
    for &backend in BACKENDS {
        let api = api(backend).await;
        let token = api.token(None).await;
        let t = Some(token.as_str());
        let rs = api
            .call("POST", "/api/v2/resource-servers", t, Some(json!({"identifier": API, "name": "Reports",
                "scopes": [{"value": "read:reports", "description": "Read reports"}, {"value": "write:reports"}]})))
            .await;
        assert_eq!(rs.status, 201, "{}", rs.body);
        let role = api
            .call(
                "POST",
                "/api/v2/roles",
                t,
                Some(json!({"name": "analyst", "description": "Reads"})),
            )
            .await;
        assert_eq!(role.status, 200, "{}", role.body);
        let role_id = role.body["id"].as_str().unwrap().to_owned();
        assert!(role_id.starts_with("rol_"));
        let perm = json!({"permissions": [{"resource_server_identifier": API, "permission_name": "read:reports"}]});
        let added = api
            .call(
                "POST",
                &format!("/api/v2/roles/{role_id}/permissions"),
                t,
                Some(perm.clone()),
            )
            .await;
        assert_eq!(added.status, 201, "{}", added.body);

        let user = uid(&api
            .create_user(&token, "roles@example.com", json!({}))
            .await);
        let base = format!("/api/v2/users/{}", enc(&user));
        let assign = api
            .call(
                "POST",
                &format!("{base}/roles"),
                t,
                Some(json!({"roles": [role_id]})),
            )
            .await;
        assert_eq!(assign.status, 204, "{}", assign.body);
        let bare = api.call("GET", &format!("{base}/roles"), t, None).await;
        assert_eq!(
            bare.body,
            json!([{"id": role_id, "name": "analyst", "description": "Reads"}])
        );
        let page = api
            .call(
                "GET",
                &format!("{base}/roles?include_totals=true&per_page=50"),
                t,
                None,
            )
            .await;
        assert_eq!(
            page.body,
            json!({"roles": bare.body, "start": 0, "limit": 50, "total": 1})
        );

        // Through the role, then also directly: one entry, two sources.
        let direct = api
            .call(
                "POST",
                &format!("{base}/permissions"),
                t,
                Some(perm.clone()),
            )
            .await;
        assert_eq!((direct.status, &direct.body), (201, &json!({})));
        let perms = api
            .call(
                "GET",
                &format!("{base}/permissions?include_totals=true"),
                t,
                None,
            )
            .await;
        assert_eq!(perms.body["total"], 1, "{}", perms.body);
        let item = &perms.body["permissions"][0];
        assert_eq!(item["resource_server_name"], "Reports");
        assert_eq!(item["description"], "Read reports");
        let sources: Vec<&str> = item["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["source_type"].as_str().unwrap())
            .collect();
        assert_eq!(sources, ["DIRECT", "ROLE"]);

        // Removing the role leaves the direct permission; deleting the API removes it.
        let removed = api
            .call(
                "DELETE",
                &format!("{base}/roles"),
                t,
                Some(json!({"roles": [role_id]})),
            )
            .await;
        assert_eq!(removed.status, 204);
        assert_eq!(api.get(&format!("{base}/roles"), t).await, json!([]));
        let perms = api
            .call("GET", &format!("{base}/permissions"), t, None)
            .await;
        assert_eq!(
            perms.body[0]["sources"][0]["source_type"], "DIRECT",
            "{}",
            perms.body
        );
        let rs_id = rs.body["id"].as_str().unwrap();
        assert_eq!(
            api.status("DELETE", &format!("/api/v2/resource-servers/{rs_id}"), t)
                .await,
            204
        );
        assert_eq!(api.get(&format!("{base}/permissions"), t).await, json!([]));

        // Deleting the role removes its assignment.
        api.call(
            "POST",
            &format!("{base}/roles"),
            t,
            Some(json!({"roles": [role_id]})),
        )
        .await;
        assert_eq!(
            api.status("DELETE", &format!("/api/v2/roles/{role_id}"), t)
                .await,
            200
        );
        assert_eq!(api.get(&format!("{base}/roles"), t).await, json!([]));

        // Errors: unknown role, undefined permission (the recorded message), missing user, bad body.
        let missing_role = api
            .call(
                "POST",
                &format!("{base}/roles"),
                t,
                Some(json!({"roles": ["rol_nope"]})),
            )
            .await;
        assert_error(
            &missing_role,
            404,
            "The role does not exist.",
            Some("inexistent_role"),
        );
        let missing_perm = api
            .call("POST", &format!("{base}/permissions"), t, Some(perm))
            .await;
        assert_error(
            &missing_perm,
            404,
            "This permission does not exist: 'https://api.example.com/ - read:reports'",
            Some("inexistent_resource_server_permission"),
        );
        let ghost = api
            .call("GET", "/api/v2/users/auth0%7Cnobody/roles", t, None)
            .await;
        assert_error(
            &ghost,
            404,
            "The user does not exist.",
            Some("inexistent_user"),
        );
        let empty = api
            .call(
                "POST",
                &format!("{base}/roles"),
                t,
                Some(json!({"roles": []})),
            )
            .await;
        assert_eq!(
            (empty.status, empty.body["errorCode"].as_str()),
            (400, Some("invalid_body"))
        );
        let too_big = api
            .call("GET", &format!("{base}/roles?per_page=101"), t, None)
            .await;
        assert_eq!(too_big.status, 400);
    }
}

#[tokio::test]
async fn organizations_follow_members_and_user_deletion() {
    for &backend in BACKENDS {
        let api = api(backend).await;
        let token = api.token(None).await;
        let t = Some(token.as_str());
        let org = api
            .call(
                "POST",
                "/api/v2/organizations",
                t,
                Some(json!({"name": "acme", "display_name": "Acme",
                "branding": {"logo_url": "https://example.com/logo.gif"}})),
            )
            .await;
        assert_eq!(org.status, 201, "{}", org.body);
        let org_id = org.body["id"].as_str().unwrap().to_owned();
        let by_name = api
            .call("GET", "/api/v2/organizations/name/acme", t, None)
            .await;
        assert_eq!(by_name.body, org.body);
        let dup = api
            .call(
                "POST",
                "/api/v2/organizations",
                t,
                Some(json!({"name": "acme"})),
            )
            .await;
        assert_eq!(dup.status, 409);
        let bad = api
            .call(
                "POST",
                "/api/v2/organizations",
                t,
                Some(json!({"name": "Not Valid"})),
            )
            .await;
        assert_eq!(bad.status, 400);

        let a = uid(&api.create_user(&token, "a@example.com", json!({})).await);
        let b = uid(&api.create_user(&token, "b@example.com", json!({})).await);
        let members = format!("/api/v2/organizations/{org_id}/members");
        let added = api
            .call("POST", &members, t, Some(json!({"members": [a, b]})))
            .await;
        assert_eq!(added.status, 204, "{}", added.body);
        let listed = api.call("GET", &members, t, None).await;
        assert_eq!(
            names(&listed.body, "members", "user_id"),
            [a.clone(), b.clone()]
        );
        let orgs = api
            .call(
                "GET",
                &format!(
                    "/api/v2/users/{}/organizations?include_totals=true",
                    enc(&a)
                ),
                t,
                None,
            )
            .await;
        assert_eq!(
            orgs.body,
            json!({"organizations": [org.body], "start": 0, "limit": 50, "total": 1})
        );

        let removed = api
            .call("DELETE", &members, t, Some(json!({"members": [a]})))
            .await;
        assert_eq!(removed.status, 204);
        let orgs = api
            .call(
                "GET",
                &format!("/api/v2/users/{}/organizations", enc(&a)),
                t,
                None,
            )
            .await;
        assert_eq!(orgs.body, json!([]));
        // Deleting a user removes its memberships.
        api.call("DELETE", &format!("/api/v2/users/{}", enc(&b)), t, None)
            .await;
        assert_eq!(api.get(&members, t).await, json!([]));
        // Deleting the organization: gone, and nobody belongs to it.
        api.call("POST", &members, t, Some(json!({"members": [a]})))
            .await;
        assert_eq!(
            api.status("DELETE", &format!("/api/v2/organizations/{org_id}"), t)
                .await,
            204
        );
        let orgs = api
            .call(
                "GET",
                &format!("/api/v2/users/{}/organizations", enc(&a)),
                t,
                None,
            )
            .await;
        assert_eq!(orgs.body, json!([]));
        assert_eq!(
            api.status("GET", &format!("/api/v2/organizations/{org_id}"), t)
                .await,
            404
        );
    }
}

fn log_types(body: &Value) -> Vec<String> {
    names(body, "logs", "type")
}

#[tokio::test]
async fn logs_record_logins_and_ten_failures_block_the_ip_until_unblocked() {
    for &backend in BACKENDS {
        let api = api(backend).await;
        let token = api.token(None).await;
        let t = Some(token.as_str());
        let user = uid(&api
            .create_user(&token, "victim@example.com", json!({}))
            .await);
        let logs = format!("/api/v2/users/{}/logs", enc(&user));
        assert_eq!(
            api.login("victim@example.com", "Passw0rd!x", "openid")
                .await
                .status,
            200
        );
        assert_eq!(
            api.login("victim@example.com", "wrong", "openid")
                .await
                .status,
            403
        );
        let body = api.get(&logs, t).await;
        assert_eq!(
            log_types(&body),
            ["fp", "sepft", "s", "ss"],
            "newest first: {body}"
        );
        let event = &body[0];
        for field in [
            "date",
            "description",
            "client_id",
            "client_name",
            "ip",
            "user_id",
            "user_name",
            "connection",
            "log_id",
        ] {
            assert!(event.get(field).is_some(), "{field} missing in {event}");
        }
        assert_eq!(event["connection"], "Username-Password-Authentication");
        let signup = &body[3];
        assert_eq!(signup["details"]["body"]["password"], "*****", "{signup}");
        let oldest_first = api
            .get(
                &format!("{logs}?sort=date:1&per_page=2&include_totals=true"),
                t,
            )
            .await;
        assert_eq!(log_types(&oldest_first), ["ss", "s"]);
        assert_eq!(
            (
                oldest_first["length"].as_u64(),
                oldest_first["total"].as_u64()
            ),
            (Some(2), Some(4))
        );

        // Nine more wrong passwords (ten in a row): the IP is blocked for this user.
        for _ in 0..9 {
            assert_eq!(
                api.login("victim@example.com", "wrong", "openid")
                    .await
                    .status,
                403
            );
        }
        let refused = api
            .login("victim@example.com", "Passw0rd!x", "openid")
            .await;
        assert_eq!(
            (refused.status, refused.body["error"].as_str()),
            (429, Some("too_many_attempts")),
            "{}",
            refused.body
        );
        let body = api.get(&logs, t).await;
        assert_eq!(log_types(&body)[..3], ["f", "limit_wc", "fp"]);
        let blocks = format!("/api/v2/user-blocks/{}", enc(&user));
        let listed = api.get(&blocks, t).await;
        assert_eq!(
            listed["blocked_for"][0]["identifier"], "victim@example.com",
            "{listed}"
        );
        let by_identifier = api
            .get("/api/v2/user-blocks?identifier=victim%40example.com", t)
            .await;
        assert_eq!(by_identifier, listed);

        // `blocked: false` does not lift it; DELETE /user-blocks does.
        let patch = api
            .call(
                "PATCH",
                &format!("/api/v2/users/{}", enc(&user)),
                t,
                Some(json!({"blocked": false})),
            )
            .await;
        assert_eq!(patch.status, 200);
        assert_eq!(
            api.login("victim@example.com", "Passw0rd!x", "openid")
                .await
                .status,
            429
        );
        assert_eq!(api.status("DELETE", &blocks, t).await, 204);
        assert_eq!(
            api.login("victim@example.com", "Passw0rd!x", "openid")
                .await
                .status,
            200
        );
        assert_eq!(api.get(&blocks, t).await, json!({"blocked_for": []}));

        // The same through the identifier: block again, lift by identifier.
        for _ in 0..10 {
            api.login("victim@example.com", "wrong", "openid").await;
        }
        assert_eq!(
            api.login("victim@example.com", "Passw0rd!x", "openid")
                .await
                .status,
            429
        );
        let lifted = api
            .call(
                "DELETE",
                "/api/v2/user-blocks?identifier=victim%40example.com",
                t,
                None,
            )
            .await;
        assert_eq!(lifted.status, 204);
        assert_eq!(
            api.login("victim@example.com", "Passw0rd!x", "openid")
                .await
                .status,
            200
        );

        // The update and the deletion are logged; the log outlives the user.
        api.call("DELETE", &format!("/api/v2/users/{}", enc(&user)), t, None)
            .await;
        let body = api.get(&logs, t).await;
        assert_eq!(log_types(&body)[0], "sdu");
        assert!(log_types(&body).contains(&"sapi".to_owned()));
    }
}

#[tokio::test]
async fn the_threshold_is_configurable_and_other_ips_are_not_blocked() {
    let api = api(Backend::InProcess).await;
    let seeded = api
        .call("POST", "/__emulator/seed", None, Some(json!({"brute_force": {"max_attempts": 3},
            "users": [{"connection": "Username-Password-Authentication", "email": "s@example.com", "password": "Passw0rd!x"}]})))
        .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    for _ in 0..3 {
        api.login("s@example.com", "wrong", "openid").await;
    }
    assert_eq!(
        api.login("s@example.com", "Passw0rd!x", "openid")
            .await
            .status,
        429
    );
    // Another IP (Auth0's `auth0-forwarded-for`) is not blocked.
    let body = json!({"grant_type": users_emulator::PASSWORD_REALM_GRANT, "client_id": users_emulator::DEFAULT_CLIENT_ID,
        "client_secret": users_emulator::DEFAULT_CLIENT_SECRET, "username": "s@example.com", "password": "Passw0rd!x",
        "realm": "Username-Password-Authentication"});
    let request = http::Request::post(format!("{}/oauth/token", api.base))
        .header("content-type", "application/json")
        .header("auth0-forwarded-for", "203.0.113.9")
        .body(bytes::Bytes::from(body.to_string()))
        .unwrap();
    let reply = api.transport.send(request).await.unwrap();
    assert_eq!(reply.status(), 200);
    let snapshot = api.get("/__emulator/snapshot", None).await;
    assert_eq!(snapshot["tenant"]["brute_force"]["max_attempts"], 3);
    assert!(
        snapshot["tenant"]["logs"]
            .as_array()
            .is_some_and(|l| l.len() >= 5)
    );
}

#[tokio::test]
async fn missing_scopes_give_the_documented_403() {
    for &backend in BACKENDS {
        let api = api(backend).await;
        let t = api.token(None).await;
        let user = uid(&api.create_user(&t, "s@example.com", json!({})).await);
        let read_only = api.token(Some("read:users")).await;
        let base = format!("/api/v2/users/{}", enc(&user));
        let refused = api
            .call(
                "POST",
                &format!("{base}/roles"),
                Some(&read_only),
                Some(json!({"roles": ["rol_1"]})),
            )
            .await;
        assert_error(
            &refused,
            403,
            "Insufficient scope; expected any of: update:users,create:role_members.",
            Some("insufficient_scope"),
        );
        let refused = api
            .call("GET", &format!("{base}/logs"), Some(&read_only), None)
            .await;
        assert_error(
            &refused,
            403,
            "Insufficient scope; expected any of: read:logs,read:logs_users.",
            Some("insufficient_scope"),
        );
        let refused = api
            .call(
                "GET",
                &format!("{base}/organizations"),
                Some(&read_only),
                None,
            )
            .await;
        assert_error(
            &refused,
            403,
            "Insufficient scope; expected any of: read:organizations.",
            Some("insufficient_scope"),
        );
        let refused = api
            .call(
                "POST",
                "/api/v2/roles",
                Some(&read_only),
                Some(json!({"name": "x"})),
            )
            .await;
        assert_error(
            &refused,
            403,
            "Insufficient scope; expected any of: create:roles.",
            Some("insufficient_scope"),
        );
        assert_eq!(
            api.status("GET", &format!("{base}/permissions"), Some(&read_only))
                .await,
            200
        );
    }
}
