//! The run loop: pulls inputs while there is room, keeps the operations in flight, and hands out
//! each result as it completes.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::{Either, select};
use futures_util::stream::{self, FuturesUnordered, Stream, StreamExt};
use tokio::time::Instant;

use super::budget::Budget;
use super::{Bulk, BulkItem, Progress, ProgressHook};
use crate::client::Client;
use crate::engine::ratelimit::RateLimit;
use crate::error::Error;

type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// What an operation returns: its data and, when it knows them, the last response's rate-limit
/// headers (the run's [`Budget`] needs every response's, not just the latest the client saw).
pub(super) type OpResult<T> = Result<(T, Option<RateLimit>), Error>;

/// A bulk run in progress. Nothing is sent until it is polled.
///
/// As a [`Stream`] it yields each [`BulkItem`] as it completes (completion order, every input
/// exactly once); [`run`](Self::run) collects them all in input order. Dropping it stops sending
/// new requests (those in flight are cancelled with it).
#[must_use = "a bulk run does nothing until it is polled or `run` is awaited"]
pub struct BulkRun<T> {
    items: BoxStream<BulkItem<T>>,
    total: Option<usize>,
}

impl<T> std::fmt::Debug for BulkRun<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkRun")
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> BulkRun<T> {
    pub(super) fn start<S, X, F, Fut>(bulk: Bulk, inputs: S, op: F) -> Self
    where
        S: Stream<Item = (String, X)> + Send + 'static,
        X: Send + 'static,
        F: Fn(Client, String, X) -> Fut + Send + 'static,
        Fut: Future<Output = OpResult<T>> + Send + 'static,
    {
        let total = match inputs.size_hint() {
            (low, Some(high)) if low == high => Some(low),
            _ => None,
        };
        let state = State {
            client: bulk.client,
            limit: bulk.concurrency.max(1),
            pace: bulk.pace,
            hook: bulk.progress,
            inputs: Box::pin(inputs),
            inputs_done: false,
            op,
            in_flight: FuturesUnordered::new(),
            next_index: 0,
            held: false,
            budget: Budget::default(),
            progress: Progress {
                done: 0,
                succeeded: 0,
                failed: 0,
                total,
                rate_limited_waits: 0,
            },
        };
        let items = stream::unfold(state, |mut state| async move {
            let item = state.next_item().await?;
            Some((item, state))
        });
        Self {
            items: Box::pin(items),
            total,
        }
    }

    /// The number of inputs when known exactly in advance.
    pub fn total(&self) -> Option<usize> {
        self.total
    }

    /// Runs every input and returns the results in input order (`result[i].index == i`).
    pub async fn run(self) -> Vec<BulkItem<T>> {
        let mut items: Vec<BulkItem<T>> = self.collect().await;
        items.sort_unstable_by_key(|item| item.index);
        items
    }
}

impl<T> Stream for BulkRun<T> {
    type Item = BulkItem<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.items.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

struct State<X, T, F> {
    client: Client,
    limit: usize,
    pace: bool,
    hook: Option<ProgressHook>,
    inputs: BoxStream<(String, X)>,
    inputs_done: bool,
    op: F,
    in_flight: FuturesUnordered<BoxFuture<(BulkItem<T>, Option<RateLimit>)>>,
    next_index: usize,
    /// Whether launching is currently held back by pacing (counted once per episode).
    held: bool,
    budget: Budget,
    progress: Progress,
}

impl<X, T, F, Fut> State<X, T, F>
where
    X: Send + 'static,
    T: Send + 'static,
    F: Fn(Client, String, X) -> Fut,
    Fut: Future<Output = OpResult<T>> + Send + 'static,
{
    /// Launches what there is room for and returns the next finished item; `None` when every
    /// input has been run.
    async fn next_item(&mut self) -> Option<BulkItem<T>> {
        loop {
            let room = !self.inputs_done && self.in_flight.len() < self.limit;
            let allowed = room && self.pacing_allows();
            if room && !allowed && !self.held {
                self.held = true;
                self.progress.rate_limited_waits += 1;
            }
            if !allowed {
                // Pacing always allows a launch when nothing is in flight, so an empty set here
                // means the inputs are exhausted.
                let item = self.in_flight.next().await?;
                return Some(self.finish(item));
            }
            if self.in_flight.is_empty() {
                match self.inputs.next().await {
                    Some(input) => self.launch(input).await,
                    None => self.inputs_done = true,
                }
                continue;
            }
            // Keep the operations in flight moving while waiting for a slow input source.
            match select(self.inputs.next(), self.in_flight.next()).await {
                Either::Left((Some(input), _)) => self.launch(input).await,
                Either::Left((None, _)) => self.inputs_done = true,
                Either::Right((Some(item), _)) => return Some(self.finish(item)),
                Either::Right((None, _)) => {}
            }
        }
    }

    /// Pacing: send only while the bucket's estimated `remaining` exceeds the requests in flight
    /// (each of those may take one of them). With nothing in flight one request may always go:
    /// it waits for the reset if the bucket is empty and brings back fresh headers.
    ///
    /// The estimate ([`Budget`]) follows every response of the run's own operations; answers
    /// that overtake each other make 429s rare rather than impossible, and the ones left are
    /// retried by the attempt loop.
    fn pacing_allows(&self) -> bool {
        if !self.pace || self.in_flight.is_empty() {
            return true;
        }
        match self.budget.remaining() {
            Some(remaining) => remaining > u64::try_from(self.in_flight.len()).unwrap_or(u64::MAX),
            // Before the first answer the bucket's size is unknown: one request finds out
            // instead of a whole burst meeting a small bucket. A server that sends no headers
            // at all is not paced after that.
            None => self.progress.done > 0,
        }
    }

    async fn launch(&mut self, (user_id, input): (String, X)) {
        self.held = false;
        if self.pace && self.in_flight.is_empty() {
            // The bucket is empty: wait for its reset here, where the run can count it, rather
            // than send a request that can only be answered 429. The shared gate may hold too
            // (another clone saw the same), and the client's latest view may be a stale answer
            // that already released it, hence both.
            let started = Instant::now();
            if let Some(pause) = self.budget.pause(self.client.inner.clock.now_epoch_ms()) {
                tokio::time::sleep(pause).await;
            }
            self.client.inner.gate.ready().await;
            if started.elapsed() >= Duration::from_millis(1) {
                self.progress.rate_limited_waits += 1;
            }
        }
        let index = self.next_index;
        self.next_index += 1;
        let operation = (self.op)(self.client.clone(), user_id.clone(), input);
        self.in_flight.push(Box::pin(async move {
            let (result, rate_limit) = match operation.await {
                Ok((data, rate_limit)) => (Ok(data), rate_limit),
                Err(e) => {
                    let rate_limit = e.rate_limit();
                    (Err(e), rate_limit)
                }
            };
            let item = BulkItem {
                index,
                user_id,
                result,
            };
            (item, rate_limit)
        }));
    }

    fn finish(&mut self, (item, rate_limit): (BulkItem<T>, Option<RateLimit>)) -> BulkItem<T> {
        // Operations that cannot report their headers fall back to the client's latest view.
        if let Some(rl) = rate_limit.or_else(|| self.client.rate_limit()) {
            self.budget.observe(&rl);
        }
        let p = &mut self.progress;
        p.done += 1;
        if item.result.is_ok() {
            p.succeeded += 1;
        } else {
            p.failed += 1;
        }
        if let Some(hook) = &self.hook {
            hook(p);
        }
        item
    }
}
