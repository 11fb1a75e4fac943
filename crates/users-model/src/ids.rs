//! User ids (`provider|id`) and the percent-encoding of path segments and query values.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The bytes JS `encodeURIComponent` escapes: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`
/// (non-ASCII bytes are always escaped by `percent-encoding`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Percent-encodes `s` exactly like JavaScript's `encodeURIComponent`: every byte of its UTF-8
/// form outside `A-Z a-z 0-9 - _ . ! ~ * ' ( )` becomes `%XX` with upper-case hex.
///
/// Use it for every path segment and query value sent to the Management API.
///
/// ```
/// use users_model::encode_component;
/// assert_eq!(encode_component("auth0|123"), "auth0%7C123");
/// assert_eq!(encode_component("jane+test@example.com"), "jane%2Btest%40example.com");
/// assert_eq!(encode_component("é"), "%C3%A9");
/// ```
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    encode_component_into(s, &mut out);
    out
}

/// [`encode_component`] appending to `out` instead of returning a new string, for building a
/// whole path or query in one buffer.
///
/// ```
/// use users_model::encode_component_into;
/// let mut path = String::from("/users/");
/// encode_component_into("auth0|123", &mut path);
/// assert_eq!(path, "/users/auth0%7C123");
/// ```
pub fn encode_component_into(s: &str, out: &mut String) {
    out.extend(utf8_percent_encode(s, COMPONENT));
}

/// Decodes `%XX` escapes (either hex case). Other characters pass through unchanged.
///
/// Returns `None` when a `%` is not followed by two hex digits or the decoded bytes are not
/// UTF-8, so a malformed segment is reported instead of being guessed at.
///
/// ```
/// use users_model::decode_component;
/// assert_eq!(decode_component("auth0%7c123").as_deref(), Some("auth0|123"));
/// assert_eq!(decode_component("100%"), None);
/// assert_eq!(decode_component("%FF"), None);
/// ```
pub fn decode_component(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = hex_value(*bytes.get(i + 1)?)?;
            let lo = hex_value(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A user id as the Management API uses it: `{provider}|{id}`, e.g. `auth0|63d17c6b77d74b740960460a`.
///
/// Enterprise ids may hold more than one `|` (`samlp|conn|user@example.com`): the provider is
/// the text before the **first** `|`. An id without `|` is kept as is (its provider is unknown).
///
/// ```
/// use users_model::UserId;
/// let id = UserId::new("samlp|conn|jane@example.com").unwrap();
/// assert_eq!(id.provider(), Some("samlp"));
/// assert_eq!(id.id(), "conn|jane@example.com");
/// assert_eq!(id.to_path_segment(), "samlp%7Cconn%7Cjane%40example.com");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserId(String);

impl UserId {
    /// Wraps a user id.
    ///
    /// # Errors
    /// [`InvalidUserId`] when the id is empty (it would address the collection, not a user).
    pub fn new(id: impl Into<String>) -> Result<UserId, InvalidUserId> {
        let id = id.into();
        if id.is_empty() {
            Err(InvalidUserId)
        } else {
            Ok(UserId(id))
        }
    }

    /// The whole id, e.g. `auth0|123`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The provider: the text before the first `|`, or `None` if there is no `|`.
    pub fn provider(&self) -> Option<&str> {
        self.0.split_once('|').map(|(provider, _)| provider)
    }

    /// The id within the provider: the text after the first `|`, or the whole id if there is none.
    /// This is the form `identities[].user_id` and the unlink path use.
    pub fn id(&self) -> &str {
        self.0.split_once('|').map_or(self.0.as_str(), |(_, id)| id)
    }

    /// The id percent-encoded for a URL path segment (see [`encode_component`]).
    pub fn to_path_segment(&self) -> String {
        encode_component(&self.0)
    }

    /// Unwraps the id.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The error of building a [`UserId`] from an empty string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("user id must not be empty")]
#[non_exhaustive]
pub struct InvalidUserId;

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for UserId {
    type Err = InvalidUserId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UserId::new(s)
    }
}

impl TryFrom<String> for UserId {
    type Error = InvalidUserId;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        UserId::new(s)
    }
}

impl TryFrom<&str> for UserId {
    type Error = InvalidUserId;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        UserId::new(s)
    }
}

impl AsRef<str> for UserId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> String {
        id.0
    }
}

impl serde::Serialize for UserId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for UserId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        UserId::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_at_first_bar() {
        let id = UserId::new("auth0|abc").unwrap();
        assert_eq!((id.provider(), id.id()), (Some("auth0"), "abc"));
        let bare = UserId::new("abc").unwrap();
        assert_eq!((bare.provider(), bare.id()), (None, "abc"));
        let empty_provider = UserId::new("|x").unwrap();
        assert_eq!(
            (empty_provider.provider(), empty_provider.id()),
            (Some(""), "x")
        );
        assert_eq!(UserId::new(""), Err(InvalidUserId));
        assert!(serde_json::from_str::<UserId>("\"\"").is_err());
    }

    #[test]
    fn decode_rejects_bad_escapes() {
        for bad in ["%", "%4", "%G0", "a%zz", "%C3", "%C3%28"] {
            assert_eq!(decode_component(bad), None, "{bad}");
        }
        assert_eq!(decode_component("a+b").as_deref(), Some("a+b"));
    }
}
