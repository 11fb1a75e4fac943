//! The fault-injection plan behind `/__emulator/faults`: "for the next N requests matching this
//! method and path prefix, do X instead of (or before) answering normally".
//!
//! Rules are tried in the order they were added; the first match is used and its count goes down
//! by one, and a rule is dropped when its count reaches zero. Paths under `/__emulator/` never
//! match, so a plan can always be inspected and cleared.
//!
//! JSON form of a rule (`method` optional, `count` defaults to 1):
//!
//! ```json
//! {"method": "GET", "path_prefix": "/api/v2/users", "count": 2,
//!  "action": {"kind": "status", "status": 503, "body": {"message": "down"}}}
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest latency a rule may add (one minute), so a typo cannot hang a test suite.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// Most rules a plan holds at once, so the admin API cannot grow memory without bound.
pub const MAX_RULES: usize = 1_000;

/// Longest `path_prefix` accepted.
pub const MAX_PREFIX_LEN: usize = 2_048;

/// Paths of the emulator's own admin API, which faults never touch.
pub const ADMIN_PREFIX: &str = "/__emulator/";

/// Headers a fault may not set: they decide how the body is framed or whether the connection
/// survives, and the `truncate` and `reset` actions exist for breaking those on purpose.
const FRAMING_HEADERS: &[&str] = &["content-length", "transfer-encoding", "connection"];

fn default_count() -> u32 {
    1
}

/// One rule of a [`FaultPlan`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// The HTTP method to match (any case; stored upper-case); `None` matches every method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Matches every path that starts with this string (a plain string prefix: `/api/v2/users`
    /// also matches `/api/v2/users-by-email`). Must start with `/`.
    pub path_prefix: String,
    /// How many matching requests the rule applies to (at least 1; defaults to 1).
    #[serde(default = "default_count")]
    pub count: u32,
    /// What happens to a matching request.
    pub action: FaultAction,
}

/// What a fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    deny_unknown_fields,
    from = "ActionInput"
)]
pub enum FaultAction {
    /// Answer with this status (200..=599), an optional JSON body and optional extra headers.
    Status {
        /// The HTTP status.
        status: u16,
        /// The JSON body; `None` leaves the choice of body to the emulator.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<Value>,
        /// Extra response headers (framing headers are refused).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        headers: Option<BTreeMap<String, String>>,
    },
    /// Wait this long (at most [`MAX_LATENCY_MS`]), then answer normally.
    Latency {
        /// The delay in milliseconds.
        ms: u64,
    },
    /// Close the connection in the middle of the response.
    Reset,
    /// Send the headers and part of the body, then close the connection.
    Truncate,
    /// Answer 200 with a body that is not valid JSON.
    MalformedJson,
}

/// The JSON input form of [`FaultAction`]. Serde ignores unknown fields next to the tag of a unit
/// variant even with `deny_unknown_fields`, so `{"kind": "reset", "count": 3}` (a misplaced count)
/// would pass silently; empty struct variants make it an error.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum ActionInput {
    Status {
        status: u16,
        #[serde(default)]
        body: Option<Value>,
        #[serde(default)]
        headers: Option<BTreeMap<String, String>>,
    },
    Latency {
        ms: u64,
    },
    Reset {},
    Truncate {},
    MalformedJson {},
}

impl From<ActionInput> for FaultAction {
    fn from(input: ActionInput) -> Self {
        match input {
            ActionInput::Status {
                status,
                body,
                headers,
            } => FaultAction::Status {
                status,
                body,
                headers,
            },
            ActionInput::Latency { ms } => FaultAction::Latency { ms },
            ActionInput::Reset {} => FaultAction::Reset,
            ActionInput::Truncate {} => FaultAction::Truncate,
            ActionInput::MalformedJson {} => FaultAction::MalformedJson,
        }
    }
}

