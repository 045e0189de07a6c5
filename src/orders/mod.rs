//! Orders: checkout, order history, tracking, cancellation, staff status changes and payment
//! (SPEC §3.4, §5).

pub mod checkout;
pub mod handlers;
pub mod lifecycle;
pub mod load;
pub mod payment;
pub mod staff;
pub mod status;
pub mod views;

use std::sync::Arc;

use axum::Extension;
use utoipa_axum::{router::OpenApiRouter, routes};

use self::payment::{SharedProvider, TestPaymentProvider};
use crate::state::AppState;

/// Every order route under `/api/v1`, paying through the built-in test provider.
pub fn router() -> OpenApiRouter<AppState> {
    router_with_provider(Arc::new(TestPaymentProvider))
}

/// Every order route, paying through `provider`. The provider travels as a request extension
/// of these routes only, so choosing another one never touches a handler.
pub fn router_with_provider(provider: SharedProvider) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list_orders, checkout::create_order))
        .routes(routes!(
            handlers::get_order,
            staff::replace_order_status,
            staff::update_order_status
        ))
        .routes(routes!(handlers::get_order_status))
        .routes(routes!(handlers::track_order))
        .routes(routes!(handlers::cancel_order))
        .routes(routes!(payment::handlers::pay_order))
        .routes(routes!(payment::handlers::confirm_payment))
        .routes(routes!(staff::list_all_orders))
        .layer(Extension(provider))
}
