//! What a stock movement is: why stock moved, and one movement to record (written by
//! `store::record_movement`, always on the transaction that changed the stock).

/// Why stock moved; stored as the lowercase name.
pub mod reason {
    /// The product's stock when it was created (written by the catalog).
    pub const INITIAL: &str = "initial";
    /// A checkout line took stock.
    pub const ORDER: &str = "order";
    /// A cancelled order's lines went back on the shelf.
    pub const ORDER_CANCELLED: &str = "order_cancelled";
    /// Staff moved a pending order to `failed`; its lines went back.
    pub const ORDER_FAILED: &str = "order_failed";
    /// A declined payment failed the order; its lines went back.
    pub const PAYMENT_DECLINED: &str = "payment_declined";
    /// Staff set `stock_quantity` directly through a product PUT/PATCH.
    pub const PRODUCT_EDIT: &str = "product_edit";
}

/// One movement to record.
#[derive(Debug, Clone)]
pub struct NewMovement<'a> {
    pub product_id: i64,
    pub delta: i64,
    pub reason: &'a str,
    pub actor_id: Option<i64>,
    pub order_id: Option<i64>,
}
