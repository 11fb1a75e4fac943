//! What other handlers call so the tenant follows the users: the log events of the Management
//! API's user changes and of logins, brute-force protection, and the clean-up when a user is
//! deleted. Event codes from Auth0's "Log Event Type Codes"; which events a given action
//! writes is documented per function (several are **unconfirmed** choices, listed in
//! DIFFERENCES.md).

use http::HeaderMap;
use serde::Serialize;
use serde_json::{Value, json};
use users_model::{User, UserCreate, UserUpdate, event_type};

use crate::state::tenant::logs::{Event, Origin, masked_body};
use crate::state::{BruteForceBlock, State};

/// The end user's IP of a token request: Auth0's `auth0-forwarded-for` header (what a trusted
/// server sends for the resource-owner grants), else the first `x-forwarded-for` entry, else
/// loopback (the emulator does not see peer addresses).
pub(crate) fn client_ip(headers: &HeaderMap) -> String {
    ["auth0-forwarded-for", "x-forwarded-for"]
        .iter()
        .find_map(|name| {
            headers
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "127.0.0.1".to_owned())
}

fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

/// The connection name, id and strategy of `user`'s main identity.
fn connection_of(state: &State, user: &User) -> Option<(String, String, String)> {
    let connection = state.primary_connection(user)?;
    Some((
        connection.name.clone(),
        connection.id.clone(),
        connection.strategy.clone(),
    ))
}

/// One log event as a hook describes it: its code and description, and what is known of who
/// and where.
struct Entry<'a> {
    client_id: Option<&'a str>,
    headers: Option<&'a HeaderMap>,
    ip: Option<&'a str>,
    user: Option<&'a User>,
    /// The name to log when it is not the user's email or username (an unknown user's login).
    user_name: Option<&'a str>,
    code: &'a str,
    description: &'a str,
    details: Option<Value>,
}

impl<'a> Entry<'a> {
    /// An event of type `code` that names nobody and nothing yet.
    fn new(code: &'a str, description: &'a str) -> Self {
        Self {
            client_id: None,
            headers: None,
            ip: None,
            user: None,
            user_name: None,
            code,
            description,
            details: None,
        }
    }

    /// The event of a token request: the application, the request's headers (user agent) and
    /// the end user's IP.
    fn of_request(self, client_id: &'a str, headers: &'a HeaderMap, ip: &'a str) -> Self {
        Self {
            client_id: Some(client_id),
            headers: Some(headers),
            ip: Some(ip),
            ..self
        }
    }
}

/// Writes one event about `entry.user` (or an identifier, for an unknown user).
fn write(state: &mut State, now_ms: i64, entry: Entry<'_>) {
    let Entry {
        client_id,
        headers,
        ip,
        user,
        user_name,
        code,
        description,
        details,
    } = entry;
    let connection = user.and_then(|u| connection_of(state, u));
    let origin = Origin {
        client_id,
        ip,
        user_agent: headers.and_then(user_agent),
        connection: connection
            .as_ref()
            .map(|(n, i, s)| (n.as_str(), i.as_str(), s.as_str())),
    };
    let user_name =
        user_name.or_else(|| user.and_then(|u| u.email.as_deref().or(u.username.as_deref())));
    let event = Event {
        event_type: code,
        description,
        user_id: user.and_then(|u| u.user_id.as_deref()),
        user_name,
        details,
    };
    let State { tenant, ids, .. } = state;
    tenant.log(ids, now_ms, &origin, event);
}

/// The stored user `id`, cloned (events are written while the state is borrowed mutably).
fn stored_user(state: &State, id: &str) -> Option<User> {
    state.user(id).map(|stored| stored.user.clone())
}

/// A request body as `details.body`: the typed body re-serialized, secrets masked.
fn details_body(body: &impl Serialize) -> Value {
    match serde_json::to_value(body) {
        Ok(Value::Object(map)) => masked_body(&map),
        _ => Value::Null,
    }
}

/// `POST /users` stored user `id`: `ss` (Success Signup) with the masked body in
/// `details.body`, as the recorded event of a user created through the Management API shows
/// (`ruby-auth0__…_user_logs__00`).
pub(crate) fn user_created(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    id: &str,
    body: &UserCreate,
) {
    let details = json!({"body": details_body(body)});
    user_event(
        state,
        now_ms,
        client_id,
        id,
        event_type::SUCCESS_SIGNUP,
        "",
        details,
    );
}

