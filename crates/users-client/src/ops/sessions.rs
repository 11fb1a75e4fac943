//! A user's sessions, refresh tokens, federated connection token sets, connected accounts and
//! risk assessors: `/api/v2/users/{id}/sessions`, `/refresh-tokens`,
//! `/federated-connections-tokensets`, `/connected-accounts`, `/risk-assessments/clear`.

use futures_core::Stream;
use users_model::{
    CheckpointQuery, ClearAssessors, ConnectedAccount, ConnectedAccountsPage, FederatedTokenSet,
    RefreshToken, RefreshTokensPage, Session, SessionsPage, operation, validate_clear_assessors,
};

use crate::client::Client;
use crate::engine::call::{Call, RequestSpec, decode_json, decode_unit, serialize_json};
use crate::error::Error;
use crate::ops::checkpoint::{Walk, walk};

/// The sessions-and-tokens operations, from [`Client::sessions_and_tokens`].
#[derive(Clone, Copy, Debug)]
pub struct SessionsAndTokens<'a> {
    client: &'a Client,
}

impl Client {
    /// A user's sessions, refresh tokens, federated token sets, connected accounts and risk
    /// assessors: what to revoke after an incident ("log this user out everywhere").
    pub fn sessions_and_tokens(&self) -> SessionsAndTokens<'_> {
        SessionsAndTokens { client: self }
    }
}

/// A checkpoint list request, its query validated before the network.
fn checkpoint_spec(
    op: &'static operation::Operation,
    id: &str,
    query: &CheckpointQuery,
) -> Result<RequestSpec, Error> {
    query.validate().map_err(Error::Validation)?;
    Ok(RequestSpec::of(op, &[id])?.query(query.to_query_pairs()))
}

