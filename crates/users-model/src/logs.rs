//! A user's log events: `GET /users/{id}/logs` items, pages and query, and the event type
//! codes Auth0 documents ("Log Event Type Codes").

use serde::{Deserialize, Deserializer, Serialize};

use crate::Metadata;
use crate::paging::{check_per_page, query_violation};
use crate::validate::{ViolationKind, Violations};

/// One log event (`Log`, an open schema: unknown fields are kept in `extra`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LogEvent {
    /// When it happened: an ISO 8601 string, or an object in some older events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<serde_json::Value>,
    /// The event type code, e.g. `s` (success login), `fp` (wrong password); see [`event_type`].
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// A description; the server may send `null`, kept as `Some(None)`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<String>>,
    /// The connection's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The connection's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The application's client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The application's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// The IP address the event came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The hostname the event applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The user's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's name as the event names them (for logins, the identifier typed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The API audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The scopes of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The connection's strategy, e.g. `auth0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// The strategy's type, e.g. `database`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy_type: Option<String>,
    /// The event's unique id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_id: Option<String>,
    /// Whether the client was a mobile device.
    #[serde(rename = "isMobile", default, skip_serializing_if = "Option::is_none")]
    pub is_mobile: Option<bool>,
    /// Event-dependent details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Metadata>,
    /// The client's user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Security signals (`ja3`, `ja4`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Metadata>,
    /// Where the IP is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_info: Option<Metadata>,
    /// Every other field the server sent (e.g. `_id`).
    #[serde(flatten)]
    pub extra: Metadata,
}

/// A present field, `null` included, as `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A page of a user's logs with `include_totals=true`: `{logs, start, limit, length, total}`
/// (`UserListLogOffsetPaginatedResponseContent`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LogsPage {
    /// The events of this page.
    pub logs: Vec<LogEvent>,
    /// Index of the first event of this page.
    pub start: u64,
    /// Page size asked for.
    pub limit: u64,
    /// Number of events in this page.
    pub length: u64,
    /// Number of events of the user.
    pub total: u64,
    /// Every other field the server sent.
    #[serde(flatten)]
    pub extra: Metadata,
}

/// The query of `GET /users/{id}/logs`. Unset parameters are not sent.
///
/// ```
/// use users_model::UserLogsQuery;
/// let mut query = UserLogsQuery::default();
/// query.per_page = Some(2);
/// query.sort = Some("date:1".into());
/// assert_eq!(query.to_query_pairs(), vec![("per_page", "2".to_owned()), ("sort", "date:1".to_owned())]);
/// assert!(query.validate().is_ok());
/// let mut bad = UserLogsQuery::default();
/// bad.per_page = Some(500);
/// bad.sort = Some("date".into());
/// assert_eq!(bad.validate().unwrap_err().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UserLogsQuery {
    /// Zero-based page index.
    pub page: Option<u32>,
    /// Events per page, 1-100; the server disables paging when it is not sent.
    pub per_page: Option<u32>,
    /// `field:1` (ascending) or `field:-1` (descending); newest first by default.
    pub sort: Option<String>,
    /// Answer with a [`LogsPage`] instead of a bare array.
    pub include_totals: Option<bool>,
}

impl UserLogsQuery {
    /// The set parameters in order (`page`, `per_page`, `sort`, `include_totals`), values not
    /// percent-encoded.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let paging = crate::PageQuery {
            page: self.page,
            per_page: self.per_page,
            include_totals: self.include_totals,
        };
        let mut pairs = paging.to_query_pairs();
        if let Some(sort) = &self.sort {
            let at = pairs
                .iter()
                .position(|(name, _)| *name == "include_totals")
                .unwrap_or(pairs.len());
            pairs.insert(at, ("sort", sort.clone()));
        }
        pairs
    }

    /// Every rule at once: `per_page` within 1-100, `sort` of the form `field:1` or
    /// `field:-1`.
    ///
    /// # Errors
    /// [`Violations`] naming each bad parameter.
    pub fn validate(&self) -> Result<(), Violations> {
        let mut out = Vec::new();
        check_per_page(self.per_page, &mut out);
        if let Some(sort) = self.sort.as_deref().filter(|s| parse_sort(s).is_none()) {
            out.push(query_violation(
                "sort",
                ViolationKind::Format,
                &format!("String does not match pattern ^[a-z_.]+:(1|-1)$: {sort}"),
                "Field to sort by. Use field:1 for ascending order and field:-1 for descending.",
            ));
        }
        Violations::check(out)
    }
}

