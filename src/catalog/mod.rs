//! Catalog: categories, brands and products, with search and staff management.

pub mod admin;
pub mod brands;
pub mod categories;
pub mod products;
pub mod search;
pub mod slugs;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// Every catalog route under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    use self::{brands::handlers as b, categories::handlers as c, products::handlers as p};
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
        .routes(routes!(c::list_categories, c::create_category))
        .routes(routes!(
            c::get_category,
            c::update_category,
            c::patch_category,
            c::delete_category
        ))
        .routes(routes!(c::list_category_products))
        .routes(routes!(b::list_brands, b::create_brand))
        .routes(routes!(
            b::get_brand,
            b::update_brand,
            b::patch_brand,
            b::delete_brand
        ))
        .routes(routes!(admin::admin_index))
        .routes(routes!(
            admin::admin_list_products,
            admin::admin_create_product
        ))
        .routes(routes!(
            admin::admin_get_product,
            admin::admin_update_product,
            admin::admin_patch_product,
            admin::admin_delete_product
        ))
        .routes(routes!(
            admin::admin_list_categories,
            admin::admin_create_category
        ))
        .routes(routes!(
            admin::admin_get_category,
            admin::admin_update_category,
            admin::admin_patch_category,
            admin::admin_delete_category
        ))
}
