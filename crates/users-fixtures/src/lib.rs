//! Where the repository's fixtures live, for tests, benchmarks and tools.
//!
//! Everything the tests read is inside the repository, under `fixtures/` at the workspace root
//! (provenance and licences in `fixtures/PROVENANCE.md`). This crate is the one place that
//! resolves that directory, from this crate's own manifest directory, so a clone of the
//! repository alone is complete and nothing names a path outside it.

use std::path::{Path, PathBuf};

/// The workspace's `fixtures/` directory.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
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
}
