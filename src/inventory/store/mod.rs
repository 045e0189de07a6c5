//! Every SQL statement of inventory: the reads and the movement log here, and in `stock.rs` the
//! statements that change `products.stock_quantity` (the one stock writer), each beside the
//! guard that makes it safe.

mod stock;

use sqlx::AnyConnection;

pub use stock::{adjust, put_back, record_taken, set_level, Refused, Shelves, Shortfall, Taken};

use super::{movements::NewMovement, views::MovementView};
use crate::db::{now_micros, types::format_micros};

/// A `stock_movements` row as read for the API.
#[derive(Debug, sqlx::FromRow)]
struct MovementRow {
    id: i64,
    product_id: i64,
    delta: i64,
    reason: String,
    actor_id: Option<i64>,
    order_id: Option<i64>,
    created_at: i64,
}

impl From<MovementRow> for MovementView {
    fn from(row: MovementRow) -> Self {
        Self {
            id: row.id,
            product: row.product_id,
            delta: row.delta,
            reason: row.reason,
            actor: row.actor_id,
            order: row.order_id,
            created_at: format_micros(row.created_at),
        }
    }
}

/// Records `movement` on `conn`, which must be the transaction that changed the stock.
pub async fn record_movement(
    conn: &mut AnyConnection,
    movement: NewMovement<'_>,
) -> Result<MovementView, sqlx::Error> {
    let row: MovementRow = sqlx::query_as(
        "INSERT INTO stock_movements (product_id, delta, reason, actor_id, order_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, product_id, delta, reason, actor_id, order_id, created_at",
    )
    .bind(movement.product_id)
    .bind(movement.delta)
    .bind(movement.reason)
    .bind(movement.actor_id)
    .bind(movement.order_id)
    .bind(now_micros())
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

/// One page of a product's movements, newest first, and how many there are in all.
pub async fn list_for_product(
    conn: &mut AnyConnection,
    product_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<MovementView>), sqlx::Error> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM stock_movements WHERE product_id = $1")
            .bind(product_id)
            .fetch_one(&mut *conn)
            .await?;
    let rows: Vec<MovementRow> = sqlx::query_as(
        "SELECT id, product_id, delta, reason, actor_id, order_id, created_at \
         FROM stock_movements WHERE product_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
    )
    .bind(product_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    Ok((count, rows.into_iter().map(Into::into).collect()))
}

/// Whether a product with this id exists (active or not).
pub async fn product_exists<'c, E>(executor: E, product_id: i64) -> Result<bool, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(executor)
        .await?;
    Ok(found.is_some())
}

/// A product's stock as committed (or as seen by the transaction `conn` is); `None` when there
/// is no such product. The read other features use to compare a quantity with the stock.
pub async fn stock_of(
    conn: &mut AnyConnection,
    product_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT stock_quantity FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(conn)
        .await
}

/// Active products at or below `threshold` units: how many, and the `limit` lowest (fewest units
/// first) with their titles, for the staff dashboard's "needs attention".
pub async fn low_stock(
    conn: &mut AnyConnection,
    threshold: i64,
    limit: i64,
) -> Result<(i64, Vec<LowStockProduct>), sqlx::Error> {
    let count = sqlx::query_scalar(
        "SELECT COUNT(*) FROM products WHERE is_active = TRUE AND stock_quantity <= $1",
    )
    .bind(threshold)
    .fetch_one(&mut *conn)
    .await?;
    let lowest = sqlx::query_as(
        "SELECT id, title, stock_quantity AS stock FROM products \
         WHERE is_active = TRUE AND stock_quantity <= $1 ORDER BY stock_quantity, id LIMIT $2",
    )
    .bind(threshold)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok((count, lowest))
}

/// A product low on stock.
#[derive(Debug, sqlx::FromRow, serde::Serialize)]
pub struct LowStockProduct {
    pub id: i64,
    pub title: String,
    pub stock: i64,
}
