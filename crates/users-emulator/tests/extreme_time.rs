//! Extreme clock values, token lifetimes and rate-limit settings: the emulator answers (never
//! panics), a token lives exactly as long as its positive lifetime says, and the rate-limit
//! headers stay numbers.

mod common;

use std::sync::Arc;

use common::{Api, BACKENDS, Backend};
use proptest::prelude::*;
use serde_json::json;
use users_emulator::{Emulator, EmulatorConfig, ManualClock, RateLimitConfig};

/// Runs one exchange sequence at clock `now_ms` with the given settings and checks it.
async fn check(
    backend: Backend,
    now_ms: i64,
    lifetime_secs: i64,
    burst: u32,
    per_second: f64,
) -> Result<(), String> {
    let clock = Arc::new(ManualClock::new(now_ms));
    let mut config = EmulatorConfig::default();
    config.token_lifetime_secs = lifetime_secs;
    config.rate_limit = RateLimitConfig::new(burst, per_second);
    config.retry_after = true;
    let api = Api::attach(backend, Emulator::with_clock(config, clock.clone())).await;
    let token = api.token(None).await;
    let issued = api
        .call(
            "POST",
            "/oauth/token",
            None,
            Some(json!({
                "grant_type": "client_credentials",
                "client_id": users_emulator::DEFAULT_CLIENT_ID,
                "client_secret": users_emulator::DEFAULT_CLIENT_SECRET,
                "audience": format!("{}/api/v2/", api.base),
            })),
        )
        .await;
    if issued.body["expires_in"] != json!(lifetime_secs) {
        return Err(format!("expires_in {} != {lifetime_secs}", issued.body));
    }
    let listed = api.call("GET", "/api/v2/users", Some(&token), None).await;
    if lifetime_secs <= 0 {
        // A token whose lifetime is not positive has expired when it is issued.
        return match listed.status {
            401 => Ok(()),
            other => Err(format!("expired token answered {other}")),
        };
    }
    // The bucket starts full, so the first counted request always passes.
    if listed.status != 200 {
        return Err(format!("list answered {}: {}", listed.status, listed.body));
    }
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        let value = listed.header(name).unwrap_or_default();
        if value.parse::<i64>().is_err() {
            return Err(format!("{name} is not a number: {value:?}"));
        }
    }
    let created = api
        .call(
            "POST",
            "/api/v2/users",
            Some(&token),
            Some(json!({
                "connection": "Username-Password-Authentication",
                "email": "edge@example.com",
                "password": "Passw0rd!x",
            })),
        )
        .await;
    match created.status {
        201 if created.body["created_at"].is_string() => {}
        // Only a one-token bucket may be empty by now; its 429 says when to come back.
        429 if burst <= 1 => {
            let retry_after = created.header("retry-after").unwrap_or_default();
            if retry_after.parse::<u64>().map_or(true, |secs| secs < 1) {
                return Err(format!("429 with Retry-After {retry_after:?}"));
            }
        }
        other => return Err(format!("create answered {other}: {}", created.body)),
    }
    // Moving the clock past either end saturates; the emulator still answers.
    clock.advance(i64::MAX);
    let later = api.call("GET", "/api/v2/users", Some(&token), None).await;
    if ![200, 401, 429].contains(&later.status) {
        return Err(format!("after the clock jump: {}", later.status));
    }
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

fn clock_values() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MIN),
        Just(i64::MAX),
        Just(0),
        Just(-1),
        any::<i64>(),
        0i64..4_102_444_800_000,
    ]
}

fn lifetimes() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MIN),
        Just(i64::MAX),
        Just(0),
        Just(1),
        any::<i64>(),
    ]
}

fn rates() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-1.0),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        any::<f64>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_clock_lifetime_and_rate_is_answered(
        now_ms in clock_values(),
        lifetime_secs in lifetimes(),
        burst in prop_oneof![Just(0u32), Just(1), Just(u32::MAX), any::<u32>()],
        per_second in rates(),
    ) {
        let outcome = runtime().block_on(check(Backend::InProcess, now_ms, lifetime_secs, burst, per_second));
        prop_assert!(outcome.is_ok(), "{outcome:?}");
    }
}

#[test]
fn the_ends_of_the_clock_through_every_backend() {
    let runtime = runtime();
    for &backend in BACKENDS {
        for (now_ms, lifetime_secs) in [(i64::MAX, i64::MAX), (i64::MIN, 1), (0, i64::MIN)] {
            let outcome = runtime.block_on(check(backend, now_ms, lifetime_secs, 1, f64::NAN));
            assert!(
                outcome.is_ok(),
                "{backend:?} at {now_ms} ms, lifetime {lifetime_secs}: {outcome:?}"
            );
        }
    }
}
