//! The client under pressure (issue 16), against a scripted server: a 429 storm on thousands of
//! concurrent calls, a fixed-rate bucket, dead and failing token endpoints, deadlines with gate
//! holds, and values from outside that used to panic. Request counts and outcomes are asserted;
//! times only from above, with margins.
//!
//! The full-size scenarios run in-process on Tokio's paused clock (the server's latency and the
//! client's waits are virtual, so 2,000 calls over a minute of server time take a second or
//! two); `backends` runs the same shapes scaled down in size (not in time: the reset header has
//! whole-second resolution) over real sockets through the reqwest and hyper backends.

mod backends;
mod encoding;
mod scenarios;
mod scripted;
mod tokens;
