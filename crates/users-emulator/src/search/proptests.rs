//! Property tests: the parser never panics, nesting is bounded, operators compose like boolean
//! logic, terms agree with a plain reference on a small domain, sorting and projection hold their
//! invariants on arbitrary users.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{MAX_DEPTH, parse, parse_sort, project};

/// Characters that mean something to Lucene, plus a few plain ones, so random strings hit every
/// branch of the lexer.
const SOUP: &str = r#"[a-cA-C0-9_.:"()\[\]{}*?~^/\\ !&|+\-]{0,48}"#;

fn syntax_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("AND".to_owned()),
        Just("OR".to_owned()),
        Just("NOT".to_owned()),
        Just("TO".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("_exists_:".to_owned()),
        Just("name:".to_owned()),
        Just("user_metadata.a:".to_owned()),
        Just("[1 TO *]".to_owned()),
        Just("\"q\\\"x\"".to_owned()),
        SOUP.prop_map(|s| s),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|parts| parts.join(" "))
}

/// Arbitrary JSON, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1.0e6..1.0e6f64).prop_map(|f| json!(f)),
        "[a-cA-C0-9 @.*-]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-c]{1,2}|name|email|app_metadata", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// A small boolean expression over terms whose meaning on its own is checked separately.
#[derive(Debug, Clone)]
enum Expr {
    Term(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

fn term() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        Just("username"),
        Just("email"),
        Just("app_metadata.plan"),
        Just("app_metadata.tags"),
        Just("logins_count"),
    ];
    let value = prop_oneof![
        Just("a".to_owned()),
        Just("ab".to_owned()),
        Just("abc".to_owned()),
        Just("A".to_owned()),
        Just("1".to_owned()),
        Just("ab*".to_owned()),
        Just("*abc".to_owned()),
        Just("[1 TO 3]".to_owned()),
        Just("\"a b\"".to_owned()),
    ];
    prop_oneof![
        (field, value).prop_map(|(f, v)| format!("{f}:{v}")),
        Just("_exists_:app_metadata.plan".to_owned()),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    term()
        .prop_map(Expr::Term)
        .prop_recursive(5, 24, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner).prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
            ]
        })
}

impl Expr {
    /// Fully parenthesized, so no precedence question arises.
    fn render(&self) -> String {
        match self {
            Expr::Term(t) => t.clone(),
            Expr::Not(e) => format!("(NOT {})", e.render()),
            Expr::And(a, b) => format!("({} AND {})", a.render(), b.render()),
            Expr::Or(a, b) => format!("({} OR {})", a.render(), b.render()),
        }
    }

    fn reference(&self, user: &Value) -> bool {
        match self {
            Expr::Term(t) => parse(t).map(|q| q.matches(user)).unwrap_or(false),
            Expr::Not(e) => !e.reference(user),
            Expr::And(a, b) => a.reference(user) && b.reference(user),
            Expr::Or(a, b) => a.reference(user) || b.reference(user),
        }
    }
}

fn small_user() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        Just(json!("a")),
        Just(json!("ab")),
        Just(json!("abc")),
        Just(json!("xabc")),
        Just(json!("A")),
        Just(json!("a b")),
        Just(json!(1)),
        Just(json!(2)),
        Just(json!(null)),
        Just(json!(["a", "abc"])),
    ];
    (
        prop::option::of(text.clone()),
        prop::option::of(text.clone()),
        prop::option::of(text.clone()),
        prop::option::of(text),
    )
        .prop_map(|(username, email, plan, count)| {
            let mut user = Map::new();
            let mut app = Map::new();
            if let Some(v) = username {
                user.insert("username".into(), v);
            }
            if let Some(v) = email {
                user.insert("email".into(), v);
            }
            if let Some(v) = count {
                user.insert("logins_count".into(), v);
            }
            if let Some(v) = plan {
                app.insert("plan".into(), v.clone());
                app.insert("tags".into(), json!([v, "z"]));
            }
            user.insert("app_metadata".into(), Value::Object(app));
            Value::Object(user)
        })
}

