//! The authentication-methods and MFA calls end to end: in-process, and served on 127.0.0.1:0
//! through the reqwest and the hyper backends. Also: validation before the network, the PUT
//! preview agreeing with what the emulator does, and the MFA reset report.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::TryStreamExt;
use proptest::prelude::*;
use serde_json::{Value, json};
use users_client::model::{
    AuthenticationMethod, AuthenticationMethodUpdate, MultifactorProvider, NewAuthenticationMethod,
    NewEmailMethod, NewPasskeyMethod, NewPhoneMethod, NewTotpMethod, NewWebauthnRoamingMethod,
    PreferredMethod, ReplacementMethod, TotpSecret, ViolationKind, preview_replace,
};
use users_client::transport::Transport;
use users_client::{Client, Error};
use users_emulator::{Emulator, EmulatorConfig};

mod emulated;
use emulated::{BACKENDS, Backend, Counting, Reached};

const USER: &str = "auth0|mfa0000000000000000001";

struct Env {
    transport: Arc<Counting>,
    emulator: Emulator,
    client: Client,
    _reached: Reached,
}

async fn env(backend: Backend, methods: Value) -> Env {
    let emulator = emulated::emulator(EmulatorConfig::default());
    emulator
        .seed(&json!({
            "users": [{"user_id": USER, "connection": "Username-Password-Authentication",
                       "email": "mfa@example.com", "password": "Passw0rd!x-long"}],
            "authentication_methods": {USER: methods},
        }))
        .unwrap();
    let reached = backend.reach(&emulator).await;
    let transport = Counting::new(reached.transport.clone(), |path| {
        path.starts_with("/api/v2/")
    });
    Env {
        client: reached.client(transport.clone()),
        transport,
        emulator,
        _reached: reached,
    }
}

/// The emulator's state, read through its admin API in-process.
async fn snapshot(emulator: &Emulator) -> Value {
    let request = http::Request::get("https://tenant.example/__emulator/snapshot")
        .body(Bytes::new())
        .unwrap();
    let response = emulator.send(request).await.unwrap();
    serde_json::from_slice(response.body()).unwrap()
}

fn status(error: &Error) -> Option<u16> {
    error.status().map(|s| s.as_u16())
}

fn new_methods() -> Vec<NewAuthenticationMethod> {
    vec![
        NewAuthenticationMethod::Email(NewEmailMethod {
            email: "chuck334@example.com".into(),
            name: Some("Work".into()),
        }),
        NewAuthenticationMethod::Phone(NewPhoneMethod {
            phone_number: "+44207183875044".into(),
            preferred_authentication_method: Some(PreferredMethod::Voice),
            name: None,
        }),
        NewAuthenticationMethod::Totp(NewTotpMethod {
            totp_secret: TotpSecret::new("JBSWY3DPEHPK3PXP"),
            name: None,
        }),
        NewAuthenticationMethod::WebauthnRoaming(NewWebauthnRoamingMethod {
            key_id: "a2V5".into(),
            public_key: "cHVibGlj".into(),
            relying_party_identifier: Some("login.example.com".into()),
            name: Some("YubiKey".into()),
        }),
        NewAuthenticationMethod::Passkey(NewPasskeyMethod {
            key_id: "cGFzcw".into(),
            public_key: "cGFzcw==".into(),
            transports: Some(vec!["internal".into()]),
            ..NewPasskeyMethod::default()
        }),
    ]
}

