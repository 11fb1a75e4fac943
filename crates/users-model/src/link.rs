//! The account-linking body and the unlink target.

use std::fmt;

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{IdentityUserId, Metadata, Provider, encode_component};

/// The body of `POST /api/v2/users/{id}/identities`: exactly one of the two forms.
///
/// Serialized as `{"link_with": "<jwt>"}` or `{"provider", "user_id", "connection_id"?}`.
/// Parsing rejects a body mixing both forms, an unknown key, a `null` value and `{}`.
///
/// ```
/// use users_model::{LinkRequest, Provider};
/// let req = LinkRequest::Identity {
///     provider: Provider::Auth0,
///     user_id: "63d17c6b77d74b740960460a".into(),
///     connection_id: None,
/// };
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"provider":"auth0","user_id":"63d17c6b77d74b740960460a"}"#,
/// );
/// assert!(serde_json::from_str::<LinkRequest>(r#"{"link_with":"x","provider":"auth0"}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum LinkRequest {
    /// Link the user the ID token belongs to (scope `update:current_user_identities` or `update:users`).
    Token {
        /// The secondary account's ID token (a JWT).
        link_with: LinkToken,
    },
    /// Link the user with this provider and id (scope `update:users`).
    Identity {
        /// The secondary account's provider.
        provider: Provider,
        /// The secondary account's id, normally without the `provider|` prefix (the prefixed
        /// form is accepted too); a string or a number.
        user_id: IdentityUserId,
        /// `con_` + 16 alphanumerics; needed when several `auth0` databases exist.
        connection_id: Option<String>,
    },
}

const KEYS: [&str; 4] = ["link_with", "provider", "user_id", "connection_id"];

impl Serialize for LinkRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            LinkRequest::Token { link_with } => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("link_with", link_with)?;
                map.end()
            }
            LinkRequest::Identity {
                provider,
                user_id,
                connection_id,
            } => {
                let len = 2 + usize::from(connection_id.is_some());
                let mut map = serializer.serialize_map(Some(len))?;
                map.serialize_entry("provider", provider)?;
                map.serialize_entry("user_id", user_id)?;
                if let Some(id) = connection_id {
                    map.serialize_entry("connection_id", id)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for LinkRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut body = Metadata::deserialize(deserializer)?;
        if let Some(key) = body.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(D::Error::unknown_field(key, &KEYS));
        }
        if let Some((key, _)) = body.iter().find(|(_, v)| v.is_null()) {
            return Err(D::Error::custom(format_args!("`{key}` must not be null")));
        }
        let mut take = |key: &str| body.remove(key);
        let (link_with, provider, user_id, connection_id) = (
            take("link_with"),
            take("provider"),
            take("user_id"),
            take("connection_id"),
        );
        match (link_with, provider, user_id, connection_id) {
            (Some(token), None, None, None) => Ok(LinkRequest::Token {
                link_with: field(token, "link_with")?,
            }),
            (Some(_), ..) => Err(D::Error::custom(
                "`link_with` must not be sent with `provider`, `user_id` or `connection_id`",
            )),
            (None, Some(provider), Some(user_id), connection_id) => Ok(LinkRequest::Identity {
                provider: field(provider, "provider")?,
                user_id: field(user_id, "user_id")?,
                connection_id: connection_id
                    .map(|c| field(c, "connection_id"))
                    .transpose()?,
            }),
            (None, None, None, None) => Err(D::Error::custom(
                "link body must have `link_with` or `provider` and `user_id`",
            )),
            (None, None, ..) => Err(D::Error::missing_field("provider")),
            (None, Some(_), None, _) => Err(D::Error::missing_field("user_id")),
        }
    }
}

/// Parses one field of a link body, naming it in the error.
fn field<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    value: serde_json::Value,
    key: &str,
) -> Result<T, E> {
    serde_json::from_value(value).map_err(|e| E::custom(format_args!("`{key}`: {e}")))
}

/// A secondary account's ID token for linking. `Debug` never shows it; read it with [`LinkToken::expose`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LinkToken(String);

