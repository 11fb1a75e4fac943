//! Every path segment and query value is percent-encoded like `encodeURIComponent`, and no id
//! can escape its segment.

mod support;

use serde_json::json;
use support::{FnTransport, Seen, client, json as reply_json};
use users_client::Error;
use users_client::model::{
    IdentityUserId, LinkRequest, ListUsersQuery, Provider, UnlinkTarget, UserUpdate,
    UsersByEmailQuery, decode_component,
};

const NASTY: &[&str] = &[
    "auth0|123",
    "a/b",
    "a?b=c",
    "a#frag",
    "100%",
    "%2e%2e",
    "../admin",
    "..%2Fadmin",
    "x/../../y",
    "with space",
    "a&b=c",
    "plus+sign",
    "ünï/cødé",
    "samlp|conn|user@example.com",
    "\\back",
    "tab\there",
];

fn ok_transport() -> std::sync::Arc<FnTransport> {
    FnTransport::new(|s: &Seen, _| {
        let path = s.path();
        if s.method == http::Method::DELETE && !path.contains("/identities/") {
            support::empty(204)
        } else if path.contains("/identities")
            || path.ends_with("users-by-email")
            || path.ends_with("/users")
        {
            reply_json(200, json!([]))
        } else if s.uri.contains("user-blocks") {
            reply_json(200, json!({"blocked_for": []}))
        } else {
            reply_json(200, json!({"user_id": "x"}))
        }
    })
}

/// The path below `/api/v2`, split into raw segments; the URI must have no fragment.
fn segments(seen: &Seen) -> Vec<String> {
    assert!(!seen.uri.contains('#'), "fragment in {}", seen.uri);
    let uri: http::Uri = seen.uri.parse().unwrap();
    assert_eq!(uri.host(), Some("tenant.auth0.com"));
    let path = uri.path().strip_prefix("/api/v2/").expect("under /api/v2");
    path.split('/').map(str::to_owned).collect()
}

fn decoded(seg: &str) -> String {
    for c in seg.chars() {
        assert!(
            c.is_ascii_alphanumeric() || "-_.!~*'()%".contains(c),
            "unencoded {c:?} in segment {seg}"
        );
    }
    decode_component(seg).unwrap()
}

#[tokio::test]
async fn ids_stay_inside_their_path_segment() {
    for id in NASTY {
        let t = ok_transport();
        let c = client(t.clone());
        let mut update = UserUpdate::default();
        update.blocked = Some(true);
        let link = LinkRequest::Identity {
            provider: Provider::Auth0,
            user_id: IdentityUserId::String("secondary".into()),
            connection_id: None,
        };
        let unlink = UnlinkTarget::new(Provider::from("google-oauth2"), (*id).to_owned());
        c.users().get(id).await.unwrap();
        c.users().update(id, &update).await.unwrap();
        c.users().delete(id).await.unwrap();
        c.users().link(id, &link).await.unwrap();
        c.users().unlink(id, &unlink).await.unwrap();
        c.user_blocks().get(id, None).await.unwrap();
        c.user_blocks().delete(id).await.unwrap();
        let seen = t.requests();
        assert_eq!(seen.len(), 7);
        let expect: [&[&str]; 7] = [
            &["users", id],
            &["users", id],
            &["users", id],
            &["users", id, "identities"],
            &["users", id, "identities", "google-oauth2", id],
            &["user-blocks", id],
            &["user-blocks", id],
        ];
        for (s, want) in seen.iter().zip(expect) {
            let got: Vec<String> = segments(s).iter().map(|g| decoded(g)).collect();
            assert_eq!(got, want, "request {} for id {id:?}", s.uri);
            assert!(
                s.uri.parse::<http::Uri>().unwrap().query().is_none(),
                "unexpected query in {}",
                s.uri
            );
        }
    }
}

#[tokio::test]
async fn query_values_stay_inside_their_parameter() {
    for value in NASTY {
        let t = ok_transport();
        let c = client(t.clone());
        c.users()
            .by_email(&UsersByEmailQuery::new(*value))
            .await
            .unwrap();
        let mut q = ListUsersQuery::default();
        q.q = Some((*value).to_owned());
        q.fields = Some((*value).to_owned());
        c.users().list(&q).await.unwrap();
        c.user_blocks()
            .get_by_identifier(value, None)
            .await
            .unwrap();
        let seen = t.requests();
        let pairs = |s: &Seen| -> Vec<(String, String)> {
            assert!(!s.uri.contains('#'));
            let uri: http::Uri = s.uri.parse().unwrap();
            uri.query()
                .unwrap()
                .split('&')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    (k.to_owned(), decoded(v))
                })
                .collect()
        };
        assert_eq!(
            pairs(&seen[0]),
            vec![("email".to_owned(), value.to_string())]
        );
        assert_eq!(
            pairs(&seen[1]),
            vec![
                ("fields".to_owned(), value.to_string()),
                ("q".to_owned(), value.to_string())
            ]
        );
        assert_eq!(
            pairs(&seen[2]),
            vec![("identifier".to_owned(), value.to_string())]
        );
    }
}

#[tokio::test]
async fn unusable_segments_are_refused_before_the_network() {
    let t = ok_transport();
    let c = client(t.clone());
    for id in ["", ".", ".."] {
        let e = c.users().get(id).await.unwrap_err();
        assert!(
            matches!(e, Error::InvalidArgument { argument: "id", .. }),
            "{id:?}: {e:?}"
        );
        let e = c.users().delete(id).await.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }));
        let e = c.user_blocks().get(id, None).await.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }));
        let target = UnlinkTarget::new(Provider::Auth0, id.to_owned());
        let e = c.users().unlink("auth0|1", &target).await.unwrap_err();
        assert!(matches!(
            e,
            Error::InvalidArgument {
                argument: "user_id",
                ..
            }
        ));
    }
    let e = c.user_blocks().delete_by_identifier("").await.unwrap_err();
    assert!(matches!(
        e,
        Error::InvalidArgument {
            argument: "identifier",
            ..
        }
    ));
    assert_eq!(t.count(), 0, "nothing may be sent");
}

#[tokio::test]
async fn json_body_and_content_type_only_when_there_is_a_body() {
    let t = ok_transport();
    let c = client(t.clone());
    c.users().get("a").await.unwrap();
    let mut update = UserUpdate::default();
    update.blocked = Some(false);
    c.users().update("a", &update).await.unwrap();
    let seen = t.requests();
    assert!(seen[0].header("content-type").is_none());
    assert!(seen[0].body.is_empty());
    assert_eq!(seen[1].header("content-type"), Some("application/json"));
    assert_eq!(seen[1].json(), json!({"blocked": false}));
    assert!(seen.iter().all(|s| s.header("accept").is_none()));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any id (other than the refused ones) round-trips through exactly one path segment.
    #[test]
    fn any_id_is_exactly_one_segment(id in "\\PC{1,24}") {
        proptest::prop_assume!(id != "." && id != "..");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let seen = rt.block_on(async {
            let t = ok_transport();
            client(t.clone()).users().get(&id).await.unwrap();
            t.requests()
        });
        let segs = segments(&seen[0]);
        proptest::prop_assert_eq!(segs.len(), 2);
        proptest::prop_assert_eq!(decoded(&segs[1]), id);
    }
}
