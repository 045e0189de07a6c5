//! Accounts: registration, JWT auth, profiles, passwords, addresses and user administration.

pub mod address_store;
pub mod addresses;
pub mod admin_users;
pub mod cli;
mod fields;
pub mod password;
pub mod password_change;
pub mod password_reset;
pub mod password_rules;
pub mod profile;
pub mod refresh_tokens;
pub mod registration;
pub mod role;
pub mod session;
pub mod tokens;
pub mod users;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// Every accounts route under `/api/v1` (alias paths are mapped onto these in `http::aliases`).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(registration::create_user))
        .routes(routes!(session::create_token))
        .routes(routes!(session::refresh_token))
        .routes(routes!(session::verify_token))
        .routes(routes!(session::revoke_token))
        .routes(routes!(
            profile::get_profile,
            profile::replace_profile,
            profile::update_profile
        ))
        .routes(routes!(password_change::change_password))
        .routes(routes!(password_reset::request_password_reset))
        .routes(routes!(password_reset::confirm_password_reset))
        .routes(routes!(
            addresses::list_addresses,
            addresses::create_address
        ))
        .routes(routes!(addresses::get_default_address))
        .routes(routes!(
            addresses::get_address,
            addresses::replace_address,
            addresses::update_address,
            addresses::delete_address
        ))
        .routes(routes!(addresses::set_default_address))
        .routes(routes!(admin_users::list_users))
        .routes(routes!(admin_users::get_user, admin_users::update_user))
}
