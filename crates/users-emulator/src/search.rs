//! The user-search language of `GET /api/v2/users?q=` (a Lucene subset), `sort=` and `fields=`.
//!
//! The emulator answers 400 `invalid_query_string` with [`SearchError::message`] for anything
//! outside the subset below: a query it cannot evaluate exactly as the real server would is
//! refused, never answered with a silently different result.
//!
//! # The supported query subset
//!
//! | construct | example | meaning |
//! |---|---|---|
//! | term | `email:jane@example.com` | the field's whole value equals the value |
//! | quoted term | `name:"Jane Smith"`, `name:"say \"hi\""` | the same; `\"` and `\\` escape inside quotes; `*` is literal |
//! | escapes | `name:jane\ smith`, `user_id:a\:b` | a backslash makes the next character literal (spaces, `:`, `*`, `?`, brackets, ...) |
//! | prefix wildcard | `name:j*`, `app_metadata.plan:gol*` | the value starts with the literal |
//! | suffix wildcard | `name:*usa`, `name:*usa*` | a leading `*` needs at least 3 literal characters (Auth0's rule) |
//! | range | `logins_count:[10 TO 20]`, `created_at:{2020-01-01 TO *]` | `[`/`]` inclusive, `{`/`}` exclusive, `*` open |
//! | existence | `_exists_:app_metadata.plan` | the field holds a value other than `null`, `[]` or `{}` |
//! | paths | `identities.connection:"db"`, `app_metadata.a.b:v`, `user_metadata.addresses.city:Paris` | dotted paths; a step over an array looks into every element |
//! | email domain | `email.domain:example.com` | the part of `email` after the last `@` |
//! | operators | `a:1 AND b:2`, `a:1 OR b:2`, `NOT a:1`, `a:1 AND NOT b:2` | upper-case only |
//! | grouping | `(a:1 OR a:2) AND b:3` | at most 32 levels of parentheses and `NOT` |
//!
//! Matching rules:
//! - Values of `email`, `email.domain`, `name`, `given_name`, `family_name` and `nickname` compare
//!   case-insensitively; every other field (including all metadata) is case-sensitive.
//! - A JSON number matches a value that parses to the same number (`logins_count:5` and `5.0`);
//!   a boolean matches `true` / `false`; other numbers and strings compare as text.
//! - A field holding an array matches when any element matches; `null`, `[]` and `{}` are not
//!   indexed by the server, so they neither match nor exist.
//! - Ranges compare numbers numerically and strings lexicographically. When the stored value is a
//!   timestamp and the bound a date (`2017`, `2017-11`, `2017-11-13`, or longer), the bound is
//!   compared with as many leading characters of the timestamp, so `[* TO 2017-11-13]` includes
//!   the whole day and `{2017-11-13 TO *}` excludes it, as Elasticsearch rounds incomplete dates.
//!
//! Refused (each with its own message): an empty query; a term without a field (`jane`); implicit
//! operators between terms (`a:1 b:2`: Lucene's default operator is OR while users expect AND, so
//! the emulator makes the caller say which); `AND` and `OR` mixed at one level without parentheses
//! and `NOT` as a direct operand of `OR` (Lucene gives them no boolean precedence: `a OR b AND c`
//! means `b AND c` there); lower-case operators; `&&`, `||`, `!`, `+` and `-` prefix operators;
//! fuzzy `~`, proximity, boost `^`; regular expressions `/.../`; an unescaped `:` inside an unquoted
//! value (quote timestamps: `last_login:"2020-01-01T10:00:00Z"`); the `?` wildcard; `*` inside a value
//! or alone (`name:*`, use `_exists_`); a leading `*` with fewer than 3 characters; wildcards and
//! ranges on `user_metadata`; field grouping `name:(a OR b)`; `_missing_`; unbalanced quotes,
//! brackets and parentheses; empty parentheses; nesting deeper than 32 levels.

mod eval;
mod lexer;
mod parser;
mod project;
#[cfg(test)]
mod proptests;
mod sort;
#[cfg(test)]
mod tests;

use std::fmt;

use serde_json::Value;

pub use project::project;
pub use sort::parse_sort;

/// Deepest nesting of parentheses and `NOT` a query may have; deeper queries are refused so that
/// hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 32;

/// Why a `q` or `sort` value was refused; the emulator sends [`SearchError::message`] in its 400
/// `invalid_query_string` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchError {
    /// A sentence saying what is wrong and, where it helps, where and what to write instead.
    pub message: String,
}

impl SearchError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SearchError {}

/// A parsed `q` query; see the module documentation for the language.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    root: eval::Node,
}

/// Parses a `q` value (already percent-decoded), e.g. `identities.connection:"db" AND name:jo*`.
pub fn parse(q: &str) -> Result<Query, SearchError> {
    let tokens = lexer::tokenize(q)?;
    let root = parser::parse_tokens(tokens)?;
    Ok(Query { root })
}

impl Query {
    /// Whether `user` (a user object as the API returns it) matches the query.
    pub fn matches(&self, user: &Value) -> bool {
        self.root.eval(user)
    }
}
