//! What the cart endpoints answer: the cart, its lines, its unit count and its total.

use serde::Serialize;
use utoipa::ToSchema;

use crate::money::Money;

/// The product as a cart item shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CartProduct {
    pub id: i64,
    pub title: String,
    pub slug: String,
    /// Current price, e.g. `"12.30"`.
    pub price: Money,
    /// The first image's URL, or null.
    pub image: Option<String>,
    pub stock_quantity: i64,
}

/// One line of a cart.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CartItemView {
    pub id: i64,
    pub product: CartProduct,
    pub quantity: i64,
    /// `price × quantity`, e.g. `"24.60"`.
    pub subtotal: Money,
    #[serde(skip)]
    pub subtotal_cents: i64,
}

/// A user's cart.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartView {
    pub id: i64,
    /// The owner's id.
    pub user: i64,
    pub items: Vec<CartItemView>,
    /// Sum of the subtotals, e.g. `"36.90"`.
    pub total: Money,
    /// The same value as `total` (both names exist for compatibility).
    pub total_price: Money,
    /// Units in the cart (the sum of quantities), not lines.
    pub total_items: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET cart/count/`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartCount {
    /// Units in the cart (sum of quantities).
    pub count: i64,
}

/// `GET cart/total/`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CartTotal {
    /// e.g. `"12.00"`.
    pub total: Money,
}
