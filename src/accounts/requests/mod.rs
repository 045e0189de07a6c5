//! The request bodies of accounts: typed structs read field by field with
//! [`crate::validation::FromForm`], each the type the OpenAPI document shows. Checks that need
//! the database or the stored user (a taken username, a wrong old password, the password rules)
//! are the handlers': those bodies have `Option` fields and are received as
//! `validation::Draft<T>`, so one `400` lists the field errors with the handler's; the others
//! are received through `http::extract::Valid<T>`.

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
