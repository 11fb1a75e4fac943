//! Benchmarks for the Auth0 users client: a load harness that measures a client's
//! requests/s, latency, CPU per request and peak memory against a minimal stub server in a
//! separate process on loopback, side by side with hand-written raw hyper and reqwest clients
//! doing the identical exchange; and (in `benches/`) criterion micro-benchmarks of the model.
//!
//! It also measures the served emulator (`users-emulator`) with many stored users, in its own
//! process, so that its throughput is known never to bound a client benchmark, and (with
//! `emulator --state`) how its store scales with the tenant's size and how fast it starts.
//!
//! Binary: `users-bench all | load | emulator | stub-server | emulator-server | model-report`
//! (`users-bench --help`; see [`args`]).

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

pub mod args;
pub mod client_target;
pub mod emulator_bench;
pub mod emulator_client;
pub mod emulator_report;
pub mod emulator_server;
pub mod fixture;
pub mod load;
pub mod measure;
pub mod model_report;
pub mod paced;
pub mod raw_hyper;
pub mod raw_reqwest;
pub mod report;
pub mod sized;
pub mod stats;
pub mod store_report;
pub mod store_sweep;
pub mod stub;
pub mod stub_process;
pub mod suite;
pub mod target;
