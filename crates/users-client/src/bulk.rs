//! Bulk operations: many updates, metadata changes, deletes or links with bounded concurrency,
//! at the tenant's rate limit, with one result per input.
//!
//! Every request goes through the client's normal attempt loop, so it shares the rate-limit gate
//! of every clone and has its 429s retried. On top of that the runner *paces* itself (on by
//! default): it never has more requests in flight than the server's last `x-ratelimit-remaining`
//! says are left, so a run drains the bucket to zero and then waits for the reset instead of
//! sending requests that can only be answered 429.
//!
//! Nothing is dropped: each input yields exactly one [`BulkItem`] carrying its index, the user id
//! and the operation's result, whether it succeeded or failed. A failure never stops the rest.

mod budget;
mod driver;

use std::future::Future;
use std::sync::Arc;

use futures_util::stream::{self, Stream};
use users_model::{Identity, LinkRequest, Metadata, User, UserUpdate};

use crate::client::Client;
use crate::engine::call::Call;
use crate::engine::ratelimit::RateLimit;
use crate::error::Error;
use crate::ops::metadata::MetadataKind;

pub use driver::BulkRun;

/// Concurrency when none is set: enough to keep a loopback or nearby tenant busy while staying
/// far below what a 2-core machine or a small tenant bucket notices.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The outcome of one input of a bulk run.
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkItem<T> {
    /// The input's position, counting from 0 in the order the inputs were produced.
    pub index: usize,
    /// The user the operation was about (the primary user for links).
    pub user_id: String,
    /// What the operation returned.
    pub result: Result<T, Error>,
}

/// A snapshot of a run's counters, passed to the [`Bulk::on_progress`] hook after each item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Items finished so far (`succeeded + failed`).
    pub done: usize,
    /// Items whose operation succeeded.
    pub succeeded: usize,
    /// Items whose operation returned an error.
    pub failed: usize,
    /// The number of inputs when the input said so exactly (an iterator or stream with an exact
    /// size hint); `None` otherwise.
    pub total: Option<usize>,
    /// How many times the run stopped sending because of the rate limit: the server reported
    /// fewer requests left than were in flight, or the shared gate held the next request until
    /// the bucket's reset. Counted only while pacing ([`Bulk::pace`]); unpaced, the waits happen
    /// inside each request's attempt loop, out of the run's sight.
    pub rate_limited_waits: u64,
}

type ProgressHook = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Settings of a bulk run, from [`Client::bulk`].
///
/// # Example
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let client = users_doctest::client();
/// use users_client::model::{Patch, UserUpdate};
/// let updates = ["auth0|1", "auth0|2", "auth0|missing"].map(|id| {
///     let mut update = UserUpdate::default();
///     update.nickname = Patch::Set("migrated".into());
///     (id.to_owned(), update)
/// });
/// let results = client
///     .bulk()
///     .concurrency(4)
///     .on_progress(|p| eprintln!("{}/{:?} done, {} failed", p.done, p.total, p.failed))
///     .updates(updates)
///     .run()
///     .await;
/// assert_eq!(results.len(), 3);
/// assert!(results[0].result.is_ok() && results[1].result.is_ok());
/// assert!(results[2].result.as_ref().is_err_and(|e| e.is_not_found()));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Bulk {
    client: Client,
    concurrency: usize,
    pace: bool,
    progress: Option<ProgressHook>,
}

impl std::fmt::Debug for Bulk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bulk")
            .field("client", &self.client)
            .field("concurrency", &self.concurrency)
            .field("pace", &self.pace)
            .field("progress_hook", &self.progress.is_some())
            .finish()
    }
}

impl Client {
    /// Starts a bulk run with [`DEFAULT_CONCURRENCY`], pacing on and no progress hook.
    pub fn bulk(&self) -> Bulk {
        Bulk {
            client: self.clone(),
            concurrency: DEFAULT_CONCURRENCY,
            pace: true,
            progress: None,
        }
    }
}

impl Bulk {
    /// At most this many operations in flight at once (0 counts as 1). An operation that makes
    /// two requests (the metadata helpers read, then write) counts once.
    pub fn concurrency(mut self, limit: usize) -> Self {
        self.concurrency = limit.max(1);
        self
    }

    /// Whether to keep no more requests in flight than the server says are left (default on).
    /// Off, the run keeps `concurrency` operations going and leaves the holding to the client's
    /// shared gate (which admits requests against the server's reported `remaining` too); 429s
    /// that still happen (another client draining the same bucket) are retried. Pacing counts
    /// operations, so the metadata helpers (two requests each) may still meet a stray 429.
    pub fn pace(mut self, enabled: bool) -> Self {
        self.pace = enabled;
        self
    }

