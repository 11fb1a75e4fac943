//! What the server stores after `PATCH /api/v2/users/{id}`: root attributes replaced, metadata
//! merged at the first level (users-api.md §1-2).
//!
//! The server's merge is pure data transformation, so it lives here once for the client (to
//! predict a PATCH) and the emulator (to perform it).

use crate::validate::validate_update;
use crate::{
    Identity, Metadata, MetadataPatch, Patch, Provider, Timestamp, User, UserUpdate, Violations,
};

/// Applies a PATCH body to `user` and returns what the server stores (and answers with).
///
/// The update is first checked with [`validate_update`] without a target context, so a body the
/// server would reject for its shape (formats, lengths, forbidden pairs, unknown keys, an empty
/// body, metadata keys) is returned as [`Violations`] and nothing is applied.
///
/// Rules (users-api.md §1-2; choices for the items marked **unconfirmed** there are noted):
/// - Root attributes sent with a value replace the stored one; sent as `null`
///   ([`Patch::Clear`]) they are removed; not sent ([`Patch::Keep`]) they are untouched.
/// - `email` and `username` are stored lower-case when the target identity's provider is
///   `auth0` (database connections). Other connections keep the case given.
/// - Changing `email` to a different address without sending `email_verified` sets
///   `email_verified` to `false`, and the same for `phone_number`/`phone_verified`
///   (**unconfirmed** item 11: a new address has not been verified, and a client predicting the
///   result must not claim it is). Re-sending the stored address changes nothing. `blocked` never
///   changes with the email.
/// - `name` and `nickname` are not recomputed when `email` changes.
/// - `user_metadata` / `app_metadata`: see [`apply_metadata_patch`]. An `app_metadata` left
///   empty is removed while `user_metadata` reads `{}`, as recorded (`REC-TF:TestAccUser`).
/// - `user_metadata: null` / `app_metadata: null` (**unconfirmed**, users-api.md item 13): the
///   OpenAPI declares both non-nullable and older SDK types allowed null. [`UserUpdate`] reads a
///   `null` there as "not sent", so the stored metadata is left untouched (and a body with nothing
///   else is rejected as empty). Clearing metadata is done with `{}`, as documented.
/// - A password is never stored; setting one sets `last_password_reset = now`. `password: null`
///   changes nothing visible.
/// - `verify_email`, `verify_phone_number`, `verify_password`, `connection` and `client_id`
///   steer the server and are not stored.
/// - When `connection` names one of the user's secondary identities (not the first one), the
///   identity fields (`email`, `email_verified`, `phone_number`, `phone_verified`, `username`)
///   are written to that identity's `profileData` instead of the root (**unconfirmed**: the OpenAPI
///   description only says such updates need `connection`).
/// - `updated_at = now`, printed as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
///
/// # Errors
/// The [`Violations`] of [`validate_update`] (without context) when the body is invalid.
///
/// # Example: the OpenAPI description's worked example
///
/// A user has `user_metadata {"profileCode": 1479}`; a PATCH adds `addresses.work_address`; a
/// second PATCH sends `addresses` with only `home_address` and, because the merge stops at the
/// first level, replaces `addresses` whole and loses `work_address`. [`metadata_patch`] computes
/// the body that keeps it.
///
/// ```
/// use serde_json::json;
/// use users_model::{apply_update, metadata_patch, MetadataPatch, Metadata, Timestamp, User, UserUpdate};
///
/// let obj = |v: serde_json::Value| -> Metadata { v.as_object().cloned().unwrap_or_default() };
/// let now = Timestamp::parse("2024-05-01T12:00:00.000Z").unwrap();
/// let mut user = User::default();
/// user.user_id = Some("auth0|1".into());
/// user.user_metadata = Some(obj(json!({"profileCode": 1479})));
///
/// // PATCH {"user_metadata": {"addresses": {"work_address": "100 Industrial Way"}}}
/// let mut first = UserUpdate::default();
/// first.user_metadata = Some(MetadataPatch::from(obj(json!(
///     {"addresses": {"work_address": "100 Industrial Way"}}
/// ))));
/// let user = apply_update(&user, &first, now).unwrap();
/// assert_eq!(
///     user.user_metadata,
///     Some(obj(json!({"profileCode": 1479, "addresses": {"work_address": "100 Industrial Way"}})))
/// );
///
/// // PATCH {"user_metadata": {"addresses": {"home_address": "742 Evergreen Terrace"}}}
/// let mut second = UserUpdate::default();
/// second.user_metadata = Some(MetadataPatch::from(obj(json!(
///     {"addresses": {"home_address": "742 Evergreen Terrace"}}
/// ))));
/// let replaced = apply_update(&user, &second, now).unwrap();
/// // `addresses` was replaced whole: work_address is gone.
/// assert_eq!(
///     replaced.user_metadata,
///     Some(obj(json!({"profileCode": 1479, "addresses": {"home_address": "742 Evergreen Terrace"}})))
/// );
///
/// // metadata_patch sends the whole `addresses` object, so both addresses survive.
/// let desired = obj(json!({"profileCode": 1479, "addresses": {
///     "work_address": "100 Industrial Way", "home_address": "742 Evergreen Terrace"}}));
/// let patch = metadata_patch(user.user_metadata.as_ref(), &desired).unwrap();
/// assert_eq!(
///     serde_json::to_value(&patch).unwrap(),
///     json!({"addresses": {"work_address": "100 Industrial Way", "home_address": "742 Evergreen Terrace"}})
/// );
/// let mut third = UserUpdate::default();
/// third.user_metadata = Some(patch);
/// let kept = apply_update(&user, &third, now).unwrap();
/// assert_eq!(kept.user_metadata, Some(desired));
/// ```
///
/// # Example: an email change
/// ```
/// use users_model::{apply_update, Patch, Timestamp, User, UserUpdate};
/// let user: User = serde_json::from_value(serde_json::json!({
///     "user_id": "auth0|1", "email": "old@example.com", "email_verified": true,
///     "identities": [{"provider": "auth0", "user_id": "1", "connection": "db"}]
/// })).unwrap();
/// let mut update = UserUpdate::default();
/// update.email = Patch::Set("New@Example.com".into());
/// let now = Timestamp::from_millis(1_700_000_000_000);
/// let stored = apply_update(&user, &update, now).unwrap();
/// assert_eq!(stored.email.as_deref(), Some("new@example.com"));
/// assert_eq!(stored.email_verified, Some(false));
/// assert_eq!(stored.updated_at.as_deref(), Some("2023-11-14T22:13:20.000Z"));
/// ```
pub fn apply_update(user: &User, update: &UserUpdate, now: Timestamp) -> Result<User, Violations> {
    validate_update(update, None)?;
    let mut out = user.clone();
    apply_valid_update(&mut out, update, now);
    Ok(out)
}

