//! The request engine: a request's description ([`spec`]) → credentials ([`credentials`],
//! [`token`]) → rate-limit gate ([`gate`]) → one attempt ([`attempt`]) → retry decision
//! ([`retry`]) → decode ([`call`]). The attempt loop ([`attempts`]) runs that path for API calls
//! and for the token request alike. Operations (`crate::ops`) only describe requests and types.
//!
//! Modules depend on each other in one direction (leaves first): `time`, `attempt`,
//! `ratelimit` → `retry`, `gate` → `credentials`, `spec` → `attempts` → `token`, `state` →
//! `call`.

pub(crate) mod attempt;
pub(crate) mod attempts;
pub(crate) mod call;
pub(crate) mod credentials;
pub(crate) mod gate;
pub(crate) mod ratelimit;
pub(crate) mod retry;
pub(crate) mod spec;
pub(crate) mod state;
pub(crate) mod telemetry;
pub(crate) mod time;
pub(crate) mod token;
