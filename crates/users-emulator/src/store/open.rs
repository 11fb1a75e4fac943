//! Opening a store: the process lock, recognising the file, converting an older JSON state
//! file, and removing what an interrupted older write left behind.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{Store, db_error, header, legacy, lock_file};
use crate::persist::StateFileError;
use crate::state::State;

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// `FILE` + `suffix`, next to it.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "state".into());
    name.push(suffix);
    path.with_file_name(name)
}

/// Removes the temporary files an interrupted write may have left: the older emulator's
/// `FILE.tmp-<pid>` and an unfinished conversion `FILE.converting`. Called with the lock held.
fn clean_leftovers(path: &Path) {
    let _ = fs::remove_file(sibling(path, ".converting"));
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut prefix = name.to_os_string();
    prefix.push(".tmp-");
    let prefix = prefix.to_string_lossy().into_owned();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

pub(super) fn open(path: &Path) -> Result<(Store, Option<State>), StateFileError> {
    let lock = lock_file(path)?;
    clean_leftovers(path);
    let head = header(path)?.unwrap_or_default();
    if head.is_empty() || head.starts_with(SQLITE_MAGIC) {
        let conn = Connection::open(path).map_err(|e| db_error(path, e))?;
        let mut store = Store::from_connection(path, conn, lock)?;
        if !store.check_meta()? {
            return Ok((store, None));
        }
        let state = store.load()?;
        return Ok((store, Some(state)));
    }
    if head.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(StateFileError::Corrupt {
            path: path.to_owned(),
            reason: "neither an emulator store (SQLite) nor an older JSON state file".into(),
        });
    }
    convert(path, lock)
}

/// Converts an older JSON state file: the store is built beside it, the original is kept as
/// `FILE.v1.json`, and a rename puts the store in place. Interrupted at any point, the next
/// open finds either the JSON file (and converts again) or the finished store.
fn convert(path: &Path, json_lock: fs::File) -> Result<(Store, Option<State>), StateFileError> {
    let mut state = legacy(path)?;
    let io = |source| StateFileError::Io {
        path: path.to_owned(),
        source,
    };
    fs::copy(path, sibling(path, ".v1.json")).map_err(io)?;
    let converting = sibling(path, ".converting");
    let _ = fs::remove_file(&converting);
    {
        let conn = Connection::open(&converting).map_err(|e| db_error(path, e))?;
        let new_lock = lock_file(&converting)?;
        let mut store = Store::from_connection(path, conn, new_lock)?;
        store.check_meta()?;
        state.tracking_mut().replace_all();
        let batch = store.prepare(&mut state)?;
        store.commit(batch)?;
        // Fold the WAL into the database file so that the rename moves everything.
        store
            .conn
            .pragma_update(None, "journal_mode", "DELETE")
            .map_err(|e| db_error(path, e))?;
    }
    // The new file is locked before it takes the name, so no other process can open it unlocked.
    let lock = lock_file(&converting)?;
    fs::rename(&converting, path).map_err(io)?;
    drop(json_lock);
    let conn = Connection::open(path).map_err(|e| db_error(path, e))?;
    let mut store = Store::from_connection(path, conn, lock)?;
    store.check_meta()?;
    let state = store.load()?;
    Ok((store, Some(state)))
}
