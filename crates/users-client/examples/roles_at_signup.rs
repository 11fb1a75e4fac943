//! Assign a role at sign-up, read the permissions it brings, and read the user's log: what an
//! application does right after creating an account.
//!
//! `cargo run --example roles_at_signup` runs on the embedded emulator, set up by its seed
//! document with an API, its permissions and a role. For a tenant, set `AUTH0_DOMAIN` (and
//! credentials, see `support/connect.rs`) and `AUTH0_ROLE_ID` (a role that exists there).

#[path = "support/connect.rs"]
mod connect;

use futures_util::TryStreamExt;
use users_client::model::{Password, RoleIds, UserCreate, UserLogsQuery};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, target) = connect::connect()?;
    let role_id = match &target {
        connect::Target::Emulator(emulator) => {
            // On a tenant these exist already; here the seed document creates them.
            emulator.seed(&serde_json::json!({
                "resource_servers": [{"identifier": "https://reports.example.com/", "name": "Reports",
                    "scopes": [{"value": "read:reports", "description": "Read reports"},
                               {"value": "export:reports", "description": "Export reports"}]}],
                "roles": [{"id": "rol_reader", "name": "reader", "description": "Reads and exports reports",
                    "permissions": [
                        {"resource_server_identifier": "https://reports.example.com/", "permission_name": "read:reports"},
                        {"resource_server_identifier": "https://reports.example.com/", "permission_name": "export:reports"}]}]
            }))?;
            "rol_reader".to_owned()
        }
        connect::Target::Tenant(_) => std::env::var("AUTH0_ROLE_ID")
            .map_err(|_| "set AUTH0_ROLE_ID to a role of the tenant")?,
    };

    let users = client.users();
    let mut signup = UserCreate::new("Username-Password-Authentication");
    signup.email = Some(format!("reader.{}@example.com", connect::run_suffix()));
    signup.password = Some(Password::new("Reader-signup-Pw1!"));
    let user = users.create(&signup).await?;
    let id = user.user_id.unwrap_or_default();

    // The role, assigned at sign-up. Repeating it is harmless (it is retried like a PUT).
    users
        .assign_roles(&id, &RoleIds::new([role_id.clone()]))
        .await?;
    let roles: Vec<_> = users.roles_stream(&id, 50).try_collect().await?;
    println!(
        "roles: {:?}",
        roles.iter().map(|r| r.name.as_deref()).collect::<Vec<_>>()
    );

    // What the role grants: each permission with where it comes from.
    let permissions: Vec<_> = users.permissions_stream(&id, 50).try_collect().await?;
    for p in &permissions {
        let sources: Vec<_> = p
            .sources
            .iter()
            .flatten()
            .map(|s| {
                format!(
                    "{} {}",
                    s.source_type.as_deref().unwrap_or("?"),
                    s.source_name.as_deref().unwrap_or("")
                )
            })
            .collect();
        println!(
            "permission {} on {} via {sources:?}",
            p.permission_name.as_deref().unwrap_or("?"),
            p.resource_server_identifier.as_deref().unwrap_or("?"),
        );
    }

    // The user's log, newest first: the sign-up is there (`ss`).
    let events = users.logs(&id, &UserLogsQuery::default()).await?;
    for event in &events {
        println!(
            "log {} at {:?}",
            event.event_type.as_deref().unwrap_or("?"),
            event.date
        );
    }

    users.delete(&id).await?;
    Ok(())
}
