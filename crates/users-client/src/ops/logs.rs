//! A user's log events: `/api/v2/users/{id}/logs`.

use futures_core::Stream;
use serde::Deserialize;
use users_model::operation;
use users_model::{LogEvent, LogsPage, UserLogsQuery};

use super::sub_pages::{Page, stream_all};
use crate::client::Client;
use crate::engine::call::{Call, RequestSpec, decode_json};
use crate::error::Error;
use crate::ops::paging::PAGING_LIMIT;
use crate::ops::users::Users;

#[derive(Deserialize)]
#[serde(untagged)]
enum List {
    Bare(Vec<LogEvent>),
    Page(LogsPage),
}

fn spec(client: &Client, id: &str, query: &UserLogsQuery) -> Result<RequestSpec, Error> {
    let checked = if client.inner.validate {
        query.validate()
    } else {
        Ok(())
    };
    let spec =
        RequestSpec::of(&operation::LIST_USER_LOGS, &[id]).map(|s| s.query(query.to_query_pairs()));
    RequestSpec::validated(spec, checked)
}

impl Users<'_> {
    /// Lists a user's log events, newest first unless `sort` says otherwise (`date:1`).
    ///
    /// `GET /api/v2/users/{id}/logs`; scopes `read:logs` or `read:logs_users`. Without
    /// `per_page` the server does not page. Answers the items whichever shape the server used.
    ///
    /// # Errors
    /// [`Error::Validation`] for `per_page` outside 1-100 or a `sort` not of the form
    /// `field:1` / `field:-1` (both reported at once); [`Error::InvalidArgument`] for an empty
    /// id; [`Error::Api`] 403 without a scope; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com"}],
    /// #     "logs": [{"type": "s", "user_id": "auth0|123", "date": "2024-01-01T00:00:00.000Z"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use users_client::model::UserLogsQuery;
    /// let events = client.users().logs("auth0|123", &UserLogsQuery::default()).await?;
    /// assert_eq!(events[0].event_type.as_deref(), Some("s"));
    /// # Ok(()) }
    /// ```
    pub fn logs(&self, id: &str, query: &UserLogsQuery) -> Call<Vec<LogEvent>> {
        Call::new(self.client, spec(self.client, id, query), |status, body| {
            decode_json::<List>(status, body).map(|l| match l {
                List::Bare(items) => items,
                List::Page(page) => page.logs,
            })
        })
    }

    /// One page of a user's log events with its totals (`include_totals=true` is always
    /// sent): `{logs, start, limit, length, total}`.
    ///
    /// `GET /api/v2/users/{id}/logs?include_totals=true`; scopes `read:logs` or
    /// `read:logs_users`.
    ///
    /// # Errors
    /// As [`logs`](Self::logs).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::UserLogsQuery;
    /// let mut query = UserLogsQuery::default();
    /// query.per_page = Some(10);
    /// let page = client.users().logs_page("auth0|123", &query).await?;
    /// assert_eq!(page.length, page.logs.len() as u64);
    /// # Ok(()) }
    /// ```
    pub fn logs_page(&self, id: &str, query: &UserLogsQuery) -> Call<LogsPage> {
        let mut query = query.clone();
        query.include_totals = Some(true);
        Call::new(self.client, spec(self.client, id, &query), decode_json)
    }

    /// Streams every log event of a user the server serves, `per_page` (1-100) at a time,
    /// newest first. The server pages through the first 1000 results only: when that cut
    /// the listing, the **last item is [`Error::Truncated`]**.
    ///
    /// `GET /api/v2/users/{id}/logs?include_totals=true&page=N&per_page=M`; scopes
    /// `read:logs` or `read:logs_users`.
    ///
    /// # Errors
    /// Items are `Err` for API and transport errors (the stream then ends),
    /// [`Error::Truncated`], and [`Error::InvalidArgument`] for a bad `per_page`.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use futures_util::TryStreamExt;
    /// let events: Vec<_> = client.users().logs_stream("auth0|123", 100).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn logs_stream(
        &self,
        id: &str,
        per_page: u32,
    ) -> impl Stream<Item = Result<LogEvent, Error>> + Send + 'static {
        stream_all(
            self.client,
            id,
            per_page,
            Some(PAGING_LIMIT),
            |client, id, page, per_page| {
                let mut query = UserLogsQuery::default();
                query.page = Some(page);
                query.per_page = Some(per_page);
                query.include_totals = Some(true);
                query.sort = None;
                Call::new(client, spec(client, id, &query), |status, body| {
                    decode_json::<LogsPage>(status, body).map(|p| Page {
                        items: p.logs,
                        start: p.start,
                        limit: p.limit,
                        total: p.total,
                    })
                })
            },
        )
    }
}
