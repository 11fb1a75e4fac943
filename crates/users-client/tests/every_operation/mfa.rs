//! Authentication methods and MFA, end to end: each of the 12 operations once, on a seeded user.

use futures_util::TryStreamExt;
use serde_json::json;
use users_model::{
    AuthenticationMethod, AuthenticationMethodUpdate, MultifactorProvider, NewAuthenticationMethod,
    NewEmailMethod, NewTotpMethod, ReplacementMethod, TotpSecret,
};

use crate::env::Env;

const USER: &str = "auth0|mfa";

pub async fn exercise(env: &Env) {
    env.emulator
        .seed(&json!({
            "users": [{"user_id": USER, "connection": "Username-Password-Authentication",
                       "email": "mfa@example.com", "password": "Passw0rd!x-long"}],
            "authentication_methods": {USER: [{"type": "push", "id": "push|dev_PPPPPPPPPPPPPPPP"}]}
        }))
        .expect("seed");
    let methods = env.client.authentication_methods();
    let email = NewAuthenticationMethod::Email(NewEmailMethod {
        email: "mfa@example.com".into(),
        name: None,
    });
    let created = methods.create(USER, &email).await.expect("create");
    let id = created.id().expect("id").to_owned();
    assert_eq!(
        methods.get(USER, &id).await.expect("get").id(),
        Some(id.as_str())
    );
    let mut renamed = AuthenticationMethodUpdate::default();
    renamed.name = Some("Inbox".into());
    methods.update(USER, &id, &renamed).await.expect("update");
    let all: Vec<AuthenticationMethod> = methods.stream(USER).try_collect().await.expect("list");
    assert_eq!(all.len(), 2);
    let totp = ReplacementMethod::Totp(NewTotpMethod {
        totp_secret: TotpSecret::new("JBSWY3DPEHPK3PXP"),
        name: None,
    });
    let replaced = methods.replace(USER, &[totp]).await.expect("replace");
    methods
        .delete(USER, replaced[0].id().expect("id"))
        .await
        .expect("delete");

    let mfa = env.client.mfa();
    assert_eq!(mfa.enrollments(USER).await.expect("enrollments").len(), 1);
    mfa.regenerate_recovery_code(USER)
        .await
        .expect("recovery code");
    mfa.invalidate_remember_browser(USER)
        .await
        .expect("invalidate remember browser");
    mfa.delete_provider(USER, MultifactorProvider::GoogleAuthenticator)
        .await
        .expect("delete provider");
    mfa.delete_authenticators(USER)
        .await
        .expect("delete authenticators");
    assert!(mfa.enrollments(USER).await.expect("enrollments").is_empty());
    methods.delete_all(USER).await.expect("delete all");
    assert!(methods.list(USER).await.expect("list").is_empty());
}
