//! The `--state FILE` store: the tenant in one SQLite database (WAL mode), written per record.
//!
//! Tables (open the file with the `sqlite3` shell to inspect them):
//! - `meta(key, value)`: `format` = [`FORMAT`], `schema_version` = [`SCHEMA_VERSION`].
//! - `users(seq, user_id, body)`: one row per user, `body` the stored user as JSON; `seq` is
//!   the creation order lists use (see `state::changes`), `user_id` is indexed.
//! - `logs(pos, log_id, body)`: one row per tenant log event, oldest first.
//! - `groups(name, body)`: one row per group of operations (`ids`, `connections`, `blocks`,
//!   `mfa`, `tenant` without its logs, `sessions`), each written only when its JSON changed;
//!   `mfa`, `tenant` and `sessions` are serialized only after a mutable access
//!   (`state::changes::Tracked`).
//!
//! A write commits only the rows it changed. Writes are committed in groups (`group`): one
//! committer thread writes every batch queued since its last commit in one transaction, and
//! each write is answered once the transaction carrying it committed. `synchronous=NORMAL` with WAL:
//! a commit is in the operating system's cache when the response is sent, so a killed process
//! (`kill -9`) loses nothing acknowledged and the database always opens; only a power failure
//! can lose the last commits (never corrupt the file), which is the trade an emulator wants for
//! writes that do not wait for the disk.

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use crate::persist::{StateFile, StateFileError};
use crate::state::{SNAPSHOT_VERSION, State, StoredUser};

mod group;
mod open;

pub(crate) use group::{GroupCommit, Ticket};

