//! `Emulator::seed`'s typed error: the first invalid entry is named, and nothing is added.

use serde_json::json;
use users_emulator::{Emulator, EmulatorConfig, SeedError};

#[test]
fn the_first_invalid_entry_is_named_and_nothing_is_added() {
    let emulator = Emulator::new(EmulatorConfig::default());
    let good = json!({"user_id": "auth0|1", "connection": "Username-Password-Authentication",
        "email": "a@example.com"});
    let document = json!({"users": [good, {"user_id": "auth0|2", "connection": "nope"},
        {"connection": 7}]});
    let error = emulator.seed(&document).expect_err("an unknown connection");
    assert!(
        matches!(&error, SeedError::Entry { entry, reason }
            if entry == "users[1]" && reason == "unknown connection nope"),
        "{error:?}"
    );
    assert_eq!(error.entry_path(), Some("users[1]"));
    assert_eq!(error.to_string(), "users[1]: unknown connection nope");

    // Nothing was added: the good entry seeds now, once.
    assert_eq!(
        emulator.seed(&json!({"users": [good]})).expect("valid"),
        ["auth0|1"]
    );
    let again = emulator
        .seed(&json!({"users": [good]}))
        .expect_err("a duplicate");
    assert_eq!(again.entry_path(), Some("users[0]"));

    let not_an_object = emulator.seed(&json!([])).expect_err("not an object");
    assert!(matches!(not_an_object, SeedError::Document { .. }));
    assert_eq!(not_an_object.entry_path(), None);

    let blocks = emulator
        .seed(
            &json!({"blocks": [{"user_id": "auth0|missing", "identifier": "x", "ip": "10.0.0.1"}]}),
        )
        .expect_err("a block for no user");
    assert_eq!(blocks.entry_path(), Some("blocks"));
}
