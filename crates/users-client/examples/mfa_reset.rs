//! A help-desk MFA reset: import a user's phone and authenticator-app factors (a migration),
//! preview and apply a replacement of them, regenerate a recovery code, then reset the user's
//! MFA completely and print what the reset removed.
//!
//! `cargo run --example mfa_reset` (emulator; set `AUTH0_DOMAIN`... for a tenant).

#[path = "support/connect.rs"]
mod connect;

use users_client::model::{
    NewAuthenticationMethod, NewEmailMethod, NewPhoneMethod, NewTotpMethod, Password,
    PreferredMethod, ReplacementMethod, TotpSecret, UserCreate, preview_replace,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _target) = connect::connect()?;
    let mut new_user = UserCreate::new("Username-Password-Authentication");
    new_user.email = Some(format!("mfa.{}@example.com", connect::run_suffix()));
    new_user.password = Some(Password::new("Mfa-reset-example-Pw1!"));
    let user = client.users().create(&new_user).await?;
    let id = user.user_id.unwrap_or_default();
    let methods = client.authentication_methods();

    // Migration: the factors the user had in the old system, created already confirmed.
    let phone = NewAuthenticationMethod::Phone(NewPhoneMethod {
        phone_number: "+14155550123".into(),
        preferred_authentication_method: Some(PreferredMethod::Sms),
        name: Some("Mobile".into()),
    });
    let app = NewAuthenticationMethod::Totp(NewTotpMethod {
        totp_secret: TotpSecret::new("JBSWY3DPEHPK3PXP"),
        name: Some("Authenticator".into()),
    });
    for factor in [&phone, &app] {
        let created = methods.create(&id, factor).await?;
        println!(
            "imported {} as {}",
            created.type_name(),
            created.id().unwrap_or("?")
        );
    }
    println!(
        "enrollments: {}",
        client.mfa().enrollments(&id).await?.len()
    );

    // Replace the phone by an email factor, keeping the app: preview first, then apply.
    let replacement = [
        ReplacementMethod::Email(NewEmailMethod {
            email: "backup@example.com".into(),
            name: None,
        }),
        ReplacementMethod::Totp(NewTotpMethod {
            totp_secret: TotpSecret::new("JBSWY3DPEHPK3PXP"),
            name: Some("Authenticator".into()),
        }),
    ];
    let plan = preview_replace(&methods.list(&id).await?, &replacement)?;
    println!(
        "PUT will remove {:?}, replace {:?}, create entries {:?}",
        plan.removed,
        plan.replaced.iter().map(|r| &r.old_id).collect::<Vec<_>>(),
        plan.created
    );
    let now = methods.replace(&id, &replacement).await?;
    println!("after PUT: {} methods", now.len());

    let code = client.mfa().regenerate_recovery_code(&id).await?;
    println!(
        "new recovery code issued ({} characters, not printed)",
        code.expose().len()
    );

    let report = client.mfa().reset(&id).await?;
    println!(
        "reset removed {} enrollments and {} methods (recovery code removed: {}); left: {:?}",
        report.enrollments_removed.len(),
        report.methods_removed.len(),
        report.recovery_code_removed,
        report
            .methods_left
            .iter()
            .map(|m| m.type_name())
            .collect::<Vec<_>>()
    );
    client.users().delete(&id).await?;
    Ok(())
}
