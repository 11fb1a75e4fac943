//! Benchmarks for the Auth0 users client (issue 6): a load harness that measures a client's
//! requests/s, latency, CPU per request and peak memory against a minimal stub server in a
//! separate process on loopback, side by side with hand-written raw hyper and reqwest clients
//! doing the identical exchange; and (in `benches/`) criterion micro-benchmarks of the model.
//!
//! Binary: `users-bench all | load | stub-server` (see [`args::USAGE`]).

pub mod args;
pub mod fixture;
pub mod load;
pub mod measure;
pub mod model_report;
pub mod raw_hyper;
pub mod raw_reqwest;
pub mod report;
pub mod sized;
pub mod stats;
pub mod stub;
pub mod stub_process;
pub mod suite;
pub mod target;
