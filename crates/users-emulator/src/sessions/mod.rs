//! Sessions, refresh tokens, federated token sets and connected accounts: their state, its seed
//! section, and their part in the token endpoint.

pub(crate) mod grant;
pub(crate) mod seed;
pub(crate) mod store;

pub(crate) use store::SessionsState;
