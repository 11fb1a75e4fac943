//! A user's MFA: enrollments, authenticators, legacy providers, remembered browsers, recovery
//! codes, and a complete reset built from them.

use users_model::operation;
use users_model::{
    AuthenticationMethod, Enrollment, MultifactorProvider, RecoveryCode, RecoveryCodeRegeneration,
};

use crate::client::Client;
use crate::engine::call::{Call, RequestSpec, decode_json, decode_unit};
use crate::error::Error;

/// The MFA operations, from [`Client::mfa`].
#[derive(Clone, Copy, Debug)]
pub struct Mfa<'a> {
    client: &'a Client,
}

impl Client {
    /// The operations on a user's multi-factor authentication.
    pub fn mfa(&self) -> Mfa<'_> {
        Mfa { client: self }
    }
}

/// What [`Mfa::reset`] did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MfaReset {
    /// The enrollments the user had before.
    pub enrollments_removed: Vec<Enrollment>,
    /// The second factors the user had before (masked as the list shows them), all removed.
    pub methods_removed: Vec<AuthenticationMethod>,
    /// Whether the user had a recovery code, which no longer works.
    pub recovery_code_removed: bool,
    /// The user's methods after the reset (first factors such as a password or passkeys).
    pub methods_left: Vec<AuthenticationMethod>,
    /// Enrollments still listed after the reset (empty unless the server kept some).
    pub enrollments_left: Vec<Enrollment>,
}

