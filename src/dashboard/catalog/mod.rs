//! Categories (the tree; create, move, edit, delete) and brands (the list; create, edit,
//! delete), through the catalog's own category and brand services: their rules (unique slugs,
//! no cycles, the depth limit, no delete while in use) and messages are the API's.

mod brands;
mod categories;
mod form;

use axum::{routing::get, Router};

use crate::state::AppState;

/// This section's routes.
pub fn routes() -> Router<AppState> {
    use brands as b;
    use categories as c;
    Router::new()
        .route("/dashboard/categories/", get(c::list_categories))
        .route(
            "/dashboard/categories/new/",
            get(c::new_category).post(c::create_category),
        )
        .route(
            "/dashboard/categories/{id}/",
            get(c::edit_category).post(c::update_category),
        )
        .route(
            "/dashboard/categories/{id}/delete/",
            get(c::confirm_delete).post(c::delete_category),
        )
        .route("/dashboard/brands/", get(b::list_brands))
        .route(
            "/dashboard/brands/new/",
            get(b::new_brand).post(b::create_brand),
        )
        .route(
            "/dashboard/brands/{id}/",
            get(b::edit_brand).post(b::update_brand),
        )
        .route(
            "/dashboard/brands/{id}/delete/",
            get(b::confirm_delete).post(b::delete_brand),
        )
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    template!("categories/list.html"),
    template!("categories/form.html"),
    template!("categories/delete.html"),
    template!("brands/list.html"),
    template!("brands/form.html"),
    template!("brands/delete.html"),
];
