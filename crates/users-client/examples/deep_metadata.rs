//! Change one nested metadata key without clobbering its siblings.
//!
//! The API merges metadata one level deep: sending `{"addresses": {"home": ..}}` would replace
//! the whole `addresses` object. `update_metadata` reads the user, lets you edit a copy, and
//! sends only the top-level keys that changed (with their full new value).
//!
//! `cargo run --example deep_metadata` (emulator; set `AUTH0_DOMAIN`... for a tenant).

#[path = "support/connect.rs"]
mod connect;

use serde_json::json;
use users_client::MetadataKind;
use users_client::model::{Password, UserCreate};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _target) = connect::connect()?;
    let users = client.users();
    let mut new = UserCreate::new("Username-Password-Authentication");
    new.email = Some(format!("deep.{}@example.com", connect::run_suffix()));
    new.password = Some(Password::new("Deep-metadata-Pw1!"));
    new.user_metadata = Some(
        json!({"profileCode": 1479, "addresses": {"work_address": "100 Industrial Way"}})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    );
    let user = users.create(&new).await?;
    let id = user.user_id.unwrap_or_default();

    let stored = users
        .update_metadata(&id, MetadataKind::User, |current| {
            let mut next = current.cloned().unwrap_or_default();
            let addresses = next.entry("addresses").or_insert_with(|| json!({}));
            if let Some(map) = addresses.as_object_mut() {
                map.insert("home_address".into(), json!("742 Evergreen Terrace"));
            }
            next
        })
        .await?;
    println!(
        "stored user_metadata: {}",
        serde_json::to_string_pretty(&stored.user_metadata)?
    );
    users.delete(&id).await?;
    Ok(())
}
