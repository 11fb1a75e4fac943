//! Where the repository's fixtures live, for tests, benchmarks and tools.
//!
//! Everything the tests read is inside the repository, under `fixtures/` at the workspace root
//! (provenance and licences in `fixtures/PROVENANCE.md`). This crate is the one place that
//! resolves that directory, from the manifest directory of the package under test, so a clone
//! of the repository alone is complete and nothing names a path outside it.

use std::path::{Path, PathBuf};

/// The workspace's `fixtures/` directory: the nearest `fixtures/` holding `PROVENANCE.md` above
/// the package cargo is running (its `CARGO_MANIFEST_DIR` at run time), else above this crate's
/// own directory at build time.
///
/// Run time comes first because cargo names the artifacts of workspace crates independently of
/// the checkout's path: two checkouts sharing a target directory (or a moved checkout) may run
/// a build of this crate whose compile-time path is another checkout's, or gone.
pub fn dir() -> PathBuf {
    let built_in = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([built_in.clone()])
        .find_map(|start| {
            start
                .ancestors()
                .map(|dir| dir.join("fixtures"))
                .find(|fixtures| fixtures.join("PROVENANCE.md").is_file())
        })
        .unwrap_or_else(|| built_in.join("../../fixtures"))
}

/// The recorded exchanges with Auth0 (`fixtures/recordings`, with `MANIFEST.json`).
pub fn recordings_dir() -> PathBuf {
    dir().join("recordings")
}

/// The official Node SDK's wire fixtures (`fixtures/node-auth0`).
pub fn node_auth0_dir() -> PathBuf {
    dir().join("node-auth0")
}

/// The Management API OpenAPI documents (`fixtures/spec`).
pub fn spec_dir() -> PathBuf {
    dir().join("spec")
}

/// The `.json` files directly in `dir` (`MANIFEST.json` and `index.json` excluded), sorted by
/// name.
///
/// # Panics
/// When `dir` cannot be read or holds fewer than `floor` such files: a test that reads
/// fixtures must never pass on nothing.
pub fn json_files(dir: &Path, floor: usize) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("fixtures directory {} unreadable: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n != "MANIFEST.json" && n != "index.json")
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= floor,
        "{} holds {} fixture files, fewer than the {floor} expected",
        dir.display(),
        files.len()
    );
    files
}

/// The environment variable that runs the end-to-end and replay suites on `--state` stores:
/// set to anything but `0` or the empty string (`cargo xtask ci` runs those suites once
/// without it and once with it).
pub const STORE_MODE_VAR: &str = "USERS_EMULATOR_TEST_STORE";

/// A fresh store path for one emulator when [`STORE_MODE_VAR`] is set, `None` (in memory)
/// otherwise. Stores go in a directory of this process under the system's temporary directory;
/// the directories of test processes that have ended are removed on first use.
pub fn test_store_path() -> Option<PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    static CLEANED: std::sync::Once = std::sync::Once::new();
    let set = std::env::var(STORE_MODE_VAR).is_ok_and(|v| !v.is_empty() && v != "0");
    if !set {
        return None;
    }
    let root = std::env::temp_dir().join("users-emulator-test-stores");
    CLEANED.call_once(|| remove_ended_processes_stores(&root));
    let dir = root.join(std::process::id().to_string());
    // A failure here shows as the emulator's own error opening the store.
    let _ = std::fs::create_dir_all(&dir);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    Some(dir.join(format!("store-{n}.db")))
}

/// Removes the store directories under `root` whose process is gone (no `/proc/PID`; where
/// there is no `/proc`, nothing is removed).
fn remove_ended_processes_stores(root: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A new, empty directory of its own under the system's temporary directory, named after
/// `name`, this process and the time, for a test's files (its leftovers stay visible there).
///
/// # Panics
/// When the directory cannot be created: a test that needs it cannot run.
pub fn temp_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "users-emulator-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("temporary directory {}: {e}", dir.display()));
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixture_directory_is_in_the_repository_and_populated() {
        assert!(recordings_dir().join("MANIFEST.json").is_file());
        assert!(json_files(&recordings_dir(), 250).len() >= 250);
        assert!(json_files(&node_auth0_dir().join("v6-wire"), 70).len() >= 70);
        assert!(spec_dir().join("management-api-users.oas.json").is_file());
        assert!(spec_dir().join("management-api-setup.oas.json").is_file());
        assert!(dir().join("PROVENANCE.md").is_file());
    }

    #[test]
    fn the_directory_is_the_one_of_the_checkout_under_test() {
        // Cargo runs this crate's tests with its directory, two levels below the workspace root,
        // in CARGO_MANIFEST_DIR.
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo");
        let expected = Path::new(&manifest_dir).join("../../fixtures");
        let expected = expected.canonicalize().expect("fixtures exist");
        assert_eq!(dir().canonicalize().expect("fixtures exist"), expected);
    }
}
