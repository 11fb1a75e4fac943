//! The emulator: state behind a lock, and the one dispatch function every front end calls.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Response};
use serde_json::Value;

use crate::bucket::{Decision, RateLimitHeaders};
use crate::clock::{Clock, SystemClock};
use crate::config::EmulatorConfig;
use crate::faults::FaultAction;
use crate::handlers;
use crate::persist::StateFileError;
use crate::reply::{ApiError, auth_error, bytes_response, json_response};
use crate::request::ApiRequest;
use crate::runtime::Runtime;
use crate::seed_error::SeedError;
use crate::state::State;
use crate::store::{GroupCommit, Store, Ticket};

/// A stateful Auth0 Users API emulator.
///
/// Cheap to clone (an `Arc` inside). Use it in-process as a
/// [`Transport`](users_transport::Transport) (no sockets), or serve it with
/// [`Emulator::serve`](crate::Emulator::serve).
#[derive(Clone)]
pub struct Emulator {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub config: EmulatorConfig,
    pub clock: Arc<dyn Clock>,
    /// Shared with the store's committer, which reads it back after a failed commit.
    pub state: Arc<Mutex<State>>,
    pub runtime: Mutex<Runtime>,
    /// The `--state` store, committing in groups: a writing request changes the state and
    /// queues its batch under the state lock, then waits for a commit that carries it, with
    /// the state lock released (readers never wait for a commit).
    pub store: Option<GroupCommit>,
    pub store_path: Option<PathBuf>,
}

/// What a front end must do with a request.
pub(crate) enum Action {
    /// Send this response.
    Respond(Response<Bytes>),
    /// Close the connection without a response.
    Reset,
    /// Send the headers and part of this response's body, then close the connection.
    Truncate(Response<Bytes>),
}

/// The outcome of [`Emulator::dispatch`].
pub(crate) struct Dispatched {
    /// Wait this long before acting (a latency fault).
    pub latency_ms: u64,
    pub action: Action,
    /// A write to the store to wait for before acting (see [`Emulator::settle`]).
    pending: Option<Pending>,
}

/// A write queued for the store's next commit, and the answer to give instead when that
/// commit fails (nothing of the write is kept then).
pub(crate) struct Pending {
    ticket: Ticket,
    on_failure: Response<Bytes>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("issuer", &self.inner.config.issuer)
            .field("clients", &self.inner.config.clients.len())
            .field("state_file", &self.inner.store_path)
            .finish()
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A handler never panics while holding the lock; if one did, the data is still consistent
    // enough for an emulator, so keep serving rather than poisoning every later request.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Emulator {
    /// An emulator with the system clock and no state file.
    pub fn new(config: EmulatorConfig) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// An emulator reading time from `clock` (use a [`ManualClock`](crate::ManualClock) in tests).
    pub fn with_clock(config: EmulatorConfig, clock: Arc<dyn Clock>) -> Self {
        let state = State::new(config.seed, config.connections.clone());
        Self::assemble(config, clock, Arc::new(Mutex::new(state)), None)
    }

    /// An emulator whose state lives in the store at `path` (a SQLite database, see the
    /// README): read when it exists, and each change committed before it is answered. An older
    /// JSON state file is converted (the original kept as `FILE.v1.json`). The store stays
    /// locked by this process while the emulator lives. Returns whether a tenant was loaded
    /// (`false`: a new store).
    ///
    /// # Errors
    /// [`StateFileError`] when the file exists but cannot be read, is not a store or state file
    /// of this emulator, or another process has it open: never a silent reset.
    pub fn open(
        config: EmulatorConfig,
        clock: Arc<dyn Clock>,
        path: impl Into<PathBuf>,
    ) -> Result<(Self, bool), StateFileError> {
        let path = path.into();
        let (mut store, loaded) = Store::open(&path)?;
        let existed = loaded.is_some();
        let state = match loaded {
            Some(state) => state,
            None => {
                let mut state = State::new(config.seed, config.connections.clone());
                let batch = store.prepare(&mut state)?;
                store.commit(batch)?;
                state
            }
        };
        Ok((
            Self::with_store(config, clock, state, store, path)?,
            existed,
        ))
    }