impl FaultRule {
    /// Checks the rule and upper-cases its method; the error says which field is wrong and why.
    fn validated(mut self) -> Result<Self, String> {
        if self.count == 0 {
            return Err("count must be at least 1".to_owned());
        }
        if let Some(method) = &self.method {
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err("method must be an HTTP method such as GET or PATCH".to_owned());
            }
            self.method = Some(method.to_ascii_uppercase());
        }
        if !self.path_prefix.starts_with('/') {
            return Err("path_prefix must start with '/'".to_owned());
        }
        if self.path_prefix.len() > MAX_PREFIX_LEN {
            return Err(format!(
                "path_prefix must be at most {MAX_PREFIX_LEN} bytes long"
            ));
        }
        if self
            .path_prefix
            .starts_with(ADMIN_PREFIX.trim_end_matches('/'))
        {
            return Err(format!(
                "path_prefix must not point into the admin API ({ADMIN_PREFIX})"
            ));
        }
        match &self.action {
            FaultAction::Status {
                status, headers, ..
            } => {
                if !(200..=599).contains(status) {
                    return Err(format!("status must be between 200 and 599, got {status}"));
                }
                for (name, value) in headers.iter().flatten() {
                    check_header(name, value)?;
                }
            }
            FaultAction::Latency { ms } if *ms > MAX_LATENCY_MS => {
                return Err(format!(
                    "latency ms must be at most {MAX_LATENCY_MS}, got {ms}"
                ));
            }
            FaultAction::Latency { .. }
            | FaultAction::Reset
            | FaultAction::Truncate
            | FaultAction::MalformedJson => {}
        }
        Ok(self)
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        method_ok && path.starts_with(self.path_prefix.as_str())
    }
}

fn check_header(name: &str, value: &str) -> Result<(), String> {
    let header = http::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("'{name}' is not a valid header name"))?;
    if FRAMING_HEADERS.contains(&header.as_str()) {
        return Err(format!(
            "header '{name}' cannot be set by a fault; use the truncate or reset actions to break a response"
        ));
    }
    http::HeaderValue::from_str(value).map_err(|_| {
        format!("the value of header '{name}' has characters a header cannot carry")
    })?;
    Ok(())
}

/// The pending fault rules, in the order they were added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    rules: Vec<FaultRule>,
}

impl FaultPlan {
    /// Appends a rule after checking it: count ≥ 1, status 200..=599, latency ≤ one minute,
    /// a path prefix starting with `/` outside the admin API, valid non-framing headers, and at
    /// most [`MAX_RULES`] rules pending.
    pub fn add(&mut self, rule: FaultRule) -> Result<(), String> {
        if self.rules.len() >= MAX_RULES {
            return Err(format!(
                "at most {MAX_RULES} fault rules can be pending; clear some first"
            ));
        }
        self.rules.push(rule.validated()?);
        Ok(())
    }

    /// The action for a request, if a rule matches: the first matching rule is used up by one.
    /// Paths under `/__emulator/` never match.
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultAction> {
        if path.starts_with(ADMIN_PREFIX) {
            return None;
        }
        let index = self.rules.iter().position(|r| r.matches(method, path))?;
        let rule = self.rules.get_mut(index)?;
        let action = rule.action.clone();
        rule.count = rule.count.saturating_sub(1);
        if rule.count == 0 {
            self.rules.remove(index);
        }
        Some(action)
    }

