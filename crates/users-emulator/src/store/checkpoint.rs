//! Checkpoints off the commit path. In WAL mode a commit appends to `FILE-wal`; a checkpoint
//! copies those pages into the database file and flushes it to disk, which takes milliseconds.
//! SQLite runs one inside a commit every 1,000 pages by default, and every write queued behind
//! that commit waits for it. Here the committer's connection never checkpoints; this thread
//! does, on its own connection, with `PASSIVE` checkpoints that never block a commit. Nothing
//! about durability changes: a committed transaction is in the WAL whether or not it has been
//! copied yet, and SQLite reads the WAL on open.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use crate::persist::StateFileError;

/// Commits between two checkpoint requests (a commit of one user is about four pages).
pub(crate) const COMMITS_PER_CHECKPOINT: u64 = 128;

/// The checkpoint thread and how to wake it.
pub(crate) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Flags {
    due: bool,
    closing: bool,
}

struct Shared {
    flags: Mutex<Flags>,
    wake: Condvar,
}

fn lock(mutex: &Mutex<Flags>) -> MutexGuard<'_, Flags> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Checkpointer {
    /// Opens a second connection to the store at `path` and starts the thread.
    ///
    /// # Errors
    /// When the connection cannot be opened or the thread cannot start.
    pub(crate) fn start(path: &Path) -> Result<Self, StateFileError> {
        let err = |source: Box<dyn std::error::Error + Send + Sync>| StateFileError::Database {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open(path).map_err(|e| err(Box::new(e)))?;
        conn.busy_timeout(Duration::from_millis(super::BUSY_TIMEOUT_MS))
            .map_err(|e| err(Box::new(e)))?;
        let shared = Arc::new(Shared {
            flags: Mutex::new(Flags::default()),
            wake: Condvar::new(),
        });
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("users-emulator-checkpoint".into())
            .spawn(move || {
                super::yield_to_request_threads();
                for_thread.run(&conn);
            })
            .map_err(|e| err(Box::new(e)))?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    /// Asks for a checkpoint (several requests before it runs make one).
    pub(crate) fn request(&self) {
        lock(&self.shared.flags).due = true;
        self.shared.wake.notify_one();
    }
}

impl Drop for Checkpointer {
    /// Stops the thread and closes its connection.
    fn drop(&mut self) {
        lock(&self.shared.flags).closing = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Shared {
    fn run(&self, conn: &Connection) {
        loop {
            {
                let mut flags = lock(&self.flags);
                while !flags.due && !flags.closing {
                    flags = self
                        .wake
                        .wait(flags)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                if flags.closing {
                    return;
                }
                flags.due = false;
            }
            // Busy or failed: the WAL keeps the pages, and the next request copies them.
            if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::debug!(%error, "state store checkpoint deferred");
            }
        }
    }
}