/// The `meta.format` value of an emulator store.
pub(crate) const FORMAT: &str = "users-emulator-store";
/// The schema this emulator reads and writes.
pub(crate) const SCHEMA_VERSION: i64 = 2;
/// How long a commit waits for a lock taken by another connection (e.g. a `sqlite3` shell in
/// a write transaction) before it fails.
const BUSY_TIMEOUT_MS: u64 = 1000;
/// The page cache, in KiB as `PRAGMA cache_size` takes it (negative: a size, not a page count).
const CACHE_KIB: i64 = -16 * 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (seq INTEGER PRIMARY KEY, user_id TEXT, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS users_by_id ON users (user_id);
CREATE TABLE IF NOT EXISTS logs (pos INTEGER PRIMARY KEY, log_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS groups (name TEXT PRIMARY KEY, body TEXT NOT NULL);
";

/// The groups stored as one row each, in load order.
const GROUPS: [&str; 6] = ["ids", "connections", "blocks", "mfa", "tenant", "sessions"];

/// An open store, locked by this process for its lifetime.
pub(crate) struct Store {
    path: PathBuf,
    // Field order matters: the connection closes before the lock file handle, so SQLite's own
    // locks are released by SQLite, never by closing another descriptor of the same file.
    conn: Connection,
    _lock: File,
    /// What the store holds once every prepared batch is committed (see [`View`]).
    view: View,
}

/// What the store holds, as far as preparing the next batch needs to know: each group's JSON
/// and the log's extent. [`View::prepare`] advances it to include the batch it returns, so a
/// batch is prepared against every batch before it whether or not those are committed yet
/// (group commit); a failed commit is followed by [`Store::load`], which resets it.
#[derive(Debug, Default)]
pub(crate) struct View {
    path: PathBuf,
    /// Each group's JSON.
    groups: HashMap<&'static str, String>,
    /// The log: how many events, the last one's id, and the next position. The log is only
    /// appended to and dropped from the front, so its rows always have the positions
    /// `next_log_pos - log_len .. next_log_pos`.
    log_len: usize,
    log_tail: Option<String>,
    next_log_pos: i64,
    /// How many group bodies were serialized (to see what a write costs; tests read it).
    serialized_groups: u64,
}

/// A user row: its id (for people reading the table) and its JSON.
type UserRow = (Option<String>, String);

/// The rows one write changes, prepared under the state lock and committed after it.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    replace_users: bool,
    /// `seq` → the user's id and JSON, or `None` to delete the row.
    users: Vec<(u64, Option<UserRow>)>,
    groups: Vec<(&'static str, String)>,
    /// Rewrite the logs table with these (`log_id`, JSON), or `None` when unchanged.
    logs: Option<LogChange>,
}

/// How the logs table follows the log: rows below a position deleted, new events appended.
#[derive(Debug, Default)]
struct LogChange {
    /// Delete the rows whose position is below this (`i64::MAX`: every row).
    delete_below: i64,
    /// The events appended, (`log_id`, JSON), oldest first.
    added: Vec<(String, String)>,
    /// The position of the first added event.
    first_pos: i64,
    /// The log's length and last id once committed.
    len: usize,
    tail: Option<String>,
}

impl Batch {
    /// Whether committing would write nothing.
    pub(crate) fn is_empty(&self) -> bool {
        !self.replace_users
            && self.users.is_empty()
            && self.groups.is_empty()
            && self.logs.is_none()
    }
}

fn db_error(path: &Path, error: impl std::error::Error + Send + Sync + 'static) -> StateFileError {
    StateFileError::Database {
        path: path.to_owned(),
        source: Box::new(error),
    }
}

fn json<T: serde::Serialize>(path: &Path, value: &T) -> Result<String, StateFileError> {
    serde_json::to_string(value).map_err(|e| db_error(path, e))
}

impl Store {
    /// Opens (or creates) the store at `path`, locks it, and reads the tenant: `None` for a new
    /// store. An older JSON state file is converted (the original kept as `FILE.v1.json`).
    pub(crate) fn open(path: &Path) -> Result<(Self, Option<State>), StateFileError> {
        open::open(path)
    }

    fn from_connection(path: &Path, conn: Connection, lock: File) -> Result<Self, StateFileError> {
        conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
            .map_err(|e| db_error(path, e))?;
        Ok(Self {
            path: path.to_owned(),
            conn,
            _lock: lock,
            view: View {
                path: path.to_owned(),
                ..View::default()
            },
        })
    }

    fn err(&self, error: impl std::error::Error + Send + Sync + 'static) -> StateFileError {
        db_error(&self.path, error)
    }

    /// Checks that the database is an emulator store of this schema (a new, empty database
    /// becomes one), then sets WAL mode. Returns whether it held a store already. Nothing is
    /// written to a database that is refused.
    fn check_meta(&self) -> Result<bool, StateFileError> {
        let tables: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        let existed = tables > 0;
        if existed {
            let meta = |key: &str| -> Option<String> {
                self.conn
                    .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                    .ok()
            };
            match (meta("format").as_deref(), meta("schema_version")) {
                (Some(FORMAT), Some(v)) if v == SCHEMA_VERSION.to_string() => {}
                (Some(FORMAT), Some(v)) => {
                    return Err(self.corrupt(&format!(
                        "store schema version {v} (this emulator reads {SCHEMA_VERSION})"
                    )));
                }
                _ => return Err(self.corrupt("a SQLite database that is not an emulator store")),
            }
        }
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| self.err(e))?;
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| self.err(e))?;
        // 16 MiB of page cache (SQLite's default is 2 MiB): writes to random users of a large
        // tenant then find most B-tree pages in the cache instead of reading them back.
        self.conn
            .pragma_update(None, "cache_size", CACHE_KIB)
            .map_err(|e| self.err(e))?;
        if !existed {
            self.conn.execute_batch(SCHEMA).map_err(|e| self.err(e))?;
            self.conn
                .execute(
                    "INSERT INTO meta (key, value) VALUES ('format', ?1), ('schema_version', ?2)",
                    params![FORMAT, SCHEMA_VERSION.to_string()],
                )
                .map_err(|e| self.err(e))?;
        }
        Ok(existed)
    }

    fn corrupt(&self, reason: &str) -> StateFileError {
        StateFileError::Corrupt {
            path: self.path.clone(),
            reason: reason.to_owned(),
        }
    }

    /// Reads the whole tenant (at start, and to undo a failed commit).
    pub(crate) fn load(&mut self) -> Result<State, StateFileError> {
        let mut state = State::new(0, Vec::new());
        let mut groups = HashMap::new();
        {
            let mut query = self
                .conn
                .prepare("SELECT name, body FROM groups")
                .map_err(|e| self.err(e))?;
            let rows = query
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .map_err(|e| self.err(e))?;
            for row in rows {
                let (name, body) = row.map_err(|e| self.err(e))?;
                if let Some(known) = GROUPS.iter().find(|g| **g == name) {
                    groups.insert(*known, body);
                }
            }
        }
        let bad = |what: &str, e: serde_json::Error| StateFileError::Corrupt {
            path: self.path.clone(),
            reason: format!("{what}: {e}"),
        };
        for (name, body) in &groups {
            match *name {
                "ids" => state.ids = serde_json::from_str(body).map_err(|e| bad(name, e))?,
                "connections" => {
                    state.connections = serde_json::from_str(body).map_err(|e| bad(name, e))?;
                }
                "blocks" => state.blocks = serde_json::from_str(body).map_err(|e| bad(name, e))?,
                "mfa" => state.mfa = serde_json::from_str(body).map_err(|e| bad(name, e))?,
                "tenant" => state.tenant = serde_json::from_str(body).map_err(|e| bad(name, e))?,
                _ => state.sessions = serde_json::from_str(body).map_err(|e| bad(name, e))?,
            }
        }
        let mut users: Vec<(u64, StoredUser)> = Vec::new();
        {
            let mut query = self
                .conn
                .prepare("SELECT seq, body FROM users ORDER BY seq")
                .map_err(|e| self.err(e))?;
            let mut rows = query.query([]).map_err(|e| self.err(e))?;
            while let Some(row) = rows.next().map_err(|e| self.err(e))? {
                let seq: i64 = row.get(0).map_err(|e| self.err(e))?;
                let body: &str = row
                    .get_ref(1)
                    .and_then(|v| Ok(v.as_str()?))
                    .map_err(|e| self.err(e))?;
                let user: StoredUser =
                    serde_json::from_str(body).map_err(|e| bad(&format!("user {seq}"), e))?;
                users.push((u64::try_from(seq).unwrap_or(0), user));
            }
        }
        let mut next_log_pos = 0;
        let mut log_tail = None;
        {
            let mut query = self
                .conn
                .prepare("SELECT pos, log_id, body FROM logs ORDER BY pos")
                .map_err(|e| self.err(e))?;
            let mut rows = query.query([]).map_err(|e| self.err(e))?;
            while let Some(row) = rows.next().map_err(|e| self.err(e))? {
                let pos: i64 = row.get(0).map_err(|e| self.err(e))?;
                let log_id: String = row.get(1).map_err(|e| self.err(e))?;
                let body: &str = row
                    .get_ref(2)
                    .and_then(|v| Ok(v.as_str()?))
                    .map_err(|e| self.err(e))?;
                let event = serde_json::from_str(body).map_err(|e| bad("log event", e))?;
                state.tenant.logs.push_back(event);
                log_tail = Some(log_id);
                next_log_pos = pos.saturating_add(1);
            }
        }
        state.version = SNAPSHOT_VERSION;
        state.set_users(users);
        state.tracking_mut().enable();
        let log_len = state.tenant.logs.len();
        self.view = View {
            path: self.path.clone(),
            groups,
            log_len,
            log_tail: log_tail.filter(|_| log_len > 0),
            next_log_pos,
            serialized_groups: 0,
        };
        Ok(state)
    }

    /// What `state` changed since the last prepared batch (drains its change tracking), for
    /// [`Store::commit`]; see [`View::prepare`].
    pub(crate) fn prepare(&mut self, state: &mut State) -> Result<Batch, StateFileError> {
        self.view.prepare(state)
    }

    /// The store's file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Hands the view over to whoever prepares batches from now on (the group commit).
    pub(crate) fn take_view(&mut self) -> View {
        std::mem::take(&mut self.view)
    }
}

