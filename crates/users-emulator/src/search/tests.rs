//! Behaviour of `parse` + `Query::matches` on users written as JSON, and every refused construct.

use serde_json::{Value, json};

use super::{MAX_DEPTH, parse};

fn jane() -> Value {
    json!({
        "user_id": "auth0|63d17c4dede19c15715de31c",
        "email": "Jane.Doe@Example.com",
        "email_verified": true,
        "name": "Jane Smith",
        "given_name": "Jane",
        "family_name": "Smith",
        "nickname": "janie",
        "username": "JaneD",
        "logins_count": 5,
        "blocked": false,
        "created_at": "2017-11-13T10:20:30.000Z",
        "updated_at": "2021-09-03T07:08:20.562Z",
        "identities": [
            {"connection": "Username-Password-Authentication", "provider": "auth0",
             "user_id": "63d17c4dede19c15715de31c", "isSocial": false},
            {"connection": "google-oauth2", "provider": "google-oauth2",
             "user_id": "1234567890", "isSocial": true}
        ],
        "app_metadata": {
            "plan": "gold",
            "facts": ["count_to_infinity_twice", "can_hear_sign_language"],
            "subscription": {"plan": "silver", "seats": 10, "trial": true},
            "empty_list": [],
            "empty_object": {},
            "nothing": null,
            "ratio": 0.5
        },
        "user_metadata": {
            "addresses": [
                {"city": "Paris", "zip": "75001"},
                {"city": "Lyon", "tags": ["home", "summer"]}
            ],
            "colour": "Blue"
        }
    })
}

fn bob() -> Value {
    json!({
        "user_id": "sms|5f0000000000000000000001",
        "phone_number": "+15555550100",
        "name": "+15555550100",
        "logins_count": 120,
        "created_at": "2020-01-01T00:00:00.000Z",
        "identities": [{"connection": "sms", "provider": "sms", "user_id": "5f0000000000000000000001", "isSocial": false}]
    })
}

/// Which of jane and bob the query matches.
fn hits(q: &str) -> (bool, bool) {
    let query = parse(q).unwrap_or_else(|e| panic!("{q:?} refused: {e}"));
    (query.matches(&jane()), query.matches(&bob()))
}

fn assert_jane_only(q: &str) {
    assert_eq!(hits(q), (true, false), "{q}");
}

fn assert_bob_only(q: &str) {
    assert_eq!(hits(q), (false, true), "{q}");
}

fn assert_none(q: &str) {
    assert_eq!(hits(q), (false, false), "{q}");
}

fn assert_both(q: &str) {
    assert_eq!(hits(q), (true, true), "{q}");
}

fn refused(q: &str) -> String {
    match parse(q) {
        Ok(query) => panic!("{q:?} was accepted as {query:?}"),
        Err(e) => {
            assert_eq!(e.to_string(), e.message);
            e.message
        }
    }
}

fn assert_refused(q: &str, expected: &str) {
    let message = refused(q);
    assert!(
        message.contains(expected),
        "{q:?}: message {message:?} lacks {expected:?}"
    );
}

#[test]
fn a_term_matches_the_whole_value() {
    assert_jane_only("username:JaneD");
    assert_none("username:Jane");
    assert_jane_only("user_id:auth0|63d17c4dede19c15715de31c");
    assert_bob_only("phone_number:+15555550100");
}

#[test]
fn normalized_fields_ignore_case_and_others_do_not() {
    for q in [
        "email:jane.doe@example.com",
        "email:JANE.DOE@EXAMPLE.COM",
        "name:\"jane smith\"",
        "given_name:JANE",
        "family_name:smith",
        "nickname:JANIE",
    ] {
        assert_jane_only(q);
    }
    for q in [
        "username:janed",
        "app_metadata.plan:Gold",
        "user_metadata.colour:blue",
        "identities.connection:GOOGLE-OAUTH2",
    ] {
        assert_none(q);
    }
}

