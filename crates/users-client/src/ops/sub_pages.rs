//! Walking every page of a user's sub-collection (roles, permissions, organizations, logs):
//! `page` += 1 with `include_totals=true` until a short page or `start + n >= total`.

use futures_core::Stream;
use futures_util::{StreamExt, stream};

use crate::client::Client;
use crate::engine::call::Call;
use crate::error::Error;

/// One page of a sub-collection, whatever its item key.
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub start: u64,
    pub limit: u64,
    pub total: u64,
}

/// Requests page `page` of `per_page` items of the user `id`.
pub(crate) type Fetch<T> = fn(&Client, &str, u32, u32) -> Call<Page<T>>;

struct Walk<T> {
    client: Client,
    id: String,
    fetch: Fetch<T>,
    page: u32,
    per_page: u32,
    returned: u64,
    /// The last item index the server serves (logs: the first 1000 results), if any.
    window: Option<u64>,
    done: bool,
}

impl<T: Send + 'static> Walk<T> {
    async fn next_batch(mut self) -> Option<(Vec<Result<T, Error>>, Self)> {
        if self.done {
            return None;
        }
        let per_page = u64::from(self.per_page);
        let start = u64::from(self.page) * per_page;
        if self.window.is_some_and(|w| start + per_page > w) {
            self.done = true;
            return Some((
                vec![Err(Error::Truncated {
                    total: self.returned.max(start),
                    returned: self.returned,
                })],
                self,
            ));
        }
        let page = match (self.fetch)(&self.client, &self.id, self.page, self.per_page).await {
            Ok(page) => page,
            Err(e) => {
                self.done = true;
                return Some((vec![Err(e)], self));
            }
        };
        let n = page.items.len() as u64;
        self.returned += n;
        if page.limit > 0 && page.limit < per_page {
            self.per_page = u32::try_from(page.limit).unwrap_or(self.per_page);
        }
        let full = n >= u64::from(self.per_page);
        let more = n > 0 && full && page.start.saturating_add(n) < page.total;
        if more && let Some(window) = self.window {
            // The next page would start past what the server serves: say so.
            let next_start = page.start.saturating_add(n);
            if next_start + u64::from(self.per_page) > window {
                self.done = true;
                let mut items: Vec<Result<T, Error>> = page.items.into_iter().map(Ok).collect();
                items.push(Err(Error::Truncated {
                    total: page.total,
                    returned: self.returned,
                }));
                return Some((items, self));
            }
        }
        self.done = !more;
        self.page = self.page.saturating_add(1);
        Some((page.items.into_iter().map(Ok).collect(), self))
    }
}

/// Streams every item of user `id`'s sub-collection, `per_page` at a time. An error is yielded
/// once and ends the stream; with a `window`, a listing cut by it ends with
/// [`Error::Truncated`].
pub(crate) fn stream_all<T: Send + 'static>(
    client: &Client,
    id: &str,
    per_page: u32,
    window: Option<u64>,
    fetch: Fetch<T>,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
    type Batches<T> = std::pin::Pin<Box<dyn Stream<Item = Vec<Result<T, Error>>> + Send>>;
    let walk = Walk {
        client: client.clone(),
        id: id.to_owned(),
        fetch,
        page: 0,
        per_page,
        returned: 0,
        window,
        done: false,
    };
    let batches: Batches<T> = if per_page == 0 || per_page > 100 {
        Box::pin(stream::iter([vec![Err(Error::InvalidArgument {
            argument: "per_page",
            reason: "must be between 1 and 100",
        })]]))
    } else {
        Box::pin(stream::unfold(walk, Walk::next_batch))
    };
    batches.flat_map(stream::iter)
}
