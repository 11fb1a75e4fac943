//! A user's authentication methods: `/api/v2/users/{id}/authentication-methods`.

use futures_core::Stream;
use futures_util::stream;
use users_model::operation;
use users_model::{
    AuthenticationMethod, AuthenticationMethodUpdate, AuthenticationMethodsPage,
    NewAuthenticationMethod, ReplacementMethod, validate_replacement,
};

use crate::client::Client;
use crate::engine::call::{Call, RequestSpec, decode_json, decode_unit, serialize_json};
use crate::error::Error;

/// The authentication-methods operations, from [`Client::authentication_methods`].
#[derive(Clone, Copy, Debug)]
pub struct AuthenticationMethods<'a> {
    client: &'a Client,
}

impl Client {
    /// The operations on a user's authentication methods (MFA factors, passkeys, ...).
    pub fn authentication_methods(&self) -> AuthenticationMethods<'_> {
        AuthenticationMethods { client: self }
    }
}

/// The page size [`AuthenticationMethods::stream`] asks for.
pub const METHODS_PER_PAGE: u32 = 50;

impl AuthenticationMethods<'_> {
    /// Lists a user's authentication methods (the first page of 50, as a bare array).
    ///
    /// `GET /api/v2/users/{id}/authentication-methods`; scope `read:authentication_methods`.
    /// Emails and phone numbers come back masked (`chuc****@exam*******`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] 404 when the user does not
    /// exist, 403 without the scope; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #     "authentication_methods": {"auth0|123": [{"type": "totp", "name": "Phone app"}]}}));
    /// # let client = users_doctest::client_for(&emulator);
    /// let methods = client.authentication_methods().list("auth0|123").await?;
    /// assert_eq!(methods[0].type_name(), "totp");
    /// # Ok(()) }
    /// ```
    pub fn list(&self, user_id: &str) -> Call<Vec<AuthenticationMethod>> {
        let spec = RequestSpec::of(&operation::LIST_AUTHENTICATION_METHODS, &[user_id]);
        Call::new(self.client, spec, decode_json)
    }

    /// One page of a user's authentication methods with the total (`include_totals=true`).
    ///
    /// `GET /api/v2/users/{id}/authentication-methods?page=&per_page=&include_totals=true`;
    /// scope `read:authentication_methods`. `per_page` is 0-100.
    ///
    /// # Errors
    /// As [`list`](Self::list), and [`Error::InvalidArgument`] for `per_page` over 100.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #     "authentication_methods": {"auth0|123": [{"type": "totp"}, {"type": "push"}]}}));
    /// # let client = users_doctest::client_for(&emulator);
    /// let page = client.authentication_methods().list_page("auth0|123", 0, 1).await?;
    /// assert_eq!((page.authenticators.len(), page.total), (1, Some(2)));
    /// # Ok(()) }
    /// ```
    pub fn list_page(
        &self,
        user_id: &str,
        page: u32,
        per_page: u32,
    ) -> Call<AuthenticationMethodsPage> {
        let spec = (|| {
            if per_page > 100 {
                return Err(Error::InvalidArgument {
                    argument: "per_page",
                    reason: "must be at most 100",
                });
            }
            Ok(
                RequestSpec::of(&operation::LIST_AUTHENTICATION_METHODS, &[user_id])?.query(vec![
                    ("page", page.to_string()),
                    ("per_page", per_page.to_string()),
                    ("include_totals", "true".to_owned()),
                ]),
            )
        })();
        Call::new(self.client, spec, decode_json)
    }

    /// Streams every authentication method of a user, one page of 50 at a time; an error is
    /// yielded once and ends the stream.
    ///
    /// `GET /api/v2/users/{id}/authentication-methods?include_totals=true&page=N`; scope
    /// `read:authentication_methods`.
    ///
    /// # Errors
    /// Items are `Err` as for [`list_page`](Self::list_page).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #     "authentication_methods": {"auth0|123": [{"type": "totp"}, {"type": "push"}]}}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use futures_util::StreamExt;
    /// let all: Vec<_> = client.authentication_methods().stream("auth0|123").collect().await;
    /// assert_eq!(all.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn stream(
        &self,
        user_id: &str,
    ) -> impl Stream<Item = Result<AuthenticationMethod, Error>> + Send + 'static {
        struct Walk {
            client: Client,
            user_id: String,
            page: u32,
            seen: u64,
            done: bool,
        }
        let walk = Walk {
            client: self.client.clone(),
            user_id: user_id.to_owned(),
            page: 0,
            seen: 0,
            done: false,
        };
        let batches = stream::unfold(walk, |mut walk| async move {
            if walk.done {
                return None;
            }
            let answer = walk
                .client
                .authentication_methods()
                .list_page(&walk.user_id, walk.page, METHODS_PER_PAGE)
                .await;
            let items: Vec<Result<AuthenticationMethod, Error>> = match answer {
                Ok(page) => {
                    let n = page.authenticators.len() as u64;
                    walk.seen += n;
                    // An empty page has no `total`: it is the end.
                    walk.done = n < u64::from(METHODS_PER_PAGE)
                        || page.total.is_none_or(|total| walk.seen >= total);
                    page.authenticators.into_iter().map(Ok).collect()
                }
                Err(e) => {
                    walk.done = true;
                    vec![Err(e)]
                }
            };
            walk.page = walk.page.saturating_add(1);
            Some((stream::iter(items), walk))
        });
        futures_util::StreamExt::flatten(batches)
    }

    /// Reads one authentication method.
    ///
    /// `GET /api/v2/users/{id}/authentication-methods/{authentication_method_id}`; scope
    /// `read:authentication_methods`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] 404 when the user or the
    /// method does not exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #     "authentication_methods": {"auth0|123": [{"type": "totp", "id": "totp|dev_0123456789abcdef"}]}}));
    /// # let client = users_doctest::client_for(&emulator);
    /// let method = client.authentication_methods().get("auth0|123", "totp|dev_0123456789abcdef").await?;
    /// assert_eq!(method.info().and_then(|i| i.confirmed), Some(true));
    /// # Ok(()) }
    /// ```
    pub fn get(&self, user_id: &str, method_id: &str) -> Call<AuthenticationMethod> {
        let spec = RequestSpec::of(&operation::GET_AUTHENTICATION_METHOD, &[user_id, method_id]);
        Call::new(self.client, spec, decode_json)
    }

    /// Creates an authentication method, already confirmed (e.g. importing a phone number or a
    /// TOTP secret).
    ///
    /// `POST /api/v2/users/{id}/authentication-methods`; scope `create:authentication_methods`.
    /// Validated first (every violation at once) unless validation is turned off. Not retried
    /// when the outcome is unknown: a second attempt could create a second method.
    ///
    /// # Errors
    /// [`Error::Validation`]; [`Error::Api`] 404 when the user does not exist, 409 when the
    /// method already exists, 400; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::{NewAuthenticationMethod, NewPhoneMethod};
    /// let phone = NewAuthenticationMethod::Phone(NewPhoneMethod {
    ///     phone_number: "+14155550123".into(),
    ///     ..NewPhoneMethod::default()
    /// });
    /// let created = client.authentication_methods().create("auth0|123", &phone).await?;
    /// assert!(created.id().is_some_and(|id| id.starts_with("phone|dev_")));
    /// # Ok(()) }
    /// ```
    pub fn create(
        &self,
        user_id: &str,
        method: &NewAuthenticationMethod,
    ) -> Call<AuthenticationMethod> {
        let checked = if self.client.inner.validate {
            method.validate()
        } else {
            Ok(())
        };
        let spec = RequestSpec::validated(
            RequestSpec::of(&operation::CREATE_AUTHENTICATION_METHOD, &[user_id])
                .and_then(|s| s.json_bytes(serialize_json(method)?)),
            checked,
        );
        Call::new(self.client, spec, decode_json)
    }

    /// Replaces all of a user's email, phone and TOTP methods with `methods`, returning the new
    /// ones (unmasked). See `users_model::preview_replace` for what it keeps and removes.
    ///
    /// `PUT /api/v2/users/{id}/authentication-methods`; scope `update:authentication_methods`.
    /// Validated first (duplicates included) unless validation is turned off.
    ///
    /// # Errors
    /// [`Error::Validation`]; [`Error::Api`] 404 when the user does not exist, 403 when the
    /// user has a passkey, 409 for a repeated method; transport errors. A refused PUT changes
    /// nothing.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::{NewEmailMethod, NewTotpMethod, ReplacementMethod, TotpSecret};
    /// let methods = [
    ///     ReplacementMethod::Email(NewEmailMethod { email: "jane@example.com".into(), name: None }),
    ///     ReplacementMethod::Totp(NewTotpMethod {
    ///         totp_secret: TotpSecret::new("JBSWY3DPEHPK3PXP"),
    ///         name: Some("Authenticator".into()),
    ///     }),
    /// ];
    /// let now = client.authentication_methods().replace("auth0|123", &methods).await?;
    /// assert_eq!(now.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn replace(
        &self,
        user_id: &str,
        methods: &[ReplacementMethod],
    ) -> Call<Vec<AuthenticationMethod>> {
        let checked = if self.client.inner.validate {
            validate_replacement(methods)
        } else {
            Ok(())
        };
        let spec = RequestSpec::validated(
            RequestSpec::of(&operation::REPLACE_AUTHENTICATION_METHODS, &[user_id])
                .and_then(|s| s.json_bytes(serialize_json(methods)?)),
            checked,
        );
        Call::new(self.client, spec, decode_json)
    }

    /// Renames a method or changes a phone method's channel (SMS or voice).
    ///
    /// `PATCH /api/v2/users/{id}/authentication-methods/{authentication_method_id}`; scope
    /// `update:authentication_methods`. Validated first unless validation is turned off (the
    /// method's type is not known here, so the server checks that the channel applies).
    ///
    /// # Errors
    /// [`Error::Validation`]; [`Error::Api`] 404 when the user or the method does not exist,
    /// 400; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #     "authentication_methods": {"auth0|123": [{"type": "phone", "id": "phone|dev_0123456789abcdef",
    /// #         "phone_number": "+14155550123", "preferred_authentication_method": "sms"}]}}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use users_client::model::{AuthenticationMethodUpdate, PreferredMethod};
    /// let mut change = AuthenticationMethodUpdate::default();
    /// change.name = Some("Desk phone".into());
    /// change.preferred_authentication_method = Some(PreferredMethod::Voice);
    /// let updated = client.authentication_methods()
    ///     .update("auth0|123", "phone|dev_0123456789abcdef", &change).await?;
    /// assert_eq!(updated.info().and_then(|i| i.name.as_deref()), Some("Desk phone"));
    /// # Ok(()) }
    /// ```
    pub fn update(
        &self,
        user_id: &str,
        method_id: &str,
        change: &AuthenticationMethodUpdate,
    ) -> Call<AuthenticationMethod> {
        let checked = if self.client.inner.validate {
            change.validate(None)
        } else {
            Ok(())
        };
        let spec = RequestSpec::validated(
            RequestSpec::of(
                &operation::UPDATE_AUTHENTICATION_METHOD,
                &[user_id, method_id],
            )
            .and_then(|s| s.json_bytes(serialize_json(change)?)),
            checked,
        );
        Call::new(self.client, spec, decode_json)
    }

    /// Deletes one authentication method (and any method linked to it).
    ///
    /// `DELETE /api/v2/users/{id}/authentication-methods/{authentication_method_id}`; scope
    /// `delete:authentication_methods`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] 404 when the user or the
    /// method does not exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #     "authentication_methods": {"auth0|123": [{"type": "totp", "id": "totp|dev_0123456789abcdef"}]}}));
    /// # let client = users_doctest::client_for(&emulator);
    /// client.authentication_methods().delete("auth0|123", "totp|dev_0123456789abcdef").await?;
    /// assert!(client.authentication_methods().list("auth0|123").await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, user_id: &str, method_id: &str) -> Call<()> {
        let spec = RequestSpec::of(
            &operation::DELETE_AUTHENTICATION_METHOD,
            &[user_id, method_id],
        );
        Call::new(self.client, spec, decode_unit)
    }

    /// Deletes all of a user's authentication methods (its enrolled MFA factors).
    ///
    /// `DELETE /api/v2/users/{id}/authentication-methods`; scope
    /// `delete:authentication_methods`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] 404 when the user does not
    /// exist, 403 when the user has a passkey; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #     "authentication_methods": {"auth0|123": [{"type": "totp"}, {"type": "push"}]}}));
    /// # let client = users_doctest::client_for(&emulator);
    /// client.authentication_methods().delete_all("auth0|123").await?;
    /// assert!(client.authentication_methods().list("auth0|123").await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn delete_all(&self, user_id: &str) -> Call<()> {
        let spec = RequestSpec::of(&operation::DELETE_AUTHENTICATION_METHODS, &[user_id]);
        Call::new(self.client, spec, decode_unit)
    }
}
