//! Reviews: the reported queue; hide and unhide.

use axum::Router;

use crate::state::AppState;

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[];