impl View {
    /// What `state` changed since the last batch this view prepared (drains its change
    /// tracking), and advances the view past it. Runs under the state lock: it serializes only
    /// the changed users, the groups and the new log events.
    pub(crate) fn prepare(&mut self, state: &mut State) -> Result<Batch, StateFileError> {
        let drained = state.tracking_mut().drain();
        state.tracking_mut().enable();
        let mut batch = Batch {
            replace_users: drained.replaced,
            ..Batch::default()
        };
        let row = |stored: &StoredUser| -> Result<UserRow, StateFileError> {
            Ok((stored.user.user_id.clone(), json(&self.path, stored)?))
        };
        if drained.replaced {
            for (seq, stored) in state.users_with_seqs() {
                batch.users.push((seq, Some(row(stored)?)));
            }
        } else {
            for seq in drained.touched {
                let value = state.user_by_seq(seq).map(row).transpose()?;
                batch.users.push((seq, value));
            }
        }
        // The tenant's row holds everything but its log, whose rows are written on their own.
        let logs = std::mem::take(&mut state.tenant.untracked_mut().logs);
        // The large groups are serialized only when something took them mutably since the
        // last batch: a write that never touched them costs nothing for them.
        let (mfa, tenant, sessions) = (
            state.mfa.take_changed(),
            state.tenant.take_changed(),
            state.sessions.take_changed(),
        );
        let bodies = [
            ("ids", Some(json(&self.path, &state.ids))),
            ("connections", Some(json(&self.path, &state.connections))),
            ("blocks", Some(json(&self.path, &state.blocks))),
            ("mfa", mfa.then(|| json(&self.path, &state.mfa))),
            ("tenant", tenant.then(|| json(&self.path, &state.tenant))),
            (
                "sessions",
                sessions.then(|| json(&self.path, &state.sessions)),
            ),
        ];
        state.tenant.untracked_mut().logs = logs;
        for (name, body) in bodies {
            let Some(body) = body.transpose()? else {
                continue;
            };
            self.serialized_groups = self.serialized_groups.saturating_add(1);
            if self.groups.get(name) != Some(&body) {
                batch.groups.push((name, body));
            }
        }
        batch.logs = self.log_change(&state.tenant.logs, drained.replaced)?;
        for (name, body) in &batch.groups {
            self.groups.insert(name, body.clone());
        }
        if let Some(change) = &batch.logs {
            self.log_len = change.len;
            self.log_tail = change.tail.clone();
            self.next_log_pos = change
                .first_pos
                .saturating_add(i64::try_from(change.added.len()).unwrap_or(i64::MAX));
        }
        Ok(batch)
    }

