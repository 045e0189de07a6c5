//! Products: the list with search, filters and paging; create and edit; images (upload, reorder,
//! delete); stock adjustments with their reason and the movement history.
//!
//! Every page and action goes through the features' fronts (`catalog::products`,
//! `product_images`, `inventory`), as the API's handlers do; a saved form bumps the catalog
//! cache's version in `cache::middleware::dashboard_layer`, as the same write through the API does.

mod edit;
mod form;
mod images;
mod list;
mod stock;

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post},
    Router,
};

use crate::{product_images::UPLOAD_BODY_LIMIT, state::AppState};

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/products/", get(list::list_page))
        .route(
            "/dashboard/products/new/",
            get(form::new_page).post(form::create),
        )
        .route(
            "/dashboard/products/{id}/",
            get(edit::edit_page).post(form::update),
        )
        .route("/dashboard/products/{id}/delete/", post(form::delete))
        .route("/dashboard/products/{id}/stock/", post(stock::adjust))
        .route(
            "/dashboard/products/{id}/images/",
            // Only the upload may exceed the 1 MB body limit, as in the API.
            post(images::upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/dashboard/products/{id}/images/order/",
            post(images::reorder),
        )
        .route(
            "/dashboard/products/{id}/images/{image_id}/delete/",
            post(images::delete),
        )
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    template!("products/list.html"),
    template!("products/new.html"),
    template!("products/edit.html"),
    template!("products/fields.html"),
];

/// `303` to `location` (post/redirect/get).
fn see_other(location: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    axum::response::Redirect::to(location).into_response()
}
