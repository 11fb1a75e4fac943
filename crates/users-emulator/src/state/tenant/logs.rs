//! The tenant log: events written for what happens in the emulator, with Auth0's event type
//! codes ("Log Event Type Codes") and the fields the recorded events carry
//! (`ruby-auth0__…_user_logs__00`: date, type, description, connection, connection_id,
//! client_id, client_name, ip, user_agent, details, user_id, user_name, strategy,
//! strategy_type, log_id).

use serde_json::Value;
use users_model::{LogEvent, Metadata, Timestamp};

use super::Tenant;
use crate::ids::IdGenerator;

/// A stored event is exactly what the API returns.
pub(crate) type StoredLog = LogEvent;

/// The most events kept; older ones are dropped first (Auth0 keeps logs for a retention period
/// instead, which an emulator run never reaches).
pub(crate) const MAX_EVENTS: usize = 10_000;

/// Who and where an event comes from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origin<'a> {
    pub client_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// Connection name, id and strategy of the user's identity involved.
    pub connection: Option<(&'a str, &'a str, &'a str)>,
}

/// What happened.
#[derive(Debug, Clone)]
pub(crate) struct Event<'a> {
    pub event_type: &'a str,
    pub description: &'a str,
    pub user_id: Option<&'a str>,
    pub user_name: Option<&'a str>,
    pub details: Option<Value>,
}

/// `900` + the event's time as digits + a generated number: unique, and ordered by time like
/// the recorded `log_id`s (`90020210903201649…`).
pub(crate) fn log_id(ids: &mut IdGenerator, now_ms: i64) -> String {
    let digits: String = Timestamp::from_millis(now_ms)
        .to_string()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let n = u64::from_str_radix(&ids.token_id(), 16).unwrap_or(0);
    format!("900{digits}{n:020}")
}

impl crate::state::changes::Tracked<Tenant> {
    /// [`Tenant::log`] without marking the tenant's row changed: the store writes the log's
    /// rows on its own (by position), so an event costs no serialization of the tenant.
    pub(crate) fn log(
        &mut self,
        ids: &mut IdGenerator,
        now_ms: i64,
        origin: &Origin<'_>,
        event: Event<'_>,
    ) {
        self.untracked_mut().log(ids, now_ms, origin, event);
    }
}

impl Tenant {
    /// Appends an event (dropping the oldest beyond [`MAX_EVENTS`]).
    pub(crate) fn log(
        &mut self,
        ids: &mut IdGenerator,
        now_ms: i64,
        origin: &Origin<'_>,
        event: Event<'_>,
    ) {
        let mut log = LogEvent::default();
        log.date = Some(Value::String(Timestamp::from_millis(now_ms).to_string()));
        log.event_type = Some(event.event_type.to_owned());
        log.description = Some(Some(event.description.to_owned()));
        log.client_id = origin.client_id.map(str::to_owned);
        // The emulator's applications have no names; the id stands in for it.
        log.client_name = origin.client_id.map(str::to_owned);
        log.ip = origin.ip.map(str::to_owned);
        log.user_agent = origin.user_agent.map(str::to_owned);
        log.user_id = event.user_id.map(str::to_owned);
        log.user_name = event.user_name.map(str::to_owned);
        log.log_id = Some(log_id(ids, now_ms));
        log.details = event.details.and_then(|d| match d {
            Value::Object(map) => Some(map),
            _ => None,
        });
        if let Some((name, id, strategy)) = origin.connection {
            log.connection = Some(name.to_owned());
            log.connection_id = Some(id.to_owned());
            log.strategy = Some(strategy.to_owned());
            log.strategy_type = Some(strategy_type(strategy).to_owned());
        }
        self.logs.push_back(log);
        while self.logs.len() > MAX_EVENTS {
            self.logs.pop_front();
        }
    }

    /// The events of `user_id`, oldest first.
    pub(crate) fn logs_of<'a>(
        &'a self,
        user_id: &'a str,
    ) -> impl Iterator<Item = &'a LogEvent> + 'a {
        self.logs
            .iter()
            .filter(move |l| l.user_id.as_deref() == Some(user_id))
    }
}

/// `strategy_type` as Auth0 names it for a strategy (`auth0` → `database`, recorded).
fn strategy_type(strategy: &str) -> &'static str {
    match strategy {
        "auth0" => "database",
        "email" | "sms" => "passwordless",
        "google-oauth2" | "github" | "facebook" | "twitter" | "apple" | "linkedin" => "social",
        _ => "enterprise",
    }
}

/// A copy of a request body for `details.body`, with secrets masked as Auth0 masks them
/// (`"password": "*****"`, recorded).
pub(crate) fn masked_body(body: &Metadata) -> Value {
    let mut copy = body.clone();
    for key in ["password", "client_secret"] {
        if copy.contains_key(key) {
            copy.insert(key.into(), Value::String("*****".into()));
        }
    }
    Value::Object(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_get_unique_ordered_ids_and_the_oldest_are_dropped() {
        let mut tenant = Tenant::default();
        let mut ids = IdGenerator::new(1);
        let origin = Origin::default();
        for i in 0..(MAX_EVENTS + 5) {
            let event = Event {
                event_type: "s",
                description: "",
                user_id: Some("auth0|1"),
                user_name: None,
                details: None,
            };
            tenant.log(
                &mut ids,
                1_700_000_000_000 + i64::try_from(i).unwrap(),
                &origin,
                event,
            );
        }
        assert_eq!(tenant.logs.len(), MAX_EVENTS);
        let first = tenant.logs[0].log_id.clone().unwrap();
        let last = tenant.logs[MAX_EVENTS - 1].log_id.clone().unwrap();
        assert!(first.starts_with("900") && first < last);
        assert_eq!(tenant.logs_of("auth0|1").count(), MAX_EVENTS);
    }

    #[test]
    fn secrets_are_masked_in_details() {
        let body: Metadata =
            serde_json::from_str(r#"{"password":"hunter2","email":"a@b.c"}"#).unwrap();
        let masked = masked_body(&body).to_string();
        assert!(!masked.contains("hunter2") && masked.contains("*****"));
    }
}
