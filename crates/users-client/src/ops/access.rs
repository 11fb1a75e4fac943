//! A user's roles, permissions and organizations: `/api/v2/users/{id}/roles`,
//! `/users/{id}/permissions` and `/users/{id}/organizations`.

use futures_core::Stream;
use serde::Deserialize;
use users_model::operation::{self, Operation};
use users_model::{
    Organization, OrganizationsPage, PageQuery, Permissions, PermissionsPage, Role, RoleIds,
    RolesPage, UserPermission,
};

use super::sub_pages::{Page, stream_all};
use crate::client::Client;
use crate::engine::call::{Call, RequestSpec, decode_json, decode_unit, serialize_json};
use crate::error::Error;
use crate::ops::users::Users;

/// A list in either of the server's shapes (`include_totals` false or true).
#[derive(Deserialize)]
#[serde(untagged)]
enum List<T, P> {
    Bare(Vec<T>),
    Page(P),
}

/// The request for a list operation, its query checked first (unless validation is off).
fn list_spec(
    client: &Client,
    op: &'static Operation,
    id: &str,
    query: &PageQuery,
) -> Result<RequestSpec, Error> {
    let checked = if client.inner.validate {
        query.validate()
    } else {
        Ok(())
    };
    let spec = RequestSpec::of(op, &[id]).map(|s| s.query(query.to_query_pairs()));
    RequestSpec::validated(spec, checked)
}

/// The request for an assignment body, validated first (unless validation is off).
fn body_spec<B: serde::Serialize>(
    client: &Client,
    op: &'static Operation,
    id: &str,
    body: &B,
    validate: impl FnOnce(&B) -> Result<(), users_model::Violations>,
) -> Result<RequestSpec, Error> {
    let spec = RequestSpec::of(op, &[id])?;
    let checked = if client.inner.validate {
        validate(body)
    } else {
        Ok(())
    };
    spec.json_checked(serialize_json(body), checked)
}

fn forced_totals(query: &PageQuery) -> PageQuery {
    let mut forced = *query;
    forced.include_totals = Some(true);
    forced
}

fn page_query(page: u32, per_page: u32) -> PageQuery {
    let mut query = PageQuery::default();
    query.page = Some(page);
    query.per_page = Some(per_page);
    query.include_totals = Some(true);
    query
}

/// A page of a user's roles, permissions or organizations (`include_totals=true`), and the
/// operation that lists them: what the list, page and stream methods share.
trait SubPage: serde::de::DeserializeOwned + Send + 'static {
    type Item: serde::de::DeserializeOwned + Send + 'static;
    const OP: &'static Operation;
    fn into_page(self) -> Page<Self::Item>;
}

macro_rules! sub_page {
    ($page:ty, $item:ty, $field:ident, $op:expr) => {
        impl SubPage for $page {
            type Item = $item;
            const OP: &'static Operation = &$op;
            fn into_page(self) -> Page<$item> {
                Page {
                    items: self.$field,
                    start: self.start,
                    limit: self.limit,
                    total: self.total,
                }
            }
        }
    };
}

sub_page!(RolesPage, Role, roles, operation::LIST_USER_ROLES);
sub_page!(
    PermissionsPage,
    UserPermission,
    permissions,
    operation::LIST_USER_PERMISSIONS
);
sub_page!(
    OrganizationsPage,
    Organization,
    organizations,
    operation::LIST_USER_ORGANIZATIONS
);

/// The items of a list, whichever shape the server answered with.
fn list_items<P: SubPage>(client: &Client, id: &str, query: &PageQuery) -> Call<Vec<P::Item>> {
    let spec = list_spec(client, P::OP, id, query);
    Call::new(client, spec, |status, body| {
        decode_json::<List<P::Item, P>>(status, body).map(|l| match l {
            List::Bare(items) => items,
            List::Page(page) => page.into_page().items,
        })
    })
}

/// One page with its totals (`include_totals` forced on).
fn list_page<P: SubPage>(client: &Client, id: &str, query: &PageQuery) -> Call<P> {
    let spec = list_spec(client, P::OP, id, &forced_totals(query));
    Call::new(client, spec, decode_json)
}

