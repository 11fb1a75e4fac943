//! The parsed query tree and how it is matched against a user object.

use std::cmp::Ordering;

use serde_json::Value;

/// Root fields whose values the server normalizes to lower case (Auth0 "normalized user fields").
const CASE_INSENSITIVE_FIELDS: &[&str] =
    &["email", "name", "given_name", "family_name", "nickname"];

/// A node of the query tree. `And` and `Or` hold two or more operands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Term(Term),
}

/// One `field:value` clause.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    pub(crate) field: Field,
    pub(crate) test: Test,
}

/// A dotted field path, e.g. `app_metadata.plan`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    path: Vec<String>,
}

/// What a term checks about the field's values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    Exists,
    Match(Pattern),
    Range {
        lower: Option<Bound>,
        upper: Option<Bound>,
    },
}

/// A value to match, with its wildcards already interpreted. Literals of case-insensitive fields
/// are stored lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pattern {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
}

/// One end of a range; `None` in [`Test::Range`] means open (`*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bound {
    pub(crate) value: String,
    pub(crate) inclusive: bool,
}

impl Node {
    /// The number of [`Term`]s under this node.
    pub(crate) fn terms(&self) -> usize {
        match self {
            Node::And(nodes) | Node::Or(nodes) => nodes.iter().map(Node::terms).sum(),
            Node::Not(inner) => inner.terms(),
            Node::Term(_) => 1,
        }
    }
}

impl Field {
    /// Splits a dotted name; `None` when a segment is empty (`a..b`, `.a`, `a.`).
    pub(crate) fn from_dotted(name: &str) -> Option<Self> {
        let path: Vec<String> = name.split('.').map(str::to_owned).collect();
        if path.iter().any(String::is_empty) {
            return None;
        }
        Some(Self { path })
    }

    /// The first path segment (`app_metadata` for `app_metadata.plan`).
    pub(crate) fn root(&self) -> &str {
        self.path.first().map_or("", String::as_str)
    }

    fn is_email_domain(&self) -> bool {
        self.path.len() == 2
            && self.root() == "email"
            && self.path.get(1).is_some_and(|s| s == "domain")
    }

    /// Whether values of this field compare without regard to case.
    pub(crate) fn case_insensitive(&self) -> bool {
        self.is_email_domain()
            || (self.path.len() == 1 && CASE_INSENSITIVE_FIELDS.contains(&self.root()))
    }

    /// The indexed values of this field in `user`: arrays are flattened at every step (the
    /// server skips array levels) and `null`, `[]` and `{}` are left out (the server does not
    /// index them). `email.domain` is derived from `email`.
    pub(crate) fn values<'a>(&self, user: &'a Value) -> Vec<FieldValue<'a>> {
        if self.is_email_domain() {
            return match user.get("email").and_then(Value::as_str) {
                Some(email) => match email.rsplit_once('@') {
                    Some((_, domain)) => vec![FieldValue::Domain(domain)],
                    None => Vec::new(),
                },
                None => Vec::new(),
            };
        }
        let mut current: Vec<&'a Value> = vec![user];
        for segment in &self.path {
            let mut next = Vec::new();
            for value in current {
                let mut flat = Vec::new();
                flatten(value, &mut flat);
                next.extend(flat.into_iter().filter_map(|v| v.get(segment.as_str())));
            }
            current = next;
        }
        let mut leaves = Vec::new();
        for value in current {
            flatten(value, &mut leaves);
        }
        leaves
            .into_iter()
            .filter(|v| !v.is_null() && !v.as_object().is_some_and(serde_json::Map::is_empty))
            .map(FieldValue::Json)
            .collect()
    }
}

/// Pushes `value`, or the elements of every array nested in it, onto `out`. Iterative, so a deeply
/// nested document cannot overflow the stack.
fn flatten<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            other => out.push(other),
        }
    }
}

/// One indexed value of a field.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FieldValue<'a> {
    Json(&'a Value),
    /// The domain part of `email`.
    Domain(&'a str),
}

impl FieldValue<'_> {
    /// The value as text: strings as they are, numbers and booleans as their JSON text; objects
    /// have none.
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            FieldValue::Domain(d) => Some((*d).to_owned()),
            FieldValue::Json(Value::String(s)) => Some(s.clone()),
            FieldValue::Json(Value::Number(n)) => Some(n.to_string()),
            FieldValue::Json(Value::Bool(b)) => Some(b.to_string()),
            FieldValue::Json(_) => None,
        }
    }

    pub(crate) fn number(&self) -> Option<f64> {
        match self {
            FieldValue::Json(Value::Number(n)) => n.as_f64(),
            _ => None,
        }
    }
}