impl SessionsAndTokens<'_> {
    /// One page of a user's sessions.
    ///
    /// `GET /api/v2/users/{user_id}/sessions?from=..&take=..`; scope `read:sessions`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id and [`Error::Validation`] for `take` outside
    /// 1-100 (nothing sent); [`Error::Api`] 404 when the user does not exist, 403 without the
    /// scope; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// let page = client.sessions_and_tokens().sessions("auth0|123", &Default::default()).await?;
    /// assert_eq!(page.sessions.len(), 2);
    /// assert!(page.next.is_none());
    /// # Ok(()) }
    /// ```
    pub fn sessions(&self, user_id: &str, query: &CheckpointQuery) -> Call<SessionsPage> {
        let spec = checkpoint_spec(&operation::LIST_USER_SESSIONS, user_id, query);
        Call::new(self.client, spec, decode_json)
    }

    /// Every session of a user, following `next` page after page (see [`Walk`]).
    ///
    /// `GET /api/v2/users/{user_id}/sessions?take=..&from=..`; scope `read:sessions`.
    ///
    /// # Errors
    /// Items are `Err` as for [`sessions`](Self::sessions); an error ends the stream. A server
    /// that hands back a cursor it already gave ends it with [`Error::Decode`].
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use futures_util::TryStreamExt;
    /// use users_client::Walk;
    /// let sessions: Vec<_> = client
    ///     .sessions_and_tokens()
    ///     .sessions_stream("auth0|123", Walk::all().take(1))
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(sessions.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn sessions_stream(
        &self,
        user_id: &str,
        options: Walk,
    ) -> impl Stream<Item = Result<Session, Error>> + Send + use<> {
        walk::<SessionsPage>(
            self.client,
            &operation::LIST_USER_SESSIONS,
            &[user_id],
            options,
        )
    }

    /// Ends every session of a user, and revokes the refresh tokens issued in them.
    ///
    /// `DELETE /api/v2/users/{user_id}/sessions`; scope `delete:sessions`. The server accepts
    /// it with 202 and completes it asynchronously.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] 404 when the user does not
    /// exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// client.sessions_and_tokens().delete_sessions("auth0|123").await?;
    /// let page = client.sessions_and_tokens().sessions("auth0|123", &Default::default()).await?;
    /// assert!(page.sessions.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn delete_sessions(&self, user_id: &str) -> Call<()> {
        let spec = RequestSpec::of(&operation::DELETE_USER_SESSIONS, &[user_id]);
        Call::new(self.client, spec, decode_unit)
    }

    /// One page of a user's refresh tokens (their descriptions, never the tokens).
    ///
    /// `GET /api/v2/users/{user_id}/refresh-tokens?from=..&take=..`; scope
    /// `read:refresh_tokens`.
    ///
    /// # Errors
    /// As [`sessions`](Self::sessions).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// let page = client.sessions_and_tokens().refresh_tokens("auth0|123", &Default::default()).await?;
    /// assert_eq!(page.tokens[0].client_id.as_deref(), Some("app"));
    /// # Ok(()) }
    /// ```
    pub fn refresh_tokens(
        &self,
        user_id: &str,
        query: &CheckpointQuery,
    ) -> Call<RefreshTokensPage> {
        let spec = checkpoint_spec(&operation::LIST_USER_REFRESH_TOKENS, user_id, query);
        Call::new(self.client, spec, decode_json)
    }

    /// Every refresh token of a user, following `next` page after page (see [`Walk`]).
    ///
    /// `GET /api/v2/users/{user_id}/refresh-tokens?take=..&from=..`; scope
    /// `read:refresh_tokens`.
    ///
    /// # Errors
    /// As [`sessions_stream`](Self::sessions_stream).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use futures_util::TryStreamExt;
    /// use users_client::Walk;
    /// let tokens: Vec<_> = client
    ///     .sessions_and_tokens()
    ///     .refresh_tokens_stream("auth0|123", Walk::all())
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(tokens.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn refresh_tokens_stream(
        &self,
        user_id: &str,
        options: Walk,
    ) -> impl Stream<Item = Result<RefreshToken, Error>> + Send + use<> {
        walk::<RefreshTokensPage>(
            self.client,
            &operation::LIST_USER_REFRESH_TOKENS,
            &[user_id],
            options,
        )
    }

    /// Revokes every refresh token of a user.
    ///
    /// `DELETE /api/v2/users/{user_id}/refresh-tokens`; scope `delete:refresh_tokens`. The
    /// server accepts it with 202 and completes it asynchronously.
    ///
    /// # Errors
    /// As [`delete_sessions`](Self::delete_sessions).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// client.sessions_and_tokens().delete_refresh_tokens("auth0|123").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_refresh_tokens(&self, user_id: &str) -> Call<()> {
        let spec = RequestSpec::of(&operation::DELETE_USER_REFRESH_TOKENS, &[user_id]);
        Call::new(self.client, spec, decode_unit)
    }

    /// The token sets a user's federated connections hold (without the tokens).
    ///
    /// `GET /api/v2/users/{id}/federated-connections-tokensets`; scope
    /// `read:federated_connections_tokens`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] 404 when the user does not
    /// exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// let sets = client.sessions_and_tokens().federated_tokensets("auth0|123").await?;
    /// assert_eq!(sets[0].connection.as_deref(), Some("google-oauth2"));
    /// # Ok(()) }
    /// ```
    pub fn federated_tokensets(&self, id: &str) -> Call<Vec<FederatedTokenSet>> {
        let spec = RequestSpec::of(&operation::LIST_FEDERATED_TOKENSETS, &[id]);
        Call::new(self.client, spec, decode_json)
    }

    /// Deletes one federated token set of a user; succeeds also when there is no such set.
    ///
    /// `DELETE /api/v2/users/{id}/federated-connections-tokensets/{tokenset_id}`; scope
    /// `delete:federated_connections_tokens`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] 400 for a `tokenset_id` over
    /// 36 characters; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// client.sessions_and_tokens().delete_federated_tokenset("auth0|123", "ts_1").await?;
    /// assert!(client.sessions_and_tokens().federated_tokensets("auth0|123").await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn delete_federated_tokenset(&self, id: &str, tokenset_id: &str) -> Call<()> {
        let spec = RequestSpec::of(&operation::DELETE_FEDERATED_TOKENSET, &[id, tokenset_id]);
        Call::new(self.client, spec, decode_unit)
    }

    /// One page of a user's connected accounts.
    ///
    /// `GET /api/v2/users/{id}/connected-accounts?from=..&take=..`; scope `read:users`.
    ///
    /// # Errors
    /// As [`sessions`](Self::sessions).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// let page = client.sessions_and_tokens().connected_accounts("auth0|123", &Default::default()).await?;
    /// assert_eq!(page.connected_accounts.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn connected_accounts(
        &self,
        id: &str,
        query: &CheckpointQuery,
    ) -> Call<ConnectedAccountsPage> {
        let spec = checkpoint_spec(&operation::LIST_CONNECTED_ACCOUNTS, id, query);
        Call::new(self.client, spec, decode_json)
    }

    /// Every connected account of a user, following `next` page after page (see [`Walk`]).
    ///
    /// `GET /api/v2/users/{id}/connected-accounts?take=..&from=..`; scope `read:users`.
    ///
    /// # Errors
    /// As [`sessions_stream`](Self::sessions_stream).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use futures_util::TryStreamExt;
    /// use users_client::Walk;
    /// let accounts: Vec<_> = client
    ///     .sessions_and_tokens()
    ///     .connected_accounts_stream("auth0|123", Walk::all().limit(10))
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(accounts.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn connected_accounts_stream(
        &self,
        id: &str,
        options: Walk,
    ) -> impl Stream<Item = Result<ConnectedAccount, Error>> + Send + use<> {
        walk::<ConnectedAccountsPage>(
            self.client,
            &operation::LIST_CONNECTED_ACCOUNTS,
            &[id],
            options,
        )
    }

    /// Clears risk assessors (the record of a user's known devices) on one connection.
    ///
    /// `POST /api/v2/users/{id}/risk-assessments/clear`; scope `update:users`. The body is
    /// validated first by `users_model::validate_clear_assessors` unless validation is off.
    ///
    /// # Errors
    /// [`Error::Validation`] with every violation (connection name, empty or unknown assessors,
    /// unknown keys) before the network; [`Error::Api`] 404 when the user or the connection does
    /// not exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #   "sessions": [{"user_id": "auth0|123"}, {"user_id": "auth0|123"}],
    /// #   "refresh_tokens": [{"user_id": "auth0|123", "client_id": "app"}],
    /// #   "federated_connections_tokensets": [{"user_id": "auth0|123", "id": "ts_1",
    /// #       "connection": "google-oauth2", "scope": "email"}],
    /// #   "connected_accounts": [{"user_id": "auth0|123", "connection": "google-oauth2",
    /// #       "access_type": "offline"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use users_client::model::{Assessor, ClearAssessors};
    /// let body = ClearAssessors::new("Username-Password-Authentication", [Assessor::NewDevice]);
    /// client.sessions_and_tokens().clear_risk_assessors("auth0|123", &body).await?;
    /// # Ok(()) }
    /// ```
    pub fn clear_risk_assessors(&self, id: &str, body: &ClearAssessors) -> Call<()> {
        let checked = if self.client.inner.validate {
            validate_clear_assessors(body)
        } else {
            Ok(())
        };
        let spec = RequestSpec::validated(
            RequestSpec::of(&operation::CLEAR_RISK_ASSESSORS, &[id])
                .and_then(|s| s.json_bytes(serialize_json(body)?)),
            checked,
        );
        Call::new(self.client, spec, decode_unit)
    }
}
