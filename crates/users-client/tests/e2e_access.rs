//! A user's roles, permissions, organizations and logs through the client, against the
//! emulator in-process and served on 127.0.0.1:0 through the reqwest and hyper backends: both
//! paging shapes, streams to the end, assignments after removals and deletions, logs after
//! logins, brute-force blocks, and validation before the network.

use bytes::Bytes;
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use users_client::model::{
    PageQuery, PermissionRef, Permissions, RoleIds, UserLogsQuery, ViolationKind,
};
use users_client::transport::Transport;
use users_client::{Client, Error};
use users_emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig, PASSWORD_REALM_GRANT,
};

mod emulated;
use emulated::{BACKENDS, Backend, Reached};

const API: &str = "https://api.example.com/";
const PASSWORD: &str = "Passw0rd!x-long";

struct Env {
    reached: Reached,
}

impl Env {
    async fn start(backend: Backend) -> Env {
        // The default application holds every scope used here (operations and set-up APIs).
        let emulator = emulated::emulator(EmulatorConfig::default());
        Env {
            reached: backend.reach(&emulator).await,
        }
    }

    fn client(&self) -> Client {
        self.reached.client(self.reached.transport.clone())
    }

    /// A raw JSON request with the client's token where `token` is given.
    async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (u16, Value) {
        let mut req = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.reached.base))
            .header("content-type", "application/json");
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let resp = self
            .reached
            .transport
            .send(req.body(Bytes::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let v = serde_json::from_slice(resp.body()).unwrap_or(Value::Null);
        (resp.status().as_u16(), v)
    }

    async fn token(&self) -> String {
        let (status, body) = self
            .raw(
                "POST",
                "/oauth/token",
                None,
                json!({"grant_type": "client_credentials",
                "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET,
                "audience": format!("{}/api/v2/", self.reached.base)}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn login(&self, email: &str, password: &str) -> u16 {
        self.raw(
            "POST",
            "/oauth/token",
            None,
            json!({"grant_type": PASSWORD_REALM_GRANT,
            "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET,
            "username": email, "password": password, "realm": "Username-Password-Authentication"}),
        )
        .await
        .0
    }

    async fn seed(&self, document: Value) {
        let (status, body) = self.raw("POST", "/__emulator/seed", None, document).await;
        assert_eq!(status, 200, "{body}");
    }
}

fn read(name: &str) -> PermissionRef {
    PermissionRef::new(API, name)
}

#[tokio::test]
async fn roles_and_permissions_page_stream_and_follow_deletions() {
    for backend in BACKENDS {
        let env = Env::start(backend).await;
        let roles: Vec<Value> = (0..5).map(|i| json!({"id": format!("rol_{i}"), "name": format!("role-{i}"),
            "permissions": [{"resource_server_identifier": API, "permission_name": format!("p{i}")}]})).collect();
        let scopes: Vec<Value> = (0..5).map(|i| json!({"value": format!("p{i}")})).collect();
        env.seed(json!({"users": [{"user_id": "auth0|u1", "connection": "Username-Password-Authentication",
            "email": "u1@example.com", "password": PASSWORD}],
            "resource_servers": [{"identifier": API, "name": "Reports", "scopes": scopes}], "roles": roles}))
            .await;
        let c = env.client();
        let users = c.users();
        let ids = RoleIds::new((0..5).map(|i| format!("rol_{i}")));
        users.assign_roles("auth0|u1", &ids).await.unwrap();
        users.assign_roles("auth0|u1", &ids).await.unwrap();

        // Both shapes, and a stream to the end in pages of 2 (three requests).
        let bare = users
            .roles("auth0|u1", &{
                let mut v = PageQuery::default();
                v.per_page = Some(2);
                v
            })
            .await
            .unwrap();
        assert_eq!(bare.len(), 2, "{backend:?}");
        let page = users
            .roles_page("auth0|u1", &{
                let mut v = PageQuery::default();
                v.page = Some(2);
                v.per_page = Some(2);
                v
            })
            .await
            .unwrap();
        assert_eq!(
            (page.start, page.limit, page.total, page.roles.len()),
            (4, 2, 5, 1)
        );
        let all: Vec<_> = users
            .roles_stream("auth0|u1", 2)
            .try_collect()
            .await
            .unwrap();
        let names: Vec<_> = all.iter().map(|r| r.name.clone().unwrap()).collect();
        assert_eq!(names, ["role-0", "role-1", "role-2", "role-3", "role-4"]);

        // Permissions through roles, then one directly too.
        users
            .assign_permissions("auth0|u1", &Permissions::new([read("p0")]))
            .await
            .unwrap();
        let perms: Vec<_> = users
            .permissions_stream("auth0|u1", 2)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(perms.len(), 5);
        let p0 = perms
            .iter()
            .find(|p| p.permission_name.as_deref() == Some("p0"))
            .unwrap();
        assert_eq!(p0.sources.as_ref().map(Vec::len), Some(2));
        assert_eq!(p0.resource_server_name.as_deref(), Some("Reports"));
        let page = users
            .permissions_page("auth0|u1", &PageQuery::default())
            .await
            .unwrap();
        assert_eq!(page.total, 5);

        // Removing roles and deleting a role or the API take their permissions away.
        users
            .remove_roles("auth0|u1", &RoleIds::new(["rol_4"]))
            .await
            .unwrap();
        assert_eq!(
            users
                .roles("auth0|u1", &PageQuery::default())
                .await
                .unwrap()
                .len(),
            4
        );
        let token = env.token().await;
        let (status, _) = env
            .raw("DELETE", "/api/v2/roles/rol_3", Some(&token), Value::Null)
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            users
                .roles("auth0|u1", &PageQuery::default())
                .await
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            users
                .permissions("auth0|u1", &PageQuery::default())
                .await
                .unwrap()
                .len(),
            3
        );
        users
            .remove_permissions("auth0|u1", &Permissions::new([read("p0")]))
            .await
            .unwrap();
        let p0 = users
            .permissions("auth0|u1", &PageQuery::default())
            .await
            .unwrap();
        assert_eq!(
            p0[0].sources.as_ref().map(Vec::len),
            Some(1),
            "only the role's"
        );
        let (status, rs) = env
            .raw("GET", "/api/v2/resource-servers", Some(&token), Value::Null)
            .await;
        assert_eq!(status, 200);
        let rs_id = rs[0]["id"].as_str().unwrap().to_owned();
        env.raw(
            "DELETE",
            &format!("/api/v2/resource-servers/{rs_id}"),
            Some(&token),
            Value::Null,
        )
        .await;
        assert!(
            users
                .permissions("auth0|u1", &PageQuery::default())
                .await
                .unwrap()
                .is_empty()
        );

        // The server's errors: an unknown role, an undefined permission, a missing user.
        let err = users
            .assign_roles("auth0|u1", &RoleIds::new(["rol_nope"]))
            .await
            .unwrap_err();
        assert!(err.is_not_found(), "{err}");
        let err = users
            .assign_permissions("auth0|u1", &Permissions::new([read("p1")]))
            .await
            .unwrap_err();
        assert_eq!(
            err.error_code(),
            Some("inexistent_resource_server_permission")
        );
        let err = users
            .roles("auth0|ghost", &PageQuery::default())
            .await
            .unwrap_err();
        assert!(err.is_not_found());

        // Deleting the user removes its assignments.
        users.delete("auth0|u1").await.unwrap();
        let snapshot = env
            .raw("GET", "/__emulator/snapshot", None, Value::Null)
            .await
            .1;
        assert_eq!(snapshot["tenant"]["user_roles"], json!({}), "{backend:?}");
    }
}

#[tokio::test]
async fn organizations_after_adding_and_removing_members() {
    for backend in BACKENDS {
        let env = Env::start(backend).await;
        env.seed(json!({"users": [{"user_id": "auth0|u1", "connection": "Username-Password-Authentication",
            "email": "u1@example.com"}]})).await;
        let token = env.token().await;
        let mut ids = Vec::new();
        for name in ["acme", "globex", "initech"] {
            let (status, org) = env
                .raw(
                    "POST",
                    "/api/v2/organizations",
                    Some(&token),
                    json!({"name": name}),
                )
                .await;
            assert_eq!(status, 201, "{org}");
            let id = org["id"].as_str().unwrap().to_owned();
            let (status, _) = env
                .raw(
                    "POST",
                    &format!("/api/v2/organizations/{id}/members"),
                    Some(&token),
                    json!({"members": ["auth0|u1"]}),
                )
                .await;
            assert_eq!(status, 204);
            ids.push(id);
        }
        let c = env.client();
        let users = c.users();
        let all: Vec<_> = users
            .organizations_stream("auth0|u1", 2)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 3, "{backend:?}");
        let page = users
            .organizations_page("auth0|u1", &PageQuery::default())
            .await
            .unwrap();
        assert_eq!((page.total, page.limit), (3, 50));
        env.raw(
            "DELETE",
            &format!("/api/v2/organizations/{}/members", ids[0]),
            Some(&token),
            json!({"members": ["auth0|u1"]}),
        )
        .await;
        let names: Vec<_> = users
            .organizations("auth0|u1", &PageQuery::default())
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.name.unwrap())
            .collect();
        assert_eq!(names, ["globex", "initech"]);
    }
}

