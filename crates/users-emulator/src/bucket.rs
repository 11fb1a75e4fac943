//! The Management API rate limit: a token bucket, and the `x-ratelimit-*` values it reports.
//!
//! The bucket starts full, refills continuously at `refill_per_sec` up to its capacity, and each
//! request takes one token. Time comes in as wall-clock epoch milliseconds from the caller's
//! (injectable) clock. A clock that goes backwards neither panics nor mints tokens: refilling
//! resumes once the clock passes the latest time already seen.

/// Smallest refill rate accepted; lower, zero, negative or NaN rates are raised to it so that a
/// limited caller always has a finite time to wait.
pub const MIN_REFILL_PER_SEC: f64 = 0.001;

/// Largest refill rate accepted (higher or infinite rates are lowered to it).
pub const MAX_REFILL_PER_SEC: f64 = 1.0e9;

/// Slack for floating-point error, so that e.g. three refills of 1/3 token make a whole token.
const EPSILON: f64 = 1.0e-9;

/// The values of the `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// The bucket size.
    pub limit: u32,
    /// Whole tokens left after this request.
    pub remaining: u32,
    /// Epoch seconds (rounded up) at which the next token arrives; now when the bucket is full.
    pub reset_epoch_secs: i64,
}

/// The outcome of [`TokenBucket::try_take`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A token was taken: serve the request.
    Allowed(RateLimitHeaders),
    /// The bucket is empty: answer 429.
    Limited {
        /// The headers to send with the 429 (`remaining` is 0).
        headers: RateLimitHeaders,
        /// Whole seconds (at least 1) until a token is available, for an optional `Retry-After`.
        retry_after_secs: u64,
    },
}

/// A token bucket; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenBucket {
    capacity: u32,
    refill_per_sec: f64,
    tokens: f64,
    /// The latest time seen, in epoch milliseconds; `None` before the first request.
    last_ms: Option<i64>,
}

impl TokenBucket {
    /// A full bucket holding `capacity` tokens (at least 1) and gaining `refill_per_sec` tokens a
    /// second, clamped to [`MIN_REFILL_PER_SEC`]..=[`MAX_REFILL_PER_SEC`]. Configuration checks
    /// belong to the caller; these clamps only keep the arithmetic finite.
    pub fn new(capacity: u32, refill_per_sec: f64) -> Self {
        let capacity = capacity.max(1);
        let refill_per_sec = if refill_per_sec.is_nan() {
            MIN_REFILL_PER_SEC
        } else {
            refill_per_sec.clamp(MIN_REFILL_PER_SEC, MAX_REFILL_PER_SEC)
        };
        Self {
            capacity,
            refill_per_sec,
            tokens: f64::from(capacity),
            last_ms: None,
        }
    }

    /// Takes a token at time `now_ms` if one is available.
    pub fn try_take(&mut self, now_ms: i64) -> Decision {
        let now_ms = self.advance(now_ms);
        if self.tokens + EPSILON >= 1.0 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            Decision::Allowed(self.headers(now_ms))
        } else {
            let wait_secs = (1.0 - self.tokens) / self.refill_per_sec;
            Decision::Limited {
                headers: self.headers(now_ms),
                retry_after_secs: ceil_to_u64(wait_secs).max(1),
            }
        }
    }

    /// Adds the tokens earned since the latest time seen and returns the effective now (never
    /// earlier than a time already seen).
    fn advance(&mut self, now_ms: i64) -> i64 {
        let last = *self.last_ms.get_or_insert(now_ms);
        if now_ms <= last {
            return last;
        }
        // i128 so that extreme clock values cannot overflow the subtraction.
        let elapsed_ms = (i128::from(now_ms) - i128::from(last)) as f64;
        let earned = elapsed_ms / 1000.0 * self.refill_per_sec;
        self.tokens = (self.tokens + earned).min(f64::from(self.capacity));
        self.last_ms = Some(now_ms);
        now_ms
    }

    fn headers(&self, now_ms: i64) -> RateLimitHeaders {
        let capacity = f64::from(self.capacity);
        let whole = (self.tokens + EPSILON).floor().clamp(0.0, capacity);
        let reset_ms = if whole >= capacity {
            now_ms as f64
        } else {
            let next_token_in_secs = (whole + 1.0 - self.tokens).max(0.0) / self.refill_per_sec;
            now_ms as f64 + next_token_in_secs * 1000.0
        };
        RateLimitHeaders {
            limit: self.capacity,
            // `whole` lies in 0..=capacity, so the conversion is exact.
            remaining: whole as u32,
            // Float-to-int `as` saturates, so extreme clocks cannot wrap around.
            reset_epoch_secs: (reset_ms / 1000.0).ceil() as i64,
        }
    }
}

