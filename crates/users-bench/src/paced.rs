//! A paced background load: one request of an operation every `1 / rate` seconds (open loop),
//! whatever the server's answers take, with at most `cap` outstanding. It stands for a steady
//! stream of writes next to a measured read load: unlike a closed loop of many writers, its CPU
//! share stays fixed, so what it does to the reads is waiting (locks, commits), not only two
//! processes competing for the cores.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, MissedTickBehavior};

use crate::load::per_second;
use crate::target::{Exchange, Op};

/// What the paced load did while it ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PacedFigures {
    /// The rate asked for, requests per second.
    pub target_per_sec: u32,
    /// Requests answered successfully per second of the load's run.
    pub answered_per_sec: f64,
    /// Requests answered successfully.
    pub answered: usize,
    /// Ticks skipped because `cap` requests were already outstanding (the server fell behind).
    pub shed: usize,
    /// Failed requests.
    pub errors: usize,
    /// The first failure's description.
    pub first_error: Option<String>,
}

/// A running paced load; [`PacedLoad::finish`] stops it and returns its figures.
#[derive(Debug)]
pub struct PacedLoad {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<PacedFigures>,
}

impl PacedLoad {
    /// Starts `op` at `rate` requests per second (at least 1) on `exchange`, at most `cap`
    /// (at least 1) outstanding. Must be called inside a Tokio runtime.
    pub fn start<E: Exchange>(exchange: Arc<E>, op: Op, rate: u32, cap: usize) -> PacedLoad {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(exchange, op, rate.max(1), cap.max(1), stopped));
        PacedLoad { stop, task }
    }

    /// Stops issuing requests, waits for the outstanding ones, and returns the figures.
    pub async fn finish(self) -> PacedFigures {
        // The receiver lives as long as the task; a send error means it already ended.
        let _sent = self.stop.send(true);
        self.task.await.unwrap_or_else(|join_error| PacedFigures {
            errors: 1,
            first_error: Some(format!("paced load failed: {join_error}")),
            ..PacedFigures::default()
        })
    }
}

#[derive(Debug, Default)]
struct Outcome {
    answered: AtomicUsize,
    errors: AtomicUsize,
    first_error: std::sync::Mutex<Option<String>>,
}

async fn run<E: Exchange>(
    exchange: Arc<E>,
    op: Op,
    rate: u32,
    cap: usize,
    mut stopped: watch::Receiver<bool>,
) -> PacedFigures {
    let period = Duration::from_secs(1) / rate;
    let mut ticks = tokio::time::interval(period);
    // A late tick is sent at once and the schedule kept, so the average rate holds.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let slots = Arc::new(Semaphore::new(cap));
    let outcome = Arc::new(Outcome::default());
    let mut shed = 0;
    let started = Instant::now();
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stopped.changed() => break,
        }
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            shed += 1;
            continue;
        };
        let exchange = Arc::clone(&exchange);
        let outcome = Arc::clone(&outcome);
        tokio::spawn(async move {
            match exchange.call(op).await {
                Ok(answer) => {
                    std::hint::black_box(answer);
                    outcome.answered.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) => {
                    outcome.errors.fetch_add(1, Ordering::Relaxed);
                    if let Ok(mut first) = outcome.first_error.lock() {
                        first.get_or_insert_with(|| error.to_string());
                    }
                }
            }
            drop(slot);
        });
    }
    // Every slot back means every request sent has been answered.
    let drained = slots
        .acquire_many(u32::try_from(cap).unwrap_or(u32::MAX))
        .await;
    let elapsed = started.elapsed();
    let answered = outcome.answered.load(Ordering::Relaxed);
    let mut errors = outcome.errors.load(Ordering::Relaxed);
    let mut first_error = outcome.first_error.lock().ok().and_then(|mut f| f.take());
    if drained.is_err() {
        errors += 1;
        first_error.get_or_insert_with(|| "paced load: the slots were closed".to_owned());
    }
    PacedFigures {
        target_per_sec: rate,
        answered_per_sec: per_second(answered, elapsed),
        answered,
        shed,
        errors,
        first_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::ExchangeError;

    /// Answers after `delay`; fails every `fail_every`th call.
    struct Slow {
        delay: Duration,
        calls: AtomicUsize,
        fail_every: usize,
    }

    impl Exchange for Slow {
        type Answer = ();

        async fn call(&self, _op: Op) -> Result<(), ExchangeError> {
            let n = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
            tokio::time::sleep(self.delay).await;
            if n.is_multiple_of(self.fail_every) {
                Err(ExchangeError::new("status 500"))
            } else {
                Ok(())
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_holds_and_failures_are_counted() {
        let exchange = Arc::new(Slow {
            delay: Duration::from_millis(3),
            calls: AtomicUsize::new(0),
            fail_every: 50,
        });
        let load = PacedLoad::start(Arc::clone(&exchange), Op::Update, 1000, 16);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let figures = load.finish().await;
        let calls = exchange.calls.load(Ordering::Relaxed);
        // 500 ms at 1 per ms, the first tick at once: 500 or 501 sent, none shed (3 in flight).
        assert!((500..=501).contains(&calls), "{calls} {figures:?}");
        assert_eq!(figures.shed, 0, "{figures:?}");
        assert_eq!(figures.errors, calls / 50, "{figures:?}");
        assert_eq!(figures.answered + figures.errors, calls, "{figures:?}");
        assert_eq!(figures.first_error.as_deref(), Some("status 500"));
        assert!(
            (950.0..=1010.0).contains(&figures.answered_per_sec),
            "{figures:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_server_sheds_ticks_instead_of_piling_up_requests() {
        let exchange = Arc::new(Slow {
            delay: Duration::from_millis(100),
            calls: AtomicUsize::new(0),
            fail_every: usize::MAX,
        });
        let load = PacedLoad::start(Arc::clone(&exchange), Op::Update, 1000, 4);
        tokio::time::sleep(Duration::from_millis(250)).await;
        let figures = load.finish().await;
        let calls = exchange.calls.load(Ordering::Relaxed);
        // 4 outstanding at a time, each 100 ms: 3 waves in 250 ms.
        assert_eq!(calls, 12, "{figures:?}");
        assert_eq!(figures.answered, 12);
        assert!(figures.shed > 200, "{figures:?}");
        assert_eq!(figures.errors, 0);
    }
}
