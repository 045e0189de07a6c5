//! Catalog: categories, brands and products, with search and staff management.
//!
//! Each sub-feature keeps its SQL in its own store; the others reach it only through its front
//! (`products::find`, `categories::scope`, `brands::resolve`, ...). The fronts are public for the
//! dashboard, which calls the same use cases as the routes.

mod admin;
pub mod brands;
pub mod categories;
pub mod products;
mod search;
/// Public for the marketplace's service categories and skills: one slug implementation.
pub mod slugs;

use utoipa_axum::router::OpenApiRouter;

pub use products::ProductView;
pub use search::search_text;

use crate::state::AppState;

/// Every catalog route under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(products::router())
        .merge(categories::router())
        .merge(brands::router())
        .merge(admin::router())
}