    /// An emulator over an opened `store` holding `state`, with its committer started.
    pub(crate) fn with_store(
        config: EmulatorConfig,
        clock: Arc<dyn Clock>,
        mut state: State,
        store: Store,
        path: PathBuf,
    ) -> Result<Self, StateFileError> {
        state.tracking_mut().enable();
        let state = Arc::new(Mutex::new(state));
        let committer = GroupCommit::start(store, Arc::clone(&state))?;
        Ok(Self::assemble(
            config,
            clock,
            state,
            Some((committer, path)),
        ))
    }

    pub(crate) fn assemble(
        config: EmulatorConfig,
        clock: Arc<dyn Clock>,
        state: Arc<Mutex<State>>,
        store: Option<(GroupCommit, PathBuf)>,
    ) -> Self {
        let runtime = Runtime::new(&config);
        let (store, store_path) = store.unzip();
        Self {
            inner: Arc::new(Inner {
                config,
                clock,
                state,
                runtime: Mutex::new(runtime),
                store,
                store_path,
            }),
        }
    }

    /// Runs `change` on the state and, with a store, commits what it changed before returning.
    /// The commit runs after the state lock is released (readers never wait for it) and may
    /// carry other writers' changes too (group commit); a failed commit is logged and undone by
    /// reading the state back from the store, so memory keeps only what is committed.
    ///
    /// # Errors
    /// The commit's failure (already logged; the change was undone).
    pub(crate) fn write<R>(
        &self,
        change: impl FnOnce(&mut State) -> R,
    ) -> Result<R, StateFileError> {
        let Some(store) = &self.inner.store else {
            return Ok(change(&mut lock(&self.inner.state)));
        };
        let (result, ticket) = {
            let mut state = lock(&self.inner.state);
            let result = change(&mut state);
            (result, store.enqueue(&mut state))
        };
        store.wait(ticket).map(|()| result)
    }

    /// Runs `change` on the state and, with a store, queues what it changed for the next
    /// commit without waiting for it: the front end waits ([`Emulator::settle`]) before it
    /// answers, and answers `on_failure` if that commit fails.
    fn write_deferred<R>(
        &self,
        change: impl FnOnce(&mut State) -> R,
        on_failure: impl FnOnce() -> Response<Bytes>,
        pending: &mut Option<Pending>,
    ) -> R {
        let mut state = lock(&self.inner.state);
        let result = change(&mut state);
        if let Some(store) = &self.inner.store {
            *pending = Some(Pending {
                ticket: store.enqueue(&mut state),
                on_failure: on_failure(),
            });
        }
        result
    }

    /// Waits (yielding) for the commit `dispatched` depends on, if any; when it failed, the
    /// answer becomes the failure's.
    async fn settle(&self, dispatched: &mut Dispatched) {
        let (Some(pending), Some(store)) = (dispatched.pending.take(), &self.inner.store) else {
            return;
        };
        if store.settled(pending.ticket).await.is_err() {
            dispatched.action = Action::Respond(pending.on_failure);
        }
    }

    /// [`Emulator::settle`] for a caller that may block (not on an async worker).
    fn settle_blocking(&self, dispatched: &mut Dispatched) {
        let (Some(pending), Some(store)) = (dispatched.pending.take(), &self.inner.store) else {
            return;
        };
        if store.wait(pending.ticket).is_err() {
            dispatched.action = Action::Respond(pending.on_failure);
        }
    }

