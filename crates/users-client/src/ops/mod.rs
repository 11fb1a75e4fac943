//! The operation surface: one file per resource group, each describing its requests (from the
//! operation descriptions in `users_model::operation`) and their types. Nothing here sends.

pub(crate) mod access;
pub(crate) mod auth_methods;
pub(crate) mod blocks;
pub(crate) mod checkpoint;
pub(crate) mod logs;
pub(crate) mod metadata;
pub(crate) mod mfa;
pub(crate) mod paging;
pub(crate) mod sessions;
pub(crate) mod sub_pages;
pub(crate) mod users;