#[tokio::test]
async fn every_method_type_through_its_lifecycle() {
    for backend in BACKENDS {
        let env = env(backend, json!([])).await;
        let api = env.client.authentication_methods();
        let mut ids = Vec::new();
        for new in new_methods() {
            let created = api.create(USER, &new).await.unwrap();
            assert_eq!(created.type_name(), new.type_name(), "{backend:?}");
            let id = created.id().unwrap().to_owned();
            let read = api.get(USER, &id).await.unwrap();
            assert_eq!(read.info().and_then(|i| i.confirmed), Some(true));
            match &read {
                AuthenticationMethod::Email(m) => {
                    assert_eq!(m.email.as_deref(), Some("chuc****@exam*******"))
                }
                AuthenticationMethod::Phone(m) => {
                    assert_eq!(m.phone_number.as_deref(), Some("XXXXXXXXXXX5044"));
                    assert_eq!(
                        m.preferred_authentication_method,
                        Some(PreferredMethod::Voice)
                    );
                }
                AuthenticationMethod::Totp(m) => assert!(m.totp_secret.is_none()),
                AuthenticationMethod::WebauthnRoaming(m) => {
                    assert_eq!(m.key_id.as_deref(), Some("a2V5"))
                }
                AuthenticationMethod::Passkey(m) => {
                    assert_eq!(m.transports.as_deref(), Some(&["internal".to_owned()][..]))
                }
                other => panic!("unexpected {other:?}"),
            }
            let mut change = AuthenticationMethodUpdate::default();
            change.name = Some("Renamed".into());
            let renamed = api.update(USER, &id, &change).await.unwrap();
            assert_eq!(
                renamed.info().and_then(|i| i.name.as_deref()),
                Some("Renamed")
            );
            ids.push(id);
        }
        let streamed: Vec<AuthenticationMethod> = api.stream(USER).try_collect().await.unwrap();
        assert_eq!(streamed.len(), 5);
        let page = api.list_page(USER, 1, 2).await.unwrap();
        assert_eq!(
            (page.authenticators.len(), page.total, page.start),
            (2, Some(5), Some(2))
        );

        // The passkey blocks PUT and delete-all; a refused PUT leaves everything.
        let refused = api.replace(USER, &[]).await.unwrap_err();
        assert_eq!(status(&refused), Some(403));
        assert_eq!(status(&api.delete_all(USER).await.unwrap_err()), Some(403));
        assert_eq!(api.list(USER).await.unwrap().len(), 5);

        api.delete(USER, &ids[4]).await.unwrap();
        assert!(api.get(USER, &ids[4]).await.unwrap_err().is_not_found());
        let replaced = api
            .replace(
                USER,
                &[ReplacementMethod::Email(NewEmailMethod {
                    email: "chuck334@example.com".into(),
                    name: None,
                })],
            )
            .await
            .unwrap();
        assert_eq!(replaced.len(), 1);
        let left: Vec<String> = api
            .list(USER)
            .await
            .unwrap()
            .iter()
            .map(|m| m.type_name().to_owned())
            .collect();
        assert_eq!(left, ["webauthn-roaming", "email"], "{backend:?}");
        api.delete_all(USER).await.unwrap();
        assert!(api.list(USER).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn invalid_bodies_never_reach_the_network() {
    let env = env(Backend::InProcess, json!([])).await;
    let api = env.client.authentication_methods();
    let bad = NewAuthenticationMethod::Phone(NewPhoneMethod {
        phone_number: "0044 20 7183".into(),
        preferred_authentication_method: Some(PreferredMethod::Other("fax".into())),
        name: Some("a name far longer than twenty".into()),
    });
    let Err(Error::Validation(found)) = api.create(USER, &bad).await else {
        panic!("not refused")
    };
    let kinds: Vec<(&str, ViolationKind)> =
        found.iter().map(|v| (v.path.as_str(), v.kind)).collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    let twice = [
        ReplacementMethod::Totp(NewTotpMethod {
            totp_secret: TotpSecret::new("JBSWY3DPEHPK3PXP"),
            name: None,
        }),
        ReplacementMethod::Totp(NewTotpMethod {
            totp_secret: TotpSecret::new("not base32!"),
            name: None,
        }),
    ];
    let Err(Error::Validation(found)) = api.replace(USER, &twice).await else {
        panic!("not refused")
    };
    assert!(
        found
            .iter()
            .any(|v| v.kind == ViolationKind::Duplicate && v.path == "[1]")
    );
    assert!(found.iter().any(|v| v.path == "[1].totp_secret"));
    assert!(
        !found.to_string().contains("not base32!"),
        "secret in the message"
    );
    let mut change = AuthenticationMethodUpdate::default();
    change.name = Some(String::new());
    assert!(matches!(
        api.update(USER, "totp|dev_x", &change).await,
        Err(Error::Validation(_))
    ));
    assert_eq!(env.transport.count(), 0);
}

#[tokio::test]
async fn enrollments_recovery_codes_and_the_reset_report() {
    for backend in BACKENDS {
        let env = env(
            backend,
            json!([{"type": "password"}, {"type": "email", "email": "e@example.com"},
            {"type": "phone", "phone_number": "+14155550123"}]),
        )
        .await;
        let mfa = env.client.mfa();
        let api = env.client.authentication_methods();
        api.create(
            USER,
            &NewAuthenticationMethod::Totp(NewTotpMethod {
                totp_secret: TotpSecret::new("JBSWY3DPEHPK3PXP"),
                name: None,
            }),
        )
        .await
        .unwrap();
        let conflict = api
            .create(
                USER,
                &NewAuthenticationMethod::Totp(NewTotpMethod {
                    totp_secret: TotpSecret::new("JBSWY3DPEHPK3PXQ"),
                    name: None,
                }),
            )
            .await
            .unwrap_err();
        assert_eq!(status(&conflict), Some(409));
        assert_eq!(mfa.enrollments(USER).await.unwrap().len(), 2);

        let first = mfa.regenerate_recovery_code(USER).await.unwrap();
        let second = mfa.regenerate_recovery_code(USER).await.unwrap();
        assert!(first.is_well_formed() && second.is_well_formed());
        assert_ne!(first.expose(), second.expose());
        assert!(!format!("{second:?}").contains(second.expose()));
        mfa.invalidate_remember_browser(USER).await.unwrap();
        mfa.delete_provider(USER, MultifactorProvider::Duo)
            .await
            .unwrap();

        let report = mfa.reset(USER).await.unwrap();
        assert_eq!(report.enrollments_removed.len(), 2);
        let mut removed: Vec<&str> = report
            .methods_removed
            .iter()
            .map(|m| m.type_name())
            .collect();
        removed.sort_unstable();
        assert_eq!(removed, ["email", "phone", "recovery-code", "totp"]);
        assert!(report.recovery_code_removed);
        assert_eq!(report.methods_left.len(), 1);
        assert!(report.enrollments_left.is_empty());
        assert!(mfa.enrollments(USER).await.unwrap().is_empty());

        for missing in [
            mfa.enrollments("auth0|nobody").await.map(drop),
            mfa.delete_authenticators("auth0|nobody").await,
            mfa.regenerate_recovery_code("auth0|nobody").await.map(drop),
            api.list("auth0|nobody").await.map(drop),
        ] {
            assert!(missing.unwrap_err().is_not_found());
        }
        let snapshot = snapshot(&env.emulator).await;
        assert_eq!(
            snapshot["mfa"]["users"][USER]["remember_browser_invalidations"],
            2
        );
    }
}

fn entry() -> impl Strategy<Value = ReplacementMethod> {
    prop_oneof![
        prop::sample::select(vec!["a@example.com", "b@example.com", "c@example.org"]).prop_map(
            |e| ReplacementMethod::Email(NewEmailMethod {
                email: e.into(),
                name: None
            })
        ),
        prop::sample::select(vec!["+14155550100", "+14155550101"]).prop_map(|p| {
            ReplacementMethod::Phone(NewPhoneMethod {
                phone_number: p.into(),
                preferred_authentication_method: None,
                name: None,
            })
        }),
        Just(ReplacementMethod::Totp(NewTotpMethod {
            totp_secret: TotpSecret::new("JBSWY3DPEHPK3PXP"),
            name: None
        })),
    ]
}

fn distinct(list: Vec<ReplacementMethod>) -> Vec<ReplacementMethod> {
    let mut out: Vec<ReplacementMethod> = Vec::new();
    for e in list {
        if !out
            .iter()
            .any(|o| o.type_name() == e.type_name() && (e.type_name() == "totp" || o == &e))
        {
            out.push(e);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(16)))]

    /// The preview computed from the masked list agrees with what the emulator's PUT did.
    #[test]
    fn the_put_preview_agrees_with_the_emulator(
        have in prop::collection::vec(entry(), 0..4).prop_map(distinct),
        list in prop::collection::vec(entry(), 0..4).prop_map(distinct),
        key in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let seeded = if key { json!([{"type": "webauthn-roaming", "key_id": "k"}]) } else { json!([]) };
            let env = env(Backend::InProcess, seeded).await;
            let api = env.client.authentication_methods();
            if !have.is_empty() {
                api.replace(USER, &have).await.unwrap();
            }
            let before = api.list(USER).await.unwrap();
            let plan = preview_replace(&before, &list).unwrap();
            let created = api.replace(USER, &list).await.unwrap();
            let after = api.list(USER).await.unwrap();
            let after_ids: Vec<&str> = after.iter().filter_map(|m| m.id()).collect();
            for id in &plan.kept {
                assert!(after_ids.contains(&id.as_str()), "kept {id} is gone");
            }
            for id in plan.removed.iter().chain(plan.replaced.iter().map(|r| &r.old_id)) {
                assert!(!after_ids.contains(&id.as_str()), "{id} survived");
            }
            assert_eq!(created.len(), plan.created.len() + plan.replaced.len());
            assert_eq!(after.len(), plan.kept.len() + list.len());
        });
    }
}
