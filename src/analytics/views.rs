//! What the analytics endpoints answer (SPEC §5): money as decimal strings, dates as
//! `YYYY-MM-DD`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::money::Money;

/// `GET analytics/dashboard/`: the period's figures (docs/analytics.md, "How figures are
/// computed").
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardView {
    /// The period's first day (UTC), inclusive.
    #[schema(example = "2025-03-02", format = Date)]
    pub from: String,
    /// The period's last day (UTC), inclusive.
    #[schema(example = "2025-03-31", format = Date)]
    pub to: String,
    /// Total of the counted orders (not cancelled, failed or refunded) created in the period.
    pub revenue: Money,
    pub orders: i64,
    /// `revenue / orders` to the nearest cent; `"0.00"` without orders.
    pub average_order_value: Money,
    /// Users who joined in the period.
    pub new_users: i64,
    /// Distinct signed-in users with an event or an order in the period.
    pub active_users: i64,
    /// Orders per session with a product view (sessions counted per UTC day), rounded to 4
    /// places; 0 without such sessions.
    #[schema(example = 0.0312)]
    pub conversion_rate: f64,
    pub top_products_by_revenue: Vec<ProductRevenueView>,
    pub top_products_by_views: Vec<ProductViewsView>,
    pub top_searches: Vec<SearchCountView>,
    /// The most frequent searches that found nothing.
    pub zero_result_searches: Vec<SearchCountView>,
    /// One entry per day of the period, ascending, zeros included.
    pub daily: Vec<DayView>,
}

/// A top seller: revenue and units from the period's counted orders.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductRevenueView {
    pub product_id: i64,
    /// The product's current title.
    pub title: String,
    pub revenue: Money,
    pub units: i64,
}

/// A most-viewed product.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductViewsView {
    pub product_id: i64,
    /// The product's current title.
    pub title: String,
    pub views: i64,
}

/// A normalised search query and how many times it was searched.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchCountView {
    pub query: String,
    pub count: i64,
}

/// One day of the series.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DayView {
    #[schema(example = "2025-03-31", format = Date)]
    pub date: String,
    pub revenue: Money,
    pub orders: i64,
    pub new_users: i64,
}

/// `GET analytics/me/`: the caller's own counted orders, all time.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyFiguresView {
    pub orders: i64,
    pub total_spent: Money,
    /// `total_spent / orders` to the nearest cent; `"0.00"` without orders.
    pub average_order_value: Money,
    /// Up to five categories, by how many of the caller's orders bought from them.
    pub favourite_categories: Vec<FavouriteCategoryView>,
}

/// A category the caller buys from.
#[derive(Debug, Serialize, ToSchema)]
pub struct FavouriteCategoryView {
    pub category_id: i64,
    pub name: String,
    /// How many of the caller's orders contain a product of this category.
    pub orders: i64,
}
