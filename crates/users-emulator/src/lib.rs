//! A stateful Auth0 Users API emulator, embedded in-process or served on a port.
//!
//! One set of handlers serves both front ends: [`Emulator`] implements
//! [`users_transport::Transport`] (no sockets, deterministic ids and an injectable [`Clock`]), and
//! [`Emulator::serve`] runs the same emulator as an HTTP/1.1 server. The rules (merge,
//! validation, linking) come from `users-model`, so the emulator and the client share them.
//! Known differences from the real server are listed in `DIFFERENCES.md`.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use users_emulator::{Emulator, EmulatorConfig};
//! use users_transport::Transport;
//!
//! let emulator = Emulator::new(EmulatorConfig::default());
//! let token = http::Request::post("https://tenant.example/oauth/token")
//!     .header("content-type", "application/json")
//!     .body(bytes::Bytes::from(r#"{"grant_type":"client_credentials","client_id":"emulator-client",
//!         "client_secret":"emulator-secret","audience":"https://tenant.example/api/v2/"}"#))
//!     .unwrap();
//! let response = emulator.send(token).await.unwrap();
//! assert_eq!(response.status(), 200);
//! # });
//! ```
//!
//! # Public surface
//!
//! What an embedding test or tool needs, and nothing of how the emulator works inside:
//! [`Emulator`] (with [`Emulator::seed`] and its [`SeedError`], [`Emulator::export`] and
//! [`Emulator::import`] with its [`ImportError`], [`Emulator::serve`] and its
//! [`RunningServer`]), its configuration ([`EmulatorConfig`], [`ClientConfig`],
//! [`RateLimitConfig`], [`Connection`], all `#[non_exhaustive]`: start from `Default` or `new`
//! and assign fields), the injectable clock ([`Clock`], [`ManualClock`], [`SystemClock`]), the
//! default credentials and signing key (public on purpose: they only open this emulator), and
//! [`StateFileError`]. The rate-limit bucket, the fault plan and the search-language
//! implementation are private: faults and seeding are driven through the `/__emulator/` admin
//! API (see the README), and the supported search subset is documented in the README.

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

mod auth;
mod bucket;
mod clock;
mod config;
mod connections;
mod emulator;
mod export;
mod faults;
mod form;
mod handlers;
mod ids;
mod keys;
mod persist;
mod profile;
mod reply;
mod request;
mod runtime;
mod search;
mod seed_error;
mod server;
mod sessions;
mod state;
mod store;
mod tokens;
mod transport;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{
    ClientConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig, RateLimitConfig,
    default_scopes,
};
pub use connections::{Connection, default_connections};
pub use emulator::Emulator;
pub use export::ImportError;
pub use keys::{EMULATOR_KEY_E, EMULATOR_KEY_ID, EMULATOR_KEY_N, EMULATOR_PRIVATE_KEY_PEM};
pub use persist::StateFileError;
pub use seed_error::SeedError;
pub use server::{RunningServer, ServeLimits};

/// The grant type of the password-realm grant (`POST /oauth/token`) the emulator supports.
pub const PASSWORD_REALM_GRANT: &str = handlers::token::PASSWORD_REALM;
