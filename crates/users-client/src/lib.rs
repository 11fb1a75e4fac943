//! An Auth0 Management API v2 users client with a pluggable transport.
//!
//! - every core Users operation ([`Users`], [`Blocks`]), typed with [`model`]
//!   (`users-model`) and validated before the network;
//! - static tokens, the client-credentials grant (cached, single flight, through the same
//!   transport, refreshed once on a 401) or any [`TokenProvider`];
//! - retries that respect `Retry-After` / `x-ratelimit-reset` and never blindly repeat a POST
//!   whose outcome is unknown ([`RetryPolicy`]), within one deadline per call; a rate-limit gate
//!   shared by all clones that admits what the server says it will admit ([`RateLimit`]);
//! - per-call overrides on [`Call`]: bearer, extra headers, retry policy, timeout, validation;
//! - one [`Error`] type with predicates; secrets never in `Debug`, `Display`, errors or logs.
//!
//! Every operation returns a [`Call`]: `.await` it for the data, or set per-call options
//! first ([`Call::bearer`]) and use [`Call::with_response`] for the status, headers and
//! rate-limit state. The metadata helpers ([`Users::update_metadata`]), which read then patch,
//! return the same type.
//!
//! # Layout
//!
//! - `engine/`: the request engine, which every operation goes through: a request's
//!   description → credentials (static token, provider, or a per-call bearer) → rate-limit gate
//!   → one attempt through the [`transport::Transport`] → retry decision → decode. The token
//!   request takes the same attempt path. [`Call`] and [`Response`] are its public face.
//! - `ops/`: the operation surface, one file per resource group ([`Users`], [`Blocks`], the
//!   metadata helpers, paging). An operation only describes its request, from its description
//!   in [`model::operation`], and its types; it never sends.
//! - `bulk`: many operations at a rate limit, on top of the surface.
//!
//! # Public surface
//!
//! The [`Client`] and its [`ClientBuilder`]; the operation groups ([`Users`], [`Blocks`]) and
//! their option types ([`FieldsQuery`], [`MetadataKind`]); [`Call`] and [`Response`]; [`Bulk`]
//! and its results; one [`Error`] type with its parts; token providers ([`TokenProvider`],
//! [`StaticToken`]); the retry and rate-limit types a caller configures or reads; and the
//! `users-model` and `users-transport` crates re-exported as [`model`] and [`transport`] so
//! versions always agree. Types that will grow are `#[non_exhaustive]`; everything else in the
//! engine is private to the crate.
//!
//! Calls run on Tokio and need its time driver (`#[tokio::main]` or a runtime built with
//! `enable_time`/`enable_all`): timeouts, backoff and the rate-limit gate use `tokio::time`.
//!
//! ```no_run
//! # async fn f() -> Result<(), users_client::Error> {
//! use users_client::Client;
//! let client = Client::builder()
//!     .domain("tenant.eu.auth0.com")
//!     .client_credentials("CLIENT_ID", "CLIENT_SECRET")
//!     .build()?;
//! let user = client.users().get("auth0|507f1f77bcf86cd799439020").await?;
//! # Ok(()) }
//! ```

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

mod builder;
mod bulk;
mod client;
mod engine;
mod error;
mod ops;

pub use builder::{ClientBuilder, DEFAULT_TIMEOUT};
pub use bulk::{Bulk, BulkItem, BulkRun, DEFAULT_CONCURRENCY, Progress};
pub use client::Client;
pub use engine::call::{Call, Response};
pub use engine::credentials::{StaticToken, TokenProvider};
pub use engine::ratelimit::RateLimit;
pub use engine::retry::{Idempotency, RetryPolicy};
pub use engine::telemetry::CLIENT_NAME;
pub use engine::token::EXPIRY_LEEWAY;
pub use error::{
    ApiError, ConfigError, DecodeCategory, DecodeError, Error, NonJsonError, RAW_BODY_CAP,
    TokenError,
};
pub use ops::auth_methods::{AuthenticationMethods, METHODS_PER_PAGE};
pub use ops::blocks::Blocks;
pub use ops::checkpoint::Walk;
pub use ops::metadata::{MetadataKind, preview_update};
pub use ops::mfa::{Mfa, MfaReset};
pub use ops::paging::{DEFAULT_STREAM_PER_PAGE, PAGING_LIMIT};
pub use ops::sessions::SessionsAndTokens;
pub use ops::users::{FieldsQuery, Users};

/// Secret strings as taken by the builder and [`Call::bearer`].
pub use secrecy::SecretString;
/// The `users-model` crate: request and response types and the server's rules.
pub use users_model as model;
/// The `users-transport` crate: the [`transport::Transport`] trait and its errors.
pub use users_transport as transport;
