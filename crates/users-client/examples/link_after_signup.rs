//! Link a new sign-up to an existing account with the same verified email: the common
//! "one person, two logins" case. (Search is eventually consistent, so users-by-email is used.)
//!
//! `cargo run --example link_after_signup` (emulator; set `AUTH0_DOMAIN`... for a tenant).

#[path = "support/connect.rs"]
mod connect;

use users_client::model::{
    IdentityUserId, LinkRequest, Password, Provider, UserCreate, UsersByEmailQuery,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _target) = connect::connect()?;
    let users = client.users();
    let email = format!("signup.{}@example.com", connect::run_suffix());
    let mut existing = UserCreate::new("Username-Password-Authentication");
    existing.email = Some(email.clone());
    existing.email_verified = Some(true);
    existing.password = Some(Password::new("Existing-account-Pw1!"));
    let primary = users.create(&existing).await?;
    let primary_id = primary.user_id.unwrap_or_default();

    // The new sign-up, in a second database connection.
    let mut signup = UserCreate::new("username-db");
    signup.email = Some(email.clone());
    signup.username = Some(format!("signup{}", connect::run_suffix()));
    signup.password = Some(Password::new("New-signup-Pw1!"));
    let secondary = match users.create(&signup).await {
        Ok(user) => user,
        Err(e) => {
            users.delete(&primary_id).await?;
            return Err(e.into());
        }
    };
    let secondary_id = secondary.user_id.unwrap_or_default();

    let same_email = users
        .by_email(&UsersByEmailQuery::new(email.clone()))
        .await?;
    println!("{} accounts share {email}", same_email.len());
    let (provider, bare) = secondary_id
        .split_once('|')
        .unwrap_or(("auth0", &secondary_id));
    let link = LinkRequest::Identity {
        provider: Provider::from(provider),
        user_id: IdentityUserId::String(bare.to_owned()),
        connection_id: None,
    };
    let identities = users.link(&primary_id, &link).await?;
    println!("{primary_id} now has {} identities", identities.len());
    users.delete(&primary_id).await?;
    Ok(())
}
