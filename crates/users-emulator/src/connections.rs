//! Connections: where users live, and the capabilities each strategy gives them.

use serde::{Deserialize, Serialize};

use crate::ids::connection_id;

/// One connection of the emulated tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Connection {
    /// `con_` + 16 alphanumerics. Derived from the name when omitted in a config file.
    #[serde(default)]
    pub id: String,
    /// The connection name (`Username-Password-Authentication`, `google-oauth2`, ...).
    pub name: String,
    /// The strategy: `auth0` (database), `google-oauth2`, `sms`, `email`, `samlp`, ...
    pub strategy: String,
    /// Database connections only: whether users need a `username`.
    #[serde(default)]
    pub requires_username: bool,
    /// Upstream IdPs: "Sync user profile attributes at each login" (Auth0's default: on).
    #[serde(default = "default_true")]
    pub sync_user_profile: bool,
}

fn default_true() -> bool {
    true
}

/// What a strategy is, for the rules that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrategyKind {
    Database,
    Social,
    Enterprise,
    PasswordlessSms,
    PasswordlessEmail,
    Other,
}

const SOCIAL: &[&str] = &[
    "google-oauth2",
    "github",
    "facebook",
    "apple",
    "windowslive",
    "linkedin",
    "twitter",
    "oauth2",
];
const ENTERPRISE: &[&str] = &[
    "samlp",
    "waad",
    "adfs",
    "ad",
    "oidc",
    "okta",
    "pingfederate",
    "auth0-adldap",
];

impl Connection {
    /// A connection named `name` with `strategy`; its id derived from the name.
    pub fn new(name: impl Into<String>, strategy: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            id: connection_id(&name),
            name,
            strategy: strategy.into(),
            requires_username: false,
            sync_user_profile: true,
        }
    }

    /// Sets `requires_username` (database connections).
    #[must_use]
    pub fn with_requires_username(mut self, requires: bool) -> Self {
        self.requires_username = requires;
        self
    }

    pub(crate) fn kind(&self) -> StrategyKind {
        match self.strategy.as_str() {
            "auth0" => StrategyKind::Database,
            "sms" => StrategyKind::PasswordlessSms,
            "email" => StrategyKind::PasswordlessEmail,
            s if SOCIAL.contains(&s) => StrategyKind::Social,
            s if ENTERPRISE.contains(&s) => StrategyKind::Enterprise,
            _ => StrategyKind::Other,
        }
    }

    /// The identity provider of users in this connection (`auth0` for databases).
    pub(crate) fn provider(&self) -> &str {
        &self.strategy
    }

    /// Fills a missing id from the name.
    pub(crate) fn normalized(mut self) -> Self {
        if self.id.is_empty() {
            self.id = connection_id(&self.name);
        }
        self
    }
}

/// The default set: one connection of each kind, so every connection-dependent rule can be
/// exercised.
pub fn default_connections() -> Vec<Connection> {
    vec![
        Connection::new("Username-Password-Authentication", "auth0"),
        Connection::new("username-db", "auth0").with_requires_username(true),
        Connection::new("google-oauth2", "google-oauth2"),
        Connection::new("sms", "sms"),
        Connection::new("email", "email"),
        Connection::new("saml-enterprise", "samlp"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_set_has_one_of_each_kind() {
        let kinds: Vec<StrategyKind> = default_connections().iter().map(Connection::kind).collect();
        for kind in [
            StrategyKind::Database,
            StrategyKind::Social,
            StrategyKind::Enterprise,
            StrategyKind::PasswordlessSms,
            StrategyKind::PasswordlessEmail,
        ] {
            assert!(kinds.contains(&kind), "{kind:?} missing");
        }
        let with_username = default_connections()
            .into_iter()
            .filter(|c| c.kind() == StrategyKind::Database && c.requires_username)
            .count();
        assert_eq!(with_username, 1);
    }

    #[test]
    fn missing_ids_are_derived_from_the_name() {
        let parsed: Connection = serde_json::from_str(r#"{"name":"db2","strategy":"auth0"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        let normalized = parsed.normalized();
        assert!(normalized.id.starts_with("con_"));
        assert!(normalized.sync_user_profile);
    }
}