#[tokio::test]
async fn logs_after_logins_and_a_brute_force_block() {
    for backend in BACKENDS {
        let env = Env::start(backend).await;
        env.seed(json!({"users": [{"user_id": "auth0|u1", "connection": "Username-Password-Authentication",
            "email": "u1@example.com", "password": PASSWORD}]})).await;
        assert_eq!(env.login("u1@example.com", PASSWORD).await, 200);
        for _ in 0..10 {
            assert_eq!(env.login("u1@example.com", "wrong-password").await, 403);
        }
        assert_eq!(env.login("u1@example.com", PASSWORD).await, 429);
        let c = env.client();
        let users = c.users();
        let events = users
            .logs("auth0|u1", &UserLogsQuery::default())
            .await
            .unwrap();
        let types: Vec<_> = events
            .iter()
            .map(|e| e.event_type.clone().unwrap())
            .collect();
        assert_eq!(types[..3], ["f", "limit_wc", "fp"], "{backend:?}");
        assert_eq!(types.iter().filter(|t| *t == "fp").count(), 10);
        assert_eq!(types.last().map(String::as_str), Some("s"), "oldest last");
        let oldest = users
            .logs_page("auth0|u1", &{
                let mut v = UserLogsQuery::default();
                v.sort = Some("date:1".into());
                v.per_page = Some(1);
                v
            })
            .await
            .unwrap();
        assert_eq!(oldest.logs[0].event_type.as_deref(), Some("s"));
        assert_eq!((oldest.length, oldest.total), (1, events.len() as u64));
        let streamed: Vec<_> = users
            .logs_stream("auth0|u1", 3)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(streamed.len(), events.len());

        // The block is listed and lifted through user-blocks.
        let blocks = c.user_blocks().get("auth0|u1", None).await.unwrap();
        assert_eq!(blocks.blocked_for.len(), 1);
        c.user_blocks().delete("auth0|u1").await.unwrap();
        assert_eq!(env.login("u1@example.com", PASSWORD).await, 200);
    }
}

