//! Jobs: queued and failed counts per kind; failed jobs with their last error; retry or discard.

use axum::Router;

use crate::state::AppState;

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[];