/// [`apply_update`] on a user you own: the same rules and the same checks, applied in place
/// instead of on a copy. This is what a store that keeps the user anyway (like the emulator)
/// wants: a PATCH then costs the fields it changes, not a copy of the whole user.
///
/// The update is checked first; on [`Violations`] `user` is left exactly as it was.
///
/// ```
/// use serde_json::json;
/// use users_model::{apply_update, apply_update_in_place, MetadataPatch, Timestamp, User, UserUpdate};
/// let user: User = serde_json::from_value(json!({
///     "user_id": "auth0|1", "user_metadata": {"plan": "free", "theme": "dark"}
/// })).unwrap();
/// let mut patch = MetadataPatch::new();
/// patch.set("plan", "pro");
/// let mut update = UserUpdate::default();
/// update.user_metadata = Some(patch);
/// let now = Timestamp::from_millis(1_700_000_000_000);
///
/// let copied = apply_update(&user, &update, now).unwrap();
/// let mut stored = user.clone();
/// apply_update_in_place(&mut stored, &update, now).unwrap();
/// assert_eq!(stored, copied);
///
/// // A body the server refuses changes nothing.
/// let before = stored.clone();
/// assert!(apply_update_in_place(&mut stored, &UserUpdate::default(), now).is_err());
/// assert_eq!(stored, before);
/// ```
///
/// # Errors
/// The [`Violations`] of [`validate_update`] without a target context, as for [`apply_update`].
pub fn apply_update_in_place(
    user: &mut User,
    update: &UserUpdate,
    now: Timestamp,
) -> Result<(), Violations> {
    validate_update(update, None)?;
    apply_valid_update(user, update, now);
    Ok(())
}

/// The rules of [`apply_update`] on an update that passed validation; nothing here can fail,
/// so a caller never sees a half-applied user.
fn apply_valid_update(out: &mut User, update: &UserUpdate, now: Timestamp) {
    let secondary = update
        .connection
        .as_deref()
        .and_then(|conn| secondary_identity_index(out, conn));
    match secondary {
        Some(index) => apply_to_secondary(out, index, update),
        None => apply_identity_fields(out, update),
    }

    set_string(&mut out.given_name, &update.given_name);
    set_string(&mut out.family_name, &update.family_name);
    set_string(&mut out.name, &update.name);
    set_string(&mut out.nickname, &update.nickname);
    set_string(&mut out.picture, &update.picture);
    if let Some(blocked) = update.blocked {
        out.blocked = Some(blocked);
    }
    // Merged into the stored documents themselves: they are never copied.
    if let Some(patch) = &update.user_metadata {
        out.user_metadata = Some(merge_owned(out.user_metadata.take(), patch));
    }
    if let Some(patch) = &update.app_metadata {
        out.app_metadata =
            Some(merge_owned(out.app_metadata.take(), patch)).filter(|stored| !stored.is_empty());
    }
    if matches!(update.password, Patch::Set(_)) && secondary.is_none() {
        out.last_password_reset = Some(now.to_string());
    }
    out.updated_at = Some(now.to_string());
}

