//! The rate-limit gate every clone of a client (and `bulk()`) shares: it admits what the server
//! says it will admit.
//!
//! The model, from Auth0's documentation (`docs/users-api.md` §6): the Management API is a token
//! bucket of `x-ratelimit-limit` requests; `x-ratelimit-remaining` are left now and
//! `x-ratelimit-reset` is when requests will next be added. So:
//!
//! - **Known bucket.** A request is admitted while the last reported `remaining` exceeds the
//!   requests already admitted and not yet answered (each of those may take one). When that is
//!   used up, waiters are held until the reset (plus a margin, at most `max_wait` after the
//!   report); then one request goes to learn the new count, and its answer releases as many as
//!   the server then says are left. Waiters are released in arrival order, one at a time, never
//!   all at once.
//! - **Cold start.** Before any answer nothing is known: the first request goes alone (a probe)
//!   and the others wait for its answer. A server that sends no rate-limit headers is not gated
//!   after that.
//! - **Deadlines.** A caller waits only until its deadline; a wait known to end after it is not
//!   begun. Time in the gate is not an attempt.
//!
//! Answers overtake each other, so one that is provably older than what the gate knows is
//! ignored ([`is_stale`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::engine::ratelimit::{RateLimit, is_stale};
use crate::engine::time::{self, WallClock};

/// Added to the reset before sending again: the header has whole-second resolution and the
/// server's clock is not ours, so arriving exactly on the second risks a 429.
pub(crate) const GATE_MARGIN: Duration = Duration::from_millis(200);

/// The server's bucket as last reported.
#[derive(Clone, Copy, Debug)]
struct Window {
    remaining: u64,
    reset_epoch_secs: Option<i64>,
    observed_at: Instant,
    /// A request has gone after the refill to learn the new count.
    probed: bool,
}

impl Window {
    /// When requests are next added: the reset plus [`GATE_MARGIN`], at most `max_wait` after
    /// the report; `None` when the reset is unknown or past. Worked out only when the window is
    /// used up, so a request that finds room reads no clock.
    fn refill_at(&self, clock: &WallClock, max_wait: Duration, now: Instant) -> Option<Instant> {
        let reset = RateLimit {
            reset_epoch_secs: self.reset_epoch_secs,
            ..RateLimit::default()
        };
        let until = reset
            .until_reset(clock.now_epoch_ms())
            .filter(|d| !d.is_zero())?;
        Some(
            time::after(now, until.saturating_add(GATE_MARGIN))
                .min(time::after(self.observed_at, max_wait)),
        )
    }
}

#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Nothing known: the next request is the probe.
    Cold,
    /// The probe is out; the others wait for its answer.
    Probing,
    /// The server sends no rate-limit headers: nothing is held.
    Open,
    Known(Window),
}

#[derive(Debug)]
struct State {
    /// The latest report (for [`RateLimitGate::current`]).
    current: Option<RateLimit>,
    phase: Phase,
    /// Admitted and not yet answered.
    in_flight: u64,
    /// Callers waiting in line (newcomers queue behind them).
    queued: u64,
}

/// What the state says about one more request now.
enum Verdict {
    Admit {
        probe: bool,
    },
    /// Not before this instant, or (`None`) not before something changes.
    Wait(Option<Instant>),
}

impl State {
    fn verdict(&mut self, now: Instant, clock: &WallClock, max_wait: Duration) -> Verdict {
        match &mut self.phase {
            Phase::Open => Verdict::Admit { probe: false },
            Phase::Cold => {
                self.phase = Phase::Probing;
                Verdict::Admit { probe: true }
            }
            Phase::Probing => Verdict::Wait(None),
            Phase::Known(w) if w.remaining > self.in_flight => Verdict::Admit { probe: false },
            Phase::Known(w) => match w.refill_at(clock, max_wait, now) {
                Some(at) if now < at => Verdict::Wait(Some(at)),
                _ if !w.probed => {
                    w.probed = true;
                    Verdict::Admit { probe: true }
                }
                _ => Verdict::Wait(None),
            },
        }
    }

    fn admit(&mut self, now: Instant, clock: &WallClock, max_wait: Duration) -> Verdict {
        let verdict = self.verdict(now, clock, max_wait);
        if matches!(verdict, Verdict::Admit { .. }) {
            self.in_flight = self.in_flight.saturating_add(1);
        }
        verdict
    }
}

struct Shared {
    state: Mutex<State>,
    /// The line of waiting callers, first come first served: its holder is the head of the line
    /// and the only one watching the clock.
    line: tokio::sync::Mutex<()>,
    /// Something the head may be waiting for changed (an answer, a release).
    changed: Notify,
    /// `Phase::Open`, readable without the lock: the path of a request to a server that sends
    /// no rate-limit headers.
    open: AtomicBool,
    max_wait: Duration,
    clock: WallClock,
}

/// The gate. Cloning shares it.
#[derive(Clone)]
pub(crate) struct RateLimitGate {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for RateLimitGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitGate")
            .field("state", &*self.lock())
            .finish_non_exhaustive()
    }
}

/// The gate would hold a request past its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PastDeadline;

