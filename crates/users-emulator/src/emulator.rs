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
use crate::store::Store;

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
    pub state: Mutex<State>,
    pub runtime: Mutex<Runtime>,
    /// The `--state` store. Its lock is the writers' lock: a writing request holds it from
    /// before it takes the state lock until its commit ended, so commits happen in the order
    /// the changes were made, while readers only ever wait for the state lock.
    pub store: Option<Mutex<Store>>,
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
        Self::assemble(config, clock, state, None)
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
        let mut state = match loaded {
            Some(state) => state,
            None => {
                let mut state = State::new(config.seed, config.connections.clone());
                let batch = store.prepare(&mut state)?;
                store.commit(batch)?;
                state
            }
        };
        state.tracking_mut().enable();
        let mut emulator = Self::assemble(config, clock, state, Some(store));
        if let Some(inner) = Arc::get_mut(&mut emulator.inner) {
            inner.store_path = Some(path);
        }
        Ok((emulator, existed))
    }

    pub(crate) fn assemble(
        config: EmulatorConfig,
        clock: Arc<dyn Clock>,
        state: State,
        store: Option<Store>,
    ) -> Self {
        let runtime = Runtime::new(&config);
        Self {
            inner: Arc::new(Inner {
                config,
                clock,
                state: Mutex::new(state),
                runtime: Mutex::new(runtime),
                store: store.map(Mutex::new),
                store_path: None,
            }),
        }
    }

    /// Runs `change` on the state and, with a store, commits what it changed before returning.
    /// The commit runs after the state lock is released (readers never wait for it); a failed
    /// commit is logged and undone by reading the state back from the store, so memory keeps
    /// only what is committed.
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
        let mut store = lock(store);
        let (result, batch) = {
            let mut state = lock(&self.inner.state);
            let result = change(&mut state);
            (result, store.prepare(&mut state))
        };
        match batch.and_then(|batch| store.commit(batch)) {
            Ok(()) => Ok(result),
            Err(error) => {
                tracing::error!(%error, "could not commit to the state store; the change is undone");
                match store.load() {
                    Ok(committed) => *lock(&self.inner.state) = committed,
                    Err(reload) => {
                        tracing::error!(error = %reload, "could not read the state store back either");
                    }
                }
                Err(error)
            }
        }
    }

    /// Whether `method` may change the state and so, with a store, wait for a commit: front
    /// ends run such requests off the async workers.
    pub(crate) fn may_block(&self, method: &Method) -> bool {
        self.inner.store.is_some() && method != Method::GET
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

    /// [`Emulator::dispatch`], on a blocking thread when the request may wait for a commit, so
    /// that a commit never occupies an async worker other requests need.
    ///
    /// # Errors
    /// When the blocking task could not run (the runtime is shutting down).
    pub(crate) async fn dispatch_off_workers(
        &self,
        request: http::Request<Bytes>,
    ) -> std::io::Result<Dispatched> {
        if !self.may_block(request.method()) {
            return Ok(self.dispatch(request));
        }
        let emulator = self.clone();
        tokio::task::spawn_blocking(move || emulator.dispatch(request))
            .await
            .map_err(std::io::Error::other)
    }

    /// Handles one request completely, applying faults as a plain response would show them:
    /// the server front ends use [`Emulator::dispatch`] instead.
    pub(crate) fn dispatch(&self, request: http::Request<Bytes>) -> Dispatched {
        let request = match ApiRequest::from_http(request) {
            Ok(r) => r,
            Err(e) => return respond(0, e.into_response()),
        };
        if request.segments.first().map(String::as_str) == Some("__emulator") {
            return respond(0, self.admin(&request));
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
        let response = self.route(&request);
        let action = match broken {
            Some(true) => Action::Reset,
            Some(false) => Action::Truncate(response),
            None => Action::Respond(response),
        };
        Dispatched { latency_ms, action }
    }

    fn route(&self, request: &ApiRequest) -> Response<Bytes> {
        let now_ms = self.inner.clock.now_millis();
        let segments: Vec<&str> = request.segments.iter().map(String::as_str).collect();
        let issuer = self.issuer_for(request);
        match (&request.method, segments.as_slice()) {
            (&Method::POST, ["oauth", "token"]) => {
                // A token request changes the state: log events, brute-force counts and blocks,
                // and (a login with offline_access or a refresh) sessions and refresh tokens.
                let written = self.write(|state| {
                    let response =
                        handlers::token::issue(state, &self.inner.config, request, &issuer, now_ms);
                    state.sessions.take_changed();
                    response
                });
                // Signed here, with no lock held: other requests never wait for an RSA signature.
                return written.map_or_else(
                    |_| {
                        auth_error(
                            500,
                            "server_error",
                            "The emulator could not write its state store.",
                        )
                    },
                    crate::tokens::TokenAnswer::into_response,
                );
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
            self.write(handle).unwrap_or_else(|_| not_committed())
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

    fn admin(&self, request: &ApiRequest) -> Response<Bytes> {
        let now_ms = self.inner.clock.now_millis();
        let handle = |state: &mut State| {
            let mut runtime = lock(&self.inner.runtime);
            handlers::admin::handle(state, &mut runtime, &self.inner.config, request, now_ms)
        };
        if request.method == Method::GET {
            handle(&mut lock(&self.inner.state))
        } else {
            self.write(handle).unwrap_or_else(|_| not_committed())
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