    /// The configuration this emulator runs with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.inner.config
    }

    /// Loads users, connections and brute-force blocks from a seed document (the body of
    /// `POST /__emulator/seed`, see the README). Returns the ids of the users added.
    ///
    /// # Errors
    /// [`SeedError`] naming the first invalid entry (nothing is added then), or the state file
    /// that could not be written.
    pub fn seed(&self, document: &Value) -> Result<Vec<String>, SeedError> {
        let now = self.inner.clock.now_millis();
        self.write(|state| handlers::admin::seed(state, document, now))?
    }

    /// [`Emulator::dispatch`], then the wait for its commit, yielding rather than blocking the
    /// worker. Two kinds of request run on a blocking thread instead: the token endpoint (an
    /// RSA signature is about a millisecond of CPU per token) and an admin write with a store
    /// (a seed can hold thousands of users to serialize).
    ///
    /// # Errors
    /// When the blocking task could not run (the runtime is shutting down).
    pub(crate) async fn dispatch_off_workers(
        &self,
        request: http::Request<Bytes>,
    ) -> std::io::Result<Dispatched> {
        let path = request.uri().path();
        let heavy = request.method() == Method::POST && path == "/oauth/token"
            || self.inner.store.is_some()
                && request.method() != Method::GET
                && path.starts_with("/__emulator/");
        if heavy {
            let emulator = self.clone();
            return tokio::task::spawn_blocking(move || {
                let mut dispatched = emulator.dispatch(request);
                emulator.settle_blocking(&mut dispatched);
                dispatched
            })
            .await
            .map_err(std::io::Error::other);
        }
        let mut dispatched = self.dispatch(request);
        self.settle(&mut dispatched).await;
        Ok(dispatched)
    }

    /// Handles one request up to its answer; a write to the store is queued, and the caller
    /// must settle it before acting ([`Emulator::dispatch_off_workers`] does).
    fn dispatch(&self, request: http::Request<Bytes>) -> Dispatched {
        let request = match ApiRequest::from_http(request) {
            Ok(r) => r,
            Err(e) => return respond(0, e.into_response()),
        };
        let mut pending = None;
        if request.segments.first().map(String::as_str) == Some("__emulator") {
            let response = self.admin(&request, &mut pending);
            return Dispatched {
                pending,
                ..respond(0, response)
            };
        }
        let fault = {
            let mut runtime = lock(&self.inner.runtime);
            if runtime.faults.is_empty() {
                None
            } else {
                let path = format!("/{}", request.segments.join("/"));
                runtime.faults.take(request.method.as_str(), &path)
            }
        };
        let mut latency_ms = 0;
        let mut broken = None;
        match fault {
            Some(FaultAction::Status {
                status,
                body,
                headers,
            }) => return respond(0, fault_response(status, body, headers)),
            Some(FaultAction::MalformedJson) => {
                return respond(
                    0,
                    bytes_response(
                        200,
                        "application/json; charset=utf-8",
                        Bytes::from_static(b"{\"user_id\": \"auth0|trunc"),
                    ),
                );
            }
            Some(FaultAction::Latency { ms }) => latency_ms = ms,
            Some(FaultAction::Reset) => broken = Some(true),
            Some(FaultAction::Truncate) => broken = Some(false),
            None => {}
        }
        let response = self.route(&request, &mut pending);
        let action = match broken {
            Some(true) => Action::Reset,
            Some(false) => Action::Truncate(response),
            None => Action::Respond(response),
        };
        Dispatched {
            latency_ms,
            action,
            pending,
        }
    }

    fn route(&self, request: &ApiRequest, pending: &mut Option<Pending>) -> Response<Bytes> {
        let now_ms = self.inner.clock.now_millis();
        let segments: Vec<&str> = request.segments.iter().map(String::as_str).collect();
        let issuer = self.issuer_for(request);
        match (&request.method, segments.as_slice()) {
            (&Method::POST, ["oauth", "token"]) => {
                // A token request changes the state: log events, brute-force counts and blocks,
                // and (a login with offline_access or a refresh) sessions and refresh tokens.
                let answer = self.write_deferred(
                    |state| {
                        handlers::token::issue(state, &self.inner.config, request, &issuer, now_ms)
                    },
                    || {
                        auth_error(
                            500,
                            "server_error",
                            "The emulator could not write its state store.",
                        )
                    },
                    pending,
                );
                // Signed here, with no lock held: other requests never wait for an RSA signature.
                return answer.into_response();
            }
            (&Method::GET, [".well-known", "jwks.json"]) => {
                return json_response(200, &crate::keys::jwks());
            }
            _ => {}
        }
        let Some(rest) = segments.strip_prefix(&["api", "v2"]) else {
            return ApiError::not_found_path().into_response();
        };
        let decision = lock(&self.inner.runtime).bucket.try_take(now_ms);
        let headers = match decision {
            Decision::Allowed(headers) => headers,
            Decision::Limited {
                headers,
                retry_after_secs,
            } => return self.too_many_requests(&headers, retry_after_secs),
        };
        let handle = |state: &mut State| {
            let mut ctx = handlers::Ctx {
                state,
                now_ms,
                issuer: &issuer,
            };
            handlers::management(&mut ctx, request, rest)
        };
        let mut response = if request.method == Method::GET {
            handle(&mut lock(&self.inner.state))
        } else {
            self.write_deferred(handle, not_committed, pending)
        };
        // As recorded: successful responses carry the rate-limit headers, other 4xx do not.
        if response.status().is_success() {
            add_rate_headers(&mut response, &headers);
        }
        response
    }

    fn too_many_requests(&self, headers: &RateLimitHeaders, retry_after: u64) -> Response<Bytes> {
        let mut response = ApiError::new(
            429,
            "Global limit has been reached",
            Some("too_many_requests"),
        )
        .into_response();
        add_rate_headers(&mut response, headers);
        if self.inner.config.retry_after
            && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
        {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, value);
        }
        response
    }

    /// The issuer tokens carry: configured, or `{origin}/` of the request.
    fn issuer_for(&self, request: &ApiRequest) -> String {
        match &self.inner.config.issuer {
            Some(issuer) if issuer.ends_with('/') => issuer.clone(),
            Some(issuer) => format!("{issuer}/"),
            None => format!("{}/", request.origin),
        }
    }

    fn admin(&self, request: &ApiRequest, pending: &mut Option<Pending>) -> Response<Bytes> {
        let now_ms = self.inner.clock.now_millis();
        let handle = |state: &mut State| {
            let mut runtime = lock(&self.inner.runtime);
            handlers::admin::handle(state, &mut runtime, &self.inner.config, request, now_ms)
        };
        if request.method == Method::GET {
            handle(&mut lock(&self.inner.state))
        } else {
            self.write_deferred(handle, not_committed, pending)
        }
    }
}