#[tokio::test]
async fn bad_input_is_refused_before_the_network_with_every_violation() {
    let env = Env::start(Backend::InProcess).await;
    let c = env.client();
    let users = c.users();
    let err = users
        .assign_roles("auth0|u1", &RoleIds::new(["", "rol_1", ""]))
        .await
        .unwrap_err();
    let Error::Validation(v) = err else {
        panic!("{err:?}")
    };
    let paths: Vec<_> = v.iter().map(|v| v.path.clone()).collect();
    assert_eq!(paths, ["roles[0]", "roles[2]"]);
    let err = users
        .assign_permissions("auth0|u1", &Permissions::new([PermissionRef::new("", "")]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.len() == 2),
        "{err:?}"
    );
    let err = users
        .logs("auth0|u1", &{
            let mut v = UserLogsQuery::default();
            v.per_page = Some(101);
            v.sort = Some("date".into());
            v
        })
        .await
        .unwrap_err();
    let Error::Validation(v) = err else { panic!() };
    assert_eq!(
        v.iter().map(|v| v.kind).collect::<Vec<_>>(),
        [ViolationKind::OutOfRange, ViolationKind::Format]
    );
    let err = users.roles("", &PageQuery::default()).await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument { argument: "id", .. }),
        "{err:?}"
    );
    let items: Vec<_> =
        futures_util::StreamExt::collect::<Vec<_>>(users.roles_stream("auth0|u1", 0)).await;
    assert!(matches!(
        items.as_slice(),
        [Err(Error::InvalidArgument { .. })]
    ));
}
