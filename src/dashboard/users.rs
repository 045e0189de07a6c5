//! Users (admins only): list and search; change a role; deactivate and reactivate.

use axum::Router;

use crate::state::AppState;

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[];
