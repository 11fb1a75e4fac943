//! The `--state FILE` snapshot: loaded at start, written atomically after every change.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::state::{SNAPSHOT_VERSION, State};

/// Why a state file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateFileError {
    /// The file exists but could not be read, or could not be written.
    #[error("state file {path}: {source}")]
    Io {
        /// The state file.
        path: PathBuf,
        /// The I/O failure.
        source: io::Error,
    },
    /// The file is not a snapshot this emulator wrote.
    #[error("state file {path} is corrupt or not an emulator snapshot: {reason}")]
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// A state file path.
#[derive(Debug, Clone)]
pub(crate) struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: io::Error) -> StateFileError {
        StateFileError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// The stored state; `None` when the file does not exist (a fresh start).
    pub(crate) fn load(&self) -> Result<Option<State>, StateFileError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io(e)),
        };
        let mut state: State =
            serde_json::from_slice(&bytes).map_err(|e| StateFileError::Corrupt {
                path: self.path.clone(),
                reason: e.to_string(),
            })?;
        if state.version != SNAPSHOT_VERSION {
            return Err(StateFileError::Corrupt {
                path: self.path.clone(),
                reason: format!(
                    "snapshot version {} (this emulator reads {SNAPSHOT_VERSION})",
                    state.version
                ),
            });
        }
        state.reindex();
        state.adopt_legacy_apis();
        Ok(Some(state))
    }

    /// Writes `state` atomically: a temporary file in the same directory, fsync, rename, then
    /// fsync of the directory so the rename itself is durable.
    pub(crate) fn save(&self, state: &State) -> Result<(), StateFileError> {
        let bytes = serde_json::to_vec_pretty(state).map_err(|e| self.io(io::Error::other(e)))?;
        let mut temp_name = self
            .path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "state".into());
        temp_name.push(format!(".tmp-{}", std::process::id()));
        let temp = self.path.with_file_name(temp_name);
        let write = || -> io::Result<()> {
            let mut file = File::create(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            drop(file);
            fs::rename(&temp, &self.path)?;
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                // Not every platform can open a directory for syncing; the rename is done.
                if let Ok(dir) = File::open(dir) {
                    let _ = dir.sync_all();
                }
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&temp);
            self.io(e)
        })
    }
}
