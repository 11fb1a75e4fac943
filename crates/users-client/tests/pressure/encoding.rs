//! Both backends put the same bytes on the wire for the same query (a conformance test): the
//! request target the server receives is compared, not what the client meant to send.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use users_client::RetryPolicy;
use users_client::model::ListUsersQuery;

use crate::scenarios::client;
use crate::scripted::{Scripted, Step, answer, backends, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_encode_queries_identically() {
    let queries = [
        "name:'O'Brien'",
        "email:\"jane@example.com\" AND name:*é*",
        "a+b=c&d/e?f#g%20h",
        "(~!*'()) [] {} | ^ ` \\",
    ];
    let mut targets = Vec::new();
    for (name, transport) in backends() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let server = Scripted::new(move |request, _| {
            log.lock().unwrap().push(request.uri().to_string());
            Step::Answer(Duration::ZERO, answer(200, &[], "[]"))
        });
        let addr = serve(server).await;
        let client = client(
            transport,
            Some(format!("http://{addr}")),
            RetryPolicy::disabled(),
        );
        for q in queries {
            let mut query = ListUsersQuery::default();
            query.q = Some(q.into());
            client.users().list(&query).await.unwrap();
        }
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), queries.len(), "{name}");
        targets.push((name, seen));
    }
    let (first, rest) = targets.split_first().unwrap();
    for (name, seen) in rest {
        assert_eq!(seen, &first.1, "{name} differs from {}", first.0);
    }
    // `'` is sent as %27 by both, as node-auth0's URLSearchParams does.
    assert!(first.1[0].contains("O%27Brien%27"), "{}", first.1[0]);
    assert!(first.1.iter().all(|t| !t.contains('\'')), "{:?}", first.1);
}
