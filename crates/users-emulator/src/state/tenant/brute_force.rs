//! Brute-force protection as Auth0 documents it ("Brute-Force Protection", Attack Protection):
//! after `max_attempts` (10 by default) consecutive failed logins into one account from one IP
//! address, that IP is blocked from logging in as that user, a `limit_wc` event is logged, and
//! the block shows in `GET /user-blocks`; it stays until an administrator removes it
//! (`DELETE /user-blocks…`). A successful login resets the count.

use serde::{Deserialize, Serialize};

/// Auth0's default threshold (`max_attempts` of the brute-force settings: 10).
pub(crate) const DEFAULT_MAX_ATTEMPTS: u32 = 10;

/// The threshold and the running counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct BruteForce {
    /// Consecutive failures from one IP into one account that trigger a block; 0 disables
    /// protection.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Consecutive failures per user and IP since the last success or unblock.
    #[serde(default)]
    pub failures: Vec<Failures>,
}

fn default_max_attempts() -> u32 {
    DEFAULT_MAX_ATTEMPTS
}

impl Default for BruteForce {
    fn default() -> Self {
        Self {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            failures: Vec::new(),
        }
    }
}

/// The consecutive failed logins of one user from one IP.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Failures {
    pub user_id: String,
    pub ip: String,
    pub count: u32,
}

impl BruteForce {
    /// Counts a failed login; `true` when this failure reaches the threshold (the caller then
    /// blocks the IP for the user and logs `limit_wc`). The count restarts after a block.
    pub(crate) fn failed(&mut self, user_id: &str, ip: &str) -> bool {
        if self.max_attempts == 0 {
            return false;
        }
        let position = self
            .failures
            .iter()
            .position(|f| f.user_id == user_id && f.ip == ip);
        let position = position.unwrap_or_else(|| {
            self.failures.push(Failures {
                user_id: user_id.to_owned(),
                ip: ip.to_owned(),
                count: 0,
            });
            self.failures.len().saturating_sub(1)
        });
        let Some(entry) = self.failures.get_mut(position) else {
            return false;
        };
        entry.count = entry.count.saturating_add(1);
        if entry.count >= self.max_attempts {
            self.reset(user_id, Some(ip));
            true
        } else {
            false
        }
    }

    /// Forgets the count of `user_id` from `ip` (a success), or from every IP (`None`: an
    /// administrator removed the user's blocks).
    pub(crate) fn reset(&mut self, user_id: &str, ip: Option<&str>) {
        self.failures
            .retain(|f| !(f.user_id == user_id && ip.is_none_or(|ip| f.ip == ip)));
    }

    pub(crate) fn forget_user(&mut self, user_id: &str) {
        self.reset(user_id, None);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_tenth_consecutive_failure_from_one_ip_blocks() {
        let mut bf = BruteForce::default();
        for _ in 0..9 {
            assert!(!bf.failed("u", "1.1.1.1"));
        }
        assert!(!bf.failed("u", "2.2.2.2"), "another IP counts apart");
        assert!(bf.failed("u", "1.1.1.1"));
        assert!(
            !bf.failed("u", "1.1.1.1"),
            "the count restarts after a block"
        );
    }

    #[test]
    fn a_success_resets_the_count() {
        let mut bf = BruteForce::default();
        for _ in 0..9 {
            bf.failed("u", "ip");
        }
        bf.reset("u", Some("ip"));
        assert!(!bf.failed("u", "ip"));
    }

    proptest! {
        /// Whatever the threshold, exactly every `max`-th consecutive failure blocks.
        #[test]
        fn blocks_exactly_at_the_threshold(max in 1u32..20, tries in 1u32..60) {
            let mut bf = BruteForce { max_attempts: max, failures: Vec::new() };
            let blocks = (0..tries).filter(|_| bf.failed("u", "ip")).count();
            prop_assert_eq!(blocks as u32, tries / max);
        }
    }
}
