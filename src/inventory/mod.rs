//! Inventory: the stock-movement log and staff stock adjustments (SPEC §3.2, §5).
//!
//! Every change to `products.stock_quantity` goes with one `stock_movements` row written in the
//! same transaction, so a product's stock always equals the sum of its movements. This module is
//! the only one that changes stock (`store/stock.rs` holds every such statement): checkout takes
//! from [`Shelves`] it locked (a batch of orders at once, with [`record_taken`]), cancels and
//! fails [`put_back`], staff [`adjust`] and the product form [`set_level`]s (the seed's bulk
//! insert writes its own rows). Other features read stock through [`stock_of`].
//! A decrease that leaves a product at or below `LOW_STOCK_THRESHOLD` tells staff in the same
//! transaction (`low_stock.rs`: checkout calls [`alert_low_stock`] with what it took).

mod adjustments;
mod handlers;
mod levels;
mod low_stock;
mod movements;
mod request;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

pub use adjustments::{adjust_stock, movements};
pub use levels::set_level;
pub use low_stock::{alert as alert_low_stock, Alerts, StockChange};
pub use movements::reason;
pub use request::StockAdjustment;
pub use store::{
    adjust, low_stock, put_back, record_taken, stock_of, LowStockProduct, Refused, Shelves,
    Shortfall, Taken,
};
pub use views::{MovementView, StockAdjusted};

/// Most units a product's stock may be set or adjusted to through the API (SPEC §5). Units
/// coming back from a cancelled or failed order are the exception: they return whole
/// (`orders::lifecycle`), so stock equals the sum of its movements.
pub const MAX_STOCK: i64 = 1_000_000_000;

/// Most units of one product a cart line or an order line holds (SPEC §5: 1–10000). Kept here,
/// beside the stock bound, because both the cart and checkout enforce it: the cart so that a cart
/// can always be ordered as it is, checkout for explicit items and carts filled before the bound.
pub const MAX_LINE_QUANTITY: i64 = 10_000;

/// Every inventory route under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(
        handlers::list_stock_movements,
        handlers::adjust_stock
    ))
}
