//! Group commit: writers prepare their batch under the state lock and queue it; one committer
//! thread owns the store's connection and commits everything queued in one transaction, then
//! wakes the writers whose batches it carried. A write is answered only once its batch is
//! committed, so each acknowledged write is as durable as before, while the cost of a commit
//! (the WAL append, the transaction's bookkeeping) is shared by every write that arrived while
//! the previous commit ran.
//!
//! Lock order: the state, then the queue. The committer takes the state lock only to undo a
//! failed commit, and never while it holds the queue. Failed tickets are kept as ranges (one
//! per failed commit), so the bookkeeping stays small.

use std::ops::RangeInclusive;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use super::{Batch, Store, View};
use crate::persist::StateFileError;
use crate::state::State;

/// A store shared by the request threads, committed by its own thread.
pub(crate) struct GroupCommit {
    shared: Arc<Shared>,
    committer: Option<JoinHandle<()>>,
}

struct Shared {
    queue: Mutex<Queue>,
    /// The last decided ticket, for writers waiting on async workers.
    decided: tokio::sync::watch::Sender<u64>,
    /// Signalled when a batch is queued or the store is closing.
    work: Condvar,
    /// Signalled when tickets are decided.
    done: Condvar,
}

/// Batches prepared and not yet committed, in preparation order.
struct Queue {
    view: View,
    pending: Vec<Batch>,
    /// The ticket of the last batch queued (tickets start at 1).
    last_ticket: u64,
    /// Every ticket up to this one is decided: committed, or in `failed`.
    decided_upto: u64,
    /// Tickets whose commit failed (their changes were undone).
    failed: Vec<RangeInclusive<u64>>,
    /// A change that could not be prepared: the next commit fails with this.
    broken: Option<StateFileError>,
    closing: bool,
}

