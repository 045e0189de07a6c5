//! The order's response shapes.

use crate::money::Money;
use serde::Serialize;
use utoipa::ToSchema;

use super::status::{OrderStatus, PaymentStatus};

/// A shipping address as snapshotted on the order: the fields of a saved address.
pub type ShippingAddress = crate::accounts::AddressFields;

/// One order line, with the title and unit price as they were at purchase time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderItemView {
    pub id: i64,
    /// The product's id (the same value as `product_id`).
    pub product: i64,
    pub product_id: i64,
    pub product_title: String,
    pub quantity: i64,
    /// e.g. `"10.62"`.
    pub unit_price: Money,
    /// `unit_price × quantity`.
    pub subtotal: Money,
}

impl OrderItemView {
    /// A line as stored: `unit_price_cents × quantity` is its subtotal.
    pub fn new(
        id: i64,
        product_id: i64,
        product_title: String,
        quantity: i64,
        unit_price_cents: i64,
    ) -> Self {
        Self {
            id,
            product: product_id,
            product_id,
            product_title,
            quantity,
            unit_price: Money::from_cents(unit_price_cents),
            subtotal: Money::from_cents(unit_price_cents.saturating_mul(quantity)),
        }
    }
}

/// One step of the order's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusHistoryView {
    pub status: String,
    pub note: String,
    pub created_at: String,
}

/// One step of the order's history with who made it (the staff dashboard's view).
#[derive(Debug, Clone, Serialize)]
pub struct StaffHistoryView {
    pub status: String,
    pub note: String,
    pub created_at: String,
    /// The email of whoever moved the order; `None` for the system's own moves.
    pub by: Option<String>,
}

/// An order (SPEC §3.4).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderView {
    pub id: i64,
    /// Human-friendly and unique, e.g. `NX-20250807-000123`.
    pub order_number: String,
    /// The owner's id.
    pub user: i64,
    pub user_email: String,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    /// e.g. `"161.04"`.
    pub total_amount: Money,
    pub shipping_address: Option<ShippingAddress>,
    pub items: Vec<OrderItemView>,
    /// Oldest first.
    pub status_history: Vec<StatusHistoryView>,
    pub notes: String,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET orders/{id}/status/`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderStatusView {
    pub order_id: i64,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
}

/// An order and what happened to it (`cancel`, `payment`, `payment/confirm`).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderMessage {
    pub message: String,
    /// The method used (payment answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    pub order: OrderView,
}

/// `GET orders/{id}/track/`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackView {
    pub order_id: i64,
    pub order_number: String,
    pub status: OrderStatus,
    /// `TRK` and the zero-padded order id, e.g. `TRK00000001`.
    pub tracking_number: String,
    /// `YYYY-MM-DD`: null until the order ships; shipping date + 5 days while shipped; the
    /// delivery date once delivered.
    pub estimated_delivery: Option<String>,
    pub tracking_events: Vec<TrackingEvent>,
}

/// One tracking event, from the status history.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingEvent {
    pub date: String,
    pub status: String,
    pub description: String,
}