/// Merges a metadata patch the way the server does for `user_metadata` and `app_metadata`.
///
/// - An empty patch (`{}`) clears the metadata: the result is an empty object.
/// - Otherwise, first level only: a key set to `null` is deleted, any other value replaces that
///   key whole (nested objects are not merged), keys not in the patch are kept.
///
/// Always returns `Some` (a patch that was sent leaves an object behind, possibly empty); the
/// `Option` lets callers pass the stored value straight through. [`apply_update`] then drops an
/// empty `app_metadata`, matching the recorded asymmetry.
///
/// ```
/// use serde_json::json;
/// use users_model::{apply_metadata_patch, MetadataPatch};
/// let current = json!({"baz": "qux", "foo": "bar"}).as_object().cloned();
/// let mut patch = MetadataPatch::new();
/// patch.remove("baz");
/// patch.set("foo", json!("bars"));
/// let stored = apply_metadata_patch(current.as_ref(), &patch).unwrap();
/// assert_eq!(serde_json::Value::Object(stored), json!({"foo": "bars"}));
/// ```
pub fn apply_metadata_patch(current: Option<&Metadata>, patch: &MetadataPatch) -> Option<Metadata> {
    if patch.is_empty() {
        return Some(Metadata::new());
    }
    Some(merge_owned(current.cloned(), patch))
}

