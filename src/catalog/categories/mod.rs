//! Categories: a hierarchy (no cycles, at most `tree::MAX_DEPTH` levels) with subtree product
//! counts; anyone reads, staff write.

mod handlers;
mod request;
mod service;
mod store;
mod tree;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use request::CategoryWrite;
pub use service::{choices, create, delete, get, list, update};
pub use store::{all_with_own_counts, exists, scope};
pub use tree::subtree_totals;
pub use views::{CategoryList, CategoryNode, CategoryView};

use crate::state::AppState;

/// The public category routes (`categories/...`).
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as c;
    OpenApiRouter::new()
        .routes(routes!(c::list_categories, c::create_category))
        .routes(routes!(
            c::get_category,
            c::update_category,
            c::patch_category,
            c::delete_category
        ))
        .routes(routes!(c::list_category_products))
}
