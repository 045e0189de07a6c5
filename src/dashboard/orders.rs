//! Orders: the list with status, date and customer filters; one order with its lines, address, payment and status history; status changes along the machine; cancel.

use axum::Router;

use crate::state::AppState;

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[];
