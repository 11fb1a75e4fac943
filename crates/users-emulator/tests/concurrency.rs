//! Concurrent PATCHes to one user are serialized: none of 100 metadata keys is lost.

mod common;

use common::{Api, BACKENDS, enc, uid};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_patches_keep_every_key() {
    for &backend in BACKENDS {
        let api = Api::default(backend).await;
        let token = api.token(None).await;
        let id = uid(&api.create_user(&token, "busy@example.com", json!({})).await);
        let path = format!("/api/v2/users/{}", enc(&id));
        let mut tasks = Vec::new();
        for i in 0..100 {
            let transport = api.transport.clone();
            let uri = format!("{}{}", api.base, path);
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                let body = serde_json::to_vec(&json!({"user_metadata": {format!("k{i}"): i}}))
                    .expect("json");
                let request = http::Request::patch(uri)
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(bytes::Bytes::from(body))
                    .expect("request");
                transport.send(request).await.map(|r| r.status().as_u16())
            }));
        }
        for task in tasks {
            let status = task.await.expect("task").expect("sent");
            assert_eq!(status, 200);
        }
        let user = api.call("GET", &path, Some(&token), None).await;
        let metadata = user.body["user_metadata"].as_object().expect("metadata");
        assert_eq!(metadata.len(), 100);
        for i in 0..100 {
            assert_eq!(metadata[&format!("k{i}")], i);
        }
    }
}
