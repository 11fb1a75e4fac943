//! Identity providers: an open enum of the values the Management API documents plus any other string.

use std::fmt;
use std::hash::{Hash, Hasher};

macro_rules! providers {
    ($($(#[$doc:meta])* $variant:ident => $wire:literal,)*) => {
        /// An identity provider (`identities[].provider`, the link body's `provider`, the unlink path).
        ///
        /// Known values (the OpenAPI `UserIdentityProviderEnum`) have a variant; any other string
        /// is kept in [`Provider::Other`] so it round-trips exactly. Equality, ordering and hashing
        /// compare the wire string, so `Provider::Other("auth0".into()) == Provider::Auth0`.
        ///
        /// ```
        /// use users_model::Provider;
        /// assert_eq!(Provider::from("google-oauth2"), Provider::GoogleOauth2);
        /// assert_eq!(Provider::GoogleOauth2.as_str(), "google-oauth2");
        /// assert_eq!(Provider::from("my-idp").as_str(), "my-idp");
        /// ```
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum Provider {
            $($(#[$doc])* $variant,)*
            /// Any provider string not listed above, kept verbatim.
            Other(String),
        }

        impl Provider {
            /// The wire string, e.g. `"google-oauth2"`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Provider::$variant => $wire,)*
                    Provider::Other(s) => s,
                }
            }
        }

        impl From<&str> for Provider {
            fn from(s: &str) -> Provider {
                match s {
                    $($wire => Provider::$variant,)*
                    other => Provider::Other(other.to_owned()),
                }
            }
        }
    };
}

providers! {
    /// `ad`: Active Directory / LDAP.
    Ad => "ad",
    /// `adfs`.
    Adfs => "adfs",
    /// `amazon`.
    Amazon => "amazon",
    /// `apple`.
    Apple => "apple",
    /// `dropbox`.
    Dropbox => "dropbox",
    /// `bitbucket`.
    Bitbucket => "bitbucket",
    /// `auth0-oidc`.
    Auth0Oidc => "auth0-oidc",
    /// `auth0`: Auth0 database connections.
    Auth0 => "auth0",
    /// `baidu`.
    Baidu => "baidu",
    /// `bitly`.
    Bitly => "bitly",
    /// `box`.
    Box => "box",
    /// `custom`.
    Custom => "custom",
    /// `daccount`.
    Daccount => "daccount",
    /// `dwolla`.
    Dwolla => "dwolla",
    /// `email`: passwordless email.
    Email => "email",
    /// `evernote-sandbox`.
    EvernoteSandbox => "evernote-sandbox",
    /// `evernote`.
    Evernote => "evernote",
    /// `exact`.
    Exact => "exact",
    /// `facebook`.
    Facebook => "facebook",
    /// `fitbit`.
    Fitbit => "fitbit",
    /// `github`.
    Github => "github",
    /// `google-apps`: Google Workspace.
    GoogleApps => "google-apps",
    /// `google-oauth2`.
    GoogleOauth2 => "google-oauth2",
    /// `instagram`.
    Instagram => "instagram",
    /// `ip`.
    Ip => "ip",
    /// `line`.
    Line => "line",
    /// `linkedin`.
    Linkedin => "linkedin",
    /// `oauth1`.
    Oauth1 => "oauth1",
    /// `oauth2`.
    Oauth2 => "oauth2",
    /// `office365`.
    Office365 => "office365",
    /// `oidc`.
    Oidc => "oidc",
    /// `okta`.
    Okta => "okta",
    /// `paypal`.
    Paypal => "paypal",
    /// `paypal-sandbox`.
    PaypalSandbox => "paypal-sandbox",
    /// `pingfederate`.
    Pingfederate => "pingfederate",
    /// `planningcenter`.
    Planningcenter => "planningcenter",
    /// `salesforce-community`.
    SalesforceCommunity => "salesforce-community",
    /// `salesforce-sandbox`.
    SalesforceSandbox => "salesforce-sandbox",
    /// `salesforce`.
    Salesforce => "salesforce",
    /// `samlp`.
    Samlp => "samlp",
    /// `sharepoint`.
    Sharepoint => "sharepoint",
    /// `shopify`.
    Shopify => "shopify",
    /// `shop`.
    Shop => "shop",
    /// `sms`: passwordless SMS.
    Sms => "sms",
    /// `soundcloud`.
    Soundcloud => "soundcloud",
    /// `thirtysevensignals`.
    Thirtysevensignals => "thirtysevensignals",
    /// `twitter`.
    Twitter => "twitter",
    /// `untappd`.
    Untappd => "untappd",
    /// `vkontakte`.
    Vkontakte => "vkontakte",
    /// `waad`: Microsoft Entra ID (Azure AD).
    Waad => "waad",
    /// `weibo`.
    Weibo => "weibo",
    /// `windowslive`.
    Windowslive => "windowslive",
    /// `wordpress`.
    Wordpress => "wordpress",
    /// `yahoo`.
    Yahoo => "yahoo",
    /// `yandex`.
    Yandex => "yandex",
}

impl From<String> for Provider {
    fn from(s: String) -> Provider {
        match Provider::from(s.as_str()) {
            Provider::Other(_) => Provider::Other(s),
            known => known,
        }
    }
}

impl PartialEq for Provider {
    fn eq(&self, other: &Provider) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Provider {}

impl Hash for Provider {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Provider {
    fn partial_cmp(&self, other: &Provider) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Provider {
    fn cmp(&self, other: &Provider) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Provider {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Provider::from(s))
    }
}

impl serde::Serialize for Provider {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Provider {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Provider::from(String::deserialize(deserializer)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_other_round_trip() {
        for s in [
            "auth0",
            "google-oauth2",
            "samlp",
            "waad",
            "sms",
            "email",
            "",
            "Auth0",
            "x|y",
        ] {
            let p: Provider = serde_json::from_value(serde_json::json!(s)).unwrap();
            assert_eq!(serde_json::to_value(&p).unwrap(), serde_json::json!(s));
            assert_eq!(p.to_string(), s);
        }
        assert!(matches!(Provider::from("auth0"), Provider::Auth0));
        assert!(matches!(Provider::from("Auth0"), Provider::Other(_)));
        assert_eq!(Provider::Other("sms".into()), Provider::Sms);
        assert!(serde_json::from_str::<Provider>("1").is_err());
    }
}