impl Node {
    pub(crate) fn eval(&self, user: &Value) -> bool {
        match self {
            Node::And(items) => items.iter().all(|n| n.eval(user)),
            Node::Or(items) => items.iter().any(|n| n.eval(user)),
            Node::Not(inner) => !inner.eval(user),
            Node::Term(term) => term.eval(user),
        }
    }
}

impl Term {
    fn eval(&self, user: &Value) -> bool {
        let values = self.field.values(user);
        let fold = self.field.case_insensitive();
        match &self.test {
            Test::Exists => !values.is_empty(),
            Test::Match(pattern) => values.iter().any(|v| pattern.matches(v, fold)),
            Test::Range { lower, upper } => values.iter().any(|v| in_range(v, lower, upper, fold)),
        }
    }
}

fn normalized(v: &FieldValue<'_>, fold: bool) -> Option<String> {
    let text = v.text()?;
    Some(if fold { text.to_lowercase() } else { text })
}

impl Pattern {
    fn matches(&self, v: &FieldValue<'_>, fold: bool) -> bool {
        let wanted_number = match self {
            Pattern::Exact(wanted) => wanted.parse::<f64>().ok(),
            _ => None,
        };
        if let (Some(wanted), Some(actual)) = (wanted_number, v.number()) {
            return wanted == actual;
        }
        let Some(text) = normalized(v, fold) else {
            return false;
        };
        match self {
            Pattern::Exact(p) => text == *p,
            Pattern::Prefix(p) => text.starts_with(p.as_str()),
            Pattern::Suffix(p) => text.ends_with(p.as_str()),
            Pattern::Contains(p) => text.contains(p.as_str()),
        }
    }
}

/// Whether `s` starts with a calendar date `YYYY-MM-DD`, as stored timestamps do.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b.iter().take(10).enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Whether a range bound is a possibly incomplete date: `YYYY`, `YYYY-MM` or a full timestamp.
fn is_date_bound(s: &str) -> bool {
    let b = s.as_bytes();
    let year = b.len() >= 4 && b.iter().take(4).all(u8::is_ascii_digit);
    match b.len() {
        4 => year,
        7 => year && b.get(4) == Some(&b'-') && b.iter().skip(5).all(u8::is_ascii_digit),
        _ => is_timestamp(s),
    }
}

/// How `v` compares with `bound`; `None` when they cannot be compared (booleans, objects).
fn compare_to_bound(v: &FieldValue<'_>, bound: &str, fold: bool) -> Option<Ordering> {
    if let (Some(actual), Ok(b)) = (v.number(), bound.parse::<f64>()) {
        return actual.partial_cmp(&b);
    }
    let is_string = matches!(
        v,
        FieldValue::Domain(_) | FieldValue::Json(Value::String(_))
    );
    if !is_string {
        return None;
    }
    let text = normalized(v, fold)?;
    if is_timestamp(&text) && is_date_bound(bound) {
        let head: String = text.chars().take(bound.chars().count()).collect();
        return Some(head.as_str().cmp(bound));
    }
    Some(text.as_str().cmp(bound))
}

fn in_range(v: &FieldValue<'_>, lower: &Option<Bound>, upper: &Option<Bound>, fold: bool) -> bool {
    let lower_ok = match lower {
        None => true,
        Some(b) => match compare_to_bound(v, &b.value, fold) {
            Some(Ordering::Greater) => true,
            Some(Ordering::Equal) => b.inclusive,
            _ => false,
        },
    };
    let upper_ok = match upper {
        None => true,
        Some(b) => match compare_to_bound(v, &b.value, fold) {
            Some(Ordering::Less) => true,
            Some(Ordering::Equal) => b.inclusive,
            _ => false,
        },
    };
    // Only numbers and strings have an order; `[* TO *]` on a boolean or object matches nothing.
    let orderable = v.number().is_some()
        || matches!(
            v,
            FieldValue::Domain(_) | FieldValue::Json(Value::String(_))
        );
    orderable && lower_ok && upper_ok
}
