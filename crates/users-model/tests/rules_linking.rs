//! `link` / `unlink`: the error cases, the detached user, and the recorded link and unlink
//! responses reproduced from the users' earlier recorded states.

mod rules_support;

use rules_support::{Recording, latest_state, load_all};
use serde_json::{Value, json};
use users_model::{LinkError, Timestamp, User, link, profile_data, unlink};

fn user(v: Value) -> User {
    serde_json::from_value(v).expect("test user parses")
}

fn primary() -> User {
    user(json!({
        "user_id": "auth0|aaa",
        "email": "main@example.com",
        "email_verified": true,
        "name": "main@example.com",
        "nickname": "Mainy",
        "user_metadata": {"keep": 1},
        "app_metadata": {"plan": "pro"},
        "identities": [{"connection": "db", "user_id": "aaa", "provider": "auth0", "isSocial": false}]
    }))
}

fn secondary() -> User {
    user(json!({
        "user_id": "google-oauth2|123",
        "email": "second@example.com",
        "email_verified": false,
        "name": "Second Person",
        "nickname": "second",
        "given_name": "Second",
        "picture": "https://s.gravatar.com/avatar/abc?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fse.png",
        "user_metadata": {"lost": true},
        "app_metadata": {"lost": true},
        "identities": [{"connection": "google-oauth2", "user_id": "123", "provider": "google-oauth2", "isSocial": true}]
    }))
}

#[test]
fn link_appends_the_secondary_with_profile_data_and_keeps_primary_metadata() {
    let out = link(&primary(), &secondary()).unwrap();
    let identities = serde_json::to_value(&out.identities).unwrap();
    assert_eq!(
        identities,
        json!([
            {"connection": "db", "user_id": "aaa", "provider": "auth0", "isSocial": false,
             "profileData": {"email": "main@example.com", "email_verified": true, "nickname": "Mainy"}},
            {"connection": "google-oauth2", "user_id": "123", "provider": "google-oauth2", "isSocial": true,
             "profileData": {"email": "second@example.com", "email_verified": false,
                             "name": "Second Person", "given_name": "Second"}}
        ])
    );
    assert_eq!(out.user_metadata, primary().user_metadata);
    assert_eq!(out.app_metadata, primary().app_metadata);
    assert_eq!(out.email, primary().email);
}

#[test]
fn profile_data_leaves_out_recorded_defaults_and_metadata() {
    let data = profile_data(&secondary());
    assert!(!data.contains_key("picture"), "gravatar default picture");
    assert!(
        !data.contains_key("nickname"),
        "nickname = local part of the email"
    );
    assert!(!data.contains_key("user_metadata"));
    let explicit = user(json!({"email": "x@example.com", "name": "x@example.com",
                               "nickname": "xx", "picture": "https://example.com/p.png",
                               "phone_number": "+15551234", "phone_verified": true}));
    let data = profile_data(&explicit);
    assert_eq!(
        Value::Object(data),
        json!({"email": "x@example.com", "nickname": "xx", "picture": "https://example.com/p.png",
               "phone_number": "+15551234", "phone_verified": true})
    );
}

#[test]
fn link_errors_carry_the_server_messages() {
    let p = primary();
    let err = link(&p, &p).unwrap_err();
    assert_eq!(err, LinkError::SameIdentity);
    assert_eq!(
        (err.status(), err.message()),
        (400, "Main identity and the new one are the same.")
    );
    assert_eq!(err.to_string(), err.message());

    let mut alias = secondary();
    alias.user_id = Some("auth0|other".into());
    alias.identities = p.identities.clone();
    assert_eq!(link(&p, &alias).unwrap_err(), LinkError::SameIdentity);

    let linked = link(&p, &secondary()).unwrap();
    let err = link(&linked, &secondary()).unwrap_err();
    assert_eq!(err, LinkError::AlreadyLinked);
    assert_eq!(
        (err.status(), err.message()),
        (409, "Specified identity already exists.")
    );
    assert_eq!(err.error_code(), None);

    let nothing = User::default();
    assert_eq!(link(&p, &nothing).unwrap_err(), LinkError::UnableToLink);
    assert_eq!(
        LinkError::UnableToLink.message(),
        "Unable to link with the secondary account."
    );
    assert_eq!(LinkError::SecondaryNotFound.status(), 400);
    assert_eq!(
        LinkError::SecondaryNotFound.message(),
        "Provided secondary account not found."
    );
}

#[test]
fn a_numeric_identity_id_matches_its_text() {
    let p = primary();
    let numeric = user(json!({"user_id": "github|42",
        "identities": [{"connection": "github", "user_id": 42, "provider": "github", "isSocial": true}]}));
    let linked = link(&p, &numeric).unwrap();
    assert_eq!(
        link(&linked, &numeric).unwrap_err(),
        LinkError::AlreadyLinked
    );
    let now = Timestamp::from_millis(0);
    let out = unlink(&linked, "github", "42", now).unwrap();
    let detached = out.detached.unwrap();
    assert_eq!(detached.user_id.as_deref(), Some("github|42"));
    let ids = serde_json::to_value(&detached.identities).unwrap();
    assert_eq!(
        ids,
        json!([{"connection": "github", "user_id": 42, "provider": "github", "isSocial": true}])
    );
}

