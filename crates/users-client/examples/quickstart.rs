//! The quickstart: create users, update one with the metadata merge example, link accounts both
//! ways, unlink, list, and clean up.
//!
//! ```sh
//! cargo run --example quickstart                       # on the embedded emulator
//! AUTH0_DOMAIN=tenant.eu.auth0.com AUTH0_CLIENT_ID=... AUTH0_CLIENT_SECRET=... \
//!     cargo run --example quickstart                   # on your tenant
//! ```

#[path = "support/connect.rs"]
mod connect;

use serde_json::json;
use users_client::model::{
    IdentityUserId, LinkRequest, LinkToken, ListUsersQuery, MetadataPatch, Password, Patch,
    Provider, UnlinkTarget, UserCreate, UserUpdate,
};
use users_client::{Client, MetadataKind};

type BoxError = Box<dyn std::error::Error>;

const DB: &str = "Username-Password-Authentication";

fn new_user(email: &str, password: &str) -> UserCreate {
    let mut u = UserCreate::new(DB);
    u.email = Some(email.to_owned());
    u.password = Some(Password::new(password));
    u
}

fn bare(id: &str) -> String {
    id.split_once('|').map_or(id, |(_, b)| b).to_owned()
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let (client, target) = connect::connect()?;
    match &target {
        connect::Target::Tenant(d) => println!("running against the tenant {d}"),
        connect::Target::Emulator(_) => println!("running against the embedded emulator"),
    }
    let suffix = connect::run_suffix();
    let password = format!("Quickstart-{suffix}-Pw!");
    let mut created = Vec::new();
    let result = run(&client, &target, &suffix, &password, &mut created).await;
    // Clean up whatever was created, even after a failure.
    for id in &created {
        if let Err(e) = client.users().delete(id).await {
            eprintln!("cleanup of {id} failed: {e}");
        }
    }
    println!("deleted {} users", created.len());
    result
}

async fn run(
    client: &Client,
    target: &connect::Target,
    suffix: &str,
    password: &str,
    created: &mut Vec<String>,
) -> Result<(), BoxError> {
    let users = client.users();
    let mut ids = Vec::new();
    for name in ["jane", "john", "jim"] {
        let email = format!("{name}.{suffix}@example.com");
        let user = users.create(&new_user(&email, password)).await?;
        let id = user.user_id.unwrap_or_default();
        println!("created {id} <{email}>");
        created.push(id.clone());
        ids.push(id);
    }
    let (jane, john, jim) = (&ids[0], &ids[1], &ids[2]);

    // The metadata example from Auth0's docs: the merge is one level deep.
    let mut first = MetadataPatch::new();
    first.set("profileCode", 1479);
    let mut update = UserUpdate::default();
    update.user_metadata = Some(first);
    users.update(jane, &update).await?;
    let mut addresses = MetadataPatch::new();
    addresses.set("addresses", json!({"work_address": "100 Industrial Way"}));
    let mut update = UserUpdate::default();
    update.user_metadata = Some(addresses);
    update.name = Patch::Set("Jane Doe".into());
    let stored = users.update(jane, &update).await?;
    println!(
        "merged user_metadata: {}",
        serde_json::to_string(&stored.user_metadata).unwrap_or_default()
    );

    // The docs' second step sends `addresses` with only `home_address`, which replaces the
    // whole `addresses` object and loses `work_address`. Describe the metadata wanted instead;
    // update_metadata reads the user and sends only the changed top-level keys.
    let stored = users
        .update_metadata(jane, MetadataKind::User, |current| {
            let mut next = current.cloned().unwrap_or_default();
            let addresses = next.entry("addresses").or_insert_with(|| json!({}));
            addresses["home_address"] = json!("742 Evergreen Terrace");
            next
        })
        .await?;
    println!(
        "after adding home_address: {}",
        serde_json::to_string(&stored.user_metadata).unwrap_or_default()
    );

    // Link by provider + user id (a Management token with update:users).
    let by_id = LinkRequest::Identity {
        provider: Provider::Auth0,
        user_id: IdentityUserId::String(bare(john)),
        connection_id: None,
    };
    let identities = users.link(jane, &by_id).await?;
    created.retain(|id| id != john);
    println!("linked {john} into {jane}: {} identities", identities.len());

    // Link with the secondary's ID token, called with the primary user's own token. That
    // needs a user login (the password-realm grant), which the emulator offers.
    if let connect::Target::Emulator(emulator) = target {
        let access = login(
            emulator,
            &format!("jane.{suffix}@example.com"),
            password,
            "openid update:current_user_identities",
        )
        .await?;
        let id_token =
            login_id_token(emulator, &format!("jim.{suffix}@example.com"), password).await?;
        let with = LinkRequest::Token {
            link_with: LinkToken::new(id_token),
        };
        let identities = users.link(jane, &with).bearer(access).await?;
        created.retain(|id| id != jim);
        println!(
            "linked {jim} into {jane} with link_with: {} identities",
            identities.len()
        );
    } else {
        println!("(link_with needs a user login; skipped on a tenant)");
    }

    // Unlink John again: he becomes a separate user without metadata.
    let remaining = users
        .unlink(jane, &UnlinkTarget::new(Provider::Auth0, bare(john)))
        .await?;
    created.push(john.clone());
    println!(
        "unlinked {john}: {jane} keeps {} identities",
        remaining.len()
    );

    let mut query = ListUsersQuery::default();
    query.per_page = Some(10);
    let page = users.list_page(&query).await?;
    println!("listed {} of {} users", page.users.len(), page.total);
    Ok(())
}

async fn token_request(
    emulator: &users_emulator::Emulator,
    username: &str,
    password: &str,
    scope: &str,
) -> Result<serde_json::Value, BoxError> {
    use users_client::transport::Transport;
    let body = json!({
        "grant_type": users_emulator::PASSWORD_REALM_GRANT,
        "client_id": users_emulator::DEFAULT_CLIENT_ID,
        "client_secret": users_emulator::DEFAULT_CLIENT_SECRET,
        "username": username, "password": password, "realm": DB, "scope": scope,
    });
    let request = http::Request::post("https://tenant.example/oauth/token")
        .header("content-type", "application/json")
        .body(bytes::Bytes::from(body.to_string()))?;
    let response = emulator.send(request).await?;
    Ok(serde_json::from_slice(response.body())?)
}

/// A user's access token (password-realm grant on the emulator).
async fn login(
    emulator: &users_emulator::Emulator,
    username: &str,
    password: &str,
    scope: &str,
) -> Result<String, BoxError> {
    let v = token_request(emulator, username, password, scope).await?;
    let token = v["access_token"].as_str().ok_or("login failed")?;
    Ok(token.to_owned())
}

/// A user's ID token, the `link_with` credential.
async fn login_id_token(
    emulator: &users_emulator::Emulator,
    username: &str,
    password: &str,
) -> Result<String, BoxError> {
    let v = token_request(emulator, username, password, "openid").await?;
    let token = v["id_token"].as_str().ok_or("login failed")?;
    Ok(token.to_owned())
}