/// Rounds a non-negative number of seconds up; `as` saturates on huge values.
fn ceil_to_u64(secs: f64) -> u64 {
    secs.max(0.0).ceil() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T0: i64 = 1_700_000_000_000;

    fn allowed(decision: Decision) -> RateLimitHeaders {
        match decision {
            Decision::Allowed(headers) => headers,
            other @ Decision::Limited { .. } => panic!("expected Allowed, got {other:?}"),
        }
    }

    fn limited(decision: Decision) -> (RateLimitHeaders, u64) {
        match decision {
            Decision::Limited {
                headers,
                retry_after_secs,
            } => (headers, retry_after_secs),
            other @ Decision::Allowed(_) => panic!("expected Limited, got {other:?}"),
        }
    }

    #[test]
    fn a_burst_drains_the_bucket_then_limits() {
        let mut bucket = TokenBucket::new(3, 1.0);
        let remaining: Vec<u32> = (0..3)
            .map(|_| allowed(bucket.try_take(T0)).remaining)
            .collect();
        assert_eq!(remaining, vec![2, 1, 0]);
        let (headers, retry) = limited(bucket.try_take(T0));
        assert_eq!(headers.remaining, 0);
        assert_eq!(headers.limit, 3);
        assert_eq!(retry, 1);
    }

    #[test]
    fn tokens_come_back_at_the_refill_rate() {
        let mut bucket = TokenBucket::new(2, 2.0);
        allowed(bucket.try_take(T0));
        allowed(bucket.try_take(T0));
        limited(bucket.try_take(T0 + 499));
        // 500 ms at 2 tokens a second is one token.
        assert_eq!(allowed(bucket.try_take(T0 + 500)).remaining, 0);
        limited(bucket.try_take(T0 + 500));
        // A long pause refills only up to the capacity.
        assert_eq!(allowed(bucket.try_take(T0 + 3_600_000)).remaining, 1);
    }

    #[test]
    fn fractional_refills_add_up_to_whole_tokens() {
        let mut bucket = TokenBucket::new(1, 3.0);
        allowed(bucket.try_take(T0));
        let mut now = T0;
        for _ in 0..2 {
            now += 111;
            limited(bucket.try_take(now));
        }
        // 334 ms at 3 a second is a whole token (1.002).
        allowed(bucket.try_take(T0 + 334));
    }

    #[test]
    fn reset_is_now_when_full_and_the_next_token_otherwise() {
        let mut bucket = TokenBucket::new(10, 1.0);
        // After one take, 9 are left and the tenth comes back in 1 s.
        let headers = allowed(bucket.try_take(T0));
        assert_eq!(headers.remaining, 9);
        assert_eq!(headers.reset_epoch_secs, T0 / 1000 + 1);
        // At T0 + 400 ms 9.4 tokens, 8.4 after the take: the ninth whole token is due at T0 + 1 s.
        let headers = allowed(bucket.try_take(T0 + 400));
        assert_eq!(headers.remaining, 8);
        assert_eq!(headers.reset_epoch_secs, T0 / 1000 + 1);
        // Full again five seconds after a take: reset is now, rounded up to whole seconds.
        let mut full = TokenBucket::new(5, 1.0);
        full.try_take(T0 + 250);
        let later = T0 + 5_250;
        full.advance(later);
        assert_eq!(full.headers(later).remaining, 5);
        assert_eq!(full.headers(later).reset_epoch_secs, T0 / 1000 + 6);
    }

    #[test]
    fn retry_after_is_the_whole_seconds_until_a_token() {
        let mut bucket = TokenBucket::new(1, 0.25);
        allowed(bucket.try_take(T0));
        let (headers, retry) = limited(bucket.try_take(T0));
        assert_eq!(retry, 4);
        assert_eq!(headers.reset_epoch_secs, T0 / 1000 + 4);
        let (_, retry) = limited(bucket.try_take(T0 + 1_500));
        assert_eq!(retry, 3);
    }

    #[test]
    fn a_clock_going_backwards_mints_nothing() {
        let mut bucket = TokenBucket::new(1, 1.0);
        allowed(bucket.try_take(T0));
        limited(bucket.try_take(T0 - 60_000));
        // Time before T0 + 1 s never counts, however often the clock jumps around.
        limited(bucket.try_take(T0 + 500));
        limited(bucket.try_take(T0 - 1));
        allowed(bucket.try_take(T0 + 1_000));
    }

    #[test]
    fn absurd_settings_and_clocks_do_not_panic() {
        for (capacity, rate) in [
            (0, 0.0),
            (0, f64::NAN),
            (u32::MAX, f64::INFINITY),
            (1, f64::NEG_INFINITY),
            (1, -5.0),
            (7, f64::MIN_POSITIVE),
        ] {
            let mut bucket = TokenBucket::new(capacity, rate);
            for now in [i64::MIN, -1, 0, T0, i64::MAX, i64::MIN, i64::MAX] {
                let headers = match bucket.try_take(now) {
                    Decision::Allowed(h) => h,
                    Decision::Limited { headers, .. } => headers,
                };
                assert!(headers.remaining <= headers.limit);
                assert_eq!(headers.limit, capacity.max(1));
            }
        }
    }

    proptest! {
        #[test]
        fn never_more_than_the_burst_plus_what_was_earned(
            capacity in 1u32..50,
            rate in 0.01f64..100.0,
            steps in prop::collection::vec(-5_000i64..5_000, 1..200),
        ) {
            let mut bucket = TokenBucket::new(capacity, rate);
            // The bucket's clock starts at the first request.
            let first = T0 + steps.first().copied().unwrap_or(0);
            let (mut now, mut latest, mut served) = (T0, first, 0u32);
            for step in steps {
                now += step;
                latest = latest.max(now);
                let headers = match bucket.try_take(now) {
                    Decision::Allowed(headers) => {
                        served += 1;
                        headers
                    }
                    Decision::Limited { headers, retry_after_secs } => {
                        prop_assert_eq!(headers.remaining, 0);
                        prop_assert!(retry_after_secs >= 1);
                        prop_assert!(headers.reset_epoch_secs <= latest / 1000 + retry_after_secs as i64 + 1);
                        headers
                    }
                };
                prop_assert_eq!(headers.limit, capacity);
                prop_assert!(headers.remaining <= headers.limit);
                prop_assert!(headers.reset_epoch_secs >= latest / 1000);
            }
            let earned = rate * (latest - first) as f64 / 1000.0;
            prop_assert!(f64::from(served) <= f64::from(capacity) + earned + 1e-6);
        }

        #[test]
        fn extreme_clocks_capacities_and_rates_keep_the_headers_in_range(
            capacity in prop_oneof![Just(0u32), Just(u32::MAX), any::<u32>()],
            rate in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), Just(0.0), any::<f64>()],
            times in prop::collection::vec(
                prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0i64), any::<i64>()],
                1..20,
            ),
        ) {
            let mut bucket = TokenBucket::new(capacity, rate);
            for now in times {
                let (headers, retry_after) = match bucket.try_take(now) {
                    Decision::Allowed(headers) => (headers, None),
                    Decision::Limited { headers, retry_after_secs } => (headers, Some(retry_after_secs)),
                };
                prop_assert_eq!(headers.limit, capacity.max(1));
                prop_assert!(headers.remaining < headers.limit);
                prop_assert!(retry_after.is_none_or(|secs| secs >= 1));
            }
        }

        #[test]
        fn waiting_retry_after_is_enough(capacity in 1u32..5, rate in 0.01f64..50.0, extra in 0u32..10) {
            let mut bucket = TokenBucket::new(capacity, rate);
            let mut now = T0;
            for _ in 0..(capacity + extra) {
                now += 1;
                if let Decision::Limited { retry_after_secs, .. } = bucket.try_take(now) {
                    now += i64::try_from(retry_after_secs).unwrap_or(i64::MAX / 2) * 1000;
                    prop_assert!(matches!(bucket.try_take(now), Decision::Allowed(_)));
                }
            }
        }
    }

    #[test]
    fn a_zero_rate_still_gives_a_finite_wait() {
        let mut bucket = TokenBucket::new(1, 0.0);
        allowed(bucket.try_take(T0));
        let (_, retry) = limited(bucket.try_take(T0));
        assert_eq!(retry, 1000);
    }
}
