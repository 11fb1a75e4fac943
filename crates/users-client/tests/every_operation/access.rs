//! A user's roles, permissions, organizations and logs, end to end: the tenant set up by seed,
//! each operation sent through the client.

use serde_json::json;
use users_model::{PageQuery, PermissionRef, Permissions, RoleIds, UserLogsQuery};

use crate::env::Env;

pub async fn exercise(env: &Env) {
    let api = "https://access.example.com/";
    env.emulator
        .seed(&json!({
            "users": [{"user_id": "auth0|access", "connection": "Username-Password-Authentication",
                       "email": "access@example.com"}],
            "resource_servers": [{"identifier": api, "scopes": [{"value": "read:a"}]}],
            "roles": [{"id": "rol_access", "name": "access"}],
            "organizations": [{"name": "access-org", "members": ["auth0|access"]}]
        }))
        .expect("seed");
    let users = env.client.users();
    let id = "auth0|access";
    let roles = RoleIds::new(["rol_access"]);
    users.assign_roles(id, &roles).await.expect("assign roles");
    assert_eq!(
        users
            .roles(id, &PageQuery::default())
            .await
            .expect("roles")
            .len(),
        1
    );
    users.remove_roles(id, &roles).await.expect("remove roles");
    let permissions = Permissions::new([PermissionRef::new(api, "read:a")]);
    users
        .assign_permissions(id, &permissions)
        .await
        .expect("assign permissions");
    assert_eq!(
        users
            .permissions(id, &PageQuery::default())
            .await
            .expect("permissions")
            .len(),
        1
    );
    users
        .remove_permissions(id, &permissions)
        .await
        .expect("remove permissions");
    let orgs = users
        .organizations_page(id, &PageQuery::default())
        .await
        .expect("organizations");
    assert_eq!(orgs.total, 1);
    let logs = users
        .logs(id, &UserLogsQuery::default())
        .await
        .expect("logs");
    assert!(logs.is_empty(), "seeded users have no events: {logs:?}");
}
