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
use crate::persist::{StateFile, StateFileError};
use crate::reply::{ApiError, auth_error, bytes_response, json_response};
use crate::request::ApiRequest;
use crate::runtime::Runtime;
use crate::seed_error::SeedError;
use crate::state::State;

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
    pub store: Option<StateFile>,
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
            .field(
                "state_file",
                &self.inner.store.as_ref().map(StateFile::path),
            )
            .finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
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

    /// An emulator whose state lives in `path`: loaded when the file exists, and written
    /// atomically after every change. Returns whether the state was loaded (`false`: fresh).
    ///
    /// # Errors
    /// [`StateFileError`] when the file exists but cannot be read or is not a valid snapshot:
    /// never a silent reset.
    pub fn open(
        config: EmulatorConfig,
        clock: Arc<dyn Clock>,
        path: impl Into<PathBuf>,
    ) -> Result<(Self, bool), StateFileError> {
        let store = StateFile::new(path.into());
        let loaded = store.load()?;
        let existed = loaded.is_some();
        let state = loaded.unwrap_or_else(|| State::new(config.seed, config.connections.clone()));
        let emulator = Self::assemble(config, clock, state, Some(store));
        if !existed {
            emulator.persist_now()?;
        }
        Ok((emulator, existed))
    }

    fn assemble(
        config: EmulatorConfig,
        clock: Arc<dyn Clock>,
        state: State,
        store: Option<StateFile>,
    ) -> Self {
        let runtime = Runtime::new(&config);
        Self {
            inner: Arc::new(Inner {
                config,
                clock,
                state: Mutex::new(state),
                runtime: Mutex::new(runtime),
                store,
            }),
        }
    }

    fn persist_now(&self) -> Result<(), StateFileError> {
        if let Some(store) = &self.inner.store {
            store.save(&lock(&self.inner.state))?;
        }
        Ok(())
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
        let mut state = lock(&self.inner.state);
        let ids = handlers::admin::seed(&mut state, document, now)?;
        if let Some(store) = &self.inner.store {
            store.save(&state)?;
        }
        Ok(ids)
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
                let mut state = lock(&self.inner.state);
                let response = handlers::token::issue(
                    &mut state,
                    &self.inner.config,
                    request,
                    &issuer,
                    now_ms,
                );
                // A token request changes the state: log events, brute-force counts and blocks,
                // and (a login with offline_access or a refresh) sessions and refresh tokens.
                state.sessions.take_changed();
                return match &self.inner.store {
                    Some(store) => match store.save(&state) {
                        Ok(()) => response,
                        Err(error) => {
                            tracing::error!(%error, "could not write the state file");
                            auth_error(
                                500,
                                "server_error",
                                "The emulator could not write its state file.",
                            )
                        }
                    },
                    None => response,
                };
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
        let mut response = {
            let mut state = lock(&self.inner.state);
            let mut ctx = handlers::Ctx {
                state: &mut state,
                now_ms,
                issuer: &issuer,
            };
            let response = handlers::management(&mut ctx, request, rest);
            let changed = request.method != Method::GET && response.status().is_success();
            match &self.inner.store {
                Some(store) if changed => match store.save(&state) {
                    Ok(()) => response,
                    Err(error) => {
                        tracing::error!(%error, "could not write the state file");
                        ApiError::new(500, "The emulator could not write its state file.", None)
                            .into_response()
                    }
                },
                _ => response,
            }
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
        let mut state = lock(&self.inner.state);
        let mut runtime = lock(&self.inner.runtime);
        let response = handlers::admin::handle(
            &mut state,
            &mut runtime,
            &self.inner.config,
            request,
            now_ms,
        );
        if let Some(store) = &self.inner.store
            && request.method != Method::GET
            && let Err(error) = store.save(&state)
        {
            tracing::error!(%error, "could not write the state file");
            return ApiError::new(500, "The emulator could not write its state file.", None)
                .into_response();
        }
        response
    }
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
