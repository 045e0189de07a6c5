//! Catalog: categories, brands and products, with search and staff management.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every catalog route under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
