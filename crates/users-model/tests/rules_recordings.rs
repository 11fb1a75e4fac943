//! Every recorded `PATCH /api/v2/users/{id}` whose earlier state appears in the same scenario is
//! replayed through `apply_update` and must give the recorded 200 body.
//!
//! `now` is the recorded `updated_at`, so `updated_at` is compared exactly; the only server
//! timestamp ignored is `last_password_reset`'s value (the server stamps it a few milliseconds
//! before `updated_at`), whose presence must still match.

mod rules_support;

use rules_support::{Scope, load_all, state_before};
use serde_json::Value;
use users_model::{Timestamp, User, UserUpdate, apply_update};

/// The recordings hold one same-test PATCH scenario (go-auth0 `TestUserManager_Update`) and six
/// ruby suite ones; fewer means the scan broke.
const MIN_SAME_TEST: usize = 1;
const MIN_TOTAL: usize = 7;

fn strip_password_reset(mut body: Value) -> (Value, bool) {
    let had = body
        .as_object_mut()
        .and_then(|o| o.remove("last_password_reset"))
        .is_some();
    (body, had)
}

#[test]
fn recorded_patches_reproduce_through_apply_update() {
    let all = load_all();
    let mut replayed = Vec::new();
    for patch in all
        .iter()
        .filter(|r| r.method == "PATCH" && r.status == 200)
    {
        let Some(id) = patch.user_path_id() else {
            continue;
        };
        let Some((scope, before)) = state_before(&all, patch, id) else {
            continue;
        };
        let user: User = serde_json::from_value(before.clone())
            .unwrap_or_else(|e| panic!("{}: earlier state does not parse: {e}", patch.file));
        let update: UserUpdate = serde_json::from_value(patch.request_body.clone())
            .unwrap_or_else(|e| panic!("{}: body does not parse: {e}", patch.file));
        let now = patch.response_body["updated_at"]
            .as_str()
            .and_then(Timestamp::parse)
            .unwrap_or_else(|| panic!("{}: no updated_at", patch.file));
        let stored = apply_update(&user, &update, now)
            .unwrap_or_else(|v| panic!("{}: rejected: {v}", patch.file));
        let (got, got_reset) = strip_password_reset(serde_json::to_value(&stored).unwrap());
        let (want, want_reset) = strip_password_reset(patch.response_body.clone());
        assert_eq!(
            got, want,
            "{}: stored user differs from the recording",
            patch.file
        );
        assert_eq!(
            got_reset, want_reset,
            "{}: last_password_reset presence",
            patch.file
        );
        replayed.push((scope, patch.file.clone()));
    }
    let same_test = replayed.iter().filter(|(s, _)| *s == Scope::Test).count();
    println!(
        "replayed {} recorded PATCHes ({same_test} same-test, {} same-suite):",
        replayed.len(),
        replayed.len() - same_test
    );
    for (scope, file) in &replayed {
        println!("  {scope:?}: {file}");
    }
    assert!(
        same_test >= MIN_SAME_TEST,
        "only {same_test} same-test PATCH scenarios found"
    );
    assert!(
        replayed.len() >= MIN_TOTAL,
        "only {} PATCH scenarios found",
        replayed.len()
    );
}

#[test]
fn a_wrong_rule_would_be_caught() {
    // The replay above must be able to fail: dropping the first-level merge (replacing
    // app_metadata whole) gives a body that differs from the go-auth0 Update recording.
    let all = load_all();
    let patch = all
        .iter()
        .find(|r| {
            r.method == "PATCH"
                && r.status == 200
                && r.request_body.get("app_metadata").is_some()
                && r.user_path_id()
                    .is_some_and(|id| state_before(&all, r, id).is_some())
        })
        .expect("a recorded PATCH of app_metadata with an earlier state");
    let id = patch.user_path_id().unwrap_or_default();
    let (_, before) = state_before(&all, patch, id).expect("earlier state");
    let user: User = serde_json::from_value(before.clone()).unwrap();
    let update: UserUpdate = serde_json::from_value(patch.request_body.clone()).unwrap();
    let now = Timestamp::parse(patch.response_body["updated_at"].as_str().unwrap()).unwrap();
    let mut stored = apply_update(&user, &update, now).unwrap();
    stored.app_metadata = update.app_metadata.clone().map(|p| p.into_map());
    let (got, _) = strip_password_reset(serde_json::to_value(&stored).unwrap());
    let (want, _) = strip_password_reset(patch.response_body.clone());
    assert_ne!(got, want);
}
