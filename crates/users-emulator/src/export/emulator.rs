//! Export and import on [`Emulator`]: the document, a file written atomically, and a tenant
//! read back, in memory or into a new store.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::{ImportError, document, tenant_from};
use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::emulator::{Emulator, lock};
use crate::store::Store;

impl Emulator {
    /// The whole tenant as an export document (what `GET /__emulator/export` answers, see the
    /// README): users with their password hashes, connections, blocks, the id generator, MFA
    /// records, roles, resource servers, organizations, logs, sessions and refresh tokens.
    /// [`Emulator::import`] reads it back.
    ///
    /// ```
    /// use serde_json::json;
    /// use users_emulator::{Emulator, EmulatorConfig};
    ///
    /// let emulator = Emulator::new(EmulatorConfig::default());
    /// emulator.seed(&json!({"users": [{"connection": "Username-Password-Authentication",
    ///     "user_id": "auth0|1", "email": "a@example.com", "password": "pw"}]}))?;
    /// let export = emulator.export();
    /// assert_eq!(export["format"], "users-emulator-export");
    /// assert_eq!(export["users"][0]["user_id"], "auth0|1");
    ///
    /// let copy = Emulator::new(EmulatorConfig::default());
    /// copy.import(&export)?;
    /// assert_eq!(copy.export(), export);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn export(&self) -> Value {
        document(&lock(&self.inner.state))
    }

    /// Writes [`Emulator::export`] to `path` atomically: a temporary file in the same
    /// directory is written, flushed to disk and renamed over `path`, then the directory is
    /// flushed, so `path` holds either its old content or the whole export (the temporary file
    /// is removed on failure). On Unix the file is readable by its owner only: it holds
    /// password hashes. Returns the number of users written.
    ///
    /// # Errors
    /// The I/O failure (the directory does not exist or is not writable, the disk is full, ...).
    pub fn export_to(&self, path: impl AsRef<Path>) -> io::Result<usize> {
        let document = self.export();
        let count = document
            .get("users")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let mut bytes = serde_json::to_vec_pretty(&document).map_err(io::Error::other)?;
        bytes.push(b'\n');
        write_atomically(path.as_ref(), &bytes)?;
        Ok(count)
    }

    /// Replaces the tenant with the one `document` describes: an export document exactly, or a
    /// seed document (no `format` key) seeded into an empty tenant as `--seed` does. The
    /// document is checked completely first, so the tenant is replaced whole or not at all;
    /// with a store the new tenant is committed like any other write. Faults and the
    /// rate-limit bucket are not part of a tenant and stay as they are. Returns the number of
    /// users imported.
    ///
    /// # Errors
    /// [`ImportError`] naming the first invalid part of the document (nothing changed), or the
    /// store's failure to commit (the tenant is then the one before the import).
    pub fn import(&self, document: &Value) -> Result<usize, ImportError> {
        let imported = tenant_from(document, &self.inner.config, self.inner.clock.now_millis())?;
        let count = imported.users().len();
        self.write(move |state| *state = imported)?;
        Ok(count)
    }

    /// [`Emulator::open`] for a store that must be new: the tenant `document` describes (as
    /// [`Emulator::import`] reads it) is committed to it before the emulator serves anything.
    /// The document is checked before the store is touched.
    ///
    /// # Errors
    /// [`ImportError::StoreNotNew`] when the store already holds a tenant (nothing is written:
    /// an import never overwrites or merges into a kept tenant), an invalid document, or the
    /// store's failure to open or commit.
    pub fn open_import(
        config: EmulatorConfig,
        clock: Arc<dyn Clock>,
        path: impl Into<PathBuf>,
        document: &Value,
    ) -> Result<Self, ImportError> {
        let path = path.into();
        let mut state = tenant_from(document, &config, clock.now_millis())?;
        let (mut store, loaded) = Store::open(&path)?;
        if loaded.is_some() {
            return Err(ImportError::StoreNotNew { path });
        }
        let batch = store.prepare(&mut state)?;
        store.commit(batch)?;
        Ok(Self::with_store(config, clock, state, store, path)?)
    }
}

/// Writes `bytes` to `path` through a temporary sibling, flushed and renamed; the directory is
/// flushed after the rename so the new name survives a power failure too.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".tmp-{}", std::process::id()));
    let temp = dir.join(temp_name);
    let written = write_and_rename(&temp, path, dir, bytes);
    if written.is_err() {
        // Gone already when the rename succeeded and only the directory flush failed.
        let _ = fs::remove_file(&temp);
    }
    written
}

fn write_and_rename(temp: &Path, path: &Path, dir: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(temp, path)?;
    sync_dir(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Directories cannot be opened as files elsewhere; the rename is what the platform offers.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}
