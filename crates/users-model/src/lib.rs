//! Types of the Auth0 Management API v2 Users resource and the rules the server applies to them
//! (merge, validation, linking), written once as pure functions: no I/O, no async, no clock.
//!
//! The types mirror the wire JSON exactly: absent fields are omitted, unknown fields are kept in
//! an `extra` map so nothing is lost in a round trip, and a PATCH body distinguishes "leave
//! alone", "unset" and "set" with [`Patch`]. Secrets ([`Password`], [`IdpToken`], [`LinkToken`])
//! never appear in `Debug` output.
//!
//! ```
//! use users_model::{MetadataPatch, Patch, Password, User, UserId, UserUpdate};
//!
//! let id = UserId::new("auth0|63d17c6b77d74b740960460a").unwrap();
//! assert_eq!(id.to_path_segment(), "auth0%7C63d17c6b77d74b740960460a");
//!
//! let user: User = serde_json::from_str(r#"{"user_id":"auth0|63d17c6b77d74b740960460a",
//!     "identities":[{"connection":"Username-Password-Authentication","user_id":"63d17c6b77d74b740960460a",
//!     "provider":"auth0","isSocial":false}]}"#).unwrap();
//! assert_eq!(user.identities.as_ref().map(Vec::len), Some(1));
//!
//! let mut metadata = MetadataPatch::new();
//! metadata.set("profileCode", 1479);
//! let mut update = UserUpdate::default();
//! update.nickname = Patch::Clear;
//! update.password = Patch::Set(Password::new("hunter2"));
//! update.user_metadata = Some(metadata);
//! assert!(!format!("{update:?}").contains("hunter2"));
//! assert_eq!(
//!     serde_json::to_string(&update).unwrap(),
//!     r#"{"nickname":null,"password":"hunter2","user_metadata":{"profileCode":1479}}"#,
//! );
//! ```
//!
//! # Layout and public surface
//!
//! Everything public is re-exported at the crate root by name (no globs), so the surface
//! changes only when this list does:
//!
//! - **Wire types**, one file per resource: [`User`], [`Identity`], [`UserCreate`],
//!   [`UserUpdate`] (with [`Patch`], [`MetadataPatch`]), [`ListUsersQuery`], [`UsersPage`],
//!   [`UsersByEmailQuery`], [`UserBlocks`], [`LinkRequest`], [`UnlinkTarget`], [`ApiErrorBody`].
//!   Types the API will grow are `#[non_exhaustive]`: build them from `Default` (or their
//!   `new`) and assign fields, so a field added later is not a breaking change.
//! - **Identifiers and secrets**: [`UserId`], [`Provider`], [`Timestamp`], [`Password`],
//!   [`LinkToken`], [`IdpToken`], and the percent-encoding the server expects
//!   ([`encode_component`]).
//! - **The server's rules as pure functions**: merging ([`apply_update`], [`metadata_patch`]),
//!   validation ([`validate_update`], [`validate_create`], [`validate_link`], reporting
//!   [`Violations`]) and linking ([`link`], [`unlink`]). The client runs them before sending, the
//!   emulator when answering, so they exist once.
//! - **[`operation`]**: each operation described once as data (method, path template, scopes,
//!   retry class, paging, success status), read by the client, the emulator and a test against
//!   the OpenAPI document.
//!
//! Modules other than `operation` are private; what they define is public only through the
//! re-exports above.

// Nothing here may panic on a value from a server, a file or a caller: checked access and
// arithmetic instead (tests may unwrap).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod api_date;
mod auth_method;
mod auth_method_mask;
mod auth_method_replace;
mod auth_method_request;
mod auth_method_rules;
mod blocks;
mod checkpoint;
mod connected_account;
mod create;
mod enrollment;
mod error;
mod ids;
mod link;
mod linking;
mod logs;
mod merge;
mod nullable;
pub mod operation;
mod organizations;
mod paging;
mod permissions;
mod provider;
mod query;
mod refresh_token;
mod risk;
mod roles;
mod session;
mod time;
mod tokenset;
mod update;
mod user;
mod validate;

pub use api_date::ApiDate;
pub use auth_method::{
    AuthenticationMethod, AuthenticationMethodsPage, BasicMethod, EmailMethod, MethodInfo,
    MethodProperty, PasskeyMethod, PhoneMethod, PreferredMethod, PushMethod, TotpMethod,
    TotpSecret, WebauthnMethod,
};
pub use auth_method_mask::{mask_email, mask_phone};
pub use auth_method_replace::{
    ReplacePlan, ReplaceRefusal, Replaced, preview_replace, same_method,
};
pub use auth_method_request::{
    AuthenticationMethodUpdate, NewAuthenticationMethod, NewEmailMethod, NewPasskeyMethod,
    NewPhoneMethod, NewTotpMethod, NewWebauthnRoamingMethod, ReplacementMethod,
};
pub use auth_method_rules::{
    CREATABLE_METHOD_TYPES, METHOD_EXISTS_MESSAGE, METHOD_NAME_MAX, REPLACEABLE_METHOD_TYPES,
    is_base32, parse_method_update, parse_new_method, parse_replacement, validate_replacement,
};
pub use blocks::{BlockedFor, UserBlocks};
pub use checkpoint::{CheckpointPage, CheckpointQuery, MAX_TAKE};
pub use connected_account::{ConnectedAccount, ConnectedAccountsPage};
pub use create::UserCreate;
pub use enrollment::{Enrollment, MultifactorProvider, RecoveryCode, RecoveryCodeRegeneration};
pub use error::ApiErrorBody;
pub use ids::{InvalidUserId, UserId, decode_component, encode_component, encode_component_into};
pub use link::{LinkRequest, LinkToken, UnlinkTarget};
pub use logs::{LogEvent, LogsPage, UserLogsQuery, event_type, parse_sort};
pub use nullable::Nullable;
pub use organizations::{Organization, OrganizationsPage};
pub use paging::{MAX_PER_PAGE, PageQuery};
pub use permissions::{
    PermissionRef, PermissionSource, Permissions, PermissionsPage, SOURCE_DIRECT, SOURCE_ROLE,
    UserPermission,
};
pub use provider::Provider;
pub use query::{ListUsersQuery, SearchEngine, UsersByEmailQuery, UsersPage};
pub use refresh_token::{
    RefreshToken, RefreshTokenDevice, RefreshTokenResourceServer, RefreshTokensPage,
};
pub use risk::{Assessor, ClearAssessors};
pub use roles::{Role, RoleIds, RolesPage};
pub use session::{
    AuthenticationSignal, Session, SessionAuthentication, SessionClient, SessionDevice,
    SessionsPage,
};
pub use time::{InvalidTimestamp, Timestamp};
pub use tokenset::FederatedTokenSet;
pub use update::{MetadataPatch, Password, Patch, UserUpdate};
pub use user::{Identity, IdentityUserId, IdpToken, Metadata, User};

pub use linking::{LinkError, Unlinked, link, profile_data, unlink};
pub use merge::{apply_metadata_patch, apply_update, apply_update_in_place, metadata_patch};
pub use validate::{
    ConnectionKind, IdentityContext, MAX_BODY_BYTES, MAX_METADATA_DEPTH, MAX_PATH_ID_CHARS,
    RESERVED_APP_METADATA_KEYS, TargetContext, Violation, ViolationKind, Violations,
    validate_clear_assessors, validate_create, validate_create_with_len, validate_link,
    validate_update, validate_update_with_len,
};
