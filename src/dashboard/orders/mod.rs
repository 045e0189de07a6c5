//! Orders: the list with status, date and customer filters; one order with its lines, address,
//! payment and status history; status changes along the machine (only the allowed next states
//! are offered) and cancel, through `orders::change_status`, the function the API's
//! `PATCH orders/{id}/` calls.

mod detail;
mod list;

use axum::{
    routing::{get, post},
    Router,
};

use crate::state::AppState;

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/orders/", get(list::list_orders))
        .route("/dashboard/orders/{id}/", get(detail::show_order))
        .route(
            "/dashboard/orders/{id}/status/",
            post(detail::change_status),
        )
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    template!("orders/list.html"),
    template!("orders/detail.html"),
];
