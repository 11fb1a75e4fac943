//! What is measured: the [`Target`]s (one client implementation each), the operation, and the
//! [`Exchange`] seam a target implements.
//!
//! Adding a target is: a variant in [`Target`] and a line in each of its `match`es here, a type implementing
//! [`Exchange`] in its own file, and one arm in `load::measure_target` that builds it.

use std::fmt;
use std::future::Future;

/// One implementation of the exchange under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Target {
    /// A hyper-util legacy client, written by hand: the floor.
    RawHyper,
    /// A reqwest client, written by hand.
    RawReqwest,
    /// `users-client` on `users_transport::HyperTransport`; compared with [`Target::RawHyper`].
    ClientHyper,
    /// `users-client` on `users_transport::ReqwestTransport`; compared with
    /// [`Target::RawReqwest`].
    ClientReqwest,
}

impl Target {
    /// Every target, in table order.
    pub const ALL: &'static [Target] = &[
        Target::RawHyper,
        Target::RawReqwest,
        Target::ClientHyper,
        Target::ClientReqwest,
    ];

    /// The name used on the command line and in the table.
    pub fn name(self) -> &'static str {
        match self {
            Target::RawHyper => "raw-hyper",
            Target::RawReqwest => "raw-reqwest",
            Target::ClientHyper => "client-hyper",
            Target::ClientReqwest => "client-reqwest",
        }
    }

    /// The target whose figures of the same run this one's ratios are computed against: the
    /// raw client of the same HTTP stack (raw reqwest is compared with raw hyper, the floor).
    pub fn baseline(self) -> Target {
        match self {
            Target::RawHyper | Target::RawReqwest | Target::ClientHyper => Target::RawHyper,
            Target::ClientReqwest => Target::RawReqwest,
        }
    }

    /// The targets for this row, if it is a client under test (raw clients have none).
    pub fn goal(self) -> Option<Goal> {
        match self {
            Target::RawHyper | Target::RawReqwest => None,
            Target::ClientHyper | Target::ClientReqwest => Some(Goal::CLIENT),
        }
    }

    /// Parses a [`Target::name`].
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL
            .iter()
            .copied()
            .find(|target| target.name() == name)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The operation each request performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `PATCH /api/v2/users/{id}` with [`crate::fixture::update`], decoding the user answered.
    Update,
    /// `GET /api/v2/users/{id}`, decoding the user answered.
    Get,
}

impl Op {
    /// Every operation, in table order.
    pub const ALL: &'static [Op] = &[Op::Update, Op::Get];

    /// The name used on the command line and in the table.
    pub fn name(self) -> &'static str {
        match self {
            Op::Update => "update",
            Op::Get => "get",
        }
    }

    /// Parses an [`Op::name`].
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|op| op.name() == name)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The bar for a client target, relative to its [`Target::baseline`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    /// CPU per request may be at most this multiple of the baseline's.
    pub max_cpu_ratio: f64,
    /// Requests per second must be at least this multiple of the baseline's.
    pub min_throughput_ratio: f64,
    /// Peak RSS at 64 in flight must stay under this many KiB.
    pub max_peak_rss_kib_at_64: u64,
}

impl Goal {
    /// The client's bars: CPU ≤ 1.25×, throughput ≥ 0.85×, peak RSS under 20 MB at 64 in flight.
    pub const CLIENT: Goal = Goal {
        max_cpu_ratio: 1.25,
        min_throughput_ratio: 0.85,
        max_peak_rss_kib_at_64: 20 * 1000 * 1000 / 1024,
    };
}

/// One request of a target, from building it to the decoded user: what the harness times.
///
/// Every implementation sends the same request (method, path, `Authorization: Bearer`,
/// `Content-Type: application/json`, the body serialized per request from
/// [`crate::fixture::update`]) and decodes the 200 body into [`users_model::User`]; anything
/// else is an [`ExchangeError`].
pub trait Exchange: Send + Sync + 'static {
    /// What one call decodes the answer into: [`users_model::User`] for every client-overhead target, so that
    /// they all do the same work; the emulator benchmark's load client decodes only what it
    /// checks, to stay out of the emulator's way.
    type Answer: Send + 'static;

    /// Performs one `op`.
    fn call(&self, op: Op) -> impl Future<Output = Result<Self::Answer, ExchangeError>> + Send;
}

/// A failed request. It carries a short description, never headers or bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeError(String);

impl ExchangeError {
    /// An error described by `what`.
    pub fn new(what: impl Into<String>) -> ExchangeError {
        ExchangeError(what.into())
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExchangeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_rejected() {
        for &target in Target::ALL {
            assert_eq!(Target::from_name(target.name()), Some(target));
        }
        for &op in Op::ALL {
            assert_eq!(Op::from_name(op.name()), Some(op));
        }
        assert_eq!(Target::from_name("hyper"), None);
        assert_eq!(Op::from_name("delete"), None);
    }

    #[test]
    fn baselines_are_raw_clients_and_clients_compare_with_their_own_stack() {
        for &target in Target::ALL {
            assert!(target.baseline().goal().is_none(), "{target}");
        }
        assert_eq!(Target::RawHyper.baseline(), Target::RawHyper);
        assert_eq!(Target::ClientHyper.baseline(), Target::RawHyper);
        assert_eq!(Target::ClientReqwest.baseline(), Target::RawReqwest);
        assert_eq!(Target::ClientHyper.goal(), Some(Goal::CLIENT));
        assert_eq!(Target::ClientReqwest.goal(), Some(Goal::CLIENT));
    }
}
