//! Time helpers shared by the engine: saturating instant arithmetic, milliseconds for logs and
//! the client's view of the wall clock (what `x-ratelimit-reset` and `Retry-After` dates are
//! measured against).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// Added when a duration cannot be: about thirty years, far beyond any wait the engine makes.
const FAR: Duration = Duration::from_secs(30 * 365 * 24 * 3600);

/// `at + d`, saturating instead of panicking: a duration from a server or a policy may be as
/// large as `Duration::MAX`, which no `Instant` can hold.
pub(crate) fn after(at: Instant, d: Duration) -> Instant {
    at.checked_add(d)
        .or_else(|| at.checked_add(FAR.min(d)))
        .unwrap_or(at)
}

/// A duration in whole milliseconds, saturating (for logs).
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Milliseconds since the Unix epoch by the system clock; 0 before 1970.
fn system_epoch_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The wall clock as the engine reads it: the system clock, or the system clock at the client's
/// construction advanced by Tokio's clock since, whichever is later.
///
/// Tokio's clock is the one every wait uses, so with `tokio::time::pause` (tests) waits and
/// resets stay consistent; the system clock wins when it has moved further (a suspended machine,
/// a forward correction), so a reset is never judged further away than the system says.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WallClock {
    epoch_ms: i64,
    at: Instant,
    /// Whether the system clock may win (always, but in unit tests that fix the epoch).
    follow_system: bool,
}

impl WallClock {
    /// A clock anchored now.
    pub fn new() -> Self {
        Self {
            epoch_ms: system_epoch_ms(),
            at: Instant::now(),
            follow_system: true,
        }
    }

    /// A clock reading `epoch_ms` now and advancing with Tokio's clock only (unit tests).
    #[cfg(test)]
    pub fn anchored_at(epoch_ms: i64) -> Self {
        Self {
            epoch_ms,
            at: Instant::now(),
            follow_system: false,
        }
    }

    /// Milliseconds since the Unix epoch, now.
    pub fn now_epoch_ms(&self) -> i64 {
        let advanced = i64::try_from(self.at.elapsed().as_millis()).unwrap_or(i64::MAX);
        let anchored = self.epoch_ms.saturating_add(advanced);
        if self.follow_system {
            system_epoch_ms().max(anchored)
        } else {
            anchored
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn after_saturates() {
        let now = Instant::now();
        assert_eq!(after(now, Duration::ZERO), now);
        assert_eq!(
            after(now, Duration::from_secs(1)),
            now + Duration::from_secs(1)
        );
        assert!(after(now, Duration::MAX) > now + Duration::from_secs(3600 * 24 * 365));
        assert_eq!(millis(Duration::MAX), u64::MAX);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wall_clock_follows_paused_time() {
        let clock = WallClock::new();
        let before = clock.now_epoch_ms();
        tokio::time::advance(Duration::from_secs(100)).await;
        let later = clock.now_epoch_ms();
        assert!(later - before >= 100_000, "{before} → {later}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn after_never_panics_and_never_goes_back(secs in any::<u64>(), nanos in 0u32..1_000_000_000) {
            let now = Instant::now();
            let d = Duration::new(secs, nanos);
            prop_assert!(after(now, d) >= now);
        }
    }
}
