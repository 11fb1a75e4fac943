//! Walking every page of a users listing without tripping the 1000-record limit.

use futures_core::Stream;
use futures_util::{StreamExt, stream};
use users_model::{ListUsersQuery, User};

use crate::client::Client;
use crate::error::Error;
use crate::ops::users::Users;

/// The server serves only the first 1000 records of any listing or search.
pub const PAGING_LIMIT: u64 = 1000;

/// The page size [`Users::list_stream`] uses when the query sets none.
pub const DEFAULT_STREAM_PER_PAGE: u32 = 50;

type BatchStream = std::pin::Pin<Box<dyn Stream<Item = Vec<Result<User, Error>>> + Send>>;

struct PageWalk {
    client: Client,
    query: ListUsersQuery,
    page: u32,
    per_page: u32,
    returned: u64,
    total: u64,
    first: bool,
    done: bool,
}

impl PageWalk {
    async fn next_batch(mut self) -> Option<(Vec<Result<User, Error>>, Self)> {
        if self.done {
            return None;
        }
        let per_page = u64::from(self.per_page);
        let start = u64::from(self.page) * per_page;
        if start + per_page > PAGING_LIMIT {
            self.done = true;
            let err = if self.first {
                Error::InvalidArgument {
                    argument: "page",
                    reason: "the first page already reaches past the server's 1000-record limit",
                }
            } else {
                Error::Truncated {
                    total: self.total,
                    returned: self.returned,
                }
            };
            return Some((vec![Err(err)], self));
        }
        let mut query = self.query.clone();
        query.page = Some(self.page);
        query.per_page = Some(self.per_page);
        query.include_totals = Some(true);
        self.first = false;
        let page = match self.client.users().list_page(&query).await {
            Ok(page) => page,
            Err(e) => {
                self.done = true;
                return Some((vec![Err(e)], self));
            }
        };
        let n = page.users.len() as u64;
        self.returned += n;
        self.total = page.total;
        // The server may cap the page size below what was asked: follow its `limit`.
        if page.limit > 0 && page.limit < per_page {
            self.per_page = u32::try_from(page.limit).unwrap_or(self.per_page);
        }
        let full = n >= u64::from(self.per_page);
        let more = n > 0 && full && page.start.saturating_add(n) < page.total;
        self.done = !more;
        self.page = self.page.saturating_add(1);
        Some((page.users.into_iter().map(Ok).collect(), self))
    }
}

impl Users<'_> {
    /// Streams every user matching `query`, one page request at a time (`page` += 1, starting
    /// at `query.page`, `per_page` defaulting to 50).
    ///
    /// It stops after a short page or once `start + length >= total`, never requests a page
    /// that reaches past the server's 1000-record limit, and when that limit cut the results
    /// the **last item is [`Error::Truncated`]** with the server's total, so nothing is lost
    /// silently. Any other error is yielded once and ends the stream.
    ///
    /// `GET /api/v2/users?include_totals=true&page=N&...`; scope `read:users`.
    ///
    /// # Errors
    /// Items are `Err` for API and transport errors (after retries), for
    /// [`Error::Truncated`], and for [`Error::InvalidArgument`] when `per_page` is 0 or the
    /// first page is already past the limit.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use futures_util::StreamExt;
    /// use users_client::{Error, model::ListUsersQuery};
    /// let mut users = std::pin::pin!(client.users().list_stream(ListUsersQuery::default()));
    /// while let Some(item) = users.next().await {
    ///     match item {
    ///         Ok(user) => println!("{:?}", user.user_id),
    ///         Err(Error::Truncated { total, returned }) => eprintln!("only {returned} of {total}"),
    ///         Err(e) => return Err(e.into()),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_stream(
        &self,
        query: ListUsersQuery,
    ) -> impl Stream<Item = Result<User, Error>> + Send + 'static {
        let per_page = query.per_page.unwrap_or(DEFAULT_STREAM_PER_PAGE);
        let walk = PageWalk {
            client: self.client.clone(),
            page: query.page.unwrap_or(0),
            per_page,
            query,
            returned: 0,
            total: 0,
            first: true,
            done: false,
        };
        let batches: BatchStream = if per_page == 0 {
            Box::pin(stream::iter([vec![Err(Error::InvalidArgument {
                argument: "per_page",
                reason: "must be at least 1",
            })]]))
        } else {
            Box::pin(stream::unfold(walk, PageWalk::next_batch))
        };
        batches.flat_map(stream::iter)
    }
}