/// A request admitted by the gate. Dropping it says the request was answered (its answer, if
/// any, already observed) or abandoned.
#[must_use]
pub(crate) struct Admission<'a> {
    gate: Option<&'a RateLimitGate>,
    probe: bool,
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        if let Some(gate) = self.gate {
            gate.release(self.probe);
        }
    }
}

/// A caller counted in the line; leaving it (admitted, past the deadline or cancelled) lets
/// the next one look.
struct InLine<'a>(&'a RateLimitGate);

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.queued = state.queued.saturating_sub(1);
        drop(state);
        self.0.shared.changed.notify_waiters();
    }
}

impl RateLimitGate {
    /// A gate whose holds last at most `max_wait` after the report that caused them, reading
    /// resets against `clock`.
    pub fn new(max_wait: Duration, clock: WallClock) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    current: None,
                    phase: Phase::Cold,
                    in_flight: 0,
                    queued: 0,
                }),
                line: tokio::sync::Mutex::new(()),
                changed: Notify::new(),
                open: AtomicBool::new(false),
                max_wait,
                clock,
            }),
        }
    }

    /// The state, even if a thread panicked while holding the lock (it holds plain counters).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until a request may go, at most until `deadline`.
    ///
    /// # Errors
    /// [`PastDeadline`] when the request could not be admitted before `deadline`.
    pub async fn admit(&self, deadline: Option<Instant>) -> Result<Admission<'_>, PastDeadline> {
        if self.shared.open.load(Ordering::Acquire) {
            return Ok(Admission {
                gate: None,
                probe: false,
            });
        }
        {
            let mut state = self.lock();
            if state.queued == 0
                && let Verdict::Admit { probe } =
                    state.admit(Instant::now(), &self.shared.clock, self.shared.max_wait)
            {
                return Ok(Admission {
                    gate: Some(self),
                    probe,
                });
            }
            state.queued = state.queued.saturating_add(1);
        }
        let in_line = InLine(self);
        let result = Box::pin(self.wait_in_line(deadline)).await;
        drop(in_line);
        result.map(|probe| Admission {
            gate: Some(self),
            probe,
        })
    }

    /// Waits until a request would be admitted, without keeping the place (for `bulk()`, whose
    /// operations then pass the gate themselves).
    pub async fn ready(&self) {
        if let Ok(admission) = self.admit(None).await {
            drop(admission);
        }
    }

    async fn wait_in_line(&self, deadline: Option<Instant>) -> Result<bool, PastDeadline> {
        let line = self.shared.line.lock();
        let _head = match deadline {
            Some(at) => tokio::time::timeout_at(at, line)
                .await
                .map_err(|_| PastDeadline)?,
            None => line.await,
        };
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let until =
                match self
                    .lock()
                    .admit(Instant::now(), &self.shared.clock, self.shared.max_wait)
                {
                    Verdict::Admit { probe } => return Ok(probe),
                    Verdict::Wait(until) => until,
                };
            let limit = match (until, deadline) {
                (Some(u), Some(d)) if u > d => return Err(PastDeadline),
                (Some(u), _) => Some(u),
                (None, d) => d,
            };
            match limit {
                Some(at) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(at) => {}
                        () = &mut changed => {}
                    }
                }
                None => changed.await,
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                // One last look: the wake-up may be the refill itself.
                return match self.lock().admit(
                    Instant::now(),
                    &self.shared.clock,
                    self.shared.max_wait,
                ) {
                    Verdict::Admit { probe } => Ok(probe),
                    Verdict::Wait(_) => Err(PastDeadline),
                };
            }
        }
    }

    fn release(&self, probe: bool) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        let waiting = state.queued > 0;
        if probe {
            // The probe ended without an answer that taught anything: the next request probes.
            match &mut state.phase {
                Phase::Probing => state.phase = Phase::Cold,
                Phase::Known(w) => w.probed = false,
                Phase::Cold | Phase::Open => {}
            }
        }
        drop(state);
        if waiting {
            self.shared.changed.notify_waiters();
        }
    }

    /// Records what a response said about the bucket: `None` for a response without
    /// rate-limit headers.
    pub fn observe(&self, rl: Option<&RateLimit>) {
        let mut state = self.lock();
        let Some(rl) = rl else {
            // No headers: a server that does not send them is not gated; once they have been
            // seen, one answer without them proves nothing.
            if matches!(state.phase, Phase::Cold | Phase::Probing) {
                state.phase = Phase::Open;
                self.shared.open.store(true, Ordering::Release);
                drop(state);
                self.shared.changed.notify_waiters();
            }
            return;
        };
        if state.current.is_some_and(|known| is_stale(rl, &known)) {
            return;
        }
        state.current = Some(*rl);
        let Some(remaining) = rl.remaining else {
            return;
        };
        state.phase = Phase::Known(Window {
            remaining,
            reset_epoch_secs: rl.reset_epoch_secs,
            observed_at: Instant::now(),
            probed: false,
        });
        self.shared.open.store(false, Ordering::Release);
        let waiting = state.queued > 0;
        drop(state);
        if waiting {
            self.shared.changed.notify_waiters();
        }
    }

    /// The most recently observed rate-limit state.
    pub fn current(&self) -> Option<RateLimit> {
        self.lock().current
    }
}

#[cfg(test)]
#[path = "gate_tests.rs"]
mod tests;
