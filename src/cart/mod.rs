//! Cart: one per user, created on first use; items upserted so racing adds can't duplicate
//! rows or lose quantities (SPEC §3.3, DJANGO-OBSERVED §8).

mod handlers;
mod request;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// Every cart route under `/api/v1`.
pub use store::{empty_carts, lock_carts_for_checkout, CartLines};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::get_cart))
        .routes(routes!(handlers::add_cart_item))
        .routes(routes!(
            handlers::replace_cart_item,
            handlers::update_cart_item
        ))
        .routes(routes!(handlers::remove_cart_item))
        .routes(routes!(handlers::clear_cart))
        .routes(routes!(handlers::count_cart_items))
        .routes(routes!(handlers::total_cart))
        .routes(routes!(handlers::increase_cart_item))
        .routes(routes!(handlers::decrease_cart_item))
}
