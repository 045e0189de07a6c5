//! A customer's own figures (`GET analytics/me/`): every statement is scoped to their id.

use sqlx::AnyConnection;

use super::COUNTED;

/// How many counted orders a user placed, and their total.
#[derive(Debug, sqlx::FromRow)]
pub struct OwnOrdersRow {
    pub orders: i64,
    pub spent_cents: i64,
}

/// The user's counted orders, all time.
pub async fn own_orders(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<OwnOrdersRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT COUNT(*) AS orders, CAST(COALESCE(SUM(o.total_cents), 0) AS BIGINT) AS spent_cents \
         FROM orders o WHERE o.user_id = $1 AND {COUNTED}"
    ))
    .bind(user_id)
    .fetch_one(conn)
    .await
}

/// A category and how many of the user's orders bought from it.
#[derive(Debug, sqlx::FromRow)]
pub struct CategoryRow {
    pub category_id: i64,
    pub name: String,
    pub orders: i64,
}

/// The five categories most of the user's counted orders bought a product of (then lowest id);
/// a product counts in its current category.
pub async fn favourite_categories(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Vec<CategoryRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT c.id AS category_id, c.name, COUNT(DISTINCT o.id) AS orders FROM orders o \
         JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id \
         JOIN categories c ON c.id = p.category_id \
         WHERE o.user_id = $1 AND {COUNTED} \
         GROUP BY c.id, c.name ORDER BY 3 DESC, c.id LIMIT 5"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await
}
