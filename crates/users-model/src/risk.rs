//! Clearing a user's risk assessors: the body of `POST /api/v2/users/{id}/risk-assessments/clear`
//! (the OpenAPI document's `ClearAssessorsRequestContent`), recorded as
//! `{"connection": "Username-Password-Authentication", "assessors": ["new-device"]}`.
//! Check it with [`validate_clear_assessors`](crate::validate_clear_assessors).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Metadata;

/// Which risk assessors to clear for a user on one connection.
///
/// ```
/// use users_model::{Assessor, ClearAssessors};
/// let body = ClearAssessors::new("Username-Password-Authentication", [Assessor::NewDevice]);
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"connection":"Username-Password-Authentication","assessors":["new-device"]}"#
/// );
/// assert!(users_model::validate_clear_assessors(&body).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClearAssessors {
    /// The name of the connection holding the user (1-128 letters, digits and single `-`
    /// between them).
    pub connection: String,
    /// The assessors to clear (at least one).
    pub assessors: Vec<Assessor>,
    /// Keys the schema does not define (it forbids them; kept so validation can name them).
    #[serde(flatten)]
    pub extra: Metadata,
}

impl ClearAssessors {
    /// A body for `connection` and `assessors`.
    pub fn new(
        connection: impl Into<String>,
        assessors: impl IntoIterator<Item = Assessor>,
    ) -> Self {
        Self {
            connection: connection.into(),
            assessors: assessors.into_iter().collect(),
            extra: Metadata::new(),
        }
    }
}

/// A risk assessor (the document's `AssessorsTypeEnum`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Assessor {
    /// `new-device`: the record of devices the user signed in from.
    NewDevice,
    /// A value outside the document's enum, kept as sent so validation can report it.
    Other(String),
}

impl Assessor {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Assessor::NewDevice => "new-device",
            Assessor::Other(other) => other,
        }
    }
}

impl fmt::Display for Assessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Assessor {
    fn from(value: &str) -> Self {
        match value {
            "new-device" => Assessor::NewDevice,
            other => Assessor::Other(other.to_owned()),
        }
    }
}

impl Serialize for Assessor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Assessor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Assessor::from(text.as_str()))
    }
}
