use super::*;

const NOW_MS: i64 = 1_675_452_600_000;

fn window(remaining: u64, reset_in_secs: i64) -> RateLimit {
    RateLimit {
        limit: Some(10),
        remaining: Some(remaining),
        reset_epoch_secs: Some(NOW_MS / 1000 + reset_in_secs),
    }
}

/// How long an admission takes on the paused clock; the admission is released at once.
async fn waited(gate: &RateLimitGate) -> Duration {
    let start = Instant::now();
    let admission = gate.admit(None).await.expect("no deadline");
    drop(admission);
    Instant::now() - start
}

/// A gate whose clock reads `NOW_MS` at the start of the test.
fn gate() -> RateLimitGate {
    RateLimitGate::new(secs(60), WallClock::anchored_at(NOW_MS))
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[tokio::test(start_paused = true)]
async fn a_cold_gate_lets_one_probe_through_and_holds_the_rest_for_its_answer() {
    let gate = gate();
    let probe = gate.admit(None).await.expect("probe");
    let other = gate.clone();
    let waiter = tokio::spawn(async move {
        let start = Instant::now();
        let admission = other.admit(None).await.expect("admitted");
        drop(admission);
        Instant::now() - start
    });
    tokio::time::sleep(secs(1)).await;
    assert!(!waiter.is_finished(), "held while the probe is out");
    gate.observe(Some(&window(5, 1)));
    drop(probe);
    assert_eq!(waiter.await.expect("task"), secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_server_without_headers_is_not_gated_after_the_probe() {
    let gate = gate();
    let probe = gate.admit(None).await.expect("probe");
    gate.observe(None);
    drop(probe);
    let held: Vec<_> = (0..50).map(|_| gate.admit(None)).collect();
    for admission in futures_util::future::join_all(held).await {
        assert!(admission.is_ok());
    }
    assert_eq!(gate.current(), None);
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_probe_hands_the_probe_to_the_next_caller() {
    let gate = gate();
    let probe = gate.admit(None).await.expect("probe");
    drop(probe);
    let next = gate.admit(None).await.expect("the next probe");
    assert!(next.probe);
}

#[tokio::test(start_paused = true)]
async fn an_empty_bucket_holds_until_the_reset_then_one_request_learns_the_new_count() {
    let gate = gate();
    drop(gate.admit(None).await.expect("probe"));
    gate.observe(Some(&window(0, 3)));
    let first = gate.admit(None).await.expect("after the reset");
    assert!(first.probe);
    let other = gate.clone();
    let second = tokio::spawn(async move { waited(&other).await });
    tokio::time::sleep(secs(1)).await;
    assert!(
        !second.is_finished(),
        "only one request goes after the reset"
    );
    gate.observe(Some(&window(4, 4)));
    drop(first);
    assert_eq!(second.await.expect("task"), secs(1));
}

#[tokio::test(start_paused = true)]
async fn remaining_counts_requests_in_flight() {
    let gate = gate();
    drop(gate.admit(None).await.expect("probe"));
    gate.observe(Some(&window(3, 1)));
    let a = gate.admit(None).await.expect("1");
    let b = gate.admit(None).await.expect("2");
    let c = gate.admit(None).await.expect("3");
    let other = gate.clone();
    let fourth = tokio::spawn(async move { waited(&other).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!fourth.is_finished(), "three in flight use up three left");
    // A newer window with three left while two are still out: one more may go.
    gate.observe(Some(&window(3, 2)));
    drop(a);
    assert_eq!(fourth.await.expect("task"), Duration::from_millis(100));
    drop((b, c));
}

#[tokio::test(start_paused = true)]
async fn waiters_are_released_in_arrival_order_one_refill_at_a_time() {
    let gate = gate();
    drop(gate.admit(None).await.expect("probe"));
    gate.observe(Some(&window(0, 2)));
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for i in 0..5 {
        let gate = gate.clone();
        let order = order.clone();
        tasks.push(tokio::spawn(async move {
            let admission = gate.admit(None).await.expect("admitted");
            order.lock().expect("order").push(i);
            // Each answer reports one more request left until the next reset.
            tokio::time::sleep(Duration::from_millis(50)).await;
            gate.observe(Some(&window(0, 2 + i + 1)));
            drop(admission);
        }));
        tokio::task::yield_now().await;
    }
    for task in tasks {
        task.await.expect("task");
    }
    assert_eq!(*order.lock().expect("order"), vec![0, 1, 2, 3, 4]);
}

#[tokio::test(start_paused = true)]
async fn a_hold_past_the_deadline_fails_at_once() {
    let gate = gate();
    drop(gate.admit(None).await.expect("probe"));
    gate.observe(Some(&window(0, 30)));
    let start = Instant::now();
    let deadline = start + secs(10);
    assert_eq!(gate.admit(Some(deadline)).await.err(), Some(PastDeadline));
    assert_eq!(Instant::now(), start);
    // Within the deadline it waits.
    let later = start + secs(40);
    assert!(gate.admit(Some(later)).await.is_ok());
    assert_eq!(Instant::now() - start, secs(30) + GATE_MARGIN);
}

#[tokio::test(start_paused = true)]
async fn waiting_for_an_answer_ends_at_the_deadline() {
    let gate = gate();
    let probe = gate.admit(None).await.expect("probe");
    let start = Instant::now();
    let e = gate.admit(Some(start + secs(5))).await.err();
    assert_eq!(e, Some(PastDeadline));
    assert_eq!(Instant::now() - start, secs(5));
    drop(probe);
}

#[tokio::test(start_paused = true)]
async fn holds_are_clamped_and_extreme_settings_do_not_panic() {
    let gate = RateLimitGate::new(secs(60), WallClock::anchored_at(NOW_MS));
    drop(gate.admit(None).await.expect("probe"));
    gate.observe(Some(&window(0, 3600)));
    assert_eq!(waited(&gate).await, secs(60));

    let unbounded = RateLimitGate::new(Duration::MAX, WallClock::anchored_at(i64::MIN));
    drop(unbounded.admit(None).await.expect("probe"));
    let far = RateLimit {
        remaining: Some(0),
        reset_epoch_secs: Some(i64::MAX),
        ..RateLimit::default()
    };
    unbounded.observe(Some(&far));
    let start = Instant::now();
    assert_eq!(
        unbounded.admit(Some(start + secs(1))).await.err(),
        Some(PastDeadline)
    );
}

#[tokio::test(start_paused = true)]
async fn a_reset_in_the_past_lets_one_request_learn_the_count() {
    let gate = gate();
    drop(gate.admit(None).await.expect("probe"));
    gate.observe(Some(&window(0, -5)));
    assert_eq!(waited(&gate).await, Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn older_answers_arriving_late_change_nothing() {
    let gate = gate();
    drop(gate.admit(None).await.expect("probe"));
    gate.observe(Some(&window(0, 3)));
    gate.observe(Some(&window(5, 2)));
    gate.observe(Some(&window(2, 3)));
    assert_eq!(gate.current(), Some(window(0, 3)));
    assert_eq!(waited(&gate).await, secs(3) + GATE_MARGIN);
}

#[tokio::test(start_paused = true)]
async fn clones_share_state() {
    let gate = gate();
    let clone = gate.clone();
    drop(clone.admit(None).await.expect("probe"));
    clone.observe(Some(&window(0, 2)));
    assert_eq!(gate.current(), Some(window(0, 2)));
    assert_eq!(waited(&gate).await, secs(2) + GATE_MARGIN);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_waiter_leaves_the_line() {
    let gate = gate();
    let probe = gate.admit(None).await.expect("probe");
    let cancelled = tokio::time::timeout(secs(1), gate.admit(None)).await;
    assert!(cancelled.is_err());
    gate.observe(Some(&window(5, 1)));
    drop(probe);
    // With nobody left in line the next caller is admitted straight away.
    assert_eq!(waited(&gate).await, Duration::ZERO);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Whatever the headers say, with any clock and any wait cap (`Duration::MAX` included):
    /// observing never panics and an admission with a deadline returns by that deadline.
    #[test]
    fn any_report_and_any_cap_admit_or_refuse_by_the_deadline(
        limit in proptest::option::of(proptest::prelude::any::<u64>()),
        remaining in proptest::option::of(proptest::prop_oneof![
            proptest::strategy::Just(0u64),
            proptest::prelude::any::<u64>()
        ]),
        reset in proptest::option::of(proptest::prelude::any::<i64>()),
        now_epoch_ms in proptest::prelude::any::<i64>(),
        max_wait_secs in proptest::prop_oneof![
            proptest::strategy::Just(u64::MAX),
            proptest::strategy::Just(0u64),
            0u64..100_000,
        ],
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let gate = RateLimitGate::new(Duration::from_secs(max_wait_secs), WallClock::anchored_at(now_epoch_ms));
            drop(gate.admit(None).await.expect("probe"));
            let rl = RateLimit { limit, remaining, reset_epoch_secs: reset };
            gate.observe(Some(&rl));
            gate.observe(None);
            let start = Instant::now();
            let deadline = start + secs(5);
            let result = gate.admit(Some(deadline)).await;
            assert!(Instant::now() <= deadline, "{rl:?}: {:?}", Instant::now() - start);
            drop(result);
        });
    }
}
