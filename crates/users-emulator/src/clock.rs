//! Wall-clock time, injectable so tests are deterministic.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of wall-clock time in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time in milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that only moves when told to: for deterministic tests.
#[derive(Debug)]
pub struct ManualClock {
    now: AtomicI64,
}

impl ManualClock {
    /// A clock standing at `millis` since the Unix epoch.
    pub fn new(millis: i64) -> Self {
        Self {
            now: AtomicI64::new(millis),
        }
    }

    /// Moves the clock to `millis`.
    pub fn set(&self, millis: i64) {
        self.now.store(millis, Ordering::SeqCst);
    }

    /// Moves the clock forward by `millis` (backward when negative), stopping at the ends of
    /// `i64` instead of wrapping around.
    pub fn advance(&self, millis: i64) {
        // The closure always returns `Some`, so the update cannot fail.
        let _ = self
            .now
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(millis))
            });
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(1_000);
        assert_eq!(clock.now_millis(), 1_000);
        clock.advance(500);
        assert_eq!(clock.now_millis(), 1_500);
        clock.set(42);
        assert_eq!(clock.now_millis(), 42);
    }

    #[test]
    fn advancing_past_the_ends_saturates() {
        let clock = ManualClock::new(i64::MAX - 1);
        clock.advance(i64::MAX);
        assert_eq!(clock.now_millis(), i64::MAX);
        clock.set(i64::MIN + 1);
        clock.advance(i64::MIN);
        assert_eq!(clock.now_millis(), i64::MIN);
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now_millis() > 1_577_836_800_000);
    }
}