/// The merge of [`apply_metadata_patch`] on an owned document.
fn merge_owned(current: Option<Metadata>, patch: &MetadataPatch) -> Metadata {
    if patch.is_empty() {
        return Metadata::new();
    }
    let mut out = current.unwrap_or_default();
    for (key, value) in patch.as_map() {
        if value.is_null() {
            out.shift_remove(key);
        } else {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

/// The smallest first-level patch that turns `current` into `desired` through the server's merge.
///
/// Returns `None` when nothing changes (an absent metadata and `{}` count as the same). When
/// `desired` is empty the patch is `{}`, which clears everything in one key-less body; otherwise
/// it holds `null` for each key to delete and the whole desired value for each key that is new or
/// differs (the server replaces first-level values whole, so a nested change must resend its
/// siblings). Keys whose value is unchanged are not sent.
///
/// Then `apply_metadata_patch(current, &patch)` equals `desired` (with absent read as `{}`; for
/// `app_metadata` the server leaves the key absent rather than `{}`). A `null` value in `desired`
/// cannot be stored (null deletes), so such a key is treated as absent.
///
/// ```
/// use serde_json::json;
/// use users_model::{apply_metadata_patch, metadata_patch};
/// // The OpenAPI example: add home_address next to work_address without losing it.
/// let current = json!({"profileCode": 1479, "addresses": {"work_address": "100 Industrial Way"}});
/// let desired = json!({"profileCode": 1479, "addresses": {
///     "work_address": "100 Industrial Way", "home_address": "742 Evergreen Terrace"}});
/// let patch = metadata_patch(current.as_object(), desired.as_object().unwrap()).unwrap();
/// assert_eq!(serde_json::to_value(&patch).unwrap(), json!({"addresses": {
///     "work_address": "100 Industrial Way", "home_address": "742 Evergreen Terrace"}}));
/// let stored = apply_metadata_patch(current.as_object(), &patch).unwrap();
/// assert_eq!(serde_json::Value::Object(stored), desired);
///
/// // Dropping a key sends null for it; an identical desired value needs no PATCH at all.
/// let smaller = json!({"addresses": {"work_address": "100 Industrial Way"}});
/// let patch = metadata_patch(current.as_object(), smaller.as_object().unwrap()).unwrap();
/// assert_eq!(serde_json::to_value(&patch).unwrap(), json!({"profileCode": null}));
/// assert!(metadata_patch(desired.as_object(), desired.as_object().unwrap()).is_none());
/// ```
pub fn metadata_patch(current: Option<&Metadata>, desired: &Metadata) -> Option<MetadataPatch> {
    let empty = Metadata::new();
    let current = current.unwrap_or(&empty);
    let wanted = |key: &str| desired.get(key).filter(|v| !v.is_null());
    let nothing_wanted = desired.values().all(|v| v.is_null());
    if nothing_wanted {
        return (!current.is_empty()).then(MetadataPatch::new);
    }
    let mut patch = Metadata::new();
    for key in current.keys() {
        if wanted(key).is_none() {
            patch.insert(key.clone(), serde_json::Value::Null);
        }
    }
    for (key, value) in desired {
        if value.is_null() {
            continue;
        }
        if current.get(key) != Some(value) {
            patch.insert(key.clone(), value.clone());
        }
    }
    (!patch.is_empty()).then(|| MetadataPatch::from(patch))
}

/// Index (> 0) of the secondary identity whose connection is `connection`, if any.
fn secondary_identity_index(user: &User, connection: &str) -> Option<usize> {
    let identities = user.identities.as_ref()?;
    let first_matches = identities
        .first()
        .is_some_and(|i| i.connection.as_deref() == Some(connection));
    if first_matches {
        return None;
    }
    identities
        .iter()
        .position(|i| i.connection.as_deref() == Some(connection))
}

/// Whether the user's primary identity is an Auth0 database one (`auth0` provider).
fn primary_is_database(user: &User) -> bool {
    match user.identities.as_ref().and_then(|ids| ids.first()) {
        Some(identity) => identity.provider.as_ref() == Some(&Provider::Auth0),
        None => user
            .user_id
            .as_deref()
            .is_some_and(|id| id.split('|').next() == Some("auth0")),
    }
}

fn apply_identity_fields(out: &mut User, update: &UserUpdate) {
    let database = primary_is_database(out);
    let old_email = out.email.clone();
    let old_phone = out.phone_number.clone();
    set_string_with(&mut out.email, &update.email, |e| lower_if(database, e));
    set_string(&mut out.phone_number, &update.phone_number);
    set_string_with(&mut out.username, &update.username, |u| {
        lower_if(database, u)
    });
    match update.email_verified {
        Some(v) => out.email_verified = Some(v),
        None if changed_to_new_value(&old_email, &out.email) => out.email_verified = Some(false),
        None => {}
    }
    match update.phone_verified {
        Some(v) => out.phone_verified = Some(v),
        None if changed_to_new_value(&old_phone, &out.phone_number) => {
            out.phone_verified = Some(false)
        }
        None => {}
    }
}

/// Writes the identity fields into the `profileData` of the secondary identity at `index`.
fn apply_to_secondary(out: &mut User, index: usize, update: &UserUpdate) {
    let Some(identity) = out.identities.as_mut().and_then(|ids| ids.get_mut(index)) else {
        return;
    };
    let database = identity.provider.as_ref() == Some(&Provider::Auth0);
    let data = identity.profile_data.get_or_insert_with(Metadata::new);
    let old_email = data
        .get("email")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let old_phone = data
        .get("phone_number")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    patch_profile(data, "email", &update.email, database);
    patch_profile(data, "phone_number", &update.phone_number, false);
    patch_profile(data, "username", &update.username, database);
    let new_email = data
        .get("email")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let new_phone = data
        .get("phone_number")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let flag = |explicit: Option<bool>, changed: bool| explicit.or(changed.then_some(false));
    if let Some(v) = flag(
        update.email_verified,
        changed_to_new_value(&old_email, &new_email),
    ) {
        data.insert("email_verified".into(), v.into());
    }
    if let Some(v) = flag(
        update.phone_verified,
        changed_to_new_value(&old_phone, &new_phone),
    ) {
        data.insert("phone_verified".into(), v.into());
    }
    drop_empty_profile(identity);
}

fn drop_empty_profile(identity: &mut Identity) {
    if identity.profile_data.as_ref().is_some_and(|d| d.is_empty()) {
        identity.profile_data = None;
    }
}

fn patch_profile(data: &mut Metadata, key: &str, patch: &Patch<String>, lower: bool) {
    match patch {
        Patch::Keep => {}
        Patch::Clear => {
            data.shift_remove(key);
        }
        Patch::Set(value) => {
            data.insert(key.to_owned(), lower_if(lower, value).into());
        }
    }
}

fn changed_to_new_value(old: &Option<String>, new: &Option<String>) -> bool {
    new.is_some() && old != new
}

fn lower_if(lower: bool, value: &str) -> String {
    if lower {
        value.to_lowercase()
    } else {
        value.to_owned()
    }
}

fn set_string(field: &mut Option<String>, patch: &Patch<String>) {
    set_string_with(field, patch, str::to_owned);
}

fn set_string_with(
    field: &mut Option<String>,
    patch: &Patch<String>,
    map: impl Fn(&str) -> String,
) {
    match patch {
        Patch::Keep => {}
        Patch::Clear => *field = None,
        Patch::Set(value) => *field = Some(map(value)),
    }
}