    /// Calls `hook` after each finished item, from the task polling the run, with the counters
    /// so far: keep it quick (e.g. advance a progress bar). `done` rises by one each call and
    /// ends at the number of inputs.
    pub fn on_progress(mut self, hook: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(hook));
        self
    }

    /// Runs `op` for each `(user_id, input)` of `inputs`, a [`Stream`]. `op` gets a clone of the
    /// client, the user id and the input; its error becomes that item's result.
    ///
    /// An iterator becomes a stream with `futures_util::stream::iter`. Inputs are pulled only as
    /// fast as there is room to run them, so a large or endless source is never read ahead.
    pub fn each<S, X, T, F, Fut>(self, inputs: S, op: F) -> BulkRun<T>
    where
        S: Stream<Item = (String, X)> + Send + 'static,
        X: Send + 'static,
        T: Send + 'static,
        F: Fn(Client, String, X) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
    {
        BulkRun::start(self, inputs, move |client, id, input| {
            let operation = op(client, id, input);
            async move { operation.await.map(|data| (data, None)) }
        })
    }

    /// `PATCH /api/v2/users/{id}` with each update (see [`Users::update`](crate::Users::update)).
    pub fn updates<I>(self, inputs: I) -> BulkRun<User>
    where
        I: IntoIterator<Item = (String, UserUpdate)>,
        I::IntoIter: Send + 'static,
    {
        BulkRun::start(
            self,
            stream::iter(inputs),
            |client, id, update| async move { with_headers(client.users().update(&id, &update)).await },
        )
    }

    /// Makes each user's `kind` metadata equal the given object, sending only the difference,
    /// with [`Users::update_metadata`](crate::Users::update_metadata) (read-modify-write: a GET
    /// then a PATCH per user, with the race documented there).
    pub fn set_metadata<I>(self, kind: MetadataKind, inputs: I) -> BulkRun<User>
    where
        I: IntoIterator<Item = (String, Metadata)>,
        I::IntoIter: Send + 'static,
    {
        self.each(
            stream::iter(inputs),
            move |client, id, desired| async move {
                client.users().update_metadata(&id, kind, |_| desired).await
            },
        )
    }

    /// Changes each user's `kind` metadata to what `desired` returns for the current one, with
    /// [`Users::update_metadata`](crate::Users::update_metadata), e.g. to add a key to every
    /// user of a migration. Users whose metadata would not change get no PATCH.
    pub fn update_metadata<I, D>(self, kind: MetadataKind, ids: I, desired: D) -> BulkRun<User>
    where
        I: IntoIterator<Item = String>,
        I::IntoIter: Send + 'static,
        D: Fn(Option<&Metadata>) -> Metadata + Send + Sync + 'static,
    {
        let desired = Arc::new(desired);
        let inputs = stream::iter(ids.into_iter().map(|id| (id, ())));
        self.each(inputs, move |client, id, ()| {
            let desired = Arc::clone(&desired);
            async move {
                client
                    .users()
                    .update_metadata(&id, kind, move |current| desired(current))
                    .await
            }
        })
    }

    /// `DELETE /api/v2/users/{id}` for each id (see [`Users::delete`](crate::Users::delete)).
    pub fn deletes<I>(self, ids: I) -> BulkRun<()>
    where
        I: IntoIterator<Item = String>,
        I::IntoIter: Send + 'static,
    {
        let inputs = stream::iter(ids.into_iter().map(|id| (id, ())));
        BulkRun::start(self, inputs, |client, id, ()| async move {
            with_headers(client.users().delete(&id)).await
        })
    }

    /// `POST /api/v2/users/{primary_id}/identities` for each `(primary_id, request)` with the
    /// client's token (see [`Users::link`](crate::Users::link)). A link whose outcome is unknown
    /// is not repeated; a 429 is, since the server did not act on it.
    pub fn links<I>(self, inputs: I) -> BulkRun<Vec<Identity>>
    where
        I: IntoIterator<Item = (String, LinkRequest)>,
        I::IntoIter: Send + 'static,
    {
        BulkRun::start(
            self,
            stream::iter(inputs),
            |client, id, request| async move { with_headers(client.users().link(&id, &request)).await },
        )
    }
}

/// Runs `call`, keeping the rate-limit headers for the run's pacing.
async fn with_headers<T: Send + 'static>(call: Call<T>) -> Result<(T, Option<RateLimit>), Error> {
    call.with_response().await.map(|r| (r.data, r.rate_limit))
}
