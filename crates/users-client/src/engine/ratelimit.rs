//! The server's `x-ratelimit-*` headers and a gate that all clones of a client share.
//!
//! Auth0 sends `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (UNIX epoch
//! seconds) on successful and throttled responses alike. When `remaining` reaches 0 the gate holds
//! new requests until the reset instead of letting every caller provoke its own 429.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http::{HeaderMap, HeaderName};
use tokio::sync::watch;
use tokio::time::Instant;

/// The `x-ratelimit-limit` header: the bucket size.
const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// The `x-ratelimit-remaining` header: requests left until the bucket is refilled.
const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// The `x-ratelimit-reset` header: when requests are next added, in UNIX epoch seconds.
const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Added to the reset time before releasing held requests: the header has whole-second
/// resolution and the server's clock is not ours, so arriving exactly on the second risks a 429.
const GATE_MARGIN: Duration = Duration::from_millis(200);

/// The longest the gate holds a request by default, matching
/// [`RetryPolicy::max_rate_limit_wait`](crate::engine::retry::RetryPolicy::max_rate_limit_wait).
const DEFAULT_MAX_GATE_WAIT: Duration = Duration::from_secs(60);

/// Rate-limit state parsed from one response's `x-ratelimit-*` headers.
///
/// Each field is `None` when its header is missing or not a plain non-negative integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RateLimit {
    /// `x-ratelimit-limit`: the bucket size.
    pub limit: Option<u64>,
    /// `x-ratelimit-remaining`: requests left before the bucket is refilled.
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`: when requests are next added, in UNIX epoch seconds.
    pub reset_epoch_secs: Option<i64>,
}

impl RateLimit {
    /// Parses the `x-ratelimit-*` headers (names match in any case).
    ///
    /// Returns `None` when none of the three headers holds a usable value, so a response without
    /// rate-limit information never overwrites what is already known. Garbage values become
    /// `None` fields; nothing here panics.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let rl = RateLimit {
            limit: header_u64(headers, &LIMIT),
            remaining: header_u64(headers, &REMAINING),
            reset_epoch_secs: header_u64(headers, &RESET).and_then(|v| i64::try_from(v).ok()),
        };
        (rl != RateLimit::default()).then_some(rl)
    }

    /// How long from `now_epoch_ms` until the reset; zero when the reset is unknown or already
    /// past (a client clock ahead of the server's must not produce a wait).
    pub fn until_reset(&self, now_epoch_ms: i64) -> Option<Duration> {
        let reset_ms = self.reset_epoch_secs?.saturating_mul(1000);
        let ms = reset_ms.saturating_sub(now_epoch_ms);
        Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
    }
}

/// A header as a non-negative integer: ASCII digits only, surrounding whitespace allowed.
/// Signs, fractions, several comma-joined values and overflow are rejected.
///
/// `name` is a pre-parsed [`HeaderName`]: a `&str` would be parsed and validated again on every
/// response (about a third of this function's cost in a profile).
///
/// The value is read by [`users_transport::header_number`] (one pass, no `str`), without a `+`.
fn header_u64(headers: &HeaderMap, name: &HeaderName) -> Option<u64> {
    users_transport::header_number(headers.get(name)?.as_bytes(), false)
}

/// Whether `seen` is provably older than `known` (see [`RateLimitGate::observe`]).
fn is_stale(seen: &RateLimit, known: &RateLimit) -> bool {
    match (seen.reset_epoch_secs, known.reset_epoch_secs) {
        (Some(seen_reset), Some(known_reset)) if seen_reset < known_reset => true,
        (Some(seen_reset), Some(known_reset)) if seen_reset == known_reset => {
            matches!((seen.remaining, known.remaining), (Some(s), Some(k)) if s > k)
        }
        _ => false,
    }
}

/// What the gate knows, shared by every clone.
#[derive(Debug, Default)]
struct GateState {
    current: Option<RateLimit>,
    hold_until: Option<Instant>,
}

/// Holds new requests while the server says the bucket is empty.
///
/// Cloning shares the state, so every clone of a client sees every response's headers. The state
/// sits in a watch channel so that waiters wake as soon as a newer response releases the hold.
#[derive(Clone, Debug)]
pub(crate) struct RateLimitGate {
    state: Arc<watch::Sender<GateState>>,
    /// Whether `hold_until` is set, mirrored outside the channel's lock (written under it) so
    /// that a request with no hold in force passes the gate with one atomic load: no
    /// subscription, no lock, no clock read, nothing written to memory shared by every caller.
    held: Arc<AtomicBool>,
    max_wait: Duration,
}

impl Default for RateLimitGate {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_GATE_WAIT)
    }
}

impl RateLimitGate {
    /// A gate that never holds a request longer than `max_wait`.
    pub fn new(max_wait: Duration) -> Self {
        Self {
            state: Arc::new(watch::Sender::new(GateState::default())),
            held: Arc::new(AtomicBool::new(false)),
            max_wait,
        }
    }

    /// Records the rate-limit state of a response received at `now_epoch_ms`.
    ///
    /// A newer observation replaces the previous one. `remaining == 0` with a reset in the
    /// future holds new requests until the reset plus a small margin (at most `max_wait` from
    /// now); a newer `remaining > 0`, or a reset that is already past, releases the hold. An
    /// unknown `remaining` leaves the hold as it is: it is no evidence that the bucket was refilled.
    ///
    /// Concurrent responses arrive out of order, so an answer that is provably older than what
    /// the gate already knows is ignored: one with an earlier `x-ratelimit-reset` (the server's
    /// reset never moves backwards), or one with the same reset and more `remaining` (within a
    /// window the count only goes down). Otherwise a late "2 left" would release the hold that a
    /// newer "0 left" set, and the held requests would meet a 429.
    pub fn observe(&self, rl: &RateLimit, now_epoch_ms: i64) {
        let hold = match rl.remaining {
            None => None,
            Some(0) => Some(
                rl.until_reset(now_epoch_ms)
                    .filter(|d| !d.is_zero())
                    .map(|d| Instant::now() + d.saturating_add(GATE_MARGIN).min(self.max_wait)),
            ),
            Some(_) => Some(None),
        };
        self.state.send_if_modified(|state| {
            if state.current.is_some_and(|known| is_stale(rl, &known)) {
                return false;
            }
            state.current = Some(*rl);
            match hold {
                Some(new) if new != state.hold_until => {
                    state.hold_until = new;
                    self.held.store(new.is_some(), Ordering::Release);
                    true
                }
                _ => false,
            }
        });
    }

    /// Waits while a hold is in force, following newer responses that extend or release it,
    /// but never longer than `max_wait` in total.
    ///
    /// Without a hold (the common case) this returns at once; the waiting itself is boxed so
    /// that a caller's state does not carry its timer and subscription on every request.
    pub async fn wait(&self) {
        if self.held.load(Ordering::Acquire) {
            Box::pin(self.wait_held()).await;
        }
    }

    async fn wait_held(&self) {
        let latest = Instant::now() + self.max_wait;
        let mut changes = self.state.subscribe();
        loop {
            let hold = changes.borrow_and_update().hold_until;
            let until = match hold {
                Some(until) if until > Instant::now() && Instant::now() < latest => {
                    until.min(latest)
                }
                _ => return,
            };
            tokio::select! {
                () = tokio::time::sleep_until(until) => {}
                // The sender lives in `self`, so this only ends when the hold changed.
                _ = changes.changed() => {}
            }
        }
    }

    /// The most recently observed rate-limit state.
    pub fn current(&self) -> Option<RateLimit> {
        self.state.borrow().current
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use http::{HeaderName, HeaderValue};

    const NOW_MS: i64 = 1_675_452_600_000;

    /// A header map from name and raw value pairs, repeated names appended (also used by the
    /// retry tests).
    pub(crate) fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            let name = HeaderName::from_bytes(name.as_bytes()).expect("test header name");
            let value = HeaderValue::from_bytes(value).expect("test header value");
            map.append(name, value);
        }
        map
    }

    fn empty(reset_in_secs: i64) -> RateLimit {
        RateLimit {
            limit: Some(10),
            remaining: Some(0),
            reset_epoch_secs: Some(NOW_MS / 1000 + reset_in_secs),
        }
    }

    fn left(n: u64) -> RateLimit {
        left_until(n, 1)
    }

    fn left_until(n: u64, reset_in_secs: i64) -> RateLimit {
        RateLimit {
            limit: Some(10),
            remaining: Some(n),
            reset_epoch_secs: Some(NOW_MS / 1000 + reset_in_secs),
        }
    }

    /// How long `gate.wait()` takes on the paused clock.
    async fn waited(gate: &RateLimitGate) -> Duration {
        let start = Instant::now();
        gate.wait().await;
        Instant::now() - start
    }

    #[test]
    fn parses_all_three_headers_in_any_case() {
        let map = headers(&[
            ("X-RateLimit-Limit", b"50"),
            ("X-RATELIMIT-REMAINING", b"0"),
            ("x-ratelimit-reset", b"1675452600"),
        ]);
        assert_eq!(
            RateLimit::from_headers(&map),
            Some(RateLimit {
                limit: Some(50),
                remaining: Some(0),
                reset_epoch_secs: Some(1_675_452_600),
            })
        );
    }

    #[test]
    fn missing_headers_give_none() {
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
        let only_remaining = headers(&[("x-ratelimit-remaining", b" 7 ")]);
        assert_eq!(
            RateLimit::from_headers(&only_remaining),
            Some(RateLimit {
                remaining: Some(7),
                ..RateLimit::default()
            })
        );
    }

    #[test]
    fn garbage_values_become_none_fields() {
        let garbage: [&[u8]; 10] = [
            b"",
            b"-1",
            b"+5",
            b"1.5",
            b"abc",
            b"5, 6",
            b"99999999999999999999999",
            b"\xff\xfe",
            b"1e3",
            b"  ",
        ];
        for value in garbage {
            let map = headers(&[
                ("x-ratelimit-limit", value),
                ("x-ratelimit-remaining", value),
                ("x-ratelimit-reset", value),
            ]);
            assert_eq!(RateLimit::from_headers(&map), None, "value {value:?}");
        }
        // A reset beyond i64 but within u64 is garbage too, while the other fields survive.
        let map = headers(&[
            ("x-ratelimit-remaining", b"3"),
            ("x-ratelimit-reset", b"18446744073709551615"),
        ]);
        assert_eq!(
            RateLimit::from_headers(&map),
            Some(RateLimit {
                remaining: Some(3),
                ..RateLimit::default()
            })
        );
    }

    /// The previous reading of a header: text, trimmed, digits only, `str::parse`.
    fn reference_u64(value: &HeaderValue) -> Option<u64> {
        let text = value.to_str().ok()?.trim();
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }

    proptest::proptest! {
        #[test]
        fn header_values_read_as_a_plain_parse_would(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b" \t0123456789+-.,e".to_vec()),
                    proptest::prelude::any::<u8>(),
                ],
                0..24,
            ),
        ) {
            if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                let mut map = HeaderMap::new();
                map.insert(REMAINING, value.clone());
                proptest::prop_assert_eq!(header_u64(&map, &REMAINING), reference_u64(&value));
            }
        }
    }

    #[test]
    fn header_values_at_the_edges() {
        for (text, expected) in [
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("\t 0042 \t", Some(42)),
            ("0", Some(0)),
        ] {
            let value = HeaderValue::from_str(text).expect("test header value");
            let mut map = HeaderMap::new();
            map.insert(REMAINING, value.clone());
            assert_eq!(header_u64(&map, &REMAINING), expected, "{text:?}");
            assert_eq!(reference_u64(&value), expected, "{text:?}");
        }
    }

    #[test]
    fn until_reset_is_zero_when_past_and_saturates_when_huge() {
        assert_eq!(empty(3).until_reset(NOW_MS), Some(Duration::from_secs(3)));
        assert_eq!(empty(-5).until_reset(NOW_MS), Some(Duration::ZERO));
        assert_eq!(RateLimit::default().until_reset(NOW_MS), None);
        let huge = RateLimit {
            reset_epoch_secs: Some(i64::MAX),
            ..RateLimit::default()
        };
        assert!(huge.until_reset(i64::MIN).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn no_information_means_no_wait() {
        let gate = RateLimitGate::default();
        assert_eq!(waited(&gate).await, Duration::ZERO);
        assert_eq!(gate.current(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn remaining_zero_holds_new_requests_until_reset() {
        let gate = RateLimitGate::default();
        gate.observe(&empty(3), NOW_MS);
        assert_eq!(gate.current(), Some(empty(3)));
        assert_eq!(waited(&gate).await, Duration::from_secs(3) + GATE_MARGIN);
        // Once the reset has passed, nothing is held any more.
        assert_eq!(waited(&gate).await, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn remaining_above_zero_does_not_hold() {
        let gate = RateLimitGate::default();
        gate.observe(&left(1), NOW_MS);
        assert_eq!(waited(&gate).await, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn clones_share_state() {
        let gate = RateLimitGate::default();
        let clone = gate.clone();
        clone.observe(&empty(2), NOW_MS);
        assert_eq!(gate.current(), Some(empty(2)));
        assert_eq!(waited(&gate).await, Duration::from_secs(2) + GATE_MARGIN);
    }

    #[tokio::test(start_paused = true)]
    async fn newer_information_replaces_older() {
        let gate = RateLimitGate::default();
        gate.observe(&empty(5), NOW_MS);
        gate.observe(&left_until(4, 6), NOW_MS);
        assert_eq!(gate.current(), Some(left_until(4, 6)));
        assert_eq!(waited(&gate).await, Duration::ZERO);

        gate.observe(&empty(7), NOW_MS);
        gate.observe(&empty(8), NOW_MS);
        assert_eq!(waited(&gate).await, Duration::from_secs(8) + GATE_MARGIN);
    }

    #[tokio::test(start_paused = true)]
    async fn older_answers_arriving_late_do_not_release_the_hold() {
        let gate = RateLimitGate::default();
        gate.observe(&empty(3), NOW_MS);
        // Sent earlier, answered later: an earlier reset, or the same reset with more left.
        gate.observe(&left_until(5, 2), NOW_MS);
        gate.observe(&left_until(2, 3), NOW_MS);
        assert_eq!(gate.current(), Some(empty(3)));
        assert_eq!(waited(&gate).await, Duration::from_secs(3) + GATE_MARGIN);
    }

    #[tokio::test(start_paused = true)]
    async fn unknown_remaining_keeps_the_hold() {
        let gate = RateLimitGate::default();
        gate.observe(&empty(2), NOW_MS);
        let no_remaining = RateLimit {
            limit: Some(10),
            ..RateLimit::default()
        };
        gate.observe(&no_remaining, NOW_MS);
        assert_eq!(gate.current(), Some(no_remaining));
        assert_eq!(waited(&gate).await, Duration::from_secs(2) + GATE_MARGIN);
    }

    #[tokio::test(start_paused = true)]
    async fn never_waits_longer_than_the_clamp() {
        let gate = RateLimitGate::new(Duration::from_secs(60));
        gate.observe(&empty(3600), NOW_MS);
        assert_eq!(waited(&gate).await, Duration::from_secs(60));

        let short = RateLimitGate::new(Duration::from_secs(2));
        short.observe(&empty(3600), NOW_MS);
        assert_eq!(waited(&short).await, Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn the_clamp_counts_from_the_observation() {
        let gate = RateLimitGate::new(Duration::from_secs(60));
        gate.observe(&empty(3600), NOW_MS);
        tokio::time::advance(Duration::from_secs(45)).await;
        assert_eq!(waited(&gate).await, Duration::from_secs(15));
    }

    #[tokio::test(start_paused = true)]
    async fn reset_in_the_past_means_no_wait() {
        // A client clock ahead of the server's: the reset already passed here.
        let gate = RateLimitGate::default();
        gate.observe(&empty(-5), NOW_MS);
        assert_eq!(waited(&gate).await, Duration::ZERO);
        // Remaining 0 without any reset gives nothing to wait for either.
        let no_reset = RateLimit {
            remaining: Some(0),
            ..RateLimit::default()
        };
        gate.observe(&no_reset, NOW_MS);
        assert_eq!(waited(&gate).await, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_extended_while_waiting_is_honoured_within_the_clamp() {
        let gate = RateLimitGate::new(Duration::from_secs(10));
        gate.observe(&empty(2), NOW_MS);
        let observer = gate.clone();
        let extend = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            // A request that was already in flight reports the bucket empty for longer.
            observer.observe(&empty(30), NOW_MS + 1000);
        });
        assert_eq!(waited(&gate).await, Duration::from_secs(10));
        extend.await.expect("observer task");
    }

    #[tokio::test(start_paused = true)]
    async fn a_release_while_waiting_wakes_the_waiters() {
        let gate = RateLimitGate::default();
        gate.observe(&empty(5), NOW_MS);
        let observer = gate.clone();
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            observer.observe(&left_until(3, 6), NOW_MS + 1000);
        });
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let gate = gate.clone();
                tokio::spawn(async move { waited(&gate).await })
            })
            .collect();
        for waiter in waiters {
            assert_eq!(waiter.await.expect("waiter task"), Duration::from_secs(1));
        }
        release.await.expect("observer task");
    }
}
