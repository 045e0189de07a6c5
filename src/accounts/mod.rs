//! Accounts: registration, JWT auth, profiles, passwords, addresses and user administration.

pub mod cli;
pub mod role;
pub mod tokens;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every accounts route under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
