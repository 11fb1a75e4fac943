//! The Users operations: `/api/v2/users`, `/users-by-email` and `/users/{id}/identities`.

use users_model::operation;
use users_model::{
    Identity, LinkRequest, ListUsersQuery, UnlinkTarget, User, UserCreate, UserUpdate,
    UsersByEmailQuery, UsersPage, validate_create_with_len, validate_link,
    validate_update_with_len,
};

use crate::client::Client;
use crate::engine::call::{Call, RequestSpec, decode_json, decode_unit, serialize_json};

/// `fields` / `include_fields` for [`Users::get_with`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldsQuery {
    /// Comma-separated field names, e.g. `user_id,email`.
    pub fields: Option<String>,
    /// True to return only `fields`, false to return all but them.
    pub include_fields: Option<bool>,
}

impl FieldsQuery {
    /// Only these comma-separated fields.
    pub fn include(fields: impl Into<String>) -> Self {
        Self {
            fields: Some(fields.into()),
            include_fields: Some(true),
        }
    }

    fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(f) = &self.fields {
            pairs.push(("fields", f.clone()));
        }
        if let Some(i) = self.include_fields {
            pairs.push(("include_fields", i.to_string()));
        }
        pairs
    }
}

/// A users list in either of the server's shapes (`include_totals` false or true).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum UserList {
    Bare(Vec<User>),
    Page(UsersPage),
}

/// The Users operations, from [`Client::users`].
#[derive(Clone, Copy, Debug)]
pub struct Users<'a> {
    pub(crate) client: &'a Client,
}

impl Client {
    /// The Users operations.
    pub fn users(&self) -> Users<'_> {
        Users { client: self }
    }
}

