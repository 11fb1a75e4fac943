//! Checkpoint paging (`from`, `take`, `next`): the second pagination style of the Management
//! API, used by a user's sessions, refresh tokens and connected accounts.
//!
//! The server answers `{"<items>": [...], "next": "<cursor>"}` and leaves `next` out on the
//! last page (users-api.md, "Checkpoint pagination"); the cursor is opaque and is sent back as
//! `from` to continue after the last item returned.

use crate::{Violation, ViolationKind, Violations};

/// The largest `take` the OpenAPI document allows on these endpoints (`maximum: 100`).
pub const MAX_TAKE: u32 = 100;

/// The query of a checkpoint-paged list. Unset parameters are not sent.
///
/// ```
/// use users_model::CheckpointQuery;
/// let query = CheckpointQuery::new().from("ses_1").take(2);
/// assert_eq!(query.to_query_pairs(), vec![("from", "ses_1".to_owned()), ("take", "2".to_owned())]);
/// assert!(query.validate().is_ok());
/// assert_eq!(CheckpointQuery::new().take(0).validate().unwrap_err().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CheckpointQuery {
    /// The cursor to continue after (the previous page's `next`); exclusive.
    pub from: Option<String>,
    /// How many items to return (1 to [`MAX_TAKE`]; the server's default when unset).
    pub take: Option<u32>,
}

impl CheckpointQuery {
    /// No cursor, the server's page size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Continue after `cursor`.
    #[must_use]
    pub fn from(mut self, cursor: impl Into<String>) -> Self {
        self.from = Some(cursor.into());
        self
    }

    /// Ask for `take` items.
    #[must_use]
    pub fn take(mut self, take: u32) -> Self {
        self.take = Some(take);
        self
    }

    /// The set parameters, values NOT percent-encoded.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(from) = &self.from {
            pairs.push(("from", from.clone()));
        }
        if let Some(take) = self.take {
            pairs.push(("take", take.to_string()));
        }
        pairs
    }

    /// Checks the query against the document's schema: `take` between 1 and [`MAX_TAKE`],
    /// `from` not empty. The messages follow the server's query-validation wording; the exact
    /// texts for these parameters are not recorded.
    ///
    /// # Errors
    /// Every violation found.
    pub fn validate(&self) -> Result<(), Violations> {
        let mut out = Vec::new();
        match self.take {
            Some(0) => out.push(Violation::new(
                "take",
                ViolationKind::TooShort,
                "Query validation error: 'Number is less than the minimum value of 1' on property take (Number of results per page.).",
            )),
            Some(take) if take > MAX_TAKE => out.push(Violation::new(
                "take",
                ViolationKind::TooLong,
                format!(
                    "Query validation error: 'Number is greater than the maximum value of {MAX_TAKE}' on property take (Number of results per page.)."
                ),
            )),
            _ => {}
        }
        if self.from.as_deref() == Some("") {
            out.push(Violation::new(
                "from",
                ViolationKind::TooShort,
                "Query validation error: 'String is too short (0 chars), minimum 1' on property from (An optional cursor from which to start the selection (exclusive).).",
            ));
        }
        Violations::check(out)
    }
}

/// Defines a page of a checkpoint-paged list, `{"<field>": [...], "next": "..."}` (`next`
/// absent on the last page; with `total`, also the count `include_totals=true` asks for), with
/// every other field kept, and its [`CheckpointPage`] impl.
macro_rules! checkpoint_page {
    ($(#[$meta:meta])* $name:ident { $field:ident: $item:ty, $what:literal }) => {
        checkpoint_page!(@define $(#[$meta])* $name { $field: $item, $what } {});
    };
    ($(#[$meta:meta])* $name:ident { $field:ident: $item:ty, $what:literal, total }) => {
        checkpoint_page!(@define $(#[$meta])* $name { $field: $item, $what } {
            #[doc = concat!("The number of ", $what, ", with `include_totals=true`.")]
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub total: Option<u64>,
        });
    };
    (@define $(#[$meta:meta])* $name:ident { $field:ident: $item:ty, $what:literal } { $($total:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            #[doc = concat!("The ", $what, " on this page.")]
            #[serde(default)]
            pub $field: Vec<$item>,
            /// The cursor to send as `from` for the next page; absent on the last one.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub next: Option<String>,
            $($total)*
            /// Every other field the server sent.
            #[serde(flatten)]
            pub extra: $crate::Metadata,
        }

        impl $crate::checkpoint::CheckpointPage for $name {
            type Item = $item;

            fn into_parts(self) -> (Vec<$item>, Option<String>) {
                (self.$field, self.next)
            }
        }
    };
}

pub(crate) use checkpoint_page;

/// A page of a checkpoint-paged list: its items and the cursor of the next page.
pub trait CheckpointPage {
    /// What the page lists.
    type Item;

    /// The items, and `next` (absent on the last page).
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}
