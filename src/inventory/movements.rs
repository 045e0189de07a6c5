//! Writing and reading stock movements.

use serde::Serialize;
use sqlx::AnyConnection;
use utoipa::ToSchema;

use crate::db::{now_micros, types::format_micros};

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

/// Records `movement` on `conn`, which must be the transaction that changed the stock.
pub async fn record_movement(
    conn: &mut AnyConnection,
    movement: NewMovement<'_>,
) -> Result<MovementView, sqlx::Error> {
    let created_at = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO stock_movements (product_id, delta, reason, actor_id, order_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(movement.product_id)
    .bind(movement.delta)
    .bind(movement.reason)
    .bind(movement.actor_id)
    .bind(movement.order_id)
    .bind(created_at)
    .fetch_one(conn)
    .await?;
    Ok(MovementView {
        id,
        product: movement.product_id,
        delta: movement.delta,
        reason: movement.reason.to_owned(),
        actor: movement.actor_id,
        order: movement.order_id,
        created_at: format_micros(created_at),
    })
}

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

type MovementRow = (i64, i64, i64, String, Option<i64>, Option<i64>, i64);

impl From<MovementRow> for MovementView {
    fn from((id, product, delta, reason, actor, order, created_at): MovementRow) -> Self {
        Self {
            id,
            product,
            delta,
            reason,
            actor,
            order,
            created_at: format_micros(created_at),
        }
    }
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