/// The plain meaning of `field:value` on a string field, written independently of the matcher.
fn reference_term(stored: &str, value: &str, fold: bool) -> bool {
    let (stored, value) = if fold {
        (stored.to_lowercase(), value.to_lowercase())
    } else {
        (stored.to_owned(), value.to_owned())
    };
    if let Some(prefix) = value.strip_suffix('*') {
        stored.starts_with(prefix)
    } else if let Some(suffix) = value.strip_prefix('*') {
        stored.ends_with(suffix)
    } else {
        stored == value
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics_on_any_string(q in any::<String>()) {
        let _ = parse(&q);
        let _ = parse_sort(&q);
    }

    #[test]
    fn parse_never_panics_on_syntax_soup(q in syntax_soup(), user in json_value()) {
        if let Ok(query) = parse(&q) {
            let _ = query.matches(&user);
        }
    }

    #[test]
    fn errors_are_short_sentences(q in syntax_soup()) {
        if let Err(e) = parse(&q) {
            prop_assert!(!e.message.is_empty());
            prop_assert!(e.message.chars().count() < 400, "{}", e.message);
        }
    }

    #[test]
    fn nesting_is_accepted_up_to_the_limit_only(depth in 0usize..(3 * MAX_DEPTH), nots in any::<bool>()) {
        let q = if nots {
            format!("{}username:a", "NOT ".repeat(depth))
        } else {
            format!("{}username:a{}", "(".repeat(depth), ")".repeat(depth))
        };
        prop_assert_eq!(parse(&q).is_ok(), depth <= MAX_DEPTH);
    }

    #[test]
    fn operators_compose_like_boolean_logic(e in expr(), user in small_user()) {
        let rendered = e.render();
        match parse(&rendered) {
            Ok(query) => prop_assert_eq!(query.matches(&user), e.reference(&user), "{}", rendered),
            // Only depth may refuse a fully parenthesized expression of valid terms.
            Err(err) => prop_assert!(err.message.contains("nested too deeply"), "{}: {}", rendered, err),
        }
    }

    #[test]
    fn negation_is_the_complement(t in term(), user in small_user()) {
        let positive = parse(&t).unwrap().matches(&user);
        let negative = parse(&format!("NOT {t}")).unwrap().matches(&user);
        prop_assert_eq!(positive, !negative);
    }

    #[test]
    fn terms_agree_with_a_plain_reference(
        stored in "[aAbB]{0,4}",
        value in prop_oneof!["[aAbB]{1,4}", "[aAbB]{1,3}\\*", "\\*[aAbB]{3,4}"],
        fold in any::<bool>(),
    ) {
        let field = if fold { "nickname" } else { "username" };
        let user = json!({ field: stored.clone() });
        let query = parse(&format!("{field}:{value}")).unwrap();
        prop_assert_eq!(query.matches(&user), reference_term(&stored, &value, fold));
    }

    #[test]
    fn quoting_any_text_matches_it_exactly(text in any::<String>()) {
        let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
        let query = parse(&format!("username:\"{escaped}\"")).unwrap();
        let same = json!({"username": text.clone()});
        let longer = json!({"username": format!("{text}x")});
        prop_assert!(query.matches(&same));
        prop_assert!(!query.matches(&longer));
    }

    #[test]
    fn matching_arbitrary_users_never_panics(user in json_value()) {
        for q in [
            "name:abc OR email:*@x.com OR a.b.c:1",
            "_exists_:a.b OR app_metadata.a:[* TO *] OR a:{1 TO 2}",
            "NOT (a:a AND b:b) AND NOT email.domain:x",
        ] {
            let _ = parse(q).unwrap().matches(&user);
        }
    }

    #[test]
    fn sorting_gives_a_consistent_order(
        users in prop::collection::vec(json_value(), 0..12),
        field in "[a-c]|name|email",
        descending in any::<bool>(),
    ) {
        let spec = parse_sort(&format!("{field}:{}", if descending { "-1" } else { "1" })).unwrap();
        for a in &users {
            for b in &users {
                prop_assert_eq!(spec.compare(a, b), spec.compare(b, a).reverse());
            }
        }
        let mut sorted = users.clone();
        sorted.sort_by(|a, b| spec.compare(a, b));
        for pair in sorted.windows(2) {
            prop_assert_ne!(spec.compare(&pair[0], &pair[1]), std::cmp::Ordering::Greater);
        }
    }

    #[test]
    fn include_and_exclude_partition_the_fields(user in json_value(), fields in "[a-c, ]{0,10}") {
        prop_assume!(fields.split(',').any(|f| !f.trim().is_empty()));
        let kept = project(&user, &fields, true);
        let rest = project(&user, &fields, false);
        let (Some(user), Some(kept), Some(rest)) = (user.as_object(), kept.as_object(), rest.as_object())
        else {
            prop_assert_eq!(kept, user.clone());
            prop_assert_eq!(rest, user);
            return Ok(());
        };
        prop_assert_eq!(kept.len() + rest.len(), user.len());
        for (key, value) in user {
            prop_assert_eq!(kept.get(key).or_else(|| rest.get(key)), Some(value));
            prop_assert!(!(kept.contains_key(key) && rest.contains_key(key)));
        }
    }
}
