//! Orders: checkout, order history, tracking, cancellation, staff status changes and payment
//! (SPEC §3.4, §5).
//!
//! Every SQL statement of orders and of its sub-features (`checkout/`, `payment/`) is in
//! `store/`; stock is only changed through `inventory`, and an order's status only through
//! `lifecycle::transition`, which follows the machine in `status.rs`.

mod checkout;
mod handlers;
mod lifecycle;
mod notices;
mod payment;
mod staff;
mod status;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use checkout::{order_number, Checkouts};
pub use staff::{change_status, find_order, history_of, list_all, StatusChange};
pub use status::{OrderStatus, PaymentStatus};
pub use store::OrderFilter;
pub use views::{OrderItemView, OrderView, StaffHistoryView};

use crate::state::AppState;

/// Every order route under `/api/v1`. Payments go through the provider in the state
/// ([`payment_provider`](crate::payment_gateway::payment_provider) picks it from
/// `PAYMENT_PROVIDER`), so no handler names one.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            handlers::list_orders,
            checkout::handlers::create_order
        ))
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
}
