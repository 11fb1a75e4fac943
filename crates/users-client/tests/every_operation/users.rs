//! `/users`, `/users-by-email` and identities, end to end.

use users_client::FieldsQuery;
use users_client::model::{
    IdentityUserId, LinkRequest, ListUsersQuery, Password, Patch, Provider, UnlinkTarget,
    UserCreate, UserUpdate, UsersByEmailQuery,
};

use crate::env::Env;

const DB: &str = "Username-Password-Authentication";

fn signup(email: &str) -> UserCreate {
    let mut create = UserCreate::new(DB);
    create.email = Some(email.to_owned());
    create.password = Some(Password::new("Passw0rd!x-long"));
    create
}

pub async fn exercise(env: &Env) {
    let users = env.client.users();
    let primary = users
        .create(&signup("primary@example.com"))
        .await
        .expect("create");
    let primary_id = primary.user_id.clone().expect("an id");
    let secondary = users
        .create(&signup("secondary@example.com"))
        .await
        .expect("create");
    let secondary_id = secondary.user_id.clone().expect("an id");

    let read = users.get(&primary_id).await.expect("get");
    assert_eq!(read.email.as_deref(), Some("primary@example.com"));
    let only = users
        .get_with(&primary_id, &FieldsQuery::include("user_id"))
        .await
        .expect("get with fields");
    assert!(only.email.is_none());

    let mut update = UserUpdate::default();
    update.name = Patch::Set("Primary".into());
    let updated = users.update(&primary_id, &update).await.expect("update");
    assert_eq!(updated.name.as_deref(), Some("Primary"));

    let listed = users.list(&ListUsersQuery::default()).await.expect("list");
    assert_eq!(listed.len(), 2);
    let by_email = users
        .by_email(&UsersByEmailQuery::new("secondary@example.com"))
        .await
        .expect("by email");
    assert_eq!(by_email.len(), 1);

    let bare = secondary_id
        .split_once('|')
        .map(|(_, b)| b)
        .unwrap_or_default();
    let link = LinkRequest::Identity {
        provider: Provider::Auth0,
        user_id: IdentityUserId::String(bare.to_owned()),
        connection_id: None,
    };
    let identities = users.link(&primary_id, &link).await.expect("link");
    assert_eq!(identities.len(), 2);
    let target = UnlinkTarget::new(Provider::Auth0, bare);
    let remaining = users.unlink(&primary_id, &target).await.expect("unlink");
    assert_eq!(remaining.len(), 1);

    users.delete(&secondary_id).await.expect("delete");
    let gone = users.get(&secondary_id).await.expect_err("deleted");
    assert!(gone.is_not_found(), "{gone}");
}
