//! The JSON state file of older emulator versions (snapshot version 1): read once, to convert
//! it into a store (see `store`), and the errors of opening a state file.

use std::fs;
use std::io;
use std::path::PathBuf;

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
    /// Another process has the store open.
    #[error("state file {path} is in use by another emulator process")]
    Locked {
        /// The state file.
        path: PathBuf,
    },
    /// The database could not be read or written.
    #[error("state file {path}: {source}")]
    Database {
        /// The state file.
        path: PathBuf,
        /// The database failure.
        source: Box<dyn std::error::Error + Send + Sync>,
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
}
