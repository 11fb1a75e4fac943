//! Walking a checkpoint-paged list (`from`, `take`, `next`) to its end or a caller's limit.
//!
//! The server answers each page with the cursor of the next (`next`) and leaves it out on the
//! last; the cursor names a position, so following it neither repeats nor skips items that exist
//! throughout the walk, even while others are added or removed (the emulator's contract, and the
//! purpose of checkpoint paging in Auth0's "Pagination" section). The walk keeps no item state:
//! it only follows cursors, and stops with an error if the server hands back a cursor it already
//! gave, which would otherwise loop for ever.

use std::collections::HashSet;

use futures_core::Stream;
use futures_util::{StreamExt, stream};
use http::StatusCode;
use serde::de::DeserializeOwned;
use users_model::operation::Operation;
use users_model::{CheckpointPage, CheckpointQuery};

use crate::client::Client;
use crate::engine::call::{Call, RequestSpec, decode_json};
use crate::error::{DecodeCategory, DecodeError, Error};

/// How far a checkpoint stream goes and how it asks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Walk {
    /// Items per request (`take`, 1-100); the server's default when `None`.
    pub take: Option<u32>,
    /// Stop after this many items; no further page is requested once it is reached.
    pub limit: Option<usize>,
}

impl Walk {
    /// Every item, pages of the server's default size.
    pub fn all() -> Self {
        Self::default()
    }

    /// Pages of `take` items.
    #[must_use]
    pub fn take(mut self, take: u32) -> Self {
        self.take = Some(take);
        self
    }

    /// At most `limit` items.
    #[must_use]
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }
}

struct State {
    client: Client,
    op: &'static Operation,
    args: Vec<String>,
    take: Option<u32>,
    remaining: Option<usize>,
    cursor: Option<String>,
    seen: HashSet<String>,
    done: bool,
}

type Batch<T> = Vec<Result<T, Error>>;

impl State {
    async fn next_batch<P>(mut self) -> Option<(Batch<P::Item>, Self)>
    where
        P: CheckpointPage + DeserializeOwned + Send + 'static,
    {
        if self.done || self.remaining == Some(0) {
            return None;
        }
        let query = CheckpointQuery {
            from: self.cursor.clone(),
            take: self.take,
        };
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let spec = query
            .validate()
            .map_err(Error::Validation)
            .and_then(|()| RequestSpec::of(self.op, &args))
            .map(|s| s.query(query.to_query_pairs()));
        let page = match Call::new(&self.client, spec, decode_json::<P>).await {
            Ok(page) => page,
            Err(e) => {
                self.done = true;
                return Some((vec![Err(e)], self));
            }
        };
        let (mut items, next) = page.into_parts();
        if let Some(remaining) = self.remaining.as_mut() {
            items.truncate(*remaining);
            *remaining -= items.len();
        }
        let mut batch: Batch<P::Item> = items.into_iter().map(Ok).collect();
        match next {
            None => self.done = true,
            Some(next) if !self.seen.insert(next.clone()) => {
                self.done = true;
                batch.push(Err(Error::Decode(DecodeError {
                    status: StatusCode::OK,
                    empty_body: false,
                    line: 0,
                    column: 0,
                    category: DecodeCategory::Data,
                    attempts: 1,
                })));
            }
            Some(next) => self.cursor = Some(next),
        }
        Some((batch, self))
    }
}

/// The items of `op` (a checkpoint-paged list with path arguments `args`), page after page.
pub(crate) fn walk<P>(
    client: &Client,
    op: &'static Operation,
    args: &[&str],
    walk: Walk,
) -> impl Stream<Item = Result<P::Item, Error>> + Send + use<P>
where
    P: CheckpointPage + DeserializeOwned + Send + 'static,
    P::Item: Send + 'static,
{
    let state = State {
        client: client.clone(),
        op,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        take: walk.take,
        remaining: walk.limit,
        cursor: None,
        seen: HashSet::new(),
        done: false,
    };
    stream::unfold(state, State::next_batch::<P>).flat_map(stream::iter)
}
