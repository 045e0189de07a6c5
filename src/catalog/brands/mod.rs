//! Brands: `{id, name, slug, description}`; anyone reads, staff write. A brand's name is part of
//! its products' search text, so a rename or delete rewrites theirs (`catalog::search`).

mod handlers;
mod request;
mod service;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use request::BrandWrite;
pub use service::{create, delete, get, list, update};
pub use store::{exists, names as choices, resolve};
pub use views::BrandView;

use crate::state::AppState;

/// The brand routes (`brands/...`).
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as b;
    OpenApiRouter::new()
        .routes(routes!(b::list_brands, b::create_brand))
        .routes(routes!(
            b::get_brand,
            b::update_brand,
            b::patch_brand,
            b::delete_brand
        ))
}
