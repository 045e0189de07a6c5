//! Products: the list with search, filters and paging; create and edit; images (upload, reorder, delete); stock adjustments with their reason and the movement history.

use axum::Router;

use crate::state::AppState;

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[];