impl<'a> Users<'a> {
    /// Reads one user.
    ///
    /// `GET /api/v2/users/{id}`; scopes `read:users` (plus `read:user_idp_tokens` for IdP
    /// tokens in identities).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for an empty id; [`Error::Api`](crate::Error::Api) with
    /// [`is_not_found`](crate::Error::is_not_found) when the user does not exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// let user = client.users().get("auth0|123").await?;
    /// println!("{:?}", user.email);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: &str) -> Call<User> {
        self.get_with(id, &FieldsQuery::default())
    }

    /// Reads one user, returning only (or all but) the given fields.
    ///
    /// `GET /api/v2/users/{id}?fields=..&include_fields=..`; scope `read:users`.
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::FieldsQuery;
    /// let user = client.users().get_with("auth0|123", &FieldsQuery::include("user_id,email")).await?;
    /// assert!(user.name.is_none());
    /// # Ok(()) }
    /// ```
    pub fn get_with(&self, id: &str, fields: &FieldsQuery) -> Call<User> {
        let spec =
            RequestSpec::of(&operation::GET_USER, &[id]).map(|s| s.query(fields.to_query_pairs()));
        Call::new(self.client, spec, decode_json)
    }

    /// Lists or searches users (one page).
    ///
    /// `GET /api/v2/users` with every [`ListUsersQuery`] parameter; scope `read:users`.
    /// Either response shape is accepted; use [`list_page`](Self::list_page) for the totals
    /// and [`list_stream`](Self::list_stream) to walk all pages.
    ///
    /// # Errors
    /// [`Error::Api`](crate::Error::Api) (400 for a bad query or paging past the first 1000 records, 503 for a
    /// search timeout); transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::ListUsersQuery;
    /// let mut query = ListUsersQuery::default();
    /// query.q = Some("email:\"jane@example.com\"".into());
    /// let users = client.users().list(&query).await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self, query: &ListUsersQuery) -> Call<Vec<User>> {
        let spec =
            RequestSpec::of(&operation::LIST_USERS, &[]).map(|s| s.query(query.to_query_pairs()));
        Call::new(self.client, spec, |status, body| {
            decode_json::<UserList>(status, body).map(|l| match l {
                UserList::Bare(users) => users,
                UserList::Page(page) => page.users,
            })
        })
    }

    /// Lists one page with its totals (`include_totals=true` is always sent).
    ///
    /// `GET /api/v2/users?include_totals=true&...`; scope `read:users`.
    ///
    /// # Errors
    /// As [`list`](Self::list).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::ListUsersQuery;
    /// let mut query = ListUsersQuery::default();
    /// query.per_page = Some(2);
    /// let page = client.users().list_page(&query).await?;
    /// println!("{} of {}", page.users.len(), page.total);
    /// # Ok(()) }
    /// ```
    pub fn list_page(&self, query: &ListUsersQuery) -> Call<UsersPage> {
        let mut query = query.clone();
        query.include_totals = Some(true);
        let spec =
            RequestSpec::of(&operation::LIST_USERS, &[]).map(|s| s.query(query.to_query_pairs()));
        Call::new(self.client, spec, decode_json)
    }

    /// Creates a user. Not retried after an ambiguous failure (it is a POST).
    ///
    /// `POST /api/v2/users`; scope `create:users`. Validated first by
    /// `users_model::validate_create` unless validation is turned off.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) with every violation; [`Error::Api`](crate::Error::Api) 409 when the user exists,
    /// 400 for connection problems; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::{Password, UserCreate};
    /// let mut new = UserCreate::new("Username-Password-Authentication");
    /// new.email = Some("new@example.com".into());
    /// new.password = Some(Password::new("correct horse battery staple"));
    /// let user = client.users().create(&new).await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, user: &UserCreate) -> Call<User> {
        // Serialized once: validation measures the bytes that are sent.
        let body = serialize_json(user);
        let checked = if self.client.inner.validate {
            validate_create_with_len(user, None, body.as_ref().ok().map(Vec::len))
        } else {
            Ok(())
        };
        let spec = RequestSpec::of(&operation::CREATE_USER, &[])
            .and_then(|s| s.json_checked(body, checked));
        Call::new(self.client, spec, decode_json)
    }

    /// Updates a user: root attributes are replaced, metadata merged one level deep.
    ///
    /// `PATCH /api/v2/users/{id}`; scopes `update:users` (`update:users_app_metadata` for
    /// `app_metadata` alone). Validated first by `users_model::validate_update`, reporting
    /// every violation, unless validation is turned off. PATCH on this API sets fields to given
    /// values, so it is retried like GET.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation); [`Error::Api`](crate::Error::Api) 400 (`invalid_body`, `operation_not_supported`),
    /// 404; an empty 200 body is [`Error::Decode`](crate::Error::Decode); transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::{Patch, UserUpdate};
    /// let mut update = UserUpdate::default();
    /// update.name = Patch::Set("Jane".into());
    /// let stored = client.users().update("auth0|123", &update).await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, id: &str, update: &UserUpdate) -> Call<User> {
        let spec = (|| {
            let spec = RequestSpec::of(&operation::UPDATE_USER, &[id])?;
            // Serialized once: validation measures the bytes that are sent.
            let body = serialize_json(update);
            let checked = if self.client.inner.validate {
                validate_update_with_len(update, None, body.as_ref().ok().map(Vec::len))
            } else {
                Ok(())
            };
            spec.json_checked(body, checked)
        })();
        Call::new(self.client, spec, decode_json)
    }

    /// Deletes a user (and its linked secondary identities).
    ///
    /// `DELETE /api/v2/users/{id}`; scope `delete:users`. The server answers 204 even when
    /// the user is already gone.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for an empty id; [`Error::Api`](crate::Error::Api); transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// client.users().delete("auth0|123").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: &str) -> Call<()> {
        let spec = RequestSpec::of(&operation::DELETE_USER, &[id]);
        Call::new(self.client, spec, decode_unit)
    }

    /// Finds users by exact email (case-sensitive; immediately consistent, unlike search).
    ///
    /// `GET /api/v2/users-by-email?email=..`; scope `read:users`.
    ///
    /// # Errors
    /// [`Error::Api`](crate::Error::Api); transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::UsersByEmailQuery;
    /// let query = UsersByEmailQuery::new("jane@example.com");
    /// let users = client.users().by_email(&query).await?;
    /// # Ok(()) }
    /// ```
    pub fn by_email(&self, query: &UsersByEmailQuery) -> Call<Vec<User>> {
        let spec = RequestSpec::of(&operation::LIST_USERS_BY_EMAIL, &[])
            .map(|s| s.query(query.to_query_pairs()));
        Call::new(self.client, spec, decode_json)
    }

    /// Links a secondary account into `primary_id`; returns the primary's new identities.
    ///
    /// `POST /api/v2/users/{id}/identities`. Two forms:
    /// - [`LinkRequest::Identity`] (provider + user id) with a Management token holding
    ///   `update:users`;
    /// - [`LinkRequest::Token`] (`link_with` = the secondary's ID token), sent with the primary
    ///   user's own access token via [`Call::bearer`] (`update:current_user_identities`).
    ///
    /// A link whose outcome is unknown (timeout, 5xx) is not repeated; a 429 is.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) (`users_model::validate_link`); [`Error::Api`](crate::Error::Api) 400 (same identity,
    /// secondary not found, bad `link_with`), 409 (already linked), 403; transport errors.
    ///
    /// # Example
    /// Not run as a doctest: it needs a user's login tokens. `tests/e2e_emulator.rs` and the
    /// `quickstart` example run both forms against the emulator.
    /// ```no_run
    /// # async fn f(client: users_client::Client, primary_token: String, id_token: String) -> Result<(), users_client::Error> {
    /// use users_client::model::{IdentityUserId, LinkRequest, LinkToken, Provider};
    /// let by_id = LinkRequest::Identity {
    ///     provider: Provider::GoogleOauth2,
    ///     user_id: IdentityUserId::String("108091299999329986433".into()),
    ///     connection_id: None,
    /// };
    /// client.users().link("auth0|123", &by_id).await?;
    /// let by_token = LinkRequest::Token { link_with: LinkToken::new(id_token) };
    /// client.users().link("auth0|123", &by_token).bearer(primary_token).await?;
    /// # Ok(()) }
    /// ```
    pub fn link(&self, primary_id: &str, request: &LinkRequest) -> Call<Vec<Identity>> {
        let spec = (|| {
            let spec = RequestSpec::of(&operation::LINK_IDENTITY, &[primary_id])?;
            let checked = if self.client.inner.validate {
                validate_link(request)
            } else {
                Ok(())
            };
            spec.json_checked(serialize_json(request), checked)
        })();
        Call::new(self.client, spec, decode_json)
    }

    /// Unlinks an identity from `primary_id`; returns the primary's remaining identities. The
    /// detached identity becomes a separate user without metadata.
    ///
    /// `DELETE /api/v2/users/{id}/identities/{provider}/{user_id}` (`user_id` without the
    /// provider prefix); scopes `update:users` or `update:current_user_identities`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for empty segments; [`Error::Api`](crate::Error::Api) 400 "Main identity cannot
    /// be removed."; transport errors.
    ///
    /// # Example
    /// Not run as a doctest: it needs a linked identity (see `tests/e2e_emulator.rs`).
    /// ```no_run
    /// # async fn f(client: users_client::Client) -> Result<(), users_client::Error> {
    /// use users_client::model::{Provider, UnlinkTarget};
    /// let target = UnlinkTarget::new(Provider::GoogleOauth2, "1234567890");
    /// let remaining = client.users().unlink("auth0|123", &target).await?;
    /// # Ok(()) }
    /// ```
    pub fn unlink(&self, primary_id: &str, target: &UnlinkTarget) -> Call<Vec<Identity>> {
        let spec = RequestSpec::of(
            &operation::UNLINK_IDENTITY,
            &[primary_id, target.provider.as_str(), &target.user_id],
        );
        Call::new(self.client, spec, decode_json)
    }
}
