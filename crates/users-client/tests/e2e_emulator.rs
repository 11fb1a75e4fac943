//! End to end against the emulator, one suite run three ways: in-process (`Emulator` as the
//! transport), and served on 127.0.0.1:0 through the reqwest and the hyper backends.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::{Value, json};
use users_client::model::{
    IdentityUserId, LinkRequest, LinkToken, ListUsersQuery, MetadataPatch, Password, Patch,
    Provider, SearchEngine, Timestamp, UnlinkTarget, UserCreate, UserUpdate, UsersByEmailQuery,
};
use users_client::transport::Transport;
use users_client::{Client, Error, FieldsQuery, MetadataKind, RetryPolicy, preview_update};
use users_emulator::{
    ClientConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig, PASSWORD_REALM_GRANT,
    RateLimitConfig,
};

mod emulated;
use emulated::{BACKENDS, Backend, Counting, Reached};

const DB: &str = "Username-Password-Authentication";
const PASSWORD: &str = "Passw0rd!x-long";

struct Env {
    transport: Arc<Counting>,
    reached: Reached,
}

impl Env {
    async fn start(backend: Backend, config: EmulatorConfig) -> Env {
        let reached = backend.reach(&emulated::emulator(config)).await;
        Env {
            transport: Counting::new(reached.transport.clone(), |path| {
                path.ends_with("/oauth/token")
            }),
            reached,
        }
    }

    fn builder(&self) -> users_client::ClientBuilder {
        self.reached.builder(self.transport.clone())
    }

    fn client(&self) -> Client {
        self.reached.client(self.transport.clone())
    }

    /// A raw JSON request (admin API and the password-realm grant).
    async fn raw(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let req = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.reached.base))
            .header("content-type", "application/json")
            .body(Bytes::from(body.to_string()))
            .unwrap();
        let resp = self.transport.inner.send(req).await.unwrap();
        let v = serde_json::from_slice(resp.body()).unwrap_or(Value::Null);
        (resp.status().as_u16(), v)
    }

    async fn fault(&self, rule: Value) {
        let (status, body) = self.raw("POST", "/__emulator/faults", rule).await;
        assert_eq!(status, 201, "{body}");
    }

    async fn login(&self, email: &str, scope: &str) -> Value {
        let (status, body) = self
            .raw(
                "POST",
                "/oauth/token",
                json!({"grant_type": PASSWORD_REALM_GRANT, "client_id": DEFAULT_CLIENT_ID,
                       "client_secret": DEFAULT_CLIENT_SECRET, "username": email,
                       "password": PASSWORD, "realm": DB, "scope": scope}),
            )
            .await;
        assert_eq!(status, 200, "login {email}: {body}");
        body
    }
}

fn new_user(email: &str) -> UserCreate {
    let mut c = UserCreate::new(DB);
    c.email = Some(email.into());
    c.password = Some(Password::new(PASSWORD));
    c
}

fn bare(id: &str) -> String {
    id.split_once('|').map_or(id, |(_, b)| b).to_owned()
}