#[test]
fn quoted_values_keep_spaces_escapes_and_literal_stars() {
    assert_jane_only("name:\"Jane Smith\"");
    let user = json!({"name": "say \"hi\" \\ *", "username": "a*"});
    assert!(parse(r#"name:"say \"hi\" \\ *""#).unwrap().matches(&user));
    assert!(parse(r#"username:"a*""#).unwrap().matches(&user));
    // A quoted star is literal: it does not match "ab".
    assert!(
        !parse(r#"username:"a*""#)
            .unwrap()
            .matches(&json!({"username": "ab"}))
    );
    assert!(parse(r#"name:"""#).unwrap().matches(&json!({"name": ""})));
}

#[test]
fn backslash_escapes_spaces_colons_and_specials() {
    assert_jane_only(r"name:jane\ smith");
    let user = json!({"username": "a:b (c) [d] *?~^/\"", "nickname": "x"});
    assert!(
        parse(r#"username:a\:b\ \(c\)\ \[d\]\ \*\?\~\^\/\""#)
            .unwrap()
            .matches(&user)
    );
    // An escaped star is literal.
    assert!(!parse(r"nickname:x\*").unwrap().matches(&user));
    assert!(
        parse(r"nickname:x\*")
            .unwrap()
            .matches(&json!({"nickname": "x*"}))
    );
    // An escaped operator is a plain value.
    assert!(
        parse(r"username:\AND")
            .unwrap()
            .matches(&json!({"username": "AND"}))
    );
}

#[test]
fn and_or_not_and_parentheses() {
    assert_jane_only("given_name:jane AND family_name:smith");
    assert_none("given_name:jane AND family_name:jones");
    assert_both("given_name:jane OR logins_count:120");
    assert_bob_only("NOT given_name:jane");
    assert_jane_only("given_name:jane AND NOT logins_count:120");
    assert_bob_only("NOT given_name:jane AND NOT username:x");
    assert_both(
        "(given_name:jane AND logins_count:5) OR (logins_count:120 AND _exists_:phone_number)",
    );
    assert_jane_only("(logins_count:5 OR logins_count:6) AND (NOT blocked:true)");
    assert_jane_only("((((given_name:jane))))");
    assert_both("given_name:jane OR (NOT given_name:jane)");
    assert_jane_only("NOT NOT given_name:jane");
    assert_both("a:1 OR b:2 OR logins_count:5 OR logins_count:120");
    assert_jane_only("given_name:jane AND family_name:smith AND nickname:janie");
}

#[test]
fn exists_ignores_null_empty_arrays_and_empty_objects() {
    assert_jane_only("_exists_:app_metadata");
    assert_jane_only("_exists_:app_metadata.subscription");
    assert_jane_only("_exists_:app_metadata.subscription.plan");
    assert_jane_only("_exists_:\"app_metadata.plan\"");
    assert_bob_only("_exists_:phone_number");
    assert_none("_exists_:app_metadata.empty_list");
    assert_none("_exists_:app_metadata.empty_object");
    assert_none("_exists_:app_metadata.nothing");
    assert_none("_exists_:app_metadata.missing");
    assert_both("_exists_:identities.connection");
    assert_jane_only("_exists_:user_metadata.addresses.tags");
    assert_jane_only("_exists_:blocked");
    assert_jane_only("_exists_:email.domain");
}

#[test]
fn identities_connection_matches_any_identity() {
    assert_jane_only("identities.connection:\"google-oauth2\"");
    assert_jane_only("identities.connection:Username-Password-Authentication");
    assert_bob_only("identities.connection:sms");
    assert_jane_only("identities.isSocial:true");
    assert_both("identities.isSocial:false");
}

#[test]
fn metadata_paths_skip_array_levels() {
    assert_jane_only("app_metadata.plan:gold");
    assert_jane_only("app_metadata.subscription.plan:silver");
    assert_none("app_metadata.plan:silver");
    assert_jane_only("app_metadata.facts:can_hear_sign_language");
    assert_jane_only("user_metadata.addresses.city:Paris");
    assert_jane_only("user_metadata.addresses.city:\"Lyon\"");
    assert_jane_only("user_metadata.addresses.tags:summer");
    assert_none("user_metadata.addresses.city:Berlin");
    // Objects and arrays themselves match no value.
    assert_none("app_metadata.subscription:silver");
    let nested = json!({"app_metadata": {"a": [[{"b": [["deep"]]}]]}});
    assert!(parse("app_metadata.a.b:deep").unwrap().matches(&nested));
}

#[test]
fn numbers_and_booleans_compare_as_values() {
    assert_jane_only("logins_count:5");
    assert_jane_only("logins_count:5.0");
    assert_bob_only("logins_count:120");
    assert_none("logins_count:5a");
    assert_jane_only("app_metadata.subscription.seats:10");
    assert_jane_only("app_metadata.ratio:0.5");
    assert_jane_only("email_verified:true");
    assert_jane_only("blocked:false");
    assert_jane_only("app_metadata.subscription.trial:true");
    assert_none("blocked:true");
    // A stored string compares as text: "5" matches 5 but not 5.0.
    assert!(
        parse("app_metadata.v:5")
            .unwrap()
            .matches(&json!({"app_metadata": {"v": "5"}}))
    );
    assert!(
        !parse("app_metadata.v:5.0")
            .unwrap()
            .matches(&json!({"app_metadata": {"v": "5"}}))
    );
}

#[test]
fn wildcards_at_the_start_or_end() {
    assert_jane_only("name:jan*");
    assert_jane_only("name:J*");
    assert_jane_only("username:Jan*");
    assert_none("username:jan*");
    assert_jane_only("name:*smith");
    assert_jane_only("email:*@example.com");
    assert_jane_only("name:*E SMI*".replace(' ', "\\ ").as_str());
    assert_jane_only("app_metadata.plan:go*");
    assert_jane_only("app_metadata.facts:*twice");
    assert_jane_only("identities.connection:google*");
    assert_jane_only("identities.connection:*oog*");
    assert_none("name:*xyz");
    // Numbers match wildcards through their text.
    assert_bob_only("logins_count:12*");
}

#[test]
fn ranges_compare_numbers_strings_and_dates() {
    assert_jane_only("logins_count:[1 TO 10]");
    assert_jane_only("logins_count:[5 TO 5]");
    assert_none("logins_count:{5 TO 10}");
    assert_jane_only("logins_count:[5 TO 10}");
    assert_bob_only("logins_count:{5 TO *]");
    assert_both("logins_count:[* TO *]");
    assert_bob_only("logins_count:[100 TO 200]");
    assert_jane_only("app_metadata.subscription.seats:[10 TO 11]");
    // Dates: bounds compare with the same number of leading characters.
    assert_both("created_at:[2016-01-01 TO *]");
    assert_both("created_at:{2016-01-01 TO *}");
    assert_jane_only("created_at:[* TO 2017-11-13]");
    assert_none("created_at:{* TO 2017-11-13}");
    assert_bob_only("created_at:{2017-11-13 TO *}");
    assert_jane_only("created_at:[2017-11 TO 2017-11]");
    assert_jane_only("created_at:[\"2017-11-13T10:20:30.000Z\" TO \"2017-11-13T10:20:30.000Z\"]");
    assert_bob_only("created_at:{\"2017-11-13T10:20:30.000Z\" TO *}");
    // Strings compare lexicographically, case-insensitively on normalized fields.
    assert_jane_only("given_name:[J TO K]");
    assert_jane_only("given_name:[j TO k]");
    assert_none("username:[a TO z]");
    assert_jane_only("username:[A TO Z]");
    // Booleans and objects have no order.
    assert_none("blocked:[* TO *]");
    assert_none("app_metadata.subscription:[* TO *]");
    assert_none("updated_at:[a TO b]");
}

#[test]
fn recorded_queries_parse_and_match() {
    // The q values sent in fixtures/recordings (go-auth0 List/Search, ruby v2/v3 filters).
    let chuck = json!({"email": "chuck904@example.com", "username": "test-user998",
                        "updated_at": "2021-09-03T07:08:20.562Z"});
    for q in [
        "email:\"chuck904@example.com\"",
        "username:\"test-user998\"",
        "updated_at:{2016-01-01 TO *}",
        "updated_at:[2016-01-01 TO *]",
    ] {
        assert!(parse(q).unwrap().matches(&chuck), "{q}");
    }
    assert!(!parse("username:\"test-user999\"").unwrap().matches(&chuck));
}

#[test]
fn email_domain_is_the_part_after_the_at_sign() {
    assert_jane_only("email.domain:example.com");
    assert_jane_only("email.domain:\"EXAMPLE.COM\"");
    assert_jane_only("email.domain:exa*");
    assert_none("email.domain:jane.doe");
    assert!(
        !parse("email.domain:x")
            .unwrap()
            .matches(&json!({"email": "no-at-sign"}))
    );
    assert!(
        !parse("email.domain:x")
            .unwrap()
            .matches(&json!({"email": 5}))
    );
}

#[test]
fn odd_users_match_nothing_without_panicking() {
    let query =
        parse("app_metadata.a.b:1 OR _exists_:x.y OR name:*abc OR logins_count:[1 TO 2]").unwrap();
    for user in [
        json!(null),
        json!([]),
        json!("text"),
        json!(5),
        json!({"app_metadata": "flat"}),
        json!({"app_metadata": {"a": 1}}),
        json!({"x": [null, [], {}]}),
    ] {
        assert!(!query.matches(&user), "{user}");
    }
}

#[test]
fn whitespace_around_tokens_is_free() {
    assert_jane_only("  ( given_name:jane\tAND\nfamily_name:smith )  ");
    assert_jane_only("(given_name:jane)AND(family_name:smith)");
}

#[test]
fn unsupported_syntax_is_refused_with_a_reason() {
    let cases: &[(&str, &str)] = &[
        ("", "the query is empty"),
        ("   \t ", "the query is empty"),
        ("jane", "the term 'jane' at character 1 has no field name"),
        (
            "name:jane smith",
            "the term 'smith' at character 11 has no field name",
        ),
        ("\"jane\"", "has no field name"),
        ("[1 TO 2]", "the range at character 1 has no field name"),
        ("name:jane email:x", "missing AND or OR before character 11"),
        (
            "(name:jane) (email:x)",
            "missing AND or OR before character 13",
        ),
        (
            "name:jane NOT email:x",
            "missing AND or OR before character 11",
        ),
        (
            "a:1 AND b:2 OR c:3",
            "AND and OR are mixed without parentheses",
        ),
        (
            "a:1 OR b:2 AND c:3",
            "AND and OR are mixed without parentheses",
        ),
        ("a:1 OR NOT b:2", "NOT directly inside an OR"),
        ("NOT a:1 OR b:2", "NOT directly inside an OR"),
        (
            "a:1 and b:2",
            "operators must be upper-case: write AND instead of 'and'",
        ),
        ("a:1 Or b:2", "write OR instead of 'Or'"),
        ("not a:1", "write NOT instead of 'not'"),
        (
            "a:1 && b:2",
            "'&&' at character 5 is not supported; use AND",
        ),
        ("a:1 || b:2", "use OR"),
        ("!a:1", "use NOT"),
        ("+a:1", "the '+' prefix operator"),
        ("-a:1", "the '-' prefix operator"),
        ("name:jane~", "fuzzy and proximity searches"),
        ("name:jane~2", "fuzzy and proximity searches"),
        ("name:\"jane smith\"~3", "fuzzy and proximity searches"),
        ("name:jane^2", "boosting"),
        ("name:\"jane\"^2", "boosting"),
        ("name:/ja.e/", "regular expressions"),
        ("/ja.e/", "regular expressions"),
        ("name:ja/e", "regular expressions"),
        ("name:j?ne", "the '?' wildcard"),
        ("name:j*ne", "a wildcard inside a value"),
        ("name:*", "use _exists_:field"),
        ("name:**", "use _exists_:field"),
        ("name:*ab", "a leading wildcard needs at least 3 characters"),
        ("name:*a*", "a leading wildcard needs at least 3 characters"),
        ("na*me:x", "wildcards are not allowed in field names"),
        ("name:(jane OR john)", "field grouping"),
        ("_missing_:email", "use NOT _exists_:field"),
        (
            "_exists_:app*",
            "_exists_ at character 1 takes a plain field name",
        ),
        ("_exists_:[a TO b]", "takes a plain field name"),
        (
            "user_metadata.colour:Bl*",
            "wildcards and ranges are not supported on user_metadata",
        ),
        (
            "user_metadata.n:[1 TO 2]",
            "wildcards and ranges are not supported on user_metadata",
        ),
        (
            "name:\"jane",
            "the quote opened at character 6 is never closed",
        ),
        ("name:\"jane\\\"", "never closed"),
        ("(name:jane", "the '(' at character 1 is never closed"),
        ("name:jane)", "the ')' at character 10 has no matching '('"),
        ("()", "empty parentheses at character 1"),
        ("name:jane AND ()", "empty parentheses"),
        ("name:jane AND", "the query ends after an operator"),
        ("name:jane OR", "the query ends after an operator"),
        ("NOT", "the query ends after an operator"),
        ("AND name:jane", "has no operand before it"),
        ("name:jane AND OR b:1", "has no operand before it"),
        ("name:jane AND )", "unexpected ')'"),
        ("TO", "only allowed inside a range"),
        ("name:", "has no value"),
        ("name: jane", "has no value"),
        ("(name:)", "has no value"),
        (":jane", "has no field name before it"),
        ("app_metadata..plan:x", "has an empty path segment"),
        (".plan:x", "has an empty path segment"),
        ("plan.:x", "has an empty path segment"),
        ("name:jane\\", "lone backslash"),
        ("name:a:b", "unexpected ':' at character 7 inside a value"),
        (
            "name:\"a\"b",
            "unexpected 'b' at character 9 right after a value",
        ),
        (
            "name:ja\"ne\"",
            "unexpected '\"' at character 8 inside a term",
        ),
        ("name:a]", "unexpected ']'"),
        ("name:a{", "unexpected '{'"),
        ("logins_count:[1 2]", "expected 'TO' at character 17"),
        ("logins_count:[1 to 2]", "expected 'TO'"),
        ("logins_count:[1 TO 2", "is not closed with ']' or '}'"),
        ("logins_count:[1 TO", "a bound is missing"),
        ("logins_count:[ TO 2]", "expected 'TO'"),
        ("logins_count:[1 TO ]", "a bound is missing"),
        (
            "logins_count:[1* TO 2]",
            "wildcards are not allowed in range bounds",
        ),
        ("logins_count:[1 TO 2]x", "right after a value"),
        ("logins_count:[1 TO 2]^3", "boosting"),
        ("logins_count:[a:b TO 2]", "unexpected ':'"),
    ];
    for (q, expected) in cases {
        assert_refused(q, expected);
    }
}

#[test]
fn long_input_is_shortened_in_messages() {
    let long = "x".repeat(500);
    let message = refused(&long);
    assert!(message.len() < 200, "{message}");
    assert!(message.contains('…'));
}

#[test]
fn nesting_is_bounded() {
    let nested = |n: usize| format!("{}given_name:jane{}", "(".repeat(n), ")".repeat(n));
    assert_jane_only(&nested(MAX_DEPTH));
    assert_refused(
        &nested(MAX_DEPTH + 1),
        "nested too deeply (more than 32 levels",
    );
    let nots = |n: usize| format!("{}given_name:jane", "NOT ".repeat(n));
    assert_jane_only(&nots(MAX_DEPTH));
    assert_refused(&nots(MAX_DEPTH + 1), "nested too deeply");
    // Far beyond the limit: an error, not a stack overflow.
    assert_refused(&nested(100_000), "nested too deeply");
    assert_refused(&nots(100_000), "nested too deeply");
    assert_refused(&"(".repeat(100_000), "nested too deeply");
}

#[test]
fn long_flat_queries_are_fine() {
    let terms: Vec<String> = (0..2_000).map(|i| format!("logins_count:{i}")).collect();
    assert_both(&terms.join(" OR "));
    assert_none(&terms.join(" AND "));
}
