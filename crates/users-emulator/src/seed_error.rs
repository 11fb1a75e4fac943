//! Why a seed document was refused.

use crate::persist::StateFileError;

/// Why [`Emulator::seed`](crate::Emulator::seed) added nothing, or could not save what it
/// added. Its `Display` is the message `POST /__emulator/seed` answers with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The document as a whole is unusable (not a JSON object); nothing was added.
    #[error("{reason}")]
    Document {
        /// What is wrong with it.
        reason: String,
    },
    /// The first invalid entry; nothing was added.
    #[error("{entry}: {reason}")]
    Entry {
        /// Where it is in the document: `users[3]`, `connections`, `blocks`, `roles[0]`, ...
        entry: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The document was applied in memory but the state file could not be written.
    #[error(transparent)]
    StateFile(#[from] StateFileError),
}

impl SeedError {
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

    /// A section's message of the form `<entry>: <reason>` (e.g. `organizations[2]: no user x`),
    /// as the seed stages of the tenant and MFA state write them; a message without an entry
    /// prefix concerns the document.
    pub(crate) fn prefixed(message: String) -> Self {
        match message.split_once(": ") {
            Some((entry, reason)) if !entry.is_empty() && !entry.contains(' ') => {
                Self::entry(entry, reason)
            }
            _ => Self::Document { reason: message },
        }
    }

    /// The invalid entry's place in the document (`users[3]`, `blocks`, `roles[0]`, ...), when
    /// one entry is at fault.
    pub fn entry_path(&self) -> Option<&str> {
        match self {
            Self::Entry { entry, .. } => Some(entry),
            _ => None,
        }
    }
}
