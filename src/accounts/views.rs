//! The response types of accounts (what the OpenAPI document shows).

use serde::Serialize;
use utoipa::ToSchema;

use super::{
    role::Role,
    store::{Address, User},
};
use crate::db::types::format_micros;

/// A user as the API shows it to themselves (registration, profile).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    /// RFC 3339 UTC.
    pub date_joined: String,
    /// RFC 3339 UTC; null until the first login.
    pub last_login: Option<String>,
}

impl From<&User> for UserResponse {
    fn from(user: &User) -> Self {
        UserResponse {
            id: user.id,
            email: user.email.clone(),
            username: user.username.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            role: user.role,
            date_joined: format_micros(user.date_joined),
            last_login: user.last_login.map(format_micros),
        }
    }
}

/// A user as admins see it: the profile plus `is_active`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserResponse {
    #[serde(flatten)]
    pub user: UserResponse,
    pub is_active: bool,
}

impl From<&User> for AdminUserResponse {
    fn from(user: &User) -> Self {
        AdminUserResponse {
            user: UserResponse::from(user),
            is_active: user.is_active.0,
        }
    }
}

/// A fresh access/refresh pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// Access JWT (HS256), sent as `Authorization: Bearer <access>`.
    pub access: String,
    /// Refresh JWT, exchanged at `auth/jwt/refresh/`; single-use.
    pub refresh: String,
}

/// The new user and a signed-in token pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterResponse {
    pub user: UserResponse,
    #[serde(flatten)]
    pub tokens: TokenPair,
}

/// An empty JSON object (`{}`), what a successful verification answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Empty {}

/// A one-line outcome (`{"message": "..."}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    pub message: String,
}

/// A one-line outcome (`{"detail": "..."}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct DetailResponse {
    pub detail: &'static str,
}

/// The outcome, under both keys Django clients read.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordChanged {
    pub detail: &'static str,
    pub message: &'static str,
}

/// An address as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressResponse {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub address_line_1: String,
    pub address_line_2: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    pub phone_number: String,
    pub is_default: bool,
}

impl From<Address> for AddressResponse {
    fn from(a: Address) -> Self {
        let f = a.fields;
        AddressResponse {
            id: a.id,
            first_name: f.first_name,
            last_name: f.last_name,
            address_line_1: f.address_line_1,
            address_line_2: f.address_line_2,
            city: f.city,
            postal_code: f.postal_code,
            country: f.country,
            phone_number: f.phone_number,
            is_default: a.is_default.0,
        }
    }
}
