//! The date fields of sessions and refresh tokens.

use serde::{Deserialize, Serialize};

use crate::{Metadata, Timestamp};

/// A session or refresh-token date: the OpenAPI document's `SessionDate` / `RefreshTokenDate`,
/// an ISO 8601 string or an object (`oneOf [date-time string, object, null]`; `null` is
/// [`Nullable::Null`](crate::Nullable) around it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ApiDate {
    /// `2024-05-01T13:00:30.038Z`, as recorded.
    Text(String),
    /// The object form the document allows (its content is not specified).
    Object(Metadata),
}

impl ApiDate {
    /// The date as milliseconds since the epoch, when it is a string [`Timestamp`] can read.
    pub fn timestamp(&self) -> Option<Timestamp> {
        match self {
            ApiDate::Text(text) => Timestamp::parse(text),
            ApiDate::Object(_) => None,
        }
    }
}

impl From<Timestamp> for ApiDate {
    fn from(stamp: Timestamp) -> Self {
        ApiDate::Text(stamp.to_string())
    }
}