    /// The log events added and dropped since the last commit, found from the back: the
    /// events after the last committed one are new, and as many of the oldest rows go as the
    /// log has dropped. Costs the number of new events, not the log's length. A log that no
    /// longer holds the last committed event (a reset), or of a state replaced whole (an
    /// import, whose events may repeat committed ids over another history), is rewritten whole.
    fn log_change(
        &self,
        logs: &VecDeque<users_model::LogEvent>,
        replaced: bool,
    ) -> Result<Option<LogChange>, StateFileError> {
        let id_of = |event: &users_model::LogEvent| event.log_id.clone().unwrap_or_default();
        let last = logs.back().map(id_of);
        if !replaced && logs.len() == self.log_len && last == self.log_tail {
            return Ok(None);
        }
        let committed = match &self.log_tail {
            _ if replaced => None,
            None => Some(0),
            Some(tail) => logs
                .iter()
                .rposition(|e| e.log_id.as_deref().unwrap_or_default() == tail)
                .map(|at| at + 1),
        };
        let (delete_below, first_new) = match committed {
            Some(kept) => {
                let kept_rows = i64::try_from(kept).unwrap_or(i64::MAX);
                (self.next_log_pos.saturating_sub(kept_rows), kept)
            }
            None => (i64::MAX, 0),
        };
        let mut added = Vec::with_capacity(logs.len().saturating_sub(first_new));
        for event in logs.iter().skip(first_new) {
            added.push((id_of(event), json(&self.path, event)?));
        }
        Ok(Some(LogChange {
            delete_below,
            added,
            first_pos: self.next_log_pos,
            len: logs.len(),
            tail: last,
        }))
    }
}

