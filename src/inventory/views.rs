//! What the inventory endpoints answer: a stock movement, and an adjustment's result.

use serde::Serialize;
use utoipa::ToSchema;

/// A stock movement as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MovementView {
    pub id: i64,
    /// The product's id.
    pub product: i64,
    /// Units added (positive) or taken (negative).
    pub delta: i64,
    /// `initial`, `order`, `order_cancelled`, `order_failed`, `payment_declined`, or staff's text.
    pub reason: String,
    /// The user who caused it (staff or the ordering customer), when known.
    pub actor: Option<i64>,
    /// The order it belongs to, for order-driven movements.
    pub order: Option<i64>,
    pub created_at: String,
}

/// The recorded movement and the product's stock after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StockAdjusted {
    #[serde(flatten)]
    pub movement: MovementView,
    pub stock_quantity: i64,
}
