//! Percentiles over a sorted sample: a sorted `Vec` is exact and, at the request counts of a
//! run (≤ millions), cheap enough that a histogram crate would buy nothing.

/// The nearest-rank `p`th percentile (0 < p ≤ 100) of an ascending slice; `None` when empty.
pub fn percentile_sorted(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    // Nearest rank: the smallest value with at least p% of the sample at or below it.
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// The median of a sample in any order (the lower middle for an even count); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len().checked_sub(1)? / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sample: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile_sorted(&sample, 50.0), Some(50));
        assert_eq!(percentile_sorted(&sample, 99.0), Some(99));
        assert_eq!(percentile_sorted(&sample, 100.0), Some(100));
        assert_eq!(percentile_sorted(&[7], 99.0), Some(7));
        assert_eq!(percentile_sorted(&[1, 2, 3], 50.0), Some(2));
        assert_eq!(percentile_sorted(&[], 50.0), None);
        assert_eq!(percentile_sorted(&sample, 0.0), None);
        assert_eq!(percentile_sorted(&sample, f64::NAN), None);
    }

    #[test]
    fn medians_ignore_order_and_non_finite_values() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.0));
        assert_eq!(median(&[f64::NAN, 5.0]), Some(5.0));
        assert_eq!(median(&[]), None);
    }
}