impl Store {
    /// Writes `batch` in one transaction; on failure nothing changed in the database, and the
    /// caller must [`Store::load`] (the view already counts the batch as written).
    pub(crate) fn commit(&mut self, batch: Batch) -> Result<(), StateFileError> {
        self.commit_all(std::slice::from_ref(&batch))
    }

    /// Writes `batches` (in the order they were prepared) in one transaction: all or nothing.
    pub(crate) fn commit_all(&mut self, batches: &[Batch]) -> Result<(), StateFileError> {
        if batches.iter().all(Batch::is_empty) {
            return Ok(());
        }
        let path = self.path.clone();
        let err = |e: rusqlite::Error| db_error(&path, e);
        let tx = self.conn.transaction().map_err(err)?;
        for batch in batches {
            write_batch(&tx, batch).map_err(err)?;
        }
        tx.commit().map_err(err)
    }
}

/// The statements of one batch, inside the caller's transaction.
fn write_batch(tx: &rusqlite::Transaction<'_>, batch: &Batch) -> rusqlite::Result<()> {
    if batch.replace_users {
        tx.execute("DELETE FROM users", [])?;
    }
    // A changed user whose id stayed the same (most writes) only rewrites its body, which
    // leaves the id index alone; a new user or a new id replaces the row.
    let mut update =
        tx.prepare_cached("UPDATE users SET body = ?3 WHERE seq = ?1 AND user_id IS ?2")?;
    let mut upsert =
        tx.prepare_cached("INSERT OR REPLACE INTO users (seq, user_id, body) VALUES (?1, ?2, ?3)")?;
    let mut delete = tx.prepare_cached("DELETE FROM users WHERE seq = ?1")?;
    for (seq, row) in &batch.users {
        let seq = i64::try_from(*seq).unwrap_or(i64::MAX);
        match row {
            Some((user_id, body)) => {
                if update.execute(params![seq, user_id, body])? == 0 {
                    upsert.execute(params![seq, user_id, body])?;
                }
            }
            None => {
                delete.execute(params![seq])?;
            }
        }
    }
    let mut group =
        tx.prepare_cached("INSERT OR REPLACE INTO groups (name, body) VALUES (?1, ?2)")?;
    for (name, body) in &batch.groups {
        group.execute(params![name, body])?;
    }
    if let Some(change) = &batch.logs {
        tx.prepare_cached("DELETE FROM logs WHERE pos < ?1")?
            .execute(params![change.delete_below])?;
        let mut insert =
            tx.prepare_cached("INSERT INTO logs (pos, log_id, body) VALUES (?1, ?2, ?3)")?;
        let mut pos = change.first_pos;
        for (id, body) in &change.added {
            insert.execute(params![pos, id, body])?;
            pos = pos.saturating_add(1);
        }
    }
    Ok(())
}

/// Lowers the calling thread's scheduling priority (nice 10, Linux: per thread), for the
/// store's committer thread: on a machine with few cores, the threads that answer requests
/// (reads above all) then run first when they compete with a commit for a core. Best effort:
/// where it is refused the thread keeps its priority.
pub(crate) fn yield_to_request_threads() {
    #[cfg(target_os = "linux")]
    {
        let _ = rustix::process::setpriority_process(None, 10);
    }
}

