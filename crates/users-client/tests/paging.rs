//! `list_stream`: page += 1, stops on a short page or at the total, never asks past the
//! 1000-record limit and reports truncation as the last item.

mod support;

use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::json;
use support::{FnTransport, Seen, client, json as reply_json};
use users_client::Error;
use users_client::model::ListUsersQuery;

/// A server holding `total` users that caps pages at `max_per_page` and refuses to page past
/// the first 1000 records, like Auth0.
fn server(total: u64, max_per_page: u64) -> Arc<FnTransport> {
    FnTransport::new(move |s: &Seen, _| {
        let uri: http::Uri = s.uri.parse().unwrap();
        let mut page = 0u64;
        let mut per_page = 50u64;
        let mut totals = false;
        for kv in uri.query().unwrap_or("").split('&') {
            match kv.split_once('=') {
                Some(("page", v)) => page = v.parse().unwrap(),
                Some(("per_page", v)) => per_page = v.parse().unwrap(),
                Some(("include_totals", v)) => totals = v == "true",
                _ => {}
            }
        }
        assert!(totals, "the stream asks for totals");
        let per_page = per_page.min(max_per_page);
        let start = page * per_page;
        if start + per_page > 1000 {
            return reply_json(
                400,
                json!({"statusCode": 400, "error": "Bad Request",
                       "message": "You can only page through the first 1000 records.",
                       "errorCode": "invalid_paging"}),
            );
        }
        let end = (start + per_page).min(total);
        let users: Vec<_> = (start..end.max(start))
            .map(|i| json!({"user_id": format!("auth0|{i}")}))
            .collect();
        reply_json(
            200,
            json!({"start": start, "limit": per_page, "length": users.len(), "total": total, "users": users}),
        )
    })
}

async fn collect(t: Arc<FnTransport>, q: ListUsersQuery) -> Vec<Result<String, Error>> {
    let c = client(t);
    c.users()
        .list_stream(q)
        .map(|r| r.map(|u| u.user_id.unwrap()))
        .collect()
        .await
}

fn ids(items: &[Result<String, Error>]) -> Vec<String> {
    items
        .iter()
        .filter_map(|r| r.as_ref().ok().cloned())
        .collect()
}

#[tokio::test]
async fn walks_all_pages_and_stops_on_a_short_page() {
    let t = server(7, 100);
    let mut q = ListUsersQuery::default();
    q.per_page = Some(3);
    let items = collect(t.clone(), q).await;
    assert_eq!(
        ids(&items),
        (0..7).map(|i| format!("auth0|{i}")).collect::<Vec<_>>()
    );
    assert!(items.iter().all(Result::is_ok));
    assert_eq!(t.count(), 3);
    let pages: Vec<String> = t.requests().iter().map(|s| s.uri.clone()).collect();
    assert!(
        pages[0].contains("page=0&per_page=3&include_totals=true"),
        "{pages:?}"
    );
    assert!(pages[2].contains("page=2&"), "{pages:?}");
}

#[tokio::test]
async fn stops_at_the_total_without_an_empty_extra_page() {
    let t = server(6, 100);
    let mut q = ListUsersQuery::default();
    q.per_page = Some(3);
    let items = collect(t.clone(), q).await;
    assert_eq!(ids(&items).len(), 6);
    assert_eq!(t.count(), 2);
    let t = server(0, 100);
    assert!(
        collect(t.clone(), ListUsersQuery::default())
            .await
            .is_empty()
    );
    assert_eq!(t.count(), 1);
}

#[tokio::test]
async fn reports_truncation_at_the_1000_limit() {
    let t = server(2500, 100);
    let items = collect(t.clone(), ListUsersQuery::default()).await;
    assert_eq!(ids(&items).len(), 1000);
    assert_eq!(t.count(), 20);
    match items.last().unwrap() {
        Err(Error::Truncated {
            total: 2500,
            returned: 1000,
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(items.iter().filter(|r| r.is_err()).count(), 1);
}

#[tokio::test]
async fn page_sizes_that_do_not_divide_1000_never_ask_past_it() {
    let t = server(5000, 100);
    let mut q = ListUsersQuery::default();
    q.per_page = Some(30);
    let items = collect(t.clone(), q).await;
    assert_eq!(ids(&items).len(), 990);
    assert!(matches!(
        items.last(),
        Some(Err(Error::Truncated { returned: 990, .. }))
    ));
    assert!(t.requests().iter().all(|s| !s.uri.contains("page=33&")));
}

#[tokio::test]
async fn exactly_1000_matches_is_not_truncation() {
    let t = server(1000, 100);
    let items = collect(t.clone(), ListUsersQuery::default()).await;
    assert_eq!(ids(&items).len(), 1000);
    assert!(items.iter().all(Result::is_ok));
}

#[tokio::test]
async fn follows_a_server_capped_page_size() {
    // Asked for 100, the server gives 50 per page: not a "short page", keep going.
    let t = server(120, 50);
    let mut q = ListUsersQuery::default();
    q.per_page = Some(100);
    let items = collect(t.clone(), q).await;
    assert_eq!(ids(&items).len(), 120);
    assert_eq!(t.count(), 3);
}

#[tokio::test]
async fn an_error_ends_the_stream_after_one_error_item() {
    let t = FnTransport::new(|_, i| {
        if i == 0 {
            reply_json(
                200,
                json!({"start": 0, "limit": 2, "length": 2, "total": 10,
                                   "users": [{"user_id": "a"}, {"user_id": "b"}]}),
            )
        } else {
            reply_json(
                403,
                json!({"statusCode": 403, "error": "Forbidden", "message": "Insufficient scope", "errorCode": "insufficient_scope"}),
            )
        }
    });
    let mut q = ListUsersQuery::default();
    q.per_page = Some(2);
    let items = collect(t.clone(), q).await;
    assert_eq!(items.len(), 3);
    assert!(matches!(&items[2], Err(e) if e.is_unauthorized()));
}

#[tokio::test]
async fn bad_page_arguments_are_reported_without_requests() {
    let t = server(10, 100);
    let mut q = ListUsersQuery::default();
    q.per_page = Some(0);
    let items = collect(t.clone(), q).await;
    assert!(matches!(
        items.as_slice(),
        [Err(Error::InvalidArgument {
            argument: "per_page",
            ..
        })]
    ));
    let mut q = ListUsersQuery::default();
    q.page = Some(20);
    q.per_page = Some(50);
    let items = collect(t.clone(), q).await;
    assert!(matches!(
        items.as_slice(),
        [Err(Error::InvalidArgument {
            argument: "page",
            ..
        })]
    ));
    assert_eq!(t.count(), 0);
}
