//! The Management API token bucket: headers decrease, 429 when empty, refill with time.

mod common;

use std::sync::Arc;

use common::{Api, BACKENDS, assert_error};
use users_emulator::{Emulator, EmulatorConfig, ManualClock, RateLimitConfig};

const T0: i64 = 1_700_000_000_000;

async fn limited(backend: common::Backend, retry_after: bool) -> (Api, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(T0));
    let mut config = EmulatorConfig::default();
    config.rate_limit = RateLimitConfig::new(3, 1.0);
    config.retry_after = retry_after;
    let emulator = Emulator::with_clock(config, clock.clone());
    (Api::attach(backend, emulator).await, clock)
}

fn header_num(reply: &common::Reply, name: &str) -> i64 {
    reply
        .header(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .parse()
        .expect("number")
}

#[tokio::test]
async fn bucket_drains_refuses_and_refills() {
    for &backend in BACKENDS {
        let (api, clock) = limited(backend, false).await;
        let token = api.token(None).await;
        let mut remaining = Vec::new();
        for _ in 0..3 {
            let reply = api.call("GET", "/api/v2/users", Some(&token), None).await;
            assert_eq!(reply.status, 200);
            assert_eq!(header_num(&reply, "x-ratelimit-limit"), 3);
            let reset = header_num(&reply, "x-ratelimit-reset");
            assert!(
                (T0 / 1000..=T0 / 1000 + 5).contains(&reset),
                "reset {reset}"
            );
            remaining.push(header_num(&reply, "x-ratelimit-remaining"));
        }
        assert_eq!(remaining, [2, 1, 0]);

        let refused = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_error(
            &refused,
            429,
            "Global limit has been reached",
            Some("too_many_requests"),
        );
        assert_eq!(refused.body["error"], "Too Many Requests");
        assert_eq!(header_num(&refused, "x-ratelimit-remaining"), 0);
        assert!(
            refused.header("retry-after").is_none(),
            "Retry-After only with the flag"
        );
        // The token endpoint has its own limits and is not counted.
        api.token(None).await;

        clock.advance(1_000);
        let refilled = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(refilled.status, 200, "one token after one second");
        assert_eq!(header_num(&refilled, "x-ratelimit-remaining"), 0);
        let empty_again = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(empty_again.status, 429);

        clock.advance(10_000);
        let full = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(
            header_num(&full, "x-ratelimit-remaining"),
            2,
            "refill stops at the burst size"
        );
    }
}

#[tokio::test]
async fn retry_after_is_sent_with_the_flag() {
    for &backend in BACKENDS {
        let (api, _clock) = limited(backend, true).await;
        let token = api.token(None).await;
        for _ in 0..3 {
            api.call("GET", "/api/v2/users", Some(&token), None).await;
        }
        let refused = api.call("GET", "/api/v2/users", Some(&token), None).await;
        assert_eq!(refused.status, 429);
        let retry: u64 = refused
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .expect("seconds");
        assert!((1..=2).contains(&retry), "retry after {retry}");
    }
}