/// A queued write, to wait for with [`GroupCommit::wait`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a queued write must be waited for before it is answered"]
pub(crate) struct Ticket(u64);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl GroupCommit {
    /// Starts the committer thread for `store`; `state` is the state it reads back after a
    /// failed commit.
    ///
    /// # Errors
    /// When the thread cannot start.
    pub(crate) fn start(
        mut store: Store,
        state: Arc<Mutex<State>>,
    ) -> Result<Self, StateFileError> {
        let path = store.path().to_owned();
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                view: store.take_view(),
                pending: Vec::new(),
                last_ticket: 0,
                decided_upto: 0,
                failed: Vec::new(),
                broken: None,
                closing: false,
            }),
            decided: tokio::sync::watch::Sender::new(0),
            work: Condvar::new(),
            done: Condvar::new(),
        });
        let for_thread = Arc::clone(&shared);
        let committer = std::thread::Builder::new()
            .name("users-emulator-commit".into())
            .spawn(move || {
                super::yield_to_request_threads();
                for_thread.run(&mut store, &state);
            })
            .map_err(|source| StateFileError::Io { path, source })?;
        Ok(Self {
            shared,
            committer: Some(committer),
        })
    }

    /// Prepares what `state` changed and queues it. Call with the state lock held, right after
    /// the change, so that batches queue in the order the changes were made. A change that
    /// cannot be prepared (serialized) fails its ticket: the committer undoes it.
    pub(crate) fn enqueue(&self, state: &mut State) -> Ticket {
        let mut queue = lock(&self.shared.queue);
        match queue.view.prepare(state) {
            Ok(batch) => queue.pending.push(batch),
            Err(error) => queue.broken = Some(error),
        }
        queue.last_ticket = queue.last_ticket.saturating_add(1);
        self.shared.work.notify_one();
        Ticket(queue.last_ticket)
    }

    /// Blocks until `ticket`'s batch is committed.
    ///
    /// # Errors
    /// When the commit carrying it failed: every write not committed then was undone (memory
    /// read back from the store) and fails too; the failure is logged once, by the committer.
    pub(crate) fn wait(&self, ticket: Ticket) -> Result<(), StateFileError> {
        let mut queue = lock(&self.shared.queue);
        loop {
            if let Some(outcome) = queue.outcome(ticket) {
                return outcome;
            }
            queue = self
                .shared
                .done
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl GroupCommit {
    /// [`GroupCommit::wait`] for a writer on an async worker: it yields instead of blocking.
    ///
    /// # Errors
    /// As [`GroupCommit::wait`].
    pub(crate) async fn settled(&self, ticket: Ticket) -> Result<(), StateFileError> {
        let mut decided = self.shared.decided.subscribe();
        // Fails only when the committer is gone, and then the queue says why below.
        let _ = decided.wait_for(|upto| *upto >= ticket.0).await;
        let queue = lock(&self.shared.queue);
        queue.outcome(ticket).unwrap_or_else(|| {
            Err(StateFileError::Database {
                path: queue.view.path.clone(),
                source: "the store closed before this change was committed".into(),
            })
        })
    }
}

impl Drop for GroupCommit {
    /// Commits what is still queued, then stops the committer (which closes the store).
    fn drop(&mut self) {
        lock(&self.shared.queue).closing = true;
        self.shared.work.notify_one();
        if let Some(committer) = self.committer.take() {
            let _ = committer.join();
        }
    }
}

impl Shared {
    /// The committer: waits for queued batches, commits all of them at once, wakes their
    /// writers; on a failure undoes every undecided write by reading the store back.
    fn run(&self, store: &mut Store, state: &Mutex<State>) {
        loop {
            let (batches, upto, broken) = {
                let mut queue = lock(&self.queue);
                while queue.pending.is_empty() && queue.broken.is_none() && !queue.closing {
                    queue = self
                        .work
                        .wait(queue)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                if queue.pending.is_empty() && queue.broken.is_none() {
                    return;
                }
                let batches = std::mem::take(&mut queue.pending);
                (batches, queue.last_ticket, queue.broken.take())
            };
            let result = match broken {
                Some(error) => Err(error),
                None => store.commit_all(&batches),
            };
            let decided = match result {
                Ok(()) => {
                    lock(&self.queue).decided_upto = upto;
                    upto
                }
                Err(error) => {
                    tracing::error!(%error, "could not commit to the state store; the change is undone");
                    let mut state = lock(state);
                    let mut queue = lock(&self.queue);
                    queue.fail_all_undecided();
                    match store.load() {
                        Ok(committed) => {
                            *state = committed;
                            queue.view = store.take_view();
                        }
                        Err(reload) => {
                            tracing::error!(error = %reload, "could not read the state store back either");
                        }
                    }
                    queue.decided_upto
                }
            };
            self.done.notify_all();
            self.decided.send_replace(decided);
        }
    }
}

impl Queue {
    /// Every write queued and not committed fails (its change is being undone).
    fn fail_all_undecided(&mut self) {
        let from = self.decided_upto.saturating_add(1);
        if from <= self.last_ticket {
            self.failed.push(from..=self.last_ticket);
        }
        self.decided_upto = self.last_ticket;
        self.pending.clear();
        self.broken = None;
    }

    fn outcome(&self, Ticket(ticket): Ticket) -> Option<Result<(), StateFileError>> {
        if ticket > self.decided_upto {
            return None;
        }
        if self.failed.iter().any(|range| range.contains(&ticket)) {
            return Some(Err(StateFileError::Database {
                path: self.view.path.clone(),
                source: "the commit this change was part of failed; the change was undone".into(),
            }));
        }
        Some(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use bytes::Bytes;
    use serde_json::{Value, json};
    use users_transport::Transport;

    use crate::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig, SystemClock};

    async fn call(emulator: &Emulator, method: &str, path: &str, token: &str, body: Value) -> u16 {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("https://tenant.example{path}"))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Bytes::from(body.to_string()))
            .expect("request");
        emulator
            .send(request)
            .await
            .expect("answered")
            .status()
            .as_u16()
    }

    fn serialized(emulator: &Emulator) -> u64 {
        let store = emulator.inner.store.as_ref().expect("a store");
        super::lock(&store.shared.queue).view.serialized_groups
    }

    /// A write that does not touch the large groups (roles and assignments, MFA records,
    /// sessions) does not serialize them, however large they are; one that does, does.
    #[tokio::test]
    async fn a_write_serializes_only_the_groups_it_took_mutably() {
        let dir = users_fixtures::temp_dir("group-serialization");
        let config = EmulatorConfig::default();
        let (emulator, _) =
            Emulator::open(config, Arc::new(SystemClock), dir.join("state.db")).expect("store");
        let assignments: Vec<Value> = (0..500)
            .map(|n| json!({"user_id": format!("auth0|u{n}"), "roles": ["analyst"]}))
            .collect();
        let users: Vec<Value> = (0..500)
            .map(|n| {
                json!({"connection": "Username-Password-Authentication",
                "user_id": format!("auth0|u{n}"), "email": format!("u{n}@example.com")})
            })
            .collect();
        emulator
            .seed(&json!({"users": users, "roles": [{"name": "analyst"}],
                "assignments": assignments}))
            .expect("seeded");
        let token = {
            let request = http::Request::post("https://tenant.example/oauth/token")
                .header("content-type", "application/json")
                .body(Bytes::from(
                    json!({"grant_type": "client_credentials", "client_id": DEFAULT_CLIENT_ID,
                        "client_secret": DEFAULT_CLIENT_SECRET,
                        "audience": "https://tenant.example/api/v2/"})
                    .to_string(),
                ))
                .expect("request");
            let answer = emulator.send(request).await.expect("token");
            let body: Value = serde_json::from_slice(answer.body()).expect("json");
            body["access_token"].as_str().expect("a token").to_owned()
        };
        let before = serialized(&emulator);
        let patch = json!({"user_metadata": {"plan": "pro"}});
        assert_eq!(
            call(
                &emulator,
                "PATCH",
                "/api/v2/users/auth0%7Cu7",
                &token,
                patch
            )
            .await,
            200
        );
        assert_eq!(
            serialized(&emulator) - before,
            3,
            "a PATCH serializes ids, connections and blocks only"
        );
        let before = serialized(&emulator);
        let roles = emulator
            .export()
            .pointer("/tenant/roles/0/id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .expect("the seeded role");
        let assign = json!({"roles": [roles]});
        let path = "/api/v2/users/auth0%7Cu8/roles";
        assert!(call(&emulator, "POST", path, &token, assign).await < 300);
        assert_eq!(
            serialized(&emulator) - before,
            4,
            "a role assignment serializes the tenant group too"
        );
        drop(emulator);
        let _ = std::fs::remove_dir_all(dir);
    }
}
