//! The user-search language of `GET /api/v2/users?q=` (a Lucene subset), `sort=` and `fields=`.
//!
//! The emulator answers 400 `invalid_query_string` with [`SearchError::message`] for anything
//! outside the supported subset: a query it cannot evaluate exactly as the real server would is
//! refused, never answered with a silently different result. The subset, the matching rules and
//! every refusal are listed in the crate's README (section "Search"), which is the contract.

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

/// Longest `q` (in characters, after percent-decoding) the emulator evaluates.
///
/// The real server has no documented size limit; it answers 503 "The query exceeded the
/// timeout" to a query that does not complete within 2 seconds (users-api.md §8, the spec's
/// 503 of `get_users`). The emulator bounds a query's cost by its size instead of by a clock,
/// so the answer does not depend on the machine's load: over this length, or over
/// [`MAX_QUERY_TERMS`] terms, it answers that same 503 (**unconfirmed** bounds).
pub const MAX_QUERY_CHARS: usize = 4096;

/// Most `field:value` terms a `q` may hold (see [`MAX_QUERY_CHARS`]). Evaluation costs at most
/// terms × users × field values, each a linear string match.
pub const MAX_QUERY_TERMS: usize = 256;

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
    /// How many `field:value` terms the query holds.
    pub fn terms(&self) -> usize {
        self.root.terms()
    }

    /// Whether `user` (a user object as the API returns it) matches the query.
    pub fn matches(&self, user: &Value) -> bool {
        self.root.eval(user)
    }
}
