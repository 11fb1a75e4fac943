//! Query strings of the user lists, and the totals page.

use serde::{Deserialize, Serialize};

use crate::{Metadata, User};

/// The query of `GET /api/v2/users` (scope `read:users`). Unset parameters are not sent.
///
/// ```
/// use users_model::{ListUsersQuery, SearchEngine};
/// let mut query = ListUsersQuery::default();
/// query.per_page = Some(50);
/// query.include_totals = Some(true);
/// query.q = Some(r#"email:"jane@example.com""#.into());
/// query.search_engine = Some(SearchEngine::V3);
/// assert_eq!(query.to_query_pairs(), vec![
///     ("per_page", "50".to_owned()),
///     ("include_totals", "true".to_owned()),
///     ("q", r#"email:"jane@example.com""#.to_owned()),
///     ("search_engine", "v3".to_owned()),
/// ]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ListUsersQuery {
    /// Zero-based page number.
    pub page: Option<u32>,
    /// Users per page (0-100).
    pub per_page: Option<u32>,
    /// Return a [`UsersPage`] instead of a bare array.
    pub include_totals: Option<bool>,
    /// `field:1` (ascending) or `field:-1` (descending).
    pub sort: Option<String>,
    /// Connection filter (only with `search_engine=v1`).
    pub connection: Option<String>,
    /// Comma-separated list of fields.
    pub fields: Option<String>,
    /// Whether `fields` lists the fields to include (true) or to exclude (false).
    pub include_fields: Option<bool>,
    /// Lucene query (search engine v2/v3).
    pub q: Option<String>,
    /// Search engine version.
    pub search_engine: Option<SearchEngine>,
    /// Deterministic order (default true); false may be faster.
    pub primary_order: Option<bool>,
}

impl ListUsersQuery {
    /// The set parameters, in declaration order, with values NOT percent-encoded (encode each
    /// with [`crate::encode_component`] when building the URL).
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        push(&mut pairs, "page", self.page);
        push(&mut pairs, "per_page", self.per_page);
        push(&mut pairs, "include_totals", self.include_totals);
        push(&mut pairs, "sort", self.sort.as_ref());
        push(&mut pairs, "connection", self.connection.as_ref());
        push(&mut pairs, "fields", self.fields.as_ref());
        push(&mut pairs, "include_fields", self.include_fields);
        push(&mut pairs, "q", self.q.as_ref());
        push(
            &mut pairs,
            "search_engine",
            self.search_engine.map(SearchEngine::as_str),
        );
        push(&mut pairs, "primary_order", self.primary_order);
        pairs
    }
}

fn push<T: ToString>(pairs: &mut Vec<(&'static str, String)>, key: &'static str, value: Option<T>) {
    if let Some(value) = value {
        pairs.push((key, value.to_string()));
    }
}

/// The user search engine version (`search_engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SearchEngine {
    /// `v1` (legacy).
    V1,
    /// `v2` (legacy).
    V2,
    /// `v3`.
    V3,
}

impl SearchEngine {
    /// The wire string, `"v1"`, `"v2"` or `"v3"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchEngine::V1 => "v1",
            SearchEngine::V2 => "v2",
            SearchEngine::V3 => "v3",
        }
    }
}

impl std::fmt::Display for SearchEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A page of `GET /api/v2/users?include_totals=true`: `{start, limit, length, total, users}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsersPage {
    /// Index of the first user of this page in the whole result.
    pub start: u64,
    /// Page size asked for.
    pub limit: u64,
    /// Number of users in this page.
    pub length: u64,
    /// Number of users matching (search caps what can be paged through at 1000).
    pub total: u64,
    /// The users.
    pub users: Vec<User>,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// The query of `GET /api/v2/users-by-email` (scope `read:users`).
///
/// ```
/// use users_model::UsersByEmailQuery;
/// let query = UsersByEmailQuery::new("jane+test@example.com");
/// assert_eq!(query.to_query_pairs(), vec![("email", "jane+test@example.com".to_owned())]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsersByEmailQuery {
    /// The email to look up (case-sensitive; database emails are stored lower-case).
    pub email: String,
    /// Comma-separated list of fields.
    pub fields: Option<String>,
    /// Whether `fields` lists the fields to include (true) or to exclude (false).
    pub include_fields: Option<bool>,
}

impl UsersByEmailQuery {
    /// A query for `email` with no field selection.
    pub fn new(email: impl Into<String>) -> UsersByEmailQuery {
        UsersByEmailQuery {
            email: email.into(),
            fields: None,
            include_fields: None,
        }
    }

    /// The set parameters (`email` first), values NOT percent-encoded.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("email", self.email.clone())];
        push(&mut pairs, "fields", self.fields.as_ref());
        push(&mut pairs, "include_fields", self.include_fields);
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_pairs_in_order_unencoded() {
        let query = ListUsersQuery {
            page: Some(0),
            per_page: Some(100),
            include_totals: Some(false),
            sort: Some("created_at:1".into()),
            connection: Some("db".into()),
            fields: Some("email,user_id".into()),
            include_fields: Some(true),
            q: Some("name:\"a b\"".into()),
            search_engine: Some(SearchEngine::V1),
            primary_order: Some(false),
        };
        let keys: Vec<_> = query.to_query_pairs().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                "page",
                "per_page",
                "include_totals",
                "sort",
                "connection",
                "fields",
                "include_fields",
                "q",
                "search_engine",
                "primary_order",
            ]
        );
        assert!(
            query
                .to_query_pairs()
                .contains(&("q", "name:\"a b\"".to_owned()))
        );
        assert!(ListUsersQuery::default().to_query_pairs().is_empty());
    }

    #[test]
    fn search_engine_wire_names() {
        for (engine, s) in [
            (SearchEngine::V1, "v1"),
            (SearchEngine::V2, "v2"),
            (SearchEngine::V3, "v3"),
        ] {
            assert_eq!(serde_json::to_value(engine).unwrap(), serde_json::json!(s));
            assert_eq!(engine.to_string(), s);
        }
    }

    #[test]
    fn by_email_pairs() {
        let mut query = UsersByEmailQuery::new("a@example.com");
        query.fields = Some("email".into());
        query.include_fields = Some(false);
        assert_eq!(
            query.to_query_pairs(),
            vec![
                ("email", "a@example.com".to_owned()),
                ("fields", "email".to_owned()),
                ("include_fields", "false".to_owned()),
            ]
        );
    }
}