#[tokio::test]
async fn every_operation() {
    for backend in BACKENDS {
        let env = Env::start(backend, EmulatorConfig::default()).await;
        let c = env.client();
        let users = c.users();
        let jane = users.create(&new_user("jane@example.com")).await.unwrap();
        let jane_id = jane.user_id.clone().unwrap();
        assert_eq!(jane.email.as_deref(), Some("jane@example.com"));
        let dup = users
            .create(&new_user("jane@example.com"))
            .await
            .unwrap_err();
        assert_eq!(
            dup.status().map(|s| s.as_u16()),
            Some(409),
            "{backend:?}: {dup}"
        );

        let got = users.get(&jane_id).await.unwrap();
        assert_eq!(got.user_id, jane.user_id);
        let slim = users
            .get_with(&jane_id, &FieldsQuery::include("user_id,email"))
            .await
            .unwrap();
        assert!(
            slim.name.is_none() && slim.email.is_some(),
            "{backend:?} {slim:?}"
        );

        // The seed's metadata example: first-level merge, nested objects replaced.
        let mut first = MetadataPatch::new();
        first.set("profileCode", 1479);
        let mut update = UserUpdate::default();
        update.user_metadata = Some(first);
        let before = users.update(&jane_id, &update).await.unwrap();
        let mut addr = MetadataPatch::new();
        addr.set("addresses", json!({"work_address": "100 Industrial Way"}));
        let mut update = UserUpdate::default();
        update.user_metadata = Some(addr);
        update.name = Patch::Set("Jane Doe".into());
        let predicted = preview_update(&before, &update, Timestamp::from_millis(0)).unwrap();
        let stored = users.update(&jane_id, &update).await.unwrap();
        assert_eq!(stored.user_metadata, predicted.user_metadata, "{backend:?}");
        assert_eq!(
            stored.user_metadata.clone().unwrap(),
            json!({"profileCode": 1479, "addresses": {"work_address": "100 Industrial Way"}})
                .as_object()
                .unwrap()
                .clone()
        );
        assert_eq!(stored.name.as_deref(), Some("Jane Doe"));

        // A deep change without clobbering siblings.
        let stored = users
            .update_metadata(&jane_id, MetadataKind::User, |cur| {
                let mut next = cur.cloned().unwrap_or_default();
                next["addresses"]["home_address"] = json!("742 Evergreen Terrace");
                next
            })
            .await
            .unwrap();
        let m = stored.user_metadata.unwrap();
        assert_eq!(m["profileCode"], 1479);
        assert_eq!(m["addresses"]["work_address"], "100 Industrial Way");
        assert_eq!(m["addresses"]["home_address"], "742 Evergreen Terrace");
        let stored = users
            .set_app_metadata(
                &jane_id,
                json!({"plan": "premium"}).as_object().unwrap().clone(),
            )
            .await
            .unwrap();
        assert_eq!(stored.app_metadata.unwrap()["plan"], "premium");

        let by_email = users
            .by_email(&UsersByEmailQuery::new("jane@example.com"))
            .await
            .unwrap();
        assert_eq!(by_email.len(), 1);
        let list = users.list(&ListUsersQuery::default()).await.unwrap();
        assert_eq!(list.len(), 1);
        let page = users
            .list_page(&{
                let mut v = ListUsersQuery::default();
                v.q = Some("email:\"jane@example.com\"".into());
                v.search_engine = Some(SearchEngine::V3);
                v
            })
            .with_response()
            .await
            .unwrap();
        assert_eq!(page.data.total, 1);
        assert!(
            page.rate_limit.is_some(),
            "{backend:?}: rate-limit headers parsed"
        );

        // Linking, provider + user id form.
        let john = users.create(&new_user("john@example.com")).await.unwrap();
        let john_id = john.user_id.clone().unwrap();
        let link = LinkRequest::Identity {
            provider: Provider::Auth0,
            user_id: IdentityUserId::String(bare(&john_id)),
            connection_id: None,
        };
        let ids = users.link(&jane_id, &link).await.unwrap();
        assert_eq!(ids.len(), 2, "{backend:?}");
        assert!(users.get(&john_id).await.unwrap_err().is_not_found());
        let again = users.link(&jane_id, &link).await.unwrap_err();
        assert!(
            again.status().is_some_and(|s| s.is_client_error()),
            "{again}"
        );
        let remaining = users
            .unlink(
                &jane_id,
                &UnlinkTarget::new(Provider::Auth0, bare(&john_id)),
            )
            .await
            .unwrap();
        assert_eq!(remaining.len(), 1);
        users.get(&john_id).await.unwrap();

        // Linking, link_with form: the primary's own token and the secondary's ID token.
        let access = env
            .login("jane@example.com", "openid update:current_user_identities")
            .await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        // (John, detached by the unlink, is a new user without a password: use another.)
        users.create(&new_user("jim@example.com")).await.unwrap();
        let id_token = env.login("jim@example.com", "openid").await["id_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let with = LinkRequest::Token {
            link_with: LinkToken::new(id_token),
        };
        let ids = users.link(&jane_id, &with).bearer(access).await.unwrap();
        assert_eq!(ids.len(), 2, "{backend:?}");

        // Brute-force blocks: seeded, read by id and identifier, cleared both ways.
        let bob = users.create(&new_user("bob@example.com")).await.unwrap();
        let bob_id = bob.user_id.clone().unwrap();
        let (status, body) = env
            .raw(
                "POST",
                "/__emulator/seed",
                json!({"blocks": [{"user_id": bob_id, "identifier": "bob@example.com", "ip": "10.0.0.1"}]}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let blocks = c.user_blocks().get(&bob_id, None).await.unwrap();
        assert_eq!(blocks.blocked_for.len(), 1);
        let blocks = c
            .user_blocks()
            .get_by_identifier("bob@example.com", None)
            .await
            .unwrap();
        assert_eq!(blocks.blocked_for.len(), 1);
        c.user_blocks().delete(&bob_id).await.unwrap();
        assert!(
            c.user_blocks()
                .get(&bob_id, None)
                .await
                .unwrap()
                .blocked_for
                .is_empty()
        );
        c.user_blocks()
            .delete_by_identifier("bob@example.com")
            .await
            .unwrap();

        // Delete, then it is gone; deleting again is not an error.
        users.delete(&bob_id).await.unwrap();
        assert!(users.get(&bob_id).await.unwrap_err().is_not_found());
        users.delete(&bob_id).await.unwrap();
        assert_eq!(env.transport.count(), 1, "one cached token");
    }
}

#[tokio::test]
async fn paging_to_the_end_and_to_the_1000_limit() {
    for backend in BACKENDS {
        let env = Env::start(backend, EmulatorConfig::default()).await;
        let seed: Vec<Value> = (0..1100)
            .map(|i| json!({"connection": DB, "email": format!("u{i:04}@example.com")}))
            .collect();
        let (status, body) = env
            .raw("POST", "/__emulator/seed", json!({"users": seed}))
            .await;
        assert_eq!(status, 200, "{body}");
        let c = env.client();
        let mut q = ListUsersQuery::default();
        q.per_page = Some(100);
        let items: Vec<Result<_, Error>> = c.users().list_stream(q).collect().await;
        let ok = items.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1000, "{backend:?}");
        assert!(
            matches!(
                items.last(),
                Some(Err(Error::Truncated {
                    total: 1100,
                    returned: 1000
                }))
            ),
            "{backend:?}: {:?}",
            items.last()
        );
        let mut q = ListUsersQuery::default();
        q.per_page = Some(50);
        q.q = Some("email:u000*".into());
        q.search_engine = Some(SearchEngine::V3);
        let small: Vec<Result<_, Error>> = c.users().list_stream(q).collect().await;
        assert_eq!(small.len(), 10, "{backend:?}: {small:?}");
        assert!(small.iter().all(Result::is_ok));
    }
}

#[tokio::test]
async fn scopes_are_enforced() {
    for backend in BACKENDS {
        let mut config = EmulatorConfig::default();
        config.clients = vec![ClientConfig::new("reader", "reader-secret", ["read:users"])];
        let env = Env::start(backend, config).await;
        let c = env
            .builder()
            .client_credentials("reader", "reader-secret")
            .build()
            .unwrap();
        c.users().list(&ListUsersQuery::default()).await.unwrap();
        let e = c
            .users()
            .create(&new_user("x@example.com"))
            .await
            .unwrap_err();
        assert!(e.is_unauthorized(), "{backend:?}: {e}");
        assert_eq!(e.status().unwrap().as_u16(), 403);
        let bad = env
            .builder()
            .client_credentials("reader", "wrong")
            .build()
            .unwrap();
        let e = bad.users().get("auth0|1").await.unwrap_err();
        assert!(
            matches!(&e, Error::Token(t) if t.status.as_u16() == 401),
            "{e:?}"
        );
    }
}

#[tokio::test]
async fn rate_limits_with_the_gate_and_retries() {
    for backend in BACKENDS {
        let mut config = EmulatorConfig::default();
        config.rate_limit = RateLimitConfig::new(3, 5.0);
        config.retry_after = true;
        let env = Env::start(backend, config).await;
        let c = env.client();
        let a = c.clone();
        let b = c.clone();
        let (ra, rb) = tokio::join!(
            async move {
                for _ in 0..6 {
                    a.users().list(&ListUsersQuery::default()).await?;
                }
                Ok::<_, Error>(())
            },
            async move {
                for _ in 0..6 {
                    b.users().list(&ListUsersQuery::default()).await?;
                }
                Ok::<_, Error>(())
            }
        );
        ra.unwrap();
        rb.unwrap();
        // Without retries, a 429 is reported as such. Client A drains a slow bucket (its
        // gate learns that it is empty); client B has its own gate, knows nothing yet, and
        // gets the 429.
        let mut slow = EmulatorConfig::default();
        slow.rate_limit = RateLimitConfig::new(2, 0.5);
        slow.retry_after = true;
        let env = Env::start(backend, slow).await;
        let a = env.client();
        for _ in 0..2 {
            a.users().list(&ListUsersQuery::default()).await.unwrap();
        }
        assert_eq!(a.rate_limit().unwrap().remaining, Some(0), "{backend:?}");
        let b = env
            .builder()
            .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            .retry(RetryPolicy::disabled())
            .build()
            .unwrap();
        let e = b
            .users()
            .list(&ListUsersQuery::default())
            .await
            .unwrap_err();
        assert!(e.is_rate_limited(), "{backend:?}: {e}");
        assert_eq!(e.attempts(), 1);
        // B's gate learned from the 429: its next call waits for the refill instead of failing.
        b.users().list(&ListUsersQuery::default()).await.unwrap();
        assert_eq!(e.rate_limit().unwrap().remaining, Some(0));
    }
}

#[tokio::test]
async fn injected_faults() {
    for backend in BACKENDS {
        let env = Env::start(backend, EmulatorConfig::default()).await;
        let c = env
            .builder()
            .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            .timeout(Some(Duration::from_secs(2)))
            .build()
            .unwrap();
        let jane = c
            .users()
            .create(&new_user("jane@example.com"))
            .await
            .unwrap();
        let id = jane.user_id.unwrap();

        // 503 on a GET: retried; on a create: not repeated.
        env.fault(json!({"method": "GET", "path_prefix": "/api/v2/users", "count": 2,
                          "action": {"kind": "status", "status": 503, "body": {"message": "down"}}}))
            .await;
        let r = c.users().get(&id).with_response().await.unwrap();
        assert_eq!(r.attempts, 3, "{backend:?}");
        env.fault(
            json!({"method": "POST", "path_prefix": "/api/v2/users", "count": 1,
                          "action": {"kind": "status", "status": 503}}),
        )
        .await;
        let e = c
            .users()
            .create(&new_user("x@example.com"))
            .await
            .unwrap_err();
        assert_eq!((e.status().unwrap().as_u16(), e.attempts()), (503, 1));
        c.users().get(&id).await.unwrap();

        // A 429 from a fault with Retry-After.
        env.fault(
            json!({"path_prefix": "/api/v2/users", "action": {"kind": "status", "status": 429,
                          "headers": {"retry-after": "1"}}}),
        )
        .await;
        assert_eq!(
            c.users().get(&id).with_response().await.unwrap().attempts,
            2
        );

        // Malformed JSON on success: a decode error, not a panic.
        env.fault(json!({"path_prefix": "/api/v2/users", "action": {"kind": "malformed_json"}}))
            .await;
        let e = c.users().get(&id).await.unwrap_err();
        assert!(matches!(e, Error::Decode(_)), "{backend:?}: {e:?}");

        // Broken connections and latency past the timeout: GET retried and succeeds.
        for action in [
            json!({"kind": "reset"}),
            json!({"kind": "truncate"}),
            json!({"kind": "latency", "ms": 5000}),
        ] {
            env.fault(
                json!({"method": "GET", "path_prefix": "/api/v2/users", "action": action.clone()}),
            )
            .await;
            let r = c.users().get(&id).with_response().await;
            match (backend, r) {
                (_, Ok(r)) => assert_eq!(r.attempts, 2, "{backend:?} {action}"),
                (b, Err(e)) => panic!("{b:?} {action}: {e:?}"),
            }
        }

        // A 401 drops the cached token and repeats the call once with a fresh one.
        let before = env.transport.count();
        env.fault(json!({"path_prefix": "/api/v2/users", "action": {"kind": "status", "status": 401,
                          "body": {"statusCode": 401, "error": "Unauthorized", "message": "Invalid token."}}}))
            .await;
        c.users().get(&id).await.unwrap();
        assert_eq!(env.transport.count(), before + 1, "{backend:?}");
    }
}