/// Every item, `per_page` at a time.
fn list_all<P: SubPage>(
    client: &Client,
    id: &str,
    per_page: u32,
) -> impl Stream<Item = Result<P::Item, Error>> + Send + 'static {
    stream_all(client, id, per_page, None, |client, id, page, per_page| {
        let spec = list_spec(client, P::OP, id, &page_query(page, per_page));
        Call::new(client, spec, |status, body| {
            decode_json::<P>(status, body).map(SubPage::into_page)
        })
    })
}

impl Users<'_> {
    /// Lists the roles assigned to a user (tenant-wide roles, not organization roles).
    ///
    /// `GET /api/v2/users/{id}/roles`; scopes `read:users`, `read:roles` or
    /// `read:role_members` (any one). Answers the items whichever shape the server used.
    ///
    /// # Errors
    /// [`Error::Validation`] for `per_page` outside 1-100; [`Error::InvalidArgument`] for an
    /// empty id; [`Error::Api`] 404 when the user does not exist, 403 without a scope;
    /// transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com"}],
    /// #     "roles": [{"id": "rol_analyst", "name": "analyst"}],
    /// #     "assignments": [{"user_id": "auth0|123", "roles": ["analyst"]}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use users_client::model::PageQuery;
    /// let roles = client.users().roles("auth0|123", &PageQuery::default()).await?;
    /// assert_eq!(roles[0].name.as_deref(), Some("analyst"));
    /// # Ok(()) }
    /// ```
    pub fn roles(&self, id: &str, query: &PageQuery) -> Call<Vec<Role>> {
        list_items::<RolesPage>(self.client, id, query)
    }

    /// One page of a user's roles with its totals (`include_totals=true` is always sent).
    ///
    /// `GET /api/v2/users/{id}/roles?include_totals=true`; scopes as [`roles`](Self::roles).
    ///
    /// # Errors
    /// As [`roles`](Self::roles).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::PageQuery;
    /// let page = client.users().roles_page("auth0|123", &PageQuery::default()).await?;
    /// assert_eq!(page.total, 0);
    /// # Ok(()) }
    /// ```
    pub fn roles_page(&self, id: &str, query: &PageQuery) -> Call<RolesPage> {
        list_page(self.client, id, query)
    }

    /// Streams every role of a user, `per_page` (1-100) at a time.
    ///
    /// `GET /api/v2/users/{id}/roles?include_totals=true&page=N`; scopes as
    /// [`roles`](Self::roles).
    ///
    /// # Errors
    /// Items are `Err` for API and transport errors (the stream then ends) and
    /// [`Error::InvalidArgument`] for a bad `per_page`.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com"}],
    /// #     "roles": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
    /// #     "assignments": [{"user_id": "auth0|123", "roles": ["a", "b", "c"]}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use futures_util::TryStreamExt;
    /// let roles: Vec<_> = client.users().roles_stream("auth0|123", 2).try_collect().await?;
    /// assert_eq!(roles.len(), 3);
    /// # Ok(()) }
    /// ```
    pub fn roles_stream(
        &self,
        id: &str,
        per_page: u32,
    ) -> impl Stream<Item = Result<Role, Error>> + Send + 'static {
        list_all::<RolesPage>(self.client, id, per_page)
    }

    /// Assigns roles to a user; assigning a role it has already is not an error.
    ///
    /// `POST /api/v2/users/{id}/roles` `{"roles": [ids]}` → 204; scopes `update:users` or
    /// `create:role_members`. Retried like a PUT: assigning twice leaves one assignment.
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty list or an empty id in it (every violation at
    /// once); [`Error::Api`] 404 when the user or a role does not exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com"}],
    /// #     "roles": [{"id": "rol_analyst", "name": "analyst"}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use users_client::model::RoleIds;
    /// client.users().assign_roles("auth0|123", &RoleIds::new(["rol_analyst"])).await?;
    /// # Ok(()) }
    /// ```
    pub fn assign_roles(&self, id: &str, roles: &RoleIds) -> Call<()> {
        let spec = body_spec(
            self.client,
            &operation::ASSIGN_USER_ROLES,
            id,
            roles,
            RoleIds::validate,
        );
        Call::new(self.client, spec, decode_unit)
    }

    /// Removes roles from a user; roles it does not have are ignored.
    ///
    /// `DELETE /api/v2/users/{id}/roles` with `{"roles": [ids]}` → 204; scopes `update:users`
    /// or `delete:role_members`.
    ///
    /// # Errors
    /// [`Error::Validation`] as for [`assign_roles`](Self::assign_roles); [`Error::Api`] 404
    /// when the user does not exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com"}],
    /// #     "roles": [{"id": "rol_analyst", "name": "analyst"}],
    /// #     "assignments": [{"user_id": "auth0|123", "roles": ["analyst"]}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use users_client::model::RoleIds;
    /// client.users().remove_roles("auth0|123", &RoleIds::new(["rol_analyst"])).await?;
    /// # Ok(()) }
    /// ```
    pub fn remove_roles(&self, id: &str, roles: &RoleIds) -> Call<()> {
        let spec = body_spec(
            self.client,
            &operation::REMOVE_USER_ROLES,
            id,
            roles,
            RoleIds::validate,
        );
        Call::new(self.client, spec, decode_unit)
    }

    /// Lists a user's permissions: assigned directly and through roles, each with its
    /// `sources`.
    ///
    /// `GET /api/v2/users/{id}/permissions`; scope `read:users`.
    ///
    /// # Errors
    /// As [`roles`](Self::roles).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com"}],
    /// #     "resource_servers": [{"identifier": "https://api.example.com/", "scopes": [{"value": "read:reports"}]}],
    /// #     "assignments": [{"user_id": "auth0|123", "permissions": [{"resource_server_identifier":
    /// #         "https://api.example.com/", "permission_name": "read:reports"}]}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use users_client::model::PageQuery;
    /// let permissions = client.users().permissions("auth0|123", &PageQuery::default()).await?;
    /// assert_eq!(permissions[0].permission_name.as_deref(), Some("read:reports"));
    /// # Ok(()) }
    /// ```
    pub fn permissions(&self, id: &str, query: &PageQuery) -> Call<Vec<UserPermission>> {
        list_items::<PermissionsPage>(self.client, id, query)
    }

    /// One page of a user's permissions with its totals.
    ///
    /// `GET /api/v2/users/{id}/permissions?include_totals=true`; scope `read:users`.
    ///
    /// # Errors
    /// As [`roles`](Self::roles).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::PageQuery;
    /// let page = client.users().permissions_page("auth0|123", &PageQuery::default()).await?;
    /// assert!(page.permissions.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn permissions_page(&self, id: &str, query: &PageQuery) -> Call<PermissionsPage> {
        list_page(self.client, id, query)
    }

    /// Streams every permission of a user, `per_page` (1-100) at a time.
    ///
    /// `GET /api/v2/users/{id}/permissions?include_totals=true&page=N`; scope `read:users`.
    ///
    /// # Errors
    /// As [`roles_stream`](Self::roles_stream).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use futures_util::TryStreamExt;
    /// let all: Vec<_> = client.users().permissions_stream("auth0|123", 50).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn permissions_stream(
        &self,
        id: &str,
        per_page: u32,
    ) -> impl Stream<Item = Result<UserPermission, Error>> + Send + 'static {
        list_all::<PermissionsPage>(self.client, id, per_page)
    }

    /// Assigns permissions (resource server + permission name) to a user directly.
    ///
    /// `POST /api/v2/users/{id}/permissions` `{"permissions": [...]}` → 201; scope
    /// `update:users`.
    ///
    /// # Errors
    /// [`Error::Validation`] for an empty list or empty names (every violation at once);
    /// [`Error::Api`] 404 `inexistent_resource_server_permission` when no resource server
    /// defines a permission, 404 when the user does not exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com"}],
    /// #     "resource_servers": [{"identifier": "https://api.example.com/", "scopes": [{"value": "read:reports"}]}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use users_client::model::{PermissionRef, Permissions};
    /// let read = PermissionRef::new("https://api.example.com/", "read:reports");
    /// client.users().assign_permissions("auth0|123", &Permissions::new([read])).await?;
    /// # Ok(()) }
    /// ```
    pub fn assign_permissions(&self, id: &str, permissions: &Permissions) -> Call<()> {
        let spec = body_spec(
            self.client,
            &operation::ASSIGN_USER_PERMISSIONS,
            id,
            permissions,
            Permissions::validate,
        );
        Call::new(self.client, spec, decode_unit)
    }

    /// Removes directly assigned permissions from a user (those it has through roles stay).
    ///
    /// `DELETE /api/v2/users/{id}/permissions` with `{"permissions": [...]}` → 204; scope
    /// `update:users`.
    ///
    /// # Errors
    /// [`Error::Validation`] as for [`assign_permissions`](Self::assign_permissions);
    /// [`Error::Api`] 404 when the user does not exist; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::{PermissionRef, Permissions};
    /// let read = PermissionRef::new("https://api.example.com/", "read:reports");
    /// client.users().remove_permissions("auth0|123", &Permissions::new([read])).await?;
    /// # Ok(()) }
    /// ```
    pub fn remove_permissions(&self, id: &str, permissions: &Permissions) -> Call<()> {
        let spec = body_spec(
            self.client,
            &operation::REMOVE_USER_PERMISSIONS,
            id,
            permissions,
            Permissions::validate,
        );
        Call::new(self.client, spec, decode_unit)
    }

    /// Lists the organizations a user is a member of.
    ///
    /// `GET /api/v2/users/{id}/organizations`; scope `read:organizations`.
    ///
    /// # Errors
    /// As [`roles`](Self::roles).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let emulator = users_doctest::emulator_with(&serde_json::json!({"users": [{"user_id": "auth0|123",
    /// #     "connection": "Username-Password-Authentication", "email": "jane@example.com"}],
    /// #     "organizations": [{"name": "acme", "display_name": "Acme", "members": ["auth0|123"]}]}));
    /// # let client = users_doctest::client_for(&emulator);
    /// use users_client::model::PageQuery;
    /// let orgs = client.users().organizations("auth0|123", &PageQuery::default()).await?;
    /// assert_eq!(orgs[0].name.as_deref(), Some("acme"));
    /// # Ok(()) }
    /// ```
    pub fn organizations(&self, id: &str, query: &PageQuery) -> Call<Vec<Organization>> {
        list_items::<OrganizationsPage>(self.client, id, query)
    }

    /// One page of a user's organizations with its totals.
    ///
    /// `GET /api/v2/users/{id}/organizations?include_totals=true`; scope
    /// `read:organizations`.
    ///
    /// # Errors
    /// As [`roles`](Self::roles).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use users_client::model::PageQuery;
    /// let page = client.users().organizations_page("auth0|123", &PageQuery::default()).await?;
    /// assert_eq!(page.total, 0);
    /// # Ok(()) }
    /// ```
    pub fn organizations_page(&self, id: &str, query: &PageQuery) -> Call<OrganizationsPage> {
        list_page(self.client, id, query)
    }

    /// Streams every organization of a user, `per_page` (1-100) at a time.
    ///
    /// `GET /api/v2/users/{id}/organizations?include_totals=true&page=N`; scope
    /// `read:organizations`.
    ///
    /// # Errors
    /// As [`roles_stream`](Self::roles_stream).
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// use futures_util::TryStreamExt;
    /// let all: Vec<_> = client.users().organizations_stream("auth0|123", 50).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn organizations_stream(
        &self,
        id: &str,
        per_page: u32,
    ) -> impl Stream<Item = Result<Organization, Error>> + Send + 'static {
        list_all::<OrganizationsPage>(self.client, id, per_page)
    }
}