    /// Whether no rule is planned (most requests: nothing to match).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Drops every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules still pending, with their remaining counts.
    pub fn pending(&self) -> &[FaultRule] {
        &self.rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn rule(method: Option<&str>, prefix: &str, count: u32, action: FaultAction) -> FaultRule {
        FaultRule {
            method: method.map(str::to_owned),
            path_prefix: prefix.to_owned(),
            count,
            action,
        }
    }

    fn status(code: u16) -> FaultAction {
        FaultAction::Status {
            status: code,
            body: None,
            headers: None,
        }
    }

    #[test]
    fn a_rule_applies_count_times_then_disappears() {
        let mut plan = FaultPlan::default();
        plan.add(rule(Some("get"), "/api/v2/users", 2, status(503)))
            .unwrap();
        assert_eq!(plan.pending()[0].method.as_deref(), Some("GET"));
        assert_eq!(plan.take("GET", "/api/v2/users/auth0|1"), Some(status(503)));
        assert_eq!(plan.pending()[0].count, 1);
        assert_eq!(plan.take("GET", "/api/v2/users"), Some(status(503)));
        assert!(plan.pending().is_empty());
        assert_eq!(plan.take("GET", "/api/v2/users"), None);
    }

    #[test]
    fn method_and_prefix_must_both_match() {
        let mut plan = FaultPlan::default();
        plan.add(rule(Some("PATCH"), "/api/v2/users/", 1, FaultAction::Reset))
            .unwrap();
        assert_eq!(plan.take("GET", "/api/v2/users/x"), None);
        assert_eq!(plan.take("PATCH", "/api/v2/clients/x"), None);
        assert_eq!(
            plan.take("patch", "/api/v2/users/x"),
            Some(FaultAction::Reset)
        );
    }

    #[test]
    fn a_missing_method_matches_every_method_and_the_prefix_is_plain() {
        let mut plan = FaultPlan::default();
        plan.add(rule(None, "/api/v2/users", 3, FaultAction::Truncate))
            .unwrap();
        assert!(plan.take("DELETE", "/api/v2/users/x").is_some());
        assert!(plan.take("POST", "/api/v2/users").is_some());
        assert!(plan.take("GET", "/api/v2/users-by-email?email=a").is_some());
        assert!(plan.pending().is_empty());
    }

    #[test]
    fn the_first_matching_rule_wins_and_later_ones_wait() {
        let mut plan = FaultPlan::default();
        plan.add(rule(
            None,
            "/api/v2/users",
            1,
            FaultAction::Latency { ms: 10 },
        ))
        .unwrap();
        plan.add(rule(None, "/", 1, FaultAction::MalformedJson))
            .unwrap();
        assert_eq!(
            plan.take("GET", "/api/v2/users"),
            Some(FaultAction::Latency { ms: 10 })
        );
        assert_eq!(
            plan.take("GET", "/api/v2/users"),
            Some(FaultAction::MalformedJson)
        );
        assert_eq!(plan.take("GET", "/api/v2/users"), None);
    }

    #[test]
    fn admin_paths_are_never_faulted() {
        let mut plan = FaultPlan::default();
        plan.add(rule(None, "/", 1, FaultAction::Reset)).unwrap();
        assert_eq!(plan.take("POST", "/__emulator/faults"), None);
        assert_eq!(plan.pending().len(), 1);
        let err = plan
            .add(rule(None, "/__emulator/reset", 1, FaultAction::Reset))
            .unwrap_err();
        assert!(err.contains("admin API"), "{err}");
    }

    #[test]
    fn clear_drops_everything() {
        let mut plan = FaultPlan::default();
        plan.add(rule(None, "/a", 5, FaultAction::Reset)).unwrap();
        plan.add(rule(None, "/b", 5, FaultAction::Reset)).unwrap();
        plan.clear();
        assert!(plan.pending().is_empty());
        assert_eq!(plan.take("GET", "/a"), None);
    }

    #[test]
    fn invalid_rules_are_refused_with_the_reason() {
        let cases = [
            (
                rule(None, "/a", 0, FaultAction::Reset),
                "count must be at least 1",
            ),
            (
                rule(None, "/a", 1, status(99)),
                "status must be between 200 and 599, got 99",
            ),
            (rule(None, "/a", 1, status(100)), "got 100"),
            (rule(None, "/a", 1, status(600)), "got 600"),
            (
                rule(None, "/a", 1, FaultAction::Latency { ms: 60_001 }),
                "latency ms must be at most 60000, got 60001",
            ),
            (
                rule(None, "api/v2", 1, FaultAction::Reset),
                "must start with '/'",
            ),
            (rule(None, "", 1, FaultAction::Reset), "must start with '/'"),
            (rule(Some(""), "/a", 1, FaultAction::Reset), "HTTP method"),
            (
                rule(Some("GE T"), "/a", 1, FaultAction::Reset),
                "HTTP method",
            ),
            (
                rule(
                    None,
                    &format!("/{}", "a".repeat(MAX_PREFIX_LEN)),
                    1,
                    FaultAction::Reset,
                ),
                "at most 2048 bytes",
            ),
        ];
        for (rule, expected) in cases {
            let mut plan = FaultPlan::default();
            let err = plan.add(rule.clone()).unwrap_err();
            assert!(err.contains(expected), "{rule:?}: {err}");
            assert!(plan.pending().is_empty());
        }
    }

    #[test]
    fn boundary_values_are_accepted() {
        let mut plan = FaultPlan::default();
        plan.add(rule(None, "/", u32::MAX, status(200))).unwrap();
        plan.add(rule(None, "/", 1, status(599))).unwrap();
        plan.add(rule(
            None,
            "/",
            1,
            FaultAction::Latency { ms: MAX_LATENCY_MS },
        ))
        .unwrap();
        assert_eq!(plan.pending().len(), 3);
    }

    #[test]
    fn headers_are_checked() {
        let with_headers = |name: &str, value: &str| {
            let headers = BTreeMap::from([(name.to_owned(), value.to_owned())]);
            rule(
                None,
                "/a",
                1,
                FaultAction::Status {
                    status: 429,
                    body: Some(json!({"statusCode": 429})),
                    headers: Some(headers),
                },
            )
        };
        let mut plan = FaultPlan::default();
        plan.add(with_headers("Retry-After", "3")).unwrap();
        for (name, value, expected) in [
            ("bad name", "1", "not a valid header name"),
            ("", "1", "not a valid header name"),
            ("x-ok", "line\r\nbreak", "characters a header cannot carry"),
            ("Content-Length", "5", "cannot be set by a fault"),
            ("transfer-encoding", "chunked", "cannot be set by a fault"),
            ("Connection", "close", "cannot be set by a fault"),
        ] {
            let err = plan.add(with_headers(name, value)).unwrap_err();
            assert!(err.contains(expected), "{name}: {err}");
        }
        assert_eq!(plan.pending().len(), 1);
    }

    #[test]
    fn the_plan_is_bounded() {
        let mut plan = FaultPlan::default();
        for _ in 0..MAX_RULES {
            plan.add(rule(None, "/a", 1, FaultAction::Reset)).unwrap();
        }
        let err = plan
            .add(rule(None, "/a", 1, FaultAction::Reset))
            .unwrap_err();
        assert!(err.contains("at most 1000 fault rules"), "{err}");
    }

    #[test]
    fn rules_read_from_json_with_defaults() {
        let rule: FaultRule = serde_json::from_value(json!({
            "path_prefix": "/api/v2/users",
            "action": {"kind": "status", "status": 503, "body": {"message": "down"},
                       "headers": {"retry-after": "2"}}
        }))
        .unwrap();
        assert_eq!(rule.count, 1);
        assert_eq!(rule.method, None);
        assert_eq!(
            rule.action,
            FaultAction::Status {
                status: 503,
                body: Some(json!({"message": "down"})),
                headers: Some(BTreeMap::from([("retry-after".to_owned(), "2".to_owned())])),
            }
        );
        for (kind, action) in [
            (json!({"kind": "reset"}), FaultAction::Reset),
            (json!({"kind": "truncate"}), FaultAction::Truncate),
            (
                json!({"kind": "malformed_json"}),
                FaultAction::MalformedJson,
            ),
            (
                json!({"kind": "latency", "ms": 250}),
                FaultAction::Latency { ms: 250 },
            ),
        ] {
            let rule: FaultRule = serde_json::from_value(
                json!({"method": "GET", "path_prefix": "/", "count": 4, "action": kind}),
            )
            .unwrap();
            assert_eq!(rule.action, action);
            assert_eq!(rule.count, 4);
        }
    }

    #[test]
    fn rules_round_trip_through_json() {
        let original = rule(Some("POST"), "/api/v2/users", 2, status(500));
        let text = serde_json::to_value(&original).unwrap();
        assert_eq!(
            text,
            json!({"method": "POST", "path_prefix": "/api/v2/users", "count": 2,
                   "action": {"kind": "status", "status": 500}})
        );
        let back: FaultRule = serde_json::from_value(text).unwrap();
        assert_eq!(back, original);
    }

    fn any_rule() -> impl Strategy<Value = FaultRule> {
        let method = prop_oneof![Just(None), Just(Some("GET")), Just(Some("post"))];
        let prefix = prop_oneof![Just("/a"), Just("/a/b"), Just("/b"), Just("/")];
        (method, prefix, 1u32..4).prop_map(|(m, p, count)| rule(m, p, count, FaultAction::Reset))
    }

    /// JSON objects built from the keys and kinds a rule has, with values of every type, so that
    /// the serde paths (and the checks after them) see near-misses as well as valid rules.
    fn rule_shaped_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            (0u64..70_000).prop_map(|n| json!(n)),
            prop_oneof![
                Just("status"),
                Just("latency"),
                Just("reset"),
                Just("truncate"),
                Just("malformed_json"),
                Just("GET"),
                Just("/api"),
                Just(""),
                Just("x\r\ny"),
            ]
            .prop_map(|s| json!(s)),
        ];
        leaf.prop_recursive(3, 24, 5, |inner| {
            let key = prop_oneof![
                Just("method"),
                Just("path_prefix"),
                Just("count"),
                Just("action"),
                Just("kind"),
                Just("status"),
                Just("ms"),
                Just("body"),
                Just("headers"),
                Just("retry-after"),
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map(key.prop_map(str::to_owned), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn every_count_is_used_exactly_once(
            rules in prop::collection::vec(any_rule(), 0..8),
            requests in prop::collection::vec(
                (prop_oneof![Just("GET"), Just("POST"), Just("PUT")],
                 prop_oneof![Just("/a"), Just("/a/b/c"), Just("/b"), Just("/c"), Just("/__emulator/x")]),
                0..40),
        ) {
            let mut plan = FaultPlan::default();
            for r in &rules {
                plan.add(r.clone()).unwrap();
            }
            let total: u32 = rules.iter().map(|r| r.count).sum();
            let mut fired = 0u32;
            for (method, path) in requests {
                let before = plan.clone();
                if plan.take(method, path).is_some() {
                    fired += 1;
                    prop_assert!(!path.starts_with(ADMIN_PREFIX));
                } else {
                    prop_assert_eq!(&plan, &before);
                }
            }
            let left: u32 = plan.pending().iter().map(|r| r.count).sum();
            prop_assert_eq!(fired + left, total);
            prop_assert!(plan.pending().iter().all(|r| r.count >= 1));
        }

        #[test]
        fn reading_rule_shaped_json_never_panics(value in rule_shaped_json()) {
            if let Ok(rule) = serde_json::from_value::<FaultRule>(value) {
                let mut plan = FaultPlan::default();
                if plan.add(rule).is_ok() {
                    let _ = plan.take("GET", "/api/v2/users");
                }
            }
        }
    }

    #[test]
    fn malformed_json_rules_are_refused() {
        for bad in [
            json!({"path_prefix": "/", "action": {"kind": "explode"}}),
            json!({"path_prefix": "/", "action": {"status": 500}}),
            json!({"path_prefix": "/", "action": {"kind": "latency"}}),
            json!({"path_prefix": "/", "action": {"kind": "latency", "ms": -1}}),
            json!({"path_prefix": "/", "action": {"kind": "reset", "extra": 1}}),
            json!({"path_prefix": "/", "action": {"kind": "truncate", "count": 3}}),
            json!({"path_prefix": "/", "action": {"kind": "malformed_json", "status": 500}}),
            json!({"path_prefix": "/", "action": {"kind": "latency", "ms": 5, "status": 1}}),
            json!({"path_prefix": "/", "action": {"kind": "status", "status": 70000}}),
            json!({"path_prefix": "/", "typo": 1, "action": {"kind": "reset"}}),
            json!({"action": {"kind": "reset"}}),
            json!({"path_prefix": "/", "count": -1, "action": {"kind": "reset"}}),
        ] {
            assert!(
                serde_json::from_value::<FaultRule>(bad.clone()).is_err(),
                "accepted {bad}"
            );
        }
    }
}