impl LinkToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> LinkToken {
        LinkToken(token.into())
    }

    /// The token itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken(***)")
    }
}

/// Which identity `DELETE /api/v2/users/{id}/identities/{provider}/{user_id}` removes.
///
/// ```
/// use users_model::{Provider, UnlinkTarget};
/// let target = UnlinkTarget::new(Provider::GoogleOauth2, "1150");
/// assert_eq!(target.to_path_segments(), ("google-oauth2".to_owned(), "1150".to_owned()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UnlinkTarget {
    /// The identity's provider.
    pub provider: Provider,
    /// The identity's id without the `provider|` prefix (a prefixed id matches nothing).
    pub user_id: String,
}

impl UnlinkTarget {
    /// The identity of `provider` with id `user_id` (without the `provider|` prefix).
    pub fn new(provider: Provider, user_id: impl Into<String>) -> Self {
        Self {
            provider,
            user_id: user_id.into(),
        }
    }

    /// The `{provider}` and `{user_id}` path segments, percent-encoded.
    pub fn to_path_segments(&self) -> (String, String) {
        (
            encode_component(self.provider.as_str()),
            encode_component(&self.user_id),
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(body: serde_json::Value) -> Result<LinkRequest, serde_json::Error> {
        serde_json::from_value(body)
    }

    #[test]
    fn both_forms_round_trip() {
        for body in [
            json!({"link_with": "eyJ.a.b"}),
            json!({"provider": "auth0", "user_id": "auth0|63d17c6b77d74b740960460a", "connection_id": "con_ftSSLHb0O7rcUGmF"}),
            json!({"provider": "github", "user_id": 191919191}),
            json!({"provider": "some-new-idp", "user_id": "x"}),
        ] {
            let request = parse(body.clone()).unwrap();
            assert_eq!(serde_json::to_value(&request).unwrap(), body);
        }
        let numeric = parse(json!({"provider": "github", "user_id": 42})).unwrap();
        assert!(matches!(
            numeric,
            LinkRequest::Identity {
                user_id: IdentityUserId::Number(_),
                ..
            }
        ));
    }

    #[test]
    fn rejects_mixed_unknown_empty_and_incomplete_bodies() {
        for body in [
            json!({}),
            json!({"link_with": "t", "provider": "auth0"}),
            json!({"link_with": "t", "user_id": "1"}),
            json!({"link_with": "t", "connection_id": "con_ftSSLHb0O7rcUGmF"}),
            json!({"link_with": "t", "provider": "auth0", "user_id": "1"}),
            json!({"link_with": "t", "extra": 1}),
            json!({"provider": "auth0", "user_id": "1", "connection": "db"}),
            json!({"provider": "auth0"}),
            json!({"user_id": "1"}),
            json!({"connection_id": "con_ftSSLHb0O7rcUGmF"}),
            json!({"link_with": null}),
            json!({"provider": "auth0", "user_id": "1", "connection_id": null}),
            json!({"link_with": 5}),
            json!({"provider": 5, "user_id": "1"}),
            json!({"provider": "auth0", "user_id": true}),
            json!({"provider": "auth0", "user_id": "1", "connection_id": 7}),
            json!([]),
            json!("link_with"),
        ] {
            assert!(parse(body.clone()).is_err(), "accepted {body}");
        }
    }

    #[test]
    fn token_is_redacted() {
        let request = LinkRequest::Token {
            link_with: LinkToken::new("secret.jwt.value"),
        };
        assert!(!format!("{request:?}").contains("secret.jwt.value"));
        assert!(!format!("{request:#?}").contains("secret"));
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"link_with": "secret.jwt.value"})
        );
    }

    #[test]
    fn unlink_segments_are_encoded() {
        let target = UnlinkTarget {
            provider: Provider::Samlp,
            user_id: "conn|jane doe".into(),
        };
        assert_eq!(
            target.to_path_segments(),
            ("samlp".to_owned(), "conn%7Cjane%20doe".to_owned())
        );
    }
}