#[test]
fn unlink_detaches_a_user_without_metadata() {
    let linked = link(&primary(), &secondary()).unwrap();
    let now = Timestamp::parse("2024-02-03T04:05:06.789Z").unwrap();
    let out = unlink(&linked, "google-oauth2", "123", now).unwrap();
    assert_eq!(out.primary.identities.as_ref().map(Vec::len), Some(1));
    let detached = out.detached.unwrap();
    assert_eq!(
        serde_json::to_value(&detached).unwrap(),
        json!({
            "user_id": "google-oauth2|123",
            "email": "second@example.com",
            "email_verified": false,
            "created_at": "2024-02-03T04:05:06.789Z",
            "updated_at": "2024-02-03T04:05:06.789Z",
            "identities": [{"connection": "google-oauth2", "user_id": "123",
                            "provider": "google-oauth2", "isSocial": true}],
            "name": "Second Person",
            "given_name": "Second"
        })
    );
}

#[test]
fn unlink_no_match_is_a_no_op_and_main_identity_is_refused() {
    let linked = link(&primary(), &secondary()).unwrap();
    let now = Timestamp::from_millis(0);
    for (provider, id) in [
        ("google-oauth2", "google-oauth2|123"),
        ("github", "123"),
        ("auth0", "zzz"),
    ] {
        let out = unlink(&linked, provider, id, now).unwrap();
        assert_eq!(out.primary, linked);
        assert!(out.detached.is_none());
    }
    let err = unlink(&linked, "auth0", "aaa", now).unwrap_err();
    assert_eq!(err, LinkError::MainIdentityCannotBeRemoved);
    assert_eq!(
        (err.status(), err.message()),
        (400, "Main identity cannot be removed.")
    );
}

/// The secondary's full id from a link body (`user_id` with or without its provider prefix).
fn secondary_id(body: &Value) -> Option<String> {
    let provider = body["provider"].as_str()?;
    let id = match &body["user_id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Some(if id.starts_with(&format!("{provider}|")) {
        id
    } else {
        format!("{provider}|{id}")
    })
}

fn link_calls(all: &[Recording]) -> impl Iterator<Item = (&Recording, &str)> {
    all.iter().filter_map(|r| {
        let primary = r
            .path
            .strip_prefix("/api/v2/users/")?
            .strip_suffix("/identities")?;
        (r.method == "POST" && r.status == 201).then_some((r, primary))
    })
}

#[test]
fn recorded_links_reproduce() {
    let all = load_all();
    let mut count = 0;
    for (rec, primary_id) in link_calls(&all) {
        let Some(secondary_id) = secondary_id(&rec.request_body) else {
            continue;
        };
        let (Some((_, p)), Some((_, s))) = (
            latest_state(&all, rec, primary_id),
            latest_state(&all, rec, &secondary_id),
        ) else {
            continue;
        };
        let out = link(&user(p.clone()), &user(s.clone()))
            .unwrap_or_else(|e| panic!("{}: {e}", rec.file));
        assert_eq!(
            serde_json::to_value(&out.identities).unwrap(),
            rec.response_body,
            "{}",
            rec.file
        );
        count += 1;
    }
    println!("reproduced {count} recorded links");
    assert!(
        count >= 4,
        "only {count} recorded links with both earlier states"
    );
}

#[test]
fn recorded_unlinks_reproduce() {
    let all = load_all();
    let mut count = 0;
    for rec in all
        .iter()
        .filter(|r| r.method == "DELETE" && r.status == 200)
    {
        let Some(rest) = rec.path.strip_prefix("/api/v2/users/") else {
            continue;
        };
        let parts: Vec<&str> = rest.splitn(4, '/').collect();
        let [primary_id, "identities", provider, id] = parts.as_slice() else {
            continue;
        };
        // The primary's identities before the unlink: the latest link response in the scenario.
        let Some(before) = link_calls(&all)
            .filter(|(l, p)| p == primary_id && l.prefix == rec.prefix && l.suite() == rec.suite())
            .map(|(l, _)| l)
            .last()
        else {
            continue;
        };
        let Some((_, state)) = latest_state(&all, rec, primary_id) else {
            continue;
        };
        let mut primary = user(state.clone());
        primary.identities = serde_json::from_value(before.response_body.clone()).unwrap();
        let out = unlink(&primary, provider, id, Timestamp::from_millis(0))
            .unwrap_or_else(|e| panic!("{}: {e}", rec.file));
        assert_eq!(
            serde_json::to_value(&out.primary.identities).unwrap(),
            rec.response_body,
            "{}",
            rec.file
        );
        let removed = before.response_body.as_array().map(Vec::len)
            != rec.response_body.as_array().map(Vec::len);
        assert_eq!(out.detached.is_some(), removed, "{}", rec.file);
        count += 1;
    }
    println!("reproduced {count} recorded unlinks");
    assert!(
        count >= 3,
        "only {count} recorded unlinks with an earlier link"
    );
}
