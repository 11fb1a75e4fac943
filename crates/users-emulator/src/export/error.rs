//! Why an import was refused.

use std::path::PathBuf;

use crate::persist::StateFileError;
use crate::seed_error::SeedError;

/// Why [`Emulator::import`](crate::Emulator::import) or
/// [`Emulator::open_import`](crate::Emulator::open_import) imported nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The document as a whole is unusable (not a JSON object).
    #[error("{reason}")]
    Document {
        /// What is wrong with it.
        reason: String,
    },
    /// The first invalid part of an export document.
    #[error("{entry}: {reason}")]
    Entry {
        /// Where it is in the document: `format`, `version`, `users[3]`, `blocks[0]`,
        /// `mfa.users.auth0|1`, `sessions.sessions[2]`, ...
        entry: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A seed document (one without `format`) was refused.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// The store already holds a tenant: an import only fills a new store, it never replaces
    /// or merges into a kept tenant.
    #[error(
        "state file {path} already holds a tenant; an import only fills a new store, so nothing \
         was imported"
    )]
    StoreNotNew {
        /// The state file.
        path: PathBuf,
    },
    /// The store could not be opened or the imported tenant could not be committed to it.
    #[error(transparent)]
    StateFile(#[from] StateFileError),
}

impl ImportError {
    pub(crate) fn document(reason: impl Into<String>) -> Self {
        Self::Document {
            reason: reason.into(),
        }
    }

    pub(crate) fn entry(entry: impl Into<String>, reason: impl ToString) -> Self {
        Self::Entry {
            entry: entry.into(),
            reason: reason.to_string(),
        }
    }

    /// The invalid part's place in the document (`users[3]`, `version`, ...), when one part is
    /// at fault (of an export document or of a seed document).
    pub fn entry_path(&self) -> Option<&str> {
        match self {
            Self::Entry { entry, .. } => Some(entry),
            Self::Seed(seed) => seed.entry_path(),
            _ => None,
        }
    }
}
