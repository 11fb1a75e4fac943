//! What the run believes is left in the server's bucket, robust to answers arriving out of order.
//!
//! Concurrent responses overtake each other on the way back, so the latest one seen may report
//! more requests left than an earlier-processed one. Within one `x-ratelimit-reset` value the
//! bucket only drains (refills move the reset on), so the smallest `remaining` seen for the
//! newest reset is the safe estimate; an older reset is stale and ignored.

use std::time::Duration;

use crate::engine::ratelimit::RateLimit;

/// Added to the reset before sending again: the header has whole-second resolution and the
/// server's clock is not ours (the same margin as the client's gate).
const MARGIN: Duration = Duration::from_millis(200);

/// The longest a run pauses for one reset, whatever the header says.
const MAX_PAUSE: Duration = Duration::from_secs(60);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Budget {
    remaining: Option<u64>,
    reset_epoch_secs: Option<i64>,
}

impl Budget {
    /// Requests the server has left, as far as is known.
    pub fn remaining(&self) -> Option<u64> {
        self.remaining
    }

    /// Folds in one response's headers.
    pub fn observe(&mut self, rl: &RateLimit) {
        let Some(remaining) = rl.remaining else {
            return;
        };
        match (rl.reset_epoch_secs, self.reset_epoch_secs) {
            (Some(new), Some(old)) if new < old => {}
            (Some(new), Some(old)) if new == old => {
                self.remaining = Some(self.remaining.map_or(remaining, |r| r.min(remaining)));
            }
            // A newer window, or no reset to order by: the latest answer is the best guess.
            (new, _) => {
                self.remaining = Some(remaining);
                self.reset_epoch_secs = new;
            }
        }
    }

    /// How long to pause at `now_epoch_ms` before sending into an empty bucket: until the reset
    /// plus a margin, at most a minute; `None` when the bucket is not known to be empty.
    pub fn pause(&self, now_epoch_ms: i64) -> Option<Duration> {
        if self.remaining != Some(0) {
            return None;
        }
        let rl = RateLimit {
            reset_epoch_secs: self.reset_epoch_secs,
            ..RateLimit::default()
        };
        let until = rl.until_reset(now_epoch_ms)?;
        Some(until.saturating_add(MARGIN).min(MAX_PAUSE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rl(remaining: u64, reset: i64) -> RateLimit {
        RateLimit {
            limit: Some(10),
            remaining: Some(remaining),
            reset_epoch_secs: Some(reset),
        }
    }

    #[test]
    fn within_a_window_the_smallest_remaining_wins() {
        let mut b = Budget::default();
        assert_eq!(b.remaining(), None);
        b.observe(&rl(5, 100));
        b.observe(&rl(3, 100));
        // An answer processed earlier but seen later must not raise the estimate.
        b.observe(&rl(4, 100));
        assert_eq!(b.remaining(), Some(3));
    }

    #[test]
    fn a_newer_window_replaces_and_an_older_one_is_ignored() {
        let mut b = Budget::default();
        b.observe(&rl(0, 100));
        b.observe(&rl(7, 101));
        assert_eq!(b.remaining(), Some(7));
        b.observe(&rl(9, 100));
        assert_eq!(b.remaining(), Some(7));
    }

    #[test]
    fn headers_without_remaining_change_nothing_and_without_reset_the_latest_wins() {
        let mut b = Budget::default();
        b.observe(&rl(2, 100));
        b.observe(&RateLimit::default());
        assert_eq!(b.remaining(), Some(2));
        let mut no_reset = Budget::default();
        for r in [3, 8] {
            no_reset.observe(&RateLimit {
                remaining: Some(r),
                ..RateLimit::default()
            });
        }
        assert_eq!(no_reset.remaining(), Some(8));
    }

    #[test]
    fn pauses_only_on_an_empty_bucket_until_reset_plus_margin_clamped() {
        let mut b = Budget::default();
        b.observe(&rl(1, 100));
        assert_eq!(b.pause(99_500), None);
        b.observe(&rl(0, 100));
        assert_eq!(b.pause(99_500), Some(Duration::from_millis(700)));
        assert_eq!(b.pause(100_500), Some(MARGIN));
        b.observe(&rl(0, 100_000));
        assert_eq!(b.pause(0), Some(MAX_PAUSE));
    }
}