/// The field and direction of a `sort` value (`true` = ascending): `Some` for `field:1` and
/// `field:-1` where the field is lower-case letters, `_` and `.`.
pub fn parse_sort(sort: &str) -> Option<(&str, bool)> {
    let (field, direction) = sort.split_once(':')?;
    let ascending = match direction {
        "1" => true,
        "-1" => false,
        _ => return None,
    };
    let field_ok = !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
    field_ok.then_some((field, ascending))
}

/// Event type codes from Auth0's "Log Event Type Codes" document, the ones the emulator
/// writes; other codes pass through [`LogEvent::event_type`] unchanged.
pub mod event_type {
    /// Success Login.
    pub const SUCCESS_LOGIN: &str = "s";
    /// Failed Login (generic; the emulator writes it for a login by a blocked user).
    pub const FAILED_LOGIN: &str = "f";
    /// Failed Login (Incorrect Password).
    pub const FAILED_LOGIN_PASSWORD: &str = "fp";
    /// Failed Login (Invalid Email/Username).
    pub const FAILED_LOGIN_USERNAME: &str = "fu";
    /// Success Exchange (Password for Access Token).
    pub const SUCCESS_EXCHANGE_PASSWORD: &str = "sepft";
    /// Success Exchange (Client Credentials for Access Token).
    pub const SUCCESS_EXCHANGE_CLIENT_CREDENTIALS: &str = "seccft";
    /// Success Exchange (Refresh Token for Access Token).
    pub const SUCCESS_EXCHANGE_REFRESH_TOKEN: &str = "sertft";
    /// Failed Exchange (Refresh Token for Access Token): the refresh token is unknown, revoked
    /// or expired, or its user may not log in.
    pub const FAILED_EXCHANGE_REFRESH_TOKEN: &str = "fertft";
    /// Success Signup; the recording of a user created through `POST /users` shows this code
    /// (`ruby-auth0__..._user_logs__00`).
    pub const SUCCESS_SIGNUP: &str = "ss";
    /// Success API Operation (a Management API call that changed something).
    pub const SUCCESS_API_OPERATION: &str = "sapi";
    /// Successful User Deletion.
    pub const SUCCESS_USER_DELETION: &str = "sdu";
    /// Blocked Account: an IP reached the maximum failed logins into one account.
    pub const BLOCKED_ACCOUNT: &str = "limit_wc";
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn every_parameter_goes_in_one_fixed_order() {
        let query = UserLogsQuery {
            page: Some(2),
            per_page: Some(10),
            sort: Some("date:-1".into()),
            include_totals: Some(true),
        };
        let names: Vec<&str> = query.to_query_pairs().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["page", "per_page", "sort", "include_totals"]);
    }

    #[test]
    fn null_description_and_unknown_fields_survive() {
        let body = json!({"date": "2021-09-03T20:16:45.272Z", "type": "ss", "description": null,
            "isMobile": false, "_id": "9", "details": {"body": {"password": "*****"}}});
        let event: LogEvent = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(event.description, Some(None));
        assert_eq!(event.is_mobile, Some(false));
        assert_eq!(serde_json::to_value(&event).unwrap(), body);
    }

    #[test]
    fn sort_forms() {
        assert_eq!(parse_sort("date:-1"), Some(("date", false)));
        assert_eq!(
            parse_sort("location_info.city_name:1"),
            Some(("location_info.city_name", true))
        );
        for bad in ["date", "date:0", ":1", "Date:1", "date:1:1", ""] {
            assert!(parse_sort(bad).is_none(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn validate_reports_each_bad_parameter(per_page in 0u32..200, sort in "[a-z:1-]{0,8}") {
            let query = UserLogsQuery { per_page: Some(per_page), sort: Some(sort.clone()), ..UserLogsQuery::default() };
            let expected = usize::from(!(1..=100).contains(&per_page)) + usize::from(parse_sort(&sort).is_none());
            prop_assert_eq!(query.validate().err().map_or(0, |v| v.len()), expected);
        }
    }
}
