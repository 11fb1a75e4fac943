//! Read-modify-write metadata helpers and the pure update preview.

use users_model::{
    Metadata, Timestamp, User, UserUpdate, Violations, apply_update, metadata_patch,
};

use crate::engine::call::Call;
use crate::ops::users::Users;

/// Which metadata object a helper works on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetadataKind {
    /// `user_metadata`: data the user may edit.
    User,
    /// `app_metadata`: data only the application may change.
    App,
}

impl MetadataKind {
    fn of(self, user: &User) -> Option<&Metadata> {
        match self {
            MetadataKind::User => user.user_metadata.as_ref(),
            MetadataKind::App => user.app_metadata.as_ref(),
        }
    }
}

/// What the server would store for `update` applied to `user` at `now`, without sending
/// anything: the same `users_model::apply_update` the emulator uses, so root attributes are
/// replaced, metadata merged one level deep and `null` keys removed.
///
/// # Errors
/// Every violation `users-model` finds in `update`.
///
/// # Example
/// ```
/// use users_client::model::{MetadataPatch, Timestamp, User, UserUpdate};
/// let mut current = User::default();
/// current.user_id = Some("auth0|1".into());
/// current.user_metadata = Some(serde_json::from_str(r#"{"profileCode":1479}"#).unwrap());
/// let mut patch = MetadataPatch::new();
/// patch.set("addresses", serde_json::json!({"work_address": "100 Industrial Way"}));
/// let mut update = UserUpdate::default();
/// update.user_metadata = Some(patch);
/// let now = Timestamp::from_millis(1_700_000_000_000);
/// let stored = users_client::preview_update(&current, &update, now).unwrap();
/// let meta = stored.user_metadata.unwrap();
/// assert_eq!(meta["profileCode"], 1479);
/// assert_eq!(meta["addresses"]["work_address"], "100 Industrial Way");
/// ```
pub fn preview_update(
    user: &User,
    update: &UserUpdate,
    now: Timestamp,
) -> Result<User, Violations> {
    apply_update(user, update, now)
}

impl Users<'_> {
    /// Changes one metadata object to what `desired` returns for the current one, sending only
    /// the difference (`users_model::metadata_patch`: changed top-level keys, `null` for removed
    /// ones), and returns the stored user. When nothing changes, no PATCH is sent and the user
    /// as read is returned.
    ///
    /// This is **read-modify-write**: a `GET /api/v2/users/{id}` then a
    /// `PATCH /api/v2/users/{id}` (scopes `read:users` and `update:users`, or
    /// `update:users_app_metadata` for app metadata). The API has no conditional update, so a
    /// change another writer makes to the *same top-level key* between the two requests is
    /// overwritten; other keys are safe because only changed keys are sent.
    ///
    /// The returned [`Call`] takes per-call settings like every operation (they apply to both
    /// requests); [`Call::with_response`] describes the PATCH, or the GET when nothing changed.
    ///
    /// # Errors
    /// Errors of [`get`](Self::get) and [`update`](Self::update).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::MetadataKind;
    /// let stored = client.users().update_metadata("auth0|123", MetadataKind::User, |current| {
    ///     let mut next = current.cloned().unwrap_or_default();
    ///     next.insert("theme".into(), "dark".into());
    ///     next
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_metadata<F>(&self, id: &str, kind: MetadataKind, desired: F) -> Call<User>
    where
        F: FnOnce(Option<&Metadata>) -> Metadata + Send + 'static,
    {
        let id = id.to_owned();
        Call::steps(
            self.client,
            "users.update_metadata",
            move |client, inherited| async move {
                let users = client.users();
                let current = inherited.onto(users.get(&id)).with_response().await?;
                let wanted = desired(kind.of(&current.data));
                let Some(patch) = metadata_patch(kind.of(&current.data), &wanted) else {
                    return Ok(current);
                };
                let mut update = UserUpdate::default();
                match kind {
                    MetadataKind::User => update.user_metadata = Some(patch),
                    MetadataKind::App => update.app_metadata = Some(patch),
                }
                inherited
                    .onto(users.update(&id, &update))
                    .with_response()
                    .await
            },
        )
    }

    /// Makes `user_metadata` equal `desired` by sending only the difference; see
    /// [`update_metadata`](Self::update_metadata) for the read-modify-write race.
    ///
    /// # Errors
    /// As [`update_metadata`](Self::update_metadata).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// let desired = serde_json::from_str(r#"{"theme":"dark"}"#).unwrap();
    /// client.users().set_user_metadata("auth0|123", desired).await?;
    /// # Ok(()) }
    /// ```
    pub fn set_user_metadata(&self, id: &str, desired: Metadata) -> Call<User> {
        self.update_metadata(id, MetadataKind::User, move |_| desired)
    }

    /// Makes `app_metadata` equal `desired` by sending only the difference; see
    /// [`update_metadata`](Self::update_metadata).
    ///
    /// # Errors
    /// As [`update_metadata`](Self::update_metadata).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// let desired = serde_json::from_str(r#"{"plan":"premium"}"#).unwrap();
    /// client.users().set_app_metadata("auth0|123", desired).await?;
    /// # Ok(()) }
    /// ```
    pub fn set_app_metadata(&self, id: &str, desired: Metadata) -> Call<User> {
        self.update_metadata(id, MetadataKind::App, move |_| desired)
    }
}
