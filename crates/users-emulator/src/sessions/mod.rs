//! Sessions, refresh tokens, federated token sets and connected accounts outside the
//! Management API handlers: the seed section and the token endpoint's part. Their state is
//! `crate::state::sessions`.

pub(crate) mod grant;
pub(crate) mod seed;
