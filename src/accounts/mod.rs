//! Accounts: registration, JWT sessions, profiles, passwords, addresses and user administration.
//!
//! Outside this folder only the front below is used: the router, the auth extractors every
//! feature's handlers take ([`CurrentUser`], [`MaybeUser`], [`Staff`], [`Admin`]), roles, password
//! hashing (the seed), the `createsuperuser` command, the `password_reset` job
//! ([`send_reset_link`]), and addresses (checkout reads a saved one, or an inline
//! [`AddressRequest`], and snapshots its [`AddressFields`] on the order), and user
//! administration (`admin.rs`, shared by `admin/users/` and the staff dashboard). The token keys
//! are not here: they are `crate::tokens`, shared with the rate limiter and `AppState`.

mod admin;
mod callers;
mod cli;
mod extract;
mod handlers;
mod notices;
mod password;
mod password_rules;
mod requests;
mod reset_link;
mod role;
mod sessions;
mod store;
mod views;

pub use admin::{find_user, list_users, update_user, user_filter};
pub use callers::kept_callers;
pub use cli::CreateSuperuser;
pub use extract::{Admin, AuthUser, CurrentUser, MaybeUser, Staff};
pub use handlers::session::authenticate;
pub use password::hash as hash_password;
pub use requests::{AddressRequest, AdminUserUpdate};
pub use reset_link::send_reset_link;
pub use role::Role;
pub use store::{Address, AddressFields, User, UserFilter};
pub use views::AdminUserResponse;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{db::Db, state::AppState};
use handlers::{
    addresses, admin_users, password_change, password_reset, profile, registration, session,
};

/// The user's saved address `id`; `None` when there is none of theirs.
pub async fn find_address(
    pool: &sqlx::AnyPool,
    user_id: i64,
    id: i64,
) -> Result<Option<Address>, sqlx::Error> {
    store::addresses::find(pool, user_id, id).await
}

/// Deletes password-reset links that expired before `before` (epoch microseconds); the cleanup
/// job passes a day ago, keeping a recent link's row for anyone looking into a support request.
pub async fn delete_expired_reset_links(db: &Db, before: i64) -> Result<u64, sqlx::Error> {
    let mut conn = db.write_connection().await?;
    store::reset_links::delete_expired(&mut conn, before).await
}

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
