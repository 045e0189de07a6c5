//! Products: the public list and detail, and the staff writes (shared with the staff router).
//!
//! Stock is never written here directly: a product's starting stock and every edit of it are
//! inventory movements, so stock always equals the sum of its movements.

mod filters;
mod handlers;
mod index;
mod key;
mod request;
mod service;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use filters::{price_filter, ProductFilters};
pub use handlers::ProductListParams;
pub use index::snapshot as index_snapshot;
pub use key::{ProductKey, Visibility};
pub use request::ProductWrite;
pub use service::{category_page, create, delete, find, list_page, update};
pub use views::ProductView;

use crate::state::AppState;

/// The public product routes (`products/...`).
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as p;
    OpenApiRouter::new()
        .routes(routes!(p::list_products, p::create_product))
        .routes(routes!(p::search_products))
        .routes(routes!(p::featured_products))
        .routes(routes!(p::latest_products))
        .routes(routes!(
            p::get_product,
            p::update_product,
            p::patch_product,
            p::delete_product
        ))
}
