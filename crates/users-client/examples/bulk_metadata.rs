//! Set an `app_metadata` key on every user a search finds, politely: the client waits when the
//! rate limit runs out and retries 429s, and the stream reports when the 1000-record paging
//! limit cut the search short.
//!
//! `cargo run --example bulk_metadata` (emulator; set `AUTH0_DOMAIN`... for a tenant).

#[path = "support/connect.rs"]
mod connect;

use futures_util::StreamExt;
use serde_json::json;
use users_client::model::{ListUsersQuery, Password, SearchEngine, UserCreate};
use users_client::{Error, MetadataKind};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, target) = connect::connect()?;
    let users = client.users();
    let tag = connect::run_suffix();
    let mut created = Vec::new();
    if let connect::Target::Emulator(_) = target {
        for i in 0..25 {
            let mut u = UserCreate::new("Username-Password-Authentication");
            u.email = Some(format!("bulk{i}.{tag}@example.com"));
            u.password = Some(Password::new("Bulk-metadata-Pw1!"));
            created.push(users.create(&u).await?.user_id.unwrap_or_default());
        }
    }
    let mut query = ListUsersQuery::default();
    query.q = Some(format!("email:*{tag}@example.com"));
    query.search_engine = Some(SearchEngine::V3);
    query.per_page = Some(50);
    query.fields = Some("user_id".into());
    query.include_fields = Some(true);
    let mut found = std::pin::pin!(users.list_stream(query));
    let mut updated = 0;
    while let Some(item) = found.next().await {
        let user = match item {
            Ok(user) => user,
            Err(Error::Truncated { total, returned }) => {
                eprintln!("search matched {total} users; only {returned} are reachable by paging");
                break;
            }
            Err(e) => return Err(e.into()),
        };
        let Some(id) = user.user_id else { continue };
        users
            .update_metadata(&id, MetadataKind::App, |current| {
                let mut next = current.cloned().unwrap_or_default();
                next.insert("migrated".into(), json!(true));
                next
            })
            .await?;
        updated += 1;
    }
    println!("set app_metadata.migrated on {updated} users");
    for id in created {
        users.delete(&id).await?;
    }
    Ok(())
}