/// The answer to a write whose commit failed (nothing of it is kept).
fn not_committed() -> Response<Bytes> {
    ApiError::new(500, "The emulator could not write its state store.", None).into_response()
}

fn respond(latency_ms: u64, response: Response<Bytes>) -> Dispatched {
    Dispatched {
        latency_ms,
        pending: None,
        action: Action::Respond(response),
    }
}

fn fault_response(
    status: u16,
    body: Option<Value>,
    headers: Option<std::collections::BTreeMap<String, String>>,
) -> Response<Bytes> {
    let body =
        body.unwrap_or_else(|| ApiError::new(status, crate::reply::reason(status), None).body());
    let mut response = json_response(status, &body);
    for (name, value) in headers.unwrap_or_default() {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

fn add_rate_headers(response: &mut Response<Bytes>, headers: &RateLimitHeaders) {
    // Numbers convert to header values directly, without a `String` per header.
    let pairs = [
        ("x-ratelimit-limit", HeaderValue::from(headers.limit)),
        (
            "x-ratelimit-remaining",
            HeaderValue::from(headers.remaining),
        ),
        (
            "x-ratelimit-reset",
            HeaderValue::from(headers.reset_epoch_secs),
        ),
    ];
    let map = response.headers_mut();
    for (name, value) in pairs {
        map.insert(HeaderName::from_static(name), value);
    }
}
