//! Categories (the tree; create, move, edit) and brands.

use axum::Router;

use crate::state::AppState;

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[];
