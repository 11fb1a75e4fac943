//! The body of `POST /users/{id}/risk-assessments/clear` against the OpenAPI document's
//! `ClearAssessorsRequestContent`: `connection` 1-128 characters matching
//! `^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$`, `assessors` at least one item from the enum
//! (`new-device`), no other keys. Messages use the server's schema-error wording; the texts for
//! this body are not recorded.

use super::format::{char_len, payload_error, reason_pattern, reason_too_long, reason_too_short};
use super::{Violation, ViolationKind, Violations};
use crate::{Assessor, ClearAssessors};

const CONNECTION_PATTERN: &str = "^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$";
const CONNECTION_DESCRIPTION: &str =
    "The name of the connection containing the user whose assessors should be cleared.";
const ASSESSORS_DESCRIPTION: &str = "List of assessors to clear.";

/// Every way `body` breaks the schema, or `Ok`.
///
/// ```
/// use users_model::{Assessor, ClearAssessors, ViolationKind, validate_clear_assessors};
/// let body = ClearAssessors::new("-bad-", [Assessor::from("old-device")]);
/// let kinds: Vec<_> = validate_clear_assessors(&body).unwrap_err().iter().map(|v| v.kind).collect();
/// assert_eq!(kinds, [ViolationKind::Format, ViolationKind::Format]);
/// ```
///
/// # Errors
/// [`Violations`] with one entry per broken rule, in field order.
pub fn validate_clear_assessors(body: &ClearAssessors) -> Result<(), Violations> {
    let mut out = Vec::new();
    let connection = body.connection.as_str();
    let len = char_len(connection);
    if len == 0 {
        out.push(schema(
            "connection",
            ViolationKind::TooShort,
            &reason_too_short(0, 1),
        ));
    } else if len > 128 {
        out.push(schema(
            "connection",
            ViolationKind::TooLong,
            &reason_too_long(len, 128),
        ));
    } else if !is_connection_name(connection) {
        out.push(schema(
            "connection",
            ViolationKind::Format,
            &reason_pattern(CONNECTION_PATTERN, connection),
        ));
    }
    if body.assessors.is_empty() {
        out.push(Violation::new(
            "assessors",
            ViolationKind::TooShort,
            payload_error(
                "Array is too short (0), minimum 1",
                "assessors",
                ASSESSORS_DESCRIPTION,
            ),
        ));
    }
    for (index, assessor) in body.assessors.iter().enumerate() {
        if let Assessor::Other(value) = assessor {
            let path = format!("assessors[{index}]");
            out.push(Violation::new(
                path.as_str(),
                ViolationKind::Format,
                payload_error(
                    &format!("No enum match for: \"{value}\""),
                    &path,
                    "Assessors to clear.",
                ),
            ));
        }
    }
    for key in body.extra.keys() {
        out.push(Violation::new(
            key.as_str(),
            ViolationKind::UnknownField,
            format!("Payload validation error: 'Additional properties not allowed: {key}'."),
        ));
    }
    Violations::check(out)
}

fn schema(path: &str, kind: ViolationKind, reason: &str) -> Violation {
    Violation::new(
        path,
        kind,
        payload_error(reason, path, CONNECTION_DESCRIPTION),
    )
}

/// `^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$`: ASCII letters and digits, a `-` only between two
/// of them.
fn is_connection_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let alnum = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_alphanumeric);
    !bytes.is_empty()
        && alnum(0)
        && bytes.iter().enumerate().all(|(i, b)| {
            b.is_ascii_alphanumeric()
                || (*b == b'-' && alnum(i + 1) && i.checked_sub(1).is_some_and(alnum))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_names_follow_the_pattern() {
        for good in [
            "a",
            "Username-Password-Authentication",
            "google-oauth2",
            "a-b-c",
            "A1",
        ] {
            assert!(is_connection_name(good), "{good}");
        }
        for bad in ["", "-a", "a-", "a--b", "a_b", "a b", "é", "a.b"] {
            assert!(!is_connection_name(bad), "{bad}");
        }
    }
}