/// `PATCH /users/{id}` succeeded: `sapi` (Success API Operation) "Update a User" with the
/// masked body; on the target user so `GET /users/{id}/logs` shows it (**unconfirmed**: the
/// real event names the caller).
pub(crate) fn user_updated(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    id: &str,
    body: &UserUpdate,
) {
    let details = json!({"request": {"method": "patch", "body": details_body(body)}});
    api_operation(state, now_ms, client_id, id, "Update a User", details);
}

/// `DELETE /users/{id}` is about to remove user `id`: its assignments, memberships and
/// counters go, and an `sdu` (Successful User Deletion) event is written. Nothing happens for
/// a user that does not exist (the delete is then a no-op 204).
pub(crate) fn user_deleted(state: &mut State, now_ms: i64, client_id: &str, id: &str) {
    let Some(user) = stored_user(state, id) else {
        return;
    };
    state.tenant.forget_user(id);
    write(
        state,
        now_ms,
        Entry {
            client_id: Some(client_id),
            user: Some(&user),
            ..Entry::new(event_type::SUCCESS_USER_DELETION, "")
        },
    );
}

/// An administrator is removing the blocks `lifted` selects: the failure counts of their users
/// start again.
pub(crate) fn unblocking(state: &mut State, lifted: impl Fn(&BruteForceBlock) -> bool) {
    let users: Vec<String> = state
        .blocks
        .iter()
        .filter(|b| lifted(b))
        .map(|b| b.user_id.clone())
        .collect();
    for user in users {
        state.tenant.brute_force.reset(&user, None);
    }
}

/// A client-credentials token was issued: `seccft`.
pub(crate) fn client_token(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    headers: &HeaderMap,
    audience: &str,
) {
    let details = json!({"audience": audience});
    write(
        state,
        now_ms,
        Entry {
            details: Some(details),
            ..Entry::new(
                event_type::SUCCESS_EXCHANGE_CLIENT_CREDENTIALS,
                "Client Credentials for Access Token",
            )
            .of_request(client_id, headers, &client_ip(headers))
        },
    );
}

/// What a password-realm login attempt may be refused for before its password is checked.
pub(crate) enum Gate {
    /// Go on.
    Open,
    /// The IP is blocked for this user (brute-force protection): `too_many_attempts`.
    Blocked,
}

/// Before checking a password: whether `ip` is blocked from logging in as `user_id` (a block
/// without an IP blocks every IP). A refused attempt is logged as `f`.
pub(crate) fn login_gate(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    headers: &HeaderMap,
    user: &User,
) -> Gate {
    let ip = client_ip(headers);
    let id = user.user_id.as_deref().unwrap_or_default();
    let blocked = state
        .blocks
        .iter()
        .any(|b| b.user_id == id && b.ip.as_deref().is_none_or(|b| b == ip));
    if !blocked {
        return Gate::Open;
    }
    write(
        state,
        now_ms,
        Entry {
            user: Some(user),
            ..Entry::new(
                event_type::FAILED_LOGIN,
                "Too many attempts: this IP is blocked for this user",
            )
            .of_request(client_id, headers, &ip)
        },
    );
    Gate::Blocked
}

/// No user has this identifier in the realm: `fu` (Failed Login, invalid email/username).
pub(crate) fn login_unknown_user(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    headers: &HeaderMap,
    identifier: &str,
) {
    let ip = client_ip(headers);
    write(
        state,
        now_ms,
        Entry {
            user_name: Some(identifier),
            ..Entry::new(
                event_type::FAILED_LOGIN_USERNAME,
                "Wrong email or password.",
            )
            .of_request(client_id, headers, &ip)
        },
    );
}

/// A wrong password: `fp`; at the brute-force threshold the IP is blocked for the user (a
/// `blocked_for` entry) and `limit_wc` is written.
pub(crate) fn login_wrong_password(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    headers: &HeaderMap,
    user: &User,
    identifier: &str,
) {
    let ip = client_ip(headers);
    write(
        state,
        now_ms,
        Entry {
            user: Some(user),
            user_name: Some(identifier),
            ..Entry::new(
                event_type::FAILED_LOGIN_PASSWORD,
                "Wrong email or password.",
            )
            .of_request(client_id, headers, &ip)
        },
    );
    let id = user.user_id.clone().unwrap_or_default();
    if state.tenant.brute_force.failed(&id, &ip) {
        let connection = connection_of(state, user).map(|(name, _, _)| name);
        state.blocks.push(BruteForceBlock {
            user_id: id,
            identifier: identifier.to_owned(),
            ip: Some(ip.clone()),
            connection,
        });
        let description = format!(
            "{} consecutive failed login attempts for this user from {ip}; the IP is blocked for this user",
            state.tenant.brute_force.max_attempts
        );
        write(
            state,
            now_ms,
            Entry {
                user: Some(user),
                user_name: Some(identifier),
                ..Entry::new(event_type::BLOCKED_ACCOUNT, &description)
                    .of_request(client_id, headers, &ip)
            },
        );
    }
}

