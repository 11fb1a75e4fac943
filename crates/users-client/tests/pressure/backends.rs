//! The storm and the fixed bucket scaled down in size, over real sockets through both backends.

use std::time::Duration;

use users_client::RetryPolicy;

use crate::scenarios::{Storm, client, concurrent_gets, fixed_bucket, storm};
use crate::scripted::{backends, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scaled_storm_through_both_backends() {
    for (name, transport) in backends() {
        let server = storm(Storm {
            outage: Duration::from_secs(2),
            capacity: 50,
            per_sec: 100.0,
            latency: Duration::from_millis(20),
        });
        let addr = serve(server.clone()).await;
        let client = client(
            transport,
            Some(format!("http://{addr}")),
            RetryPolicy::default(),
        );
        let run = concurrent_gets(&client, &server, 200).await;
        eprintln!("{name}: scaled storm: {run:?}");
        assert_eq!(run.succeeded, run.calls, "{name}: {:?}", run.errors);
        assert!(run.requests <= 220, "{name}: {run:?}");
        assert!(run.slowest <= Duration::from_secs(30), "{name}: {run:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scaled_fixed_bucket_through_both_backends() {
    for (name, transport) in backends() {
        let server = fixed_bucket(20, 40.0, Duration::from_millis(10));
        let addr = serve(server.clone()).await;
        let client = client(
            transport,
            Some(format!("http://{addr}")),
            RetryPolicy::default(),
        );
        let run = concurrent_gets(&client, &server, 120).await;
        eprintln!("{name}: scaled fixed bucket: {run:?}");
        assert_eq!(run.succeeded, run.calls, "{name}: {:?}", run.errors);
        assert!(run.too_many_share() < 0.05, "{name}: {run:?}");
        assert!(run.slowest <= Duration::from_secs(30), "{name}: {run:?}");
    }
}
