//! The request engine: a request's description → credentials → rate-limit gate → one attempt
//! through the transport → retry decision → decode. The token request goes through the same
//! attempt path. Operations (`crate::ops`) only describe requests and their types.

pub(crate) mod auth;
pub(crate) mod call;
pub mod ratelimit;
pub mod retry;
pub mod telemetry;