/// Reads the first bytes of `path` (fewer when it is shorter); `None` when it does not exist.
fn header(path: &Path) -> Result<Option<Vec<u8>>, StateFileError> {
    let io = |source: io::Error| StateFileError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    let mut bytes = Vec::with_capacity(16);
    file.by_ref().take(16).read_to_end(&mut bytes).map_err(io)?;
    Ok(Some(bytes))
}

/// Opens `path` for locking, creating it when missing.
fn lock_file(path: &Path) -> Result<File, StateFileError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|source| StateFileError::Io {
            path: path.to_owned(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(StateFileError::Locked {
            path: path.to_owned(),
        }),
        Err(fs::TryLockError::Error(source)) => Err(StateFileError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Reads a JSON state file written by an older emulator (snapshot version 1).
fn legacy(path: &Path) -> Result<State, StateFileError> {
    StateFile::new(path.to_owned())
        .load()?
        .ok_or_else(|| StateFileError::Io {
            path: path.to_owned(),
            source: io::Error::new(io::ErrorKind::NotFound, "the state file disappeared"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::IdGenerator;
    use crate::state::tenant::logs::{Event, MAX_EVENTS, Origin};
    use proptest::prelude::*;

    /// A fresh store in a directory of its own, removed when dropped.
    struct TempStore {
        dir: PathBuf,
        path: PathBuf,
    }

    impl TempStore {
        fn new(name: &str) -> Self {
            let dir = users_fixtures::temp_dir(&format!("store-{name}"));
            let path = dir.join("state.db");
            Self { dir, path }
        }
    }

    impl Drop for TempStore {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }

    fn append(state: &mut State, ids: &mut IdGenerator, count: usize) {
        for n in 0..count {
            let event = Event {
                event_type: "sapi",
                description: "Update a User",
                user_id: Some("auth0|1"),
                user_name: None,
                details: None,
            };
            let now = 1_700_000_000_000_i64.saturating_add(i64::try_from(n).unwrap_or(0));
            state.tenant.log(ids, now, &Origin::default(), event);
        }
    }

    fn commit(store: &mut Store, state: &mut State) {
        let batch = store.prepare(state).expect("prepares");
        store.commit(batch).expect("commits");
    }

    fn rows(store: &Store) -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM logs", [], |r| r.get(0))
            .expect("counts")
    }

    /// Commits after each step of `steps` (`Some(n)`: append n events, `None`: clear the log
    /// as a reset does) and checks that the store reads back exactly the log in memory.
    fn check_log_steps(name: &str, steps: &[Option<usize>]) {
        let temp = TempStore::new(name);
        let (mut store, loaded) = Store::open(&temp.path).expect("opens");
        assert!(loaded.is_none());
        let mut state = State::new(1, Vec::new());
        let mut ids = IdGenerator::new(7);
        commit(&mut store, &mut state);
        for step in steps {
            match step {
                Some(count) => append(&mut state, &mut ids, *count),
                None => state.tenant.logs.clear(),
            }
            commit(&mut store, &mut state);
            assert_eq!(
                rows(&store),
                i64::try_from(state.tenant.logs.len()).unwrap_or(-1)
            );
            let back = store.load().expect("reads back");
            assert_eq!(back.tenant.logs, state.tenant.logs, "after {step:?}");
        }
    }

    #[test]
    fn a_full_log_commits_only_its_new_events_and_drops_its_oldest_rows() {
        check_log_steps(
            "full-log",
            &[
                Some(MAX_EVENTS - 2),
                Some(1),
                Some(5),
                Some(0),
                Some(MAX_EVENTS + 3),
                Some(2),
            ],
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn the_stored_log_always_reads_back_as_the_log_in_memory(
            steps in proptest::collection::vec(
                prop_oneof![4 => (0usize..40).prop_map(Some), 1 => Just(None)],
                1..12,
            )
        ) {
            check_log_steps("log-steps", &steps);
        }
    }
}
