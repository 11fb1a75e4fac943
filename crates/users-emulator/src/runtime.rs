//! What the emulator keeps outside the tenant's state: the rate-limit bucket and the fault plan.
//! Never persisted; reset with the state by `POST /__emulator/reset`.

use crate::bucket::TokenBucket;
use crate::config::EmulatorConfig;
use crate::faults::FaultPlan;

/// What is not persisted: the rate-limit bucket and the fault plan.
pub(crate) struct Runtime {
    pub bucket: TokenBucket,
    pub faults: FaultPlan,
}

impl Runtime {
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        Self {
            bucket: TokenBucket::new(config.rate_limit.burst, config.rate_limit.per_second),
            faults: FaultPlan::default(),
        }
    }
}

/// Puts `runtime` back to its state at start.
pub(crate) fn reset_runtime(runtime: &mut Runtime, config: &EmulatorConfig) {
    *runtime = Runtime::new(config);
}
