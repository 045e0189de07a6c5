//! The request bodies of accounts: typed structs read field by field with
//! [`crate::validation::FromForm`] (received through `http::extract::Valid<T>`), each the type
//! the OpenAPI document shows. Checks that need the database or the stored user (a taken
//! username, a wrong old password, the password rules) are the handlers'.

mod address;
mod auth;
mod passwords;
mod users;

pub use address::AddressRequest;
pub use auth::{LoginRequest, LogoutRequest, RefreshRequest, RegisterRequest, VerifyRequest};
pub use passwords::{ChangePasswordRequest, ResetConfirmRequest, ResetRequest};
pub use users::{AdminUserUpdate, ProfileRequest};

use serde_json::Value;

use crate::validation::{messages, Form};

/// An optional secret (a confirmation): kept as given, untrimmed; absent or `null` is `None`.
fn optional_secret(form: &mut Form, name: &str) -> Option<String> {
    match form.raw(name, false)? {
        Value::String(secret) => Some(secret),
        Value::Null => None,
        _ => form.fail(name, messages::NOT_A_STRING),
    }
}
