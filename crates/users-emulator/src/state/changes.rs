//! Which users changed since the last commit, so that a store writes only those rows.
//!
//! Every user carries a sequence number: assigned when it is added, never reused, increasing in
//! the order of `State::users` (appends only, removals keep the order). A store keys its rows by
//! it, which keeps the creation order lists use and tolerates a user whose id changes.

use std::collections::BTreeSet;

/// Sequence numbers of the users and the set changed since [`Tracking::drain`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Tracking {
    /// `seqs[i]` is the sequence number of `State::users[i]`; strictly increasing.
    seqs: Vec<u64>,
    next: u64,
    /// Sequence numbers of users added, changed or removed; only kept while `enabled`.
    touched: BTreeSet<u64>,
    /// The whole state was replaced (a new tenant, a reset): a store rewrites every row.
    replaced: bool,
    /// Only a state attached to a store records changes; in memory nothing is kept.
    enabled: bool,
}

impl PartialEq for Tracking {
    /// Derived bookkeeping: two states with equal data are equal whatever they recorded.
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// What changed since the last drain.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Drained {
    /// Rewrite every user row.
    pub replaced: bool,
    /// Sequence numbers of users to write (present) or delete (absent).
    pub touched: Vec<u64>,
}

impl Tracking {
    /// A fresh state: nothing stored matches it, so a store must rewrite everything.
    pub(crate) fn replaced() -> Self {
        Self {
            replaced: true,
            ..Self::default()
        }
    }

    /// `count` users numbered 0, 1, …
    pub(crate) fn numbered(count: usize) -> Self {
        Self::with_seqs((0..count as u64).collect())
    }

    /// Users with these (increasing) sequence numbers, as read from a store: nothing changed.
    pub(crate) fn with_seqs(seqs: Vec<u64>) -> Self {
        let next = seqs.last().map_or(0, |last| last.saturating_add(1));
        Self {
            seqs,
            next,
            ..Self::default()
        }
    }

    pub(crate) fn seqs(&self) -> &[u64] {
        &self.seqs
    }

    /// The position of the user with sequence number `seq`.
    pub(crate) fn position(&self, seq: u64) -> Option<usize> {
        self.seqs.binary_search(&seq).ok()
    }

    /// Marks every user as changed (a state read from elsewhere, to be written in full).
    pub(crate) fn replace_all(&mut self) {
        self.replaced = true;
    }

    /// Starts recording changes (a store is attached).
    pub(crate) fn enable(&mut self) {
        self.enabled = true;
    }

    fn record(&mut self, seq: u64) {
        if self.enabled && !self.replaced {
            self.touched.insert(seq);
        }
    }

    /// A user was appended.
    pub(crate) fn pushed(&mut self) {
        let seq = self.next;
        self.next = self.next.saturating_add(1);
        self.seqs.push(seq);
        self.record(seq);
    }

    /// The user at `index` changed.
    pub(crate) fn touched(&mut self, index: usize) {
        if let Some(&seq) = self.seqs.get(index) {
            self.record(seq);
        }
    }

    /// Users were removed: `kept[i]` says whether the user at position `i` stayed.
    pub(crate) fn retain(&mut self, kept: &[bool]) {
        let mut removed = Vec::new();
        let mut flags = kept.iter();
        self.seqs.retain(|&seq| {
            let keep = flags.next().copied().unwrap_or(true);
            if !keep {
                removed.push(seq);
            }
            keep
        });
        for seq in removed {
            self.record(seq);
        }
    }

    /// What changed since the last drain; starts a new period.
    pub(crate) fn drain(&mut self) -> Drained {
        Drained {
            replaced: std::mem::take(&mut self.replaced),
            touched: std::mem::take(&mut self.touched).into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_enabled_tracker_records_pushes_changes_and_removals_once() {
        let mut tracking = Tracking::numbered(3);
        tracking.enable();
        tracking.touched(1);
        tracking.touched(1);
        tracking.pushed();
        tracking.retain(&[false, true, true, true]);
        assert_eq!(tracking.seqs(), &[1, 2, 3]);
        assert_eq!(
            tracking.drain(),
            Drained {
                replaced: false,
                touched: vec![0, 1, 3]
            }
        );
        assert_eq!(tracking.drain(), Drained::default());
    }

    #[test]
    fn a_disabled_tracker_keeps_numbers_but_records_nothing() {
        let mut tracking = Tracking::with_seqs(vec![4, 9]);
        tracking.pushed();
        tracking.touched(0);
        assert_eq!(tracking.seqs(), &[4, 9, 10]);
        assert_eq!(tracking.position(9), Some(1));
        assert_eq!(tracking.drain(), Drained::default());
    }

    #[test]
    fn a_replaced_state_reports_a_rewrite_instead_of_rows() {
        let mut tracking = Tracking::replaced();
        tracking.enable();
        tracking.pushed();
        let drained = tracking.drain();
        assert!(drained.replaced);
        assert!(drained.touched.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever the operations, sequence numbers stay strictly increasing and unique, so a
        /// position lookup and the store's row order stay exact.
        #[test]
        fn sequence_numbers_stay_strictly_increasing(ops in prop::collection::vec((0u8..3, 0usize..8), 0..40)) {
            let mut tracking = Tracking::numbered(2);
            tracking.enable();
            for (op, at) in ops {
                let len = tracking.seqs().len();
                match op {
                    0 => tracking.pushed(),
                    1 => tracking.touched(at),
                    _ => {
                        let kept: Vec<bool> = (0..len).map(|i| i != at).collect();
                        tracking.retain(&kept);
                    }
                }
                prop_assert!(tracking.seqs().windows(2).all(|w| w[0] < w[1]));
                for (i, seq) in tracking.seqs().iter().enumerate() {
                    prop_assert_eq!(tracking.position(*seq), Some(i));
                }
            }
        }
    }
}

/// A group of the state (its roles and assignments, MFA records, sessions) as a store sees it:
/// any mutable access marks it as possibly changed, so a write that never touched the group
/// costs nothing for it, however large it is; a store serializes it (and compares the JSON with
/// what it holds) only after a mutable access. Serialized as the group itself.
#[derive(Debug, Clone)]
pub(crate) struct Tracked<T> {
    value: T,
    changed: bool,
}

impl<T> Tracked<T> {
    /// Whether the group may have changed since the last call; resets it.
    pub(crate) fn take_changed(&mut self) -> bool {
        std::mem::replace(&mut self.changed, false)
    }

    /// Mutable access that changes nothing of what the store keeps in this group's row (the
    /// tenant log, which the store writes on its own).
    pub(crate) fn untracked_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: Default> Default for Tracked<T> {
    /// A new group: changed, so that a store writes it.
    fn default() -> Self {
        T::default().into()
    }
}

impl<T> From<T> for Tracked<T> {
    /// A group put in place whole: changed.
    fn from(value: T) -> Self {
        Self {
            value,
            changed: true,
        }
    }
}

impl<T> std::ops::Deref for Tracked<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> std::ops::DerefMut for Tracked<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.changed = true;
        &mut self.value
    }
}

impl<T: PartialEq> PartialEq for Tracked<T> {
    /// The groups' data; whether a store has seen it is bookkeeping.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: serde::Serialize> serde::Serialize for Tracked<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Tracked<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self::from)
    }
}
