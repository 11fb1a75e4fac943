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
