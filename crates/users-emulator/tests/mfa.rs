//! Authentication methods and MFA over HTTP, in-process and through both real backends: each
//! method type's lifecycle, masking as recorded, atomic PUT, enrollments, recovery codes,
//! remember-browser records, 404/409/403 answers, and what deleting a user takes with it.

mod common;

use common::{Api, BACKENDS, Reply, assert_error, enc, uid};
use serde_json::{Value, json};

const USER: &str = "auth0|mfa0000000000000000001";

async fn seeded(backend: common::Backend, methods: Value) -> (Api, String) {
    let api = Api::default(backend).await;
    let seed = json!({
        "users": [{"user_id": USER, "connection": "Username-Password-Authentication",
                   "email": "mfa@example.com", "password": "Passw0rd!x-long"}],
        "authentication_methods": {USER: methods},
    });
    let reply = api.call("POST", "/__emulator/seed", None, Some(seed)).await;
    assert_eq!(reply.status, 200, "seed: {}", reply.body);
    let token = api.token(None).await;
    (api, token)
}

fn methods_path(user: &str) -> String {
    format!("/api/v2/users/{}/authentication-methods", enc(user))
}

fn method_path(user: &str, method: &str) -> String {
    format!("{}/{}", methods_path(user), enc(method))
}

async fn list(api: &Api, token: &str) -> Vec<Value> {
    let reply = api
        .call("GET", &methods_path(USER), Some(token), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body.as_array().cloned().expect("a bare array")
}

async fn snapshot(api: &Api) -> Value {
    api.get("/__emulator/snapshot", None).await
}

fn id_of(reply: &Reply) -> String {
    reply.body["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn the_recorded_email_scenario_replays() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        let user = uid(&api
            .create_user(&token, "chuck334@example.com", json!({}))
            .await);
        let created = api
            .call(
                "POST",
                &methods_path(&user),
                Some(&token),
                Some(json!({"type": "email", "name": "Test", "email": "chuck334@example.com"})),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.body["email"], "chuc****@exam*******");
        assert!(created.body.get("confirmed").is_none());
        let id = id_of(&created);
        let suffix = id.strip_prefix("email|dev_").expect("id shape");
        assert!(suffix.len() == 16 && suffix.bytes().all(|b| b.is_ascii_alphanumeric()));

        let page = api
            .call(
                "GET",
                &format!("{}?include_totals=true&per_page=50", methods_path(&user)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(page.body["total"], 1);
        assert_eq!(
            (page.body["start"].clone(), page.body["limit"].clone()),
            (json!(0), json!(50))
        );
        assert_eq!(page.body["authenticators"][0]["confirmed"], true);

        let one = api
            .call(
                "GET",
                &format!("{}?include_totals=true", method_path(&user, &id)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(one.status, 200);
        assert_eq!(one.body["created_at"], created.body["created_at"]);

        let patched = api
            .call(
                "PATCH",
                &method_path(&user, &id),
                Some(&token),
                Some(json!({"name": "Test2"})),
            )
            .await;
        assert_eq!(
            (patched.status, patched.body["name"].clone()),
            (200, json!("Test2"))
        );
        assert_eq!(patched.body["email"], "chuc****@exam*******");

        let deleted = api
            .call("DELETE", &method_path(&user, &id), Some(&token), None)
            .await;
        assert_eq!(deleted.status, 204);
        let empty = api
            .call(
                "GET",
                &format!("{}?include_totals=true", methods_path(&user)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(
            empty.body,
            json!({"authenticators": [], "start": 0, "limit": 50})
        );
    }
}

#[tokio::test]
async fn each_method_type_lives_and_dies() {
    let bodies = [
        json!({"type": "phone", "phone_number": "+14155550123", "preferred_authentication_method": "voice"}),
        json!({"type": "totp", "totp_secret": "JBSWY3DPEHPK3PXP", "name": "App"}),
        json!({"type": "webauthn-roaming", "key_id": "a2V5", "public_key": "cHVibGlj", "relying_party_identifier": "login.example.com"}),
        json!({"type": "passkey", "key_id": "cGs", "public_key": "cGs=", "aaguid": "08987058-cadc-4b81-b6e1-30de50dcbe96",
               "credential_device_type": "multi_device", "credential_backed_up": true, "transports": ["internal"]}),
        json!({"type": "email", "email": "second@example.com"}),
    ];
    for &backend in BACKENDS {
        let (api, token) = seeded(backend, json!([])).await;
        for body in &bodies {
            let kind = body["type"].as_str().unwrap();
            let created = api
                .call(
                    "POST",
                    &methods_path(USER),
                    Some(&token),
                    Some(body.clone()),
                )
                .await;
            assert_eq!(created.status, 201, "{kind}: {}", created.body);
            assert!(
                created.body.get("totp_secret").is_none(),
                "{kind}: secret echoed"
            );
            let id = id_of(&created);
            assert!(id.starts_with(&format!("{kind}|dev_")));
            let read = api
                .call("GET", &method_path(USER, &id), Some(&token), None)
                .await;
            assert_eq!((read.status, read.body["type"].as_str()), (200, Some(kind)));
            assert_eq!(read.body["confirmed"], true);
            let renamed = api
                .call(
                    "PATCH",
                    &method_path(USER, &id),
                    Some(&token),
                    Some(json!({"name": "Renamed"})),
                )
                .await;
            assert_eq!(renamed.body["name"], "Renamed", "{kind}");
            if kind == "phone" {
                assert_eq!(read.body["phone_number"], "XXXXXXXX0123");
                assert_eq!(read.body["authentication_methods"][0]["type"], "voice");
                let suffix = id.strip_prefix("phone|").unwrap();
                assert_eq!(
                    read.body["authentication_methods"][0]["id"],
                    format!("voice|{suffix}")
                );
                let sms = api
                    .call(
                        "PATCH",
                        &method_path(USER, &id),
                        Some(&token),
                        Some(json!({"preferred_authentication_method": "sms"})),
                    )
                    .await;
                assert_eq!(sms.body["authentication_methods"][0]["type"], "sms");
            }
            if kind == "totp" {
                let wrong = api
                    .call(
                        "PATCH",
                        &method_path(USER, &id),
                        Some(&token),
                        Some(json!({"preferred_authentication_method": "sms"})),
                    )
                    .await;
                assert_eq!(wrong.status, 400, "{}", wrong.body);
            }
        }
        assert_eq!(list(&api, &token).await.len(), bodies.len());

        // A passkey blocks PUT and delete-all (OpenAPI 403) and leaves everything in place.
        let put = api
            .call(
                "PUT",
                &methods_path(USER),
                Some(&token),
                Some(json!([{"type": "email", "email": "x@example.com"}])),
            )
            .await;
        assert_error(
            &put,
            403,
            "Operation not permitted when the user has registered at least 1 passkey",
            None,
        );
        let all = api
            .call("DELETE", &methods_path(USER), Some(&token), None)
            .await;
        assert_eq!(all.status, 403);
        assert_eq!(list(&api, &token).await.len(), bodies.len());

        let passkey = list(&api, &token)
            .await
            .into_iter()
            .find(|m| m["type"] == "passkey")
            .unwrap();
        let gone = api
            .call(
                "DELETE",
                &method_path(USER, passkey["id"].as_str().unwrap()),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(gone.status, 204);
        let all = api
            .call("DELETE", &methods_path(USER), Some(&token), None)
            .await;
        assert_eq!(all.status, 204);
        assert!(list(&api, &token).await.is_empty());
    }
}

#[tokio::test]
async fn put_replaces_atomically_as_recorded() {
    let recorded = json!([{"type": "email", "name": "MyEmail", "email": "foo@example.com"},
        {"type": "phone", "name": "MyPhone", "phone_number": "+44207183875044", "preferred_authentication_method": "sms"},
        {"type": "totp", "name": "MyTotp", "totp_secret": "5HCWXIP2MJNSUBGYVUZFLRB2HWIGXR4SYJQXNBQ"}]);
    for &backend in BACKENDS {
        let (api, token) = seeded(backend, json!([
            {"type": "totp", "id": "totp|dev_AAAAAAAAAAAAAAAA"},
            {"type": "webauthn-roaming", "id": "webauthn-roaming|dev_BBBBBBBBBBBBBBBB", "key_id": "k"},
        ]))
        .await;
        let before = list(&api, &token).await;
        for refused in [
            json!([{"type": "email", "email": "not-an-email"}, {"type": "phone", "phone_number": "12"}]),
            json!([{"type": "totp", "totp_secret": "JBSWY3DPEHPK3PXP"}, {"type": "totp", "totp_secret": "JBSWY3DPEHPK3PXQ"}]),
            json!({"type": "email"}),
        ] {
            let reply = api
                .call(
                    "PUT",
                    &methods_path(USER),
                    Some(&token),
                    Some(refused.clone()),
                )
                .await;
            assert!(
                matches!(reply.status, 400 | 409),
                "{refused}: {}",
                reply.body
            );
            assert_eq!(
                list(&api, &token).await,
                before,
                "a refused PUT changed the methods"
            );
        }
        let duplicate = api
            .call("PUT", &methods_path(USER), Some(&token),
                Some(json!([{"type": "email", "email": "a@example.com"}, {"type": "email", "email": "A@example.com"}])))
            .await;
        assert_error(
            &duplicate,
            409,
            "Authentication method already exists.",
            None,
        );

        let put = api
            .call(
                "PUT",
                &methods_path(USER),
                Some(&token),
                Some(recorded.clone()),
            )
            .await;
        assert_eq!(put.status, 200, "{}", put.body);
        let answer = put.body.as_array().unwrap();
        assert_eq!(answer.len(), 3);
        assert_eq!(
            answer[0]["email"], "foo@example.com",
            "PUT answers unmasked"
        );
        assert_eq!(answer[1]["phone_number"], "+44207183875044");
        assert!(
            answer
                .iter()
                .all(|m| m.get("confirmed").is_none() && m.get("totp_secret").is_none())
        );
        let phone_suffix = answer[1]["id"]
            .as_str()
            .unwrap()
            .strip_prefix("phone|")
            .unwrap();
        assert_eq!(
            answer[1]["authentication_methods"],
            json!([{"id": format!("sms|{phone_suffix}"), "type": "sms"}])
        );

        let after = list(&api, &token).await;
        let ids: Vec<&str> = after.iter().filter_map(|m| m["id"].as_str()).collect();
        assert!(
            ids.contains(&"webauthn-roaming|dev_BBBBBBBBBBBBBBBB"),
            "other types are kept"
        );
        assert!(
            !ids.contains(&"totp|dev_AAAAAAAAAAAAAAAA"),
            "the old TOTP is replaced"
        );
        assert_eq!(after.len(), 4);
        let email = after.iter().find(|m| m["type"] == "email").unwrap();
        assert_eq!(email["email"], "****@exam*******");
        let phone = after.iter().find(|m| m["type"] == "phone").unwrap();
        assert_eq!(phone["phone_number"], "XXXXXXXXXXX5044");
    }
}

#[tokio::test]
async fn enrollments_and_authenticators() {
    for &backend in BACKENDS {
        let (api, token) = seeded(backend, json!([
            {"type": "password"}, {"type": "email", "email": "e@example.com"},
            {"type": "totp"}, {"type": "phone", "phone_number": "+14155550123"}, {"type": "push"},
        ]))
        .await;
        let path = format!("/api/v2/users/{}/enrollments", enc(USER));
        let before = api.call("GET", &path, Some(&token), None).await;
        assert_eq!(before.status, 200);
        let mut kinds: Vec<&str> = before
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["auth_method"].as_str())
            .collect();
        kinds.sort_unstable();
        assert_eq!(kinds, ["authenticator", "guardian", "sms"]);
        assert!(
            before
                .body
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["status"] == "confirmed")
        );

        let code = api
            .call(
                "POST",
                &format!("/api/v2/users/{}/recovery-code-regeneration", enc(USER)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(code.status, 200);
        let deleted = api
            .call(
                "DELETE",
                &format!("/api/v2/users/{}/authenticators", enc(USER)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(deleted.status, 204);
        let after = api.call("GET", &path, Some(&token), None).await;
        assert_eq!(after.body, json!([]));
        let left: Vec<Value> = list(&api, &token)
            .await
            .into_iter()
            .map(|m| m["type"].clone())
            .collect();
        assert_eq!(left, [json!("password")]);
        assert!(
            snapshot(&api).await["mfa"]["users"][USER]
                .get("recovery_code_hash")
                .is_none()
        );
    }
}

#[tokio::test]
async fn recovery_codes_remember_browser_and_providers() {
    for &backend in BACKENDS {
        let (api, token) = seeded(backend, json!([{"type": "totp"}])).await;
        let regenerate = format!("/api/v2/users/{}/recovery-code-regeneration", enc(USER));
        let first = api
            .call("POST", &regenerate, Some(&token), Some(json!({})))
            .await;
        let second = api.call("POST", &regenerate, Some(&token), None).await;
        let (a, b) = (
            first.body["recovery_code"].as_str().unwrap(),
            second.body["recovery_code"].as_str().unwrap(),
        );
        for code in [a, b] {
            assert!(
                code.len() == 24
                    && code
                        .bytes()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            );
        }
        assert_ne!(a, b);
        let state = snapshot(&api).await;
        assert!(
            !state.to_string().contains(b),
            "the snapshot holds the code"
        );
        let codes = list(&api, &token)
            .await
            .into_iter()
            .filter(|m| m["type"] == "recovery-code")
            .count();
        assert_eq!(codes, 1);

        let invalidate = format!(
            "/api/v2/users/{}/multifactor/actions/invalidate-remember-browser",
            enc(USER)
        );
        assert_eq!(api.status("POST", &invalidate, Some(&token)).await, 204);
        assert_eq!(
            api.call("POST", &invalidate, Some(&token), Some(json!({})))
                .await
                .status,
            204
        );
        let record = &snapshot(&api).await["mfa"]["users"][USER];
        assert_eq!(record["remember_browser_invalidations"], 2);
        assert!(record["remember_browser_invalidated_at"].is_string());

        // Each provider's deletion and the totp methods left after it (sms is refused).
        for (name, status, totp_left) in [
            ("duo", 204, 1),
            ("google-authenticator", 204, 0),
            ("sms", 400, 0),
        ] {
            let provider = format!("/api/v2/users/{}/multifactor/{name}", enc(USER));
            assert_eq!(
                api.status("DELETE", &provider, Some(&token)).await,
                status,
                "{name}"
            );
            let totp = list(&api, &token)
                .await
                .iter()
                .filter(|m| m["type"] == "totp")
                .count();
            assert_eq!(totp, totp_left, "{name}");
        }
    }
}

#[tokio::test]
async fn missing_users_and_methods_are_404_and_duplicates_409() {
    for &backend in BACKENDS {
        let (api, token) = seeded(
            backend,
            json!([{"type": "email", "email": "a@example.com"}]),
        )
        .await;
        let ghost = "auth0|nobody";
        let u = enc(ghost);
        for (method, path, body) in [
            ("GET", methods_path(ghost), None),
            (
                "POST",
                methods_path(ghost),
                Some(json!({"type": "email", "email": "a@example.com"})),
            ),
            ("PUT", methods_path(ghost), Some(json!([]))),
            ("DELETE", methods_path(ghost), None),
            ("GET", method_path(ghost, "email|dev_x"), None),
            (
                "PATCH",
                method_path(ghost, "email|dev_x"),
                Some(json!({"name": "n"})),
            ),
            ("DELETE", method_path(ghost, "email|dev_x"), None),
            ("GET", format!("/api/v2/users/{u}/enrollments"), None),
            ("DELETE", format!("/api/v2/users/{u}/authenticators"), None),
            ("DELETE", format!("/api/v2/users/{u}/multifactor/duo"), None),
            (
                "POST",
                format!("/api/v2/users/{u}/multifactor/actions/invalidate-remember-browser"),
                None,
            ),
            (
                "POST",
                format!("/api/v2/users/{u}/recovery-code-regeneration"),
                None,
            ),
        ] {
            let reply = api.call(method, &path, Some(&token), body).await;
            assert_eq!(reply.status, 404, "{method} {path}: {}", reply.body);
        }
        for (method, body) in [
            ("GET", None),
            ("PATCH", Some(json!({"name": "n"}))),
            ("DELETE", None),
        ] {
            let reply = api
                .call(
                    method,
                    &method_path(USER, "email|dev_missing00000000"),
                    Some(&token),
                    body,
                )
                .await;
            assert_error(
                &reply,
                404,
                "The authentication method could not be found.",
                None,
            );
        }
        let again = api
            .call(
                "POST",
                &methods_path(USER),
                Some(&token),
                Some(json!({"type": "email", "email": "A@example.com"})),
            )
            .await;
        assert_error(&again, 409, "Authentication method already exists.", None);
        let invalid = api
            .call(
                "POST",
                &methods_path(USER),
                Some(&token),
                Some(json!({"type": "email", "email": "nope", "totp_secret": "JBSWY3DPEHPK3PXP"})),
            )
            .await;
        assert_eq!(invalid.status, 400, "{}", invalid.body);
        assert!(
            !invalid.raw.windows(16).any(|w| w == b"JBSWY3DPEHPK3PXP"),
            "secret echoed"
        );
    }
}

#[tokio::test]
async fn each_operation_needs_its_scope() {
    for &backend in BACKENDS {
        let (api, _) = seeded(
            backend,
            json!([{"type": "totp", "id": "totp|dev_CCCCCCCCCCCCCCCC"}]),
        )
        .await;
        let u = enc(USER);
        let one = method_path(USER, "totp|dev_CCCCCCCCCCCCCCCC");
        let cases = [
            (
                "GET",
                methods_path(USER),
                None,
                "read:authentication_methods",
            ),
            ("GET", one.clone(), None, "read:authentication_methods"),
            (
                "POST",
                methods_path(USER),
                Some(json!({"type": "email", "email": "s@example.com"})),
                "create:authentication_methods",
            ),
            (
                "PUT",
                methods_path(USER),
                Some(json!([])),
                "update:authentication_methods",
            ),
            (
                "PATCH",
                one.clone(),
                Some(json!({"name": "n"})),
                "update:authentication_methods",
            ),
            ("DELETE", one.clone(), None, "delete:authentication_methods"),
            (
                "DELETE",
                methods_path(USER),
                None,
                "delete:authentication_methods",
            ),
            (
                "GET",
                format!("/api/v2/users/{u}/enrollments"),
                None,
                "read:users",
            ),
            (
                "DELETE",
                format!("/api/v2/users/{u}/authenticators"),
                None,
                "delete:guardian_enrollments",
            ),
            (
                "DELETE",
                format!("/api/v2/users/{u}/multifactor/duo"),
                None,
                "update:users",
            ),
            (
                "POST",
                format!("/api/v2/users/{u}/multifactor/actions/invalidate-remember-browser"),
                None,
                "update:users",
            ),
            (
                "POST",
                format!("/api/v2/users/{u}/recovery-code-regeneration"),
                None,
                "update:users",
            ),
        ];
        // A token holding every scope but the one needed is refused; one holding it succeeds.
        let all: Vec<&str> = cases.iter().map(|c| c.3).collect();
        for (method, path, body, scope) in &cases {
            let others: Vec<&str> = all.iter().copied().filter(|s| s != scope).collect();
            let without = api.token(Some(&others.join(" "))).await;
            let refused = api.call(method, path, Some(&without), body.clone()).await;
            assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
            assert!(
                refused.body["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains(scope),
                "{}",
                refused.body
            );
            let with = api.token(Some(scope)).await;
            let allowed = api.call(method, path, Some(&with), body.clone()).await;
            // Earlier cases may have removed the method (404): only the scope is checked here.
            assert!(
                ![401, 403].contains(&allowed.status),
                "{method} {path} with {scope}: {}",
                allowed.body
            );
        }
    }
}

#[tokio::test]
async fn deleting_a_user_removes_its_methods() {
    for &backend in BACKENDS {
        let (api, token) = seeded(backend, json!([{"type": "totp"}])).await;
        assert!(snapshot(&api).await["mfa"]["users"].get(USER).is_some());
        let reply = api
            .call(
                "DELETE",
                &format!("/api/v2/users/{}", enc(USER)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(reply.status, 204);
        assert!(snapshot(&api).await["mfa"]["users"].get(USER).is_none());
    }
}

#[tokio::test]
async fn seeds_are_checked_and_all_or_nothing() {
    let api = Api::default(common::Backend::InProcess).await;
    for bad in [
        json!({"authentication_methods": {"auth0|nobody": [{"type": "totp"}]}}),
        json!({"users": [{"user_id": USER, "connection": "Username-Password-Authentication", "email": "x@example.com"}],
               "authentication_methods": {USER: [{"id": "totp|dev_1"}]}}),
        json!({"users": [{"user_id": USER, "connection": "Username-Password-Authentication", "email": "x@example.com"}],
               "authentication_methods": {USER: [{"type": "totp", "id": "totp|dev_1"}, {"type": "totp", "id": "totp|dev_1"}]}}),
    ] {
        let reply = api
            .call("POST", "/__emulator/seed", None, Some(bad.clone()))
            .await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        let state = snapshot(&api).await;
        assert!(
            state["mfa"]["users"]
                .as_object()
                .is_none_or(|m| m.is_empty()),
            "{state}"
        );
        assert_eq!(state["users"], json!([]), "a refused seed left users");
    }
}

#[tokio::test]
async fn methods_survive_a_restart_and_older_state_files_still_load() {
    use std::sync::Arc;
    use users_emulator::{Emulator, EmulatorConfig, SystemClock};

    let path = std::env::temp_dir().join(format!("users-emulator-mfa-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let open = || {
        Emulator::open(EmulatorConfig::default(), Arc::new(SystemClock), &path).expect("state file")
    };
    let (first, _) = open();
    let api = Api::attach(common::Backend::InProcess, first).await;
    let seed = json!({"users": [{"user_id": USER, "connection": "Username-Password-Authentication", "email": "m@example.com"}],
                      "authentication_methods": {USER: [{"type": "totp", "id": "totp|dev_DDDDDDDDDDDDDDDD"}]}});
    assert_eq!(
        api.call("POST", "/__emulator/seed", None, Some(seed))
            .await
            .status,
        200
    );
    let token = api.token(None).await;
    let invalidate = format!(
        "/api/v2/users/{}/multifactor/actions/invalidate-remember-browser",
        enc(USER)
    );
    assert_eq!(api.status("POST", &invalidate, Some(&token)).await, 204);
    drop(api);

    let (second, loaded) = open();
    assert!(loaded);
    let api = Api::attach(common::Backend::InProcess, second).await;
    let token = api.token(None).await;
    let ids: Vec<Value> = list(&api, &token)
        .await
        .into_iter()
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(ids, [json!("totp|dev_DDDDDDDDDDDDDDDD")]);
    assert_eq!(
        snapshot(&api).await["mfa"]["users"][USER]["remember_browser_invalidations"],
        1
    );
    // A JSON state file (the older emulator's format, which is the snapshot) written before this
    // group existed has no `mfa`: it is converted, with no methods.
    let mut file = snapshot(&api).await;
    drop(api);
    for suffix in ["", "-wal", "-shm", ".v1.json"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
    file.as_object_mut()
        .unwrap()
        .remove("mfa")
        .expect("the state file carries mfa");
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    let (third, loaded) = open();
    assert!(loaded);
    let api = Api::attach(common::Backend::InProcess, third).await;
    let token = api.token(None).await;
    assert!(list(&api, &token).await.is_empty());
    drop(api);
    for suffix in ["", "-wal", "-shm", ".v1.json"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
}
