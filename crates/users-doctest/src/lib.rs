//! Doctest support: one hidden line gives an example a client over a seeded, in-process
//! emulator, so each operation's example shows only the call it documents.
//!
//! `users-client` dev-depends on this crate (which depends on `users-client` itself); rustdoc
//! links doctests against the same `users_client` library, so the types match. Unit tests of
//! `users-client` must not use it: they see a second copy of that crate.
//!
//! # Usage in a doc comment
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let client = users_doctest::client();
//! let user = client.users().get(users_doctest::USER_ID).await?;
//! assert_eq!(user.email.as_deref(), Some(users_doctest::USER_EMAIL));
//! # Ok(()) }
//! ```
//!
//! When the example needs the emulator too (to inspect its state, plan a fault or serve it),
//! use [`emulator`] and [`client_for`]; for a different tenant, [`emulator_with`].

use std::sync::Arc;

use serde_json::{Value, json};
use users_client::Client;
use users_emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, EmulatorConfig};

/// The domain the client is built for; the in-process emulator answers for any domain.
pub const DOMAIN: &str = "tenant.example";
/// The seeded database user every example can read, update or delete.
pub const USER_ID: &str = "auth0|123";
/// [`USER_ID`]'s email.
pub const USER_EMAIL: &str = "jane@example.com";
/// [`USER_ID`]'s password (meets the emulator's default password policy).
pub const USER_PASSWORD: &str = "Passw0rd!x-long";
/// The database connection the seeded users belong to.
pub const CONNECTION: &str = "Username-Password-Authentication";

/// The seed document of [`emulator`]: [`USER_ID`] (with [`USER_EMAIL`] and [`USER_PASSWORD`]),
/// `auth0|1` (`a@example.com`) and `auth0|2` (`b@example.com`), all on [`CONNECTION`].
pub fn tenant() -> Value {
    json!({"users": [
        {"user_id": USER_ID, "connection": CONNECTION, "email": USER_EMAIL,
         "password": USER_PASSWORD},
        {"user_id": "auth0|1", "connection": CONNECTION, "email": "a@example.com"},
        {"user_id": "auth0|2", "connection": CONNECTION, "email": "b@example.com"},
    ]})
}

/// An emulator with the default configuration, seeded with [`tenant`].
///
/// # Panics
/// If the emulator rejects the seed document (a defect of this crate).
pub fn emulator() -> Emulator {
    emulator_with(&tenant())
}

/// An emulator with the default configuration, seeded with `document` (the format of
/// `Emulator::seed`).
///
/// # Panics
/// If the emulator rejects `document`: a doctest's setup that cannot run should fail loudly.
pub fn emulator_with(document: &Value) -> Emulator {
    let emulator = Emulator::new(EmulatorConfig::default());
    if let Err(e) = emulator.seed(document) {
        panic!("doctest seed document rejected: {e}");
    }
    emulator
}

/// A client over `emulator` (in-process, no sockets), authenticated with the emulator's default
/// client credentials.
///
/// # Panics
/// If the builder rejects the configuration (a defect of this crate).
pub fn client_for(emulator: &Emulator) -> Client {
    match Client::builder()
        .domain(DOMAIN)
        .transport(Arc::new(emulator.clone()))
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .build()
    {
        Ok(client) => client,
        Err(e) => panic!("doctest client rejected: {e}"),
    }
}

/// A client over a fresh [`emulator`]: the one hidden line of most examples.
pub fn client() -> Client {
    client_for(&emulator())
}