impl Mfa<'_> {
    /// Lists the user's confirmed MFA enrollments (Guardian: OTP app, SMS, push, WebAuthn).
    ///
    /// `GET /api/v2/users/{id}/enrollments`; scope `read:users`.
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
    /// #     "authentication_methods": {"auth0|123": [{"type": "totp"}]}}));
    /// # let client = users_doctest::client_for(&emulator);
    /// let enrollments = client.mfa().enrollments("auth0|123").await?;
    /// assert_eq!(enrollments[0].auth_method.as_deref(), Some("authenticator"));
    /// # Ok(()) }
    /// ```
    pub fn enrollments(&self, user_id: &str) -> Call<Vec<Enrollment>> {
        let spec = RequestSpec::of(&operation::LIST_ENROLLMENTS, &[user_id]);
        Call::new(self.client, spec, decode_json)
    }

    /// Deletes every authenticator of the user (OTP, email, phone, push, WebAuthn, recovery
    /// code): the user enrolls again at the next login.
    ///
    /// `DELETE /api/v2/users/{id}/authenticators`; scope `delete:guardian_enrollments`.
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
    /// #     "authentication_methods": {"auth0|123": [{"type": "totp"}]}}));
    /// # let client = users_doctest::client_for(&emulator);
    /// client.mfa().delete_authenticators("auth0|123").await?;
    /// assert!(client.mfa().enrollments("auth0|123").await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn delete_authenticators(&self, user_id: &str) -> Call<()> {
        let spec = RequestSpec::of(&operation::DELETE_AUTHENTICATORS, &[user_id]);
        Call::new(self.client, spec, decode_unit)
    }

    /// Removes a legacy multi-factor provider (Duo or Google Authenticator) from the user.
    ///
    /// `DELETE /api/v2/users/{id}/multifactor/{provider}`; scope `update:users`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] 404 when the user does not
    /// exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::MultifactorProvider;
    /// client.mfa().delete_provider("auth0|123", MultifactorProvider::GoogleAuthenticator).await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_provider(&self, user_id: &str, provider: MultifactorProvider) -> Call<()> {
        let spec = RequestSpec::of(
            &operation::DELETE_MULTIFACTOR_PROVIDER,
            &[user_id, provider.as_str()],
        );
        Call::new(self.client, spec, decode_unit)
    }

    /// Makes every browser the user chose to remember ask for MFA again.
    ///
    /// `POST /api/v2/users/{id}/multifactor/actions/invalidate-remember-browser`; scope
    /// `update:users`. Sent without a body, as node-auth0 does; safe to repeat.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] 404 when the user does not
    /// exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// client.mfa().invalidate_remember_browser("auth0|123").await?;
    /// # Ok(()) }
    /// ```
    pub fn invalidate_remember_browser(&self, user_id: &str) -> Call<()> {
        let spec = RequestSpec::of(&operation::INVALIDATE_REMEMBER_BROWSER, &[user_id]);
        Call::new(self.client, spec, decode_unit)
    }

    /// Generates a new MFA recovery code; the previous one stops working. The code is a secret:
    /// `Debug` does not show it, [`RecoveryCode::expose`] does.
    ///
    /// `POST /api/v2/users/{id}/recovery-code-regeneration`; scope `update:users`. Not retried
    /// when the outcome is unknown (a lost answer would leave a code nobody saw).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] 404; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// let code = client.mfa().regenerate_recovery_code("auth0|123").await?;
    /// assert!(code.is_well_formed());
    /// assert_eq!(format!("{code:?}"), "RecoveryCode(***)");
    /// # Ok(()) }
    /// ```
    pub fn regenerate_recovery_code(&self, user_id: &str) -> Call<RecoveryCode> {
        let spec = RequestSpec::of(&operation::REGENERATE_RECOVERY_CODE, &[user_id]);
        Call::new(self.client, spec, |status, body| {
            decode_json::<RecoveryCodeRegeneration>(status, body).map(|r| r.recovery_code)
        })
    }

    /// Resets the user's MFA completely, as Auth0's "Reset Multi-factor" does: reads what the
    /// user has, deletes every authenticator (which also removes the enrollments and the
    /// recovery code), makes remembered browsers ask again, and reads what is left.
    ///
    /// Requests, in order: `GET …/enrollments`, `GET …/authentication-methods` (every page),
    /// `DELETE …/authenticators`, `POST …/multifactor/actions/invalidate-remember-browser`,
    /// `GET …/authentication-methods`, `GET …/enrollments`. Scopes `read:users`,
    /// `read:authentication_methods`, `delete:guardian_enrollments`, `update:users`.
    ///
    /// # Errors
    /// The first failing request's error; requests after it are not sent.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com",
    /// #     "password": "Passw0rd!x-long"}],
    /// #     "authentication_methods": {"auth0|123": [{"type": "password"}, {"type": "totp"},
    /// #         {"type": "phone", "phone_number": "+14155550123"}]}}));
    /// # let client = users_doctest::client_for(&emulator);
    /// let report = client.mfa().reset("auth0|123").await?;
    /// assert_eq!(report.methods_removed.len(), 2);
    /// assert_eq!(report.enrollments_removed.len(), 2);
    /// assert_eq!(report.methods_left[0].type_name(), "password");
    /// # Ok(()) }
    /// ```
    pub async fn reset(&self, user_id: &str) -> Result<MfaReset, Error> {
        use futures_util::TryStreamExt;
        let methods = self.client.authentication_methods();
        let enrollments_removed = self.enrollments(user_id).await?;
        let before: Vec<AuthenticationMethod> = methods.stream(user_id).try_collect().await?;
        self.delete_authenticators(user_id).await?;
        self.invalidate_remember_browser(user_id).await?;
        let methods_left: Vec<AuthenticationMethod> = methods.stream(user_id).try_collect().await?;
        let enrollments_left = self.enrollments(user_id).await?;
        let still_there = |m: &AuthenticationMethod| methods_left.iter().any(|l| l.id() == m.id());
        let recovery_code_removed = before
            .iter()
            .any(|m| m.type_name() == "recovery-code" && !still_there(m));
        let methods_removed = before.into_iter().filter(|m| !still_there(m)).collect();
        Ok(MfaReset {
            enrollments_removed,
            methods_removed,
            recovery_code_removed,
            methods_left,
            enrollments_left,
        })
    }
}