/// A user an administrator blocked (`blocked: true`) tried to log in: `f` "user is blocked".
pub(crate) fn login_blocked_user(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    headers: &HeaderMap,
    user: &User,
) {
    let ip = client_ip(headers);
    write(
        state,
        now_ms,
        Entry {
            user: Some(user),
            ..Entry::new(event_type::FAILED_LOGIN, "user is blocked")
                .of_request(client_id, headers, &ip)
        },
    );
}

/// A successful password-realm login: the failure count for this IP restarts, and `s`
/// (Success Login) and `sepft` (Success Exchange, Password for Access Token) are written.
pub(crate) fn login_succeeded(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    headers: &HeaderMap,
    user: &User,
) {
    let ip = client_ip(headers);
    if let Some(id) = user.user_id.as_deref() {
        state.tenant.brute_force.reset(id, Some(&ip));
    }
    write(
        state,
        now_ms,
        Entry {
            user: Some(user),
            ..Entry::new(event_type::SUCCESS_LOGIN, "").of_request(client_id, headers, &ip)
        },
    );
    write(
        state,
        now_ms,
        Entry {
            user: Some(user),
            ..Entry::new(
                event_type::SUCCESS_EXCHANGE_PASSWORD,
                "Password for Access Token",
            )
            .of_request(client_id, headers, &ip)
        },
    );
}

/// A Management API write on user `id` succeeded: `sapi` with `description` (see
/// `api_log`). Nothing is written for a user that does not exist.
pub(crate) fn api_operation(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    id: &str,
    description: &str,
    details: Value,
) {
    user_event(
        state,
        now_ms,
        client_id,
        id,
        event_type::SUCCESS_API_OPERATION,
        description,
        details,
    );
}

/// An event of application `client_id` about stored user `id`; nothing for a user that does
/// not exist.
fn user_event(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    id: &str,
    code: &str,
    description: &str,
    details: Value,
) {
    let Some(user) = stored_user(state, id) else {
        return;
    };
    write(
        state,
        now_ms,
        Entry {
            client_id: Some(client_id),
            user: Some(&user),
            details: Some(details),
            ..Entry::new(code, description)
        },
    );
}

/// A refresh token was exchanged for user `user_id`'s tokens: `sertft` (Success Exchange,
/// Refresh Token for Access Token) with the token's audience in `details`.
pub(crate) fn refresh_exchanged(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    headers: &HeaderMap,
    user_id: &str,
    audience: &str,
) {
    let user = stored_user(state, user_id);
    write(
        state,
        now_ms,
        Entry {
            user: user.as_ref(),
            details: Some(json!({"audience": audience})),
            ..Entry::new(
                event_type::SUCCESS_EXCHANGE_REFRESH_TOKEN,
                "Refresh Token for Access Token",
            )
            .of_request(client_id, headers, &client_ip(headers))
        },
    );
}

/// A refresh-token exchange was refused with `reason` (the answer's `error_description`):
/// `fertft` (Failed Exchange, Refresh Token for Access Token; Auth0: "This could occur if the
/// refresh token is revoked or expired"). Filed under the token's user when the token is
/// still known (expired, another application's, a blocked user's); an unknown or revoked token
/// names nobody.
pub(crate) fn refresh_refused(
    state: &mut State,
    now_ms: i64,
    client_id: &str,
    headers: &HeaderMap,
    user_id: Option<&str>,
    reason: &str,
) {
    let user = user_id.and_then(|id| stored_user(state, id));
    write(
        state,
        now_ms,
        Entry {
            user: user.as_ref(),
            ..Entry::new(event_type::FAILED_EXCHANGE_REFRESH_TOKEN, reason).of_request(
                client_id,
                headers,
                &client_ip(headers),
            )
        },
    );
}
