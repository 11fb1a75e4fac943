//! Brute-force blocks: `/api/v2/user-blocks`.

use users_model::{UserBlocks, operation};

use crate::client::Client;
use crate::engine::call::{Call, RequestSpec, decode_json, decode_unit};
use crate::error::Error;

/// The user-blocks operations, from [`Client::user_blocks`].
#[derive(Clone, Copy, Debug)]
pub struct Blocks<'a> {
    client: &'a Client,
}

impl Client {
    /// The user-blocks operations (brute-force protection blocks; `blocked: false` on a user
    /// does not clear these).
    pub fn user_blocks(&self) -> Blocks<'_> {
        Blocks { client: self }
    }
}

fn consider_pairs(consider_brute_force_enablement: Option<bool>) -> Vec<(&'static str, String)> {
    consider_brute_force_enablement
        .map(|c| vec![("consider_brute_force_enablement", c.to_string())])
        .unwrap_or_default()
}

fn identifier_pair(identifier: &str) -> Result<Vec<(&'static str, String)>, Error> {
    if identifier.is_empty() {
        return Err(Error::InvalidArgument {
            argument: "identifier",
            reason: "must not be empty",
        });
    }
    Ok(vec![("identifier", identifier.to_owned())])
}

impl Blocks<'_> {
    /// The blocks on one user.
    ///
    /// `GET /api/v2/user-blocks/{id}`; scope `read:users`. With
    /// `consider_brute_force_enablement = Some(true)`, blocks are reported only when brute-force
    /// protection is enabled for the connection.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`] (404 when the user does not
    /// exist); transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// let blocks = client.user_blocks().get("auth0|123", None).await?;
    /// println!("{} blocks", blocks.blocked_for.len());
    /// # Ok(()) }
    /// ```
    pub fn get(&self, id: &str, consider_brute_force_enablement: Option<bool>) -> Call<UserBlocks> {
        let spec = RequestSpec::of(&operation::GET_USER_BLOCKS, &[id])
            .map(|s| s.query(consider_pairs(consider_brute_force_enablement)));
        Call::new(self.client, spec, decode_json)
    }

    /// The blocks for an identifier (username, phone number or email), across users.
    ///
    /// `GET /api/v2/user-blocks?identifier=..`; scope `read:users`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty identifier; [`Error::Api`]; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// let blocks = client.user_blocks().get_by_identifier("jane@example.com", None).await?;
    /// # Ok(()) }
    /// ```
    pub fn get_by_identifier(
        &self,
        identifier: &str,
        consider_brute_force_enablement: Option<bool>,
    ) -> Call<UserBlocks> {
        let spec = identifier_pair(identifier).and_then(|mut q| {
            q.extend(consider_pairs(consider_brute_force_enablement));
            RequestSpec::of(&operation::LIST_BLOCKS_BY_IDENTIFIER, &[]).map(|s| s.query(q))
        });
        Call::new(self.client, spec, decode_json)
    }

    /// Clears the blocks on one user.
    ///
    /// `DELETE /api/v2/user-blocks/{id}`; scope `update:users`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id; [`Error::Api`]; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// client.user_blocks().delete("auth0|123").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: &str) -> Call<()> {
        let spec = RequestSpec::of(&operation::DELETE_USER_BLOCKS, &[id]);
        Call::new(self.client, spec, decode_unit)
    }

    /// Clears the blocks for an identifier.
    ///
    /// `DELETE /api/v2/user-blocks?identifier=..`; scope `update:users`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty identifier; [`Error::Api`]; transport errors.
    ///
    /// # Example
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = users_doctest::client();
    /// client.user_blocks().delete_by_identifier("jane@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_by_identifier(&self, identifier: &str) -> Call<()> {
        let spec = identifier_pair(identifier).and_then(|q| {
            RequestSpec::of(&operation::DELETE_BLOCKS_BY_IDENTIFIER, &[]).map(|s| s.query(q))
        });
        Call::new(self.client, spec, decode_unit)
    }
}
