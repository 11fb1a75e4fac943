//! Offset paging of a user's sub-collections (`page`, `per_page`, `include_totals`) and its
//! query rules, shared by roles, permissions, organizations and logs.

use crate::validate::{Violation, ViolationKind, Violations};

/// The largest `per_page` the sub-collections accept (OpenAPI: `maximum: 100`).
pub const MAX_PER_PAGE: u32 = 100;

/// `page`, `per_page` and `include_totals` of `GET /users/{id}/roles`, `/permissions` and
/// `/organizations`. Unset parameters are not sent.
///
/// ```
/// use users_model::PageQuery;
/// let mut query = PageQuery::default();
/// query.per_page = Some(50);
/// query.include_totals = Some(true);
/// assert_eq!(query.to_query_pairs(), vec![
///     ("per_page", "50".to_owned()),
///     ("include_totals", "true".to_owned()),
/// ]);
/// assert!(query.validate().is_ok());
/// let mut too_big = PageQuery::default();
/// too_big.per_page = Some(101);
/// assert_eq!(too_big.validate().unwrap_err().len(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PageQuery {
    /// Zero-based page index.
    pub page: Option<u32>,
    /// Items per page, 1-100.
    pub per_page: Option<u32>,
    /// Answer with `{<items>, start, limit, total}` instead of a bare array.
    pub include_totals: Option<bool>,
}

impl PageQuery {
    /// The set parameters in order, values not percent-encoded.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(page) = self.page {
            pairs.push(("page", page.to_string()));
        }
        if let Some(per_page) = self.per_page {
            pairs.push(("per_page", per_page.to_string()));
        }
        if let Some(totals) = self.include_totals {
            pairs.push(("include_totals", totals.to_string()));
        }
        pairs
    }

    /// Every rule the server applies to these parameters, all at once: `per_page` within
    /// 1-[`MAX_PER_PAGE`].
    ///
    /// # Errors
    /// [`Violations`] naming each parameter out of range.
    pub fn validate(&self) -> Result<(), Violations> {
        let mut out = Vec::new();
        check_per_page(self.per_page, &mut out);
        Violations::check(out)
    }
}

/// Pushes a violation when `per_page` is outside 1-[`MAX_PER_PAGE`]. The wording is the one
/// the emulator's user list uses for the same rule (`Query validation error: ...`); the
/// server's exact text is **unconfirmed** (users-api.md §1.5).
pub(crate) fn check_per_page(per_page: Option<u32>, out: &mut Vec<Violation>) {
    let reason = match per_page {
        Some(0) => "Number is less than the minimum value of 1".to_owned(),
        Some(n) if n > MAX_PER_PAGE => {
            format!("Number is greater than the maximum value of {MAX_PER_PAGE}")
        }
        _ => return,
    };
    out.push(query_violation(
        "per_page",
        ViolationKind::OutOfRange,
        &reason,
        "Number of results per page.",
    ));
}

/// `Query validation error: '<reason>' on property <name> (<description>).`
pub(crate) fn query_violation(
    name: &str,
    kind: ViolationKind,
    reason: &str,
    description: &str,
) -> Violation {
    Violation::new(
        name,
        kind,
        format!("Query validation error: '{reason}' on property {name} ({description})."),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn empty_query_sends_nothing_and_is_valid() {
        assert!(PageQuery::default().to_query_pairs().is_empty());
        assert!(PageQuery::default().validate().is_ok());
    }

    #[test]
    fn zero_per_page_is_refused_with_the_query_wording() {
        let err = PageQuery {
            per_page: Some(0),
            ..PageQuery::default()
        }
        .validate()
        .unwrap_err();
        let v = err.first().unwrap();
        assert_eq!(v.path, "per_page");
        assert_eq!(v.kind, ViolationKind::OutOfRange);
        assert!(
            v.message
                .starts_with("Query validation error: 'Number is less")
        );
    }

    proptest! {
        #[test]
        fn per_page_is_valid_exactly_within_bounds(per_page in 0u32..300, page in any::<u32>()) {
            let query = PageQuery { page: Some(page), per_page: Some(per_page), include_totals: None };
            prop_assert_eq!(query.validate().is_ok(), (1..=MAX_PER_PAGE).contains(&per_page));
            prop_assert_eq!(query.to_query_pairs().len(), 2);
        }
    }
}
